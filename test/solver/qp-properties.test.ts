/**
 * Properties of the IPM checked with fast-check on random control-class QPs
 * (with and without soft rows), independent of any reference solver:
 * - a solve warm-started from a neighbouring QP's solution (shifted
 *   multipliers, as the RTI does every tick) reaches the same optimum as a
 *   cold solve of the same QP;
 * - the solution is feasible (boxes, dynamics) and no small feasible
 *   perturbation of it lowers the objective;
 * - scaling the cost by c ≥ 1 leaves the primal solution where it was
 *   (the tolerances are relative to the cost's size).
 * Tolerances: objective 1e-7 relative, u0 1e-4·(‖u0‖∞ + 1) (the reference
 * test's), feasibility 1e-7.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createQpSolver, OcpQp, randomControlQp, seededRandom, type QpSettings } from '../../mpc/qp/index.ts';

const ACCURATE: Partial<QpSettings> = { tolComplementarity: 1e-11, tolStationarity: 1e-9, maxIterations: 80 };

type Shape = { seed: number; N: number; nx: number; nu: number; soft: boolean };
const shape: fc.Arbitrary<Shape> = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  N: fc.integer({ min: 3, max: 25 }),
  nx: fc.integer({ min: 2, max: 10 }),
  nu: fc.integer({ min: 1, max: 8 }),
  soft: fc.boolean(),
});

/** A control-class QP, optionally with two soft rows per stage (a random half-space on x and u, L1 + L2 penalties). */
function problem({ seed, N, nx, nu, soft }: Shape): OcpQp {
  const base = randomControlQp({ N, nx, nu, seed });
  if (!soft) return base;
  const qp = new OcpQp({ N, nx, nu, ns: 2, nsN: 2 });
  for (const f of ['x0', 'A', 'B', 'b', 'Q', 'R', 'S', 'q', 'r', 'lbx', 'ubx', 'lbu', 'ubu'] as const) qp[f].set(base[f]);
  const rand = seededRandom(seed + 7);
  for (let k = 0; k <= N; k++) {
    for (let i = 0; i < 2; i++) {
      const o = k * qp.nsMax + i;
      for (let j = 0; j < nx; j++) qp.C[o * nx + j] = rand() < 0.5 ? 2 * rand() - 1 : 0;
      if (k < N) for (let j = 0; j < nu; j++) qp.D[o * nu + j] = rand() < 0.5 ? 2 * rand() - 1 : 0;
      qp.ug[o] = 0.5 * rand() - 0.1;
      qp.zl1[o] = 5 * rand();
      qp.zl2[o] = rand();
    }
  }
  return qp;
}

function solve(qp: OcpQp, settings: Partial<QpSettings> = ACCURATE) {
  const s = createQpSolver({ N: qp.N, nx: qp.nx, nu: qp.nu, ns: qp.ns, nsN: qp.nsN }, settings);
  s.qp.copyFrom(qp);
  const info = s.solve();
  return { s, info };
}

function u0Err(a: Float64Array, b: Float64Array, nu: number): number {
  let d = 0, m = 0;
  for (let j = 0; j < nu; j++) { d = Math.max(d, Math.abs(a[j] - b[j])); m = Math.max(m, Math.abs(b[j])); }
  return d / (m + 1);
}

describe('IPM properties (fast-check)', () => {
  it('a warm start from a neighbouring QP (shifted multipliers) reaches the cold optimum', () => {
    fc.assert(fc.property(shape, fc.double({ min: -0.3, max: 0.3, noNaN: true }), (sh, shift) => {
      const qp = problem(sh);
      const warm = createQpSolver({ N: qp.N, nx: qp.nx, nu: qp.nu, ns: qp.ns, nsN: qp.nsN }, { ...ACCURATE, warmStartDual: true, warmSlack: 1e-4 });
      warm.qp.copyFrom(qp);
      expect(warm.solve().status).toBe('solved');
      // the next "tick": a moved initial state and reference, multipliers shifted one stage
      const next = problem(sh);
      for (let j = 0; j < qp.nx; j++) next.x0[j] += shift;
      for (let i = 0; i < next.q.length; i++) next.q[i] *= 1 + shift;
      warm.shiftWarmStart();
      warm.qp.copyFrom(next);
      const wi = warm.solve();
      const { s: cold, info: ci } = solve(next);
      expect(wi.status).toBe('solved');
      expect(ci.status).toBe('solved');
      expect(Math.abs(wi.objective - ci.objective) / Math.max(1, Math.abs(ci.objective))).toBeLessThanOrEqual(1e-7);
      expect(u0Err(warm.solution.u, cold.solution.u, qp.nu)).toBeLessThanOrEqual(1e-4);
    }), { numRuns: 40, seed: 20261121 });
  });

  it('the solution is feasible and no small feasible perturbation lowers the objective', () => {
    fc.assert(fc.property(shape, (sh) => {
      const qp = problem({ ...sh, soft: false });
      const { s, info } = solve(qp);
      expect(info.status).toBe('solved');
      const { N, nx, nu } = qp;
      const { x, u } = s.solution;
      const objective = (xs: Float64Array, us: Float64Array) => {
        let f = 0;
        for (let k = 0; k <= N; k++) {
          for (let i = 0; i < nx; i++) {
            let qx = 0;
            for (let j = 0; j < nx; j++) qx += qp.Q[k * nx * nx + i * nx + j] * xs[k * nx + j];
            f += (0.5 * qx + qp.q[k * nx + i]) * xs[k * nx + i];
          }
          if (k === N) continue;
          for (let i = 0; i < nu; i++) {
            let ru = 0;
            for (let j = 0; j < nu; j++) ru += qp.R[k * nu * nu + i * nu + j] * us[k * nu + j];
            f += (0.5 * ru + qp.r[k * nu + i]) * us[k * nu + i];
          }
        }
        return f;
      };
      const simulate = (us: Float64Array) => {
        const xs = new Float64Array((N + 1) * nx);
        for (let j = 0; j < nx; j++) xs[j] = qp.x0[j];
        for (let k = 0; k < N; k++) {
          for (let i = 0; i < nx; i++) {
            let v = qp.b[k * nx + i];
            for (let j = 0; j < nx; j++) v += qp.A[k * nx * nx + i * nx + j] * xs[k * nx + j];
            for (let j = 0; j < nu; j++) v += qp.B[k * nx * nu + i * nu + j] * us[k * nu + j];
            xs[(k + 1) * nx + i] = v;
          }
        }
        return xs;
      };
      const feasible = (xs: Float64Array, us: Float64Array, tol: number) => {
        for (let i = 0; i < us.length; i++) if (us[i] < qp.lbu[i] - tol || us[i] > qp.ubu[i] + tol) return false;
        for (let i = nx; i < xs.length; i++) if (xs[i] < qp.lbx[i] - tol || xs[i] > qp.ubx[i] + tol) return false;
        return true;
      };
      // the returned trajectory obeys the dynamics and the boxes
      const xs = simulate(u);
      for (let i = 0; i < xs.length; i++) expect(Math.abs(xs[i] - x[i])).toBeLessThanOrEqual(1e-7 * (1 + Math.abs(x[i])));
      expect(feasible(x, u, 1e-7)).toBe(true);
      const f0 = objective(x, u);
      const rand = seededRandom(sh.seed + 1);
      for (let trial = 0; trial < 30; trial++) {
        const up = Float64Array.from(u, (v) => v + 1e-3 * (2 * rand() - 1));
        const xp = simulate(up);
        if (!feasible(xp, up, 0)) continue;
        expect(objective(xp, up)).toBeGreaterThanOrEqual(f0 - 1e-7 * Math.max(1, Math.abs(f0)));
      }
    }), { numRuns: 40, seed: 11 });
  });

  it('scaling the whole cost by c ≥ 1 leaves the primal solution unchanged', () => {
    // the tolerances are relative to max(1, ‖q‖∞, ‖r‖∞): scaling a cost
    // down below that floor loosens them, so c < 1 is not invariant by design
    fc.assert(fc.property(shape, fc.double({ min: 1, max: 100, noNaN: true }), (sh, c) => {
      const qp = problem(sh);
      const { s: a, info: ia } = solve(qp);
      const scaled = problem(sh);
      for (const f of ['Q', 'R', 'S', 'q', 'r', 'zl1', 'zl2'] as const) for (let i = 0; i < scaled[f].length; i++) scaled[f][i] *= c;
      const { s: b, info: ib } = solve(scaled);
      expect(ia.status).toBe('solved');
      expect(ib.status).toBe('solved');
      expect(u0Err(b.solution.u, a.solution.u, qp.nu)).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(ib.objective - c * ia.objective) / Math.max(1, Math.abs(c * ia.objective))).toBeLessThanOrEqual(1e-7);
    }), { numRuns: 40, seed: 5 });
  });
});
