/**
 * VehicleLink over MAVLink 2 for PX4 and ArduPilot (DESIGN.md §8).
 *
 * What goes out: HEARTBEAT at 1 Hz (as a GCS or an onboard computer),
 * COMMAND_LONG with COMMAND_ACK matching, retries and timeouts,
 * SET_POSITION_TARGET_LOCAL_NED for offboard/GUIDED, gimbal manager v2
 * (DO_GIMBAL_MANAGER_CONFIGURE once, then GIMBAL_MANAGER_SET_ATTITUDE), camera
 * protocol v2 (SET_CAMERA_ZOOM focal length, SET_CAMERA_FOCUS metres) and the
 * aperture as the camera parameter CAM_APERTURE (PARAM_EXT_SET) or
 * DO_DIGICAM_CONFIGURE.
 *
 * What comes in: HEARTBEAT (armed, mode), LOCAL_POSITION_NED, ATTITUDE,
 * GLOBAL_POSITION_INT, EXTENDED_SYS_STATE, SYS_STATUS,
 * GIMBAL_DEVICE_ATTITUDE_STATUS, CAMERA_SETTINGS and PARAM_EXT_VALUE/ACK.
 * Anything malformed, foreign (another system) or addressed to someone else
 * is counted in health().messagesDropped and ignored.
 */
import { common, minimal, type MavLinkData } from 'node-mavlink';
import { CinePilotError } from '../../../core/errors.ts';
import { eulerZyxToQuat, quatToEulerZyx, type Quat } from '../../../core/frames.ts';
import { monotonicS, wrapAngleRad } from '../../../core/units.ts';
import { initialTelemetry, TelemetryHub } from '../telemetry-hub.ts';
import type {
  CommandResult, FlightMode, GimbalCommand, LensCommand, LinkHealth, Setpoint, Unsubscribe, VehicleLink, VehicleTelemetry,
} from '../../../core/vehicle-link.ts';
import { type MavlinkEndpoint, formatMavlinkEndpoint } from '../url.ts';
import { MavlinkDecoder, MavlinkEncoder, type MavlinkFrame, paramExtReal32String, readParamExtReal32, rejectedCount } from './codec.ts';
import { type LensRanges, focalLengthFromZoomLevel, focusDistanceFromLevel, focusLevelPercent, zoomLevelPercent } from './lens-levels.ts';
import {
  type Autopilot, decodeMode, wireModeFor, MAV_AUTOPILOT_ARDUPILOTMEGA, MAV_AUTOPILOT_INVALID, MAV_AUTOPILOT_PX4,
  MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, MAV_MODE_FLAG_SAFETY_ARMED,
} from './modes.ts';
import { type ClientTransport, createClientTransport } from './transport.ts';
import {
  MAV_CMD, MAV_COMP_ID_CAMERA, MAV_FRAME_LOCAL_NED, MAV_LANDED_STATE_IN_AIR, MAV_LANDED_STATE_LANDING, MAV_LANDED_STATE_TAKEOFF,
  MAV_RESULT, MAV_TYPE_GCS, MAV_TYPE_ONBOARD_CONTROLLER, APERTURE_PARAM_ID, TYPE_MASK, GIMBAL_FLAGS, MSG, ZOOM_TYPE_FOCAL_LENGTH, ZOOM_TYPE_RANGE, FOCUS_TYPE_METERS, FOCUS_TYPE_RANGE,
  mavResultName, MAV_PARAM_EXT_TYPE_REAL32,
} from './protocol.ts';

export interface MavlinkLinkSettings {
  endpoint: MavlinkEndpoint;
  /** firmware; null = learn it from the vehicle's HEARTBEAT */
  autopilot: Autopilot | null;
  systemId: number;
  componentId: number;
  /** how we announce ourselves in HEARTBEAT */
  role: 'gcs' | 'onboard';
  /** vehicle system id; null = the first autopilot heard */
  targetSystemId: number | null;
  targetComponentId: number;
  /**
   * who takes camera commands: null = per firmware (PX4: the MAVLink camera, 100;
   * ArduPilot: the autopilot, 1, whose AP_Camera drives or forwards to the camera)
   */
  cameraComponentId: number | null;
  /**
   * zoom/focus in absolute units (ZOOM_TYPE_FOCAL_LENGTH mm, FOCUS_TYPE_METERS) or as a
   * percentage of the lens range (ZOOM_TYPE_RANGE, FOCUS_TYPE_RANGE, which is all
   * ArduPilot's AP_Camera takes); null = per firmware (PX4 absolute, ArduPilot range)
   */
  cameraUnits: 'absolute' | 'range' | null;
  /** gimbal device addressed through the gimbal manager; 0 = all */
  gimbalDeviceId: number;
  /** GIMBAL_MANAGER_SET_ATTITUDE (quaternion) or GIMBAL_MANAGER_SET_PITCHYAW (angles), for managers that take only one */
  gimbalMessage: 'attitude' | 'pitchyaw';
  heartbeatIntervalS: number;
  /** no vehicle HEARTBEAT for this long → health().connected false */
  heartbeatTimeoutS: number;
  connectTimeoutS: number;
  /** wait for COMMAND_ACK per attempt */
  commandTimeoutS: number;
  commandAttempts: number;
  /** lens and aperture commands are rate-limited to this interval, latest value wins */
  lensCommandIntervalS: number;
  /** null = per firmware (PX4: the camera parameter CAM_APERTURE; ArduPilot: DO_DIGICAM_CONFIGURE) */
  apertureVia: 'param-ext' | 'digicam' | null;
  /** startOffboard() needs a setpoint sent within this age (PX4 rule) */
  offboardStreamMaxAgeS: number;
  /** ask the vehicle for these telemetry rates on connect (SET_MESSAGE_INTERVAL) */
  requestStreams: boolean;
  lens: LensRanges;
}

export const DEFAULT_GCS_SYSTEM_ID = 245;
export const DEFAULT_GCS_COMPONENT_ID = 190;
export const DEFAULT_HEARTBEAT_INTERVAL_S = 1;
export const DEFAULT_HEARTBEAT_TIMEOUT_S = 3;
export const DEFAULT_CONNECT_TIMEOUT_S = 10;
export const DEFAULT_COMMAND_TIMEOUT_S = 0.5;
export const DEFAULT_COMMAND_ATTEMPTS = 3;
export const DEFAULT_LENS_COMMAND_INTERVAL_S = 0.1;
export const DEFAULT_OFFBOARD_STREAM_MAX_AGE_S = 0.5;
/** IN_PROGRESS acks extend the wait up to this many attempt timeouts */
const MAX_IN_PROGRESS_EXTENSIONS = 20;
const SERVICE_INTERVAL_S = 0.05;
const GIMBAL_RECONFIGURE_INTERVAL_S = 2;
/** telemetry rates requested on connect, Hz */
export const REQUESTED_STREAM_HZ: Array<[number, number]> = [
  [MSG.LOCAL_POSITION_NED, 50], [MSG.ATTITUDE, 50], [MSG.GLOBAL_POSITION_INT, 10], [MSG.GIMBAL_DEVICE_ATTITUDE_STATUS, 20],
  [MSG.SYS_STATUS, 2], [MSG.EXTENDED_SYS_STATE, 5],
];

export function mavlinkLinkSettings(endpoint: MavlinkEndpoint, lens: LensRanges, overrides: Partial<MavlinkLinkSettings> = {}): MavlinkLinkSettings {
  const s: MavlinkLinkSettings = {
    endpoint,
    autopilot: null,
    systemId: DEFAULT_GCS_SYSTEM_ID,
    componentId: DEFAULT_GCS_COMPONENT_ID,
    role: 'gcs',
    targetSystemId: null,
    targetComponentId: 1,
    cameraComponentId: null,
    cameraUnits: null,
    gimbalDeviceId: 0,
    gimbalMessage: 'attitude',
    heartbeatIntervalS: DEFAULT_HEARTBEAT_INTERVAL_S,
    heartbeatTimeoutS: DEFAULT_HEARTBEAT_TIMEOUT_S,
    connectTimeoutS: DEFAULT_CONNECT_TIMEOUT_S,
    commandTimeoutS: DEFAULT_COMMAND_TIMEOUT_S,
    commandAttempts: DEFAULT_COMMAND_ATTEMPTS,
    lensCommandIntervalS: DEFAULT_LENS_COMMAND_INTERVAL_S,
    apertureVia: null,
    offboardStreamMaxAgeS: DEFAULT_OFFBOARD_STREAM_MAX_AGE_S,
    requestStreams: true,
    lens,
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  };
  const problems: string[] = [];
  const id = (name: string, v: number | null, lo = 1) => {
    if (v !== null && (!Number.isInteger(v) || v < lo || v > 255)) problems.push(`${name} ${v} must be an integer ${lo}…255`);
  };
  id('systemId', s.systemId);
  id('componentId', s.componentId);
  id('targetSystemId', s.targetSystemId);
  id('targetComponentId', s.targetComponentId);
  id('cameraComponentId', s.cameraComponentId);
  if (s.cameraUnits !== null && s.cameraUnits !== 'absolute' && s.cameraUnits !== 'range') problems.push(`cameraUnits ${String(s.cameraUnits)} must be absolute or range`);
  if (s.apertureVia !== null && s.apertureVia !== 'param-ext' && s.apertureVia !== 'digicam') problems.push(`apertureVia ${String(s.apertureVia)} must be param-ext or digicam`);
  id('gimbalDeviceId', s.gimbalDeviceId, 0);
  for (const k of ['heartbeatIntervalS', 'heartbeatTimeoutS', 'connectTimeoutS', 'commandTimeoutS', 'lensCommandIntervalS', 'offboardStreamMaxAgeS'] as const) {
    if (!(s[k] > 0) || !Number.isFinite(s[k])) problems.push(`${k} ${s[k]} must be a positive number of seconds`);
  }
  if (!Number.isInteger(s.commandAttempts) || s.commandAttempts < 1 || s.commandAttempts > 10) problems.push(`commandAttempts ${s.commandAttempts} must be 1…10`);
  if (problems.length) throw new CinePilotError('LINK_SETTINGS_INVALID', `MAVLink link settings: ${problems.join('; ')}.`);
  return s;
}

interface PendingCommand {
  command: number;
  resolve: (ack: { result: number } | null) => void;
  /** an IN_PROGRESS ack arrived: keep waiting */
  extend: () => void;
}

type CommandParams = [number, number, number, number, number, number, number];
const NO_PARAMS: CommandParams = [0, 0, 0, 0, 0, 0, 0];

export class MavlinkVehicleLink implements VehicleLink {
  readonly kind = 'mavlink';
  readonly endpoint: string;
  readonly settings: MavlinkLinkSettings;

  private readonly transport: ClientTransport;
  private readonly decoder: MavlinkDecoder;
  private readonly encoder: MavlinkEncoder;
  private readonly hub = new TelemetryHub();
  private timers: NodeJS.Timeout[] = [];
  private readonly startS = monotonicS();
  private open = false;

  // vehicle identity and liveness
  private vehicleSystemId: number | null;
  private autopilot: Autopilot | null;
  private lastHeartbeatS = -Infinity;
  private lastMessageS = -Infinity;
  private received = 0;
  private foreign = 0;
  private latencyMs: number | null = null;
  private heartbeatWaiters: Array<() => void> = [];

  // assembled vehicle state
  private readonly state: VehicleTelemetry;
  private bootOffsetS: number | null = null;
  private lastBootS = 0;
  private homeAmslM: number | null = null;
  private landedKnown = false;

  // commands
  private readonly pending = new Map<number, PendingCommand>();
  private readonly chains = new Map<number, Promise<unknown>>();

  // offboard, gimbal, lens
  private lastSetpointS = -Infinity;
  private gimbalControl: 'none' | 'configuring' | 'in-control' = 'none';
  private lastGimbalConfigureS = -Infinity;
  private readonly lensWanted: { focalLengthMm: number; focusDistanceM: number; fNumber: number } = { focalLengthMm: NaN, focusDistanceM: NaN, fNumber: NaN };
  private readonly lensSent = { focalLengthMm: NaN, focusDistanceM: NaN, fNumber: NaN };
  private readonly lensSentS = { focalLengthMm: -Infinity, focusDistanceM: -Infinity, fNumber: -Infinity };
  private readonly lensInFlight = { focalLengthMm: false, focusDistanceM: false, fNumber: false };
  /** the last failure of a fire-and-forget command (lens, gimbal, stream rates), for operators */
  lastBackgroundError: { code: string; message: string } | null = null;

  constructor(settings: MavlinkLinkSettings, transport?: ClientTransport) {
    this.settings = settings;
    this.endpoint = formatMavlinkEndpoint(settings.endpoint);
    this.transport = transport ?? createClientTransport(settings.endpoint);
    this.decoder = new MavlinkDecoder(this.transport.framing);
    this.encoder = new MavlinkEncoder(settings.systemId, settings.componentId);
    this.vehicleSystemId = settings.targetSystemId;
    this.autopilot = settings.autopilot;
    this.state = initialTelemetry(settings.lens, settings.targetSystemId ?? 0);
  }

  // ───────────────────────── lifecycle

  async connect(): Promise<void> {
    if (this.open) return;
    this.transport.onData = (chunk, from) => this.ingest(chunk, from);
    this.transport.onClose = () => { this.lastHeartbeatS = -Infinity; };
    await this.transport.open();
    this.open = true;
    this.sendHeartbeat();
    this.every(this.settings.heartbeatIntervalS, () => this.sendHeartbeat());
    this.every(SERVICE_INTERVAL_S, () => this.service());
    const heard = await this.waitForHeartbeat(this.settings.connectTimeoutS);
    if (!heard) {
      await this.close();
      throw new CinePilotError(
        'LINK_NO_HEARTBEAT',
        `${this.endpoint}: no autopilot HEARTBEAT within ${this.settings.connectTimeoutS} s. Check the URL, that the autopilot (or \`cinepilot sim --mavlink …\`) is running, and that its MAVLink output reaches this address.`,
      );
    }
    if (this.settings.requestStreams) this.requestStreams();
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const p of this.pending.values()) p.resolve(null);
    this.pending.clear();
    if (this.open) {
      this.open = false;
      await this.transport.close();
    }
  }

  private every(intervalS: number, fn: () => void): void {
    const t = setInterval(fn, intervalS * 1000);
    t.unref();
    this.timers.push(t);
  }

  private waitForHeartbeat(timeoutS: number): Promise<boolean> {
    if (this.isConnected()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.heartbeatWaiters = this.heartbeatWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutS * 1000);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.heartbeatWaiters.push(done);
    });
  }

  // ───────────────────────── telemetry

  onTelemetry(listener: (t: VehicleTelemetry) => void): Unsubscribe {
    return this.hub.subscribe(listener);
  }

  latestTelemetry(): VehicleTelemetry | null {
    return this.hub.latestTelemetry();
  }

  health(): LinkHealth {
    return {
      connected: this.isConnected(),
      lastMessageAgeS: Number.isFinite(this.lastMessageS) ? monotonicS() - this.lastMessageS : Infinity,
      messagesReceived: this.received,
      messagesDropped: rejectedCount(this.decoder.stats) + this.foreign,
      latencyMs: this.latencyMs,
    };
  }

  /** The local UDP port (null for TCP and serial): where a listening vehicle must send. */
  localPort(): number | null {
    return this.transport.localPort();
  }

  /** The firmware in use (learned from HEARTBEAT unless set). */
  firmware(): Autopilot | null {
    return this.autopilot;
  }

  private isConnected(): boolean {
    return this.open && monotonicS() - this.lastHeartbeatS <= this.settings.heartbeatTimeoutS;
  }

  // ───────────────────────── actions

  arm(): Promise<CommandResult> {
    return this.command('arm', MAV_CMD.COMPONENT_ARM_DISARM, [1, 0, 0, 0, 0, 0, 0]);
  }

  disarm(): Promise<CommandResult> {
    return this.command('disarm', MAV_CMD.COMPONENT_ARM_DISARM, [0, 0, 0, 0, 0, 0, 0]);
  }

  async takeoff(altitudeM: number): Promise<CommandResult> {
    if (!(altitudeM > 0) || !Number.isFinite(altitudeM)) {
      return { ok: false, code: 'BAD_ARGUMENT', message: `takeoff altitude ${altitudeM} m must be a positive number of metres above home` };
    }
    const ap = this.autopilot ?? 'px4';
    if (ap === 'ardupilot') {
      // ArduCopter takes off from GUIDED with a relative altitude.
      const guided = await this.setMode('offboard');
      if (!guided.ok) return guided;
      return this.command('takeoff', MAV_CMD.NAV_TAKEOFF, [0, 0, 0, NaN, NaN, NaN, altitudeM]);
    }
    // PX4 wants the target altitude above mean sea level.
    if (this.homeAmslM === null) {
      return { ok: false, code: 'NO_GLOBAL_POSITION', message: 'takeoff: PX4 needs GLOBAL_POSITION_INT to turn the altitude above home into AMSL; wait for a position fix' };
    }
    return this.command('takeoff', MAV_CMD.NAV_TAKEOFF, [0, 0, 0, NaN, NaN, NaN, this.homeAmslM + altitudeM]);
  }

  land(): Promise<CommandResult> {
    return this.setMode('land');
  }

  hold(): Promise<CommandResult> {
    return this.setMode('hold');
  }

  returnHome(): Promise<CommandResult> {
    return this.setMode('return');
  }

  async startOffboard(): Promise<CommandResult> {
    const ageS = monotonicS() - this.lastSetpointS;
    if (!(ageS <= this.settings.offboardStreamMaxAgeS)) {
      return {
        ok: false,
        code: 'OFFBOARD_NO_SETPOINT_STREAM',
        message: `startOffboard: no setpoint sent in the last ${this.settings.offboardStreamMaxAgeS} s; stream sendSetpoint() at ≥ 10 Hz first (the autopilot refuses offboard/GUIDED control without a live stream)`,
      };
    }
    return this.setMode('offboard');
  }

  stopOffboard(): Promise<CommandResult> {
    return this.setMode('hold');
  }

  private setMode(mode: FlightMode): Promise<CommandResult> {
    const ap = this.autopilot ?? 'px4';
    const wire = wireModeFor(ap, mode);
    if (!wire) return Promise.resolve({ ok: false, code: 'MODE_UNSUPPORTED', message: `${ap} has no "${mode}" mode` });
    return this.command(`set mode ${mode}`, MAV_CMD.DO_SET_MODE, [MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, wire.customMode, wire.subMode, 0, 0, 0, 0]);
  }

  // ───────────────────────── offboard

  sendSetpoint(sp: Setpoint): void {
    const m = new common.SetPositionTargetLocalNed();
    m.timeBootMs = this.bootMs();
    m.targetSystem = this.vehicleSystemId ?? 0;
    m.targetComponent = this.settings.targetComponentId;
    m.coordinateFrame = MAV_FRAME_LOCAL_NED;
    m.typeMask = setpointTypeMask(sp);
    const p = sp.positionNedM, v = sp.velocityNedMps, a = sp.accelerationNedMps2;
    m.x = p ? p.x : 0; m.y = p ? p.y : 0; m.z = p ? p.z : 0;
    m.vx = v ? v.x : 0; m.vy = v ? v.y : 0; m.vz = v ? v.z : 0;
    m.afx = a ? a.x : 0; m.afy = a ? a.y : 0; m.afz = a ? a.z : 0;
    m.yaw = sp.yawRad ?? 0;
    m.yawRate = sp.yawRateRadps ?? 0;
    this.send(m);
    this.lastSetpointS = monotonicS();
  }

  // ───────────────────────── gimbal and camera

  setGimbal(cmd: GimbalCommand): void {
    if (this.gimbalControl === 'none' && monotonicS() - this.lastGimbalConfigureS > GIMBAL_RECONFIGURE_INTERVAL_S) this.takeGimbalControl();
    // Stabilised pitch and roll; yaw follows the vehicle heading (vehicle frame).
    const flags = GIMBAL_FLAGS.ROLL_LOCK | GIMBAL_FLAGS.PITCH_LOCK | GIMBAL_FLAGS.YAW_IN_VEHICLE_FRAME;
    if (this.settings.gimbalMessage === 'pitchyaw') {
      const m = new common.GimbalManagerSetPitchyaw();
      m.targetSystem = this.vehicleSystemId ?? 0;
      m.targetComponent = this.settings.targetComponentId;
      m.flags = flags;
      m.gimbalDeviceId = this.settings.gimbalDeviceId;
      m.pitch = cmd.pitchRad;
      m.yaw = cmd.yawRad;
      m.pitchRate = cmd.pitchRateRadps ?? NaN;
      m.yawRate = cmd.yawRateRadps ?? NaN;
      this.send(m);
      return;
    }
    const m = new common.GimbalManagerSetAttitude();
    m.targetSystem = this.vehicleSystemId ?? 0;
    m.targetComponent = this.settings.targetComponentId;
    m.flags = flags;
    m.gimbalDeviceId = this.settings.gimbalDeviceId;
    m.q = eulerZyxToQuat(cmd.yawRad, cmd.pitchRad, 0);
    m.angularVelocityX = NaN;
    m.angularVelocityY = cmd.pitchRateRadps ?? NaN;
    m.angularVelocityZ = cmd.yawRateRadps ?? NaN;
    this.send(m);
  }

  private takeGimbalControl(): void {
    this.gimbalControl = 'configuring';
    this.lastGimbalConfigureS = monotonicS();
    // -2: "set myself" as primary control; -1: leave the secondary unchanged.
    void this.command('gimbal manager configure', MAV_CMD.DO_GIMBAL_MANAGER_CONFIGURE, [-2, -2, -1, -1, 0, 0, this.settings.gimbalDeviceId]).then((r) => {
      this.gimbalControl = r.ok ? 'in-control' : 'none';
      if (!r.ok) this.lastBackgroundError = r;
    });
  }

  setLens(cmd: LensCommand): void {
    if (cmd.focalLengthMm !== undefined && Number.isFinite(cmd.focalLengthMm)) this.lensWanted.focalLengthMm = cmd.focalLengthMm;
    if (cmd.focusDistanceM !== undefined && cmd.focusDistanceM > 0) this.lensWanted.focusDistanceM = cmd.focusDistanceM;
    if (cmd.fNumber !== undefined && Number.isFinite(cmd.fNumber)) this.lensWanted.fNumber = cmd.fNumber;
    this.flushLens();
  }

  /** Send each lens axis whose wanted value changed, no faster than lensCommandIntervalS. */
  private flushLens(): void {
    if (!this.open) return;
    const now = monotonicS();
    for (const axis of ['focalLengthMm', 'focusDistanceM', 'fNumber'] as const) {
      const want = this.lensWanted[axis];
      if (Number.isNaN(want) || want === this.lensSent[axis] || this.lensInFlight[axis]) continue;
      if (now - this.lensSentS[axis] < this.settings.lensCommandIntervalS) continue;
      this.lensSent[axis] = want;
      this.lensSentS[axis] = now;
      this.lensInFlight[axis] = true;
      this.sendLensAxis(axis, want).then((r) => {
        this.lensInFlight[axis] = false;
        if (!r.ok) {
          this.lastBackgroundError = r;
          this.lensSent[axis] = NaN; // try again on the next flush
        }
      });
    }
  }

  private sendLensAxis(axis: 'focalLengthMm' | 'focusDistanceM' | 'fNumber', value: number): Promise<CommandResult> {
    const ardupilot = this.autopilot === 'ardupilot';
    const cam = this.settings.cameraComponentId ?? (ardupilot ? this.settings.targetComponentId : MAV_COMP_ID_CAMERA);
    const range = (this.settings.cameraUnits ?? (ardupilot ? 'range' : 'absolute')) === 'range';
    const lens = this.settings.lens;
    if (axis === 'focalLengthMm') {
      const p = range ? [ZOOM_TYPE_RANGE, zoomLevelPercent(value, lens)] : [ZOOM_TYPE_FOCAL_LENGTH, value];
      return this.command('camera zoom', MAV_CMD.SET_CAMERA_ZOOM, [p[0]!, p[1]!, 0, 0, 0, 0, 0], cam, 1);
    }
    if (axis === 'focusDistanceM') {
      const p = range ? [FOCUS_TYPE_RANGE, focusLevelPercent(value, lens)] : [FOCUS_TYPE_METERS, value];
      return this.command('camera focus', MAV_CMD.SET_CAMERA_FOCUS, [p[0]!, p[1]!, 0, 0, 0, 0, 0], cam, 1);
    }
    if ((this.settings.apertureVia ?? (ardupilot ? 'digicam' : 'param-ext')) === 'digicam') {
      return this.command('camera aperture', MAV_CMD.DO_DIGICAM_CONFIGURE, [0, 0, value, 0, 0, 0, 0], cam, 1);
    }
    const m = new common.ParamExtSet();
    m.targetSystem = this.vehicleSystemId ?? 0;
    m.targetComponent = cam;
    m.paramId = APERTURE_PARAM_ID;
    m.paramValue = paramExtReal32String(value);
    m.paramType = MAV_PARAM_EXT_TYPE_REAL32;
    this.send(m);
    // PARAM_EXT_ACK confirms; the camera's PARAM_EXT_VALUE stream reports the iris as it moves.
    return Promise.resolve({ ok: true });
  }

  // ───────────────────────── commands

  /**
   * COMMAND_LONG with ACK: up to `attempts` sends (confirmation 0, 1, …),
   * each waiting commandTimeoutS; IN_PROGRESS acks extend the wait. Commands
   * with the same id queue behind each other, because an ACK names only the
   * command, not the request.
   */
  private command(label: string, command: number, params: CommandParams = NO_PARAMS, targetComponent = this.settings.targetComponentId, attempts = this.settings.commandAttempts): Promise<CommandResult> {
    const prev = this.chains.get(command) ?? Promise.resolve();
    const run = prev.then(() => this.runCommand(label, command, params, targetComponent, attempts));
    const settled = run.catch(() => undefined);
    this.chains.set(command, settled);
    void settled.then(() => {
      if (this.chains.get(command) === settled) this.chains.delete(command);
    });
    return run;
  }

  private async runCommand(label: string, command: number, params: CommandParams, targetComponent: number, attempts: number): Promise<CommandResult> {
    if (!this.open) return { ok: false, code: 'LINK_CLOSED', message: `${label}: the link is closed; connect() first` };
    if (!this.isConnected()) {
      return { ok: false, code: 'NOT_CONNECTED', message: `${label}: no HEARTBEAT from the vehicle in the last ${this.settings.heartbeatTimeoutS} s on ${this.endpoint}` };
    }
    for (let attempt = 0; attempt < attempts; attempt++) {
      const m = new common.CommandLong();
      m.targetSystem = this.vehicleSystemId ?? 0;
      m.targetComponent = targetComponent;
      m.command = command;
      m.confirmation = attempt;
      [m._param1, m._param2, m._param3, m._param4, m._param5, m._param6, m._param7] = params;
      const sentS = monotonicS();
      this.send(m);
      const ack = await this.awaitAck(command);
      if (!ack) continue;
      if (attempt === 0) {
        const rttMs = (monotonicS() - sentS) * 1000;
        this.latencyMs = this.latencyMs === null ? rttMs : 0.8 * this.latencyMs + 0.2 * rttMs;
      }
      if (ack.result === MAV_RESULT.ACCEPTED) return { ok: true };
      const name = mavResultName(ack.result);
      return { ok: false, code: `COMMAND_${name}`, message: `${label}: the vehicle answered ${name} (MAV_RESULT ${ack.result})${RESULT_HINTS[ack.result] ?? ''}` };
    }
    return {
      ok: false,
      code: 'COMMAND_TIMEOUT',
      message: `${label}: no COMMAND_ACK from system ${this.vehicleSystemId ?? '?'} component ${targetComponent} after ${attempts} attempt(s) of ${this.settings.commandTimeoutS} s; the link may be lossy or the component absent`,
    };
  }

  private awaitAck(command: number): Promise<{ result: number } | null> {
    return new Promise((resolve) => {
      let extensions = 0;
      let timer = setTimeout(() => finish(null), this.settings.commandTimeoutS * 1000);
      const finish = (ack: { result: number } | null) => {
        clearTimeout(timer);
        if (this.pending.get(command) === entry) this.pending.delete(command);
        resolve(ack);
      };
      const entry: PendingCommand = {
        command,
        resolve: finish,
        extend: () => {
          if (++extensions > MAX_IN_PROGRESS_EXTENSIONS) return;
          clearTimeout(timer);
          timer = setTimeout(() => finish(null), this.settings.commandTimeoutS * 1000);
        },
      };
      this.pending.set(command, entry);
    });
  }

  private requestStreams(): void {
    for (const [msgid, hz] of REQUESTED_STREAM_HZ) {
      void this.command('set message interval', MAV_CMD.SET_MESSAGE_INTERVAL, [msgid, 1e6 / hz, 0, 0, 0, 0, 0], this.settings.targetComponentId, 1).then((r) => {
        // Not every firmware honours every rate; the defaults stream anyway.
        if (!r.ok) this.lastBackgroundError = r;
      });
    }
  }

  // ───────────────────────── wire

  private send(m: MavLinkData): void {
    if (!this.open) return;
    this.transport.send(this.encoder.encode(m));
  }

  private sendHeartbeat(): void {
    const hb = new minimal.Heartbeat();
    hb.type = this.settings.role === 'gcs' ? MAV_TYPE_GCS : MAV_TYPE_ONBOARD_CONTROLLER;
    hb.autopilot = MAV_AUTOPILOT_INVALID;
    hb.baseMode = 0 as minimal.MavModeFlag;
    hb.customMode = 0;
    hb.systemStatus = 4; // MAV_STATE_ACTIVE
    hb.mavlinkVersion = 3;
    this.send(hb);
  }

  private service(): void {
    this.flushLens();
  }

  private bootMs(): number {
    return Math.round((monotonicS() - this.startS) * 1000) >>> 0;
  }

  /** Parse bytes from the transport; exposed for the fuzz test through ingest(). */
  ingest(chunk: Buffer, from: string): void {
    try {
      this.decoder.push(chunk, (f) => this.onFrame(f, from));
    } catch {
      // The decoder guards every read; this is the last line against a bug, never a crash.
      this.foreign++;
    }
  }

  private onFrame(f: MavlinkFrame, from: string): void {
    const msg = f.message as unknown as Record<string, unknown>;
    // Addressed to someone else?
    const target = msg.targetSystem;
    if (typeof target === 'number' && target !== 0 && target !== this.settings.systemId) {
      this.foreign++;
      return;
    }
    if (this.vehicleSystemId === null) {
      // Until an autopilot HEARTBEAT names the vehicle, nothing can be attributed:
      // ignore, but do not call it foreign (a serial buffer replays a burst on open).
      if (!(f.message instanceof minimal.Heartbeat) || f.message.autopilot === MAV_AUTOPILOT_INVALID) return;
      this.vehicleSystemId = f.sysid;
      this.state.vehicleId = f.sysid;
    } else if (f.sysid !== this.vehicleSystemId) {
      this.foreign++;
      return;
    }
    const nowS = monotonicS();
    this.received++;
    this.lastMessageS = nowS;
    try {
      this.dispatch(f, from, nowS);
    } catch {
      // A message whose fields make no sense (decoded garbage that passed the CRC) is dropped.
      this.received--;
      this.foreign++;
    }
  }

  private dispatch(f: MavlinkFrame, from: string, nowS: number): void {
    const m = f.message;
    const t = this.state;
    if (m instanceof minimal.Heartbeat) {
      if (m.autopilot === MAV_AUTOPILOT_INVALID) return; // camera, gimbal, other GCS
      if (f.compid !== this.settings.targetComponentId) return;
      if (this.autopilot === null) this.autopilot = m.autopilot === MAV_AUTOPILOT_ARDUPILOTMEGA ? 'ardupilot' : m.autopilot === MAV_AUTOPILOT_PX4 ? 'px4' : 'px4';
      if (!this.transport.hasPeer() || this.settings.endpoint.transport === 'udp-listen') this.transport.setPeer(from);
      t.armed = (m.baseMode & MAV_MODE_FLAG_SAFETY_ARMED) !== 0;
      t.mode = (m.baseMode & MAV_MODE_FLAG_CUSTOM_MODE_ENABLED) !== 0 ? decodeMode(this.autopilot, m.customMode >>> 0) : 'unknown';
      if (!this.landedKnown) t.inAir = t.armed && -t.positionNedM.z > 0.3;
      this.lastHeartbeatS = nowS;
      const waiters = this.heartbeatWaiters;
      this.heartbeatWaiters = [];
      for (const w of waiters) w();
      return;
    }
    if (m instanceof common.CommandAck) {
      const p = this.pending.get(m.command);
      if (!p) return;
      if (m.result === MAV_RESULT.IN_PROGRESS) p.extend();
      else p.resolve({ result: m.result });
      return;
    }
    if (m instanceof common.LocalPositionNed) {
      requireFinite(m.x, m.y, m.z, m.vx, m.vy, m.vz);
      t.timestampS = this.vehicleTimeS(m.timeBootMs, nowS);
      t.positionNedM.x = m.x; t.positionNedM.y = m.y; t.positionNedM.z = m.z;
      t.velocityNedMps.x = m.vx; t.velocityNedMps.y = m.vy; t.velocityNedMps.z = m.vz;
      if (!this.landedKnown) t.inAir = t.armed && -m.z > 0.3;
      this.hub.publish(this.state);
      return;
    }
    if (m instanceof common.Attitude) {
      requireFinite(m.roll, m.pitch, m.yaw, m.yawspeed);
      t.rollRad = m.roll; t.pitchRad = m.pitch; t.yawRad = m.yaw; t.yawRateRadps = m.yawspeed;
      return;
    }
    if (m instanceof common.GlobalPositionInt) {
      if (Math.abs(m.lat) > 90e7 || Math.abs(m.lon) > 180e7) throw new RangeError('latitude/longitude out of range');
      const altAmslM = m.alt / 1000;
      t.global = { latDeg: m.lat / 1e7, lonDeg: m.lon / 1e7, altAmslM };
      this.homeAmslM = altAmslM - m.relativeAlt / 1000;
      return;
    }
    if (m instanceof common.ExtendedSysState) {
      this.landedKnown = m.landedState !== 0;
      if (this.landedKnown) t.inAir = m.landedState === MAV_LANDED_STATE_IN_AIR || m.landedState === MAV_LANDED_STATE_TAKEOFF || m.landedState === MAV_LANDED_STATE_LANDING;
      return;
    }
    if (m instanceof common.SysStatus) {
      t.batteryVoltageV = m.voltageBattery === 0xffff ? null : m.voltageBattery / 1000;
      t.batteryFraction = m.batteryRemaining < 0 ? null : m.batteryRemaining / 100;
      return;
    }
    if (m instanceof common.GimbalDeviceAttitudeStatus) {
      const q = m.q as Quat;
      requireFinite(...q);
      if (Math.abs(Math.hypot(...q) - 1) > 0.01) throw new RangeError('gimbal attitude is not a unit quaternion');
      const e = quatToEulerZyx(q);
      // Without "yaw in vehicle frame", a yaw-locked gimbal reports yaw in the earth frame.
      const earthYaw = (m.flags & GIMBAL_FLAGS.YAW_IN_EARTH_FRAME) !== 0 || ((m.flags & GIMBAL_FLAGS.YAW_LOCK) !== 0 && (m.flags & GIMBAL_FLAGS.YAW_IN_VEHICLE_FRAME) === 0);
      t.gimbal.pitchRad = e.pitchRad;
      t.gimbal.rollRad = e.rollRad;
      t.gimbal.yawRad = earthYaw ? wrapAngleRad(e.yawRad - t.yawRad) : e.yawRad;
      return;
    }
    if (m instanceof common.CameraSettings) {
      if (m.zoomLevel >= 0 && Number.isFinite(m.zoomLevel)) t.lens.focalLengthMm = focalLengthFromZoomLevel(m.zoomLevel, this.settings.lens);
      if (m.focusLevel >= 0 && Number.isFinite(m.focusLevel)) t.lens.focusDistanceM = focusDistanceFromLevel(m.focusLevel, this.settings.lens);
      return;
    }
    if (m instanceof common.ParamExtValue || m instanceof common.ParamExtAck) {
      if (m.paramId !== APERTURE_PARAM_ID || m.paramType !== MAV_PARAM_EXT_TYPE_REAL32) return;
      if (m instanceof common.ParamExtAck && m.paramResult !== 0) {
        this.lastBackgroundError = { code: 'APERTURE_REJECTED', message: `camera refused ${APERTURE_PARAM_ID} (PARAM_ACK ${m.paramResult})` };
        this.lensSent.fNumber = NaN;
        return;
      }
      const v = readParamExtReal32(f.payload, m.constructor as typeof common.ParamExtValue);
      if (m instanceof common.ParamExtValue && v !== null && v > 0) t.lens.fNumber = v;
    }
  }

  /** Vehicle boot time → our monotonic clock, with the smallest seen transport delay. */
  private vehicleTimeS(timeBootMs: number, nowS: number): number {
    const bootS = timeBootMs / 1000;
    if (this.bootOffsetS === null || bootS + 1 < this.lastBootS) this.bootOffsetS = nowS - bootS;
    else this.bootOffsetS = Math.min(this.bootOffsetS, nowS - bootS);
    this.lastBootS = bootS;
    return bootS + this.bootOffsetS;
  }

}

const RESULT_HINTS: Record<number, string> = {
  [MAV_RESULT.TEMPORARILY_REJECTED]: '; try again in a moment (e.g. pre-arm checks, no position fix yet)',
  [MAV_RESULT.DENIED]: '; the vehicle refuses in its current state (check mode, arming and geofence)',
  [MAV_RESULT.UNSUPPORTED]: '; this firmware/component does not implement the command',
  [MAV_RESULT.FAILED]: '; the vehicle tried and failed',
};

/** Decoded garbage that passed the CRC must not reach telemetry: the caller counts it as dropped. */
function requireFinite(...xs: number[]): void {
  for (const x of xs) if (!Number.isFinite(x)) throw new RangeError('non-finite field');
}

/** type_mask for SET_POSITION_TARGET_LOCAL_NED: ignore every part the setpoint leaves out. */
export function setpointTypeMask(sp: Setpoint): number {
  let mask = 0;
  if (!sp.positionNedM) mask |= TYPE_MASK.X_IGNORE | TYPE_MASK.Y_IGNORE | TYPE_MASK.Z_IGNORE;
  if (!sp.velocityNedMps) mask |= TYPE_MASK.VX_IGNORE | TYPE_MASK.VY_IGNORE | TYPE_MASK.VZ_IGNORE;
  if (!sp.accelerationNedMps2) mask |= TYPE_MASK.AX_IGNORE | TYPE_MASK.AY_IGNORE | TYPE_MASK.AZ_IGNORE;
  if (sp.yawRad === undefined) mask |= TYPE_MASK.YAW_IGNORE;
  if (sp.yawRateRadps === undefined) mask |= TYPE_MASK.YAW_RATE_IGNORE;
  return mask;
}
