/**
 * The controller runtime: one object that composes the vehicle link, the shot
 * controller, the subject predictor, the real-time loop, the safety
 * supervisor, the flight log and (optionally) the bus, and gives the ground
 * station a small API. Every tick:
 *
 *   latest telemetry + subjects ─► ShotController.tick ─► SafetySupervisor ─► link
 *                                                          (envelope, watchdogs)
 *
 * Every command (who, when, what, accepted or not and why) and every safety
 * transition goes to the flight log and to `events$`; `state$` carries a
 * snapshot per tick. Commands never wait on the loop and the loop never
 * waits on the link: link actions run in the background and their results
 * are logged.
 */
import { Subject, BehaviorSubject, type Observable } from 'rxjs';
import { Value } from '@sinclair/typebox/value';
import type { VehicleLink, VehicleTelemetry, LinkHealth, Setpoint, GimbalCommand, LensCommand, CommandResult } from '../core/vehicle-link.ts';
import type { ShotController, ControlOutput, Geofence, PlanSummary, ShotStatus, ShotTargets } from '../core/shot-controller.ts';
import { ShotSpecSchema, type ShotSpec } from '../core/shot-spec.ts';
import type { Rig } from '../hardware-profiles/schema.ts';
import { CinePilotError } from '../core/errors.ts';
import { type LoopClock, MonotonicClock } from './loop/clock.ts';
import { ControlLoop, DEFAULT_RATE_HZ, type TickInfo } from './loop/control-loop.ts';
import type { LoopStats } from './loop/loop-stats.ts';
import { type SubjectSource, peopleAt, perceptionAgeS } from './loop/subject-source.ts';
import { SafetyEnvelope, envelopeSettingsFromRig, type EnvelopeSettings, type PersonObstacle } from './safety/envelope.ts';
import { SafetySupervisor, supervisorSettingsFromRig, type SupervisorSettings } from './safety/supervisor.ts';
import type { SafetyEffect, SafetyState, SafetyTransition } from './safety/states.ts';
import type { FlightLogWriter } from './flight-log/writer.ts';

/** 'perception' clients only feed subject estimates (bus); they may command nothing. */
export type Role = 'pilot' | 'dp' | 'viewer' | 'perception' | 'system';

/** Who issued a command: a client id (e.g. "pilot-1@192.168.1.4") and its role. */
export interface Who {
  id: string;
  role: Role;
}

export type CommandOutcome = { ok: true; message?: string } | { ok: false; code: string; message: string };

export type CommandName =
  | 'shot' | 'hold' | 'stop' | 'estop' | 'rearm' | 'override-on' | 'override-off' | 'resume'
  | 'arm' | 'disarm' | 'takeoff' | 'land' | 'return-home' | 'pilot-connect' | 'pilot-disconnect';

/** One audit record per command, accepted or not. */
export interface CommandRecord {
  atS: number;
  wallTime: string;
  who: string;
  role: Role;
  command: CommandName;
  /** the words as typed or spoken, when the command came from language */
  text?: string;
  /** the parsed ShotSpec (for 'shot'), or the command's arguments */
  spec?: unknown;
  accepted: boolean;
  code?: string;
  reason?: string;
}

export type RuntimeEvent = { kind: 'safety'; transition: SafetyTransition } | { kind: 'command'; record: CommandRecord } | { kind: 'link-effect'; effect: SafetyEffect; result: CommandResult };

export interface SubjectSnapshot {
  name: string;
  positionNedM: { x: number; y: number; z: number };
  velocityNedMps: { x: number; y: number; z: number };
  headingRad: number;
  sigmaM: number;
}

/** Everything the ground station shows, once per tick. */
export interface RuntimeSnapshot {
  timeS: number;
  tick: number;
  vehicle: VehicleTelemetry | null;
  link: LinkHealth & { kind: string; endpoint: string };
  subjects: SubjectSnapshot[];
  shot: ShotStatus;
  targets: ShotTargets | null;
  plan: PlanSummary | null;
  /** what was sent to the vehicle this tick (null: nothing) */
  sent: { setpoint: Setpoint | null; gimbal: GimbalCommand | null; lens: LensCommand | null };
  solver: ControlOutput['diagnostics'] | null;
  safety: {
    state: SafetyState;
    sinceS: number;
    envelope: string;
    autonomous: boolean;
    streaming: boolean;
    lastTransition: SafetyTransition | null;
    geofence: Geofence | null;
  };
  loop: LoopStats;
  pilots: string[];
}

export interface RuntimeOptions {
  link: VehicleLink;
  rig: Rig;
  shotController: ShotController;
  subjects: SubjectSource;
  /** the flight volume; required to arm when `requireGeofenceToArm` */
  geofence?: Geofence | null;
  /** default: the monotonic clock; a VirtualClock for tests and headless simulation */
  clock?: LoopClock;
  rateHz?: number;
  safety?: Partial<SupervisorSettings>;
  envelope?: Partial<EnvelopeSettings>;
  flightLog?: FlightLogWriter | null;
  /** refuse to arm without a valid geofence (cinepilot fly) */
  requireGeofenceToArm?: boolean;
  /** refuse to arm without a connected pilot (cinepilot fly) */
  requirePilotToArm?: boolean;
  /** Runtime.start() connects the link unless false (default true) */
  connectLink?: boolean;
  /** ticks between loop-stat log messages (default: one per second) */
  loopStatsEveryTicks?: number;
}

const ROLES_FOR: Record<'shot' | 'estop' | 'pilot' | 'vehicle', ReadonlySet<Role>> = {
  shot: new Set<Role>(['dp', 'pilot', 'system']),
  estop: new Set<Role>(['pilot', 'dp', 'system']),
  pilot: new Set<Role>(['pilot', 'system']),
  vehicle: new Set<Role>(['pilot', 'dp', 'system']),
};

/** A latched state's vehicle action is re-sent at most this often when telemetry shows it was lost, s. */
export const ACTION_RETRY_S = 1.0;

const VEHICLE_ACTION_KINDS = new Set(['stop', 'land', 'return-home', 'hold']);

export class Runtime {
  readonly link: VehicleLink;
  readonly rig: Rig;
  readonly clock: LoopClock;
  readonly loop: ControlLoop;
  readonly supervisor: SafetySupervisor;
  private readonly shotController: ShotController;
  private readonly subjects: SubjectSource;
  private readonly log: FlightLogWriter | null;
  private readonly options: RuntimeOptions;
  private readonly stateSubject = new BehaviorSubject<RuntimeSnapshot | null>(null);
  private readonly eventSubject = new Subject<RuntimeEvent>();
  private readonly telemetrySubject = new Subject<VehicleTelemetry>();
  private unsubscribeTelemetry: (() => void) | null = null;
  private readonly pilots = new Map<string, number>();
  private lastTransition: SafetyTransition | null = null;
  private lastOutput: ControlOutput | null = null;
  private lastSnapshot: RuntimeSnapshot | null = null;
  private cachedLoopStats: LoopStats;
  private tickCount = 0;
  private started = false;
  private readonly loopStatsEveryTicks: number;
  private readonly pendingEffects = new Set<Promise<unknown>>();
  private lastReassertS = -Infinity;

  constructor(options: RuntimeOptions) {
    this.options = options;
    this.link = options.link;
    this.rig = options.rig;
    this.shotController = options.shotController;
    this.subjects = options.subjects;
    this.clock = options.clock ?? new MonotonicClock();
    this.log = options.flightLog ?? null;
    const rateHz = options.rateHz ?? DEFAULT_RATE_HZ;
    this.loop = new ControlLoop(this.clock, (t) => this.tick(t), { rateHz, onError: (err) => this.onTickError(err) });
    const envelope = new SafetyEnvelope(envelopeSettingsFromRig(options.rig, options.envelope), options.geofence ?? null);
    this.supervisor = new SafetySupervisor(supervisorSettingsFromRig(options.rig, this.loop.periodS, options.safety), envelope);
    this.supervisor.onTransition((t) => {
      this.lastTransition = t;
      this.log?.write('safety', t.atS, t);
      this.eventSubject.next({ kind: 'safety', transition: t });
    });
    this.loopStatsEveryTicks = options.loopStatsEveryTicks ?? Math.max(1, Math.round(rateHz));
    this.cachedLoopStats = this.loop.stats();
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /** Connect the link (unless told not to) and start ticking. */
  async start(): Promise<void> {
    if (this.started) return;
    if (this.options.connectLink !== false) {
      try {
        await this.link.connect();
      } catch (err) {
        throw new CinePilotError('LINK_CONNECT_FAILED', `cannot connect to ${this.link.endpoint}: ${(err as Error).message}. Check the --link URL and that the vehicle (or simulator) is running.`);
      }
    }
    this.unsubscribeTelemetry = this.link.onTelemetry((t) => this.telemetrySubject.next(t));
    this.started = true;
    this.loop.start();
  }

  /**
   * Stop the shot (the autopilot holds), stop the loop, wait for link actions
   * in flight, close the flight log. The link stays open (the caller owns it).
   */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.supervisor.stop(this.clock.nowS(), 'system', 'runtime stopping: autonomy off, autopilot holds');
    this.runEffects();
    this.loop.stop();
    this.started = false;
    this.unsubscribeTelemetry?.();
    this.unsubscribeTelemetry = null;
    await Promise.allSettled([...this.pendingEffects]);
    if (this.log) {
      this.log.write('loop', this.clock.nowS(), { timeS: this.clock.nowS(), ...this.loop.stats() });
      await this.log.close();
    }
    this.stateSubject.complete();
    this.eventSubject.complete();
    this.telemetrySubject.complete();
  }

  // ---- streams ----------------------------------------------------------------------------------

  /** One snapshot per tick (the latest is replayed to new subscribers). */
  get state$(): Observable<RuntimeSnapshot | null> {
    return this.stateSubject.asObservable();
  }

  /** Safety transitions, command records and link-effect results, as they happen. */
  get events$(): Observable<RuntimeEvent> {
    return this.eventSubject.asObservable();
  }

  /** Every telemetry sample the link delivers. */
  get telemetry$(): Observable<VehicleTelemetry> {
    return this.telemetrySubject.asObservable();
  }

  get geofence(): Geofence | null {
    return this.supervisor.envelope.geofence;
  }

  /**
   * The latest tick's snapshot with the safety state and pilots as they are
   * now (a command between ticks shows at once).
   */
  snapshot(): RuntimeSnapshot {
    if (!this.lastSnapshot) return this.buildSnapshot(this.clock.nowS(), null, null, null);
    return { ...this.lastSnapshot, shot: this.shotController.status(), safety: this.safetySnapshot(), pilots: [...this.pilots.keys()] };
  }

  private safetySnapshot(): RuntimeSnapshot['safety'] {
    return {
      state: this.supervisor.state,
      sinceS: this.supervisor.stateSinceS,
      envelope: this.supervisor.envelopeStatus,
      autonomous: this.supervisor.autonomous,
      streaming: this.supervisor.streaming,
      lastTransition: this.lastTransition,
      geofence: this.geofence,
    };
  }

  // ---- commands -------------------------------------------------------------------------------

  /**
   * A ShotSpec from the DP (or pilot). Validated against the schema, checked
   * against safety (state, geofence altitude band, keep-out radius), then
   * handed to the shot controller. Vehicle-action kinds (stop, land,
   * return-home, hold) go to the matching command.
   */
  submitShot(spec: unknown, who: Who, text?: string): CommandOutcome {
    const deny = this.checkRole(who, 'shot', 'shot', spec, text);
    if (deny) return deny;
    if (!Value.Check(ShotSpecSchema, spec)) {
      const problems = [...Value.Errors(ShotSpecSchema, spec)].slice(0, 5).map((e) => `${e.path || '/'}: ${e.message}`);
      return this.record(who, 'shot', { ok: false, code: 'SHOT_INVALID', message: `not a valid ShotSpec: ${problems.join('; ')}` }, spec, text);
    }
    const shot = spec as ShotSpec;
    if (VEHICLE_ACTION_KINDS.has(shot.kind)) {
      switch (shot.kind) {
        case 'stop': return this.stopShot(who, text);
        case 'hold': return this.hold(who, text);
        case 'land': return this.vehicleAction('land', who, text);
        default: return this.vehicleAction('return', who, text);
      }
    }
    const nowS = this.clock.nowS();
    const tel = this.link.latestTelemetry();
    const problem = this.shotSafetyProblem(shot, tel);
    if (problem) return this.record(who, 'shot', problem, shot, text);
    try {
      this.shotController.setShot(shot, nowS);
    } catch (err) {
      const code = err instanceof CinePilotError ? err.code : 'SHOT_UNFLYABLE';
      return this.record(who, 'shot', { ok: false, code, message: (err as Error).message }, shot, text);
    }
    const engaged = this.supervisor.engage(nowS, who.id);
    this.runEffects();
    if (!engaged.ok) {
      this.shotController.clearShot(nowS);
      return this.record(who, 'shot', engaged, shot, text);
    }
    return this.record(who, 'shot', { ok: true, message: `flying ${shot.kind}` }, shot, text);
  }

  /** Hold: drop the shot, hold position and keep framing what is in view. */
  hold(who: Who, text?: string): CommandOutcome {
    const deny = this.checkRole(who, 'shot', 'hold', undefined, text);
    if (deny) return deny;
    this.shotController.clearShot(this.clock.nowS());
    return this.record(who, 'hold', { ok: true, message: 'holding framing' }, undefined, text);
  }

  /** Stop: autonomy off, the autopilot holds; nothing commands the vehicle afterwards. */
  stopShot(who: Who, text?: string): CommandOutcome {
    const deny = this.checkRole(who, 'shot', 'stop', undefined, text);
    if (deny) return deny;
    const nowS = this.clock.nowS();
    this.shotController.clearShot(nowS);
    this.supervisor.stop(nowS, who.id);
    this.runEffects();
    return this.record(who, 'stop', { ok: true, message: 'stopped: autopilot holds' }, undefined, text);
  }

  /** E-stop: immediate autopilot hold, autonomy latched off until a pilot re-arms. Any state. */
  eStop(who: Who): CommandOutcome {
    const deny = this.checkRole(who, 'estop', 'estop');
    if (deny) return deny;
    const nowS = this.clock.nowS();
    this.supervisor.eStop(nowS, who.id);
    this.runEffects();
    this.shotController.clearShot(nowS);
    return this.record(who, 'estop', { ok: true, message: 'e-stop: vehicle holding, autonomy off until re-armed by a pilot' });
  }

  /** Release a latched e-stop (pilot only). Autonomy stays off until a shot or resume. */
  rearm(who: Who): CommandOutcome {
    const deny = this.checkRole(who, 'pilot', 'rearm');
    if (deny) return deny;
    const r = this.supervisor.rearm(this.clock.nowS(), who.id);
    this.runEffects();
    return this.record(who, 'rearm', r.ok ? { ok: true, message: 're-armed: autonomy off until a shot or resume' } : r);
  }

  /** Pilot override: on = the pilot flies and the controller commands nothing; off = standby. */
  setPilotOverride(on: boolean, who: Who): CommandOutcome {
    const name = on ? 'override-on' : 'override-off';
    const deny = this.checkRole(who, 'pilot', name);
    if (deny) return deny;
    this.supervisor.setPilotOverride(this.clock.nowS(), on, who.id);
    this.runEffects();
    return this.record(who, name, { ok: true, message: on ? 'pilot has control' : 'override released: autonomy resumes only on resume or a new shot' });
  }

  /** Resume autonomy (pilot's decision) after stop, override release, return or land. */
  resume(who: Who): CommandOutcome {
    const deny = this.checkRole(who, 'pilot', 'resume');
    if (deny) return deny;
    const r = this.supervisor.resume(this.clock.nowS(), who.id);
    this.runEffects();
    return this.record(who, 'resume', r.ok ? { ok: true, message: 'autonomy resumed' } : r);
  }

  /** Arm, gated by safety: valid geofence and a connected pilot when required, link up, not e-stopped. */
  async arm(who: Who): Promise<CommandOutcome> {
    const deny = this.checkRole(who, 'pilot', 'arm');
    if (deny) return deny;
    const missing = this.armBlockers();
    if (missing.length) {
      return this.record(who, 'arm', { ok: false, code: 'ARM_REFUSED', message: `refusing to arm: ${missing.join('; ')}` });
    }
    return this.record(who, 'arm', await this.linkCall(() => this.link.arm()));
  }

  /** What stands between now and arming (empty = may arm). */
  armBlockers(): string[] {
    const missing: string[] = [];
    if (this.options.requireGeofenceToArm && !this.geofence) missing.push('no geofence: give one with --geofence FILE (polygonNeM, minAltitudeM, maxAltitudeM)');
    if (this.options.requirePilotToArm && this.pilots.size === 0) missing.push('no pilot connected: a pilot client (ground station, role pilot) must be connected to take over and e-stop');
    if (this.supervisor.state === 'estop') missing.push('e-stop is latched: a pilot must re-arm first');
    const health = this.link.health();
    if (!health.connected || health.lastMessageAgeS > this.supervisor.settings.linkStaleS) missing.push(`vehicle link ${this.link.endpoint} has no fresh telemetry`);
    const battery = this.link.latestTelemetry()?.batteryFraction;
    if (battery !== null && battery !== undefined && battery <= this.supervisor.settings.lowBatteryFraction) {
      missing.push(`battery ${(battery * 100).toFixed(0)} % is at or below the low-battery limit`);
    }
    return missing;
  }

  async disarm(who: Who): Promise<CommandOutcome> {
    const deny = this.checkRole(who, 'pilot', 'disarm');
    if (deny) return deny;
    return this.record(who, 'disarm', await this.linkCall(() => this.link.disarm()));
  }

  /** Take off to `altitudeM` above home; the altitude must lie inside the geofence band. */
  async takeoff(altitudeM: number, who: Who): Promise<CommandOutcome> {
    const deny = this.checkRole(who, 'pilot', 'takeoff', { altitudeM });
    if (deny) return deny;
    const fence = this.geofence;
    const m = this.supervisor.envelope.settings.fenceMarginM;
    if (!(altitudeM > 0) || (fence && (altitudeM < fence.minAltitudeM + m || altitudeM > fence.maxAltitudeM - m))) {
      const band = fence ? ` and inside the geofence band ${fence.minAltitudeM + m}…${fence.maxAltitudeM - m} m` : '';
      return this.record(who, 'takeoff', { ok: false, code: 'TAKEOFF_BAD_ALTITUDE', message: `takeoff altitude ${altitudeM} m: must be > 0${band}.` }, { altitudeM });
    }
    if (this.supervisor.state === 'estop') return this.record(who, 'takeoff', { ok: false, code: 'SAFETY_ESTOP', message: 'e-stop is latched: a pilot must re-arm first.' }, { altitudeM });
    return this.record(who, 'takeoff', await this.linkCall(() => this.link.takeoff(altitudeM)), { altitudeM });
  }

  /** Land here: autonomy off, the autopilot lands. */
  async land(who: Who, text?: string): Promise<CommandOutcome> {
    return this.vehicleAction('land', who, text);
  }

  /** Return home: autonomy off, the autopilot returns and lands. */
  async returnHome(who: Who, text?: string): Promise<CommandOutcome> {
    return this.vehicleAction('return', who, text);
  }

  private vehicleAction(action: 'land' | 'return', who: Who, text?: string): CommandOutcome {
    const command: CommandName = action === 'land' ? 'land' : 'return-home';
    const deny = this.checkRole(who, 'vehicle', command, undefined, text);
    if (deny) return deny;
    const nowS = this.clock.nowS();
    this.shotController.clearShot(nowS);
    this.supervisor.vehicleAction(nowS, action, who.id);
    this.runEffects();
    return this.record(who, command, { ok: true, message: action === 'land' ? 'landing' : 'returning home' }, undefined, text);
  }

  /** A pilot client is connected (ground station session, bus client); call the result on disconnect. */
  connectPilot(who: Who): () => void {
    if (who.role !== 'pilot') throw new CinePilotError('ROLE_NOT_PILOT', `${who.id} has role ${who.role}; only pilots count as a connected pilot.`);
    this.pilots.set(who.id, (this.pilots.get(who.id) ?? 0) + 1);
    this.record(who, 'pilot-connect', { ok: true });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.pilots.get(who.id) ?? 1) - 1;
      if (n <= 0) this.pilots.delete(who.id);
      else this.pilots.set(who.id, n);
      this.record(who, 'pilot-disconnect', { ok: true });
    };
  }

  // ---- the tick -------------------------------------------------------------------------------

  private tick(info: TickInfo): void {
    const nowS = info.nowS;
    this.tickCount++;
    const tel = this.link.latestTelemetry();
    const health = this.link.health();
    const linkAgeS = tel ? health.lastMessageAgeS : Infinity;
    this.subjects.update?.(nowS);

    let control: ControlOutput | null = null;
    let controlError: string | null = null;
    if (this.supervisor.streaming && tel && linkAgeS <= this.supervisor.settings.linkStaleS) {
      try {
        control = this.shotController.tick({ timeS: nowS, telemetry: tel, subjects: this.subjects });
      } catch (err) {
        controlError = (err as Error).message || String(err);
      }
      if (control) this.lastOutput = control;
    }

    const shot = this.shotController.status();
    const shotSubjects = shot.shot?.subjects ?? [];
    const perceptionAge = shotSubjects.length ? perceptionAgeS(this.subjects, shotSubjects, nowS) : null;
    const people: PersonObstacle[] = peopleAt(this.subjects, nowS);

    const decision = this.supervisor.step({ nowS, telemetry: tel, linkAgeS, perceptionAgeS: perceptionAge, control, controlError, people });
    // Fire-and-forget: the link queues or sends; nothing here waits.
    if (decision.setpoint) this.link.sendSetpoint(decision.setpoint);
    if (decision.gimbal) this.link.setGimbal(decision.gimbal);
    if (decision.lens) this.link.setLens(decision.lens);
    this.runEffects();
    if (tel && linkAgeS <= this.supervisor.settings.linkStaleS) this.reassertVehicleMode(nowS, tel);

    if (this.tickCount % this.loopStatsEveryTicks === 0) {
      this.cachedLoopStats = this.loop.stats();
      this.log?.write('loop', nowS, { timeS: nowS, ...this.cachedLoopStats });
    }
    const snap = this.buildSnapshot(nowS, tel, control, decision);
    this.lastSnapshot = snap;
    if (this.log) {
      this.log.write('tick', nowS, {
        timeS: nowS, tick: info.index, scheduledS: info.scheduledS, vehicle: tel, setpoint: decision.setpoint, gimbal: decision.gimbal, lens: decision.lens,
        interventions: decision.interventions,
        safety: { state: this.supervisor.state, envelope: this.supervisor.envelopeStatus },
        shot: { kind: shot.shot?.kind ?? null, phase: shot.phase, progress: shot.progress, elapsedS: shot.elapsedS },
        solver: control?.diagnostics ?? (controlError ? { status: 'exception', message: controlError } : null),
        targets: control?.targets ?? null,
        linkAgeS: Number.isFinite(linkAgeS) ? linkAgeS : null,
      });
      if (control?.plan) this.log.write('plan', nowS, { timeS: nowS, plan: control.plan });
      if (snap.subjects.length) this.log.write('subjects', nowS, { timeS: nowS, subjects: snap.subjects });
    }
    this.stateSubject.next(snap);
  }

  private buildSnapshot(
    nowS: number, tel: VehicleTelemetry | null, control: ControlOutput | null,
    decision: { setpoint: Setpoint | null; gimbal: GimbalCommand | null; lens: LensCommand | null } | null,
  ): RuntimeSnapshot {
    const subjects: SubjectSnapshot[] = [];
    for (const name of this.subjects.names()) {
      const s = this.subjects.predict(name, nowS);
      if (s) subjects.push({ name, positionNedM: s.positionNedM, velocityNedMps: s.velocityNedMps, headingRad: s.headingRad, sigmaM: s.positionSigmaM });
    }
    const health = this.link.health();
    return {
      timeS: nowS,
      tick: this.tickCount,
      vehicle: tel,
      link: { ...health, kind: this.link.kind, endpoint: this.link.endpoint },
      subjects,
      shot: this.shotController.status(),
      targets: control?.targets ?? null,
      plan: (control ?? this.lastOutput)?.plan ?? null,
      sent: decision ? { setpoint: decision.setpoint, gimbal: decision.gimbal, lens: decision.lens } : { setpoint: null, gimbal: null, lens: null },
      solver: control?.diagnostics ?? null,
      safety: this.safetySnapshot(),
      loop: this.cachedLoopStats,
      pilots: [...this.pilots.keys()],
    };
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Run the link actions the supervisor asked for, in order, without waiting. */
  private runEffects(effects: SafetyEffect[] = this.supervisor.takeEffects()): void {
    if (!effects.length) return;
    const act: Record<SafetyEffect, () => Promise<CommandResult>> = {
      hold: () => this.link.hold(),
      return: () => this.link.returnHome(),
      land: () => this.link.land(),
      'start-offboard': () => this.link.startOffboard(),
      'stop-offboard': () => this.link.stopOffboard(),
    };
    // Sequential: a hold must reach the autopilot before a later return, say.
    // The first call starts now (an e-stop's hold leaves in the same instant).
    const report = (effect: SafetyEffect, result: CommandResult) => {
      this.eventSubject.next({ kind: 'link-effect', effect, result });
      if (!result.ok) console.error(`controller: ${effect} on ${this.link.endpoint} failed: ${result.message}`);
    };
    const [first, ...rest] = effects as [SafetyEffect, ...SafetyEffect[]];
    let chain: Promise<unknown> = this.linkCall(act[first]).then((r) => report(first, r));
    for (const effect of rest) {
      chain = chain.then(async () => report(effect, await this.linkCall(act[effect])));
    }
    const p = chain.finally(() => this.pendingEffects.delete(p));
    this.pendingEffects.add(p);
  }

  /**
   * A link action can be lost (sent while the radio was down). In the latched
   * states, when telemetry shows the vehicle is not doing what the state
   * demands, ask again, at most once per ACTION_RETRY_S.
   */
  private reassertVehicleMode(nowS: number, tel: VehicleTelemetry): void {
    if (!tel.armed || !tel.inAir || nowS - this.lastReassertS < ACTION_RETRY_S) return;
    const st = this.supervisor.state;
    let effect: SafetyEffect | null = null;
    if (st === 'returning' && tel.mode !== 'return' && tel.mode !== 'land') effect = 'return';
    else if (st === 'landing' && tel.mode !== 'land') effect = 'land';
    else if (st === 'estop' && tel.mode === 'offboard') effect = 'hold';
    else if (st === 'pilot-override' && tel.mode === 'offboard') effect = 'stop-offboard';
    if (!effect) return;
    this.lastReassertS = nowS;
    this.runEffects([effect]);
  }

  private async linkCall(fn: () => Promise<CommandResult>): Promise<CommandResult> {
    try {
      return await fn();
    } catch (err) {
      return { ok: false, code: 'LINK_ERROR', message: (err as Error).message };
    }
  }

  private shotSafetyProblem(shot: ShotSpec, tel: VehicleTelemetry | null): CommandOutcome | null {
    if (!tel) return { ok: false, code: 'LINK_NO_TELEMETRY', message: `no telemetry from ${this.link.endpoint}; is the vehicle connected?` };
    if (!tel.armed || !tel.inAir) return { ok: false, code: 'VEHICLE_NOT_FLYING', message: 'the vehicle is not flying: arm and take off first.' };
    const fence = this.geofence;
    const m = this.supervisor.envelope.settings.fenceMarginM;
    if (fence && shot.heightM !== undefined && (shot.heightM < fence.minAltitudeM + m || shot.heightM > fence.maxAltitudeM - m)) {
      return { ok: false, code: 'SHOT_OUTSIDE_GEOFENCE', message: `heightM ${shot.heightM} m is outside the geofence band ${fence.minAltitudeM + m}…${fence.maxAltitudeM - m} m.` };
    }
    const r = this.supervisor.envelope.settings.keepOutRadiusM;
    if (shot.distanceM !== undefined && shot.distanceM < r) {
      return { ok: false, code: 'SHOT_INSIDE_KEEP_OUT', message: `distanceM ${shot.distanceM} m is inside the ${r.toFixed(1)} m keep-out radius around people; ask for ${Math.ceil(r)} m or more.` };
    }
    return null;
  }

  private checkRole(who: Who, kind: keyof typeof ROLES_FOR, command: CommandName, spec?: unknown, text?: string): CommandOutcome | null {
    if (ROLES_FOR[kind].has(who.role)) return null;
    const allowed = [...ROLES_FOR[kind]].filter((r) => r !== 'system').join(' or ');
    return this.record(who, command, { ok: false, code: 'ROLE_NOT_ALLOWED', message: `${command} needs the ${allowed} role; ${who.id} is ${who.role}.` }, spec, text);
  }

  private record(who: Who, command: CommandName, outcome: CommandOutcome, spec?: unknown, text?: string): CommandOutcome {
    const atS = this.clock.nowS();
    const rec: CommandRecord = { atS, wallTime: new Date().toISOString(), who: who.id, role: who.role, command, accepted: outcome.ok };
    if (text !== undefined) rec.text = text;
    if (spec !== undefined) rec.spec = spec;
    if (!outcome.ok) {
      rec.code = outcome.code;
      rec.reason = outcome.message;
    }
    this.log?.write('commands', atS, rec);
    this.eventSubject.next({ kind: 'command', record: rec });
    return outcome;
  }

  private onTickError(err: unknown): void {
    console.error('controller: tick failed:', err);
  }
}
