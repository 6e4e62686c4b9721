import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { loadScene, sceneFromDocument } from '../../sim/scene-loader.ts';
import { SimWorld } from '../../sim/world.ts';
import { SimFrameSource, renderCameraView } from '../../sim/renderer.ts';
import { encodePng } from '../../sim/png.ts';
import { VirtualDetector } from '../../sim/virtual-detector.ts';
import { projectPoint } from '../../mpc/camera.ts';
import { personPointNed } from '../../sim/subjects.ts';
import type { RgbFrame } from '../../core/perception-types.ts';

const W = 320;

/** Fraction of pixels in a normalised window whose colour is close to `rgb` (any shade of it). */
function shareOfHue(frame: RgbFrame, [u0, v0, u1, v1]: number[], rgb: [number, number, number]): number {
  let hit = 0, n = 0;
  for (let y = Math.floor(v0! * frame.height); y < v1! * frame.height; y++) {
    for (let x = Math.floor(u0! * frame.width); x < u1! * frame.width; x++) {
      const i = (y * frame.width + x) * 3;
      const r = frame.data[i]!, g = frame.data[i + 1]!, b = frame.data[i + 2]!;
      const s = Math.max(r, g, b) / Math.max(...rgb);
      if (Math.abs(r - rgb[0] * s) < 20 && Math.abs(g - rgb[1] * s) < 20 && Math.abs(b - rgb[2] * s) < 20) hit++;
      n++;
    }
  }
  return hit / n;
}

function sharpness(frame: RgbFrame, [u0, v0, u1, v1]: number[]): number {
  let sum = 0;
  // gradient energy (red channel): a blurred edge spreads the same step over more pixels, so the
  // sum of squared differences drops (the sum of absolute differences would not)
  for (let y = Math.floor(v0! * frame.height); y < Math.min(v1! * frame.height, frame.height - 1); y++) {
    for (let x = Math.floor(u0! * frame.width); x < Math.min(u1! * frame.width, frame.width - 1); x++) {
      const i = (y * frame.width + x) * 3;
      sum += (frame.data[i]! - frame.data[i + 3]!) ** 2 + (frame.data[i]! - frame.data[i + frame.width * 3]!) ** 2;
    }
  }
  return sum;
}

describe('software renderer', () => {
  it('draws alice (red) at the image centre where the start pose aims, and the thirds grid', () => {
    const world = new SimWorld(loadScene('static-subject'), { seed: 1 });
    world.commandLens({ focalLengthMm: 70 });
    world.step(2);
    const f = renderCameraView(world, { widthPx: W, thirds: true });
    expect(f.width).toBe(W);
    expect(f.height).toBe(180);
    expect(shareOfHue(f, [0.47, 0.45, 0.53, 0.55], [192, 57, 43])).toBeGreaterThan(0.5);
    expect(shareOfHue(f, [0, 0.45, 0.1, 0.55], [192, 57, 43])).toBe(0);
    // thirds line: a column of near-white-blended pixels at x = W/3
    const x = Math.round(W / 3), i = (10 * W + x) * 3, j = (10 * W + x + 5) * 3;
    expect(f.data[i]! + f.data[i + 1]! + f.data[i + 2]!).toBeGreaterThan(f.data[j]! + f.data[j + 1]! + f.data[j + 2]!);
  });

  it('blurs what lies outside the depth of field and keeps the focused subject sharp', () => {
    // level camera, 70 mm f/2.8 focused on alice 5 m away; a wall 35 m away: its blur circle is
    // f²/(N(s−f))·|d−s|/d ≈ 0.30 mm ≈ 5 px at 640 px across 35.6 mm
    const doc = {
      name: 'dof',
      geofence: { polygonNeM: [[-50, -50], [50, -50], [50, 50], [-50, 50]], minAltitudeM: 1, maxAltitudeM: 40 },
      drone: { positionNeM: [-5, 0], altitudeM: 1.2, yawDeg: 0, gimbalPitchDeg: 0, lens: { focalLengthMm: 70, fNumber: 2.8, focusDistanceM: 5.1 } },
      subjects: [{ name: 'alice', kind: 'person', heightM: 1.7, motion: { type: 'static', positionNeM: [0, 0], headingDeg: 180 } }],
      objects: [{ name: 'wall', role: 'background', shape: { type: 'box', sizeM: [0.5, 40, 5] }, positionNeM: [30, 0], colour: '#606060' }],
    };
    const world = new SimWorld(sceneFromDocument(doc, 'test'), { seed: 1 });
    const sharp = renderCameraView(world, { widthPx: 640, depthOfField: false });
    const soft = renderCameraView(world, { widthPx: 640, depthOfField: true });
    const wallEdge = [0, 0.02, 0.35, 0.3]; // the top of the wall against the sky, left of alice
    expect(sharpness(soft, wallEdge)).toBeLessThan(0.6 * sharpness(sharp, wallEdge));
    const face = [0.48, 0.08, 0.52, 0.2]; // the eye mark on her face, inside her silhouette
    expect(sharpness(sharp, face)).toBeGreaterThan(0);
    expect(sharpness(soft, face)).toBeGreaterThan(0.9 * sharpness(sharp, face));
  });

  it('works as a FrameSource: open → info, next → numbered frames, frames skipped by a slow consumer are counted', async () => {
    const world = new SimWorld(loadScene('static-subject'), { seed: 1 });
    const src = new SimFrameSource(world, { widthPx: 160, fps: 25 });
    const info = await src.open();
    expect(info).toMatchObject({ kind: 'sim', width: 160, height: 90, fps: 25 });
    const a = (await src.next())!;
    world.step(1);
    const b = (await src.next())!;
    expect([a.index, b.index]).toEqual([0, 1]);
    expect(b.timestampS - a.timestampS).toBeCloseTo(1, 9);
    expect(b.data).toHaveLength(160 * 90 * 3);
    expect(src.droppedFrames).toBe(24);
    await src.close();
    expect(await src.next()).toBeNull();
  });

  it('encodes frames as PNG that decode to the same pixels', () => {
    const frame = { width: 3, height: 2, data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]) };
    const png = PNG.sync.read(encodePng(frame));
    expect([png.width, png.height]).toEqual([3, 2]);
    expect(Array.from(png.data.subarray(12, 16))).toEqual([10, 20, 30, 255]);
  });
});

const occlusionDoc = (bobEast: number) => ({
  name: 'occlusion',
  geofence: { polygonNeM: [[-50, -50], [50, -50], [50, 50], [-50, 50]], minAltitudeM: 1, maxAltitudeM: 40 },
  drone: { positionNeM: [-10, 0], altitudeM: 1.5, lookAt: 'alice', gimbalPitchDeg: 0, lens: { focalLengthMm: 35 } },
  subjects: [
    { name: 'alice', kind: 'person', heightM: 1.7, motion: { type: 'static', positionNeM: [0, 0] } },
    { name: 'bob', kind: 'person', heightM: 1.8, motion: { type: 'static', positionNeM: [-5, bobEast], headingDeg: 180 } },
  ],
});

describe('virtual detector', () => {
  it('reports a box around the true projection, 17 COCO keypoints, and a score near 1 for a fully visible person', () => {
    const world = new SimWorld(loadScene('static-subject'), { seed: 1 });
    const det = new VirtualDetector(world, 1, { missProbability: 0, falsePositivesPerFrame: 0 });
    const batch = det.detectNow();
    expect(batch.detections).toHaveLength(1);
    const d = batch.detections[0]!;
    const alice = world.subject('alice')!;
    const torso = projectPoint(world.cameraPose(), world.intrinsics(), personPointNed(alice.state.positionNedM, alice.heightM, 'torso'));
    const [x, y, w, h] = d.bbox;
    expect(torso.u * batch.imageWidth).toBeGreaterThan(x);
    expect(torso.u * batch.imageWidth).toBeLessThan(x + w);
    expect(torso.v * batch.imageHeight).toBeGreaterThan(y);
    expect(torso.v * batch.imageHeight).toBeLessThan(y + h);
    expect(d.keypoints).toHaveLength(17);
    expect(d.score).toBeGreaterThan(0.85);
    expect(batch.truthNames).toEqual(['alice']);
  });

  it('hides a person behind someone nearer the camera, and sees her once he steps aside', () => {
    const hidden = new SimWorld(sceneFromDocument(occlusionDoc(0), 'test'), { seed: 1 });
    const clear = new SimWorld(sceneFromDocument(occlusionDoc(3), 'test'), { seed: 1 });
    const opts = { missProbability: 0, falsePositivesPerFrame: 0 };
    expect(new VirtualDetector(hidden, 1, opts).detectNow().truthNames).toEqual(['bob']);
    expect(new VirtualDetector(clear, 1, opts).detectNow().truthNames).toContain('alice');
  });

  it('delivers batches only after its latency, stamped with the capture time', () => {
    const world = new SimWorld(loadScene('static-subject'), { seed: 1 });
    const det = new VirtualDetector(world, 1, { latencyS: 0.1 });
    det.capture();
    const captured = world.timeS;
    world.step(0.05);
    expect(det.poll(world.timeS)).toEqual([]);
    world.step(0.06);
    const ready = det.poll(world.timeS);
    expect(ready).toHaveLength(1);
    expect(ready[0]!.timestampS).toBe(captured);
  });

  it('adds false positives at the configured rate and is reproducible per seed', () => {
    const world = new SimWorld(loadScene('static-subject'), { seed: 1 });
    const run = (seed: number) => {
      const det = new VirtualDetector(world, seed, { falsePositivesPerFrame: 2, missProbability: 0 });
      return Array.from({ length: 200 }, () => det.detectNow());
    };
    const a = run(5);
    const fps = a.reduce((n, b) => n + b.truthNames.filter((t) => t === null).length, 0) / a.length;
    expect(fps).toBeGreaterThan(1.6);
    expect(fps).toBeLessThan(2.4);
    expect(run(5).map((b) => b.detections.map((d) => d.bbox))).toEqual(a.map((b) => b.detections.map((d) => d.bbox)));
  });
});
