/**
 * Explicit RK4 over one shooting interval with forward sensitivities, chained
 * through the stages from the model's analytic Jacobians (the "internal
 * numerical differentiation" of Bock; the variational equations discretised
 * by the same RK4 scheme, so G is the exact derivative of Φ):
 *
 *   k₁ = f(x, u),              dk₁ = [f_x | f_u](x, u)
 *   k₂ = f(x + h/2·k₁, u),     dk₂ = f_x(·)(E + h/2·dk₁) + [0 | f_u(·)]
 *   k₃ = f(x + h/2·k₂, u),     dk₃ = f_x(·)(E + h/2·dk₂) + [0 | f_u(·)]
 *   k₄ = f(x + h·k₃, u),       dk₄ = f_x(·)(E + h·dk₃)   + [0 | f_u(·)]
 *   Φ = x + h/6·(k₁ + 2k₂ + 2k₃ + k₄),   G = E + h/6·(dk₁ + 2dk₂ + 2dk₃ + dk₄)
 *
 * with E = [I | 0] (nx × (nx+nu)); A = G[:, :nx], B = G[:, nx:]. Since
 * f_x·E = [f_x | 0], each stage is dkᵢ = [f_x | f_u] + cᵢh·f_x·dkᵢ₋₁.
 *
 * Sparsity. A model built from integrator chains has ~10 % nonzeros in f_x,
 * and the dk stay mostly zero (the bench OCP: ≤ 47 of 308). At ~1.5 ns per
 * multiply-add in V8 the dense products were 90 % of the RTI preparation, and
 * scanning for zeros on every call cost nearly as much. So the integrator
 * keeps the structural pattern of f_x and f_u — every entry it has ever seen
 * nonzero — and from it the pattern of each dkᵢ, and computes only those
 * entries. Every call checks that no entry outside the pattern is nonzero
 * (a predictable scan); one that is grows the pattern and the dk patterns are
 * rebuilt (in place, no allocation), so the result is always exact.
 * Buffers are allocated once in the constructor; integrate() allocates nothing.
 */
import type { OcpModel } from '../ocp-model.ts';

export class Rk4Integrator {
  private readonly nx: number;
  private readonly nu: number;
  private readonly nz: number;
  private readonly kk: Float64Array; // 4 × nx stage derivatives, flat
  private readonly kStage: Float64Array[]; // the same four rows as separate arrays (no subarray in the hot path)
  private readonly uBuf: Float64Array; // nu
  private readonly xs: Float64Array; // nx stage point
  private readonly fx: Float64Array; // nx × nx
  private readonly fu: Float64Array; // nx × nu
  private readonly G: Float64Array; // nx × nz accumulated
  // structural pattern of f_x and f_u (1 = has been nonzero), f_x's as row lists
  private readonly fxMask: Uint8Array;
  private readonly fuMask: Uint8Array;
  private readonly fxPtr: Int32Array; // nx + 1
  private readonly fxCol: Int32Array; // nx × nx
  // per RK stage: dense dk (zero outside its pattern) and the pattern as row lists
  private readonly dk: Float64Array[];
  private readonly dkPtr: Int32Array[]; // nx + 1 each
  private readonly dkCol: Int32Array[]; // nx × nz each
  private readonly mark: Uint8Array; // nz scratch for pattern unions

  constructor(private readonly model: OcpModel) {
    const { nx, nu } = model.dims;
    const nz = nx + nu;
    this.nx = nx;
    this.nu = nu;
    this.nz = nz;
    this.kk = new Float64Array(4 * nx);
    this.kStage = [0, 1, 2, 3].map(() => new Float64Array(nx));
    this.uBuf = new Float64Array(nu);
    this.xs = new Float64Array(nx);
    this.fx = new Float64Array(nx * nx);
    this.fu = new Float64Array(nx * nu);
    this.G = new Float64Array(nx * nz);
    this.fxMask = new Uint8Array(nx * nx);
    this.fuMask = new Uint8Array(nx * nu);
    this.fxPtr = new Int32Array(nx + 1);
    this.fxCol = new Int32Array(nx * nx);
    this.dk = [0, 1, 2, 3].map(() => new Float64Array(nx * nz));
    this.dkPtr = [0, 1, 2, 3].map(() => new Int32Array(nx + 1));
    this.dkCol = [0, 1, 2, 3].map(() => new Int32Array(nx * nz));
    this.mark = new Uint8Array(nz);
  }

  /**
   * xNext = Φ(x, u, p) over hS; when A and B are given, also writes
   * A = ∂Φ/∂x (nx × nx) at A[aOff] and B = ∂Φ/∂u (nx × nu) at B[bOff].
   * x is read at x[xOff], u at u[uOff], xNext written at xNext[nOff].
   */
  integrate(
    hS: number,
    x: Float64Array, xOff: number, u: Float64Array, uOff: number, p: Float64Array,
    xNext: Float64Array, nOff: number,
    A: Float64Array | null, aOff: number, B: Float64Array | null, bOff: number,
  ): void {
    const { nx, nu, nz, kk, kStage, uBuf, xs, fx, fu, G, model } = this;
    const sens = A !== null && B !== null;
    for (let j = 0; j < nu; j++) uBuf[j] = u[uOff + j];
    if (sens) G.fill(0);
    for (let stage = 0; stage < 4; stage++) {
      // stage point xs = x + c·h·k_{stage−1}
      const c = RK4_NODES[stage] * hS;
      const prev = (stage - 1) * nx;
      for (let i = 0; i < nx; i++) xs[i] = x[xOff + i] + (stage === 0 ? 0 : c * kk[prev + i]);
      const kOut = kStage[stage];
      model.dynamics(xs, uBuf, p, kOut, sens ? fx : null, sens ? fu : null);
      for (let i = 0; i < nx; i++) kk[stage * nx + i] = kOut[i];
      if (!sens) continue;
      if (this.patternGrew()) {
        // the earlier stages of this call were computed over the old
        // pattern: rebuild and start the interval again (the pattern only
        // grows, so this ends)
        this.rebuildPatterns();
        this.integrate(hS, x, xOff, u, uOff, p, xNext, nOff, A, aOff, B, bOff);
        return;
      }
      this.stageSensitivity(stage, c);
    }
    const h6 = hS / 6;
    for (let i = 0; i < nx; i++) {
      xNext[nOff + i] = x[xOff + i] + h6 * (kk[i] + 2 * kk[nx + i] + 2 * kk[2 * nx + i] + kk[3 * nx + i]);
    }
    if (!sens) return;
    for (let i = 0; i < nx; i++) {
      const gi = i * nz;
      const ai = aOff + i * nx;
      for (let j = 0; j < nx; j++) A[ai + j] = h6 * G[gi + j];
      A[ai + i] += 1;
      const bi = bOff + i * nu;
      for (let j = 0; j < nu; j++) B[bi + j] = h6 * G[gi + nx + j];
    }
  }

  /** dk of this stage over its pattern from f_x, f_u and the previous stage's dk; G += w·dk. */
  private stageSensitivity(stage: number, c: number): void {
    const { nx, nu, nz, fx, fu, fxPtr, fxCol, G } = this;
    const dk = this.dk[stage];
    const ptr = this.dkPtr[stage];
    const col = this.dkCol[stage];
    const w = RK4_WEIGHTS[stage];
    const dkP = stage > 0 ? this.dk[stage - 1] : dk;
    const ptrP = stage > 0 ? this.dkPtr[stage - 1] : ptr;
    const colP = stage > 0 ? this.dkCol[stage - 1] : col;
    for (let i = 0; i < nx; i++) {
      const ri = i * nz;
      const end = ptr[i + 1];
      // [f_x | f_u] row i (zero where only the product contributes)
      for (let t = ptr[i]; t < end; t++) {
        const j = col[t];
        dk[ri + j] = j < nx ? fx[i * nx + j] : fu[i * nu + j - nx];
      }
      // + c·f_x·dk_prev
      if (stage > 0) {
        for (let q = fxPtr[i]; q < fxPtr[i + 1]; q++) {
          const l = fxCol[q];
          const ca = c * fx[i * nx + l];
          const rl = l * nz;
          for (let t = ptrP[l]; t < ptrP[l + 1]; t++) {
            const j = colP[t];
            dk[ri + j] += ca * dkP[rl + j];
          }
        }
      }
      for (let t = ptr[i]; t < end; t++) {
        const j = col[t];
        G[ri + j] += w * dk[ri + j];
      }
    }
  }

  /** Record any entry of f_x or f_u that is nonzero outside the pattern; true if there was one. */
  private patternGrew(): boolean {
    const { fx, fu, fxMask, fuMask } = this;
    let grew = false;
    for (let q = 0; q < fx.length; q++) {
      if (fx[q] !== 0 && fxMask[q] === 0) {
        fxMask[q] = 1;
        grew = true;
      }
    }
    for (let q = 0; q < fu.length; q++) {
      if (fu[q] !== 0 && fuMask[q] === 0) {
        fuMask[q] = 1;
        grew = true;
      }
    }
    return grew;
  }

  /**
   * f_x's row lists and the dk patterns from the masks:
   *   pattern(dk₁) = pattern([f_x | f_u]),
   *   pattern(dkᵢ) row r = pattern(dk₁) row r ∪ ⋃_{l ∈ f_x row r} pattern(dkᵢ₋₁) row l.
   * The dk arrays are zeroed so entries outside the new patterns read as 0.
   */
  private rebuildPatterns(): void {
    const { nx, nu, nz, fxMask, fuMask, fxPtr, fxCol, mark } = this;
    let e = 0;
    for (let i = 0; i < nx; i++) {
      fxPtr[i] = e;
      for (let l = 0; l < nx; l++) if (fxMask[i * nx + l] === 1) fxCol[e++] = l;
    }
    fxPtr[nx] = e;
    for (let s = 0; s < 4; s++) {
      const ptr = this.dkPtr[s];
      const col = this.dkCol[s];
      this.dk[s].fill(0);
      let t = 0;
      for (let i = 0; i < nx; i++) {
        mark.fill(0);
        for (let l = 0; l < nx; l++) if (fxMask[i * nx + l] === 1) mark[l] = 1;
        for (let j = 0; j < nu; j++) if (fuMask[i * nu + j] === 1) mark[nx + j] = 1;
        if (s > 0) {
          const ptrP = this.dkPtr[s - 1];
          const colP = this.dkCol[s - 1];
          for (let q = fxPtr[i]; q < fxPtr[i + 1]; q++) {
            const l = fxCol[q];
            for (let r = ptrP[l]; r < ptrP[l + 1]; r++) mark[colP[r]] = 1;
          }
        }
        ptr[i] = t;
        for (let j = 0; j < nz; j++) if (mark[j] === 1) col[t++] = j;
      }
      ptr[nx] = t;
    }
  }
}

const RK4_NODES = [0, 0.5, 0.5, 1] as const;
const RK4_WEIGHTS = [1, 2, 2, 1] as const;
