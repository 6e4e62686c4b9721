/**
 * VehicleLink through a running `mavsdk_server` (gRPC), for setups where
 * MAVSDK already owns the MAVLink connection (DESIGN.md §8). Uses the Action,
 * Telemetry, Offboard, Gimbal and Camera services from protos/ (the MAVSDK
 * 1.4-series API).
 *
 * Differences from the MAVLink link, by the MAVSDK API's design:
 * - setpoints: position + velocity feed-forward go through
 *   SetPositionVelocityNed; acceleration feed-forward alone through
 *   SetAccelerationNed; with a position it is not expressible and is dropped;
 * - zoom and focus go as a percentage of the lens range (ZoomRange,
 *   FocusRange); their telemetry is the last value the camera accepted;
 * - the iris is the camera setting CAM_APERTURE (option id = the f-number),
 *   read back from the current-settings stream.
 */
import * as grpc from '@grpc/grpc-js';
import { CinePilotError } from '../../../core/errors.ts';
import { degToRad, monotonicS, radToDeg, wrapAngleRad } from '../../../core/units.ts';
import { initialTelemetry, TelemetryHub } from '../telemetry-hub.ts';
import type {
  CommandResult, FlightMode, GimbalCommand, LensCommand, LinkHealth, Setpoint, Unsubscribe, VehicleLink, VehicleTelemetry,
} from '../../../core/vehicle-link.ts';
import { type LensRanges, focusLevelPercent, zoomLevelPercent } from '../mavlink/lens-levels.ts';
import { APERTURE_PARAM_ID } from '../mavlink/protocol.ts';
import { MAVSDK_SERVICES, type MavsdkServiceName, mavsdkDefinitions } from './protos.ts';

export interface MavsdkLinkSettings {
  /** host:port of mavsdk_server's gRPC endpoint */
  grpcAddress: string;
  lens: LensRanges;
  connectTimeoutS: number;
  /** deadline for one unary call (actions wait for the vehicle's ACK inside mavsdk_server) */
  callTimeoutS: number;
  /** no telemetry for this long → health().connected false */
  telemetryTimeoutS: number;
  /** wait before re-subscribing a telemetry stream that ended */
  resubscribeDelayS: number;
}

export const DEFAULT_MAVSDK_CONNECT_TIMEOUT_S = 10;
export const DEFAULT_MAVSDK_CALL_TIMEOUT_S = 10;
export const DEFAULT_MAVSDK_TELEMETRY_TIMEOUT_S = 3;
const DEFAULT_RESUBSCRIBE_DELAY_S = 1;

export function mavsdkLinkSettings(grpcAddress: string, lens: LensRanges, overrides: Partial<Omit<MavsdkLinkSettings, 'grpcAddress' | 'lens'>> = {}): MavsdkLinkSettings {
  const s: MavsdkLinkSettings = {
    grpcAddress,
    lens,
    connectTimeoutS: DEFAULT_MAVSDK_CONNECT_TIMEOUT_S,
    callTimeoutS: DEFAULT_MAVSDK_CALL_TIMEOUT_S,
    telemetryTimeoutS: DEFAULT_MAVSDK_TELEMETRY_TIMEOUT_S,
    resubscribeDelayS: DEFAULT_RESUBSCRIBE_DELAY_S,
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  };
  for (const k of ['connectTimeoutS', 'callTimeoutS', 'telemetryTimeoutS', 'resubscribeDelayS'] as const) {
    if (!(s[k] > 0) || !Number.isFinite(s[k])) throw new CinePilotError('LINK_SETTINGS_INVALID', `MAVSDK link settings: ${k} ${s[k]} must be a positive number of seconds.`);
  }
  return s;
}

type Client = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
type Reply = Record<string, unknown>;

const MAVSDK_MODES: Record<string, FlightMode> = {
  FLIGHT_MODE_READY: 'hold',
  FLIGHT_MODE_TAKEOFF: 'takeoff',
  FLIGHT_MODE_HOLD: 'hold',
  FLIGHT_MODE_MISSION: 'mission',
  FLIGHT_MODE_RETURN_TO_LAUNCH: 'return',
  FLIGHT_MODE_LAND: 'land',
  FLIGHT_MODE_OFFBOARD: 'offboard',
  FLIGHT_MODE_FOLLOW_ME: 'mission',
  FLIGHT_MODE_MANUAL: 'manual',
  FLIGHT_MODE_ALTCTL: 'altitude',
  FLIGHT_MODE_POSCTL: 'position',
  FLIGHT_MODE_ACRO: 'manual',
  FLIGHT_MODE_STABILIZED: 'manual',
  FLIGHT_MODE_RATTITUDE: 'manual',
};

const finite = (...xs: unknown[]): boolean => xs.every((x) => typeof x === 'number' && Number.isFinite(x));

/** "Latest wins" sender: at most one call in flight per key, the newest request queued. */
class LatestWins {
  private inFlight = false;
  private next: (() => Promise<unknown>) | null = null;

  submit(call: () => Promise<unknown>): void {
    if (this.inFlight) {
      this.next = call;
      return;
    }
    this.inFlight = true;
    void call().finally(() => {
      this.inFlight = false;
      const n = this.next;
      this.next = null;
      if (n) this.submit(n);
    });
  }
}

export class MavsdkVehicleLink implements VehicleLink {
  readonly kind = 'mavsdk';
  readonly endpoint: string;
  readonly settings: MavsdkLinkSettings;
  private clients: Record<MavsdkServiceName, Client> | null = null;
  private streams: grpc.ClientReadableStream<unknown>[] = [];
  private resubscribeTimers: NodeJS.Timeout[] = [];
  private readonly hub = new TelemetryHub();
  private readonly state: VehicleTelemetry;
  private lastTelemetryS = -Infinity;
  private received = 0;
  private dropped = 0;
  private latencyMs: number | null = null;
  private open = false;
  private gimbalControl: Promise<boolean> | null = null;
  private readonly setpointSender = new LatestWins();
  private readonly gimbalSender = new LatestWins();
  private readonly lensSenders = { zoom: new LatestWins(), focus: new LatestWins(), iris: new LatestWins() };
  /** the last failure of a fire-and-forget call (setpoint, gimbal, lens) */
  lastBackgroundError: { code: string; message: string } | null = null;

  constructor(settings: MavsdkLinkSettings) {
    this.settings = settings;
    this.endpoint = `mavsdk://${settings.grpcAddress}`;
    this.state = initialTelemetry(settings.lens, 1);
  }

  // ───────────────────────── lifecycle

  async connect(): Promise<void> {
    if (this.open) return;
    const defs = mavsdkDefinitions();
    const creds = grpc.credentials.createInsecure();
    const clients = {} as Record<MavsdkServiceName, Client>;
    for (const s of MAVSDK_SERVICES) clients[s] = new defs.clients[s](this.settings.grpcAddress, creds) as unknown as Client;
    const deadline = new Date(Date.now() + this.settings.connectTimeoutS * 1000);
    try {
      await new Promise<void>((resolve, reject) => clients.action.waitForReady(deadline, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      for (const c of Object.values(clients)) c.close();
      throw new CinePilotError(
        'LINK_NO_MAVSDK_SERVER',
        `${this.endpoint}: no gRPC server answered within ${this.settings.connectTimeoutS} s (${(err as Error).message}). Start mavsdk_server (e.g. \`mavsdk_server -p 50051 udp://:14540\`) and check grpcAddress.`,
      );
    }
    this.clients = clients;
    this.open = true;
    this.subscribeAll();
  }

  async close(): Promise<void> {
    this.open = false;
    for (const t of this.resubscribeTimers) clearTimeout(t);
    this.resubscribeTimers = [];
    for (const s of this.streams) s.cancel();
    this.streams = [];
    if (this.clients) for (const c of Object.values(this.clients)) c.close();
    this.clients = null;
  }

  // ───────────────────────── telemetry

  onTelemetry(listener: (t: VehicleTelemetry) => void): Unsubscribe {
    return this.hub.subscribe(listener);
  }

  latestTelemetry(): VehicleTelemetry | null {
    return this.hub.latestTelemetry();
  }

  health(): LinkHealth {
    const age = Number.isFinite(this.lastTelemetryS) ? monotonicS() - this.lastTelemetryS : Infinity;
    return {
      connected: this.open && age <= this.settings.telemetryTimeoutS,
      lastMessageAgeS: age,
      messagesReceived: this.received,
      messagesDropped: this.dropped,
      latencyMs: this.latencyMs,
    };
  }

  private subscribeAll(): void {
    const t = this.state;
    this.subscribe('telemetry', 'subscribePositionVelocityNed', (r) => {
      const pv = r.positionVelocityNed as { position?: Reply; velocity?: Reply } | null;
      const p = pv?.position, v = pv?.velocity;
      if (!p || !v || !finite(p.northM, p.eastM, p.downM, v.northMS, v.eastMS, v.downMS)) return false;
      t.positionNedM.x = p.northM as number; t.positionNedM.y = p.eastM as number; t.positionNedM.z = p.downM as number;
      t.velocityNedMps.x = v.northMS as number; t.velocityNedMps.y = v.eastMS as number; t.velocityNedMps.z = v.downMS as number;
      t.timestampS = monotonicS();
      this.hub.publish(this.state);
      return true;
    });
    this.subscribe('telemetry', 'subscribeAttitudeEuler', (r) => {
      const e = r.attitudeEuler as Reply | null;
      if (!e || !finite(e.rollDeg, e.pitchDeg, e.yawDeg)) return false;
      t.rollRad = degToRad(e.rollDeg as number); t.pitchRad = degToRad(e.pitchDeg as number); t.yawRad = wrapAngleRad(degToRad(e.yawDeg as number));
      return true;
    });
    this.subscribe('telemetry', 'subscribeAttitudeAngularVelocityBody', (r) => {
      const w = r.attitudeAngularVelocityBody as Reply | null;
      if (!w || !finite(w.yawRadS)) return false;
      t.yawRateRadps = w.yawRadS as number;
      return true;
    });
    this.subscribe('telemetry', 'subscribeCameraAttitudeEuler', (r) => {
      const e = r.attitudeEuler as Reply | null;
      if (!e || !finite(e.rollDeg, e.pitchDeg, e.yawDeg)) return false;
      t.gimbal.pitchRad = degToRad(e.pitchDeg as number);
      t.gimbal.rollRad = degToRad(e.rollDeg as number);
      // MAVSDK reports the camera's yaw in NED; ours is relative to the heading.
      t.gimbal.yawRad = wrapAngleRad(degToRad(e.yawDeg as number) - t.yawRad);
      return true;
    });
    this.subscribe('telemetry', 'subscribePosition', (r) => {
      const p = r.position as Reply | null;
      if (!p || !finite(p.latitudeDeg, p.longitudeDeg, p.absoluteAltitudeM)) return false;
      t.global = { latDeg: p.latitudeDeg as number, lonDeg: p.longitudeDeg as number, altAmslM: p.absoluteAltitudeM as number };
      return true;
    });
    this.subscribe('telemetry', 'subscribeArmed', (r) => {
      t.armed = r.isArmed === true;
      return true;
    });
    this.subscribe('telemetry', 'subscribeInAir', (r) => {
      t.inAir = r.isInAir === true;
      return true;
    });
    this.subscribe('telemetry', 'subscribeFlightMode', (r) => {
      t.mode = MAVSDK_MODES[String(r.flightMode)] ?? 'unknown';
      return true;
    });
    this.subscribe('telemetry', 'subscribeBattery', (r) => {
      const b = r.battery as Reply | null;
      if (!b) return false;
      t.batteryVoltageV = finite(b.voltageV) && (b.voltageV as number) > 0 ? (b.voltageV as number) : null;
      t.batteryFraction = finite(b.remainingPercent) && (b.remainingPercent as number) >= 0 ? (b.remainingPercent as number) / 100 : null;
      return true;
    });
    this.subscribe('camera', 'subscribeCurrentSettings', (r) => {
      const list = r.currentSettings as Array<{ settingId?: string; option?: { optionId?: string } }> | undefined;
      const iris = list?.find((s) => s.settingId === APERTURE_PARAM_ID);
      const f = Number(iris?.option?.optionId);
      if (iris && f > 0) t.lens.fNumber = f;
      return true;
    });
  }

  /** Open one server stream; a malformed message counts as dropped; an ended stream is re-opened while connected. */
  private subscribe(service: MavsdkServiceName, method: string, onMessage: (r: Reply) => boolean): void {
    if (!this.open || !this.clients) return;
    const stream = this.clients[service][method]!({}) as grpc.ClientReadableStream<Reply>;
    this.streams.push(stream);
    stream.on('data', (r: Reply) => {
      let ok = false;
      try {
        ok = onMessage(r);
      } catch {
        ok = false;
      }
      if (ok) {
        this.received++;
        this.lastTelemetryS = monotonicS();
      } else this.dropped++;
    });
    const again = () => {
      this.streams = this.streams.filter((s) => s !== stream);
      if (!this.open) return;
      const timer = setTimeout(() => this.subscribe(service, method, onMessage), this.settings.resubscribeDelayS * 1000);
      timer.unref();
      this.resubscribeTimers.push(timer);
    };
    let ended = false;
    const endOnce = () => {
      if (ended) return;
      ended = true;
      again();
    };
    stream.on('error', endOnce);
    stream.on('end', endOnce);
  }


  // ───────────────────────── calls

  private call(service: MavsdkServiceName, method: string, request: Reply): Promise<Reply> {
    if (!this.open || !this.clients) return Promise.reject(new CinePilotError('LINK_CLOSED', `${method}: the link is closed; connect() first`));
    const client = this.clients[service];
    const started = monotonicS();
    return new Promise((resolve, reject) => {
      client[method]!(request, { deadline: new Date(Date.now() + this.settings.callTimeoutS * 1000) }, (err: grpc.ServiceError | null, reply: Reply) => {
        if (err) return reject(err);
        const ms = (monotonicS() - started) * 1000;
        this.latencyMs = this.latencyMs === null ? ms : 0.8 * this.latencyMs + 0.2 * ms;
        resolve(reply);
      });
    });
  }

  /** A unary call whose reply carries `<resultField>.result`; SUCCESS → ok. */
  private async result(label: string, service: MavsdkServiceName, method: string, request: Reply, resultField: string): Promise<CommandResult> {
    let reply: Reply;
    try {
      reply = await this.call(service, method, request);
    } catch (err) {
      if (err instanceof CinePilotError) return { ok: false, code: err.code, message: err.message };
      const e = err as grpc.ServiceError;
      const code = e.code === grpc.status.DEADLINE_EXCEEDED ? 'COMMAND_TIMEOUT' : e.code === grpc.status.UNAVAILABLE ? 'NOT_CONNECTED' : 'GRPC_ERROR';
      return { ok: false, code, message: `${label}: mavsdk_server call failed: ${e.details || e.message}` };
    }
    const r = reply[resultField] as { result?: string; resultStr?: string } | null;
    const name = String(r?.result ?? 'RESULT_UNKNOWN');
    if (name === 'RESULT_SUCCESS') return { ok: true };
    const short = name.replace(/^RESULT_/, '');
    return { ok: false, code: `MAVSDK_${short}`, message: `${label}: ${r?.resultStr || short}` };
  }

  private background(p: Promise<CommandResult>): Promise<unknown> {
    return p.then((r) => {
      if (!r.ok) this.lastBackgroundError = r;
    });
  }

  // ───────────────────────── actions

  arm(): Promise<CommandResult> {
    return this.result('arm', 'action', 'arm', {}, 'actionResult');
  }

  disarm(): Promise<CommandResult> {
    return this.result('disarm', 'action', 'disarm', {}, 'actionResult');
  }

  async takeoff(altitudeM: number): Promise<CommandResult> {
    if (!(altitudeM > 0) || !Number.isFinite(altitudeM)) {
      return { ok: false, code: 'BAD_ARGUMENT', message: `takeoff altitude ${altitudeM} m must be a positive number of metres above home` };
    }
    const set = await this.result('set takeoff altitude', 'action', 'setTakeoffAltitude', { altitude: altitudeM }, 'actionResult');
    if (!set.ok) return set;
    return this.result('takeoff', 'action', 'takeoff', {}, 'actionResult');
  }

  land(): Promise<CommandResult> {
    return this.result('land', 'action', 'land', {}, 'actionResult');
  }

  hold(): Promise<CommandResult> {
    return this.result('hold', 'action', 'hold', {}, 'actionResult');
  }

  returnHome(): Promise<CommandResult> {
    return this.result('return', 'action', 'returnToLaunch', {}, 'actionResult');
  }

  startOffboard(): Promise<CommandResult> {
    return this.result('start offboard', 'offboard', 'start', {}, 'offboardResult');
  }

  stopOffboard(): Promise<CommandResult> {
    return this.result('stop offboard', 'offboard', 'stop', {}, 'offboardResult');
  }

  sendSetpoint(sp: Setpoint): void {
    if (!this.open) return;
    const yawDeg = radToDeg(sp.yawRad ?? this.state.yawRad);
    const p = sp.positionNedM, v = sp.velocityNedMps, a = sp.accelerationNedMps2;
    const pos = p ? { northM: p.x, eastM: p.y, downM: p.z, yawDeg } : null;
    const vel = v ? { northMS: v.x, eastMS: v.y, downMS: v.z, yawDeg } : null;
    let method: string, request: Reply;
    if (pos && vel) [method, request] = ['setPositionVelocityNed', { positionNedYaw: pos, velocityNedYaw: vel }];
    else if (pos) [method, request] = ['setPositionNed', { positionNedYaw: pos }];
    else if (vel) [method, request] = ['setVelocityNed', { velocityNedYaw: vel }];
    else if (a) [method, request] = ['setAccelerationNed', { accelerationNed: { northMS2: a.x, eastMS2: a.y, downMS2: a.z } }];
    else return;
    this.setpointSender.submit(() => this.background(this.result('setpoint', 'offboard', method, request, 'offboardResult')));
  }

  setGimbal(cmd: GimbalCommand): void {
    if (!this.open) return;
    // Gimbal protocol v2: take primary control once, yaw follows the heading.
    this.gimbalControl ??= this.result('gimbal take control', 'gimbal', 'takeControl', { controlMode: 'CONTROL_MODE_PRIMARY' }, 'gimbalResult')
      .then((r) => (r.ok ? this.result('gimbal yaw follow', 'gimbal', 'setMode', { gimbalMode: 'GIMBAL_MODE_YAW_FOLLOW' }, 'gimbalResult') : r))
      .then((r) => {
        if (!r.ok) {
          this.lastBackgroundError = r;
          this.gimbalControl = null; // try again with the next command
        }
        return r.ok;
      });
    const control = this.gimbalControl;
    const request = { pitchDeg: radToDeg(cmd.pitchRad), yawDeg: radToDeg(cmd.yawRad) };
    this.gimbalSender.submit(async () => {
      if (await control) await this.background(this.result('gimbal pitch/yaw', 'gimbal', 'setPitchAndYaw', request, 'gimbalResult'));
    });
  }

  setLens(cmd: LensCommand): void {
    if (!this.open) return;
    const lens = this.settings.lens, t = this.state;
    if (cmd.focalLengthMm !== undefined && Number.isFinite(cmd.focalLengthMm)) {
      const mm = cmd.focalLengthMm;
      this.lensSenders.zoom.submit(() => this.result('zoom', 'camera', 'zoomRange', { range: zoomLevelPercent(mm, lens) }, 'cameraResult')
        .then((r) => (r.ok ? void (t.lens.focalLengthMm = Math.min(Math.max(mm, lens.focalLengthMm.min), lens.focalLengthMm.max)) : void (this.lastBackgroundError = r))));
    }
    if (cmd.focusDistanceM !== undefined && cmd.focusDistanceM > 0) {
      const m = cmd.focusDistanceM;
      this.lensSenders.focus.submit(() => this.result('focus', 'camera', 'focusRange', { range: focusLevelPercent(m, lens) }, 'cameraResult')
        .then((r) => (r.ok ? void (t.lens.focusDistanceM = m) : void (this.lastBackgroundError = r))));
    }
    if (cmd.fNumber !== undefined && Number.isFinite(cmd.fNumber)) {
      const setting = { settingId: APERTURE_PARAM_ID, option: { optionId: String(cmd.fNumber) }, isRange: true };
      this.lensSenders.iris.submit(() => this.background(this.result('aperture', 'camera', 'setSetting', { setting }, 'cameraResult')));
    }
  }
}
