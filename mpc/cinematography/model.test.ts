import { describe, expect, it } from 'vitest';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { CinematographyModel } from './model.ts';
import { NH, NU, NX, NY, NY_TERMINAL, U, X, stopsFromFNumber } from './layout.ts';
import { centralDifferenceJacobian, maxRelativeError, randomStage, seededRandom } from './testing/finite-difference.ts';

const rig = loadRig();
const model = new CinematographyModel(rig);

describe('CinematographyModel', () => {
  it('takes its bounds from the rig profile (lens range, motor speeds, gimbal limits, safety speed)', () => {
    expect(model.lbx[X.FOCAL_MM]).toBe(24);
    expect(model.ubx[X.FOCAL_MM]).toBe(70);
    expect(model.ubx[X.FOCUS_DPT]).toBeCloseTo(1 / 0.3, 12);
    expect(model.lbx[X.FOCUS_DPT]).toBe(0);
    expect(model.lbx[X.IRIS_STOPS]).toBeCloseTo(stopsFromFNumber(2.8), 12);
    expect(model.ubx[X.VN]).toBe(10);
    expect(model.lbx[X.VD]).toBe(-3);
    expect(model.ubu[U.ZOOM_RATE]).toBeCloseTo(0.9 * 40, 12);
    expect(model.ubu[U.FOCUS_RATE]).toBeCloseTo(0.9 * 8, 12);
    expect(model.lbx[X.GIMBAL_PITCH]).toBeCloseTo(-Math.PI / 2, 12); // rig allows −135°, the picture stays upright
  });

  it('rejects invalid settings with a message naming the field', () => {
    expect(() => new CinematographyModel(rig, { N: 0 })).toThrow(/N = 0/);
    expect(() => new CinematographyModel(rig, { dtS: -1 })).toThrow(/dtS/);
  });

  it('stage/terminal residual, constraint and dynamics Jacobians agree with central differences (rel. 1e-6)', () => {
    const rand = seededRandom(101);
    for (let t = 0; t < 25; t++) {
      const { x, u, p } = randomStage(rand);
      const rx = new Float64Array(NY * NX), ru = new Float64Array(NY * NU), r = new Float64Array(NY);
      model.stageResidual(0, x, u, p, r, rx, ru);
      const fdx = centralDifferenceJacobian((xx, out) => model.stageResidual(0, xx, u, p, out, null, null), x, NY);
      const fdu = centralDifferenceJacobian((uu, out) => model.stageResidual(0, x, uu, p, out, null, null), u, NY);
      expect(maxRelativeError(rx, fdx).error).toBeLessThan(1e-6);
      expect(maxRelativeError(ru, fdu).error).toBeLessThan(1e-6);

      const rN = new Float64Array(NY_TERMINAL), rNx = new Float64Array(NY_TERMINAL * NX);
      model.terminalResidual(x, p, rN, rNx);
      expect(maxRelativeError(rNx, centralDifferenceJacobian((xx, out) => model.terminalResidual(xx, p, out, null), x, NY_TERMINAL)).error).toBeLessThan(1e-6);

      const h = new Float64Array(NH), hx = new Float64Array(NH * NX), hu = new Float64Array(NH * NU);
      model.stageConstraint(0, x, u, p, h, hx, hu);
      expect(maxRelativeError(hx, centralDifferenceJacobian((xx, out) => model.stageConstraint(0, xx, u, p, out, null, null), x, NH)).error).toBeLessThan(1e-6);
      expect(hu.every((v) => v === 0)).toBe(true);

      const xd = new Float64Array(NX), fx = new Float64Array(NX * NX), fu = new Float64Array(NX * NU);
      model.dynamics(x, u, p, xd, fx, fu);
      expect(maxRelativeError(fx, centralDifferenceJacobian((xx, out) => model.dynamics(xx, u, p, out, null, null), x, NX)).error).toBeLessThan(1e-9);
      expect(maxRelativeError(fu, centralDifferenceJacobian((uu, out) => model.dynamics(x, uu, p, out, null, null), u, NX)).error).toBeLessThan(1e-9);
    }
  });

  it('overwrites stale Jacobian buffers (callers may reuse them)', () => {
    const { x, u, p } = randomStage(seededRandom(5));
    const clean = new Float64Array(NY * NX), dirty = new Float64Array(NY * NX).fill(7);
    const r = new Float64Array(NY);
    model.stageResidual(0, x, u, p, r, clean, null);
    model.stageResidual(0, x, u, p, r, dirty, null);
    expect([...dirty]).toEqual([...clean]);
  });
});
