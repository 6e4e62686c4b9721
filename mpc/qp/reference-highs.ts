/**
 * The same OCP-QP handed to HiGHS (npm `highs`, WebAssembly build of the
 * Edinburgh solver) as one sparse QP over all stages — the independent
 * reference the tests and `cinepilot bench qp|mpc` compare against. Not on
 * the control path: `highs` is a dev dependency, loaded lazily here.
 *
 * Variables, stage-wise: [u₀, x₁, u₁, …, x_N, s]; x₀ is substituted as data,
 * dynamics are equality rows, soft rows are
 * C x + D u − s ≤ ug with s ≥ 0.
 */
import { CinePilotError } from '../../core/errors.ts';
import type { OcpQp } from './ocp-qp.ts';

export interface ReferenceResult {
  status: 'solved' | 'infeasible' | 'failed';
  objective: number;
  x: Float64Array; // (N+1) × nx
  u: Float64Array; // N × nu
  solveMs: number;
  rawStatus: string;
}

type HighsModule = {
  createModel(data: unknown): {
    options: { set(o: Record<string, unknown>): void };
    run(): unknown;
    getModelStatus(): number;
    getObjectiveValue(): number;
    getSolution(): { colValue: Float64Array };
    dispose(): void;
  };
  constants: { modelStatus: Record<string, number> };
  infinity?: number;
};

let highsPromise: Promise<HighsModule> | null = null;

export async function loadHighsReference(): Promise<(qp: OcpQp) => ReferenceResult> {
  if (!highsPromise) {
    highsPromise = import('highs')
      .then((m) => (m.default as unknown as () => Promise<HighsModule>)())
      .catch((err: unknown) => {
        highsPromise = null;
        throw new CinePilotError('REFERENCE_UNAVAILABLE', `the reference solver (npm "highs") could not be loaded: ${(err as Error).message}. Run npm install.`);
      });
  }
  const highs = await highsPromise;
  return (qp) => solveWithHighs(highs, qp);
}

/**
 * The OCP-QP as one sparse QP over [u₀, x₁, u₁, …, x_N, s] (x₀ substituted):
 * cost, column bounds, lower-triangular CSC Hessian, CSR rows with lo ≤ row ≤ hi.
 */
export function sparseQpForm(qp: OcpQp) {
  const { N, nx, nu, nsMax, x0 } = qp;
  const stride = nx + nu;
  // x₀ is data, not a column: HiGHS' active-set solver fails on some of these
  // problems when fixed columns are left in (equal bounds).
  const xCol = (k: number) => nu + (k - 1) * stride; // k ≥ 1
  const uCol = (k: number) => (k === 0 ? 0 : xCol(k) + nx);
  const nPrimal = N * stride;
  let nSoft = 0;
  const sCol = new Int32Array((N + 1) * nsMax).fill(-1);
  for (let k = 0; k <= N; k++) for (let i = 0; i < qp.softRows(k); i++) sCol[k * nsMax + i] = nPrimal + nSoft++;
  const n = nPrimal + nSoft;
  const cost = new Float64Array(n);
  const lo = new Float64Array(n).fill(-Infinity);
  const hi = new Float64Array(n).fill(Infinity);
  // constant part of the objective: ½x₀ᵀQ₀x₀ + q₀ᵀx₀
  let offset = 0;
  for (let i = 0; i < nx; i++) {
    let qx = 0;
    for (let j = 0; j < nx; j++) qx += qp.Q[i * nx + j] * x0[j];
    offset += (0.5 * qx + qp.q[i]) * x0[i];
  }
  // Hessian: dense per-stage block over [x; u] (stage 0: u only), lower triangle, CSC
  const hStarts: number[] = [0];
  const hIdx: number[] = [];
  const hVal: number[] = [];
  for (let k = 0; k <= N; k++) {
    const first = k === 0 ? nx : 0; // skip the x rows/cols of stage 0
    const dim = k < N ? stride : nx;
    const col0 = k === 0 ? 0 : xCol(k);
    const at = (i: number, j: number): number => {
      // element (i, j) of [[Q, Sᵀ], [S, R]] in [x; u] order
      if (i < nx && j < nx) return qp.Q[k * nx * nx + i * nx + j];
      if (i >= nx && j >= nx) return qp.R[k * nu * nu + (i - nx) * nu + (j - nx)];
      if (i >= nx) return qp.S[k * nu * nx + (i - nx) * nx + j];
      return qp.S[k * nu * nx + (j - nx) * nx + i];
    };
    for (let j = first; j < dim; j++) {
      for (let i = j; i < dim; i++) {
        const v = at(i, j);
        if (v !== 0) {
          hIdx.push(col0 + i - first);
          hVal.push(v);
        }
      }
      hStarts.push(hIdx.length);
    }
  }
  for (let k = 1; k <= N; k++) {
    for (let j = 0; j < nx; j++) {
      cost[xCol(k) + j] = qp.q[k * nx + j];
      lo[xCol(k) + j] = qp.lbx[k * nx + j];
      hi[xCol(k) + j] = qp.ubx[k * nx + j];
    }
  }
  for (let k = 0; k < N; k++) {
    for (let j = 0; j < nu; j++) {
      let c = qp.r[k * nu + j];
      if (k === 0) for (let i = 0; i < nx; i++) c += qp.S[j * nx + i] * x0[i];
      cost[uCol(k) + j] = c;
      lo[uCol(k) + j] = qp.lbu[k * nu + j];
      hi[uCol(k) + j] = qp.ubu[k * nu + j];
    }
  }
  // slack columns: linear zl1, diagonal zl2 in the Hessian
  for (let o = 0; o < sCol.length; o++) {
    const c = sCol[o];
    if (c < 0) continue;
    cost[c] = qp.zl1[o];
    lo[c] = 0;
    if (qp.zl2[o] !== 0) {
      hIdx.push(c);
      hVal.push(qp.zl2[o]);
    }
    hStarts.push(hIdx.length);
  }
  // rows (CSR): dynamics then soft rows
  const rStarts: number[] = [0];
  const rIdx: number[] = [];
  const rVal: number[] = [];
  const rLo: number[] = [];
  const rHi: number[] = [];
  for (let k = 0; k < N; k++) {
    for (let i = 0; i < nx; i++) {
      // x_{k+1,i} − A_i x_k − B_i u_k = b_i (k = 0: A₀x₀ moves to the right-hand side); columns ascending
      let rhs = qp.b[k * nx + i];
      if (k === 0) for (let j = 0; j < nx; j++) rhs += qp.A[i * nx + j] * x0[j];
      else for (let j = 0; j < nx; j++) push(xCol(k) + j, -qp.A[k * nx * nx + i * nx + j]);
      for (let j = 0; j < nu; j++) push(uCol(k) + j, -qp.B[k * nx * nu + i * nu + j]);
      push(xCol(k + 1) + i, 1);
      rLo.push(rhs);
      rHi.push(rhs);
      rStarts.push(rIdx.length);
    }
  }
  for (let k = 0; k <= N; k++) {
    for (let i = 0; i < qp.softRows(k); i++) {
      const o = k * nsMax + i;
      let rhs = qp.ug[o];
      if (k === 0) for (let j = 0; j < nx; j++) rhs -= qp.C[o * nx + j] * x0[j];
      else for (let j = 0; j < nx; j++) push(xCol(k) + j, qp.C[o * nx + j]);
      if (k < N) for (let j = 0; j < nu; j++) push(uCol(k) + j, qp.D[o * nu + j]);
      push(sCol[o], -1);
      rLo.push(-Infinity);
      rHi.push(rhs);
      rStarts.push(rIdx.length);
    }
  }
  function push(col: number, v: number) {
    if (v === 0) return;
    rIdx.push(col);
    rVal.push(v);
  }
  return { n, cost, lo, hi, offset, hStarts, hIdx, hVal, rStarts, rIdx, rVal, rLo, rHi, xCol, uCol };
}

function solveWithHighs(highs: HighsModule, qp: OcpQp): ReferenceResult {
  const { N, nx, nu, x0 } = qp;
  const { n, cost, lo, hi, offset, hStarts, hIdx, hVal, rStarts, rIdx, rVal, rLo, rHi, xCol, uCol } = sparseQpForm(qp);
  const t0 = performance.now();
  try {
    return runModel(false);
  } catch {
    // HiGHS' active-set QP solver errors out on some problems where every
    // column is free; the same problem with far-away finite bounds (never
    // active for these data) solves.
    try {
      return runModel(true);
    } catch (err) {
      return {
        status: 'failed', objective: NaN, x: new Float64Array((N + 1) * nx), u: new Float64Array(N * nu),
        solveMs: performance.now() - t0, rawStatus: `HiGHS error: ${(err as Error).message}`,
      };
    }
  }

  function runModel(finiteBounds: boolean): ReferenceResult {
    if (finiteBounds) {
      for (let i = 0; i < n; i++) {
        if (lo[i] === -Infinity) lo[i] = -FAR_BOUND;
        if (hi[i] === Infinity) hi[i] = FAR_BOUND;
      }
    }
    const model = highs.createModel({
      numCols: n,
      numRows: rLo.length,
      offset,
      colCost: cost,
      colLower: lo,
      colUpper: hi,
      rowLower: rLo,
      rowUpper: rHi,
      matrix: { format: 'csr', numRows: rLo.length, numCols: n, starts: rStarts, indices: rIdx, values: rVal },
      hessian: { format: 'triangular', dimension: n, starts: hStarts, indices: hIdx, values: hVal },
    });
    try {
      model.options.set({ output_flag: false });
      model.run();
      const code = model.getModelStatus();
      const ms = highs.constants.modelStatus;
      const x = new Float64Array((N + 1) * nx);
      const u = new Float64Array(N * nu);
      let status: ReferenceResult['status'] = 'failed';
      let objective = NaN;
      if (code === ms.optimal) {
        status = 'solved';
        objective = model.getObjectiveValue();
        const col = model.getSolution().colValue;
        x.set(x0);
        for (let k = 1; k <= N; k++) for (let j = 0; j < nx; j++) x[k * nx + j] = col[xCol(k) + j];
        for (let k = 0; k < N; k++) for (let j = 0; j < nu; j++) u[k * nu + j] = col[uCol(k) + j];
      } else if (code === ms.infeasible) status = 'infeasible';
      const rawStatus = Object.entries(ms).find(([, v]) => v === code)?.[0] ?? String(code);
      return { status, objective, x, u, solveMs: performance.now() - t0, rawStatus: finiteBounds ? `${rawStatus} (with ±${FAR_BOUND} for free columns)` : rawStatus };
    } finally {
      model.dispose();
    }
  }
}

/** Stand-in for "no bound" when HiGHS refuses an all-free problem. */
const FAR_BOUND = 1e7;
