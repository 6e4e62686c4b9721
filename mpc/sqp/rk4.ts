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
 * with E = [I | 0] (nx × (nx+nu)); A = G[:, :nx], B = G[:, nx:].
 * Buffers are allocated once in the constructor; integrate() allocates nothing.
 */
import { gemmNN } from '../linalg/dense.ts';
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
  private readonly dXs: Float64Array; // nx × nz, ∂(stage point)/∂(x, u)
  private readonly dk: Float64Array; // nx × nz, ∂kᵢ/∂(x, u)
  private readonly G: Float64Array; // nx × nz accumulated

  constructor(private readonly model: OcpModel) {
    const { nx, nu } = model.dims;
    this.nx = nx;
    this.nu = nu;
    this.nz = nx + nu;
    this.kk = new Float64Array(4 * nx);
    this.kStage = [0, 1, 2, 3].map(() => new Float64Array(nx));
    this.uBuf = new Float64Array(nu);
    this.xs = new Float64Array(nx);
    this.fx = new Float64Array(nx * nx);
    this.fu = new Float64Array(nx * nu);
    this.dXs = new Float64Array(nx * this.nz);
    this.dk = new Float64Array(nx * this.nz);
    this.G = new Float64Array(nx * this.nz);
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
    const { nx, nu, nz, kk, kStage, uBuf, xs, fx, fu, dXs, dk, G, model } = this;
    const sens = A !== null && B !== null;
    for (let j = 0; j < nu; j++) uBuf[j] = u[uOff + j];
    const wts = RK4_WEIGHTS;
    for (let stage = 0; stage < 4; stage++) {
      // stage point xs = x + c·h·k_{stage−1}; its sensitivity dXs = E + c·h·dk_{stage−1}
      const c = RK4_NODES[stage] * hS;
      const prev = (stage - 1) * nx;
      for (let i = 0; i < nx; i++) xs[i] = x[xOff + i] + (stage === 0 ? 0 : c * kk[prev + i]);
      if (sens && stage > 0) {
        for (let i = 0; i < nx * nz; i++) dXs[i] = c * dk[i];
        for (let i = 0; i < nx; i++) dXs[i * nz + i] += 1;
      }
      const kOut = kStage[stage];
      model.dynamics(xs, uBuf, p, kOut, sens ? fx : null, sens ? fu : null);
      for (let i = 0; i < nx; i++) kk[stage * nx + i] = kOut[i];
      if (!sens) continue;
      if (stage === 0) {
        for (let i = 0; i < nx; i++) {
          for (let j = 0; j < nx; j++) dk[i * nz + j] = fx[i * nx + j];
        }
      } else {
        gemmNN(nx, nz, nx, 1, fx, 0, dXs, 0, 0, dk, 0);
      }
      for (let i = 0; i < nx; i++) {
        for (let j = 0; j < nu; j++) dk[i * nz + nx + j] += fu[i * nu + j];
      }
      const w = wts[stage];
      if (stage === 0) for (let i = 0; i < nx * nz; i++) G[i] = w * dk[i];
      else for (let i = 0; i < nx * nz; i++) G[i] += w * dk[i];
    }
    const h6 = hS / 6;
    for (let i = 0; i < nx; i++) {
      xNext[nOff + i] = x[xOff + i] + h6 * (kk[i] + 2 * kk[nx + i] + 2 * kk[2 * nx + i] + kk[3 * nx + i]);
    }
    if (!sens) return;
    for (let i = 0; i < nx; i++) {
      for (let j = 0; j < nx; j++) A[aOff + i * nx + j] = (i === j ? 1 : 0) + h6 * G[i * nz + j];
      for (let j = 0; j < nu; j++) B[bOff + i * nu + j] = h6 * G[i * nz + nx + j];
    }
  }
}

const RK4_NODES = [0, 0.5, 0.5, 1] as const;
const RK4_WEIGHTS = [1, 2, 2, 1] as const;
