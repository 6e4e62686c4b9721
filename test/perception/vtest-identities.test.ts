/**
 * Real footage, identities: people followed by eye through occlusions in
 * vtest.avi (crossing, passing behind the post and the sign, a couple walking
 * in front of each other). Recorded detections of those windows are replayed
 * through the tracker at the CLI's default --detect-every; per person we
 * count id switches (CLEAR-MOT) and how often their box was tracked at all.
 * Runs without the video (the detections are in the fixture).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { DetectionBatch } from '../../core/perception-types.ts';
import { MotAccumulator } from '../../perception/tracking/mot-metrics.ts';
import { MultiObjectTracker } from '../../perception/tracking/tracker.ts';
import { DEFAULT_DETECT_EVERY } from '../../cli/commands/track.ts';
import type { Detector } from '../../perception/detection/detector.ts';
import { PerceptionPipeline } from '../../perception/pipeline.ts';

interface Recording {
  imageWidth: number;
  imageHeight: number;
  fps: number;
  detectEvery: number;
  windows: Array<[number, number]>;
  frames: Array<{ frame: number; timeS: number; detections: Array<{ bbox: [number, number, number, number]; score: number; app: string }> }>;
}
interface Identities {
  people: Array<{ person: string; boxes: Record<string, [number, number, number, number]> }>;
}

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const recording = JSON.parse(gunzipSync(readFileSync(fixture('vtest-detections-k3.json.gz'))).toString('utf8')) as Recording;
const identities = JSON.parse(readFileSync(fixture('vtest-identities.json'), 'utf8')) as Identities;

function batchOf(f: Recording['frames'][number]): DetectionBatch {
  return {
    frameIndex: f.frame,
    timestampS: f.timeS,
    imageWidth: recording.imageWidth,
    imageHeight: recording.imageHeight,
    detections: f.detections.map((d) => ({ bbox: d.bbox, score: d.score, label: 'person', appearance: Float32Array.from(Buffer.from(d.app, 'base64'), (v) => v / 255) })),
  };
}

describe('tracker on real vtest.avi detections', () => {
  it('the recording matches the CLI default detection rate', () => {
    expect(recording.detectEvery).toBe(DEFAULT_DETECT_EVERY);
  });

  it('keeps ids of people followed through occlusions: ≤ 1 switch each, tracked on ≥ 80 % of their labelled frames', () => {
    const byFrame = new Map(recording.frames.map((f) => [f.frame, f]));
    const mot = new MotAccumulator(0.5);
    let people = 0;
    for (const [from, to] of recording.windows) {
      const tracker = new MultiObjectTracker();
      for (let frame = from; frame <= to; frame++) {
        const rec = byFrame.get(frame);
        const tracks = tracker.step(frame / recording.fps, frame % recording.detectEvery === 0 && rec ? batchOf(rec) : null);
        const truth = identities.people.filter((p) => p.boxes[frame]).map((p) => ({ id: p.person, bbox: p.boxes[frame]! }));
        if (truth.length) mot.addFrame(truth, tracks.map((t) => ({ id: t.id, bbox: t.bbox })));
      }
    }
    const lines: string[] = [];
    for (const p of identities.people) {
      const labelled = Object.keys(p.boxes).length;
      const matched = mot.counts.matchesByTruth.get(p.person) ?? 0;
      const switches = mot.counts.idSwitchesByTruth.get(p.person) ?? 0;
      lines.push(`  ${p.person}: ${switches} id switches, tracked on ${matched}/${labelled} labelled frames`);
      expect(switches, p.person).toBeLessThanOrEqual(1);
      expect(matched / labelled, p.person).toBeGreaterThanOrEqual(0.8);
      people++;
    }
    console.log(`vtest identities (${people} people, detect every ${recording.detectEvery}): ${mot.counts.idSwitches} id switches in all\n${lines.join('\n')}`);
    expect(people).toBeGreaterThanOrEqual(3);
    expect(mot.counts.idSwitches).toBeLessThanOrEqual(2);
  });

  it('PerceptionPipeline.processFrame asks the detector every 3rd frame and reports tracks on every frame', async () => {
    const byFrame = new Map(recording.frames.map((f) => [f.frame, f]));
    const asked: number[] = [];
    // the recorded detector output stands in for the detector: it answers for the frames it has
    const replay: Detector = {
      capabilities: () => ({ labels: ['person'], keypoints: false, faces: false, appearance: true, multiPerson: true, backend: 'recording', models: ['centernet'], inputWidth: 512, inputHeight: 512 }),
      detect: async (frame) => {
        asked.push(frame.index);
        return batchOf(byFrame.get(frame.index)!);
      },
      dispose: () => {},
    };
    const pipeline = new PerceptionPipeline({ detectEvery: 3 }, replay);
    const [from, to] = recording.windows[0]!;
    for (let frame = from; frame <= to; frame++) {
      const step = await pipeline.processFrame({ index: frame, timestampS: frame / recording.fps, width: recording.imageWidth, height: recording.imageHeight, data: new Uint8Array(0) });
      expect(step.tracks.length, `frame ${frame}`).toBeGreaterThanOrEqual(3);
    }
    expect(asked.every((f) => f % 3 === 0)).toBe(true);
    expect(asked).toHaveLength(Math.floor((to - from) / 3) + 1);
  });
});
