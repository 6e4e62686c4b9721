import { describe, expect, it } from 'vitest';
import {
  cameraPoseFromVehicle, cameraRotation, eulerZyxToMatrix, eulerZyxToQuat, matrixToEulerZyx, opticalToWorldDirection,
  quatToEulerZyx, quatToMatrix, rotate, rotateTransposed, worldToOptical,
} from './frames.ts';
import { vec3 } from './vec3.ts';
import { wrapAngleRad } from './units.ts';

const deg = Math.PI / 180;

describe('rotation conventions (NED, FRD, ZYX Euler)', () => {
  it('yaw +90° turns the body forward axis from north to east', () => {
    const R = eulerZyxToMatrix(90 * deg, 0, 0);
    const fwd = rotate(R, vec3(1, 0, 0));
    expect(fwd.x).toBeCloseTo(0, 12);
    expect(fwd.y).toBeCloseTo(1, 12);
    expect(fwd.z).toBeCloseTo(0, 12);
  });

  it('positive pitch raises the nose (forward axis gains −z, i.e. up)', () => {
    const fwd = rotate(eulerZyxToMatrix(0, 30 * deg, 0), vec3(1, 0, 0));
    expect(fwd.z).toBeCloseTo(-Math.sin(30 * deg), 12);
  });

  it('positive roll lowers the right wing (right axis gains +z, down)', () => {
    const right = rotate(eulerZyxToMatrix(0, 0, 20 * deg), vec3(0, 1, 0));
    expect(right.z).toBeCloseTo(Math.sin(20 * deg), 12);
  });

  it('matrix ↔ Euler ↔ quaternion round trips over a grid of attitudes', () => {
    for (const y of [-170, -90, -10, 0, 45, 179]) {
      for (const p of [-80, -30, 0, 30, 80]) {
        for (const r of [-60, 0, 15, 120]) {
          const R = eulerZyxToMatrix(y * deg, p * deg, r * deg);
          const e = matrixToEulerZyx(R);
          expect(wrapAngleRad(e.yawRad - y * deg)).toBeCloseTo(0, 10);
          expect(e.pitchRad).toBeCloseTo(p * deg, 10);
          expect(wrapAngleRad(e.rollRad - r * deg)).toBeCloseTo(0, 10);
          const q = eulerZyxToQuat(y * deg, p * deg, r * deg);
          const Rq = quatToMatrix(q);
          for (let i = 0; i < 9; i++) expect(Rq[i]).toBeCloseTo(R[i]!, 12);
          const eq = quatToEulerZyx(q);
          expect(eq.pitchRad).toBeCloseTo(p * deg, 10);
        }
      }
    }
  });

  it('rotation matrices are orthonormal: Rᵀ·R·v = v', () => {
    const R = eulerZyxToMatrix(0.3, -0.7, 1.1);
    const v = vec3(1.5, -2, 0.25);
    const back = rotateTransposed(R, rotate(R, v));
    expect(back.x).toBeCloseTo(v.x, 12);
    expect(back.y).toBeCloseTo(v.y, 12);
    expect(back.z).toBeCloseTo(v.z, 12);
  });

  it('gimbal lock (pitch ±90°) keeps yaw and sets roll to 0', () => {
    const e = matrixToEulerZyx(eulerZyxToMatrix(0.5, Math.PI / 2, 0));
    expect(e.pitchRad).toBeCloseTo(Math.PI / 2, 9);
    expect(e.rollRad).toBe(0);
  });
});

describe('camera frame', () => {
  it('the optical axis of a level camera facing north points north; x right = east, y down = down', () => {
    const pose = cameraPoseFromVehicle(vec3(0, 0, -10), 0, { pitchRad: 0, yawRad: 0, rollRad: 0 });
    const R = cameraRotation(pose);
    const ahead = worldToOptical(pose, R, vec3(5, 0, -10));
    expect([ahead.x, ahead.y, ahead.z]).toEqual([0, 0, 5]);
    const east = worldToOptical(pose, R, vec3(5, 1, -10));
    expect(east.x).toBeCloseTo(1, 12);
    const below = worldToOptical(pose, R, vec3(5, 0, -9));
    expect(below.y).toBeCloseTo(1, 12);
  });

  it('gimbal pitch −90° looks straight down', () => {
    const pose = cameraPoseFromVehicle(vec3(0, 0, -20), 1.0, { pitchRad: -Math.PI / 2, yawRad: 0, rollRad: 0 });
    const o = worldToOptical(pose, cameraRotation(pose), vec3(0, 0, 0));
    expect(o.z).toBeCloseTo(20, 9);
    expect(Math.hypot(o.x, o.y)).toBeCloseTo(0, 9);
  });

  it('gimbal yaw adds to the vehicle heading; the mount offset turns with the heading', () => {
    const pose = cameraPoseFromVehicle(vec3(0, 0, 0), 90 * deg, { pitchRad: 0, yawRad: 90 * deg, rollRad: 0 }, vec3(1, 0, 0));
    expect(pose.yawRad).toBeCloseTo(Math.PI, 12);
    expect(pose.positionNedM.x).toBeCloseTo(0, 12);
    expect(pose.positionNedM.y).toBeCloseTo(1, 12);
  });

  it('opticalToWorldDirection inverts worldToOptical for directions', () => {
    const pose = cameraPoseFromVehicle(vec3(3, -2, -8), 0.4, { pitchRad: -0.5, yawRad: 0.2, rollRad: 0 });
    const R = cameraRotation(pose);
    const p = vec3(10, 4, 0);
    const o = worldToOptical(pose, R, p);
    const d = opticalToWorldDirection(R, o);
    expect(pose.positionNedM.x + d.x).toBeCloseTo(p.x, 9);
    expect(pose.positionNedM.y + d.y).toBeCloseTo(p.y, 9);
    expect(pose.positionNedM.z + d.z).toBeCloseTo(p.z, 9);
  });
});
