/**
 * The MPC shot controller: shot executor (recipes, shot clock, blending) +
 * cinematography OCP model + RTI-SQP solver behind the core ShotController
 * seam. Each tick: measured state → x̂, recipe references at every stage of
 * the horizon → p_k, one real-time iteration (prepare + feedback), then the
 * plan becomes the vehicle setpoint (position + velocity + acceleration
 * feed-forward, yaw + yaw rate), the gimbal command and the lens command,
 * each read from the plan a little ahead to cover its actuator's lag.
 *
 * Solver trouble never leaves the vehicle without a command: a failed QP
 * keeps the shifted previous plan (status 'fallback:<qp status>'); after
 * MAX_FALLBACK_TICKS failures in a row, or a non-finite model value, the
 * vehicle is told to hold where it is and the solver restarts next tick.
 */
import type {
  ControlInput, ControlOutput, Geofence, PlanSummary, ShotController, ShotStatus,
} from '../core/shot-controller.ts';
import type { ShotSpec } from '../core/shot-spec.ts';
import type { SubjectEstimate, SubjectPredictor } from '../core/perception-types.ts';
import type { VehicleTelemetry } from '../core/vehicle-link.ts';
import type { Rig } from '../hardware-profiles/schema.ts';
import { CinePilotError } from '../core/errors.ts';
import { DEFAULT_PERSON_HEIGHT_M } from '../core/framing.ts';
import { clamp, monotonicS, wrapAngleRad } from '../core/units.ts';
import { type Vec3, vec3 } from '../core/vec3.ts';
import { createRtiSolver, type RtiSolver } from '../mpc/sqp/index.ts';
import { CinematographyModel, type CinematographyModelSettings } from '../mpc/cinematography/model.ts';
import { NU, NX, U, X, fNumberFromStops, stopsFromFNumber } from '../mpc/cinematography/layout.ts';
import { StagePacker } from '../mpc/cinematography/stage-params.ts';
import { targetsFromReference } from '../mpc/cinematography/recipes/index.ts';
import { createStageReference, type RecipeContext, type StageReference } from '../mpc/cinematography/recipes/types.ts';
import { WEIGHTS } from '../mpc/cinematography/recipes/common.ts';
import { ShotExecutor } from './shot-executor.ts';

/** RTI iterations on a cold start (first tick, after a restart) so the first plan is converged. */
export const COLD_START_ITERATIONS = 6;
/** Extra iterations on the tick a new shot starts (its references jump; the plan should not lag). */
export const NEW_SHOT_ITERATIONS = 2;
/** QP wall-clock budget per RTI step, ms. */
export const DEFAULT_QP_TIME_LIMIT_MS = 15;
export const DEFAULT_QP_MAX_ITERATIONS = 25;
/**
 * Stationarity and complementarity tolerance of each RTI QP, relative to the
 * QP's linear cost (max(1, ‖q‖∞, ‖r‖∞)): one real-time iteration only needs a
 * good step, the next tick re-linearises anyway. Over the 15 shot kinds the
 * QPs take 2.1 IPM iterations per tick on average (5.5 with an absolute
 * 1e-6), every shot keeps its tolerances, and composition moves by < 3e-3.
 */
export const DEFAULT_QP_TOLERANCE = 1e-4;
/** Floor of the warm-started slacks and multipliers (see the solver settings below). */
export const DEFAULT_QP_WARM_SLACK = 1e-3;
/**
 * A shot set before the controller has seen any subjects waits this long for
 * perception to name them before it is refused, s.
 */
export const SUBJECT_WAIT_S = 5;
/** Failed QPs in a row before the controller holds position and restarts the solver. */
export const MAX_FALLBACK_TICKS = 5;
/** Share of the jerk limit assumed when making the initial acceleration viable (room for the discrete steps). */
export const VIABLE_JERK_SHARE = 0.7;
/** Plan look-ahead per actuator, s: the vehicle's position loop, the gimbal's lag, the lens motors' latency. */
export const SETPOINT_LEAD_S = 0.05;
export const GIMBAL_LEAD_S = 0.06;
export const LENS_LEAD_S = 0.08;
/** Focus commands beyond this distance are sent as this (the lens's infinity end), m. */
export const FAR_FOCUS_M = 1000;

export interface MpcShotControllerOptions {
  rig: Rig;
  /** flight volume; soft constraints keep the plan inside with a margin */
  geofence?: Geofence | null;
  /** scene objects a shallow-DoF shot may keep soft, NED */
  background?: Array<{ name: string; positionNedM: Vec3 }>;
  /** model settings (horizon, stage length, smoothness weights) */
  model?: Partial<CinematographyModelSettings>;
  qpTimeLimitMs?: number;
  qpMaxIterations?: number;
  qpTolerance?: number;
}

/**
 * Subject height: the prediction's own `heightM` (perception's tracker, the
 * simulator's noisy predictor), else a published estimate's.
 */
function estimatedHeight(predictor: SubjectPredictor, name: string, timeS: number): number | null {
  const fromSample = predictor.predict(name, timeS)?.heightM;
  if (fromSample !== undefined && fromSample > 0) return fromSample;
  const p = predictor as SubjectPredictor & { estimate?: (n: string) => SubjectEstimate | null };
  const h = typeof p.estimate === 'function' ? p.estimate(name)?.heightM : undefined;
  return h !== undefined && h > 0 ? h : null;
}

export class MpcShotController implements ShotController {
  readonly model: CinematographyModel;
  private readonly solver: RtiSolver;
  private readonly rig: Rig;
  private readonly opts: MpcShotControllerOptions;
  private readonly executor = new ShotExecutor();
  private readonly packer: StagePacker;
  private readonly refs: StageReference[];
  private readonly N: number;
  private readonly dtS: number;
  // N+1 stages × NX, the plan the parameters are laid over
  private readonly plan: Float64Array;
  private readonly x0 = new Float64Array(NX);
  private readonly xk = new Float64Array(NX);
  private readonly uk = new Float64Array(NU);
  private readonly xSetpoint = new Float64Array(NX);
  private readonly xGimbal = new Float64Array(NX);
  private readonly xLens = new Float64Array(NX);
  private readonly p: Float64Array;
  private planTimeS = NaN;
  private cold = true;
  private newShot = false;
  private fallbackTicks = 0;
  private predictor: SubjectPredictor | null = null;
  private pendingSpec: { spec: ShotSpec; nowS: number } | null = null;
  private pendingClear: number | null = null;
  private readonly heights = new Map<string, number>();
  /** why the last deferred shot was refused (its subjects never appeared, …), for the operator */
  lastRefusal: string | null = null;

  constructor(opts: MpcShotControllerOptions) {
    this.opts = opts;
    this.rig = opts.rig;
    this.model = new CinematographyModel(opts.rig, opts.model);
    this.N = this.model.dims.N;
    this.dtS = this.model.dtS;
    this.solver = createRtiSolver(this.model, {
      qp: {
        timeLimitMs: opts.qpTimeLimitMs ?? DEFAULT_QP_TIME_LIMIT_MS,
        maxIterations: opts.qpMaxIterations ?? DEFAULT_QP_MAX_ITERATIONS,
        tolStationarity: opts.qpTolerance ?? DEFAULT_QP_TOLERANCE,
        tolComplementarity: opts.qpTolerance ?? DEFAULT_QP_TOLERANCE,
        // the keep-out and geofence rows change side between ticks as the
        // subject moves: over the 15 shot kinds a 1e-3 floor needs as many
        // IPM iterations as the RTI's 1e-4 (mean 5.5 vs 5.4) but fewer on the
        // hardest, the runner track (10.6 vs 11.9, fewer ticks at the cap)
        warmSlack: DEFAULT_QP_WARM_SLACK,
      },
    });
    this.packer = new StagePacker({
      N: this.N, dtS: this.dtS, keepOutRadiusM: opts.rig.safety.keepOutRadiusM, geofence: opts.geofence ?? null,
      heightOf: (n) => this.heightOf(n), cocMm: opts.rig.camera.cocMm,
    });
    this.refs = Array.from({ length: this.N + 1 }, () => createStageReference());
    this.plan = new Float64Array((this.N + 1) * NX);
    this.p = new Float64Array(this.model.dims.np);
  }

  /**
   * Validates the spec against the subjects known now and builds its recipe
   * when the first tick brings telemetry (the recipe anchors on the camera's
   * state). Unknown subjects → SHOT_UNKNOWN_SUBJECT listing the known names.
   */
  setShot(spec: ShotSpec, nowS: number): void {
    if (this.predictor && this.lastTelemetry) {
      this.executor.setShot(this.recipeContext(spec, nowS, this.lastTelemetry, this.predictor), nowS);
      this.newShot = true;
      this.pendingSpec = null;
    } else {
      this.pendingSpec = { spec, nowS };
    }
    this.pendingClear = null;
  }

  clearShot(nowS: number): void {
    this.pendingSpec = null;
    if (this.predictor && this.lastTelemetry) this.holdHere(nowS, this.lastTelemetry, this.predictor);
    else this.pendingClear = nowS;
  }

  status(): ShotStatus {
    if (this.pendingSpec) return { shot: this.pendingSpec.spec, phase: 'starting', progress: 0, elapsedS: 0 };
    return this.executor.status();
  }

  dispose(): void {
    this.solver.dispose();
  }

  private lastTelemetry: VehicleTelemetry | null = null;
  /** time of the tick in progress (subject heights are sampled at it) */
  private tickTimeS = 0;

  tick(input: ControlInput): ControlOutput {
    const t0 = monotonicS();
    const { timeS, telemetry, subjects } = input;
    this.predictor = subjects;
    this.tickTimeS = timeS;
    this.lastTelemetry = telemetry;
    if (this.pendingSpec) {
      // a spec set before the first tick: perception may not have named its subjects yet
      const pending = this.pendingSpec;
      try {
        this.executor.setShot(this.recipeContext(pending.spec, timeS, telemetry, subjects), timeS);
        this.pendingSpec = null;
        this.newShot = true;
      } catch (err) {
        const waiting = err instanceof CinePilotError && err.code === 'SHOT_UNKNOWN_SUBJECT' && timeS - pending.nowS < SUBJECT_WAIT_S;
        if (!waiting) this.pendingSpec = null;
        const out = this.idleOutput(telemetry, t0);
        out.diagnostics.status = waiting ? 'waiting-for-subjects' : `refused:${err instanceof CinePilotError ? err.code : 'error'}`;
        if (!waiting) this.lastRefusal = err instanceof Error ? err.message : String(err);
        return out;
      }
    } else if (this.pendingClear !== null) {
      this.pendingClear = null;
      this.holdHere(timeS, telemetry, subjects);
    }
    if (!this.executor.hasShot) return this.idleOutput(telemetry, t0);

    this.measuredState(telemetry, timeS);
    this.alignPlan(timeS);
    for (let k = 0; k <= this.N; k++) this.executor.reference(timeS + k * this.dtS, this.refs[k]!);
    const r0 = this.refs[0]!;
    this.executor.update(timeS, {
      positionM: Math.hypot(this.x0[X.PN]! - r0.positionNedM.x, this.x0[X.PE]! - r0.positionNedM.y, this.x0[X.PD]! - r0.positionNedM.z),
      focalMm: r0.wFocal >= WEIGHTS.focalSchedule ? Math.abs(this.x0[X.FOCAL_MM]! - r0.focalLengthMm) : 0,
    });
    const names = subjects.names();
    let status: string;
    let iterations = 0;
    let cost: number | undefined;
    try {
      for (let k = 0; k <= this.N; k++) {
        this.packer.pack(k, this.refs, timeS + k * this.dtS, subjects, names, this.plan, this.p);
        this.solver.setParameters(k, this.p);
      }
      this.solver.setInitialState(this.x0);
      if (this.cold) this.solver.initialize(this.x0);
      const steps = this.cold ? COLD_START_ITERATIONS : this.newShot ? 1 + NEW_SHOT_ITERATIONS : 1;
      let info = this.solver.step();
      iterations += info.qpIterations;
      for (let i = 1; i < steps; i++) {
        info = this.solver.step();
        iterations += info.qpIterations;
      }
      cost = info.cost;
      const usable = info.status === 'solved' || info.status === 'max-iterations' || info.status === 'time-limit';
      status = usable ? info.status : `fallback:${info.status}`;
      this.fallbackTicks = usable ? 0 : this.fallbackTicks + 1;
      this.cold = false;
      this.newShot = false;
    } catch (err) {
      if (!(err instanceof CinePilotError)) throw err;
      status = `numerical-error:${err.code}`;
      this.fallbackTicks = MAX_FALLBACK_TICKS;
    }
    if (this.fallbackTicks >= MAX_FALLBACK_TICKS) {
      this.cold = true;
      this.fallbackTicks = 0;
      return this.holdOutput(telemetry, timeS, t0, status.startsWith('numerical') ? status : `hold:${status}`);
    }
    for (let k = 0; k <= this.N; k++) this.plan.set(this.solver.x(k, this.xk), k * NX);
    this.planTimeS = timeS;
    const out = this.outputFromPlan(timeS);
    out.targets = targetsFromReference(r0);
    out.diagnostics = { solveMs: (monotonicS() - t0) * 1000, status, iterations, cost };
    return out;
  }

  private heightOf(name: string): number {
    const h = this.predictor ? estimatedHeight(this.predictor, name, this.tickTimeS) : null;
    if (h !== null) this.heights.set(name, h);
    return this.heights.get(name) ?? DEFAULT_PERSON_HEIGHT_M;
  }

  private recipeContext(spec: ShotSpec, nowS: number, t: VehicleTelemetry, predictor: SubjectPredictor): RecipeContext {
    return {
      spec,
      rig: this.rig,
      predictor,
      heightOf: (n) => this.heightOf(n),
      startTimeS: nowS,
      start: {
        positionNedM: vec3(t.positionNedM.x, t.positionNedM.y, t.positionNedM.z),
        yawRad: t.yawRad + t.gimbal.yawRad,
        gimbalPitchRad: t.gimbal.pitchRad,
        focalLengthMm: t.lens.focalLengthMm,
        focusDistanceM: t.lens.focusDistanceM,
        fNumber: t.lens.fNumber,
      },
      geofence: this.opts.geofence ?? null,
      background: this.opts.background ?? [],
    };
  }

  private holdHere(nowS: number, t: VehicleTelemetry, predictor: SubjectPredictor): void {
    this.executor.hold(this.recipeContext({ kind: 'hold', subjects: [] }, nowS, t, predictor), nowS);
    this.newShot = true;
  }

  /** x̂ from telemetry; the commanded acceleration is the plan's (it is a controller state); yaw unwrapped onto the plan's. */
  private measuredState(t: VehicleTelemetry, timeS: number): void {
    const x = this.x0, m = this.model;
    x[X.PN] = t.positionNedM.x;
    x[X.PE] = t.positionNedM.y;
    x[X.PD] = t.positionNedM.z;
    x[X.VN] = t.velocityNedMps.x;
    x[X.VE] = t.velocityNedMps.y;
    x[X.VD] = t.velocityNedMps.z;
    if (this.cold) {
      x[X.AN] = 0;
      x[X.AE] = 0;
      x[X.AD] = 0;
      x[X.YAW] = t.yawRad;
    } else {
      this.planAt(timeS, this.xk);
      x[X.AN] = this.xk[X.AN]!;
      x[X.AE] = this.xk[X.AE]!;
      x[X.AD] = this.xk[X.AD]!;
      x[X.YAW] = this.xk[X.YAW]! + wrapAngleRad(t.yawRad - this.xk[X.YAW]!);
    }
    x[X.GIMBAL_PITCH] = t.gimbal.pitchRad;
    x[X.GIMBAL_YAW] = t.gimbal.yawRad;
    x[X.FOCAL_MM] = t.lens.focalLengthMm;
    x[X.FOCUS_DPT] = 1 / Math.max(t.lens.focusDistanceM, 1e-3);
    x[X.IRIS_STOPS] = stopsFromFNumber(t.lens.fNumber);
    // a measurement just outside a hard bound (sensor noise, a lens end stop) must not make the QP infeasible
    for (let i = 0; i < NX; i++) if (i !== X.YAW) x[i] = clamp(x[i]!, m.lbx[i]!, m.ubx[i]!);
    // nor may the commanded acceleration carry the velocity past its bound before jerk can stop it:
    // from (v, a) with jerk J the velocity still gains a²/(2J), so |a| ≤ √(2J·room)
    for (let i = 0; i < 3; i++) {
      const J = VIABLE_JERK_SHARE * m.ubu[U.JN + i]!;
      const v = x[X.VN + i]!, a = x[X.AN + i]!;
      if (a > 0) x[X.AN + i] = Math.min(a, Math.sqrt(2 * J * Math.max(m.ubx[X.VN + i]! - v, 0)));
      else if (a < 0) x[X.AN + i] = Math.max(a, -Math.sqrt(2 * J * Math.max(v - m.lbx[X.VN + i]!, 0)));
    }
  }

  /** Shift the solver's iterate by the whole stages elapsed since the last plan (warm start). */
  private alignPlan(timeS: number): void {
    if (this.cold || !Number.isFinite(this.planTimeS)) {
      for (let k = 0; k <= this.N; k++) this.plan.set(this.x0, k * NX);
      return;
    }
    const shifts = Math.min(Math.round((timeS - this.planTimeS) / this.dtS), this.N);
    for (let s = 0; s < shifts; s++) this.solver.shift();
    for (let k = 0; k <= this.N; k++) this.plan.set(this.solver.x(k, this.xk), k * NX);
  }

  /** Plan state at absolute time `timeS` (linear between stages, held past the ends). */
  private planAt(timeS: number, out: Float64Array): Float64Array {
    const s = clamp((timeS - this.planTimeS) / this.dtS, 0, this.N);
    const k = Math.min(Math.floor(s), this.N - 1), a = s - k;
    const o0 = k * NX, o1 = (k + 1) * NX;
    for (let i = 0; i < NX; i++) out[i] = this.plan[o0 + i]! + a * (this.plan[o1 + i]! - this.plan[o0 + i]!);
    return out;
  }

  private outputFromPlan(timeS: number): ControlOutput {
    const xs = this.planAt(timeS + SETPOINT_LEAD_S, this.xSetpoint);
    this.solver.u(0, this.uk);
    const xg = this.planAt(timeS + GIMBAL_LEAD_S, this.xGimbal);
    const xl = this.planAt(timeS + LENS_LEAD_S, this.xLens);
    return {
      setpoint: {
        timestampS: timeS,
        positionNedM: vec3(xs[X.PN], xs[X.PE], xs[X.PD]),
        velocityNedMps: vec3(xs[X.VN], xs[X.VE], xs[X.VD]),
        accelerationNedMps2: vec3(xs[X.AN], xs[X.AE], xs[X.AD]),
        yawRad: wrapAngleRad(xs[X.YAW]!),
        yawRateRadps: this.uk[U.YAW_RATE],
      },
      gimbal: {
        pitchRad: xg[X.GIMBAL_PITCH]!,
        yawRad: xg[X.GIMBAL_YAW]!,
        pitchRateRadps: this.uk[U.GIMBAL_PITCH_RATE],
        yawRateRadps: this.uk[U.GIMBAL_YAW_RATE],
      },
      lens: {
        focalLengthMm: xl[X.FOCAL_MM]!,
        focusDistanceM: xl[X.FOCUS_DPT]! > 1 / FAR_FOCUS_M ? 1 / xl[X.FOCUS_DPT]! : FAR_FOCUS_M,
        fNumber: fNumberFromStops(xl[X.IRIS_STOPS]!),
      },
      plan: this.planSummary(),
      diagnostics: { solveMs: 0, status: 'solved' },
    };
  }

  private planSummary(): PlanSummary {
    const n = this.N + 1;
    const summary: PlanSummary = { timeS: [], positionsNedM: [], focalLengthMm: [], focusDistanceM: [], fNumber: [] };
    for (let k = 0; k < n; k++) {
      const o = k * NX;
      summary.timeS.push(this.planTimeS + k * this.dtS);
      summary.positionsNedM.push(vec3(this.plan[o + X.PN], this.plan[o + X.PE], this.plan[o + X.PD]));
      summary.focalLengthMm.push(this.plan[o + X.FOCAL_MM]!);
      const d = this.plan[o + X.FOCUS_DPT]!;
      summary.focusDistanceM.push(d > 1 / FAR_FOCUS_M ? 1 / d : FAR_FOCUS_M);
      summary.fNumber.push(fNumberFromStops(this.plan[o + X.IRIS_STOPS]!));
    }
    return summary;
  }

  /** No shot yet: stay where we are, camera and lens unchanged. */
  private idleOutput(t: VehicleTelemetry, t0: number): ControlOutput {
    return {
      setpoint: { timestampS: t.timestampS, positionNedM: vec3(t.positionNedM.x, t.positionNedM.y, t.positionNedM.z), velocityNedMps: vec3(), yawRad: t.yawRad },
      gimbal: { pitchRad: t.gimbal.pitchRad, yawRad: t.gimbal.yawRad },
      lens: {},
      diagnostics: { solveMs: (monotonicS() - t0) * 1000, status: 'idle' },
    };
  }

  /** Solver gave up: hold position (brake), keep the gimbal and lens where they are. */
  private holdOutput(t: VehicleTelemetry, timeS: number, t0: number, status: string): ControlOutput {
    const out = this.idleOutput(t, t0);
    out.setpoint.timestampS = timeS;
    out.diagnostics.status = status;
    return out;
  }
}

/** Create the MPC shot controller (setup allocates; ticks reuse the solver's workspace). */
export function createMpcShotController(opts: MpcShotControllerOptions): MpcShotController {
  return new MpcShotController(opts);
}
