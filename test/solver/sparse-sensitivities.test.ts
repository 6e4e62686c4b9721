/**
 * The RTI's sparse kernels against plain dense formulas written here:
 * RK4 forward sensitivities (pattern learned from the model, grown when a
 * Jacobian entry turns nonzero later) and the Gauss-Newton blocks.
 */
import { describe, expect, it } from 'vitest';
import type { OcpModel } from '../../mpc/ocp-model.ts';
import { GaussNewtonBlocks } from '../../mpc/sqp/gauss-newton.ts';
import { Rk4Integrator } from '../../mpc/sqp/index.ts';
import { createCameraDroneBenchModel } from '../../mpc/sqp/models/camera-drone-bench.ts';
import { createQuadrotorModel } from '../../mpc/sqp/models/quadrotor.ts';
import { seededRandom } from '../../core/random.ts';

/** Textbook RK4 with dense variational equations: G = E + h/6 Σ wᵢ dkᵢ, dkᵢ = f_x(E + cᵢh dkᵢ₋₁) + [0 | f_u]. */
function denseRk4(model: OcpModel, h: number, x: Float64Array, u: Float64Array, p: Float64Array): { A: number[][]; B: number[][] } {
  const { nx, nu } = model.dims;
  const nz = nx + nu;
  const fx = new Float64Array(nx * nx);
  const fu = new Float64Array(nx * nu);
  const k = new Float64Array(nx);
  let kPrev = new Float64Array(nx);
  let dkPrev: number[][] = [];
  const G = Array.from({ length: nx }, () => new Array<number>(nz).fill(0));
  const c = [0, h / 2, h / 2, h];
  const w = [1, 2, 2, 1];
  for (let s = 0; s < 4; s++) {
    const xs = Float64Array.from(x, (v, i) => v + c[s] * kPrev[i]);
    model.dynamics(xs, u, p, k, fx, fu);
    const dXs = Array.from({ length: nx }, (_, i) => Array.from({ length: nz }, (_, j) => (i === j ? 1 : 0) + (s > 0 ? c[s] * dkPrev[i][j] : 0)));
    const dk = Array.from({ length: nx }, (_, i) => Array.from({ length: nz }, (_, j) => {
      let v = j >= nx ? fu[i * nu + j - nx] : 0;
      for (let l = 0; l < nx; l++) v += fx[i * nx + l] * dXs[l][j];
      return v;
    }));
    for (let i = 0; i < nx; i++) for (let j = 0; j < nz; j++) G[i][j] += w[s] * dk[i][j];
    dkPrev = dk;
    kPrev = Float64Array.from(k);
  }
  const A = G.map((row, i) => row.slice(0, nx).map((g, j) => (i === j ? 1 : 0) + (h / 6) * g));
  const B = G.map((row) => row.slice(nx).map((g) => (h / 6) * g));
  return { A, B };
}

function maxDiff(model: OcpModel, rk4: Rk4Integrator, h: number, x: Float64Array, u: Float64Array, p: Float64Array): number {
  const { nx, nu } = model.dims;
  const A = new Float64Array(nx * nx);
  const B = new Float64Array(nx * nu);
  rk4.integrate(h, x, 0, u, 0, p, new Float64Array(nx), 0, A, 0, B, 0);
  const ref = denseRk4(model, h, x, u, p);
  let d = 0;
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < nx; j++) d = Math.max(d, Math.abs(A[i * nx + j] - ref.A[i][j]) / Math.max(1, Math.abs(ref.A[i][j])));
    for (let j = 0; j < nu; j++) d = Math.max(d, Math.abs(B[i * nu + j] - ref.B[i][j]) / Math.max(1, Math.abs(ref.B[i][j])));
  }
  return d;
}

describe('RK4 sensitivities over the learned sparsity pattern', () => {
  it('equal the dense variational equations to 1e-14 on the bench and quadrotor models at random points', () => {
    const rand = seededRandom(7);
    for (const model of [createCameraDroneBenchModel(10, 0.05), createQuadrotorModel({ N: 10, dtS: 0.1 })]) {
      const rk4 = new Rk4Integrator(model);
      const { nx, nu, np } = model.dims;
      for (let trial = 0; trial < 50; trial++) {
        const x = Float64Array.from({ length: nx }, () => 2 * rand() - 1);
        const u = Float64Array.from({ length: nu }, () => 4 * rand() - 2);
        const p = Float64Array.from({ length: np }, () => rand());
        expect(maxDiff(model, rk4, 0.05, x, u, p)).toBeLessThan(1e-14);
      }
    }
  });

  it('stays exact when a Jacobian entry first seen as zero becomes nonzero (the pattern grows)', () => {
    // ẋ₀ = x₁·x₂, ẋ₁ = u₀, ẋ₂ = u₁: with x₂ = 0 and u₁ = 0 throughout the
    // first call, ∂ẋ₀/∂x₁ is exactly zero there
    const model: OcpModel = {
      dims: { N: 1, nx: 3, nu: 2, np: 0, ny: 0, nyN: 0, nh: 0, nhN: 0 },
      dtS: 0.1,
      lbu: new Float64Array(2).fill(-Infinity), ubu: new Float64Array(2).fill(Infinity),
      lbx: new Float64Array(3).fill(-Infinity), ubx: new Float64Array(3).fill(Infinity),
      softL1: new Float64Array(0), softL2: new Float64Array(0), softL1N: new Float64Array(0), softL2N: new Float64Array(0),
      dynamics(x: Float64Array, u: Float64Array, _p: Float64Array, xdot: Float64Array, fx: Float64Array | null, fu: Float64Array | null) {
        xdot[0] = x[1] * x[2];
        xdot[1] = u[0];
        xdot[2] = u[1];
        if (fx) { fx.fill(0); fx[1] = x[2]; fx[2] = x[1]; }
        if (fu) { fu.fill(0); fu[2] = 1; fu[5] = 1; }
      },
      stageResidual() {},
      terminalResidual() {},
    } as unknown as OcpModel;
    const rk4 = new Rk4Integrator(model);
    const p = new Float64Array(0);
    expect(maxDiff(model, rk4, 0.1, Float64Array.from([0.5, 0, 0]), Float64Array.from([1, 0]), p)).toBeLessThan(1e-15);
    expect(maxDiff(model, rk4, 0.1, Float64Array.from([0.5, 0.7, 0.3]), Float64Array.from([1, -2]), p)).toBeLessThan(1e-15);
    expect(maxDiff(model, rk4, 0.1, Float64Array.from([0.5, 0, 0]), Float64Array.from([1, 0]), p)).toBeLessThan(1e-15);
  });
});

describe('Gauss-Newton blocks', () => {
  it('equal dense JᵀJ and Jᵀr bit for bit (sparse rows, upper triangles mirrored)', () => {
    const rand = seededRandom(3);
    const ny = 12, nx = 9, nu = 5;
    const gn = new GaussNewtonBlocks(nx, nu);
    for (let trial = 0; trial < 20; trial++) {
      const Jx = Float64Array.from({ length: ny * nx }, () => (rand() < 0.3 ? 2 * rand() - 1 : 0));
      const Ju = Float64Array.from({ length: ny * nu }, () => (rand() < 0.3 ? 2 * rand() - 1 : 0));
      const r = Float64Array.from({ length: ny }, () => 2 * rand() - 1);
      const Q = new Float64Array(nx * nx + 3).fill(NaN), S = new Float64Array(nu * nx).fill(NaN), R = new Float64Array(nu * nu).fill(NaN);
      const q = new Float64Array(nx).fill(NaN), rv = new Float64Array(nu).fill(NaN);
      gn.build(ny, r, Jx, Ju, Q, 3, S, 0, R, 0, q, 0, rv, 0);
      const dot = (a: Float64Array, sa: number, ia: number, b: Float64Array, sb: number, ib: number) => {
        let s = 0;
        for (let l = 0; l < ny; l++) { const va = a[l * sa + ia]; const vb = b[l * sb + ib]; if (va !== 0 && vb !== 0) s += va * vb; }
        return s;
      };
      for (let i = 0; i < nx; i++) {
        for (let j = 0; j < nx; j++) expect(Q[3 + i * nx + j]).toBe(dot(Jx, nx, Math.min(i, j), Jx, nx, Math.max(i, j)));
        expect(q[i]).toBe(dot(Jx, nx, i, r, 1, 0));
      }
      for (let i = 0; i < nu; i++) {
        for (let j = 0; j < nx; j++) expect(S[i * nx + j]).toBe(dot(Ju, nu, i, Jx, nx, j));
        for (let j = 0; j < nu; j++) expect(R[i * nu + j]).toBe(dot(Ju, nu, Math.min(i, j), Ju, nu, Math.max(i, j)));
        expect(rv[i]).toBe(dot(Ju, nu, i, r, 1, 0));
      }
    }
  });
});
