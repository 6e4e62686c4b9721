/**
 * Riccati-based primal-dual interior-point solver for the stage-wise OCP-QP
 * of ocp-qp.ts — the method of HPIPM (Frison & Diehl, "HPIPM: a
 * high-performance quadratic programming framework for model predictive
 * control", IFAC 2020), with Mehrotra's predictor-corrector (Mehrotra, SIAM J.
 * Optim. 1992). Cost per iteration O(N·(nx+nu)³).
 *
 * Notation. Stage k holds vₖ = [uₖ; xₖ], its Hessian Hₖ = [[Rₖ, Sₖ], [Sₖᵀ, Qₖ]]
 * and every inequality written as a slack tᵢ = aᵢ + gᵢᵀy ≥ 0 with multiplier
 * λᵢ ≥ 0 (y = all primal variables):
 *   lower box  t = vⱼ − lbⱼ          upper box  t = ubⱼ − vⱼ
 *   soft row   t = ug + s − (C x + D u)         slack sign  t = s
 * The KKT conditions (dynamics multipliers πₖ on xₖ₊₁ = Aₖxₖ + Bₖuₖ + bₖ):
 *   r_d = ∇f(y) + Σₖ[Aₖ Bₖ]ᵀπₖ − π_{k−1} − Σᵢ gᵢλᵢ = 0       (stationarity)
 *   r_b = Aₖxₖ + Bₖuₖ + bₖ − xₖ₊₁ = 0                            (dynamics)
 *   r_i = t − (a + gᵀy) = 0                                        (inequalities)
 *   r_c = λ∘t − σμ𝟙 (+ Δλ_aff∘Δt_aff in the corrector) = 0           (complementarity)
 * Eliminating Δt = gᵀΔy − r_i and Δλ = −(r_c + λΔt)/t (HPIPM eq. 10) leaves
 * an equality-constrained QP in Δy with
 *   Ĥ = H + Σᵢ gᵢ wᵢ gᵢᵀ, wᵢ = λᵢ/tᵢ,    ĝ = ∇f(y) + Σᵢ gᵢ eᵢ, eᵢ = (ζᵢ − λᵢ r_iᵢ)/tᵢ
 * (ζ = r_c − λ∘t) whose multipliers are the new π directly. The slack s of a
 * soft row is eliminated row by row: with H_ss = zl2 + w_g + w_s and
 * ĝ_s = zl1 + zl2·s + e_g + e_s the row adds W·GᵀG to Ĥ and γ·Gᵀ to ĝ, where
 *   W = w_g (zl2 + w_s) / H_ss,   γ = −e_g + w_g ĝ_s / H_ss,   G = [D C],
 * and Δs = (w_g GΔv − ĝ_s)/H_ss afterwards.
 *
 * The equality QP is solved by the Riccati recursion (Rawlings, Mayne & Diehl,
 * "Model Predictive Control", §6.1; HPIPM's classical variant):
 *   P_N = Q̂_N, p_N = q̂_N; for k = N−1 … 0:
 *   R̃ₖ = R̂ₖ + BₖᵀPₖ₊₁Bₖ,  S̃ₖ = Ŝₖ + BₖᵀPₖ₊₁Aₖ,  Q̃ₖ = Q̂ₖ + AₖᵀPₖ₊₁Aₖ
 *   R̃ₖ = LₖLₖᵀ,  Yₖ = Lₖ⁻¹S̃ₖ,  Kₖ = −Lₖ⁻ᵀYₖ,  Pₖ = Q̃ₖ − YₖᵀYₖ
 *   hₖ = Pₖ₊₁b̂ₖ + pₖ₊₁,  zₖ = Lₖ⁻¹(r̂ₖ + Bₖᵀhₖ),  kₖ = −Lₖ⁻ᵀzₖ
 *   pₖ = q̂ₖ + Aₖᵀhₖ − Yₖᵀzₖ
 * forward: Δx₀ = 0, Δuₖ = KₖΔxₖ + kₖ, Δxₖ₊₁ = AₖΔxₖ + BₖΔuₖ + b̂ₖ,
 *          πₖ = Pₖ₊₁Δxₖ₊₁ + pₖ₊₁.
 * The matrix part (factorize) runs once per iteration, the vector part twice
 * (predictor and corrector).
 *
 * Lifecycle (STYLE.md): createQpSolver (setup) allocates every array; solve()
 * allocates nothing; update* copy new data into the same arrays; dispose().
 */
import { CinePilotError } from '../../core/errors.ts';
import {
  cholFactor, gemv, gemvT, syrkTN, transpose, trsmLower, trsvLower, trsvLowerT,
} from '../linalg/dense.ts';
import { compressBlock, createRowPattern, spmv, spmvT, spTmm, type RowPattern } from '../linalg/sparse.ts';
import { OcpQp, QP_ERROR, type OcpQpDims, type OcpQpStageInput } from './ocp-qp.ts';
import { resolveQpSettings, type QpSettings } from './settings.ts';

export type QpStatus = 'solved' | 'max-iterations' | 'time-limit' | 'infeasible' | 'numerical-error';

export interface QpInfo {
  status: QpStatus;
  iterations: number;
  /** ‖stationarity residual‖∞ */
  dualResidual: number;
  /** max of ‖dynamics residual‖∞ and ‖inequality residual‖∞ */
  primalResidual: number;
  /** mean complementarity tᵀλ/m (the duality measure of the IPM) */
  dualityGap: number;
  objective: number;
  /** NaN when settings.timing is false and there is no time limit */
  solveMs: number;
  setupMs: number;
}

export interface QpSolution {
  x: Float64Array; // (N+1) × nx
  u: Float64Array; // N × nu
  s: Float64Array; // (N+1) × nsMax, soft-row slacks
  pi: Float64Array; // N × nx, dynamics multipliers
}

export class OcpQpSolver {
  readonly qp: OcpQp;
  readonly settings: QpSettings;
  readonly solution: QpSolution;
  readonly info: QpInfo;

  private disposed = false;
  private hasSolution = false;
  private hasDual = false;
  // problem sizes
  private readonly N: number;
  private readonly nx: number;
  private readonly nu: number;
  private readonly nsMax: number;
  private readonly maxBox: number; // 2(nu+nx): box slots per stage

  // ---- inequalities -------------------------------------------------------
  private readonly boxCount: Int32Array; // N+1
  private readonly boxVar: Int32Array; // (N+1) × maxBox, index into vₖ = [u; x]
  private readonly boxSign: Float64Array; // +1 lower, −1 upper
  private readonly boxBound: Float64Array;
  private readonly tB: Float64Array; // box slacks
  private readonly lamB: Float64Array;
  private readonly dtB: Float64Array;
  private readonly dlamB: Float64Array;
  private readonly dtBa: Float64Array; // affine (predictor) step
  private readonly dlamBa: Float64Array;
  private readonly rB: Float64Array; // r_i of boxes
  private readonly tG: Float64Array; // (N+1) × nsMax soft rows
  private readonly lamG: Float64Array;
  private readonly dtG: Float64Array;
  private readonly dlamG: Float64Array;
  private readonly dtGa: Float64Array;
  private readonly dlamGa: Float64Array;
  private readonly rG: Float64Array;
  private readonly tS: Float64Array; // slack-sign rows s ≥ 0
  private readonly lamS: Float64Array;
  private readonly dtS: Float64Array;
  private readonly dlamS: Float64Array;
  private readonly dtSa: Float64Array;
  private readonly dlamSa: Float64Array;
  private readonly rS: Float64Array;
  private readonly hSS: Float64Array; // H_ss per soft row
  private readonly gS: Float64Array; // ĝ_s per soft row
  private readonly wGrow: Float64Array; // w_g per soft row
  private readonly wSoft: Float64Array; // W per soft row
  private readonly gvS: Float64Array; // G·v per soft row
  // nonzeros of every soft row's C and D (built once per solve: a constraint
  // row usually touches a few states, and every soft-row pass of an iteration
  // — values, residuals, the rank-one Hessian terms, the directions — then
  // runs over those instead of all nx + nu columns)
  private readonly cNzCount: Int32Array; // (N+1) × nsMax
  private readonly cNzIdx: Int32Array; // (N+1) × nsMax × nx
  private readonly cNzVal: Float64Array;
  private readonly dNzCount: Int32Array; // N × nsMax (stage N has no D)
  private readonly dNzIdx: Int32Array; // N × nsMax × nu
  private readonly dNzVal: Float64Array;
  // nonzeros of Aₖ and Bₖ (built once per solve): every product with the
  // dynamics runs over them (integrator-chain models: ~10 % nonzeros)
  private readonly aPat: RowPattern;
  private readonly bPat: RowPattern;
  // and of Qₖ, Rₖ, Sₖ, for ∇f in every iteration's residuals (a Gauss-Newton
  // Hessian of a few residual rows is mostly zeros too)
  private readonly qPat: RowPattern;
  private readonly rPat: RowPattern;
  private readonly sPat: RowPattern;

  // ---- primal/dual steps and residuals --------------------------------------
  private readonly dx: Float64Array; // (N+1) × nx
  private readonly du: Float64Array; // N × nu
  private readonly ds: Float64Array; // (N+1) × nsMax
  private readonly piPlus: Float64Array; // N × nx
  private readonly fx: Float64Array; // ∇ₓf (N+1) × nx
  private readonly fu: Float64Array; // ∇ᵤf N × nu
  private readonly gx: Float64Array; // ĝ (N+1) × nx
  private readonly gu: Float64Array; // ĝ N × nu
  private readonly rb: Float64Array; // dynamics residual N × nx
  private readonly rdx: Float64Array;
  private readonly rdu: Float64Array;

  // ---- Riccati factors ------------------------------------------------------
  private readonly P: Float64Array; // (N+1) × nx × nx
  private readonly pv: Float64Array; // (N+1) × nx
  private readonly Lr: Float64Array; // N × nu × nu, chol of R̃ₖ
  private readonly Ls: Float64Array; // N × nu × nx, Yₖ = Lₖ⁻¹S̃ₖ
  private readonly kff: Float64Array; // N × nu
  private readonly PA: Float64Array; // nx × nx scratch
  private readonly PB: Float64Array; // nx × nu scratch
  private readonly WT: Float64Array; // max(nx, nu) × nx scratch (AᵀP, BᵀP)
  private readonly hTmp: Float64Array; // nx
  private readonly zTmp: Float64Array; // nu

  constructor(dims: OcpQpDims, settings: Partial<QpSettings> = {}) {
    const t0 = performance.now();
    this.settings = resolveQpSettings(settings);
    this.qp = new OcpQp(dims);
    const { N, nx, nu, nsMax } = this.qp;
    this.N = N;
    this.nx = nx;
    this.nu = nu;
    this.nsMax = nsMax;
    const maxBox = 2 * (nu + nx);
    this.maxBox = maxBox;
    const nBox = (N + 1) * maxBox;
    const nSoft = (N + 1) * nsMax;
    const f = (n: number) => new Float64Array(n);
    this.boxCount = new Int32Array(N + 1);
    this.boxVar = new Int32Array(nBox);
    this.boxSign = f(nBox);
    this.boxBound = f(nBox);
    this.tB = f(nBox);
    this.lamB = f(nBox);
    this.dtB = f(nBox);
    this.dlamB = f(nBox);
    this.dtBa = f(nBox);
    this.dlamBa = f(nBox);
    this.rB = f(nBox);
    this.tG = f(nSoft);
    this.lamG = f(nSoft);
    this.dtG = f(nSoft);
    this.dlamG = f(nSoft);
    this.dtGa = f(nSoft);
    this.dlamGa = f(nSoft);
    this.rG = f(nSoft);
    this.tS = f(nSoft);
    this.lamS = f(nSoft);
    this.dtS = f(nSoft);
    this.dlamS = f(nSoft);
    this.dtSa = f(nSoft);
    this.dlamSa = f(nSoft);
    this.rS = f(nSoft);
    this.hSS = f(nSoft);
    this.gS = f(nSoft);
    this.wGrow = f(nSoft);
    this.wSoft = f(nSoft);
    this.gvS = f(nSoft);
    this.cNzCount = new Int32Array(nSoft);
    this.cNzIdx = new Int32Array(nSoft * nx);
    this.cNzVal = f(nSoft * nx);
    this.dNzCount = new Int32Array(nSoft);
    this.dNzIdx = new Int32Array(nSoft * nu);
    this.dNzVal = f(nSoft * nu);
    this.aPat = createRowPattern(N, nx, nx);
    this.bPat = createRowPattern(N, nx, nu);
    this.qPat = createRowPattern(N + 1, nx, nx);
    this.rPat = createRowPattern(N, nu, nu);
    this.sPat = createRowPattern(N, nu, nx);
    this.dx = f((N + 1) * nx);
    this.du = f(N * nu);
    this.ds = f(nSoft);
    this.piPlus = f(N * nx);
    this.fx = f((N + 1) * nx);
    this.fu = f(N * nu);
    this.gx = f((N + 1) * nx);
    this.gu = f(N * nu);
    this.rb = f(N * nx);
    this.rdx = f((N + 1) * nx);
    this.rdu = f(N * nu);
    this.P = f((N + 1) * nx * nx);
    this.pv = f((N + 1) * nx);
    this.Lr = f(N * nu * nu);
    this.Ls = f(N * nu * nx);
    this.kff = f(N * nu);
    this.PA = f(nx * nx);
    this.PB = f(nx * nu);
    this.WT = f(Math.max(nx, nu) * nx); // AᵀP is nx × nx, BᵀP nu × nx
    this.hTmp = f(nx);
    this.zTmp = f(nu);
    this.solution = { x: f((N + 1) * nx), u: f(N * nu), s: f(nSoft), pi: f(N * nx) };
    this.info = {
      status: 'max-iterations', iterations: 0, dualResidual: NaN, primalResidual: NaN,
      dualityGap: NaN, objective: NaN, solveMs: 0, setupMs: performance.now() - t0,
    };
  }

  // ---- update* ----------------------------------------------------------------
  updateStage(k: number, stage: OcpQpStageInput): void {
    this.assertLive();
    this.qp.updateStage(k, stage);
  }

  updateX0(x0: ArrayLike<number>): void {
    this.assertLive();
    this.qp.updateX0(x0);
  }

  updateSettings(partial: Partial<QpSettings>): void {
    this.assertLive();
    Object.assign(this.settings, resolveQpSettings(partial, this.settings));
  }

  /** Set the warm-start primal point (used when settings.warmStart). */
  setWarmStart(x: ArrayLike<number>, u: ArrayLike<number>): void {
    this.assertLive();
    if (x.length !== this.solution.x.length || u.length !== this.solution.u.length) {
      throw new CinePilotError(QP_ERROR.badDimensions, `warm start: expected x of ${this.solution.x.length} and u of ${this.solution.u.length} numbers, got ${x.length} and ${u.length}.`);
    }
    for (let i = 0; i < x.length; i++) this.solution.x[i] = x[i];
    for (let i = 0; i < u.length; i++) this.solution.u[i] = u[i];
    this.hasSolution = true;
  }

  /**
   * Shift the stored solution one stage toward the present (stage k takes
   * stage k+1's primal values and multipliers; the last stage keeps its own):
   * the warm start for the next MPC tick. Multipliers move only between box
   * slots that constrain the same variable the same way.
   */
  shiftWarmStart(): void {
    this.assertLive();
    const { N, nx, nu, nsMax, maxBox } = this;
    const { x, u } = this.solution;
    x.copyWithin(0, nx, (N + 1) * nx);
    if (N > 1) u.copyWithin(0, nu, N * nu);
    for (let k = 0; k < N; k++) {
      const to = k * maxBox;
      const from = (k + 1) * maxBox;
      const cFrom = this.boxCount[k + 1];
      for (let m = 0; m < this.boxCount[k]; m++) {
        // stage 0 lists only u boxes, in the same order as the u boxes that open every later stage
        if (m < cFrom && this.boxVar[to + m] === this.boxVar[from + m] && this.boxSign[to + m] === this.boxSign[from + m]) {
          this.lamB[to + m] = this.lamB[from + m];
        }
      }
      const ns = k + 1 < N ? this.qp.ns : Math.min(this.qp.ns, this.qp.nsN);
      for (let i = 0; i < ns; i++) {
        this.lamG[k * nsMax + i] = this.lamG[(k + 1) * nsMax + i];
        this.lamS[k * nsMax + i] = this.lamS[(k + 1) * nsMax + i];
      }
    }
  }

  dispose(): void {
    this.disposed = true;
  }

  private assertLive(): void {
    if (this.disposed) throw new CinePilotError(QP_ERROR.disposed, 'this QP solver was disposed; create a new one with createQpSolver().');
  }

  // ---- solve -------------------------------------------------------------------
  /** Solve the QP held in `this.qp`; returns `this.info` (status is a value, never thrown). */
  solve(): QpInfo {
    this.assertLive();
    const st = this.settings;
    const info = this.info;
    // Node's performance.now() boxes its result (≈18 B per call): read the
    // clock only when asked to (timing) or when a time limit needs it.
    const clock = st.timing || st.timeLimitMs < Infinity;
    const t0 = clock ? performance.now() : 0;
    if (st.checkData) {
      const bad = this.qp.firstNonFinite();
      if (bad !== null) {
        throw new CinePilotError(QP_ERROR.nonFinite, `${bad}: not a finite number. Fix the QP data (NaN usually means an upstream model evaluation failed).`);
      }
    }
    info.iterations = 0;
    info.objective = NaN;
    if (!this.buildBoxes()) {
      info.status = 'infeasible';
      info.solveMs = clock ? performance.now() - t0 : NaN;
      return info;
    }
    this.buildSoftPattern();
    for (let k = 0; k < this.N; k++) {
      compressBlock(this.aPat, k, this.qp.A, k * this.nx * this.nx);
      compressBlock(this.bPat, k, this.qp.B, k * this.nx * this.nu);
      compressBlock(this.rPat, k, this.qp.R, k * this.nu * this.nu);
      compressBlock(this.sPat, k, this.qp.S, k * this.nu * this.nx);
    }
    for (let k = 0; k <= this.N; k++) compressBlock(this.qPat, k, this.qp.Q, k * this.nx * this.nx);
    this.initialize(st.warmStart && this.hasSolution, st.warmStartDual && this.hasDual);
    let status: QpStatus = 'max-iterations';
    const m = this.countInequalities();
    // stationarity and complementarity are judged relative to the size of
    // the linear cost (as OSQP does for the former): both carry the cost's units
    let dualScale = 1;
    for (let i = 0; i < this.qp.q.length; i++) dualScale = Math.max(dualScale, Math.abs(this.qp.q[i]));
    for (let i = 0; i < this.qp.r.length; i++) dualScale = Math.max(dualScale, Math.abs(this.qp.r[i]));
    for (let it = 0; ; it++) {
      this.computeResiduals(m);
      const mu = this.mu;
      info.iterations = it;
      if (
        info.dualResidual <= st.tolStationarity * dualScale && this.maxRb <= st.tolEquality &&
        this.maxRi <= st.tolInequality && mu <= st.tolComplementarity * dualScale
      ) {
        status = 'solved';
        break;
      }
      if (!(info.dualResidual < Infinity && info.primalResidual < Infinity && mu < Infinity)) {
        status = 'numerical-error';
        break;
      }
      if (it > 5 && this.maxLambdaAbove(st.infeasibilityDualBound) && info.primalResidual > st.tolEquality) {
        status = 'infeasible';
        break;
      }
      if (it >= st.maxIterations) break;
      if (st.timeLimitMs < Infinity && performance.now() - t0 > st.timeLimitMs) {
        status = 'time-limit';
        break;
      }
      if (!this.factorize()) {
        status = 'numerical-error';
        break;
      }
      // predictor (affine scaling): ζ = −λ∘t would target t∘λ = 0
      // the predictor's π is never used when a corrector follows
      this.direction(false, 0, m === 0);
      this.maxStep();
      let alpha = this.alphaMax;
      if (m > 0) {
        this.complementarityAfter(alpha < 1 ? alpha : 1);
        const muAff = this.compAfter / m;
        const sigma = Math.pow(muAff / mu, 3);
        this.saveAffine();
        // corrector: centring σμ plus the second-order term Δt_aff∘Δλ_aff
        // never aim below a tenth of the tolerance: pushing μ → 1e-15 only
        // makes Ĥ ill-conditioned while the dual residual still converges
        this.direction(true, Math.max(sigma * mu, 0.1 * st.tolComplementarity * dualScale), true);
        this.maxStep();
        alpha = this.alphaMax;
      }
      // A full step when nothing blocks before 1: it lands exactly on the
      // linear dynamics and inequality rows. Otherwise at least τ of the way
      // to the boundary, and nearer when Mehrotra's heuristic allows it.
      alpha = m > 0 && alpha < Infinity ? this.stepLength(m, st.stepFraction, st.blockingComplementarity) : 1;
      alpha = Math.min(1, alpha);
      // Once the iterate is primal and dual feasible, only μ is left to
      // reduce, and in a QP a long step can raise it: μ(α) = (1 − α(1 − σ))μ
      // + α²·ΔyᵀĤΔy/m. Left alone, Mehrotra's steps can then cycle (μ
      // 0.07 → 0.012 → 0.046 → 0.039 → 0.07 … seen on random control QPs);
      // halve the step until μ falls by at least 1 % of the step.
      if (
        m > 0 && info.dualResidual <= st.tolStationarity * dualScale &&
        this.maxRb <= st.tolEquality && this.maxRi <= st.tolInequality
      ) {
        for (let h = 0; h < MAX_STEP_HALVINGS; h++) {
          this.complementarityAfter(alpha);
          if (this.compAfter / m <= (1 - 0.01 * alpha) * mu) break;
          alpha *= 0.5;
        }
      }
      if (!(alpha > 0)) {
        status = 'numerical-error';
        break;
      }
      this.takeStep(alpha);
    }
    info.status = status;
    this.objective();
    this.hasSolution = status === 'solved';
    this.hasDual = status === 'solved';
    info.solveMs = clock ? performance.now() - t0 : NaN;
    return info;
  }

  // Scalars produced by helper passes live in fields: a non-inlined function
  // returning a double would box it in a fresh HeapNumber (an allocation).
  private maxRb = 0;
  private maxRi = 0;
  private mu = 0;
  private alphaMax = 0;
  private compAfter = 0;

  /** Box lists from the finite bounds; false when some lb > ub (trivially infeasible). */
  private buildBoxes(): boolean {
    const { N, nx, nu, maxBox } = this;
    const { lbu, ubu, lbx, ubx } = this.qp;
    for (let k = 0; k <= N; k++) {
      let c = 0;
      const base = k * maxBox;
      if (k < N) {
        for (let j = 0; j < nu; j++) {
          const lb = lbu[k * nu + j];
          const ub = ubu[k * nu + j];
          if (lb > ub) return false;
          if (lb > -Infinity) { this.boxVar[base + c] = j; this.boxSign[base + c] = 1; this.boxBound[base + c] = lb; c++; }
          if (ub < Infinity) { this.boxVar[base + c] = j; this.boxSign[base + c] = -1; this.boxBound[base + c] = ub; c++; }
        }
      }
      if (k > 0) {
        for (let j = 0; j < nx; j++) {
          const lb = lbx[k * nx + j];
          const ub = ubx[k * nx + j];
          if (lb > ub) return false;
          if (lb > -Infinity) { this.boxVar[base + c] = nu + j; this.boxSign[base + c] = 1; this.boxBound[base + c] = lb; c++; }
          if (ub < Infinity) { this.boxVar[base + c] = nu + j; this.boxSign[base + c] = -1; this.boxBound[base + c] = ub; c++; }
        }
      }
      this.boxCount[k] = c;
    }
    return true;
  }

  /** The nonzero columns of every soft row's C and D (fixed during one solve). */
  private buildSoftPattern(): void {
    const { N, nx, nu, nsMax, cNzCount, cNzIdx, cNzVal, dNzCount, dNzIdx, dNzVal } = this;
    const { C, D } = this.qp;
    for (let k = 0; k <= N; k++) {
      const ns = this.qp.softRows(k);
      for (let i = 0; i < ns; i++) {
        const o = k * nsMax + i;
        const co = o * nx;
        let c = 0;
        for (let j = 0; j < nx; j++) {
          const v = C[co + j];
          if (v !== 0) { cNzIdx[co + c] = j; cNzVal[co + c] = v; c++; }
        }
        cNzCount[o] = c;
        let d = 0;
        if (k < N) {
          const dOff = o * nu;
          for (let j = 0; j < nu; j++) {
            const v = D[dOff + j];
            if (v !== 0) { dNzIdx[dOff + d] = j; dNzVal[dOff + d] = v; d++; }
          }
        }
        dNzCount[o] = d;
      }
    }
  }

  private countInequalities(): number {
    let m = 0;
    for (let k = 0; k <= this.N; k++) m += this.boxCount[k] + 2 * this.qp.softRows(k);
    return m;
  }

  /** G·v = C x + D u of every soft row at the current iterate, into gvS. */
  private softRowValues(): void {
    const { N, nx, nu, nsMax, gvS, cNzCount, cNzIdx, cNzVal, dNzCount, dNzIdx, dNzVal } = this;
    const { x, u } = this.solution;
    for (let k = 0; k <= N; k++) {
      const ns = k < N ? this.qp.ns : this.qp.nsN;
      for (let i = 0; i < ns; i++) {
        const o = k * nsMax + i;
        let gv = 0;
        const co = o * nx;
        const xo = k * nx;
        for (let p = 0; p < cNzCount[o]; p++) gv += cNzVal[co + p] * x[xo + cNzIdx[co + p]];
        if (k < N) {
          const dOff = o * nu;
          const uo = k * nu;
          for (let p = 0; p < dNzCount[o]; p++) gv += dNzVal[dOff + p] * u[uo + dNzIdx[dOff + p]];
        }
        gvS[o] = gv;
      }
    }
  }

  private initialize(warm: boolean, warmDual: boolean): void {
    const { N, nx, nu, nsMax, maxBox } = this;
    const { x, u, s, pi } = this.solution;
    const thr = warm || warmDual ? this.settings.warmSlack : this.settings.initialSlack;
    if (!warm) {
      x.fill(0);
      u.fill(0);
    }
    s.fill(0);
    pi.fill(0);
    for (let j = 0; j < nx; j++) x[j] = this.qp.x0[j];
    this.softRowValues();
    for (let k = 0; k <= N; k++) {
      const base = k * maxBox;
      for (let m = 0; m < this.boxCount[k]; m++) {
        const j = this.boxVar[base + m];
        const v = j < nu ? u[k * nu + j] : x[k * nx + j - nu];
        const a = this.boxSign[base + m] * (v - this.boxBound[base + m]);
        const t = a > thr ? a : thr;
        this.tB[base + m] = t;
        // warm duals: the previous multipliers, floored so the IPM can still move
        const lam = this.lamB[base + m];
        this.lamB[base + m] = warmDual ? (lam > thr ? lam : thr) : 1 / t;
      }
      const ns = this.qp.softRows(k);
      for (let i = 0; i < ns; i++) {
        const o = k * nsMax + i;
        // start the slack where the soft row is satisfied, so t_g begins positive
        const viol = this.gvS[o] - this.qp.ug[o];
        s[o] = viol > 0 ? viol : 0;
        const tg = s[o] - viol;
        this.tG[o] = tg > thr ? tg : thr;
        this.tS[o] = s[o] > thr ? s[o] : thr;
        if (warmDual) {
          this.lamG[o] = this.lamG[o] > thr ? this.lamG[o] : thr;
          this.lamS[o] = this.lamS[o] > thr ? this.lamS[o] : thr;
        } else {
          this.lamG[o] = 1 / this.tG[o];
          this.lamS[o] = 1 / this.tS[o];
        }
      }
    }
  }

  /** Residuals r_d, r_b, r_i at the iterate; fills info and this.mu. */
  private computeResiduals(m: number): void {
    const { N, nx, nu, nsMax, maxBox } = this;
    const qp = this.qp;
    const { x, u, s, pi } = this.solution;
    const { fx, fu, rdx, rdu, rb } = this;
    this.softRowValues();
    let maxRd = 0;
    let maxRb = 0;
    let maxRi = 0;
    let comp = 0;
    for (let k = 0; k <= N; k++) {
      const xo = k * nx;
      const uo = k * nu;
      // ∇f: Qx + Sᵀu + q and Ru + Sx + r
      spmv(this.qPat, k, x, xo, false, fx, xo);
      for (let j = 0; j < nx; j++) fx[xo + j] += qp.q[xo + j];
      if (k < N) {
        spmvT(this.sPat, k, u, uo, fx, xo);
        spmv(this.rPat, k, u, uo, false, fu, uo);
        spmv(this.sPat, k, x, xo, true, fu, uo);
        for (let j = 0; j < nu; j++) fu[uo + j] += qp.r[uo + j];
        for (let j = 0; j < nu; j++) rdu[uo + j] = fu[uo + j];
        spmvT(this.bPat, k, pi, xo, rdu, uo);
        // r_b = A x + B u + b − x₊
        spmv(this.aPat, k, x, xo, false, rb, xo);
        spmv(this.bPat, k, u, uo, true, rb, xo);
        for (let j = 0; j < nx; j++) {
          const v = rb[xo + j] + qp.b[xo + j] - x[xo + nx + j];
          rb[xo + j] = v;
          const a = Math.abs(v);
          if (a > maxRb) maxRb = a;
        }
      }
      for (let j = 0; j < nx; j++) rdx[xo + j] = fx[xo + j];
      if (k < N) spmvT(this.aPat, k, pi, xo, rdx, xo);
      if (k > 0) for (let j = 0; j < nx; j++) rdx[xo + j] -= pi[xo - nx + j];
      // boxes
      const base = k * maxBox;
      for (let mm = 0; mm < this.boxCount[k]; mm++) {
        const o = base + mm;
        const j = this.boxVar[o];
        const sg = this.boxSign[o];
        const lam = this.lamB[o];
        if (j < nu) rdu[uo + j] -= sg * lam;
        else rdx[xo + j - nu] -= sg * lam;
        const v = j < nu ? u[uo + j] : x[xo + j - nu];
        const ri = this.tB[o] - sg * (v - this.boxBound[o]);
        this.rB[o] = ri;
        const a = Math.abs(ri);
        if (a > maxRi) maxRi = a;
        comp += lam * this.tB[o];
      }
      // soft rows: +Gᵀλ_g in r_d; r_s = zl1 + zl2 s − λ_g − λ_s
      const ns = qp.softRows(k);
      for (let i = 0; i < ns; i++) {
        const o = k * nsMax + i;
        const lg = this.lamG[o];
        const co = o * nx;
        for (let p = 0; p < this.cNzCount[o]; p++) rdx[xo + this.cNzIdx[co + p]] += this.cNzVal[co + p] * lg;
        if (k < N) {
          const dOff = o * nu;
          for (let p = 0; p < this.dNzCount[o]; p++) rdu[uo + this.dNzIdx[dOff + p]] += this.dNzVal[dOff + p] * lg;
        }
        const rds = Math.abs(qp.zl1[o] + qp.zl2[o] * s[o] - lg - this.lamS[o]);
        if (rds > maxRd) maxRd = rds;
        const rg = this.tG[o] - (qp.ug[o] + s[o] - this.gvS[o]);
        const rs = this.tS[o] - s[o];
        this.rG[o] = rg;
        this.rS[o] = rs;
        const a = Math.max(Math.abs(rg), Math.abs(rs));
        if (a > maxRi) maxRi = a;
        comp += lg * this.tG[o] + this.lamS[o] * this.tS[o];
      }
      if (k > 0) for (let j = 0; j < nx; j++) { const a = Math.abs(rdx[xo + j]); if (a > maxRd) maxRd = a; }
      if (k < N) for (let j = 0; j < nu; j++) { const a = Math.abs(rdu[uo + j]); if (a > maxRd) maxRd = a; }
    }
    this.mu = m > 0 ? comp / m : 0;
    this.maxRb = maxRb;
    this.maxRi = maxRi;
    this.info.dualResidual = maxRd;
    this.info.primalResidual = Math.max(maxRb, maxRi);
    this.info.dualityGap = this.mu;
  }

  private maxLambdaAbove(bound: number): boolean {
    const { N, maxBox, nsMax } = this;
    for (let k = 0; k <= N; k++) {
      for (let mm = 0; mm < this.boxCount[k]; mm++) if (this.lamB[k * maxBox + mm] > bound) return true;
      const ns = k < N ? this.qp.ns : this.qp.nsN;
      for (let i = 0; i < ns; i++) if (this.lamG[k * nsMax + i] > bound || this.lamS[k * nsMax + i] > bound) return true;
    }
    return false;
  }

  /** Riccati factorization of the barrier-augmented KKT matrix; false if R̃ₖ is not PD. */
  private factorize(): boolean {
    const { N, nx, nu, nsMax, maxBox, P, Lr, Ls, PA, PB, WT, aPat, bPat } = this;
    const qp = this.qp;
    const nx2 = nx * nx;
    const nu2 = nu * nu;
    const reg = this.settings.regularization;
    this.softWeights();
    // P_N = Q̂_N
    this.hessianBlocksX(N, P, N * nx2);
    for (let k = N - 1; k >= 0; k--) {
      const p1 = (k + 1) * nx2;
      const rOff = k * nu2;
      const sOff = k * nu * nx;
      // R̂ₖ, Ŝₖ into Lr, Ls
      for (let i = 0; i < nu2; i++) Lr[rOff + i] = qp.R[rOff + i];
      for (let i = 0; i < nu; i++) Lr[rOff + i * nu + i] += reg;
      for (let i = 0; i < nu * nx; i++) Ls[sOff + i] = qp.S[sOff + i];
      const base = k * maxBox;
      for (let mm = 0; mm < this.boxCount[k]; mm++) {
        const j = this.boxVar[base + mm];
        if (j < nu) Lr[rOff + j * nu + j] += this.lamB[base + mm] / this.tB[base + mm];
      }
      const ns = qp.softRows(k);
      for (let i = 0; i < ns; i++) {
        const o = k * nsMax + i;
        const W = this.wSoft[o];
        if (W === 0) continue;
        const dOff = o * nu;
        const cOff = o * nx;
        const dn = this.dNzCount[o];
        const cn = this.cNzCount[o];
        for (let pa = 0; pa < dn; pa++) {
          const wd = W * this.dNzVal[dOff + pa];
          const ra = rOff + this.dNzIdx[dOff + pa] * nu;
          const sa = sOff + this.dNzIdx[dOff + pa] * nx;
          for (let pc = 0; pc < dn; pc++) Lr[ra + this.dNzIdx[dOff + pc]] += wd * this.dNzVal[dOff + pc];
          for (let pc = 0; pc < cn; pc++) Ls[sa + this.cNzIdx[cOff + pc]] += wd * this.cNzVal[cOff + pc];
        }
      }
      // PA = Pₖ₊₁Aₖ = (AₖᵀPₖ₊₁)ᵀ and PB likewise: the products run over the
      // entries of A and B, so the zeros of structured dynamics cost nothing
      spTmm(aPat, k, P, p1, nx, false, WT, 0);
      transpose(nx, nx, WT, 0, PA, 0);
      spTmm(bPat, k, P, p1, nx, false, WT, 0);
      transpose(nu, nx, WT, 0, PB, 0);
      // R̃ = R̂ + BᵀPB, S̃ = Ŝ + BᵀPA
      spTmm(bPat, k, PB, 0, nu, true, Lr, rOff);
      spTmm(bPat, k, PA, 0, nx, true, Ls, sOff);
      if (!cholFactor(Lr, rOff, nu)) return false;
      trsmLower(Lr, rOff, nu, Ls, sOff, nx); // Yₖ = Lₖ⁻¹S̃ₖ
      if (k === 0) break; // x₀ is fixed: P₀ is never used
      // Pₖ = Q̂ₖ + AᵀPA − YᵀY
      const pk = k * nx2;
      this.hessianBlocksX(k, P, pk);
      spTmm(aPat, k, PA, 0, nx, true, P, pk);
      // symmetrise AᵀPA (rounding) before the symmetric −YᵀY update
      for (let i = 0; i < nx; i++) {
        for (let j = i + 1; j < nx; j++) P[pk + i * nx + j] = 0.5 * (P[pk + i * nx + j] + P[pk + j * nx + i]);
      }
      syrkTN(nx, nu, -1, Ls, sOff, P, pk);
    }
    return true;
  }

  /** Q̂ₖ = Qₖ + box weights on x + soft-row weights CᵀWC, written at out[off]. */
  private hessianBlocksX(k: number, out: Float64Array, off: number): void {
    const { nx, nu, nsMax, maxBox } = this;
    const qp = this.qp;
    const nx2 = nx * nx;
    for (let i = 0; i < nx2; i++) out[off + i] = qp.Q[k * nx2 + i];
    const base = k * maxBox;
    for (let mm = 0; mm < this.boxCount[k]; mm++) {
      const j = this.boxVar[base + mm];
      if (j >= nu) out[off + (j - nu) * nx + (j - nu)] += this.lamB[base + mm] / this.tB[base + mm];
    }
    const ns = qp.softRows(k);
    for (let i = 0; i < ns; i++) {
      const o = k * nsMax + i;
      const W = this.wSoft[o];
      if (W === 0) continue;
      const cOff = o * nx;
      const cn = this.cNzCount[o];
      for (let pa = 0; pa < cn; pa++) {
        const wc = W * this.cNzVal[cOff + pa];
        const ra = off + this.cNzIdx[cOff + pa] * nx;
        for (let pc = 0; pc < cn; pc++) out[ra + this.cNzIdx[cOff + pc]] += wc * this.cNzVal[cOff + pc];
      }
    }
  }

  /** W of every soft row after eliminating its slack (and w_g, H_ss for the direction). */
  private softWeights(): void {
    const { N, nsMax } = this;
    for (let k = 0; k <= N; k++) {
      const ns = k < N ? this.qp.ns : this.qp.nsN;
      for (let i = 0; i < ns; i++) {
        const o = k * nsMax + i;
        const wg = this.lamG[o] / this.tG[o];
        const ws = this.lamS[o] / this.tS[o];
        const z2 = this.qp.zl2[o];
        const hss = z2 + wg + ws;
        this.wGrow[o] = wg;
        this.hSS[o] = hss;
        this.wSoft[o] = (wg * (z2 + ws)) / hss;
      }
    }
  }

  /**
   * One Newton direction with the factorization in place. Predictor: ζ = 0;
   * corrector: ζ = Δt_aff∘Δλ_aff − σμ. Fills dx, du, ds, dt*, dlam*, and piPlus when withDuals.
   */
  private direction(corrector: boolean, sigmaMu: number, withDuals: boolean): void {
    // three passes in their own (small) functions: V8 optimises each sooner
    this.barrierGradient(corrector, sigmaMu);
    this.riccatiSolve(withDuals);
    this.inequalitySteps(corrector, sigmaMu);
  }

  /** ĝ of the Newton system (the barrier terms of every inequality added to ∇f), into gx, gu, gS. */
  private barrierGradient(corrector: boolean, sigmaMu: number): void {
    const { N, nx, nu, nsMax, maxBox, gx, gu, fx, fu } = this;
    const { cNzCount, cNzIdx, cNzVal, dNzCount, dNzIdx, dNzVal } = this;
    const qp = this.qp;
    const { s } = this.solution;
    // ĝ = ∇f + Σ g e with e = (ζ − λ r_i)/t
    for (let i = 0; i < gx.length; i++) gx[i] = fx[i];
    for (let i = 0; i < gu.length; i++) gu[i] = fu[i];
    for (let k = 0; k <= N; k++) {
      const base = k * maxBox;
      for (let mm = 0; mm < this.boxCount[k]; mm++) {
        const o = base + mm;
        const zeta = corrector ? this.dtBa[o] * this.dlamBa[o] - sigmaMu : 0;
        const e = (zeta - this.lamB[o] * this.rB[o]) / this.tB[o];
        const j = this.boxVar[o];
        if (j < nu) gu[k * nu + j] += this.boxSign[o] * e;
        else gx[k * nx + j - nu] += this.boxSign[o] * e;
      }
      const ns = qp.softRows(k);
      for (let i = 0; i < ns; i++) {
        const o = k * nsMax + i;
        const zg = corrector ? this.dtGa[o] * this.dlamGa[o] - sigmaMu : 0;
        const zs = corrector ? this.dtSa[o] * this.dlamSa[o] - sigmaMu : 0;
        const eg = (zg - this.lamG[o] * this.rG[o]) / this.tG[o];
        const es = (zs - this.lamS[o] * this.rS[o]) / this.tS[o];
        const gs = qp.zl1[o] + qp.zl2[o] * s[o] + eg + es;
        this.gS[o] = gs;
        const gamma = -eg + (this.wGrow[o] * gs) / this.hSS[o];
        const cOff = o * nx;
        for (let p = 0; p < cNzCount[o]; p++) gx[k * nx + cNzIdx[cOff + p]] += gamma * cNzVal[cOff + p];
        if (k < N) {
          const dOff = o * nu;
          for (let p = 0; p < dNzCount[o]; p++) gu[k * nu + dNzIdx[dOff + p]] += gamma * dNzVal[dOff + p];
        }
      }
    }
  }

  /** The Riccati backward/forward vector pass with ĝ: dx, du, and (withDuals) the new π, piPlus. */
  private riccatiSolve(withDuals: boolean): void {
    const { N, nx, nu, gx, gu, rb, P, pv, Lr, Ls, kff, dx, du, piPlus, hTmp, zTmp, aPat, bPat } = this;
    const qp = this.qp;
    const nx2 = nx * nx;
    // backward vector recursion
    for (let j = 0; j < nx; j++) pv[N * nx + j] = gx[N * nx + j];
    for (let k = N - 1; k >= 0; k--) {
      const p1 = (k + 1) * nx;
      gemv(nx, nx, 1, P, (k + 1) * nx2, rb, k * nx, 0, hTmp, 0);
      for (let j = 0; j < nx; j++) hTmp[j] += pv[p1 + j];
      for (let j = 0; j < nu; j++) zTmp[j] = gu[k * nu + j];
      spmvT(bPat, k, hTmp, 0, zTmp, 0);
      trsvLower(Lr, k * nu * nu, nu, zTmp, 0);
      if (k > 0) {
        for (let j = 0; j < nx; j++) pv[k * nx + j] = gx[k * nx + j];
        spmvT(aPat, k, hTmp, 0, pv, k * nx);
        gemvT(nu, nx, -1, Ls, k * nu * nx, zTmp, 0, 1, pv, k * nx);
      }
      for (let j = 0; j < nu; j++) kff[k * nu + j] = -zTmp[j];
      trsvLowerT(Lr, k * nu * nu, nu, kff, k * nu);
    }
    // forward
    for (let j = 0; j < nx; j++) dx[j] = 0;
    for (let k = 0; k < N; k++) {
      const uo = k * nu;
      const xo = k * nx;
      // Δu = KΔx + k with K = −L⁻ᵀY applied as −L⁻ᵀ(YΔx): one triangular
      // solve of a vector instead of forming K (a matrix solve) every iteration
      gemv(nu, nx, 1, Ls, k * nu * nx, dx, xo, 0, zTmp, 0);
      trsvLowerT(Lr, k * nu * nu, nu, zTmp, 0);
      for (let j = 0; j < nu; j++) du[uo + j] = kff[uo + j] - zTmp[j];
      spmv(aPat, k, dx, xo, false, dx, xo + nx);
      spmv(bPat, k, du, uo, true, dx, xo + nx);
      for (let j = 0; j < nx; j++) dx[xo + nx + j] += rb[xo + j];
      if (!withDuals) continue;
      gemv(nx, nx, 1, P, (k + 1) * nx2, dx, xo + nx, 0, piPlus, xo);
      for (let j = 0; j < nx; j++) piPlus[xo + j] += pv[xo + nx + j];
    }
  }

  /** Δt and Δλ of every inequality (and Δs) from the primal step. */
  private inequalitySteps(corrector: boolean, sigmaMu: number): void {
    const { N, nx, nu, nsMax, maxBox, dx, du, ds } = this;
    const { cNzCount, cNzIdx, cNzVal, dNzCount, dNzIdx, dNzVal } = this;
    const qp = this.qp;
    // inequality steps: Δt = gᵀΔy − r_i, Δλ = −(ζ + λ∘t + λ∘Δt)/t
    for (let k = 0; k <= N; k++) {
      const base = k * maxBox;
      for (let mm = 0; mm < this.boxCount[k]; mm++) {
        const o = base + mm;
        const j = this.boxVar[o];
        const dv = j < nu ? du[k * nu + j] : dx[k * nx + j - nu];
        const dt = this.boxSign[o] * dv - this.rB[o];
        const zeta = corrector ? this.dtBa[o] * this.dlamBa[o] - sigmaMu : 0;
        const lam = this.lamB[o];
        this.dtB[o] = dt;
        this.dlamB[o] = -(zeta + lam * this.tB[o] + lam * dt) / this.tB[o];
      }
      const ns = qp.softRows(k);
      for (let i = 0; i < ns; i++) {
        const o = k * nsMax + i;
        // G Δv
        let gdv = 0;
        const cOff = o * nx;
        for (let p = 0; p < cNzCount[o]; p++) gdv += cNzVal[cOff + p] * dx[k * nx + cNzIdx[cOff + p]];
        if (k < N) {
          const dOff = o * nu;
          for (let p = 0; p < dNzCount[o]; p++) gdv += dNzVal[dOff + p] * du[k * nu + dNzIdx[dOff + p]];
        }
        const dsv = (this.wGrow[o] * gdv - this.gS[o]) / this.hSS[o];
        ds[o] = dsv;
        const dtg = dsv - gdv - this.rG[o];
        const dts = dsv - this.rS[o];
        const zg = corrector ? this.dtGa[o] * this.dlamGa[o] - sigmaMu : 0;
        const zs = corrector ? this.dtSa[o] * this.dlamSa[o] - sigmaMu : 0;
        const lg = this.lamG[o];
        const ls = this.lamS[o];
        this.dtG[o] = dtg;
        this.dlamG[o] = -(zg + lg * this.tG[o] + lg * dtg) / this.tG[o];
        this.dtS[o] = dts;
        this.dlamS[o] = -(zs + ls * this.tS[o] + ls * dts) / this.tS[o];
      }
    }
  }

  /**
   * Largest α with t + αΔt ≥ 0 and λ + αΔλ ≥ 0 (Infinity when nothing
   * blocks), into alphaMax; the blocking pair (its slack and multiplier
   * arrays, and which of the two blocks) into block*.
   */
  private maxStep(): void {
    let alpha = Infinity;
    const { N, maxBox, nsMax } = this;
    for (let k = 0; k <= N; k++) {
      const base = k * maxBox;
      for (let mm = 0; mm < this.boxCount[k]; mm++) {
        const o = base + mm;
        if (this.dtB[o] < 0) { const a = -this.tB[o] / this.dtB[o]; if (a < alpha) { alpha = a; this.setBlock(BLOCK_BOX, o, true); } }
        if (this.dlamB[o] < 0) { const a = -this.lamB[o] / this.dlamB[o]; if (a < alpha) { alpha = a; this.setBlock(BLOCK_BOX, o, false); } }
      }
      const ns = this.qp.softRows(k);
      for (let i = 0; i < ns; i++) {
        const o = k * nsMax + i;
        if (this.dtG[o] < 0) { const a = -this.tG[o] / this.dtG[o]; if (a < alpha) { alpha = a; this.setBlock(BLOCK_ROW, o, true); } }
        if (this.dlamG[o] < 0) { const a = -this.lamG[o] / this.dlamG[o]; if (a < alpha) { alpha = a; this.setBlock(BLOCK_ROW, o, false); } }
        if (this.dtS[o] < 0) { const a = -this.tS[o] / this.dtS[o]; if (a < alpha) { alpha = a; this.setBlock(BLOCK_SLACK, o, true); } }
        if (this.dlamS[o] < 0) { const a = -this.lamS[o] / this.dlamS[o]; if (a < alpha) { alpha = a; this.setBlock(BLOCK_SLACK, o, false); } }
      }
    }
    this.alphaMax = alpha;
  }

  private blockKind = BLOCK_BOX;
  private blockIndex = 0;
  private blockPrimal = true;

  private setBlock(kind: number, index: number, primal: boolean): void {
    this.blockKind = kind;
    this.blockIndex = index;
    this.blockPrimal = primal;
  }

  /**
   * Step length for the corrector direction, given alphaMax < ∞: Mehrotra's
   * heuristic (Mehrotra, SIAM J. Optim. 2(4) 1992, §6; as in OOQP, Gertz &
   * Wright 2003). With μ_full the mean complementarity after the step to the
   * boundary, the blocking pair is left with product γ_f·μ_full instead of
   * zero: α = (γ_f·μ_full / (λᵢ + α_max Δλᵢ) − tᵢ) / Δtᵢ when its slack
   * blocks (the mirror image when its multiplier does). Near the solution,
   * where an active slack's Newton step goes almost exactly to zero, this
   * takes ~all of the step where a fixed τ = 0.995 would leave 0.5 % of
   * every residual behind; never less than τ·α_max.
   */
  private stepLength(m: number, tau: number, gammaF: number): number {
    const aMax = this.alphaMax;
    let alpha = tau * aMax;
    this.complementarityAfter(aMax);
    const muFull = this.compAfter / m;
    const o = this.blockIndex;
    const kind = this.blockKind;
    const t = kind === BLOCK_BOX ? this.tB[o] : kind === BLOCK_ROW ? this.tG[o] : this.tS[o];
    const dt = kind === BLOCK_BOX ? this.dtB[o] : kind === BLOCK_ROW ? this.dtG[o] : this.dtS[o];
    const lam = kind === BLOCK_BOX ? this.lamB[o] : kind === BLOCK_ROW ? this.lamG[o] : this.lamS[o];
    const dlam = kind === BLOCK_BOX ? this.dlamB[o] : kind === BLOCK_ROW ? this.dlamG[o] : this.dlamS[o];
    let a = 0;
    if (this.blockPrimal) {
      const partner = lam + aMax * dlam;
      if (partner > 0) a = ((gammaF * muFull) / partner - t) / dt;
    } else {
      const partner = t + aMax * dt;
      if (partner > 0) a = ((gammaF * muFull) / partner - lam) / dlam;
    }
    if (a > alpha && a < aMax) alpha = a;
    return alpha;
  }

  /** Σ (t + αΔt)(λ + αΔλ) for the current direction, into compAfter. */
  private complementarityAfter(alpha: number): void {
    let c = 0;
    const { N, maxBox, nsMax } = this;
    for (let k = 0; k <= N; k++) {
      const base = k * maxBox;
      for (let mm = 0; mm < this.boxCount[k]; mm++) {
        const o = base + mm;
        c += (this.tB[o] + alpha * this.dtB[o]) * (this.lamB[o] + alpha * this.dlamB[o]);
      }
      const ns = this.qp.softRows(k);
      for (let i = 0; i < ns; i++) {
        const o = k * nsMax + i;
        c += (this.tG[o] + alpha * this.dtG[o]) * (this.lamG[o] + alpha * this.dlamG[o]);
        c += (this.tS[o] + alpha * this.dtS[o]) * (this.lamS[o] + alpha * this.dlamS[o]);
      }
    }
    this.compAfter = c;
  }

  private saveAffine(): void {
    this.dtBa.set(this.dtB);
    this.dlamBa.set(this.dlamB);
    this.dtGa.set(this.dtG);
    this.dlamGa.set(this.dlamG);
    this.dtSa.set(this.dtS);
    this.dlamSa.set(this.dlamS);
  }

  private takeStep(alpha: number): void {
    const { x, u, s, pi } = this.solution;
    const { dx, du, ds, piPlus } = this;
    for (let i = this.nx; i < x.length; i++) x[i] += alpha * dx[i];
    for (let i = 0; i < u.length; i++) u[i] += alpha * du[i];
    for (let i = 0; i < s.length; i++) s[i] += alpha * ds[i];
    for (let i = 0; i < pi.length; i++) pi[i] += alpha * (piPlus[i] - pi[i]);
    axpy(alpha, this.dtB, this.tB);
    axpy(alpha, this.dlamB, this.lamB);
    axpy(alpha, this.dtG, this.tG);
    axpy(alpha, this.dlamG, this.lamG);
    axpy(alpha, this.dtS, this.tS);
    axpy(alpha, this.dlamS, this.lamS);
  }

  /** Objective of the QP at the current primal point (x₀ terms included), into info. */
  private objective(): void {
    const { N, nx, nu, nsMax, hTmp, zTmp } = this;
    const qp = this.qp;
    const { x, u, s } = this.solution;
    let f = 0;
    // over the nonzeros of Q, R, S (compressed at the start of the solve)
    for (let k = 0; k <= N; k++) {
      const xo = k * nx;
      spmv(this.qPat, k, x, xo, false, hTmp, 0);
      for (let j = 0; j < nx; j++) f += (0.5 * hTmp[j] + qp.q[xo + j]) * x[xo + j];
      if (k < N) {
        const uo = k * nu;
        spmv(this.rPat, k, u, uo, false, zTmp, 0);
        for (let j = 0; j < nu; j++) zTmp[j] *= 0.5;
        spmv(this.sPat, k, x, xo, true, zTmp, 0);
        for (let j = 0; j < nu; j++) f += (zTmp[j] + qp.r[uo + j]) * u[uo + j];
      }
      const ns = qp.softRows(k);
      for (let i = 0; i < ns; i++) {
        const o = k * nsMax + i;
        f += qp.zl1[o] * s[o] + 0.5 * qp.zl2[o] * s[o] * s[o];
      }
    }
    this.info.objective = f;
  }
}

/** Step halvings allowed when a feasible iterate's step would not lower μ. */
const MAX_STEP_HALVINGS = 8;

const BLOCK_BOX = 0;
const BLOCK_ROW = 1;
const BLOCK_SLACK = 2;

/** y += α·d */
function axpy(alpha: number, d: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * d[i];
}

/** setup: allocate a solver for these dimensions (the only allocating call). */
export function createQpSolver(dims: OcpQpDims, settings: Partial<QpSettings> = {}): OcpQpSolver {
  return new OcpQpSolver(dims, settings);
}
