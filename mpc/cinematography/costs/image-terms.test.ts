import { describe, expect, it } from 'vitest';
import { projectPoint } from '../../camera.ts';
import { imageHeightFraction } from '../../optics.ts';
import { cameraPoseFromVehicle } from '../../../core/frames.ts';
import { vec3 } from '../../../core/vec3.ts';
import { CameraGeometry } from '../camera-geometry.ts';
import { NX, P, SLOT, X } from '../layout.ts';
import { centralDifferenceJacobian, maxRelativeError, randomStage, seededRandom } from '../testing/finite-difference.ts';
import { compositionResidual, sizeResidual } from './image-terms.ts';

const SENSOR = { sensorWidthMm: 35.6, sensorHeightMm: 20 };
const MOUNT = { x: 0.1, y: 0, z: 0.12 };
const o = P.slot(0);

describe('composition residual', () => {
  it('equals weight × (projected u, v − target) with mpc/camera.ts as reference (1e-12)', () => {
    const rand = seededRandom(3);
    const geom = new CameraGeometry(MOUNT);
    const r = new Float64Array(2);
    for (let t = 0; t < 20; t++) {
      const { x, p } = randomStage(rand);
      geom.setState(x);
      compositionResidual(geom, SENSOR, x, p, o, r, 0, null, NX);
      const pose = cameraPoseFromVehicle(vec3(x[X.PN], x[X.PE], x[X.PD]), x[X.YAW],
        { pitchRad: x[X.GIMBAL_PITCH], yawRad: x[X.GIMBAL_YAW], rollRad: 0 }, MOUNT);
      const pr = projectPoint(pose, { focalLengthMm: x[X.FOCAL_MM], ...SENSOR }, vec3(p[o], p[o + 1], p[o + 2]));
      const w = p[o + SLOT.W_COMPOSITION];
      expect(r[0]).toBeCloseTo(w * (pr.u - p[o + SLOT.U_TARGET]), 12);
      expect(r[1]).toBeCloseTo(w * (pr.v - p[o + SLOT.V_TARGET]), 12);
    }
  });

  it('Jacobian agrees with central differences (rel. 1e-6)', () => {
    const rand = seededRandom(4);
    const geom = new CameraGeometry(MOUNT);
    for (let t = 0; t < 30; t++) {
      const { x, p } = randomStage(rand);
      const f = (xx: Float64Array, out: Float64Array) => {
        geom.setState(xx);
        compositionResidual(geom, SENSOR, xx, p, o, out, 0, null, NX);
        sizeResidual(geom, SENSOR, xx, p, o, out, 2, null, NX);
      };
      const fd = centralDifferenceJacobian(f, x, 3);
      const J = new Float64Array(3 * NX), r = new Float64Array(3);
      geom.setState(x);
      compositionResidual(geom, SENSOR, x, p, o, r, 0, J, NX);
      sizeResidual(geom, SENSOR, x, p, o, r, 2, J, NX);
      expect(maxRelativeError(J, fd).error).toBeLessThan(1e-6);
    }
  });

  it('a zero weight switches the term off (residual and Jacobian zero)', () => {
    const { x, p } = randomStage(seededRandom(5));
    p[o + SLOT.W_COMPOSITION] = 0;
    const geom = new CameraGeometry(MOUNT);
    geom.setState(x);
    const r = new Float64Array(2).fill(9), J = new Float64Array(2 * NX);
    compositionResidual(geom, SENSOR, x, p, o, r, 0, J, NX);
    expect([...r]).toEqual([0, 0]);
    expect(J.every((v) => v === 0)).toBe(true);
  });
});

describe('size residual', () => {
  const pose = (x: Float64Array) => cameraPoseFromVehicle(vec3(x[X.PN], x[X.PE], x[X.PD]), x[X.YAW],
    { pitchRad: x[X.GIMBAL_PITCH], yawRad: x[X.GIMBAL_YAW], rollRad: 0 }, MOUNT);

  it('measures v(feet) − v(head top) like the simulator metrics (mpc/camera.ts reference)', () => {
    const { x, p } = randomStage(seededRandom(6));
    const geom = new CameraGeometry(MOUNT);
    geom.setState(x);
    const intr = { focalLengthMm: x[X.FOCAL_MM], ...SENSOR };
    const feet = projectPoint(pose(x), intr, vec3(p[o + SLOT.FEET], p[o + SLOT.FEET + 1], p[o + SLOT.FEET + 2]));
    const top = projectPoint(pose(x), intr, vec3(p[o + SLOT.TOP], p[o + SLOT.TOP + 1], p[o + SLOT.TOP + 2]));
    p[o + SLOT.SIZE_TARGET] = feet.v - top.v;
    const r = new Float64Array(1);
    sizeResidual(geom, SENSOR, x, p, o, r, 0, null, NX);
    expect(Math.abs(r[0])).toBeLessThan(1e-12);
    // 10 % too small a target → residual w·(1/0.9 − 1)
    p[o + SLOT.SIZE_TARGET] *= 0.9;
    sizeResidual(geom, SENSOR, x, p, o, r, 0, null, NX);
    expect(r[0]).toBeCloseTo(p[o + SLOT.W_SIZE] * (1 / 0.9 - 1), 10);
  });

  it('agrees with f·h/(z·Sh) (optics imageHeightFraction) for a level camera to 1 % at 10 m', () => {
    const { x, p } = randomStage(seededRandom(8));
    x[X.GIMBAL_PITCH] = 0; x[X.GIMBAL_YAW] = 0; x[X.YAW] = 0; x[X.PN] = 0; x[X.PE] = 0; x[X.PD] = -0.85;
    const h = 1.7;
    p[o + SLOT.FEET] = 10; p[o + SLOT.FEET + 1] = 0; p[o + SLOT.FEET + 2] = 0;
    p[o + SLOT.TOP] = 10; p[o + SLOT.TOP + 1] = 0; p[o + SLOT.TOP + 2] = -h;
    p[o + SLOT.SIZE_TARGET] = imageHeightFraction(x[X.FOCAL_MM], h, 10 - MOUNT.x, SENSOR.sensorHeightMm);
    const geom = new CameraGeometry(MOUNT);
    geom.setState(x);
    const r = new Float64Array(1);
    sizeResidual(geom, SENSOR, x, p, o, r, 0, null, NX);
    expect(Math.abs(r[0] / p[o + SLOT.W_SIZE])).toBeLessThan(0.01);
  });
});
