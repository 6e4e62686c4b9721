/**
 * SimVehicleLink: the in-process VehicleLink of the simulator. Commands go
 * straight to the world's autopilot, gimbal and lens; telemetry is published
 * to listeners at `telemetryRateHz` of simulated time whenever the world
 * steps (headless: whoever steps the world; real time: sim/realtime.ts).
 * `latestTelemetry()` always describes the world as it is now.
 */
import type {
  CommandResult, GimbalCommand, LensCommand, LinkHealth, Setpoint, Unsubscribe, VehicleLink, VehicleTelemetry,
} from '../core/vehicle-link.ts';
import type { SimWorld } from './world.ts';

export const DEFAULT_TELEMETRY_RATE_HZ = 50;

export interface SimVehicleLinkOptions {
  /** telemetry publication rate in simulated time, Hz (default 50) */
  telemetryRateHz?: number;
  vehicleId?: number;
}

const NOT_CONNECTED: CommandResult = { ok: false, code: 'NOT_CONNECTED', message: 'call connect() first' };

export class SimVehicleLink implements VehicleLink {
  readonly kind = 'sim';
  readonly endpoint = 'sim://in-process';
  private connected = false;
  private readonly listeners = new Set<(t: VehicleTelemetry) => void>();
  private unsubscribeWorld: (() => void) | null = null;
  private lastPublishedS = -Infinity;
  private published = 0;
  private commandsReceived = 0;
  private readonly periodS: number;
  private readonly vehicleId: number;

  constructor(readonly world: SimWorld, options: SimVehicleLinkOptions = {}) {
    this.periodS = 1 / (options.telemetryRateHz ?? DEFAULT_TELEMETRY_RATE_HZ);
    this.vehicleId = options.vehicleId ?? 1;
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    this.connected = true;
    this.unsubscribeWorld = this.world.onStep((w) => {
      if (this.listeners.size === 0 || w.timeS - this.lastPublishedS < this.periodS - 1e-9) return;
      this.lastPublishedS = w.timeS;
      this.published++;
      const t = w.telemetry(this.vehicleId);
      for (const l of this.listeners) l(t);
    });
  }

  async close(): Promise<void> {
    this.connected = false;
    this.unsubscribeWorld?.();
    this.unsubscribeWorld = null;
    this.listeners.clear();
  }

  onTelemetry(listener: (t: VehicleTelemetry) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  latestTelemetry(): VehicleTelemetry | null {
    return this.connected ? this.world.telemetry(this.vehicleId) : null;
  }

  health(): LinkHealth {
    return {
      connected: this.connected,
      lastMessageAgeS: this.connected ? 0 : Infinity,
      messagesReceived: this.published,
      messagesDropped: 0,
      latencyMs: this.connected ? 0 : null,
    };
  }

  private act(fn: (timeS: number) => CommandResult): Promise<CommandResult> {
    if (!this.connected) return Promise.resolve(NOT_CONNECTED);
    this.commandsReceived++;
    return Promise.resolve(fn(this.world.timeS));
  }

  arm(): Promise<CommandResult> {
    return this.act((t) => this.world.autopilot.arm(t));
  }
  disarm(): Promise<CommandResult> {
    return this.act((t) => this.world.autopilot.disarm(t));
  }
  takeoff(altitudeM: number): Promise<CommandResult> {
    return this.act((t) => this.world.autopilot.takeoff(altitudeM, t));
  }
  land(): Promise<CommandResult> {
    return this.act((t) => this.world.autopilot.land(t));
  }
  hold(): Promise<CommandResult> {
    return this.act((t) => this.world.autopilot.hold(t));
  }
  returnHome(): Promise<CommandResult> {
    return this.act((t) => this.world.autopilot.returnHome(t));
  }
  startOffboard(): Promise<CommandResult> {
    return this.act((t) => this.world.autopilot.startOffboard(t));
  }
  stopOffboard(): Promise<CommandResult> {
    return this.act((t) => this.world.autopilot.stopOffboard(t));
  }

  sendSetpoint(setpoint: Setpoint): void {
    if (this.connected) this.world.autopilot.setpoint(setpoint, this.world.timeS);
  }
  setGimbal(command: GimbalCommand): void {
    if (this.connected) this.world.commandGimbal(command);
  }
  setLens(command: LensCommand): void {
    if (this.connected) this.world.commandLens(command);
  }
}
