import { describe, expect, it } from 'vitest';
import { CameraProjector, projectPoint } from './camera.ts';
import { cameraPoseFromVehicle } from '../core/frames.ts';
import { vec3 } from '../core/vec3.ts';
import { imageHeightFraction } from './optics.ts';

const FULL_FRAME_16_9 = { focalLengthMm: 50, sensorWidthMm: 36, sensorHeightMm: 20.25 };
const level = (yawRad = 0) => cameraPoseFromVehicle(vec3(0, 0, -1.7), yawRad, { pitchRad: 0, yawRad: 0, rollRad: 0 });

describe('pinhole projection to normalised image coordinates', () => {
  it('a point on the optical axis lands in the centre of the frame', () => {
    const p = projectPoint(level(), FULL_FRAME_16_9, vec3(10, 0, -1.7));
    expect(p.u).toBeCloseTo(0.5, 12);
    expect(p.v).toBeCloseTo(0.5, 12);
    expect(p.depthM).toBeCloseTo(10, 12);
    expect(p.inFront && p.inFrame).toBe(true);
  });

  it('matches u = ½ + (f/W)·(x/z), v = ½ + (f/H)·(y/z) (analytic, 1e-12)', () => {
    const p = projectPoint(level(), FULL_FRAME_16_9, vec3(8, 1.2, -1.7 + 0.6)); // right 1.2 m, down 0.6 m
    expect(p.u).toBeCloseTo(0.5 + (50 / 36) * (1.2 / 8), 12);
    expect(p.v).toBeCloseTo(0.5 + (50 / 20.25) * (0.6 / 8), 12);
  });

  it('a point at the edge of the horizontal field of view lands on u = 1', () => {
    const halfFov = Math.atan(36 / (2 * 50));
    const p = projectPoint(level(), FULL_FRAME_16_9, vec3(10, 10 * Math.tan(halfFov), -1.7));
    expect(p.u).toBeCloseTo(1, 12);
    expect(p.inFrame).toBe(true);
  });

  it('reports points behind the camera instead of projecting them', () => {
    const p = projectPoint(level(), FULL_FRAME_16_9, vec3(-5, 0.5, -1.7));
    expect(p.inFront).toBe(false);
    expect(p.inFrame).toBe(false);
    expect(Number.isNaN(p.u) && Number.isNaN(p.v)).toBe(true);
    expect(p.depthM).toBeLessThan(0);
    const onPlane = projectPoint(level(), FULL_FRAME_16_9, vec3(0, 3, -1.7));
    expect(onPlane.inFront).toBe(false);
  });

  it('projected person height equals f·h/(z·sensorHeight) for a person straight ahead', () => {
    const cam = cameraPoseFromVehicle(vec3(0, 0, -0.875), 0, { pitchRad: 0, yawRad: 0, rollRad: 0 });
    const proj = new CameraProjector(cam, FULL_FRAME_16_9);
    const head = proj.project(vec3(12, 0, -1.75));
    const feet = proj.project(vec3(12, 0, 0));
    expect(feet.v - head.v).toBeCloseTo(imageHeightFraction(50, 1.75, 12, 20.25), 12);
  });

  it('follows the camera when it yaws and tilts (subject east, camera yawed east and tilted down)', () => {
    const cam = cameraPoseFromVehicle(vec3(0, 0, -10), Math.PI / 2, { pitchRad: -Math.atan2(10, 10), yawRad: 0, rollRad: 0 });
    const p = projectPoint(cam, FULL_FRAME_16_9, vec3(0, 10, 0));
    expect(p.u).toBeCloseTo(0.5, 9);
    expect(p.v).toBeCloseTo(0.5, 9);
    expect(p.depthM).toBeCloseTo(Math.hypot(10, 10), 9);
  });

  it('project() with a target allocates no new objects (same target returned)', () => {
    const proj = new CameraProjector(level(), FULL_FRAME_16_9);
    const target = { u: 0, v: 0, depthM: 0, inFront: false, inFrame: false };
    expect(proj.project(vec3(5, 0, -1.7), target)).toBe(target);
  });
});
