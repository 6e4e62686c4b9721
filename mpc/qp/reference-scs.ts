/**
 * The same OCP-QP handed to SCS (npm `scs-solver`, WebAssembly build of the
 * Splitting Conic Solver, O'Donoghue et al.) — the second reference, used by
 * `cinepilot bench mpc` where HiGHS' active-set QP errors out. Not on the
 * control path; loaded lazily.
 *
 * SCS form: min ½yᵀPy + cᵀy s.t. Ay + s = b, s ∈ {0}^z × ℝ₊^l: the dynamics
 * rows are the zero cone, soft rows and column bounds the positive orthant.
 */
import { CinePilotError } from '../../core/errors.ts';
import type { OcpQp } from './ocp-qp.ts';
import { sparseQpForm, type ReferenceResult } from './reference-highs.ts';

/** Accuracy asked of SCS (absolute and relative); it is a first-order method. */
export const SCS_EPS = 1e-7;

type ScsModule = {
  ScsSettings: new () => Record<string, number | boolean>;
  setDefaultSettings(s: Record<string, number | boolean>): void;
  solve(data: object, cone: object, settings: object): { x: number[]; info: { status: string; pobj: number } };
};

let scsPromise: Promise<ScsModule> | null = null;

export async function loadScsReference(): Promise<(qp: OcpQp) => ReferenceResult> {
  if (!scsPromise) {
    // the package ships no type declarations: import it by a computed name
    const packageName = 'scs-solver';
    scsPromise = (import(packageName) as Promise<unknown>)
      .then((m) => ((m as unknown as { default: () => Promise<ScsModule> }).default)())
      .catch((err: unknown) => {
        scsPromise = null;
        throw new CinePilotError('REFERENCE_UNAVAILABLE', `the reference solver (npm "scs-solver") could not be loaded: ${(err as Error).message}. Run npm install.`);
      });
  }
  const scs = await scsPromise;
  return (qp) => solveWithScs(scs, qp);
}

function solveWithScs(scs: ScsModule, qp: OcpQp): ReferenceResult {
  const { N, nx, nu, x0 } = qp;
  const f = sparseQpForm(qp);
  // rows of A: equalities (zero cone) first, then ≤ rows (positive orthant)
  const rows: Array<{ cols: number[]; vals: number[]; b: number }> = [];
  const ineq: typeof rows = [];
  for (let r = 0; r < f.rLo.length; r++) {
    const cols = f.rIdx.slice(f.rStarts[r], f.rStarts[r + 1]);
    const vals = f.rVal.slice(f.rStarts[r], f.rStarts[r + 1]);
    if (f.rLo[r] === f.rHi[r]) rows.push({ cols, vals, b: f.rHi[r] });
    else {
      if (f.rHi[r] < Infinity) ineq.push({ cols, vals, b: f.rHi[r] });
      if (f.rLo[r] > -Infinity) ineq.push({ cols, vals: vals.map((v) => -v), b: -f.rLo[r] });
    }
  }
  const z = rows.length;
  for (let j = 0; j < f.n; j++) {
    if (f.hi[j] < Infinity) ineq.push({ cols: [j], vals: [1], b: f.hi[j] });
    if (f.lo[j] > -Infinity) ineq.push({ cols: [j], vals: [-1], b: -f.lo[j] });
  }
  rows.push(...ineq);
  // CSR rows → CSC columns
  const perCol: Array<Array<[number, number]>> = Array.from({ length: f.n }, () => []);
  rows.forEach((row, r) => row.cols.forEach((c, i) => perCol[c]!.push([r, row.vals[i]!])));
  const A_p = [0];
  const A_i: number[] = [];
  const A_x: number[] = [];
  for (const col of perCol) {
    for (const [r, v] of col) {
      A_i.push(r);
      A_x.push(v);
    }
    A_p.push(A_i.length);
  }
  // Hessian: lower-triangular CSC → upper-triangular CSC (transpose of the triplets)
  const pCol: Array<Array<[number, number]>> = Array.from({ length: f.n }, () => []);
  for (let j = 0; j < f.n; j++) {
    for (let k = f.hStarts[j]!; k < f.hStarts[j + 1]!; k++) pCol[f.hIdx[k]!]!.push([j, f.hVal[k]!]);
  }
  const P_p = [0];
  const P_i: number[] = [];
  const P_x: number[] = [];
  for (const col of pCol) {
    col.sort((a, b) => a[0] - b[0]);
    for (const [r, v] of col) {
      P_i.push(r);
      P_x.push(v);
    }
    P_p.push(P_i.length);
  }
  const settings = new scs.ScsSettings();
  scs.setDefaultSettings(settings);
  settings.verbose = 0;
  settings.epsAbs = SCS_EPS;
  settings.epsRel = SCS_EPS;
  settings.maxIters = 200_000;
  const t0 = performance.now();
  const sol = scs.solve(
    { m: rows.length, n: f.n, A_x, A_i, A_p, P_x, P_i, P_p, b: rows.map((r) => r.b), c: Array.from(f.cost) },
    { z, l: rows.length - z },
    settings,
  );
  const solveMs = performance.now() - t0;
  const x = new Float64Array((N + 1) * nx);
  const u = new Float64Array(N * nu);
  const ok = sol.info.status === 'solved';
  if (ok) {
    x.set(x0);
    for (let k = 1; k <= N; k++) for (let j = 0; j < nx; j++) x[k * nx + j] = sol.x[f.xCol(k) + j]!;
    for (let k = 0; k < N; k++) for (let j = 0; j < nu; j++) u[k * nu + j] = sol.x[f.uCol(k) + j]!;
  }
  return {
    status: ok ? 'solved' : sol.info.status.startsWith('infeasible') ? 'infeasible' : 'failed',
    objective: ok ? sol.info.pobj + f.offset : NaN,
    x, u, solveMs, rawStatus: sol.info.status,
  };
}
