/**
 * Real-time-iteration SQP (Diehl, Bock & Schlöder, "A real-time iteration
 * scheme for nonlinear optimization in optimal feedback control", SIAM J.
 * Control Optim. 2005) for the OcpModel of mpc/ocp-model.ts:
 * multiple shooting with RK4 + sensitivities (rk4.ts), Gauss-Newton Hessian
 * from the weighted residuals, one Riccati-IPM QP (mpc/qp) per tick.
 *
 * At the iterate (x̄, ū) the QP in the step (Δx, Δu) is
 *   min Σ ½‖r̄ₖ + J_xΔxₖ + J_uΔuₖ‖² (+ terminal) + Σ zl1·s + ½zl2·s²
 *   s.t. Δx₀ = x̂ − x̄₀
 *        Δxₖ₊₁ = AₖΔxₖ + BₖΔuₖ + (Φ(x̄ₖ, ūₖ) − x̄ₖ₊₁)        (multiple shooting gaps)
 *        lbu − ūₖ ≤ Δuₖ ≤ ubu − ūₖ,  lbx − x̄ₖ ≤ Δxₖ ≤ ubx − x̄ₖ (k ≥ 1)
 *        h̄ₖ + H_xΔxₖ + H_uΔuₖ ≤ sₖ, sₖ ≥ 0
 * i.e. Q = J_xᵀJ_x, S = J_uᵀJ_x, R = J_uᵀJ_u, q = J_xᵀr̄, r = J_uᵀr̄ (Gauss-Newton).
 * prepare() builds everything except Δx₀ (it may run before the measurement
 * arrives); feedback() sets Δx₀, solves, and takes the full step.
 */
import { CinePilotError } from '../../core/errors.ts';
import type { OcpModel } from '../ocp-model.ts';
import { OcpQpSolver } from '../qp/ipm-solver.ts';
import type { QpSettings, QpStatus } from '../qp/index.ts';
import { GaussNewtonBlocks } from './gauss-newton.ts';
import { Rk4Integrator } from './rk4.ts';

export const RTI_ERROR = {
  badModel: 'RTI_BAD_MODEL',
  badInput: 'RTI_BAD_INPUT',
  nonFinite: 'RTI_NON_FINITE_MODEL',
  disposed: 'RTI_DISPOSED',
} as const;

/** Added to the Gauss-Newton Hessian diagonal so Q and R stay positive definite. */
export const DEFAULT_HESSIAN_REGULARIZATION = 1e-8;
/**
 * QP settings the RTI uses unless told otherwise: one RTI step only needs a
 * good step, not 1e-10 optimality, and a sub-tick time limit.
 */
export const DEFAULT_RTI_QP_SETTINGS: Readonly<Partial<QpSettings>> = Object.freeze({
  tolStationarity: 1e-5,
  tolEquality: 1e-8,
  tolInequality: 1e-8,
  tolComplementarity: 1e-5,
  maxIterations: 30,
  // the previous tick's multipliers, shifted by shift(), start the next QP
  warmStartDual: true,
  // slacks and multipliers floored this close to zero: nearer the previous
  // (converged) point than 1e-3, so the bench OCP needs 2 IPM iterations
  // per tick instead of 3 (cinepilot bench mpc); a model whose soft rows
  // flip side between ticks may want more room (the cinematography
  // controller keeps 1e-3)
  warmSlack: 1e-4,
  // prepare() already scans the QP it built for NaN (and names the model callback)
  checkData: false,
});

export interface RtiSettings {
  /** QP solver settings (merged over DEFAULT_RTI_QP_SETTINGS) */
  qp: Partial<QpSettings>;
  hessianRegularization: number;
  /** measure prepareMs/feedbackMs (Node's clock boxes each read, ~18 B; off for zero allocation) */
  timing: boolean;
}

export interface RtiInfo {
  /** status of the last QP; the step is applied for solved / max-iterations / time-limit */
  status: QpStatus;
  qpStatus: QpStatus;
  qpIterations: number;
  primalResidual: number;
  dualResidual: number;
  /** nonlinear cost Σ½‖r‖² + slack penalties at the linearisation point of the last prepare() */
  cost: number;
  /** ‖Δu‖∞ + ‖Δx‖∞ of the last applied step */
  stepNorm: number;
  prepareMs: number;
  feedbackMs: number;
}

export class RtiSolver {
  readonly model: OcpModel;
  readonly N: number;
  readonly nx: number;
  readonly nu: number;
  readonly info: RtiInfo;
  readonly qpSolver: OcpQpSolver;

  private readonly settings: RtiSettings;
  private readonly integrator: Rk4Integrator;
  private readonly gaussNewton: GaussNewtonBlocks;
  private readonly xs: Float64Array[]; // N+1 iterates x̄ₖ
  private readonly us: Float64Array[]; // N iterates ūₖ
  private readonly ps: Float64Array[]; // N+1 parameter vectors
  private readonly x0: Float64Array; // measured state x̂
  private readonly xNext: Float64Array; // nx
  private readonly res: Float64Array; // max(ny, nyN)
  private readonly drdx: Float64Array;
  private readonly drdu: Float64Array;
  private readonly h: Float64Array; // max(nh, nhN)
  private readonly dhdx: Float64Array;
  private readonly dhdu: Float64Array;
  private prepared = false;
  private disposed = false;
  private hasX0 = false;

  constructor(model: OcpModel, settings: Partial<RtiSettings> = {}) {
    validateModel(model);
    this.model = model;
    const { N, nx, nu, np, ny, nyN, nh, nhN } = model.dims;
    this.N = N;
    this.nx = nx;
    this.nu = nu;
    const reg = settings.hessianRegularization ?? DEFAULT_HESSIAN_REGULARIZATION;
    if (!(Number.isFinite(reg) && reg >= 0)) {
      throw new CinePilotError(RTI_ERROR.badInput, `RTI setting hessianRegularization = ${reg}: must be a number ≥ 0.`);
    }
    const timing = settings.timing ?? true;
    if (typeof timing !== 'boolean') throw new CinePilotError(RTI_ERROR.badInput, `RTI setting timing = ${String(timing)}: must be true or false.`);
    this.settings = { qp: { ...DEFAULT_RTI_QP_SETTINGS, ...settings.qp }, hessianRegularization: reg, timing };
    this.qpSolver = new OcpQpSolver({ N, nx, nu, ns: nh, nsN: nhN }, this.settings.qp);
    this.integrator = new Rk4Integrator(model);
    this.gaussNewton = new GaussNewtonBlocks(nx, nu);
    this.xs = Array.from({ length: N + 1 }, () => new Float64Array(nx));
    this.us = Array.from({ length: N }, () => new Float64Array(nu));
    this.ps = Array.from({ length: N + 1 }, () => new Float64Array(np));
    this.x0 = new Float64Array(nx);
    this.xNext = new Float64Array(nx);
    const nyMax = Math.max(ny, nyN);
    this.res = new Float64Array(nyMax);
    this.drdx = new Float64Array(nyMax * nx);
    this.drdu = new Float64Array(nyMax * nu);
    const nhMax = Math.max(nh, nhN, 1);
    this.h = new Float64Array(nhMax);
    this.dhdx = new Float64Array(nhMax * nx);
    this.dhdu = new Float64Array(nhMax * nu);
    // the soft penalties and the control bounds' pattern do not change between ticks
    const qp = this.qpSolver.qp;
    for (let k = 0; k <= N; k++) {
      const n = k < N ? nh : nhN;
      for (let i = 0; i < n; i++) {
        qp.zl1[k * qp.nsMax + i] = k < N ? model.softL1[i] : model.softL1N[i];
        qp.zl2[k * qp.nsMax + i] = k < N ? model.softL2[i] : model.softL2N[i];
      }
    }
    this.info = {
      status: 'max-iterations', qpStatus: 'max-iterations', qpIterations: 0, primalResidual: NaN, dualResidual: NaN,
      cost: NaN, stepNorm: NaN, prepareMs: 0, feedbackMs: 0,
    };
  }

  /** Parameters of stage k (0..N), length np: references, predicted subject state, … */
  setParameters(k: number, p: ArrayLike<number>): void {
    this.assertLive();
    this.checkStage(k, this.N, 'setParameters');
    copyVector(p, this.ps[k], `setParameters(${k}, p)`);
    this.prepared = false;
  }

  /** The measured state x̂ for the next feedback(). */
  setInitialState(x0: ArrayLike<number>): void {
    this.assertLive();
    copyVector(x0, this.x0, 'setInitialState(x0)');
    this.hasX0 = true;
  }

  /**
   * Set the iterate: xGuess is one state (held over the horizon) or (N+1)·nx
   * numbers; uGuess one control or N·nu numbers. Defaults: the measured state
   * (or zero) and the midpoint of the control bounds (or zero).
   */
  initialize(xGuess?: ArrayLike<number>, uGuess?: ArrayLike<number>): void {
    this.assertLive();
    const { N, nx, nu, model } = this;
    for (let k = 0; k <= N; k++) {
      if (xGuess === undefined) this.xs[k].set(this.hasX0 ? this.x0 : new Float64Array(nx));
      else if (xGuess.length === nx) copyVector(xGuess, this.xs[k], 'initialize(xGuess)');
      else if (xGuess.length === (N + 1) * nx) for (let i = 0; i < nx; i++) this.xs[k][i] = finite(xGuess[k * nx + i], 'initialize(xGuess)');
      else throw new CinePilotError(RTI_ERROR.badInput, `initialize(xGuess): expected ${nx} or ${(N + 1) * nx} numbers, got ${xGuess.length}.`);
    }
    for (let k = 0; k < N; k++) {
      if (uGuess === undefined) {
        for (let j = 0; j < nu; j++) {
          const lo = model.lbu[j];
          const hi = model.ubu[j];
          this.us[k][j] = Number.isFinite(lo) && Number.isFinite(hi) ? 0.5 * (lo + hi) : Number.isFinite(lo) ? Math.max(lo, 0) : Number.isFinite(hi) ? Math.min(hi, 0) : 0;
        }
      } else if (uGuess.length === nu) copyVector(uGuess, this.us[k], 'initialize(uGuess)');
      else if (uGuess.length === N * nu) for (let j = 0; j < nu; j++) this.us[k][j] = finite(uGuess[k * nu + j], 'initialize(uGuess)');
      else throw new CinePilotError(RTI_ERROR.badInput, `initialize(uGuess): expected ${nu} or ${N * nu} numbers, got ${uGuess.length}.`);
    }
    this.prepared = false;
  }

  /**
   * Preparation phase: integrate and linearise every interval, build the
   * Gauss-Newton QP. Needs the parameters, not the measurement.
   */
  prepare(): void {
    this.assertLive();
    const timing = this.settings.timing;
    const t0 = timing ? performance.now() : 0;
    const { N, nx, nu, model, integrator, xs, us, ps, res, drdx, drdu, h, dhdx, dhdu } = this;
    const { ny, nyN, nh, nhN } = model.dims;
    const qp = this.qpSolver.qp;
    const nsMax = qp.nsMax;
    const reg = this.settings.hessianRegularization;
    const hS = model.dtS;
    let cost = 0;
    for (let k = 0; k <= N; k++) {
      const xk = xs[k];
      const qOff = k * nx * nx;
      if (k < N) {
        const uk = us[k];
        // dynamics: A, B and the shooting gap b = Φ(x̄, ū) − x̄ₖ₊₁
        integrator.integrate(hS, xk, 0, uk, 0, ps[k], this.xNext, 0, qp.A, qOff, qp.B, k * nx * nu);
        for (let i = 0; i < nx; i++) qp.b[k * nx + i] = this.xNext[i] - xs[k + 1][i];
        // Gauss-Newton cost
        model.stageResidual(k, xk, uk, ps[k], res, drdx, drdu);
        for (let i = 0; i < ny; i++) cost += 0.5 * res[i] * res[i];
        this.gaussNewton.build(ny, res, drdx, drdu, qp.Q, qOff, qp.S, k * nu * nx, qp.R, k * nu * nu, qp.q, k * nx, qp.r, k * nu);
        for (let i = 0; i < nu; i++) qp.R[k * nu * nu + i * nu + i] += reg;
        for (let j = 0; j < nu; j++) {
          qp.lbu[k * nu + j] = model.lbu[j] - uk[j];
          qp.ubu[k * nu + j] = model.ubu[j] - uk[j];
        }
        if (nh > 0) {
          model.stageConstraint!(k, xk, uk, ps[k], h, dhdx, dhdu);
          for (let i = 0; i < nh; i++) {
            const o = k * nsMax + i;
            qp.ug[o] = -h[i];
            for (let j = 0; j < nx; j++) qp.C[o * nx + j] = dhdx[i * nx + j];
            for (let j = 0; j < nu; j++) qp.D[o * nu + j] = dhdu[i * nu + j];
            if (h[i] > 0) cost += model.softL1[i] * h[i] + 0.5 * model.softL2[i] * h[i] * h[i];
          }
        }
      } else {
        model.terminalResidual(xk, ps[k], res, drdx);
        for (let i = 0; i < nyN; i++) cost += 0.5 * res[i] * res[i];
        this.gaussNewton.build(nyN, res, drdx, null, qp.Q, qOff, qp.S, 0, qp.R, 0, qp.q, k * nx, qp.r, 0);
        if (nhN > 0) {
          model.terminalConstraint!(xk, ps[k], h, dhdx);
          for (let i = 0; i < nhN; i++) {
            const o = k * nsMax + i;
            qp.ug[o] = -h[i];
            for (let j = 0; j < nx; j++) qp.C[o * nx + j] = dhdx[i * nx + j];
            if (h[i] > 0) cost += model.softL1N[i] * h[i] + 0.5 * model.softL2N[i] * h[i] * h[i];
          }
        }
      }
      for (let i = 0; i < nx; i++) qp.Q[qOff + i * nx + i] += reg;
      if (k > 0) {
        for (let j = 0; j < nx; j++) {
          qp.lbx[k * nx + j] = model.lbx[j] - xk[j];
          qp.ubx[k * nx + j] = model.ubx[j] - xk[j];
        }
      }
    }
    const bad = qp.firstNonFinite();
    if (bad !== null) {
      throw new CinePilotError(RTI_ERROR.nonFinite, `the model produced a non-finite value while linearising (QP field ${bad}); check the model's dynamics, residuals and constraints at the current iterate.`);
    }
    this.info.cost = cost;
    this.prepared = true;
    this.info.prepareMs = timing ? performance.now() - t0 : NaN;
  }

  /**
   * Feedback phase: Δx₀ = x̂ − x̄₀, solve the QP, apply the full step.
   * On an infeasible/failed QP the iterate is kept (x̄₀ set to x̂), so u(0)
   * still returns the previous (shifted) plan.
   */
  feedback(): RtiInfo {
    this.assertLive();
    if (!this.prepared) this.prepare();
    if (!this.hasX0) {
      throw new CinePilotError(RTI_ERROR.badInput, 'feedback(): no measured state; call setInitialState(x0) first.');
    }
    const timing = this.settings.timing;
    const t0 = timing ? performance.now() : 0;
    const { N, nx, nu, xs, us } = this;
    const solver = this.qpSolver;
    const qp = solver.qp;
    for (let i = 0; i < nx; i++) qp.x0[i] = this.x0[i] - xs[0][i];
    const qi = solver.solve();
    const info = this.info;
    info.qpStatus = qi.status;
    info.status = qi.status;
    info.qpIterations = qi.iterations;
    info.primalResidual = qi.primalResidual;
    info.dualResidual = qi.dualResidual;
    const usable = qi.status === 'solved' || qi.status === 'max-iterations' || qi.status === 'time-limit';
    let stepNorm = 0;
    if (usable) {
      const { x, u } = solver.solution;
      for (let k = 0; k <= N; k++) {
        for (let i = 0; i < nx; i++) {
          const d = x[k * nx + i];
          xs[k][i] += d;
          if (Math.abs(d) > stepNorm) stepNorm = Math.abs(d);
        }
      }
      for (let k = 0; k < N; k++) {
        for (let j = 0; j < nu; j++) {
          const d = u[k * nu + j];
          us[k][j] += d;
          if (Math.abs(d) > stepNorm) stepNorm = Math.abs(d);
        }
      }
    }
    for (let i = 0; i < nx; i++) xs[0][i] = this.x0[i];
    info.stepNorm = usable ? stepNorm : 0;
    this.prepared = false;
    info.feedbackMs = timing ? performance.now() - t0 : NaN;
    return info;
  }

  /** prepare() + feedback(). */
  step(): RtiInfo {
    this.prepare();
    return this.feedback();
  }

  /**
   * Shift the iterate one interval for the next tick: x̄ₖ ← x̄ₖ₊₁, ūₖ ← ūₖ₊₁,
   * ū_{N−1} kept, x̄_N ← Φ(x̄_{N−1}, ū_{N−1}, p_{N−1}). Parameters are the
   * caller's: set the new horizon's references after shifting.
   */
  shift(): void {
    this.assertLive();
    const { N, xs, us } = this;
    for (let k = 0; k < N; k++) xs[k].set(xs[k + 1]);
    for (let k = 0; k < N - 1; k++) us[k].set(us[k + 1]);
    this.integrator.integrate(this.model.dtS, xs[N - 1], 0, us[N - 1], 0, this.ps[N - 1], xs[N], 0, null, 0, null, 0);
    this.qpSolver.shiftWarmStart();
    this.prepared = false;
  }

  /** State of stage k (0..N) of the current plan, written into out. */
  x(k: number, out: Float64Array = new Float64Array(this.nx)): Float64Array {
    this.checkStage(k, this.N, 'x');
    out.set(this.xs[k]);
    return out;
  }

  /** Control of stage k (0..N−1) of the current plan; u(0) is the one to apply. */
  u(k: number, out: Float64Array = new Float64Array(this.nu)): Float64Array {
    this.checkStage(k, this.N - 1, 'u');
    out.set(this.us[k]);
    return out;
  }

  dispose(): void {
    this.qpSolver.dispose();
    this.disposed = true;
  }

  private checkStage(k: number, max: number, what: string): void {
    if (!Number.isInteger(k) || k < 0 || k > max) {
      throw new CinePilotError(RTI_ERROR.badInput, `${what}(${k}): stage must be an integer in 0..${max}.`);
    }
  }

  private assertLive(): void {
    if (this.disposed) throw new CinePilotError(RTI_ERROR.disposed, 'this RTI solver was disposed; create a new one with createRtiSolver().');
  }
}

function finite(v: number, where: string): number {
  if (!Number.isFinite(v)) throw new CinePilotError(RTI_ERROR.badInput, `${where}: expected finite numbers, got ${v}.`);
  return v;
}

function copyVector(src: ArrayLike<number>, dst: Float64Array, where: string): void {
  if (src.length !== dst.length) {
    throw new CinePilotError(RTI_ERROR.badInput, `${where}: expected ${dst.length} numbers, got ${src.length}.`);
  }
  for (let i = 0; i < dst.length; i++) dst[i] = finite(src[i], where);
}

/** Check a model's dimensions and constant data once, before any solve. */
export function validateModel(model: OcpModel): void {
  const d = model.dims;
  const problems: string[] = [];
  for (const [name, min] of [['N', 1], ['nx', 1], ['nu', 1], ['np', 0], ['ny', 0], ['nyN', 0], ['nh', 0], ['nhN', 0]] as const) {
    const v = d[name];
    if (!(Number.isInteger(v) && v >= min)) problems.push(`dims.${name} = ${String(v)} (must be an integer ≥ ${min})`);
  }
  if (!(Number.isFinite(model.dtS) && model.dtS > 0)) problems.push(`dtS = ${model.dtS} (must be > 0)`);
  const len = (name: 'lbu' | 'ubu' | 'lbx' | 'ubx' | 'softL1' | 'softL2' | 'softL1N' | 'softL2N', n: number) => {
    const a = model[name];
    if (!a || a.length !== n) problems.push(`${name} has ${a?.length ?? 'no'} entries, expected ${n}`);
    else for (let i = 0; i < n; i++) if (Number.isNaN(a[i])) problems.push(`${name}[${i}] is NaN`);
  };
  len('lbu', d.nu);
  len('ubu', d.nu);
  len('lbx', d.nx);
  len('ubx', d.nx);
  len('softL1', d.nh);
  len('softL2', d.nh);
  len('softL1N', d.nhN);
  len('softL2N', d.nhN);
  if (problems.length === 0) {
    for (let i = 0; i < d.nu; i++) if (model.lbu[i] > model.ubu[i]) problems.push(`lbu[${i}] > ubu[${i}]`);
    for (let i = 0; i < d.nx; i++) if (model.lbx[i] > model.ubx[i]) problems.push(`lbx[${i}] > ubx[${i}]`);
    for (let i = 0; i < d.nh; i++) if (!(model.softL1[i] >= 0 && model.softL2[i] >= 0 && Number.isFinite(model.softL1[i] + model.softL2[i]))) problems.push(`softL1/softL2[${i}] must be finite and ≥ 0`);
    for (let i = 0; i < d.nhN; i++) if (!(model.softL1N[i] >= 0 && model.softL2N[i] >= 0 && Number.isFinite(model.softL1N[i] + model.softL2N[i]))) problems.push(`softL1N/softL2N[${i}] must be finite and ≥ 0`);
  }
  if (d.nh > 0 && typeof model.stageConstraint !== 'function') problems.push('nh > 0 but stageConstraint is missing');
  if (d.nhN > 0 && typeof model.terminalConstraint !== 'function') problems.push('nhN > 0 but terminalConstraint is missing');
  if (problems.length > 0) {
    throw new CinePilotError(RTI_ERROR.badModel, `OCP model is not usable: ${problems.join('; ')}.`);
  }
}

/** setup: allocate an RTI solver for this model (the only allocating call). */
export function createRtiSolver(model: OcpModel, settings: Partial<RtiSettings> = {}): RtiSolver {
  return new RtiSolver(model, settings);
}
