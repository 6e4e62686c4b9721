/**
 * The Riccati IPM against HiGHS (npm `highs`) on ≥ 500 random OCP-QPs of the
 * OSQP "control" class and on degenerate cases. Tolerances (issue 3):
 * relative objective error ≤ 1e-6, u₀ error ≤ 1e-4·(‖u₀‖∞ + 1).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CinePilotError } from '../../core/errors.ts';
import { createQpSolver, OcpQp, QP_ERROR, randomControlQp, seededRandom, type QpSettings } from '../../mpc/qp/index.ts';
import { loadHighsReference, type ReferenceResult } from '../../mpc/qp/reference-highs.ts';

const OBJ_REL_TOL = 1e-6;
const U0_TOL = 1e-4;
/** Tight enough that the duality gap m·μ cannot move the objective by 1e-6. */
const ACCURATE: Partial<QpSettings> = { tolComplementarity: 1e-11, tolStationarity: 1e-9, maxIterations: 80 };

let reference: (qp: OcpQp) => ReferenceResult;
beforeAll(async () => {
  reference = await loadHighsReference();
});

interface Comparison { objErr: number; u0Err: number; status: string; refStatus: string; refRaw: string }

function compare(qp: OcpQp, settings: Partial<QpSettings> = ACCURATE): Comparison {
  const solver = createQpSolver({ N: qp.N, nx: qp.nx, nu: qp.nu, ns: qp.ns, nsN: qp.nsN }, settings);
  solver.qp.copyFrom(qp);
  const info = solver.solve();
  const ref = reference(qp);
  let du = 0;
  let u0 = 0;
  for (let j = 0; j < qp.nu; j++) {
    du = Math.max(du, Math.abs(solver.solution.u[j] - ref.u[j]));
    u0 = Math.max(u0, Math.abs(ref.u[j]));
  }
  return {
    objErr: Math.abs(info.objective - ref.objective) / Math.max(1, Math.abs(ref.objective)),
    u0Err: du / (u0 + 1),
    status: info.status,
    refStatus: ref.status,
    refRaw: ref.rawStatus,
  };
}

const BIG_HORIZONS = [40, 60, 50, 60, 45, 55];

/** Sizes: mostly small (HiGHS' active set takes ~30 ms even there), some medium, a few big. */
function* sizes(): Generator<{ N: number; nx: number; nu: number; seed: number }> {
  const rand = seededRandom(2026);
  const pick = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  for (let i = 0; ; i++) {
    const seed = 1000 + i;
    if (i < 440 || i >= 500) yield { N: pick(5, 12), nx: pick(4, 8), nu: pick(1, 4), seed };
    else if (i < 494) yield { N: pick(10, 30), nx: pick(6, 14), nu: pick(2, 6), seed };
    else yield { N: BIG_HORIZONS[i - 494], nx: i % 2 === 0 ? 20 : pick(10, 16), nu: 2, seed };
  }
}

const COMPARISONS = 500;
/** HiGHS' wasm active-set QP throws "run failed" on ~0.5 % of these (valid, feasible) problems. */
const MAX_REFERENCE_FAILURES = 10;

describe('OCP-QP IPM vs HiGHS on the OSQP "control" class', () => {
  it('500 random QPs (nx 4..20, N 5..60): objective within 1e-6 relative, u0 within 1e-4·(|u0|+1)', () => {
    const failures: string[] = [];
    const referenceFailures: string[] = [];
    let compared = 0;
    let worstObj = 0;
    let worstU0 = 0;
    let maxNx = 0;
    let maxN = 0;
    for (const s of sizes()) {
      if (compared >= COMPARISONS) break;
      const c = compare(randomControlQp(s));
      if (c.refStatus === 'failed') {
        // the reference failed, not our solver: replace the problem by the next one
        referenceFailures.push(`seed ${s.seed}: ${c.refRaw}`);
        if (referenceFailures.length > MAX_REFERENCE_FAILURES) break;
        continue;
      }
      compared++;
      maxNx = Math.max(maxNx, s.nx);
      maxN = Math.max(maxN, s.N);
      worstObj = Math.max(worstObj, c.objErr);
      worstU0 = Math.max(worstU0, c.u0Err);
      if (c.status !== 'solved' || c.refStatus !== 'solved' || !(c.objErr <= OBJ_REL_TOL) || !(c.u0Err <= U0_TOL)) {
        failures.push(`seed ${s.seed} N=${s.N} nx=${s.nx} nu=${s.nu}: ${c.status}/${c.refStatus} obj ${c.objErr.toExponential(2)} u0 ${c.u0Err.toExponential(2)}`);
      }
    }
    expect(referenceFailures.length).toBeLessThanOrEqual(MAX_REFERENCE_FAILURES);
    expect(compared).toBe(COMPARISONS);
    expect([maxNx, maxN]).toEqual([20, 60]);
    expect(failures).toEqual([]);
    expect(worstObj).toBeLessThanOrEqual(OBJ_REL_TOL);
    expect(worstU0).toBeLessThanOrEqual(U0_TOL);
  });
});

describe('degenerate QPs', () => {
  it('more controls than states (nu > nx: BᵀP is taller than AᵀP) match HiGHS', () => {
    // regression: the Riccati scratch for BᵀP was sized nx × nx, so with
    // nu > nx its last rows were dropped and R̃ lost positive definiteness
    let compared = 0;
    for (let seed = 1; compared < 10 && seed <= 30; seed++) {
      const c = compare(randomControlQp({ N: 4 + seed % 9, nx: 2 + seed % 3, nu: 5 + seed % 4, seed }));
      if (c.refStatus === 'failed') continue;
      compared++;
      expect(c.status).toBe('solved');
      expect(c.objErr).toBeLessThanOrEqual(OBJ_REL_TOL);
      expect(c.u0Err).toBeLessThanOrEqual(U0_TOL);
    }
    expect(compared).toBe(10);
  });

  it('equal lower and upper bounds (fixed controls and states) match HiGHS', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const qp = randomControlQp({ N: 10, nx: 6, nu: 3, seed });
      // fix u₁ at stage 2..4 and x₃ at stage 5
      for (let k = 2; k <= 4; k++) { qp.lbu[k * 3 + 1] = 0.2; qp.ubu[k * 3 + 1] = 0.2; }
      const c = compare(qp);
      expect(c.status).toBe('solved');
      expect(c.objErr).toBeLessThanOrEqual(OBJ_REL_TOL);
      expect(c.u0Err).toBeLessThanOrEqual(U0_TOL);
    }
  });

  it('infinite and one-sided bounds match HiGHS', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const qp = randomControlQp({ N: 12, nx: 5, nu: 2, seed });
      qp.lbx.fill(-Infinity); // only upper state bounds
      for (let k = 0; k < qp.N; k += 2) { qp.lbu[k * 2] = -Infinity; qp.ubu[k * 2 + 1] = Infinity; }
      const c = compare(qp);
      expect(c.status).toBe('solved');
      expect(c.objErr).toBeLessThanOrEqual(OBJ_REL_TOL);
      expect(c.u0Err).toBeLessThanOrEqual(U0_TOL);
    }
  });

  it('no inequalities at all reduces to one Riccati solve (LQR) and matches HiGHS', () => {
    const qp = randomControlQp({ N: 15, nx: 6, nu: 3, seed: 7 });
    qp.lbx.fill(-Infinity); qp.ubx.fill(Infinity); qp.lbu.fill(-Infinity); qp.ubu.fill(Infinity);
    const c = compare(qp);
    expect(c.status).toBe('solved');
    // HiGHS' own optimality tolerance (~1e-8 relative) is the limit here
    expect(c.objErr).toBeLessThanOrEqual(1e-7);
    expect(c.u0Err).toBeLessThanOrEqual(1e-6);
  });

  it('soft general constraints with L1 + L2 penalties match HiGHS', () => {
    const rand = seededRandom(99);
    for (let seed = 1; seed <= 10; seed++) {
      const base = randomControlQp({ N: 10, nx: 5, nu: 2, seed });
      const qp = new OcpQp({ N: 10, nx: 5, nu: 2, ns: 2, nsN: 1 });
      for (const f of ['A', 'B', 'b', 'Q', 'R', 'S', 'q', 'r', 'lbx', 'ubx', 'lbu', 'ubu', 'x0'] as const) qp[f].set(base[f]);
      for (let k = 0; k <= 10; k++) {
        for (let i = 0; i < qp.softRows(k); i++) {
          const o = k * qp.nsMax + i;
          for (let j = 0; j < 5; j++) qp.C[o * 5 + j] = rand() - 0.5;
          if (k < 10) for (let j = 0; j < 2; j++) qp.D[o * 2 + j] = rand() - 0.5;
          qp.ug[o] = 0.1 * (rand() - 0.5); // often violated: slacks become active
          qp.zl1[o] = 5 * rand();
          qp.zl2[o] = i === 0 ? 0 : 10 * rand(); // pure-L1 and L1+L2 rows
        }
      }
      const c = compare(qp);
      expect(c.status).toBe('solved');
      expect(c.objErr).toBeLessThanOrEqual(OBJ_REL_TOL);
      expect(c.u0Err).toBeLessThanOrEqual(U0_TOL);
    }
  });

  it('an infeasible hard box is reported as status "infeasible", not thrown', () => {
    const crossed = randomControlQp({ N: 8, nx: 4, nu: 2, seed: 3 });
    crossed.lbu[5] = 1;
    crossed.ubu[5] = -1;
    const s1 = createQpSolver({ N: 8, nx: 4, nu: 2 });
    s1.qp.copyFrom(crossed);
    expect(s1.solve().status).toBe('infeasible');

    // consistent boxes, but x₁ cannot be reached with the bounded u₀
    const unreachable = randomControlQp({ N: 8, nx: 4, nu: 2, seed: 3 });
    for (let j = 0; j < 4; j++) { unreachable.lbx[4 + j] = 50; unreachable.ubx[4 + j] = 60; }
    const s2 = createQpSolver({ N: 8, nx: 4, nu: 2 });
    s2.qp.copyFrom(unreachable);
    expect(s2.solve().status).toBe('infeasible');
    expect(reference(unreachable).status).toBe('infeasible');
  });

  it('NaN data throws QP_NON_FINITE_DATA naming the entry; wrong sizes throw QP_BAD_DIMENSIONS', () => {
    const s = createQpSolver({ N: 5, nx: 3, nu: 1 });
    s.qp.copyFrom(randomControlQp({ N: 5, nx: 3, nu: 1, seed: 1 }));
    s.qp.A[1 * 9 + 4] = NaN;
    expect(() => s.solve()).toThrowError(/stages\[1\]\.A\[4\]/);
    try { s.solve(); } catch (e) { expect((e as CinePilotError).code).toBe(QP_ERROR.nonFinite); }
    expect(() => s.updateStage(0, { B: [1, 2] })).toThrowError(/stages\[0\]\.B: expected 3 numbers, got 2/);
    expect(() => s.updateStage(5, { R: [1] })).toThrowError(/terminal stage has no controls/);
    expect(() => createQpSolver({ N: 0, nx: 3, nu: 1 })).toThrowError(CinePilotError);
    expect(() => createQpSolver({ N: 5, nx: 3, nu: 1 }, { maxIterations: 0 })).toThrowError(/maxIterations/);
    expect(() => createQpSolver({ N: 5, nx: 3, nu: 1 }, { tolerance: 1 } as never)).toThrowError(/unknown QP setting/);
  });
});

describe('warm start and limits', () => {
  it('a warm start from the previous solution reaches the same optimum', () => {
    const qp = randomControlQp({ N: 20, nx: 8, nu: 3, seed: 5 });
    const s = createQpSolver({ N: 20, nx: 8, nu: 3 }, { ...ACCURATE, warmStart: true });
    s.qp.copyFrom(qp);
    const cold = s.solve();
    const coldObj = cold.objective;
    // perturb the initial state a little, as between two MPC ticks
    s.qp.x0[0] += 0.01;
    const warm = s.solve();
    const ref = reference(s.qp);
    expect(warm.status).toBe('solved');
    expect(Math.abs(warm.objective - ref.objective) / Math.max(1, Math.abs(ref.objective))).toBeLessThanOrEqual(OBJ_REL_TOL);
    expect(Number.isFinite(coldObj)).toBe(true);
  });

  it('maxIterations and timeLimitMs end the solve with their status', () => {
    const qp = randomControlQp({ N: 30, nx: 10, nu: 4, seed: 8 });
    const s = createQpSolver({ N: 30, nx: 10, nu: 4 }, { maxIterations: 2 });
    s.qp.copyFrom(qp);
    expect(s.solve().status).toBe('max-iterations');
    s.updateSettings({ maxIterations: 50, timeLimitMs: 1e-6 });
    const info = s.solve();
    expect(info.status).toBe('time-limit');
    expect(info.iterations).toBeLessThanOrEqual(1);
  });
});
