/**
 * Real footage: people detection on hand-labelled frames of vtest.avi
 * (../shared/data, OpenCV sample data). Runs the real detector on the wasm
 * back-end on the 11 labelled frames only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../../core/perception-types.ts';
import type { Detector } from '../../perception/detection/detector.ts';
import { createDetector } from '../../perception/detection/tfjs-detector.ts';
import { DetectionScorer, type LabelledFrame } from '../../perception/evaluation/detection-metrics.ts';
import { openFrameSource } from '../../perception/sources/ffmpeg-source.ts';
import { DEFAULT_TRACKER_SETTINGS } from '../../perception/tracking/tracker.ts';

const VIDEO = fileURLToPath(new URL('../../../shared/data/vtest.avi', import.meta.url));
const LABELS = JSON.parse(readFileSync(new URL('./fixtures/vtest-people-labels.json', import.meta.url), 'utf8')) as { frames: LabelledFrame[] };
const haveVideo = existsSync(VIDEO);

describe.skipIf(!haveVideo)(`people detection on labelled vtest.avi frames${haveVideo ? '' : ' (SKIPPED: ../shared/data/vtest.avi is absent)'}`, () => {
  let detector: Detector;
  const detections = new Map<number, Array<{ bbox: number[]; score: number }>>();

  beforeAll(async () => {
    detector = await createDetector({ backend: 'wasm', appearance: false });
    const wanted = new Set(LABELS.frames.map((f) => f.frame));
    const last = Math.max(...wanted);
    // decode at native size and skip through: decoding is ~1 ms a frame, detection only on the labelled ones
    const src = openFrameSource(VIDEO);
    await src.open();
    try {
      for (let f: RgbFrame | null = await src.next(); f && f.index <= last; f = await src.next()) {
        if (!wanted.has(f.index)) continue;
        const batch = await detector.detect(f);
        detections.set(f.index, batch.detections.map((d) => ({ bbox: d.bbox, score: d.score })));
      }
    } finally {
      await src.close();
    }
  }, 120_000);
  afterAll(() => detector?.dispose());

  function score(threshold: number) {
    const scorer = new DetectionScorer();
    for (const labels of LABELS.frames) {
      scorer.addFrame(labels, detections.get(labels.frame)!.filter((d) => d.score >= threshold).map((d) => d.bbox));
    }
    return scorer.counts;
  }

  it('finds ≥ 90 % of people taller than 40 px at the tracker’s first-pass threshold, precision ≥ 0.85', () => {
    const c = score(DEFAULT_TRACKER_SETTINGS.highScore);
    console.log(`vtest detection @${DEFAULT_TRACKER_SETTINGS.highScore}: recall ${c.recall.toFixed(3)} (${c.truePositives}/${c.labelled}), precision ${c.precision.toFixed(3)} (${c.falsePositives} false positives)`);
    expect(c.labelled).toBeGreaterThanOrEqual(60);
    expect(c.recall).toBeGreaterThanOrEqual(0.9);
    expect(c.precision).toBeGreaterThanOrEqual(0.85);
  });

  it('with the low-score second pass (≥ 0.1) nearly everyone is found', () => {
    const c = score(DEFAULT_TRACKER_SETTINGS.lowScore);
    console.log(`vtest detection @${DEFAULT_TRACKER_SETTINGS.lowScore}: recall ${c.recall.toFixed(3)}, precision ${c.precision.toFixed(3)}`);
    expect(c.recall).toBeGreaterThanOrEqual(0.95);
  });
});
