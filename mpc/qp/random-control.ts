/**
 * Random OCP-QPs of the OSQP benchmark "control" class (Stellato et al.,
 * "OSQP: an operator splitting solver for quadratic programs", Math. Prog.
 * Comp. 2020, §7 "Control"): random stable A, dense B, diagonal Q, R = 0.1·I,
 * box bounds on x and u, a state reference that pushes against the bounds.
 * Seeded, so tests and fixture files are reproducible.
 */
import { OcpQp } from './ocp-qp.ts';
import { seededRandom } from '../../core/random.ts';

export { seededRandom };

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export interface RandomControlOptions {
  N: number;
  nx: number;
  nu: number;
  seed: number;
}

/**
 * A = (I + 0.1·G)·0.99/max(1, ‖I + 0.1·G‖∞) (so ρ(A) < 1), B Gaussian, Q = diag(U[0, 10]),
 * R = 0.1·I, |x| ≤ x̄ (one x̄ ∈ [1, 3] for all states, so u = 0 keeps x feasible),
 * |u| ≤ ū ∈ [0.5, 1.5]ⁿᵘ, x0 ∈ ±0.5x̄, q = −Q·x_ref with x_ref ∈ ±2x̄.
 */
export function randomControlQp({ N, nx, nu, seed }: RandomControlOptions): OcpQp {
  const rand = seededRandom(seed);
  const qp = new OcpQp({ N, nx, nu });
  const A = new Float64Array(nx * nx);
  let rowMax = 0;
  for (let i = 0; i < nx; i++) {
    let row = 0;
    for (let j = 0; j < nx; j++) {
      const v = (i === j ? 1 : 0) + 0.1 * gaussian(rand);
      A[i * nx + j] = v;
      row += Math.abs(v);
    }
    rowMax = Math.max(rowMax, row);
  }
  const scale = 0.99 / Math.max(1, rowMax);
  for (let i = 0; i < A.length; i++) A[i] *= scale;
  const B = Float64Array.from({ length: nx * nu }, () => gaussian(rand));
  const Q = new Float64Array(nx * nx);
  for (let i = 0; i < nx; i++) Q[i * nx + i] = 10 * rand();
  const R = new Float64Array(nu * nu);
  for (let i = 0; i < nu; i++) R[i * nu + i] = 0.1;
  const xBar = 1 + 2 * rand();
  const uBar = Float64Array.from({ length: nu }, () => 0.5 + rand());
  const xRef = Float64Array.from({ length: nx }, () => 2 * xBar * (2 * rand() - 1));
  const q = new Float64Array(nx);
  for (let i = 0; i < nx; i++) q[i] = -Q[i * nx + i] * xRef[i];
  const x0 = Float64Array.from({ length: nx }, () => 0.5 * xBar * (2 * rand() - 1));
  const lbx = new Float64Array(nx).fill(-xBar);
  const ubx = new Float64Array(nx).fill(xBar);
  const lbu = uBar.map((v) => -v);
  for (let k = 0; k < N; k++) {
    qp.updateStage(k, { A, B, b: new Float64Array(nx), Q, R, q, r: new Float64Array(nu), lbx, ubx, lbu, ubu: uBar });
  }
  qp.updateStage(N, { Q, q, lbx, ubx });
  qp.updateX0(x0);
  return qp;
}
