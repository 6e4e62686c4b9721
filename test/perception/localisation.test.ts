/**
 * 3D localisation against ground truth: people on the ground 10–40 m from a
 * drone camera at varied heights, headings and gimbal pitches are projected
 * to boxes by the MPC's own forward camera model (mpc/camera.ts, an
 * independent implementation of the projection), boxes get pixel noise, and
 * the localiser must recover the feet position.
 */
import { describe, expect, it } from 'vitest';
import type { CameraPose } from '../../core/frames.ts';
import type { ImageTrack } from '../../core/perception-types.ts';
import { degToRad } from '../../core/units.ts';
import { type Vec3, vec3 } from '../../core/vec3.ts';
import { CameraProjector } from '../../mpc/camera.ts';
import { PosedCamera, pixelIntrinsics } from '../../perception/localisation/camera-model.ts';
import { type CameraView, GroundLocaliser } from '../../perception/localisation/ground-localiser.ts';
import { TrackerPredictor } from '../../perception/localisation/tracker-predictor.ts';
import { rng } from './support/random.ts';


const W = 1920, H = 1080;
const LENS = { focalLengthMm: 24, sensorWidthMm: 23.5, sensorHeightMm: 13.2 };

/** Box [x, y, w, h] of a standing person (feet at `feetNedM`, height h, shoulder width 0.5 m) through the MPC's projector. */
function personBox(pose: CameraPose, feetNedM: Vec3, heightM: number): [number, number, number, number] | null {
  const p = new CameraProjector(pose, LENS);
  const feet = p.project(feetNedM), head = p.project(vec3(feetNedM.x, feetNedM.y, feetNedM.z - heightM));
  if (!feet.inFrame || !head.inFrame) return null;
  const xc = ((feet.u + head.u) / 2) * W;
  const hPx = (feet.v - head.v) * H;
  const wPx = (0.5 / heightM) * hPx * (LENS.focalLengthMm / LENS.sensorWidthMm) / (LENS.focalLengthMm / LENS.sensorHeightMm) * (W / H);
  return [xc - wPx / 2, head.v * H, wPx, hPx];
}

/** Random camera looking at a random person 10–40 m away. */
function scene(r: () => number) {
  for (;;) {
    const altitudeM = 3 + 37 * r();
    const rangeM = 10 + 30 * r();
    const bearing = 2 * Math.PI * r();
    const feet = vec3(rangeM * Math.cos(bearing), rangeM * Math.sin(bearing), 0);
    const heightM = 1.6 + 0.3 * r();
    // aim roughly at the person's chest, with some error so they are not always centred
    const yawRad = bearing + degToRad(10 * (r() - 0.5));
    const pitchRad = -Math.atan2(altitudeM - 1.2, rangeM) + degToRad(8 * (r() - 0.5));
    const pose: CameraPose = { positionNedM: vec3(0, 0, -altitudeM), yawRad, pitchRad, rollRad: 0 };
    const box = personBox(pose, feet, heightM);
    if (box) return { pose, feet, heightM, box, rangeM };
  }
}

describe('camera model', () => {
  it('projects like the MPC camera model and back-projects pixels to the same rays', () => {
    const r = rng(5);
    const cam = new PosedCamera();
    const k = pixelIntrinsics(LENS, W, H);
    for (let i = 0; i < 50; i++) {
      const { pose, feet } = scene(r);
      cam.set(pose, k);
      const px = cam.project(feet, { xPx: 0, yPx: 0, depthM: 0 });
      const ref = new CameraProjector(pose, LENS).project(feet);
      expect(px.xPx / W).toBeCloseTo(ref.u, 9);
      expect(px.yPx / H).toBeCloseTo(ref.v, 9);
      const d = cam.ray(px.xPx, px.yPx);
      const C = pose.positionNedM;
      const t = (feet.x - C.x) / d.x;
      expect(C.y + t * d.y).toBeCloseTo(feet.y, 6);
      expect(C.z + t * d.z).toBeCloseTo(feet.z, 6);
    }
  });
});

describe('GroundLocaliser', () => {
  it('recovers feet positions 10–40 m away from noisy boxes: RMS horizontal error < 0.6 m, errors consistent with the covariance', () => {
    const r = rng(11);
    const loc = new GroundLocaliser();
    let sq = 0, n = 0, nis = 0;
    const sigmaPx = 2;
    for (let i = 0; i < 400; i++) {
      const { pose, feet, box } = scene(r);
      const noisy = [box[0] + sigmaPx * r.gaussian(), box[1] + sigmaPx * r.gaussian(), box[2], box[3] + sigmaPx * r.gaussian()];
      const obs = loc.localise(noisy, { pose, lens: LENS }, W, H);
      expect(obs).not.toBeNull();
      const dn = obs!.positionNedM.x - feet.x, de = obs!.positionNedM.y - feet.y;
      sq += dn * dn + de * de;
      n++;
      const [a, b, d] = obs!.covNeM2;
      const det = a * d - b * b;
      nis += (d * dn * dn - 2 * b * dn * de + a * de * de) / det;
    }
    const rms = Math.sqrt(sq / n);
    console.log(`3D localisation, 400 random views, people 10–40 m, 2 px box noise: RMS ${rms.toFixed(3)} m`);
    expect(rms).toBeLessThan(0.6);
    // normalised estimation error squared averages ≈ 2 (two dimensions) for a consistent covariance; height prior spread makes it lower
    expect(nis / n).toBeGreaterThan(0.2);
    expect(nis / n).toBeLessThan(4);
  });

  it('uses the height prior when the camera looks level and the feet ray grazes the ground', () => {
    const loc = new GroundLocaliser();
    const pose: CameraPose = { positionNedM: vec3(0, 0, -0.9), yawRad: 0, pitchRad: 0, rollRad: 0 };
    const feet = vec3(30, 2, 0);
    const box = personBox(pose, feet, 1.75)!;
    const obs = loc.localise(box, { pose, lens: LENS }, W, H)!;
    expect(obs.cues.height).toBe(true);
    expect(Math.hypot(obs.positionNedM.x - feet.x, obs.positionNedM.y - feet.y)).toBeLessThan(0.5);
  });

  it('falls back on the focus distance when the feet are cut off by the frame edge', () => {
    const loc = new GroundLocaliser();
    // close and low: feet below the frame
    const pose: CameraPose = { positionNedM: vec3(0, 0, -1.6), yawRad: 0, pitchRad: degToRad(5), rollRad: 0 };
    const box: [number, number, number, number] = [900, 100, 200, H - 100];
    expect(loc.localise(box, { pose, lens: LENS }, W, H)).toBeNull();
    const obs = loc.localise(box, { pose, lens: LENS, focusDistanceM: 6, focusSigmaM: 0.3 }, W, H)!;
    expect(obs.cues).toEqual({ ground: false, height: false, focus: true, keypoints: false });
    expect(obs.rangeM).toBeGreaterThan(5.5);
    expect(obs.rangeM).toBeLessThan(6.1);
  });
});

describe('TrackerPredictor', () => {
  const pose: CameraPose = { positionNedM: vec3(-20, 0, -12), yawRad: 0, pitchRad: degToRad(-25), rollRad: 0 };
  const view: CameraView = { pose, lens: LENS };
  // alice walks north-east at 1.4 m/s
  const v = { n: 1.4 * Math.cos(degToRad(40)), e: 1.4 * Math.sin(degToRad(40)) };
  const at = (t: number) => vec3(-5 + v.n * t, -4 + v.e * t, 0);

  /** 6 s of noisy boxes at 10 fps (every other one a prediction-only frame, as with detection every 2nd frame). */
  function walk(seed: number): TrackerPredictor {
    const r = rng(seed);
    const predictor = new TrackerPredictor();
    for (let f = 0; f <= 60; f++) {
      const t = f / 10;
      const box = personBox(pose, at(t), 1.8)!;
      const noisy: [number, number, number, number] = [box[0] + 2 * r.gaussian(), box[1] + 2 * r.gaussian(), box[2], box[3] + 2 * r.gaussian()];
      const track: ImageTrack = { id: 4, name: 'alice', bbox: noisy, score: 0.8, framesSinceUpdate: f % 2 };
      predictor.update([track], view, t, W, H);
    }
    return predictor;
  }

  it('estimates a walking subject’s velocity (RMS < 0.25 m/s) and heading (RMS < 10°) over 30 noisy runs', () => {
    let v2 = 0, h2 = 0;
    const runs = 30;
    for (let seed = 1; seed <= runs; seed++) {
      const now = walk(seed).predict('alice', 6)!;
      v2 += (now.velocityNedMps.x - v.n) ** 2 + (now.velocityNedMps.y - v.e) ** 2;
      h2 += (now.headingRad - degToRad(40)) ** 2;
    }
    const vRms = Math.sqrt(v2 / runs), hRmsDeg = (Math.sqrt(h2 / runs) * 180) / Math.PI;
    console.log(`subject filter, 2 px box noise at ~25 m: velocity RMS ${vRms.toFixed(3)} m/s, heading RMS ${hRmsDeg.toFixed(1)}°`);
    expect(vRms).toBeLessThan(0.25);
    expect(hRmsDeg).toBeLessThan(10);
  });

  it('predicts 2 s ahead within its own uncertainty, which grows with the horizon; unknown and stale subjects are null', () => {
    let worstInSigma = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const predictor = walk(seed);
      const now = predictor.predict('alice', 6)!;
      const later = predictor.predict('alice', 8)!;
      const truth = at(8);
      worstInSigma = Math.max(worstInSigma, Math.hypot(later.positionNedM.x - truth.x, later.positionNedM.y - truth.y) / later.positionSigmaM);
      expect(later.positionSigmaM).toBeGreaterThan(now.positionSigmaM * 1.5);
    }
    // 30 draws of a 2-D error: beyond 3σ would mean the covariance lies
    expect(worstInSigma).toBeLessThan(3);
    const predictor = walk(1);
    expect(predictor.names()).toEqual(['alice']);
    expect(predictor.predict('#4', 6)).not.toBeNull();
    expect(predictor.predict('bob', 6)).toBeNull();
    // forgotten when the track is no longer reported
    predictor.update([], view, 9, W, H);
    expect(predictor.names()).toEqual([]);
  });
});
