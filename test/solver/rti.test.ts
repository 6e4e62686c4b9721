import { describe, expect, it } from 'vitest';
import { CinePilotError } from '../../core/errors.ts';
import type { OcpModel } from '../../mpc/ocp-model.ts';
import { createRtiSolver, Rk4Integrator, RTI_ERROR } from '../../mpc/sqp/index.ts';
import { createQuadrotorModel } from '../../mpc/sqp/models/quadrotor.ts';

const DT_S = 0.1;
const TARGET = [4, 2, -3];
const OBSTACLE = [2, 1, -1.5] as const;
const OBSTACLE_R_M = 0.8;
const HOVER_U = [9.80665, 0, 0, 0];

function quadrotor(N = 30): OcpModel {
  return createQuadrotorModel({ N, dtS: DT_S, obstacleCentre: OBSTACLE, obstacleRadiusM: OBSTACLE_R_M });
}

describe('RK4 sensitivities', () => {
  it('match central finite differences of Φ to 1e-7 (relative to max(1, |G|))', () => {
    const model = quadrotor();
    const rk4 = new Rk4Integrator(model);
    const x = Float64Array.from([0.3, -0.2, -1, 1.2, -0.7, 0.4, 0.25, -0.35, 0.8]);
    const u = Float64Array.from([11, 0.4, -0.6, 0.3]);
    const p = new Float64Array(3);
    const A = new Float64Array(81);
    const B = new Float64Array(36);
    const xn = new Float64Array(9);
    rk4.integrate(DT_S, x, 0, u, 0, p, xn, 0, A, 0, B, 0);
    const plus = new Float64Array(9);
    const minus = new Float64Array(9);
    const eps = 1e-6;
    let worst = 0;
    for (let j = 0; j < 13; j++) {
      const xp = x.slice(), up = u.slice(), xm = x.slice(), um = u.slice();
      if (j < 9) { xp[j] += eps; xm[j] -= eps; } else { up[j - 9] += eps; um[j - 9] -= eps; }
      rk4.integrate(DT_S, xp, 0, up, 0, p, plus, 0, null, 0, null, 0);
      rk4.integrate(DT_S, xm, 0, um, 0, p, minus, 0, null, 0, null, 0);
      for (let i = 0; i < 9; i++) {
        const fd = (plus[i] - minus[i]) / (2 * eps);
        const an = j < 9 ? A[i * 9 + j] : B[i * 4 + j - 9];
        worst = Math.max(worst, Math.abs(fd - an) / Math.max(1, Math.abs(an)));
      }
    }
    expect(worst).toBeLessThan(1e-7);
  });
});

describe('RTI-SQP on a quadrotor point-to-point OCP', () => {
  it('flies hover → target within 1 cm, stops, and keeps (softly) out of the obstacle', () => {
    const model = quadrotor();
    const N = model.dims.N;
    const rti = createRtiSolver(model);
    for (let k = 0; k <= N; k++) rti.setParameters(k, TARGET);
    const x = new Float64Array(9);
    rti.setInitialState(x);
    rti.initialize(x, HOVER_U);
    const plant = new Rk4Integrator(model);
    const u = new Float64Array(4);
    const xn = new Float64Array(9);
    let minDistM = Infinity;
    let failures = 0;
    for (let tick = 0; tick < 60; tick++) {
      rti.setInitialState(x);
      const info = rti.step();
      if (info.status !== 'solved') failures++;
      rti.u(0, u);
      for (let j = 0; j < 4; j++) {
        expect(u[j]).toBeGreaterThanOrEqual(model.lbu[j] - 1e-9);
        expect(u[j]).toBeLessThanOrEqual(model.ubu[j] + 1e-9);
      }
      plant.integrate(DT_S, x, 0, u, 0, new Float64Array(3), xn, 0, null, 0, null, 0);
      x.set(xn);
      minDistM = Math.min(minDistM, Math.hypot(x[0] - OBSTACLE[0], x[1] - OBSTACLE[1], x[2] - OBSTACLE[2]));
      rti.shift();
    }
    expect(failures).toBe(0);
    expect(Math.hypot(x[0] - TARGET[0], x[1] - TARGET[1], x[2] - TARGET[2])).toBeLessThan(0.01);
    expect(Math.hypot(x[3], x[4], x[5])).toBeLessThan(0.01);
    // soft constraint: a violation of a few cm is the price of L1/L2 slack penalties
    expect(minDistM).toBeGreaterThan(OBSTACLE_R_M - 0.05);
  });

  it('repeated RTI steps at a fixed state converge (full-step Gauss-Newton SQP, moderate target)', () => {
    // full steps without globalisation converge from a start this close; far
    // targets are reached over several ticks instead (test above)
    const near = [1, 0.5, -1];
    const model = quadrotor(20);
    const rti = createRtiSolver(model);
    for (let k = 0; k <= 20; k++) rti.setParameters(k, near);
    const x0 = new Float64Array(9);
    rti.setInitialState(x0);
    rti.initialize(x0, HOVER_U);
    const steps: number[] = [];
    const costs: number[] = [];
    for (let it = 0; it < 25; it++) {
      const info = rti.step();
      steps.push(info.stepNorm);
      costs.push(info.cost);
    }
    expect(steps[steps.length - 1]).toBeLessThan(1e-6);
    expect(costs[costs.length - 1]).toBeLessThan(costs[0]);
    // the plan ends near the target
    const xN = rti.x(20);
    expect(Math.hypot(xN[0] - near[0], xN[1] - near[1], xN[2] - near[2])).toBeLessThan(0.2);
  });

  it('rejects a malformed model, wrong input sizes and NaN from the model with typed errors', () => {
    const good = quadrotor(10);
    const code = (fn: () => unknown) => {
      try { fn(); } catch (e) { return e instanceof CinePilotError ? e.code : 'other'; }
      return 'none';
    };
    expect(code(() => createRtiSolver({ ...good, lbu: new Float64Array(2) }))).toBe(RTI_ERROR.badModel);
    expect(code(() => createRtiSolver({ ...good, dims: { ...good.dims, nh: 1 }, stageConstraint: undefined }))).toBe(RTI_ERROR.badModel);
    const rti = createRtiSolver(good);
    expect(code(() => rti.setParameters(0, [1, 2]))).toBe(RTI_ERROR.badInput);
    expect(code(() => rti.setParameters(11, [1, 2, 3]))).toBe(RTI_ERROR.badInput);
    expect(code(() => rti.setInitialState([NaN, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe(RTI_ERROR.badInput);
    expect(code(() => rti.feedback())).toBe(RTI_ERROR.badInput); // no measured state yet
    const nanModel: OcpModel = {
      ...good,
      dynamics(x, u, p, xdot, dfdx, dfdu) {
        good.dynamics(x, u, p, xdot, dfdx, dfdu);
        xdot[2] = NaN;
      },
    };
    const bad = createRtiSolver(nanModel);
    bad.setInitialState(new Float64Array(9));
    bad.initialize();
    expect(code(() => bad.step())).toBe(RTI_ERROR.nonFinite);
  });
});
