/**
 * Camera pose for a frame from bus telemetry: the clock mapping (smallest
 * delay wins, drift followed within the window), interpolation between
 * samples (checked against the analytic pose of a vehicle flying a circle
 * with a turning gimbal), bounded extrapolation, and the end-to-end use:
 * a person projected through the true camera at capture time is localised
 * through the interpolated pose within 5 cm.
 */
import { describe, expect, it } from 'vitest';
import { ClockMapping, PoseHistory } from '../../controller/perception-feed/pose-history.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { cameraPoseFromVehicle } from '../../core/frames.ts';
import { vec3 } from '../../core/vec3.ts';
import type { VehicleTelemetry } from '../../core/vehicle-link.ts';
import { CameraProjector } from '../../mpc/camera.ts';
import { GroundLocaliser } from '../../perception/localisation/ground-localiser.ts';

const rig = loadRig();

/** A vehicle on a 20 m circle at 4 m/s, 5 m up, nose along the path, gimbal panning at 0.2 rad/s, zooming. */
function telemetryAt(tS: number): VehicleTelemetry {
  const r = 20, w = 4 / r;
  const a = w * tS;
  return {
    timestampS: tS, vehicleId: 1,
    positionNedM: vec3(r * Math.cos(a), r * Math.sin(a), -5),
    velocityNedMps: vec3(-r * w * Math.sin(a), r * w * Math.cos(a), 0),
    rollRad: 0, pitchRad: 0, yawRad: a + Math.PI / 2, yawRateRadps: w,
    gimbal: { pitchRad: -0.3 + 0.05 * Math.sin(tS), yawRad: 0.2 * tS - 1, rollRad: 0 },
    lens: { focalLengthMm: 35 + 2 * tS, focusDistanceM: 10, fNumber: 4 },
    armed: true, inAir: true, mode: 'offboard', batteryFraction: 1, batteryVoltageV: null,
  };
}

describe('ClockMapping', () => {
  it('keeps the smallest delay and follows a drifting clock', () => {
    const c = new ClockMapping(5);
    const delays = [0.004, 0.020, 0.0011, 0.3, 0.002];
    delays.forEach((d, i) => c.observe(100 + i * 0.1, 7 + i * 0.1 + d));
    expect(c.offsetS).toBeCloseTo(7 - 100 + 0.0011, 9);
    // the remote clock drifts by 10 ms: after the window the old minimum is forgotten
    for (let i = 0; i < 100; i++) c.observe(200 + i * 0.1, 107.01 + i * 0.1 + 0.002);
    expect(c.offsetS).toBeCloseTo(107.01 - 200 + 0.002, 9);
  });
});

describe('PoseHistory', () => {
  const clock = new ClockMapping();
  clock.observe(0, 50); // remote 0 = local 50
  const h = new PoseHistory(rig);
  for (let t = 0; t <= 10 + 1e-9; t += 0.1) h.push(telemetryAt(t), clock);

  it('interpolates position, heading, gimbal and focal length between 10 Hz samples', () => {
    for (const t of [0.05, 3.333, 7.77, 9.95]) {
      const got = h.viewAt(50 + t);
      expect(got.ok).toBe(true);
      if (!got.ok) continue;
      const truth = telemetryAt(t);
      const pose = cameraPoseFromVehicle(truth.positionNedM, truth.yawRad, truth.gimbal, rig.gimbal.mountOffsetM);
      // chord of a 20 m circle over 0.1 s at 4 m/s: the midpoint sags r(1 − cos(0.01)) = 1 mm
      expect(Math.hypot(got.view.pose.positionNedM.x - pose.positionNedM.x, got.view.pose.positionNedM.y - pose.positionNedM.y)).toBeLessThan(0.002);
      expect(Math.abs(got.view.pose.yawRad - pose.yawRad)).toBeLessThan(1e-9);
      expect(Math.abs(got.view.pose.pitchRad - pose.pitchRad)).toBeLessThan(1e-4); // sin over 0.1 s: curvature ≤ 0.05·0.1²/8
      expect(got.view.lens.focalLengthMm).toBeCloseTo(truth.lens.focalLengthMm, 9);
      expect(got.view.lens.sensorWidthMm).toBe(rig.camera.sensorWidthMm);
    }
  });

  it('extrapolates the newest sample a little, then says the telemetry is stale', () => {
    const near = h.viewAt(50 + 10.2);
    expect(near.ok).toBe(true);
    if (near.ok) {
      expect(near.extrapolatedS).toBeCloseTo(0.2, 6);
      const truth = telemetryAt(10.2);
      const pose = cameraPoseFromVehicle(truth.positionNedM, truth.yawRad, truth.gimbal, rig.gimbal.mountOffsetM);
      // constant velocity along a circle: off by ½·v²/r·t² = 1.6 cm after 0.2 s (+ the mount offset's turn)
      expect(Math.hypot(near.view.pose.positionNedM.x - pose.positionNedM.x, near.view.pose.positionNedM.y - pose.positionNedM.y)).toBeLessThan(0.025);
      expect(Math.abs(near.view.pose.yawRad - pose.yawRad)).toBeLessThan(1e-6); // vehicle yaw rate + the gimbal's pan rate from the last two samples
      expect(near.view.lens.focalLengthMm).toBeCloseTo(truth.lens.focalLengthMm, 6);
    }
    expect(h.viewAt(50 + 11)).toMatchObject({ ok: false, reason: 'stale' });
    expect(h.viewAt(50 - 5)).toMatchObject({ ok: false, reason: 'too-old' });
    expect(new PoseHistory(rig).viewAt(0)).toMatchObject({ ok: false, reason: 'no-telemetry' });
  });

  it('ignores repeated and out-of-order samples (snapshots between two telemetry messages)', () => {
    const g = new PoseHistory(rig);
    g.push(telemetryAt(1), clock);
    g.push(telemetryAt(1), clock);
    g.push(telemetryAt(0.5), clock);
    g.push(telemetryAt(1.1), clock);
    expect(g.size).toBe(2);
  });

  it('localises a person through the interpolated pose as well as through the true one', () => {
    const loc = new GroundLocaliser();
    const W = 1280, H = 720;
    for (const t of [2.25, 6.05]) {
      const truth = telemetryAt(t);
      const pose = cameraPoseFromVehicle(truth.positionNedM, truth.yawRad, truth.gimbal, rig.gimbal.mountOffsetM);
      const intr = { focalLengthMm: truth.lens.focalLengthMm, sensorWidthMm: rig.camera.sensorWidthMm, sensorHeightMm: rig.camera.sensorHeightMm };
      // a person 15 m along the camera's ground track
      const fwd = vec3(Math.cos(pose.yawRad), Math.sin(pose.yawRad), 0);
      const person = vec3(pose.positionNedM.x + 15 * fwd.x, pose.positionNedM.y + 15 * fwd.y, 0);
      const proj = new CameraProjector(pose, intr);
      const feet = proj.project(person), head = proj.project(vec3(person.x, person.y, -1.75));
      const hPx = (feet.v - head.v) * H;
      const box: [number, number, number, number] = [feet.u * W - 0.2 * hPx, head.v * H, 0.4 * hPx, hPx];
      const got = h.viewAt(50 + t);
      expect(got.ok).toBe(true);
      if (!got.ok) continue;
      const obs = loc.localise(box, got.view, W, H);
      expect(obs).not.toBeNull();
      expect(Math.hypot(obs!.positionNedM.x - person.x, obs!.positionNedM.y - person.y)).toBeLessThan(0.05);
    }
  });
});
