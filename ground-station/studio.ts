/**
 * The studio: simulator + controller runtime + shot language behind the
 * ground-station server, in one process (`npm start`). This file is the one
 * place where the ground station meets the other modules; it implements the
 * server's `Studio` interface (studio-api.ts) on top of:
 *
 *   sim/        SimWorld + RealtimeRunner + SimVehicleLink, the noisy subject predictor
 *   controller/ Runtime (loop, safety supervisor, flight log), createVehicleLink for real aircraft
 *   cli/commands/validate.ts  the controller registry (MPC when registered, else the baseline)
 *   ground-station/language/   parseShot
 *   ground-station/speech/     offline recogniser (when present)
 *
 * Multi-drone ready: vehicles live in a map keyed by id; this release
 * composes one.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { CinePilotError } from '../core/errors.ts';
import { cameraPoseFromVehicle } from '../core/frames.ts';
import { DEFAULT_PERSON_HEIGHT_M, PERSON_POINT_HEIGHT_FRACTION } from '../core/framing.ts';
import type { ShotSpec } from '../core/shot-spec.ts';
import type { ShotController } from '../core/shot-controller.ts';
import { monotonicS } from '../core/units.ts';
import { vec3, type Vec3 } from '../core/vec3.ts';
import type { Setpoint, VehicleLink } from '../core/vehicle-link.ts';
import { CameraProjector, emptyProjection } from '../mpc/camera.ts';
import { farLimitM, nearLimitM } from '../mpc/optics.ts';
import type { Rig } from '../hardware-profiles/schema.ts';
import { loadRig } from '../hardware-profiles/loader.ts';
import { Runtime, type CommandOutcome, type RuntimeSnapshot, type Who } from '../controller/runtime.ts';
import { NO_SUBJECTS, type SubjectSource } from '../controller/loop/subject-source.ts';
import { FlightLogWriter } from '../controller/flight-log/writer.ts';
import { createVehicleLink } from '../controller/links/factory.ts';
import { type LoadedScene, loadScene } from '../sim/scene-loader.ts';
import { SimWorld } from '../sim/world.ts';
import { SimVehicleLink } from '../sim/sim-vehicle-link.ts';
import { RealtimeRunner } from '../sim/realtime.ts';
import { noisyConstantVelocityPredictor } from '../sim/noisy-predictor.ts';
import { tickErrors } from '../sim/metrics.ts';
import type { ShotTrace } from '../sim/trace.ts';
import { CONTROLLERS, DEFAULT_CONTROLLER } from '../cli/commands/validate.ts';
import { parseShot, safetyContext, type ParseContext } from './language/index.ts';
import type { CommandParams, CommandType } from './protocol/commands.ts';
import { GroundStationError } from './protocol/errors.ts';
import type { PreviewResult, PropInfo, SceneInfo, ShotLibraryEntry, SubjectState, VehicleState } from './protocol/state.ts';
import type { Principal } from './server/access.ts';
import type { AuditEntry, AuditSink } from './server/audit.ts';
import type { HeardStop, SpeechResult, Studio, StudioState } from './studio-api.ts';
import { NamedSubjects } from './studio/named-subjects.ts';
import { liveShotController } from './studio/live-controller.ts';
import { PreviewRunner } from './studio/preview.ts';
import { shotLibrary } from './studio/shot-library.ts';
import { SimTimeClock } from '../sim/sim-time-clock.ts';
import { disposeSpeech, prepareSpeech, recogniseSpeech, speechAvailable } from './studio/speech-bridge.ts';

export const DEFAULT_SCENE = 'two-actors';
/** Controller tick rate of the studio, Hz (the runtime's own default is 50; 25 leaves CPU for the MPC, the server and preview on small machines). */
export const DEFAULT_STUDIO_CONTROL_RATE_HZ = 25;
export const DEFAULT_TAKEOFF_ALTITUDE_M = 5;
/** Subject predictions shown in the 3D view: this many steps of PREDICTION_STEP_S. */
const PREDICTION_STEPS = 30;
const PREDICTION_STEP_S = 0.1;
const PLAN_POINTS_MAX = 200;
const SUBJECT_PALETTE = ['#ffd54f', '#4dd0e1', '#f06292', '#aed581', '#ba68c8'];
/** Preferred controllers in order; the first one registered is flown. */
const CONTROLLER_PREFERENCE = ['mpc', DEFAULT_CONTROLLER];

export interface StudioOptions {
  /** built-in scene name or scene file (default two-actors) */
  scene?: string;
  /** rig name or file (default: the scene's rig) */
  rig?: string;
  /** 'sim' (default) or a real aircraft: mavlink:…, mavsdk://… */
  link?: string;
  /** controller registry name (default: mpc when registered, else baseline) */
  controller?: string;
  seed?: number;
  controlRateHz?: number;
  /** MCAP flight log path; null for none */
  flightLogPath?: string | null;
  /**
   * Simulated seconds per wall second (default 1). Below 1 the simulator and
   * the controller (which runs on simulated time) slow down together, and
   * the controller's wall-clock budgets grow by 1/speed: for machines too
   * slow or too busy to run the MPC in real time.
   */
  simSpeed?: number;
  /**
   * Controller rate of previews, Hz (default: the live control rate). Lower
   * is faster to compute and a coarser forecast of what Go will do.
   */
  previewControlRateHz?: number;
}

export const MIN_SIM_SPEED = 0.05;
export const MAX_SIM_SPEED = 4;

interface VehicleSlot {
  id: string;
  label: string;
  link: VehicleLink;
  runtime: Runtime;
  controllerKind: string;
  /** words of the shot now flying, when it came from words */
  shotText: string | null;
  setpoints: number;
  setpointListeners: Set<(sp: Setpoint, atS: number) => void>;
}

/** Pick the controller: the one asked for, else the first registered of CONTROLLER_PREFERENCE. */
function controllerName(asked: string | undefined): string {
  if (asked) {
    if (!CONTROLLERS[asked]) throw new CinePilotError('BAD_FLAG', `--controller ${asked}: unknown; known: ${Object.keys(CONTROLLERS).join(', ')}`);
    return asked;
  }
  return CONTROLLER_PREFERENCE.find((n) => CONTROLLERS[n]) ?? Object.keys(CONTROLLERS)[0]!;
}

function tuple(v: Vec3): [number, number, number] {
  return [v.x, v.y, v.z];
}

function propsOf(world: SimWorld): PropInfo[] {
  return world.objects.map((o) => ({
    name: o.name,
    role: o.role,
    shape: o.shape.type,
    positionNedM: tuple(o.positionNedM),
    sizeM: o.shape.type === 'box' ? [o.shape.sizeM[0], o.shape.sizeM[1], o.shape.sizeM[2]] : [o.shape.radiusM, o.shape.radiusM, o.shape.heightM],
    yawRad: o.yawRad,
    colour: o.colour,
  }));
}

/** What createStudio composes; LiveStudio only wires them to the server's interface. */
export interface StudioParts {
  loadedScene: LoadedScene;
  rig: Rig;
  world: SimWorld | null;
  runner: RealtimeRunner | null;
  clock: SimTimeClock | null;
  subjects: NamedSubjects;
  flightLog: FlightLogWriter | null;
  preview: PreviewRunner | null;
  seed: number;
  speechOnServer: boolean;
  simSpeed: number;
  previewControlRateHz: number;
}

export class LiveStudio implements Studio {
  readonly scene: SceneInfo;
  shotLibrary: ShotLibraryEntry[];
  readonly speech: { server: boolean };
  readonly auditSink: AuditSink | null;
  readonly vehicles = new Map<string, VehicleSlot>();
  private readonly projector: CameraProjector;
  private readonly projection = emptyProjection();
  private readonly point = vec3();
  private closed = false;

  readonly loadedScene: LoadedScene;
  readonly rig: Rig;
  /** the simulated set; null when flying a real aircraft */
  readonly world: SimWorld | null;
  readonly subjects: NamedSubjects;
  readonly simSpeed: number;
  private readonly runner: RealtimeRunner | null;
  private readonly clock: SimTimeClock | null;
  private readonly flightLog: FlightLogWriter | null;
  private readonly preview: PreviewRunner | null;
  private readonly seed: number;
  private readonly previewControlRateHz: number;

  constructor(parts: StudioParts) {
    const { loadedScene, rig, world, subjects, flightLog } = parts;
    this.loadedScene = loadedScene;
    this.rig = rig;
    this.world = world;
    this.subjects = subjects;
    this.simSpeed = parts.simSpeed;
    this.runner = parts.runner;
    this.clock = parts.clock;
    this.flightLog = flightLog;
    this.preview = parts.preview;
    this.seed = parts.seed;
    this.previewControlRateHz = parts.previewControlRateHz;
    const fence = world?.geofence ?? loadedScene.spec.geofence;
    this.scene = {
      name: loadedScene.spec.name,
      geofence: fence ? { polygonNeM: fence.polygonNeM.map(([n, e]) => [n, e] as [number, number]), minAltitudeM: fence.minAltitudeM, maxAltitudeM: fence.maxAltitudeM } : null,
      keepOutRadiusM: rig.safety.keepOutRadiusM,
      props: world ? propsOf(world) : [],
      // People the scene names (the predictor knows them only after its first update).
      subjectNames: loadedScene.spec.subjects.filter((x) => x.kind === 'person').map((x) => x.name),
    };
    this.shotLibrary = shotLibrary(this.scene.subjectNames);
    this.speech = { server: parts.speechOnServer };
    this.projector = new CameraProjector({ positionNedM: vec3(), yawRad: 0, pitchRad: 0, rollRad: 0 }, { focalLengthMm: 50, sensorWidthMm: rig.camera.sensorWidthMm, sensorHeightMm: rig.camera.sensorHeightMm });
    // Commands that never reach the runtime (refused at the edge, or with no
    // vehicle effect) still go to the flight log; the runtime logs the rest itself.
    this.auditSink = flightLog ? (e: AuditEntry) => {
      const reachesRuntime = e.ok && !['parse', 'preview', 'name-subject', 'speech'].includes(e.command);
      if (reachesRuntime) return;
      flightLog.write('commands', this.nowS(), {
        atS: this.nowS(), wallTime: e.wallTime, who: e.who, role: e.role, command: e.command, spec: (e.params ?? null) as object | null,
        accepted: e.ok, ...(e.code ? { code: e.code } : {}), ...(e.message ? { reason: e.message } : {}),
      });
    } : null;
  }

  addVehicle(slot: Omit<VehicleSlot, 'setpoints' | 'setpointListeners' | 'shotText'>): VehicleSlot {
    const full: VehicleSlot = { ...slot, shotText: null, setpoints: 0, setpointListeners: new Set() };
    // Count and time every setpoint that reaches the link (for the state and the go→setpoint benchmark).
    const send = slot.link.sendSetpoint.bind(slot.link);
    slot.link.sendSetpoint = (sp: Setpoint) => {
      full.setpoints++;
      send(sp);
      const at = monotonicS();
      for (const l of full.setpointListeners) l(sp, at);
    };
    this.vehicles.set(slot.id, full);
    return full;
  }

  nowS(): number {
    return this.clock ? this.clock.nowS() : monotonicS();
  }

  private vehicle(id: string | undefined): VehicleSlot {
    const slot = id === undefined ? this.vehicles.values().next().value : this.vehicles.get(id);
    if (!slot) throw new GroundStationError('UNKNOWN_VEHICLE', `no vehicle "${id}"; vehicles: ${[...this.vehicles.keys()].join(', ')}`);
    return slot;
  }

  /** Listen to setpoints sent to a vehicle (monotonic send time in seconds). */
  onSetpoint(vehicleId: string | undefined, listener: (sp: Setpoint, atS: number) => void): () => void {
    const slot = this.vehicle(vehicleId);
    slot.setpointListeners.add(listener);
    return () => slot.setpointListeners.delete(listener);
  }

  // ---- state ------------------------------------------------------------------------------------

  state(): StudioState {
    const vehicles: VehicleState[] = [];
    let timeS = this.nowS();
    let subjects: SubjectState[] = [];
    for (const slot of this.vehicles.values()) {
      const snap = slot.runtime.snapshot();
      timeS = snap.timeS;
      const v = this.vehicleState(slot, snap);
      if (v) vehicles.push(v);
      if (subjects.length === 0) subjects = this.subjectStates(snap);
    }
    return { timeS, wallClockMs: Date.now(), vehicles, subjects };
  }

  private heightOf(name: string): number {
    const src = this.subjects.sourceName(name);
    return this.loadedScene.spec.subjects.find((s) => s.name === src)?.heightM ?? DEFAULT_PERSON_HEIGHT_M;
  }

  private colourOf(name: string, index: number): string {
    const src = this.subjects.sourceName(name);
    return this.loadedScene.spec.subjects.find((s) => s.name === src)?.colour ?? SUBJECT_PALETTE[index % SUBJECT_PALETTE.length]!;
  }

  private subjectStates(snap: RuntimeSnapshot): SubjectState[] {
    return snap.subjects.map((s, i) => {
      const predicted: Array<[number, number, number]> = [];
      for (let k = 1; k <= PREDICTION_STEPS; k++) {
        const p = this.subjects.predict(s.name, snap.timeS + k * PREDICTION_STEP_S);
        if (p) predicted.push(tuple(p.positionNedM));
      }
      return {
        id: this.subjects.idOf(s.name),
        name: s.name,
        colour: this.colourOf(s.name, i),
        positionNedM: tuple(s.positionNedM),
        velocityNedMps: tuple(s.velocityNedMps),
        headingRad: s.headingRad,
        heightM: this.heightOf(s.name),
        predictedNedM: predicted,
        predictionStepS: PREDICTION_STEP_S,
      };
    });
  }

  private vehicleState(slot: VehicleSlot, snap: RuntimeSnapshot): VehicleState | null {
    const tel = snap.vehicle ?? slot.link.latestTelemetry();
    if (!tel) return null;
    const cam = this.rig.camera;
    const pose = cameraPoseFromVehicle(tel.positionNedM, tel.yawRad, tel.gimbal, this.rig.gimbal.mountOffsetM);
    const lens = tel.lens;
    const far = farLimitM(lens.focalLengthMm, lens.fNumber, cam.cocMm, lens.focusDistanceM);
    // The sim's own per-tick error definitions (sim/metrics.ts), applied to what the controller sees.
    const traceSubjects = snap.subjects.map((s) => ({ name: s.name, positionNedM: s.positionNedM, velocityNedMps: s.velocityNedMps, headingRad: s.headingRad, heightM: this.heightOf(s.name) }));
    const trace = {
      camera: { sensorWidthMm: cam.sensorWidthMm, sensorHeightMm: cam.sensorHeightMm, cocMm: cam.cocMm, imageWidthPx: cam.imageWidthPx, imageHeightPx: cam.imageHeightPx },
      ticks: [{ camera: pose, lens, subjects: traceSubjects, targets: snap.targets, timeS: snap.timeS }],
    } as unknown as ShotTrace;
    const errors = tickErrors(trace)[0]!;
    const measured: VehicleState['shot']['measured'] = [];
    if (snap.targets) {
      this.projector.setPose(pose);
      this.projector.setIntrinsics({ focalLengthMm: lens.focalLengthMm, sensorWidthMm: cam.sensorWidthMm, sensorHeightMm: cam.sensorHeightMm });
      for (const t of snap.targets.points) {
        const s = traceSubjects.find((x) => x.name === t.subject);
        if (!s) continue;
        this.point.x = s.positionNedM.x;
        this.point.y = s.positionNedM.y;
        this.point.z = s.positionNedM.z - s.heightM * PERSON_POINT_HEIGHT_FRACTION[t.point];
        const p = this.projector.project(this.point, this.projection);
        if (p.inFront) measured.push({ subject: t.subject, point: t.point, u: p.u, v: p.v });
      }
    }
    const plan = snap.plan;
    const step = plan ? Math.max(1, Math.ceil(plan.positionsNedM.length / PLAN_POINTS_MAX)) : 1;
    const every = <T>(a: T[]) => a.filter((_, i) => i % step === 0);
    const shot = snap.shot;
    const safetyState = snap.safety.state;
    return {
      id: slot.id,
      label: slot.label,
      timestampS: tel.timestampS,
      positionNedM: tuple(tel.positionNedM),
      velocityNedMps: tuple(tel.velocityNedMps),
      rollRad: tel.rollRad,
      pitchRad: tel.pitchRad,
      yawRad: tel.yawRad,
      armed: tel.armed,
      inAir: tel.inAir,
      mode: tel.mode,
      batteryFraction: tel.batteryFraction,
      gimbal: { ...tel.gimbal },
      cameraNedM: tuple(pose.positionNedM),
      lens: {
        focalLengthMm: lens.focalLengthMm, focusDistanceM: lens.focusDistanceM, fNumber: lens.fNumber,
        nearLimitM: nearLimitM(lens.focalLengthMm, lens.fNumber, cam.cocMm, lens.focusDistanceM),
        farLimitM: Number.isFinite(far) ? far : null,
      },
      camera: { sensorWidthMm: cam.sensorWidthMm, sensorHeightMm: cam.sensorHeightMm, cocMm: cam.cocMm, imageWidthPx: cam.imageWidthPx, imageHeightPx: cam.imageHeightPx },
      subjectDistancesM: errors.subjectDepthM,
      plan: plan ? {
        timeS: every(plan.timeS), positionsNedM: every(plan.positionsNedM).map(tuple),
        focalLengthMm: every(plan.focalLengthMm), focusDistanceM: every(plan.focusDistanceM), fNumber: every(plan.fNumber),
      } : null,
      shot: {
        spec: shot.shot, text: shot.shot ? slot.shotText : null, phase: shot.phase, progress: shot.progress, elapsedS: shot.elapsedS,
        compositionError: errors.compositionError,
        targets: snap.targets?.points.map((p) => ({ subject: p.subject, point: p.point, u: p.u, v: p.v })) ?? [],
        measured,
      },
      safety: {
        state: safetyState,
        eStop: safetyState === 'estop',
        override: safetyState === 'pilot-override',
        reasons: snap.safety.lastTransition ? [snap.safety.lastTransition.detail] : [],
      },
      link: { ...snap.link, lastMessageAgeS: Number.isFinite(snap.link.lastMessageAgeS) ? snap.link.lastMessageAgeS : 1e9 },
      controller: { kind: slot.controllerKind, status: snap.solver?.status ?? (snap.safety.streaming ? 'streaming' : snap.safety.state), solveMs: snap.solver?.solveMs ?? null, setpoints: slot.setpoints },
    };
  }

  // ---- commands ---------------------------------------------------------------------------------

  private parseContext(slot: VehicleSlot): ParseContext {
    return {
      subjects: this.subjects.names(),
      current: slot.runtime.snapshot().shot.shot ?? undefined,
      // the same limits `cinepilot parse` and `cinepilot hear` use
      ...safetyContext(this.rig, slot.runtime.geofence ?? undefined),
    };
  }

  /** Words → ShotSpec, or SHOT_PARSE_FAILED with the parser's explanation. */
  parse(text: string, slot: VehicleSlot): ShotSpec {
    const r = parseShot(text, this.parseContext(slot));
    if (!r.ok) throw new GroundStationError('SHOT_PARSE_FAILED', r.error.message, { reason: r.error.code, ...(r.error.allowed ? { allowed: r.error.allowed } : {}) });
    return r.spec;
  }

  private shotInput(p: { text?: string; spec?: ShotSpec }, slot: VehicleSlot): { spec: ShotSpec; text: string | null } {
    if ((p.text === undefined) === (p.spec === undefined)) {
      throw new GroundStationError('SCHEMA_INVALID', 'give the shot as "text" (words) or as "spec" (a ShotSpec), exactly one of them');
    }
    return p.spec ? { spec: p.spec, text: null } : { spec: this.parse(p.text!, slot), text: p.text! };
  }

  private outcome(o: CommandOutcome, slot: VehicleSlot, failCode: 'SHOT_REJECTED' | 'COMMAND_FAILED' = 'COMMAND_FAILED'): { message: string } {
    if (o.ok) return { message: o.message ?? 'ok' };
    if (o.code === 'ROLE_NOT_ALLOWED') throw new GroundStationError('FORBIDDEN_ROLE', o.message, { reason: o.code });
    if (slot.runtime.supervisor.state === 'estop') throw new GroundStationError('E_STOP_ACTIVE', `${o.message} (e-stop engaged: a pilot must release it)`, { reason: o.code });
    throw new GroundStationError(failCode, o.message, { reason: o.code });
  }

  async execute<T extends CommandType>(type: T, params: CommandParams<T>, principal: Principal): Promise<unknown> {
    if (this.closed) throw new GroundStationError('COMMAND_FAILED', 'the studio is shutting down');
    const who: Who = { id: principal.name, role: principal.role };
    const p = params as Record<string, unknown> & { vehicleId?: string };
    if (type === 'name-subject') {
      const r = this.subjects.rename(p.subjectId as number, p.name as string);
      this.scene.subjectNames.splice(0, this.scene.subjectNames.length, ...this.subjects.names());
      this.shotLibrary = shotLibrary(this.scene.subjectNames);
      return r;
    }
    if (type === 'e-stop' && p.vehicleId === undefined) {
      // Every vehicle, each independently: one failing must not keep the others moving.
      const results = [...this.vehicles.values()].map((slot) => ({ vehicleId: slot.id, ...slot.runtime.eStop(who) }));
      const failed = results.filter((r) => !r.ok);
      if (failed.length) throw new GroundStationError('COMMAND_FAILED', `e-stop failed on ${failed.map((f) => f.vehicleId).join(', ')}`, { results });
      return { message: 'e-stop: every vehicle holding, autonomy off until a pilot releases it', vehicles: results.map((r) => r.vehicleId) };
    }
    const slot = this.vehicle(p.vehicleId);
    const rt = slot.runtime;
    switch (type) {
      case 'parse':
        return { spec: this.parse(p.text as string, slot) };
      case 'preview': {
        const { spec } = this.shotInput(p as { text?: string; spec?: ShotSpec }, slot);
        return this.runPreview(slot, spec);
      }
      case 'go': {
        const { spec, text } = this.shotInput(p as { text?: string; spec?: ShotSpec }, slot);
        const r = this.outcome(rt.submitShot(spec, who, text ?? undefined), slot, 'SHOT_REJECTED');
        slot.shotText = text;
        return { ...r, spec };
      }
      case 'hold': return this.outcome(rt.hold(who), slot);
      case 'stop': return this.outcome(rt.stopShot(who), slot);
      case 'e-stop': return this.outcome(rt.eStop(who), slot);
      case 'release-e-stop': return this.outcome(rt.rearm(who), slot);
      case 'override': return this.outcome(rt.setPilotOverride(p.active as boolean, who), slot);
      case 'resume': return this.outcome(rt.resume(who), slot);
      case 'arm': return this.outcome(await rt.arm(who), slot);
      case 'disarm': return this.outcome(await rt.disarm(who), slot);
      case 'takeoff': return this.outcome(await rt.takeoff((p.altitudeM as number | undefined) ?? DEFAULT_TAKEOFF_ALTITUDE_M, who), slot);
      case 'land': return this.outcome(await rt.land(who), slot);
      case 'return-home': return this.outcome(await rt.returnHome(who), slot);
      default:
        throw new GroundStationError('UNKNOWN_COMMAND', `unknown command ${String(type)}`);
    }
  }

  private async runPreview(slot: VehicleSlot, spec: ShotSpec): Promise<PreviewResult> {
    if (!this.preview || !this.world) {
      throw new GroundStationError('PREVIEW_FAILED', 'preview needs the simulator: this studio flies a real aircraft without a simulated copy of the set');
    }
    const tel = slot.link.latestTelemetry();
    if (!tel) throw new GroundStationError('PREVIEW_FAILED', 'no telemetry yet to start the preview from');
    const names = new Set(this.subjects.names());
    const unknown = [...spec.subjects, spec.focusOn, spec.focusFrom].filter((n): n is string => !!n && !names.has(n));
    if (unknown.length) throw new GroundStationError('SHOT_REJECTED', `unknown subject(s) ${unknown.join(', ')}; known: ${[...names].join(', ')}`, { reason: 'SHOT_UNKNOWN_SUBJECT' });
    // The copy of the set runs on the simulator's own names.
    const simSpec: ShotSpec = {
      ...spec,
      subjects: spec.subjects.map((n) => this.subjects.sourceName(n)),
      ...(spec.focusOn ? { focusOn: this.subjects.sourceName(spec.focusOn) } : {}),
      ...(spec.focusFrom ? { focusFrom: this.subjects.sourceName(spec.focusFrom) } : {}),
    };
    return this.preview.run({
      vehicleId: slot.id,
      scene: this.loadedScene.source,
      rig: this.rig.path,
      seed: this.seed,
      physicsRateHz: this.world.physicsRateHz,
      atS: this.world.timeS,
      telemetry: tel,
      controller: slot.controllerKind,
      simSpeed: this.simSpeed,
      controlRateHz: this.previewControlRateHz,
      spec: simSpec,
      shownSpec: spec,
    });
  }

  clientConnected(principal: Principal): () => void {
    if (principal.role !== 'pilot') return () => undefined;
    const releases = [...this.vehicles.values()].map((slot) => slot.runtime.connectPilot({ id: principal.name, role: 'pilot' }));
    return () => {
      for (const r of releases) r();
    };
  }

  async recognise(wav: Buffer, principal: Principal, onStop?: (heard: HeardStop) => Promise<unknown>): Promise<SpeechResult> {
    void principal;
    const heard = await recogniseSpeech(wav, this.parseContext(this.vehicle(undefined)), onStop);
    const parse = heard.result.ok ? { ok: true as const, spec: heard.result.spec } : { ok: false as const, error: heard.result.error.message };
    return { transcript: heard.transcript, confidence: heard.confidence, parse };
  }

  /** Command every real vehicle to hold, stop the loops, close links and the log. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.vehicles.values()) {
      if (slot.link.kind !== 'sim') {
        const held = await Promise.race([slot.link.hold(), new Promise<{ ok: false; message: string }>((r) => setTimeout(() => r({ ok: false, message: 'no answer within 2 s' }), 2000))]);
        if (!held.ok) console.error(`studio: hold on ${slot.link.endpoint} not confirmed: ${held.message}`);
      }
      await slot.runtime.stop();
      await slot.link.close();
    }
    this.runner?.stop();
    this.clock?.dispose();
    await this.preview?.close();
    disposeSpeech();
    if (this.flightLog) await this.flightLog.close().catch(() => undefined);
  }
}

/**
 * Compose the studio. With the default `link: 'sim'` the simulator runs in
 * real time and the drone starts where the scene puts it; with a real link
 * the simulator is not started and subjects come from nowhere yet (see
 * docs/ground-station.md, "Real aircraft").
 */
export async function createStudio(options: StudioOptions = {}): Promise<LiveStudio> {
  const linkUrl = options.link ?? 'sim';
  const seed = options.seed ?? 1;
  const sceneName = options.scene ?? DEFAULT_SCENE;
  const loadedScene = loadScene(sceneName);
  const rig = options.rig ? loadRig(options.rig) : loadedScene.rig;
  const scene: LoadedScene = options.rig ? { ...loadedScene, rig } : loadedScene;
  const controller = controllerName(options.controller);
  const isSim = linkUrl === 'sim';
  const simSpeed = options.simSpeed ?? 1;
  if (!(simSpeed >= MIN_SIM_SPEED && simSpeed <= MAX_SIM_SPEED)) {
    throw new CinePilotError('BAD_FLAG', `--sim-speed ${simSpeed}: must be within ${MIN_SIM_SPEED}…${MAX_SIM_SPEED} (simulated seconds per wall second)`);
  }
  if (!isSim && simSpeed !== 1) throw new CinePilotError('BAD_FLAG', '--sim-speed applies to the simulator only; a real aircraft flies in real time');

  let world: SimWorld | null = null, runner: RealtimeRunner | null = null, clock: SimTimeClock | null = null;
  let link: VehicleLink;
  let source: SubjectSource = NO_SUBJECTS;
  if (isSim) {
    world = new SimWorld(scene, { seed });
    link = new SimVehicleLink(world);
    const predictor = noisyConstantVelocityPredictor()(world, seed);
    source = predictor;
    runner = new RealtimeRunner(world, { speed: simSpeed });
    clock = new SimTimeClock(world, simSpeed);
  } else {
    link = await createVehicleLink(linkUrl, { rig });
  }
  const subjects = new NamedSubjects(source);
  const shotController = await liveShotController(controller, rig, scene, world, simSpeed);
  const rateHz = options.controlRateHz ?? DEFAULT_STUDIO_CONTROL_RATE_HZ;

  let flightLog: FlightLogWriter | null = null;
  if (options.flightLogPath) {
    mkdirSync(join(options.flightLogPath, '..'), { recursive: true });
    flightLog = await FlightLogWriter.open(options.flightLogPath);
  }
  const runtime = new Runtime({
    // a real aircraft flies inside the scene's geofence too (give --scene FILE with the real flight volume)
    link, rig, shotController, subjects, geofence: world?.geofence ?? scene.spec.geofence,
    ...(clock ? { clock } : {}),
    rateHz,
    // a solve may take one control period of wall time, stretched with the simulator
    safety: { solverBudgetMs: 1000 / rateHz / simSpeed },
    flightLog,
  });
  const preview = isSim ? new PreviewRunner() : null;
  const studio = new LiveStudio({
    loadedScene: scene, rig, world, runner, clock, subjects, flightLog, preview, seed,
    speechOnServer: speechAvailable(), simSpeed, previewControlRateHz: options.previewControlRateHz ?? rateHz,
  });
  studio.addVehicle({ id: 'drone-1', label: isSim ? 'drone-1 (sim)' : `drone-1 (${link.kind})`, link, runtime, controllerKind: controller });
  // before the loops start: the models' build blocks, and the first recording may be a stop
  if (studio.speech.server) {
    try {
      prepareSpeech(subjects.names());
    } catch (err) {
      // speech answers SPEECH_UNAVAILABLE with the reason later; the studio still flies
      console.error(`studio: speech models not built: ${(err as Error).message}`);
    }
  }
  runner?.start();
  await runtime.start();
  return studio;
}
