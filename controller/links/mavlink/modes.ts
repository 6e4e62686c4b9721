/**
 * Flight modes on the wire. PX4 packs its mode into HEARTBEAT.custom_mode as
 * main mode (bits 16–23) and sub mode (bits 24–31); ArduPilot Copter puts its
 * mode number straight into custom_mode. Both set MAV_MODE_FLAG_CUSTOM_MODE_ENABLED.
 */
import type { FlightMode } from '../../../core/vehicle-link.ts';

export type Autopilot = 'px4' | 'ardupilot';

/** MAV_AUTOPILOT values of the two firmwares. */
export const MAV_AUTOPILOT_ARDUPILOTMEGA = 3;
export const MAV_AUTOPILOT_PX4 = 12;
export const MAV_AUTOPILOT_INVALID = 8;
export const MAV_MODE_FLAG_SAFETY_ARMED = 128;
export const MAV_MODE_FLAG_CUSTOM_MODE_ENABLED = 1;

export const PX4_MAIN = { MANUAL: 1, ALTCTL: 2, POSCTL: 3, AUTO: 4, ACRO: 5, OFFBOARD: 6, STABILIZED: 7, RATTITUDE: 8 } as const;
export const PX4_AUTO_SUB = { READY: 1, TAKEOFF: 2, LOITER: 3, MISSION: 4, RTL: 5, LAND: 6, RTGS: 7, FOLLOW_TARGET: 8, PRECLAND: 9 } as const;
/** ArduPilot Copter mode numbers (ardupilotmega.xml COPTER_MODE). */
export const COPTER = { STABILIZE: 0, ACRO: 1, ALT_HOLD: 2, AUTO: 3, GUIDED: 4, LOITER: 5, RTL: 6, CIRCLE: 7, LAND: 9, POSHOLD: 16, BRAKE: 17, SMART_RTL: 21, AUTO_RTL: 27 } as const;

/** A mode as DO_SET_MODE wants it: param2 and param3. */
export interface WireMode {
  customMode: number;
  /** PX4 only: DO_SET_MODE param3 */
  subMode: number;
}

export function px4CustomMode(main: number, sub = 0): number {
  return ((main & 0xff) << 16) | ((sub & 0xff) << 24);
}

/** The mode this controller asks for, per firmware; null when the firmware has no such mode. */
export function wireModeFor(autopilot: Autopilot, mode: FlightMode): WireMode | null {
  if (autopilot === 'px4') {
    switch (mode) {
      case 'offboard': return { customMode: PX4_MAIN.OFFBOARD, subMode: 0 };
      case 'hold': return { customMode: PX4_MAIN.AUTO, subMode: PX4_AUTO_SUB.LOITER };
      case 'land': return { customMode: PX4_MAIN.AUTO, subMode: PX4_AUTO_SUB.LAND };
      case 'return': return { customMode: PX4_MAIN.AUTO, subMode: PX4_AUTO_SUB.RTL };
      case 'takeoff': return { customMode: PX4_MAIN.AUTO, subMode: PX4_AUTO_SUB.TAKEOFF };
      case 'mission': return { customMode: PX4_MAIN.AUTO, subMode: PX4_AUTO_SUB.MISSION };
      case 'position': return { customMode: PX4_MAIN.POSCTL, subMode: 0 };
      case 'altitude': return { customMode: PX4_MAIN.ALTCTL, subMode: 0 };
      case 'manual': return { customMode: PX4_MAIN.MANUAL, subMode: 0 };
      default: return null;
    }
  }
  const copter: Partial<Record<FlightMode, number>> = {
    offboard: COPTER.GUIDED, hold: COPTER.LOITER, land: COPTER.LAND, return: COPTER.RTL,
    takeoff: COPTER.GUIDED, mission: COPTER.AUTO, position: COPTER.POSHOLD, altitude: COPTER.ALT_HOLD, manual: COPTER.STABILIZE,
  };
  const n = copter[mode];
  return n === undefined ? null : { customMode: n, subMode: 0 };
}

/** HEARTBEAT.custom_mode → our FlightMode. */
export function decodeMode(autopilot: Autopilot, customMode: number): FlightMode {
  if (autopilot === 'px4') {
    const main = (customMode >>> 16) & 0xff;
    const sub = (customMode >>> 24) & 0xff;
    switch (main) {
      case PX4_MAIN.MANUAL: case PX4_MAIN.ACRO: case PX4_MAIN.STABILIZED: case PX4_MAIN.RATTITUDE: return 'manual';
      case PX4_MAIN.ALTCTL: return 'altitude';
      case PX4_MAIN.POSCTL: return 'position';
      case PX4_MAIN.OFFBOARD: return 'offboard';
      case PX4_MAIN.AUTO:
        switch (sub) {
          case PX4_AUTO_SUB.TAKEOFF: return 'takeoff';
          case PX4_AUTO_SUB.LOITER: case PX4_AUTO_SUB.READY: return 'hold';
          case PX4_AUTO_SUB.MISSION: case PX4_AUTO_SUB.FOLLOW_TARGET: return 'mission';
          case PX4_AUTO_SUB.RTL: case PX4_AUTO_SUB.RTGS: return 'return';
          case PX4_AUTO_SUB.LAND: case PX4_AUTO_SUB.PRECLAND: return 'land';
          default: return 'unknown';
        }
      default: return 'unknown';
    }
  }
  switch (customMode) {
    case COPTER.STABILIZE: case COPTER.ACRO: return 'manual';
    case COPTER.ALT_HOLD: return 'altitude';
    case COPTER.POSHOLD: return 'position';
    case COPTER.GUIDED: return 'offboard';
    case COPTER.LOITER: case COPTER.BRAKE: return 'hold';
    case COPTER.AUTO: case COPTER.CIRCLE: return 'mission';
    case COPTER.RTL: case COPTER.SMART_RTL: case COPTER.AUTO_RTL: return 'return';
    case COPTER.LAND: return 'land';
    default: return 'unknown';
  }
}

/** PX4 sends custom_mode as (main, sub); DO_SET_MODE takes them as separate params. */
export function wireModeFromCommand(autopilot: Autopilot, param2: number, param3: number): number {
  return autopilot === 'px4' ? px4CustomMode(param2, param3) : param2;
}
