/**
 * The simulator's MAVLink autopilot endpoint (SITL): the autopilot side of
 * the messages controller/links/mavlink speaks, over real sockets, in front of
 * an in-process vehicle (any VehicleLink; in practice the SimVehicleLink,
 * whose autopilot already applies PX4's offboard rules: no OFFBOARD without a
 * live setpoint stream, hold when the stream stops for 0.5 s).
 *
 * Components, as on a real aircraft:
 *   1   autopilot + gimbal manager: HEARTBEAT, LOCAL_POSITION_NED, ATTITUDE,
 *       GLOBAL_POSITION_INT, SYS_STATUS, EXTENDED_SYS_STATE, GIMBAL_MANAGER_STATUS;
 *       COMMAND_LONG (arm, takeoff, land, RTL, DO_SET_MODE, SET_MESSAGE_INTERVAL,
 *       gimbal manager configure/pitchyaw), SET_POSITION_TARGET_LOCAL_NED,
 *       GIMBAL_MANAGER_SET_ATTITUDE / _SET_PITCHYAW
 *   154 gimbal device: GIMBAL_DEVICE_ATTITUDE_STATUS
 *   100 camera: HEARTBEAT, CAMERA_SETTINGS, PARAM_EXT_VALUE (CAM_APERTURE);
 *       SET_CAMERA_ZOOM, SET_CAMERA_FOCUS, DO_DIGICAM_CONFIGURE, PARAM_EXT_SET
 *
 * Streams are scheduled on the simulation clock: call `tick(simTimeS)` after
 * every world step (startSitl does this from SimWorld.onStep).
 */
import { common, minimal, type MavLinkData } from 'node-mavlink';
import { eulerZyxToQuat, quatToEulerZyx, type Quat } from '../../core/frames.ts';
import { radToDeg, degToRad, wrapAngleRad } from '../../core/units.ts';
import type { CommandResult, FlightMode, Setpoint, VehicleLink, VehicleTelemetry } from '../../core/vehicle-link.ts';
import { MavlinkDecoder, MavlinkEncoder, type MavlinkFrame, paramExtReal32String, readParamExtReal32, rejectedCount } from '../../controller/links/mavlink/codec.ts';
import {
  focusDistanceFromLevel, focusLevelPercent, focalLengthFromZoomLevel, zoomLevelPercent, type LensRanges,
} from '../../controller/links/mavlink/lens-levels.ts';
import {
  type Autopilot, COPTER, decodeMode, px4CustomMode, wireModeFor, wireModeFromCommand, MAV_AUTOPILOT_ARDUPILOTMEGA, MAV_AUTOPILOT_INVALID,
  MAV_AUTOPILOT_PX4, MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, MAV_MODE_FLAG_SAFETY_ARMED,
} from '../../controller/links/mavlink/modes.ts';
import {
  APERTURE_PARAM_ID, FOCUS_TYPE_METERS, GIMBAL_FLAGS, MAV_CMD, MAV_COMP_ID_AUTOPILOT1, MAV_COMP_ID_CAMERA, MAV_COMP_ID_GIMBAL,
  MAV_LANDED_STATE_IN_AIR, MAV_LANDED_STATE_ON_GROUND, MAV_PARAM_EXT_TYPE_REAL32, MAV_RESULT, MAV_TYPE_CAMERA, MAV_TYPE_QUADROTOR, MSG,
  PARAM_ACK_ACCEPTED, PARAM_ACK_VALUE_UNSUPPORTED, ZOOM_TYPE_FOCAL_LENGTH,
} from '../../controller/links/mavlink/protocol.ts';
import type { ServerTransport } from '../../controller/links/mavlink/transport.ts';

/** Default stream rates, Hz (PX4's onboard link profile class); SET_MESSAGE_INTERVAL changes them. */
export const DEFAULT_STREAM_HZ: Record<string, number> = {
  HEARTBEAT: 1,
  LOCAL_POSITION_NED: 30,
  ATTITUDE: 50,
  GLOBAL_POSITION_INT: 10,
  SYS_STATUS: 2,
  EXTENDED_SYS_STATE: 5,
  GIMBAL_MANAGER_STATUS: 1,
  GIMBAL_DEVICE_ATTITUDE_STATUS: 20,
  CAMERA_SETTINGS: 10,
  CAMERA_APERTURE: 5,
};
/** PX4 MIS_TAKEOFF_ALT class: NAV_TAKEOFF without an altitude climbs this high, m. */
export const DEFAULT_TAKEOFF_ALTITUDE_M = 2.5;
const CAMERA_COMMANDS = new Set<number>([MAV_CMD.SET_CAMERA_ZOOM, MAV_CMD.SET_CAMERA_FOCUS, MAV_CMD.DO_DIGICAM_CONFIGURE]);
/** NAV_TAKEOFF above this is refused as a typo, m. */
export const MAX_TAKEOFF_ALTITUDE_M = 500;
/** Lens commands a little outside the range (rounding) are clamped; further out they are denied. */
const LENS_RANGE_SLACK = 0.01;

export interface MavlinkEndpointOptions {
  vehicle: VehicleLink;
  transport: ServerTransport;
  lens: LensRanges;
  autopilot?: Autopilot;
  systemId?: number;
}

export interface MavlinkEndpointStats {
  peers: number;
  framesIn: number;
  dropped: number;
  commands: number;
  setpoints: number;
  framesOut: number;
}

interface Stream {
  name: string;
  msgid: number;
  hz: number;
  nextS: number;
  send: (t: VehicleTelemetry, timeS: number) => void;
}

export class SitlMavlinkEndpoint {
  readonly autopilotKind: Autopilot;
  readonly systemId: number;
  private readonly vehicle: VehicleLink;
  private readonly transport: ServerTransport;
  private readonly lens: LensRanges;
  private readonly decoders = new Map<string, MavlinkDecoder>();
  private readonly retiredRejected = { n: 0 };
  private readonly autopilotOut: MavlinkEncoder;
  private readonly gimbalOut: MavlinkEncoder;
  private readonly cameraOut: MavlinkEncoder;
  private readonly streams: Stream[];
  private readonly counts = { framesIn: 0, foreign: 0, commands: 0, setpoints: 0, framesOut: 0 };
  private gimbalPrimary: { sysid: number; compid: number } | null = null;
  /** ArduPilot: GUIDED is a mode of its own that holds until setpoints arrive. */
  private guided = false;
  private lastSetpointS = -Infinity;
  private nowS = 0;
  /** the last offboard setpoint decoded from SET_POSITION_TARGET_LOCAL_NED (diagnostics) */
  lastSetpoint: Setpoint | null = null;

  constructor(options: MavlinkEndpointOptions) {
    this.vehicle = options.vehicle;
    this.transport = options.transport;
    this.lens = options.lens;
    this.autopilotKind = options.autopilot ?? 'px4';
    this.systemId = options.systemId ?? 1;
    this.autopilotOut = new MavlinkEncoder(this.systemId, MAV_COMP_ID_AUTOPILOT1);
    this.gimbalOut = new MavlinkEncoder(this.systemId, MAV_COMP_ID_GIMBAL);
    this.cameraOut = new MavlinkEncoder(this.systemId, MAV_COMP_ID_CAMERA);
    const s = (name: string, msgid: number, send: Stream['send']): Stream => ({ name, msgid, hz: DEFAULT_STREAM_HZ[name]!, nextS: 0, send });
    this.streams = [
      s('HEARTBEAT', MSG.HEARTBEAT, (t) => this.sendHeartbeats(t)),
      s('LOCAL_POSITION_NED', MSG.LOCAL_POSITION_NED, (t, ts) => this.sendLocalPosition(t, ts)),
      s('ATTITUDE', MSG.ATTITUDE, (t, ts) => this.sendAttitude(t, ts)),
      s('GLOBAL_POSITION_INT', MSG.GLOBAL_POSITION_INT, (t, ts) => this.sendGlobalPosition(t, ts)),
      s('SYS_STATUS', MSG.SYS_STATUS, (t) => this.sendSysStatus(t)),
      s('EXTENDED_SYS_STATE', MSG.EXTENDED_SYS_STATE, (t) => this.sendExtendedSysState(t)),
      s('GIMBAL_MANAGER_STATUS', MSG.GIMBAL_MANAGER_STATUS, (_t, ts) => this.sendGimbalManagerStatus(ts)),
      s('GIMBAL_DEVICE_ATTITUDE_STATUS', MSG.GIMBAL_DEVICE_ATTITUDE_STATUS, (t, ts) => this.sendGimbalAttitude(t, ts)),
      s('CAMERA_SETTINGS', MSG.CAMERA_SETTINGS, (t, ts) => this.sendCameraSettings(t, ts)),
      s('CAMERA_APERTURE', MSG.PARAM_EXT_VALUE, (t) => this.sendAperture(t)),
    ];
    this.transport.onData = (chunk, peer) => this.ingest(chunk, peer);
    this.transport.onPeerGone = (peer) => {
      const d = this.decoders.get(peer);
      if (d) this.retiredRejected.n += rejectedCount(d.stats);
      this.decoders.delete(peer);
    };
  }

  stats(): MavlinkEndpointStats {
    let rejected = this.retiredRejected.n;
    for (const d of this.decoders.values()) rejected += rejectedCount(d.stats);
    return {
      peers: this.transport.peers().length,
      framesIn: this.counts.framesIn,
      dropped: rejected + this.counts.foreign,
      commands: this.counts.commands,
      setpoints: this.counts.setpoints,
      framesOut: this.counts.framesOut,
    };
  }

  /** Current stream rates, Hz (0 = off). */
  streamRates(): Record<string, number> {
    return Object.fromEntries(this.streams.map((s) => [s.name, s.hz]));
  }

  /** Send every stream that is due at simulation time `timeS`. */
  tick(timeS: number): void {
    this.nowS = timeS;
    if (this.transport.peers().length === 0) return;
    const t = this.vehicle.latestTelemetry();
    if (!t) return;
    for (const s of this.streams) {
      if (!(s.hz > 0) || timeS < s.nextS) continue;
      // Keep the phase, but never queue a burst after a stall.
      s.nextS = Math.max(s.nextS + 1 / s.hz, timeS);
      s.send(t, timeS);
    }
  }

  /** Bytes from a peer; public so the fuzz test can feed the handler directly. */
  ingest(chunk: Buffer, peer: string): void {
    let d = this.decoders.get(peer);
    if (!d) {
      d = new MavlinkDecoder(this.transport.framing);
      this.decoders.set(peer, d);
    }
    try {
      d.push(chunk, (f) => this.onFrame(f, peer));
    } catch {
      this.counts.foreign++;
    }
  }

  // ───────────────────────── input

  private onFrame(f: MavlinkFrame, peer: string): void {
    const m = f.message as unknown as Record<string, unknown>;
    const target = m.targetSystem;
    if (typeof target === 'number' && target !== 0 && target !== this.systemId) {
      this.counts.foreign++;
      return;
    }
    this.counts.framesIn++;
    try {
      this.handle(f, peer);
    } catch {
      this.counts.foreign++;
    }
  }

  private handle(f: MavlinkFrame, peer: string): void {
    const m = f.message;
    const targetComponent = (m as unknown as { targetComponent?: number }).targetComponent ?? 0;
    if (m instanceof common.CommandLong) {
      this.counts.commands++;
      // Camera commands reach the camera directly, or through the autopilot (ArduPilot's AP_Camera).
      if (targetComponent === MAV_COMP_ID_CAMERA || (CAMERA_COMMANDS.has(m.command) && (targetComponent === 0 || targetComponent === MAV_COMP_ID_AUTOPILOT1))) {
        this.cameraCommand(m, f, peer, targetComponent === MAV_COMP_ID_CAMERA ? this.cameraOut : this.autopilotOut);
      }
      else if (targetComponent === 0 || targetComponent === MAV_COMP_ID_AUTOPILOT1) {
        this.autopilotCommand(m, f, peer).catch(() => this.counts.foreign++);
      }
      return;
    }
    if (m instanceof common.SetPositionTargetLocalNed) {
      this.counts.setpoints++;
      this.onSetpoint(m);
      return;
    }
    if (m instanceof common.GimbalManagerSetAttitude) {
      if (!this.mayControlGimbal(f)) return;
      const q = m.q as Quat;
      if (!q.every(Number.isFinite)) return;
      const e = quatToEulerZyx(q);
      this.setGimbal(e.pitchRad, e.yawRad, m.flags, m.angularVelocityY, m.angularVelocityZ);
      return;
    }
    if (m instanceof common.GimbalManagerSetPitchyaw) {
      if (!this.mayControlGimbal(f)) return;
      const now = this.vehicle.latestTelemetry();
      const pitch = Number.isFinite(m.pitch) ? m.pitch : now?.gimbal.pitchRad ?? 0;
      const yaw = Number.isFinite(m.yaw) ? m.yaw : now?.gimbal.yawRad ?? 0;
      this.setGimbal(pitch, yaw, m.flags | GIMBAL_FLAGS.YAW_IN_VEHICLE_FRAME, m.pitchRate, m.yawRate);
      return;
    }
    if (m instanceof common.ParamExtSet) {
      if (targetComponent !== MAV_COMP_ID_CAMERA && targetComponent !== 0) return;
      this.onParamExtSet(m, f, peer);
      return;
    }
    if (m instanceof common.ParamExtRequestRead) {
      if (targetComponent !== MAV_COMP_ID_CAMERA && targetComponent !== 0) return;
      const t = this.vehicle.latestTelemetry();
      if (t && m.paramId === APERTURE_PARAM_ID) this.sendAperture(t, peer);
    }
  }

  private mayControlGimbal(f: MavlinkFrame): boolean {
    const p = this.gimbalPrimary;
    return p === null || (p.sysid === f.sysid && p.compid === f.compid);
  }

  private setGimbal(pitchRad: number, yawRad: number, flags: number, pitchRate: number, yawRate: number): void {
    const t = this.vehicle.latestTelemetry();
    const earthYaw = (flags & GIMBAL_FLAGS.YAW_IN_EARTH_FRAME) !== 0 || ((flags & GIMBAL_FLAGS.YAW_LOCK) !== 0 && (flags & GIMBAL_FLAGS.YAW_IN_VEHICLE_FRAME) === 0);
    const relYaw = earthYaw && t ? wrapAngleRad(yawRad - t.yawRad) : yawRad;
    this.vehicle.setGimbal({
      pitchRad,
      yawRad: relYaw,
      ...(Number.isFinite(pitchRate) ? { pitchRateRadps: pitchRate } : {}),
      ...(Number.isFinite(yawRate) ? { yawRateRadps: yawRate } : {}),
    });
  }

  private onSetpoint(m: common.SetPositionTargetLocalNed): void {
    const ignore = m.typeMask;
    const has = (bits: number) => (ignore & bits) === 0;
    const T = common.PositionTargetTypemask;
    const all = [m.x, m.y, m.z, m.vx, m.vy, m.vz, m.afx, m.afy, m.afz, m.yaw, m.yawRate];
    if (!all.every(Number.isFinite)) return; // NaN positions are PX4's "don't care", never an input here
    const sp: Setpoint = {
      timestampS: this.nowS,
      ...(has(T.X_IGNORE | T.Y_IGNORE | T.Z_IGNORE) ? { positionNedM: { x: m.x, y: m.y, z: m.z } } : {}),
      ...(has(T.VX_IGNORE | T.VY_IGNORE | T.VZ_IGNORE) ? { velocityNedMps: { x: m.vx, y: m.vy, z: m.vz } } : {}),
      ...(has(T.AX_IGNORE | T.AY_IGNORE | T.AZ_IGNORE) ? { accelerationNedMps2: { x: m.afx, y: m.afy, z: m.afz } } : {}),
      ...(has(T.YAW_IGNORE) ? { yawRad: m.yaw } : {}),
      ...(has(T.YAW_RATE_IGNORE) ? { yawRateRadps: m.yawRate } : {}),
    };
    this.vehicle.sendSetpoint(sp);
    this.lastSetpoint = sp;
    this.lastSetpointS = this.nowS;
    // ArduCopter follows position targets as soon as it is in GUIDED.
    if (this.autopilotKind === 'ardupilot' && this.guided) {
      const mode = this.vehicle.latestTelemetry()?.mode;
      if (mode === 'hold') void this.vehicle.startOffboard();
    }
  }

  // ───────────────────────── commands

  private async autopilotCommand(m: common.CommandLong, f: MavlinkFrame, peer: string): Promise<void> {
    const p = [m._param1, m._param2, m._param3, m._param4, m._param5, m._param6, m._param7];
    let result: number;
    switch (m.command) {
      case MAV_CMD.COMPONENT_ARM_DISARM:
        result = fromSim(p[0]! >= 0.5 ? await this.vehicle.arm() : await this.vehicle.disarm());
        break;
      case MAV_CMD.NAV_TAKEOFF:
        result = await this.takeoff(p[6]!);
        break;
      case MAV_CMD.NAV_LAND:
        this.guided = false;
        result = fromSim(await this.vehicle.land());
        break;
      case MAV_CMD.NAV_RETURN_TO_LAUNCH:
        this.guided = false;
        result = fromSim(await this.vehicle.returnHome());
        break;
      case MAV_CMD.DO_SET_MODE:
        result = await this.setMode(p[0]!, p[1]!, p[2]!);
        break;
      case MAV_CMD.SET_MESSAGE_INTERVAL:
        result = this.setMessageInterval(p[0]!, p[1]!);
        break;
      case MAV_CMD.DO_GIMBAL_MANAGER_CONFIGURE:
        result = this.configureGimbalManager(p[0]!, p[1]!, f);
        break;
      case MAV_CMD.DO_GIMBAL_MANAGER_PITCHYAW:
        if (!this.mayControlGimbal(f)) result = MAV_RESULT.DENIED;
        else {
          const now = this.vehicle.latestTelemetry();
          const pitch = Number.isFinite(p[0]) ? degToRad(p[0]!) : now?.gimbal.pitchRad ?? 0;
          const yaw = Number.isFinite(p[1]) ? degToRad(p[1]!) : now?.gimbal.yawRad ?? 0;
          this.setGimbal(pitch, yaw, p[4]! | GIMBAL_FLAGS.YAW_IN_VEHICLE_FRAME, NaN, NaN);
          result = MAV_RESULT.ACCEPTED;
        }
        break;
      default:
        result = MAV_RESULT.UNSUPPORTED;
    }
    this.ack(this.autopilotOut, m.command, result, f, peer);
  }

  private async takeoff(param7: number): Promise<number> {
    const t = this.vehicle.latestTelemetry();
    let altitudeM = DEFAULT_TAKEOFF_ALTITUDE_M;
    if (this.autopilotKind === 'ardupilot') {
      // ArduCopter: relative altitude, and only from GUIDED.
      if (!this.guided) return MAV_RESULT.DENIED;
      if (Number.isFinite(param7) && param7 > 0) altitudeM = param7;
    } else if (Number.isFinite(param7)) {
      // PX4: AMSL altitude.
      if (!t?.global) return MAV_RESULT.TEMPORARILY_REJECTED;
      const homeAmslM = t.global.altAmslM + t.positionNedM.z;
      altitudeM = param7 - homeAmslM;
      if (!(altitudeM > 0)) return MAV_RESULT.DENIED;
    }
    if (!(altitudeM <= MAX_TAKEOFF_ALTITUDE_M)) return MAV_RESULT.DENIED;
    return fromSim(await this.vehicle.takeoff(altitudeM));
  }

  private async setMode(baseMode: number, param2: number, param3: number): Promise<number> {
    if ((Math.round(baseMode) & MAV_MODE_FLAG_CUSTOM_MODE_ENABLED) === 0) return MAV_RESULT.UNSUPPORTED;
    const custom = wireModeFromCommand(this.autopilotKind, Math.round(param2), Math.round(param3));
    const mode = decodeMode(this.autopilotKind, custom);
    if (this.autopilotKind === 'ardupilot') {
      if (custom === COPTER.GUIDED) {
        this.guided = true;
        const t = this.vehicle.latestTelemetry();
        if (!t?.armed) return MAV_RESULT.ACCEPTED;
        const fresh = this.nowS - this.lastSetpointS <= 0.5;
        return fromSim(fresh ? await this.vehicle.startOffboard() : await this.vehicle.hold());
      }
      this.guided = false;
    }
    switch (mode) {
      case 'offboard': return fromSim(await this.vehicle.startOffboard());
      case 'hold': return fromSim(await this.vehicle.hold());
      case 'land': return fromSim(await this.vehicle.land());
      case 'return': return fromSim(await this.vehicle.returnHome());
      case 'takeoff': return fromSim(await this.vehicle.takeoff(DEFAULT_TAKEOFF_ALTITUDE_M));
      default: return MAV_RESULT.UNSUPPORTED;
    }
  }

  private setMessageInterval(msgidRaw: number, intervalUs: number): number {
    const msgid = Math.round(msgidRaw);
    const matches = this.streams.filter((s) => s.msgid === msgid);
    if (matches.length === 0) return MAV_RESULT.UNSUPPORTED;
    for (const s of matches) {
      if (intervalUs === -1) s.hz = 0;
      else if (intervalUs === 0) s.hz = DEFAULT_STREAM_HZ[s.name]!;
      else if (intervalUs > 0 && Number.isFinite(intervalUs)) s.hz = Math.min(1e6 / intervalUs, 200);
      else return MAV_RESULT.DENIED;
      s.nextS = this.nowS;
    }
    return MAV_RESULT.ACCEPTED;
  }

  private configureGimbalManager(sysidParam: number, compidParam: number, f: MavlinkFrame): number {
    const who = (v: number, self: number, current: number): number | null =>
      v === -1 ? current : v === -2 ? self : v === -3 ? (current === self ? 0 : current) : v >= 0 && v <= 255 ? Math.round(v) : null;
    const cur = this.gimbalPrimary ?? { sysid: 0, compid: 0 };
    const sysid = who(sysidParam, f.sysid, cur.sysid);
    const compid = who(compidParam, f.compid, cur.compid);
    if (sysid === null || compid === null) return MAV_RESULT.DENIED;
    this.gimbalPrimary = sysid === 0 ? null : { sysid, compid };
    return MAV_RESULT.ACCEPTED;
  }

  private cameraCommand(m: common.CommandLong, f: MavlinkFrame, peer: string, answerFrom: MavlinkEncoder): void {
    const p = [m._param1, m._param2, m._param3];
    let result: number = MAV_RESULT.UNSUPPORTED;
    switch (m.command) {
      case MAV_CMD.SET_CAMERA_ZOOM: {
        const type = Math.round(p[0]!);
        const mm = type === ZOOM_TYPE_FOCAL_LENGTH ? p[1]! : type === common.CameraZoomType.RANGE ? focalLengthFromZoomLevel(p[1]!, this.lens) : NaN;
        result = Number.isNaN(mm) && type !== ZOOM_TYPE_FOCAL_LENGTH ? MAV_RESULT.UNSUPPORTED : this.lensValue(mm, this.lens.focalLengthMm, (v) => this.vehicle.setLens({ focalLengthMm: v }));
        break;
      }
      case MAV_CMD.SET_CAMERA_FOCUS: {
        const type = Math.round(p[0]!);
        const m_ = type === FOCUS_TYPE_METERS ? p[1]! : type === common.SetFocusType.RANGE ? focusDistanceFromLevel(p[1]!, this.lens) : NaN;
        const range = { min: this.lens.focusDistanceM.min, max: this.lens.focusDistanceM.max ?? Infinity };
        result = Number.isNaN(m_) && type !== FOCUS_TYPE_METERS ? MAV_RESULT.UNSUPPORTED : this.lensValue(m_, range, (v) => this.vehicle.setLens({ focusDistanceM: v }));
        break;
      }
      case MAV_CMD.DO_DIGICAM_CONFIGURE:
        result = p[2]! > 0 ? this.lensValue(p[2]!, this.lens.fNumber, (v) => this.vehicle.setLens({ fNumber: v })) : MAV_RESULT.ACCEPTED;
        break;
    }
    this.ack(answerFrom, m.command, result, f, peer);
    // Camera protocol v2: a successful zoom/focus is answered with CAMERA_SETTINGS.
    if (result === MAV_RESULT.ACCEPTED && (m.command === MAV_CMD.SET_CAMERA_ZOOM || m.command === MAV_CMD.SET_CAMERA_FOCUS)) {
      const t = this.vehicle.latestTelemetry();
      if (t) this.sendCameraSettings(t, this.nowS, peer);
    }
  }

  private lensValue(v: number, range: { min: number; max: number }, apply: (v: number) => void): number {
    if (!Number.isFinite(v)) return MAV_RESULT.DENIED;
    const span = Number.isFinite(range.max) ? range.max - range.min : range.min;
    if (v < range.min - LENS_RANGE_SLACK * span || v > range.max + LENS_RANGE_SLACK * span) return MAV_RESULT.DENIED;
    apply(Math.min(Math.max(v, range.min), range.max));
    return MAV_RESULT.ACCEPTED;
  }

  private onParamExtSet(m: common.ParamExtSet, f: MavlinkFrame, peer: string): void {
    const ack = new common.ParamExtAck();
    ack.paramId = m.paramId;
    ack.paramType = m.paramType;
    ack.paramValue = paramExtReal32String(NaN);
    if (m.paramId !== APERTURE_PARAM_ID || m.paramType !== MAV_PARAM_EXT_TYPE_REAL32) {
      ack.paramResult = PARAM_ACK_VALUE_UNSUPPORTED;
    } else {
      const v = readParamExtReal32(f.payload, common.ParamExtSet);
      const r = v === null ? MAV_RESULT.DENIED : this.lensValue(v, this.lens.fNumber, (x) => this.vehicle.setLens({ fNumber: x }));
      ack.paramResult = r === MAV_RESULT.ACCEPTED ? PARAM_ACK_ACCEPTED : PARAM_ACK_VALUE_UNSUPPORTED;
      ack.paramValue = paramExtReal32String(v ?? NaN);
    }
    this.sendTo(peer, this.cameraOut, ack);
  }

  private ack(from: MavlinkEncoder, command: number, result: number, f: MavlinkFrame, peer: string): void {
    const a = new common.CommandAck();
    a.command = command;
    a.result = result;
    a.progress = 0;
    a.resultParam2 = 0;
    a.targetSystem = f.sysid;
    a.targetComponent = f.compid;
    this.sendTo(peer, from, a);
  }

  // ───────────────────────── output

  private sendTo(peer: string, enc: MavlinkEncoder, m: MavLinkData): void {
    this.counts.framesOut++;
    this.transport.sendTo(peer, enc.encode(m));
  }

  private broadcast(enc: MavlinkEncoder, m: MavLinkData): void {
    this.counts.framesOut++;
    this.transport.broadcast(enc.encode(m));
  }

  private wireMode(t: VehicleTelemetry): number {
    if (this.autopilotKind === 'ardupilot' && this.guided && (t.mode === 'hold' || t.mode === 'offboard' || t.mode === 'takeoff')) return COPTER.GUIDED;
    const mode: FlightMode = t.mode === 'unknown' ? 'hold' : t.mode;
    const w = wireModeFor(this.autopilotKind, mode);
    if (!w) return 0;
    return this.autopilotKind === 'px4' ? px4CustomMode(w.customMode, w.subMode) : w.customMode;
  }

  private sendHeartbeats(t: VehicleTelemetry): void {
    const hb = new minimal.Heartbeat();
    hb.type = MAV_TYPE_QUADROTOR;
    hb.autopilot = this.autopilotKind === 'px4' ? MAV_AUTOPILOT_PX4 : MAV_AUTOPILOT_ARDUPILOTMEGA;
    hb.baseMode = (MAV_MODE_FLAG_CUSTOM_MODE_ENABLED | (t.armed ? MAV_MODE_FLAG_SAFETY_ARMED : 0)) as minimal.MavModeFlag;
    hb.customMode = this.wireMode(t) >>> 0;
    hb.systemStatus = (t.armed ? minimal.MavState.ACTIVE : minimal.MavState.STANDBY);
    hb.mavlinkVersion = 3;
    this.broadcast(this.autopilotOut, hb);
    const cam = new minimal.Heartbeat();
    cam.type = MAV_TYPE_CAMERA;
    cam.autopilot = MAV_AUTOPILOT_INVALID;
    cam.baseMode = 0 as minimal.MavModeFlag;
    cam.systemStatus = minimal.MavState.ACTIVE;
    cam.mavlinkVersion = 3;
    this.broadcast(this.cameraOut, cam);
  }

  private sendLocalPosition(t: VehicleTelemetry, timeS: number): void {
    const m = new common.LocalPositionNed();
    m.timeBootMs = bootMs(timeS);
    m.x = t.positionNedM.x; m.y = t.positionNedM.y; m.z = t.positionNedM.z;
    m.vx = t.velocityNedMps.x; m.vy = t.velocityNedMps.y; m.vz = t.velocityNedMps.z;
    this.broadcast(this.autopilotOut, m);
  }

  private sendAttitude(t: VehicleTelemetry, timeS: number): void {
    const m = new common.Attitude();
    m.timeBootMs = bootMs(timeS);
    m.roll = t.rollRad; m.pitch = t.pitchRad; m.yaw = t.yawRad;
    m.rollspeed = 0; m.pitchspeed = 0; m.yawspeed = t.yawRateRadps;
    this.broadcast(this.autopilotOut, m);
  }

  private sendGlobalPosition(t: VehicleTelemetry, timeS: number): void {
    if (!t.global) return;
    const m = new common.GlobalPositionInt();
    m.timeBootMs = bootMs(timeS);
    m.lat = Math.round(t.global.latDeg * 1e7);
    m.lon = Math.round(t.global.lonDeg * 1e7);
    m.alt = Math.round(t.global.altAmslM * 1000);
    m.relativeAlt = Math.round(-t.positionNedM.z * 1000);
    m.vx = Math.round(t.velocityNedMps.x * 100);
    m.vy = Math.round(t.velocityNedMps.y * 100);
    m.vz = Math.round(t.velocityNedMps.z * 100);
    m.hdg = Math.round(((radToDeg(t.yawRad) + 360) % 360) * 100) % 36000;
    this.broadcast(this.autopilotOut, m);
  }

  private sendSysStatus(t: VehicleTelemetry): void {
    const m = new common.SysStatus();
    m.voltageBattery = t.batteryVoltageV !== null ? Math.round(t.batteryVoltageV * 1000) : 0xffff; // UINT16_MAX: unknown
    m.currentBattery = -1;
    m.batteryRemaining = t.batteryFraction === null ? -1 : Math.round(t.batteryFraction * 100);
    this.broadcast(this.autopilotOut, m);
  }

  private sendExtendedSysState(t: VehicleTelemetry): void {
    const m = new common.ExtendedSysState();
    m.landedState = t.inAir ? MAV_LANDED_STATE_IN_AIR : MAV_LANDED_STATE_ON_GROUND;
    this.broadcast(this.autopilotOut, m);
  }

  private sendGimbalManagerStatus(timeS: number): void {
    const m = new common.GimbalManagerStatus();
    m.timeBootMs = bootMs(timeS);
    m.flags = (GIMBAL_FLAGS.ROLL_LOCK | GIMBAL_FLAGS.PITCH_LOCK | GIMBAL_FLAGS.YAW_IN_VEHICLE_FRAME) as common.GimbalManagerFlags;
    m.gimbalDeviceId = MAV_COMP_ID_GIMBAL;
    m.primaryControlSysid = this.gimbalPrimary?.sysid ?? 0;
    m.primaryControlCompid = this.gimbalPrimary?.compid ?? 0;
    this.broadcast(this.autopilotOut, m);
  }

  private sendGimbalAttitude(t: VehicleTelemetry, timeS: number): void {
    const m = new common.GimbalDeviceAttitudeStatus();
    m.timeBootMs = bootMs(timeS);
    m.flags = (GIMBAL_FLAGS.ROLL_LOCK | GIMBAL_FLAGS.PITCH_LOCK | GIMBAL_FLAGS.YAW_IN_VEHICLE_FRAME) as unknown as common.GimbalDeviceFlags;
    m.q = eulerZyxToQuat(t.gimbal.yawRad, t.gimbal.pitchRad, t.gimbal.rollRad);
    m.angularVelocityX = NaN; m.angularVelocityY = NaN; m.angularVelocityZ = NaN;
    m.failureFlags = 0 as common.GimbalDeviceErrorFlags;
    m.deltaYaw = t.gimbal.yawRad;
    m.deltaYawVelocity = NaN;
    m.gimbalDeviceId = 0;
    this.broadcast(this.gimbalOut, m);
  }

  private sendCameraSettings(t: VehicleTelemetry, timeS: number, peer?: string): void {
    const m = new common.CameraSettings();
    m.timeBootMs = bootMs(timeS);
    m.modeId = common.CameraMode.VIDEO;
    m.zoomLevel = zoomLevelPercent(t.lens.focalLengthMm, this.lens);
    m.focusLevel = focusLevelPercent(t.lens.focusDistanceM, this.lens);
    if (peer) this.sendTo(peer, this.cameraOut, m);
    else this.broadcast(this.cameraOut, m);
  }

  private sendAperture(t: VehicleTelemetry, peer?: string): void {
    const m = new common.ParamExtValue();
    m.paramId = APERTURE_PARAM_ID;
    m.paramValue = paramExtReal32String(t.lens.fNumber);
    m.paramType = MAV_PARAM_EXT_TYPE_REAL32;
    m.paramCount = 1;
    m.paramIndex = 0;
    if (peer) this.sendTo(peer, this.cameraOut, m);
    else this.broadcast(this.cameraOut, m);
  }
}

const bootMs = (timeS: number): number => Math.round(timeS * 1000) >>> 0;

/** The sim's CommandResult → MAV_RESULT, as an autopilot would answer. */
function fromSim(r: CommandResult): number {
  if (r.ok) return MAV_RESULT.ACCEPTED;
  if (r.code === 'NOT_CONNECTED') return MAV_RESULT.TEMPORARILY_REJECTED;
  return MAV_RESULT.DENIED;
}
