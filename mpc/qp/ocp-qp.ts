/**
 * The stage-wise OCP-QP (DESIGN.md §6), held as flat row-major Float64Arrays
 * so the solver and its callers (the RTI-SQP, the JSON reader) write stage
 * data in place without allocating:
 *
 *   min  Σ_{k<N} ½xₖᵀQₖxₖ + ½uₖᵀRₖuₖ + uₖᵀSₖxₖ + qₖᵀxₖ + rₖᵀuₖ
 *        + ½x_NᵀQ_Nx_N + q_Nᵀx_N
 *        + Σ_k Σ_i ( zl1ₖᵢ·sₖᵢ + ½·zl2ₖᵢ·sₖᵢ² )
 *   s.t. x₀ = x0
 *        xₖ₊₁ = Aₖxₖ + Bₖuₖ + bₖ
 *        lbuₖ ≤ uₖ ≤ ubuₖ,  lbxₖ ≤ xₖ ≤ ubxₖ (k ≥ 1)       (±Infinity = none)
 *        Cₖxₖ + Dₖuₖ ≤ ugₖ + sₖ,  sₖ ≥ 0                      (soft rows)
 *
 * Soft rows exist at stages 0..N−1 (ns each) and at N (nsN, no D).
 */
import { CinePilotError } from '../../core/errors.ts';

export interface OcpQpDims {
  /** horizon (number of shooting intervals) */
  N: number;
  nx: number;
  nu: number;
  /** soft general rows per stage 0..N−1 (default 0) */
  ns?: number;
  /** soft general rows at stage N (default 0) */
  nsN?: number;
}

/** Error codes thrown by the QP module (catalogue in docs/solver.md). */
export const QP_ERROR = {
  badDimensions: 'QP_BAD_DIMENSIONS',
  nonFinite: 'QP_NON_FINITE_DATA',
  badSettings: 'QP_BAD_SETTINGS',
  disposed: 'QP_DISPOSED',
} as const;

export function checkDims(dims: OcpQpDims): Required<OcpQpDims> {
  const { N, nx, nu } = dims;
  const ns = dims.ns ?? 0;
  const nsN = dims.nsN ?? 0;
  const bad = (name: string, v: unknown, min: number) =>
    !(Number.isInteger(v) && (v as number) >= min)
      ? `${name} = ${String(v)} (must be an integer ≥ ${min})`
      : '';
  const problems = [bad('N', N, 1), bad('nx', nx, 1), bad('nu', nu, 1), bad('ns', ns, 0), bad('nsN', nsN, 0)].filter(Boolean);
  if (problems.length > 0) {
    throw new CinePilotError(QP_ERROR.badDimensions, `OCP-QP dimensions: ${problems.join(', ')}.`);
  }
  return { N, nx, nu, ns, nsN };
}

/** Stage data as plain arrays (the JSON form of one stage); every field optional. */
export interface OcpQpStageInput {
  A?: ArrayLike<number>;
  B?: ArrayLike<number>;
  b?: ArrayLike<number>;
  Q?: ArrayLike<number>;
  R?: ArrayLike<number>;
  S?: ArrayLike<number>;
  q?: ArrayLike<number>;
  r?: ArrayLike<number>;
  lbx?: ArrayLike<number>;
  ubx?: ArrayLike<number>;
  lbu?: ArrayLike<number>;
  ubu?: ArrayLike<number>;
  C?: ArrayLike<number>;
  D?: ArrayLike<number>;
  ug?: ArrayLike<number>;
  zl1?: ArrayLike<number>;
  zl2?: ArrayLike<number>;
}

export class OcpQp {
  readonly N: number;
  readonly nx: number;
  readonly nu: number;
  readonly ns: number;
  readonly nsN: number;
  /** row stride of the soft-row arrays: max(ns, nsN) */
  readonly nsMax: number;

  readonly x0: Float64Array; // nx
  readonly A: Float64Array; // N × nx × nx
  readonly B: Float64Array; // N × nx × nu
  readonly b: Float64Array; // N × nx
  readonly Q: Float64Array; // (N+1) × nx × nx
  readonly R: Float64Array; // N × nu × nu
  readonly S: Float64Array; // N × nu × nx
  readonly q: Float64Array; // (N+1) × nx
  readonly r: Float64Array; // N × nu
  readonly lbx: Float64Array; // (N+1) × nx, stage 0 unused (x₀ is fixed)
  readonly ubx: Float64Array; // (N+1) × nx
  readonly lbu: Float64Array; // N × nu
  readonly ubu: Float64Array; // N × nu
  readonly C: Float64Array; // (N+1) × nsMax × nx
  readonly D: Float64Array; // N × nsMax × nu
  readonly ug: Float64Array; // (N+1) × nsMax
  readonly zl1: Float64Array; // (N+1) × nsMax, L1 slack penalty (≥ 0)
  readonly zl2: Float64Array; // (N+1) × nsMax, L2 slack penalty (≥ 0)

  constructor(dims: OcpQpDims) {
    const { N, nx, nu, ns, nsN } = checkDims(dims);
    this.N = N;
    this.nx = nx;
    this.nu = nu;
    this.ns = ns;
    this.nsN = nsN;
    const nsMax = Math.max(ns, nsN);
    this.nsMax = nsMax;
    this.x0 = new Float64Array(nx);
    this.A = new Float64Array(N * nx * nx);
    this.B = new Float64Array(N * nx * nu);
    this.b = new Float64Array(N * nx);
    this.Q = new Float64Array((N + 1) * nx * nx);
    this.R = new Float64Array(N * nu * nu);
    this.S = new Float64Array(N * nu * nx);
    this.q = new Float64Array((N + 1) * nx);
    this.r = new Float64Array(N * nu);
    this.lbx = new Float64Array((N + 1) * nx).fill(-Infinity);
    this.ubx = new Float64Array((N + 1) * nx).fill(Infinity);
    this.lbu = new Float64Array(N * nu).fill(-Infinity);
    this.ubu = new Float64Array(N * nu).fill(Infinity);
    this.C = new Float64Array((N + 1) * nsMax * nx);
    this.D = new Float64Array(N * nsMax * nu);
    this.ug = new Float64Array((N + 1) * nsMax);
    this.zl1 = new Float64Array((N + 1) * nsMax);
    this.zl2 = new Float64Array((N + 1) * nsMax);
  }

  /** Soft rows at stage k. */
  softRows(k: number): number {
    return k < this.N ? this.ns : this.nsN;
  }

  /**
   * Copy one stage's data in (fields left out keep their values). Checks
   * lengths and finiteness (bounds may be ±Infinity; JSON null reads as
   * "no bound"). `where` prefixes error messages, e.g. "problems[3].stages[7]".
   */
  updateStage(k: number, stage: OcpQpStageInput, where = `stages[${k}]`): void {
    const { N, nx, nu, nsMax } = this;
    if (!Number.isInteger(k) || k < 0 || k > N) {
      throw new CinePilotError(QP_ERROR.badDimensions, `${where}: stage index ${k} is outside 0..${N}.`);
    }
    const last = k === N;
    const ns = this.softRows(k);
    const put = (name: keyof OcpQpStageInput, dst: Float64Array, off: number, len: number, isBound: 0 | 1 | -1) => {
      const src = stage[name];
      if (src === undefined) return;
      copyChecked(src, dst, off, len, `${where}.${name}`, isBound);
    };
    if (last) {
      for (const name of ['A', 'B', 'b', 'R', 'S', 'r', 'lbu', 'ubu', 'D'] as const) {
        if (stage[name] !== undefined) {
          throw new CinePilotError(QP_ERROR.badDimensions, `${where}.${name}: the terminal stage has no controls or dynamics; remove "${name}".`);
        }
      }
    } else {
      put('A', this.A, k * nx * nx, nx * nx, 0);
      put('B', this.B, k * nx * nu, nx * nu, 0);
      put('b', this.b, k * nx, nx, 0);
      put('R', this.R, k * nu * nu, nu * nu, 0);
      put('S', this.S, k * nu * nx, nu * nx, 0);
      put('r', this.r, k * nu, nu, 0);
      put('lbu', this.lbu, k * nu, nu, -1);
      put('ubu', this.ubu, k * nu, nu, 1);
      put('D', this.D, k * nsMax * nu, ns * nu, 0);
    }
    put('Q', this.Q, k * nx * nx, nx * nx, 0);
    put('q', this.q, k * nx, nx, 0);
    put('lbx', this.lbx, k * nx, nx, -1);
    put('ubx', this.ubx, k * nx, nx, 1);
    put('C', this.C, k * nsMax * nx, ns * nx, 0);
    put('ug', this.ug, k * nsMax, ns, 1);
    put('zl1', this.zl1, k * nsMax, ns, 0);
    put('zl2', this.zl2, k * nsMax, ns, 0);
    for (let i = 0; i < ns; i++) {
      if (this.zl1[k * nsMax + i] < 0 || this.zl2[k * nsMax + i] < 0) {
        throw new CinePilotError(QP_ERROR.nonFinite, `${where}: soft-constraint penalties zl1/zl2 must be ≥ 0.`);
      }
    }
  }

  /** Copy every array from a QP of the same dimensions. */
  copyFrom(src: OcpQp): void {
    if (src.N !== this.N || src.nx !== this.nx || src.nu !== this.nu || src.ns !== this.ns || src.nsN !== this.nsN) {
      throw new CinePilotError(QP_ERROR.badDimensions, `cannot copy a QP with N=${src.N}, nx=${src.nx}, nu=${src.nu}, ns=${src.ns}, nsN=${src.nsN} into one with N=${this.N}, nx=${this.nx}, nu=${this.nu}, ns=${this.ns}, nsN=${this.nsN}.`);
    }
    for (const name of [...DENSE_FIELDS, ...BOUND_FIELDS, 'x0'] as const) this[name].set(src[name]);
  }

  updateX0(x0: ArrayLike<number>): void {
    copyChecked(x0, this.x0, 0, this.nx, 'x0', 0);
  }

  /**
   * Throws QP_NON_FINITE_DATA naming the first NaN (or infinite non-bound)
   * entry; cheap (one pass over the data), run by the solver before a solve.
   */
  checkFinite(): void {
    const bad = this.firstNonFinite();
    if (bad !== null) {
      throw new CinePilotError(QP_ERROR.nonFinite, `${bad}: not a finite number. Fix the QP data (NaN usually means an upstream model evaluation failed).`);
    }
  }

  /** Path of the first non-finite entry (bounds: first NaN), or null; allocation-free when all is well. */
  firstNonFinite(): string | null {
    for (let i = 0; i < this.nx; i++) if (!Number.isFinite(this.x0[i])) return `x0[${i}]`;
    const fields = this as unknown as Record<string, Float64Array>;
    for (let f = 0; f < DENSE_FIELDS.length; f++) {
      const arr = fields[DENSE_FIELDS[f]];
      // x·0 is 0 for every finite x and NaN for ±Infinity/NaN: one branch-free
      // pass per field (this runs every RTI tick), the exact place only on failure
      if (allFinite(arr)) continue;
      for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i])) return this.locate(DENSE_FIELDS[f], i);
    }
    for (let f = 0; f < BOUND_FIELDS.length; f++) {
      const arr = fields[BOUND_FIELDS[f]];
      for (let i = 0; i < arr.length; i++) if (Number.isNaN(arr[i])) return this.locate(BOUND_FIELDS[f], i);
    }
    return null;
  }

  private locate(name: string, flatIndex: number): string {
    const { nx, nu, nsMax } = this;
    const per: Record<string, number> = {
      A: nx * nx, B: nx * nu, b: nx, Q: nx * nx, R: nu * nu, S: nu * nx, q: nx, r: nu,
      lbx: nx, ubx: nx, lbu: nu, ubu: nu, C: nsMax * nx, D: nsMax * nu, ug: nsMax, zl1: nsMax, zl2: nsMax,
    };
    const n = per[name] ?? 1;
    return `stages[${Math.floor(flatIndex / n)}].${name}[${flatIndex % n}]`;
  }
}

function allFinite(arr: Float64Array): boolean {
  let z = 0;
  for (let i = 0; i < arr.length; i++) z += arr[i] * 0;
  return z === 0;
}

const DENSE_FIELDS = ['A', 'B', 'b', 'Q', 'R', 'S', 'q', 'r', 'C', 'D', 'zl1', 'zl2'] as const;
const BOUND_FIELDS = ['lbx', 'ubx', 'lbu', 'ubu', 'ug'] as const;

/**
 * Copy `len` numbers with a clear error on a wrong length or a bad value.
 * Bounds (isBound ≠ 0) accept null and ±Infinity; |v| ≥ 1e20 is read as
 * infinite (the JSON convention of DESIGN.md §6).
 */
export function copyChecked(
  src: ArrayLike<number | null>, dst: Float64Array, off: number, len: number, path: string, isBound: 0 | 1 | -1,
): void {
  if (src === null || typeof src !== 'object' || typeof (src as ArrayLike<number>).length !== 'number') {
    throw new CinePilotError(QP_ERROR.badDimensions, `${path}: expected an array of ${len} numbers.`);
  }
  if (src.length !== len) {
    throw new CinePilotError(QP_ERROR.badDimensions, `${path}: expected ${len} numbers, got ${src.length}.`);
  }
  for (let i = 0; i < len; i++) {
    let v = src[i];
    if (isBound !== 0) {
      if (v === null) v = isBound * Infinity;
      else if (typeof v === 'number' && Math.abs(v) >= BOUND_INFINITY) v = Math.sign(v) * Infinity;
    }
    if (typeof v !== 'number' || Number.isNaN(v) || (isBound === 0 && !Number.isFinite(v))) {
      throw new CinePilotError(QP_ERROR.nonFinite, `${path}[${i}]: expected a finite number, got ${JSON.stringify(v) ?? String(v)}.`);
    }
    dst[off + i] = v;
  }
}

/** |bound| ≥ this reads as "no bound" (DESIGN.md §6). */
export const BOUND_INFINITY = 1e20;
