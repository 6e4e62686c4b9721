import { describe, expect, it } from 'vitest';
import { cameraPoseFromVehicle, cameraRotation, worldToOptical } from '../../core/frames.ts';
import { vec3 } from '../../core/vec3.ts';
import { CameraGeometry, GEOMETRY_STATE_INDEX } from './camera-geometry.ts';
import { NX, X } from './layout.ts';
import { centralDifferenceJacobian, maxRelativeError, randomStage, seededRandom } from './testing/finite-difference.ts';

const MOUNT = { x: 0.1, y: 0.03, z: 0.12 };

describe('CameraGeometry', () => {
  it('matches core/frames worldToOptical for the same vehicle pose and gimbal (1e-12 m)', () => {
    const rand = seededRandom(7);
    const geom = new CameraGeometry(MOUNT);
    for (let trial = 0; trial < 50; trial++) {
      const { x, p } = randomStage(rand);
      geom.setState(x);
      geom.project(p, 0);
      const pose = cameraPoseFromVehicle(
        vec3(x[X.PN], x[X.PE], x[X.PD]), x[X.YAW],
        { pitchRad: x[X.GIMBAL_PITCH], yawRad: x[X.GIMBAL_YAW], rollRad: 0 }, MOUNT,
      );
      const o = worldToOptical(pose, cameraRotation(pose), vec3(p[0], p[1], p[2]));
      expect(geom.optical[0]).toBeCloseTo(o.x, 12);
      expect(geom.optical[1]).toBeCloseTo(o.y, 12);
      expect(geom.optical[2]).toBeCloseTo(o.z, 12);
    }
  });

  it('optical Jacobian agrees with central differences (rel. 1e-6)', () => {
    const rand = seededRandom(11);
    const geom = new CameraGeometry(MOUNT);
    for (let trial = 0; trial < 30; trial++) {
      const { x, p } = randomStage(rand);
      const q0 = Float64Array.from(GEOMETRY_STATE_INDEX, (i) => x[i]);
      const xs = new Float64Array(NX);
      const evalAt = (q: Float64Array, out: Float64Array) => {
        xs.set(x);
        GEOMETRY_STATE_INDEX.forEach((i, j) => (xs[i] = q[j]));
        geom.setState(xs);
        geom.project(p, 0);
        out.set(geom.optical);
      };
      const fd = centralDifferenceJacobian(evalAt, q0, 3);
      geom.setState(x);
      geom.project(p, 0);
      expect(maxRelativeError(geom.dOptical, fd).error).toBeLessThan(1e-6);
    }
  });
});
