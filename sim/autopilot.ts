/**
 * The simulated autopilot: the flight-mode logic a PX4 vehicle runs on top of
 * its position controller — arming, takeoff, hold, land, return, and
 * offboard with the PX4 rules (offboard can only start while setpoints are
 * already streaming; if the stream stops for OFFBOARD_TIMEOUT_S the vehicle
 * fails safe to hold). The in-process link and the MAVLink SITL endpoint both
 * drive the vehicle through this one object, so they behave the same.
 */
import type { CommandResult, FlightMode, Setpoint } from '../core/vehicle-link.ts';
import { type Vec3, vec3, set, copy } from '../core/vec3.ts';
import { type MultirotorCommand, type MultirotorState, emptyCommand } from './multirotor.ts';

/** PX4 COM_OF_LOSS_T class: offboard setpoint stream timeout, s. */
export const OFFBOARD_TIMEOUT_S = 0.5;
/** Landing descent speed, m/s (PX4 MPC_LAND_SPEED class). */
export const LAND_SPEED_MPS = 0.7;
/** Takeoff is complete within this distance of the takeoff altitude, m. */
const TAKEOFF_DONE_M = 0.2;
/** Return: minimum altitude while flying home, m (PX4 RTL_RETURN_ALT class). */
export const RETURN_ALTITUDE_M = 10;

const ok: CommandResult = { ok: true };
const fail = (code: string, message: string): CommandResult => ({ ok: false, code, message });

export interface AutopilotEvent {
  timeS: number;
  /** e.g. 'armed', 'mode', 'offboard-loss', 'landed' */
  kind: string;
  detail: string;
}

export class Autopilot {
  armed = false;
  mode: FlightMode = 'hold';
  readonly events: AutopilotEvent[] = [];
  private readonly cmd: MultirotorCommand = emptyCommand();
  private readonly holdNedM: Vec3 = vec3();
  private holdYawRad = 0;
  private offboardSetpoint: Setpoint | null = null;
  private lastSetpointS = -Infinity;
  private readonly offPos: Vec3 = vec3();
  private readonly offVel: Vec3 = vec3();
  private readonly offAcc: Vec3 = vec3();
  private returnPhase: 'climb' | 'home' | 'land' = 'climb';

  constructor(private readonly vehicle: MultirotorState, airborne: boolean) {
    this.armed = airborne;
    this.mode = airborne ? 'hold' : 'manual';
    this.captureHold();
  }

  private log(timeS: number, kind: string, detail: string): void {
    this.events.push({ timeS, kind, detail });
  }

  private setMode(mode: FlightMode, timeS: number): void {
    if (mode !== this.mode) this.log(timeS, 'mode', `${this.mode} → ${mode}`);
    this.mode = mode;
  }

  private captureHold(): void {
    copy(this.holdNedM, this.vehicle.positionNedM);
    this.holdYawRad = this.vehicle.yawRad;
  }

  arm(timeS: number): CommandResult {
    if (this.armed) return ok;
    this.armed = true;
    this.captureHold();
    this.setMode('hold', timeS);
    this.log(timeS, 'armed', 'armed');
    return ok;
  }

  disarm(timeS: number): CommandResult {
    if (!this.vehicle.onGround) return fail('IN_AIR', 'refusing to disarm in the air; land first');
    this.armed = false;
    this.setMode('manual', timeS);
    this.log(timeS, 'disarmed', 'disarmed');
    return ok;
  }

  takeoff(altitudeM: number, timeS: number): CommandResult {
    if (!this.armed) return fail('NOT_ARMED', 'arm before taking off');
    if (!(altitudeM > 0)) return fail('BAD_ALTITUDE', 'takeoff altitude must be > 0 m');
    set(this.holdNedM, this.vehicle.positionNedM.x, this.vehicle.positionNedM.y, -altitudeM);
    this.holdYawRad = this.vehicle.yawRad;
    this.setMode('takeoff', timeS);
    return ok;
  }

  land(timeS: number): CommandResult {
    if (!this.armed) return fail('NOT_ARMED', 'the vehicle is not armed');
    this.captureHold();
    this.setMode('land', timeS);
    return ok;
  }

  hold(timeS: number): CommandResult {
    if (!this.armed) return fail('NOT_ARMED', 'the vehicle is not armed');
    this.captureHold();
    this.setMode('hold', timeS);
    return ok;
  }

  returnHome(timeS: number): CommandResult {
    if (!this.armed) return fail('NOT_ARMED', 'the vehicle is not armed');
    this.captureHold();
    this.returnPhase = 'climb';
    this.setMode('return', timeS);
    return ok;
  }

  startOffboard(timeS: number): CommandResult {
    if (!this.armed) return fail('NOT_ARMED', 'arm (and take off) before starting offboard');
    if (timeS - this.lastSetpointS > OFFBOARD_TIMEOUT_S) {
      return fail('NO_SETPOINT_STREAM', `offboard needs a setpoint stream first: send setpoints (≥ ${1 / OFFBOARD_TIMEOUT_S} Hz) before starting it`);
    }
    this.setMode('offboard', timeS);
    return ok;
  }

  stopOffboard(timeS: number): CommandResult {
    if (this.mode === 'offboard') {
      this.captureHold();
      this.setMode('hold', timeS);
    }
    return ok;
  }

  setpoint(sp: Setpoint, timeS: number): void {
    this.offboardSetpoint = sp;
    this.lastSetpointS = timeS;
  }

  /** The position-controller command for this step. */
  command(timeS: number): MultirotorCommand {
    const c = this.cmd, v = this.vehicle;
    c.positionNedM = null;
    c.velocityNedMps = null;
    c.accelerationNedMps2 = null;
    c.yawRad = null;
    c.yawRateRadps = null;
    c.maxDescentSpeedMps = Infinity;
    if (!this.armed) return c;

    if (this.mode === 'offboard' && timeS - this.lastSetpointS > OFFBOARD_TIMEOUT_S) {
      this.log(timeS, 'offboard-loss', `no setpoint for ${OFFBOARD_TIMEOUT_S} s: holding`);
      this.captureHold();
      this.setMode('hold', timeS);
    }
    switch (this.mode) {
      case 'offboard': {
        const sp = this.offboardSetpoint!;
        if (sp.positionNedM) c.positionNedM = copy(this.offPos, sp.positionNedM);
        if (sp.velocityNedMps) c.velocityNedMps = copy(this.offVel, sp.velocityNedMps);
        if (sp.accelerationNedMps2) c.accelerationNedMps2 = copy(this.offAcc, sp.accelerationNedMps2);
        if (sp.yawRad !== undefined) c.yawRad = sp.yawRad;
        if (sp.yawRateRadps !== undefined) c.yawRateRadps = sp.yawRateRadps;
        if (!sp.positionNedM && !sp.velocityNedMps && !sp.accelerationNedMps2) c.positionNedM = this.holdNedM;
        if (sp.yawRad === undefined && sp.yawRateRadps === undefined) c.yawRad = this.holdYawRad;
        break;
      }
      case 'takeoff':
        c.positionNedM = this.holdNedM;
        c.yawRad = this.holdYawRad;
        if (Math.abs(v.positionNedM.z - this.holdNedM.z) < TAKEOFF_DONE_M) this.setMode('hold', timeS);
        break;
      case 'land':
        c.positionNedM = set(this.offPos, this.holdNedM.x, this.holdNedM.y, v.positionNedM.z);
        c.velocityNedMps = set(this.offVel, 0, 0, LAND_SPEED_MPS);
        c.maxDescentSpeedMps = LAND_SPEED_MPS;
        c.yawRad = this.holdYawRad;
        if (v.onGround) {
          this.log(timeS, 'landed', 'touchdown: disarming');
          this.armed = false;
          this.setMode('manual', timeS);
        }
        break;
      case 'return': {
        const altM = Math.max(-this.holdNedM.z, RETURN_ALTITUDE_M);
        c.yawRad = this.holdYawRad;
        if (this.returnPhase === 'climb') {
          c.positionNedM = set(this.offPos, this.holdNedM.x, this.holdNedM.y, -altM);
          if (-v.positionNedM.z >= altM - TAKEOFF_DONE_M) this.returnPhase = 'home';
        } else if (this.returnPhase === 'home') {
          c.positionNedM = set(this.offPos, 0, 0, -altM);
          if (Math.hypot(v.positionNedM.x, v.positionNedM.y) < 0.5) {
            set(this.holdNedM, 0, 0, 0);
            this.returnPhase = 'land';
            this.setMode('land', timeS);
          }
        }
        break;
      }
      default:
        c.positionNedM = this.holdNedM;
        c.yawRad = this.holdYawRad;
    }
    return c;
  }
}
