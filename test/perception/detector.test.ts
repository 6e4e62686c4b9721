/**
 * The TensorFlow.js detector on real images: faces/eyes on photos shipped in
 * @vladmandic/human's assets (always installed with the models), people and
 * body keypoints on a vtest.avi frame (skipped when the clip is absent).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../../core/perception-types.ts';
import type { Detector } from '../../perception/detection/detector.ts';
import { createDetector, focusPoint } from '../../perception/detection/tfjs-detector.ts';
import { openFrameSource } from '../../perception/sources/ffmpeg-source.ts';

const require = createRequire(import.meta.url);
const humanDir = join(dirname(require.resolve('@vladmandic/human')), '..');
const FACES_JPG = join(humanDir, 'assets', 'screenshot-facedetect.jpg');
const VIDEO = fileURLToPath(new URL('../../../shared/data/vtest.avi', import.meta.url));

async function firstFrame(uri: string, width?: number, height?: number, index = 0): Promise<RgbFrame> {
  const src = openFrameSource(uri, width ? { width, height } : {});
  await src.open();
  try {
    for (let f = await src.next(); f; f = await src.next()) if (f.index === index) return f;
    throw new Error(`${uri} has no frame ${index}`);
  } finally {
    await src.close();
  }
}

function crop(f: RgbFrame, x: number, y: number, w: number, h: number): RgbFrame {
  const data = new Uint8Array(w * h * 3);
  for (let r = 0; r < h; r++) data.set(f.data.subarray(((y + r) * f.width + x) * 3, ((y + r) * f.width + x + w) * 3), r * w * 3);
  return { index: 0, timestampS: 0, width: w, height: h, data };
}

let detector: Detector;
beforeAll(async () => {
  detector = await createDetector({ backend: 'wasm', poseMaxPeople: 2, faceMaxPeople: 4 });
}, 60_000);
afterAll(() => detector?.dispose());

describe('TfjsDetector', () => {
  it('reports what it can do and where it runs', () => {
    expect(detector.capabilities()).toMatchObject({ labels: ['person', 'face'], keypoints: true, faces: true, multiPerson: true, models: ['centernet', 'movenet-lightning', 'blazeface'] });
    expect(detector.capabilities().backend).toMatch(/^wasm/);
  });

  it('finds faces with both eyes inside the face, right eye on the image left, in a row of portrait tiles', async () => {
    // the demo screenshot scaled to 640 px wide; its row of four portrait tiles sits at y 270…400
    const shot = await firstFrame(FACES_JPG, 640, 574);
    const row = crop(shot, 5, 270, 400, 130);
    const faces = (await detector.detect(row)).detections.filter((d) => d.label === 'face');
    expect(faces.length).toBeGreaterThanOrEqual(3);
    for (const f of faces) {
      const [x, y, w, h] = f.bbox;
      expect(w).toBeGreaterThan(40);
      const right = f.keypoints!.find((k) => k.name === 'rightEye')!, left = f.keypoints!.find((k) => k.name === 'leftEye')!;
      for (const eye of [right, left]) {
        expect(eye.x).toBeGreaterThan(x);
        expect(eye.x).toBeLessThan(x + w);
        expect(eye.y).toBeGreaterThan(y);
        expect(eye.y).toBeLessThan(y + h * 0.7);
      }
      expect(right.x).toBeLessThan(left.x);
      const focus = focusPoint(f);
      expect(focus.fromEyes).toBe(true);
      expect(focus.x).toBeCloseTo((right.x + left.x) / 2, 6);
    }
    // three faces in separate tiles, not one face found three times
    const centres = faces.map((f) => f.bbox[0] + f.bbox[2] / 2).sort((a, b) => a - b);
    for (let i = 1; i < centres.length; i++) expect(centres[i]! - centres[i - 1]!).toBeGreaterThan(60);
  });

  it.skipIf(!existsSync(VIDEO))(`finds several people with body keypoints in a vtest frame${existsSync(VIDEO) ? '' : ' (SKIPPED: ../shared/data/vtest.avi is absent)'}`, async () => {
    const frame = await firstFrame(VIDEO, undefined, undefined, 240);
    const batch = await detector.detect(frame);
    expect(batch).toMatchObject({ frameIndex: 240, imageWidth: 768, imageHeight: 576 });
    const people = batch.detections.filter((d) => d.label === 'person' && d.score >= 0.35);
    expect(people.length).toBeGreaterThanOrEqual(6);
    for (const p of people) expect(p.appearance?.length).toBe(128);
    const withPose = people.filter((p) => p.keypoints);
    expect(withPose.length).toBe(2);
    for (const p of withPose) {
      const [x, y, w, h] = p.bbox;
      const kp = (n: string) => p.keypoints!.find((k) => k.name === n)!;
      expect(p.keypoints!.length).toBe(17);
      // head at the top of the box, ankles at the bottom
      expect(kp('nose').y).toBeLessThan(y + 0.3 * h);
      expect(Math.max(kp('leftAnkle').y, kp('rightAnkle').y)).toBeGreaterThan(y + 0.75 * h);
      for (const k of p.keypoints!.filter((q) => q.score > 0.3)) {
        expect(k.x).toBeGreaterThan(x - 0.5 * w);
        expect(k.x).toBeLessThan(x + 1.5 * w);
      }
    }
  });
});
