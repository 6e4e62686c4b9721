/**
 * Test support for the controller: the real simulator (SimWorld +
 * SimVehicleLink) driven in lock-step with a VirtualClock, a minimal
 * ShotController test double (follows a subject at an offset, or commands a
 * fixed velocity), a link wrapper that can be cut, and a recorder of what
 * the runtime sent to the link.
 */
import { VirtualClock } from '../../../controller/loop/clock.ts';
import { Runtime, type RuntimeOptions, type RuntimeEvent, type Who } from '../../../controller/runtime.ts';
import type { SubjectSource } from '../../../controller/loop/subject-source.ts';
import type { SafetyTransition } from '../../../controller/safety/states.ts';
import { SimWorld } from '../../../sim/world.ts';
import { SimVehicleLink } from '../../../sim/sim-vehicle-link.ts';
import { sceneFromDocument, loadScene } from '../../../sim/scene-loader.ts';
import { NoisyConstantVelocityPredictor } from '../../../sim/noisy-predictor.ts';
import type { ControlInput, ControlOutput, ShotController, ShotStatus } from '../../../core/shot-controller.ts';
import type { ShotSpec } from '../../../core/shot-spec.ts';
import type {
  CommandResult, GimbalCommand, LensCommand, LinkHealth, Setpoint, Unsubscribe, VehicleLink, VehicleTelemetry,
} from '../../../core/vehicle-link.ts';
import { type Vec3, vec3 } from '../../../core/vec3.ts';
import { resolve } from 'node:path';

export const PILOT: Who = { id: 'pilot-1', role: 'pilot' };
export const DP: Who = { id: 'dp-1', role: 'dp' };

/**
 * Test double of a shot controller: flies to `offset` from the first subject
 * (or holds), or, with `velocityCommand`, commands that velocity as is.
 * `failFrom`/`failUntil` force a solver failure (status 'numerical-error')
 * or a throw in that time window.
 */
export class FollowTestController implements ShotController {
  shot: ShotSpec | null = null;
  startS = 0;
  offsetNedM: Vec3 = vec3(-8, 0, -4);
  velocityCommand: Vec3 | null = null;
  /** hold this position (overrides following) */
  holdAt: Vec3 | null = null;
  fail: { fromS: number; untilS: number; mode: 'status' | 'throw' | 'overrun' } | null = null;
  ticks = 0;

  setShot(spec: ShotSpec, nowS: number): void {
    this.shot = spec;
    this.startS = nowS;
  }
  clearShot(): void {
    this.shot = null;
  }
  status(): ShotStatus {
    return { shot: this.shot, phase: this.shot ? 'running' : 'idle', progress: 0, elapsedS: 0 };
  }
  tick(input: ControlInput): ControlOutput {
    this.ticks++;
    const t = input.timeS;
    const f = this.fail;
    if (f && t >= f.fromS && t < f.untilS && f.mode === 'throw') throw new Error('forced solver exception');
    const tel = input.telemetry;
    const name = this.shot?.subjects[0];
    const subj = name ? input.subjects.predict(name, t) : null;
    let setpoint: Setpoint;
    const plan = { timeS: [] as number[], positionsNedM: [] as Vec3[], focalLengthMm: [] as number[], focusDistanceM: [] as number[], fNumber: [] as number[] };
    if (this.holdAt) {
      setpoint = { timestampS: t, positionNedM: { ...this.holdAt }, velocityNedMps: vec3(), yawRad: tel.yawRad };
    } else if (this.velocityCommand) {
      const v = this.velocityCommand;
      setpoint = { timestampS: t, velocityNedMps: { ...v }, yawRad: tel.yawRad };
      for (let k = 0; k <= 10; k++) {
        plan.timeS.push(t + k * 0.1);
        plan.positionsNedM.push(vec3(tel.positionNedM.x + v.x * k * 0.1, tel.positionNedM.y + v.y * k * 0.1, tel.positionNedM.z + v.z * k * 0.1));
      }
    } else if (subj) {
      const target = vec3(subj.positionNedM.x + this.offsetNedM.x, subj.positionNedM.y + this.offsetNedM.y, this.offsetNedM.z);
      const yawRad = Math.atan2(subj.positionNedM.y - tel.positionNedM.y, subj.positionNedM.x - tel.positionNedM.x);
      setpoint = { timestampS: t, positionNedM: target, velocityNedMps: { ...subj.velocityNedMps }, yawRad };
      for (let k = 0; k <= 10; k++) {
        const dt = k * 0.1;
        plan.timeS.push(t + dt);
        plan.positionsNedM.push(vec3(target.x + subj.velocityNedMps.x * dt, target.y + subj.velocityNedMps.y * dt, target.z));
      }
    } else {
      setpoint = { timestampS: t, positionNedM: { ...tel.positionNedM }, velocityNedMps: vec3(), yawRad: tel.yawRad };
    }
    for (let k = 0; k < plan.timeS.length; k++) {
      plan.focalLengthMm.push(35);
      plan.focusDistanceM.push(8);
      plan.fNumber.push(4);
    }
    const failing = f && t >= f.fromS && t < f.untilS;
    return {
      setpoint,
      gimbal: { pitchRad: -0.3, yawRad: 0 },
      lens: { focalLengthMm: 35, focusDistanceM: 8, fNumber: 4 },
      plan: plan.timeS.length ? plan : undefined,
      diagnostics: {
        solveMs: failing && f.mode === 'overrun' ? 500 : 0.1,
        status: failing && f.mode === 'status' ? 'numerical-error' : 'solved',
      },
    };
  }
}

/** Everything a link was asked to do, with the (virtual) time it was asked. */
export interface LinkCall {
  atS: number;
  method: string;
}

/**
 * Wraps a link: records every call, and can be cut (both directions: no
 * telemetry arrives, nothing gets through), the way a radio drops out.
 */
export class CuttableLink implements VehicleLink {
  readonly calls: LinkCall[] = [];
  private cutSinceS: number | null = null;
  private frozen: VehicleTelemetry | null = null;

  constructor(readonly inner: VehicleLink, private readonly now: () => number) {}

  get kind(): string {
    return this.inner.kind;
  }
  get endpoint(): string {
    return this.inner.endpoint;
  }
  cut(): void {
    this.frozen = this.inner.latestTelemetry();
    this.cutSinceS = this.now();
  }
  restore(): void {
    this.cutSinceS = null;
    this.frozen = null;
  }
  get isCut(): boolean {
    return this.cutSinceS !== null;
  }
  private note(method: string): void {
    this.calls.push({ atS: this.now(), method });
  }
  /** Calls of `method` at or after `fromS`. */
  callsSince(fromS: number, method?: string): LinkCall[] {
    return this.calls.filter((c) => c.atS >= fromS - 1e-9 && (!method || c.method === method));
  }
  connect(): Promise<void> {
    return this.inner.connect();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  onTelemetry(listener: (t: VehicleTelemetry) => void): Unsubscribe {
    return this.inner.onTelemetry((t) => {
      if (!this.isCut) listener(t);
    });
  }
  /** pretend the battery is at this fraction (null: the simulator's own) */
  batteryOverride: number | null = null;
  latestTelemetry(): VehicleTelemetry | null {
    if (this.isCut) return this.frozen;
    const t = this.inner.latestTelemetry();
    if (t && this.batteryOverride !== null) t.batteryFraction = this.batteryOverride;
    return t;
  }
  health(): LinkHealth {
    const h = this.inner.health();
    return this.isCut ? { ...h, lastMessageAgeS: this.now() - this.cutSinceS! + h.lastMessageAgeS } : h;
  }
  private act(method: string, fn: () => Promise<CommandResult>): Promise<CommandResult> {
    this.note(method);
    if (this.isCut) return Promise.resolve({ ok: false, code: 'LINK_DOWN', message: 'link cut (test)' });
    return fn();
  }
  arm() { return this.act('arm', () => this.inner.arm()); }
  disarm() { return this.act('disarm', () => this.inner.disarm()); }
  takeoff(a: number) { return this.act('takeoff', () => this.inner.takeoff(a)); }
  land() { return this.act('land', () => this.inner.land()); }
  hold() { return this.act('hold', () => this.inner.hold()); }
  returnHome() { return this.act('returnHome', () => this.inner.returnHome()); }
  startOffboard() { return this.act('startOffboard', () => this.inner.startOffboard()); }
  stopOffboard() { return this.act('stopOffboard', () => this.inner.stopOffboard()); }
  sendSetpoint(sp: Setpoint): void {
    this.note('sendSetpoint');
    if (!this.isCut) this.inner.sendSetpoint(sp);
  }
  setGimbal(c: GimbalCommand): void {
    this.note('setGimbal');
    if (!this.isCut) this.inner.setGimbal(c);
  }
  setLens(c: LensCommand): void {
    this.note('setLens');
    if (!this.isCut) this.inner.setLens(c);
  }
}

/**
 * The sim's noisy predictor, with a switch that stops perception updates.
 * `freshnessFrom`: 'clock' reports lastMeasurementS(); 'estimates' leaves it
 * out, so the runtime judges staleness from the estimates' timestamps.
 */
export class StoppablePredictor implements SubjectSource {
  stopped = false;
  private lastS: number | null = null;
  lastMeasurementS?: () => number | null;
  constructor(readonly inner: NoisyConstantVelocityPredictor, freshnessFrom: 'clock' | 'estimates' = 'clock') {
    if (freshnessFrom === 'clock') this.lastMeasurementS = () => this.lastS;
  }
  estimate(name: string) {
    return this.inner.estimate(name);
  }
  update(nowS: number): void {
    if (this.stopped) return;
    this.inner.update(nowS);
    this.lastS = nowS;
  }
  predict(name: string, timeS: number) {
    return this.inner.predict(name, timeS);
  }
  names(): string[] {
    return this.inner.names();
  }
}

export interface SimHarness {
  world: SimWorld;
  clock: VirtualClock;
  link: CuttableLink;
  controller: FollowTestController;
  predictor: StoppablePredictor;
  runtime: Runtime;
  transitions: SafetyTransition[];
  events: RuntimeEvent[];
  /** advance simulated and loop time together by `seconds` */
  run(seconds: number): Promise<void>;
  /** run until `pred` holds (checked every tick) or `maxS` passes; returns the time it held, or null */
  runUntil(pred: () => boolean, maxS: number): Promise<number | null>;
  /** autonomy transitions to `to` */
  transitionsTo(to: string): SafetyTransition[];
}

export async function createSimHarness(options: {
  scene?: string | object;
  rateHz?: number;
  perceptionFreshness?: 'clock' | 'estimates';
  runtime?: Partial<RuntimeOptions>;
  seed?: number;
} = {}): Promise<SimHarness> {
  const scene = typeof options.scene === 'object'
    ? sceneFromDocument(options.scene, 'test', resolve('sim/scenes'))
    : loadScene(options.scene ?? 'static-subject');
  const world = new SimWorld(scene, { seed: options.seed ?? 1 });
  const clock = new VirtualClock(0);
  const link = new CuttableLink(new SimVehicleLink(world), () => clock.nowS());
  const controller = new FollowTestController();
  const predictor = new StoppablePredictor(new NoisyConstantVelocityPredictor(world, options.seed ?? 1), options.perceptionFreshness);
  const runtime = new Runtime({
    link, rig: world.rig, shotController: controller, subjects: predictor, geofence: world.geofence, clock,
    rateHz: options.rateHz ?? 50, ...options.runtime,
  });
  const transitions: SafetyTransition[] = [];
  const events: RuntimeEvent[] = [];
  runtime.events$.subscribe((e) => {
    events.push(e);
    if (e.kind === 'safety') transitions.push(e.transition);
  });
  await runtime.start();
  const periodS = runtime.loop.periodS;
  const flush = () => new Promise<void>((r) => setImmediate(r));
  const stepOnce = () => {
    world.step(periodS);
    clock.advanceTo(world.timeS + 1e-9);
  };
  return {
    world, clock, link, controller, predictor, runtime, transitions, events,
    async run(seconds: number) {
      const n = Math.round(seconds / periodS);
      for (let i = 0; i < n; i++) {
        stepOnce();
        if (i % 10 === 0) await flush(); // let link-effect promises settle
      }
      await flush();
    },
    async runUntil(pred: () => boolean, maxS: number) {
      const n = Math.round(maxS / periodS);
      for (let i = 0; i < n; i++) {
        stepOnce();
        await Promise.resolve();
        if (pred()) return clock.nowS();
      }
      return null;
    },
    transitionsTo(to: string) {
      return transitions.filter((t) => t.region === 'autonomy' && t.to === to);
    },
  };
}
