import { describe, expect, it } from 'vitest';
import type { Detection, DetectionBatch, ImageTrack } from '../../core/perception-types.ts';
import { APPEARANCE_LENGTH } from '../../perception/detection/appearance.ts';
import { Assignment } from '../../perception/tracking/hungarian.ts';
import { MotAccumulator, type LabelledBox } from '../../perception/tracking/mot-metrics.ts';
import { MultiObjectTracker } from '../../perception/tracking/tracker.ts';
import { rng } from './support/random.ts';

/** mulberry32: deterministic noise for reproducible scenarios */

/** A distinct colour histogram per person: two bins carry most of each half's mass. */
function appearanceOf(person: number, r: () => number): Float32Array {
  const a = new Float32Array(APPEARANCE_LENGTH);
  for (let half = 0; half < 2; half++) {
    const base = half * 64;
    for (let i = 0; i < 64; i++) a[base + i] = 0.02 * r();
    a[base + ((person * 7 + half * 13) % 64)]! += 0.6;
    a[base + ((person * 11 + half * 5 + 3) % 64)]! += 0.3;
    let sum = 0;
    for (let i = 0; i < 64; i++) sum += a[base + i]!;
    for (let i = 0; i < 64; i++) a[base + i]! /= sum;
  }
  return a;
}

interface Person {
  id: number;
  /** box at time t, or null when out of the scene */
  box(t: number): [number, number, number, number] | null;
}

const walker = (id: number, x0: number, y0: number, vx: number, vy: number, w = 40, h = 100, t0 = 0, t1 = Infinity): Person => ({
  id,
  box: (t) => (t < t0 || t > t1 ? null : [x0 + vx * (t - t0), y0 + vy * (t - t0), w, h]),
});

interface ScenarioOptions {
  fps?: number;
  durationS: number;
  seed?: number;
  noisePx?: number;
  /** probability a visible person is not detected */
  missRate?: number;
  /** false detections per frame (Poisson-ish), low-to-mid scores */
  clutterPerFrame?: number;
  /** person hidden (no detection) when this returns true */
  hidden?: (id: number, t: number, boxes: Map<number, [number, number, number, number]>) => boolean;
  /** detector score for a person at time t */
  score?: (id: number, t: number) => number;
  detectEvery?: number;
  appearance?: boolean;
  onFrame?: (t: number, tracks: ImageTrack[], tracker: MultiObjectTracker) => void;
}

function run(people: Person[], o: ScenarioOptions, tracker = new MultiObjectTracker()) {
  const fps = o.fps ?? 10, r = rng(o.seed ?? 1);
  const mot = new MotAccumulator(0.3);
  const appearances = new Map(people.map((p) => [p.id, appearanceOf(p.id, rng(100 + p.id))]));
  const frames = Math.round(o.durationS * fps);
  for (let f = 0; f < frames; f++) {
    const t = f / fps;
    const boxes = new Map<number, [number, number, number, number]>();
    for (const p of people) {
      const b = p.box(t);
      if (b) boxes.set(p.id, b);
    }
    let batch: DetectionBatch | null = null;
    if (f % (o.detectEvery ?? 1) === 0) {
      const dets: Detection[] = [];
      for (const [id, b] of boxes) {
        if (o.hidden?.(id, t, boxes) || r() < (o.missRate ?? 0)) continue;
        const n = o.noisePx ?? 2;
        const d: Detection = { bbox: [b[0] + n * r.gaussian(), b[1] + n * r.gaussian(), b[2] + n * r.gaussian(), b[3] + n * r.gaussian()], score: o.score?.(id, t) ?? 0.6 + 0.2 * r(), label: 'person' };
        if (o.appearance !== false) d.appearance = appearances.get(id);
        dets.push(d);
      }
      const clutter = o.clutterPerFrame ?? 0;
      for (let k = 0; k < Math.floor(clutter) + (r() < clutter % 1 ? 1 : 0); k++) {
        dets.push({ bbox: [r() * 600, r() * 400, 20 + 30 * r(), 50 + 60 * r()], score: 0.1 + 0.35 * r(), label: 'person', appearance: appearanceOf(1000 + Math.floor(r() * 1000), r) });
      }
      batch = { frameIndex: f, timestampS: t, imageWidth: 640, imageHeight: 480, detections: dets };
    }
    const tracks = tracker.step(t, batch);
    o.onFrame?.(t, tracks, tracker);
    const truth: LabelledBox[] = [...boxes].map(([id, bbox]) => ({ id, bbox }));
    mot.addFrame(truth, tracks.map((tr) => ({ id: tr.id, bbox: tr.bbox })));
  }
  return { counts: mot.counts, tracker };
}

describe('Hungarian assignment', () => {
  it('matches brute force on random rectangular matrices, leaving forbidden pairs unassigned', () => {
    const r = rng(7);
    const a = new Assignment();
    for (let trial = 0; trial < 200; trial++) {
      const rows = 1 + Math.floor(r() * 5), cols = 1 + Math.floor(r() * 5);
      const cost = new Float64Array(rows * cols).map(() => (r() < 0.2 ? 1e6 : r()));
      a.solve(cost, rows, cols, 1e6);
      let got = 0, pairs = 0;
      for (let i = 0; i < rows; i++) if (a.rowToCol[i]! >= 0) (got += cost[i * cols + a.rowToCol[i]!]!), pairs++;
      // brute force: best (max pairs, then min cost) over all partial injections
      let bestPairs = -1, bestCost = Infinity;
      const usedCols = new Array<boolean>(cols).fill(false);
      const rec = (i: number, p: number, c: number) => {
        if (i === rows) {
          if (p > bestPairs || (p === bestPairs && c < bestCost - 1e-12)) (bestPairs = p), (bestCost = c);
          return;
        }
        rec(i + 1, p, c);
        for (let j = 0; j < cols; j++) {
          if (usedCols[j] || cost[i * cols + j]! >= 1e6) continue;
          usedCols[j] = true;
          rec(i + 1, p + 1, c + cost[i * cols + j]!);
          usedCols[j] = false;
        }
      };
      rec(0, 0, 0);
      expect(pairs).toBe(bestPairs);
      expect(got).toBeCloseTo(bestCost, 9);
    }
  });
});

describe('MultiObjectTracker on synthetic scenes', () => {
  it('keeps ids of two people who cross, one hidden behind the other for 0.6 s', () => {
    const a = walker(1, 50, 100, 60, 0), b = walker(2, 550, 110, -60, 0);
    const { counts } = run([a, b], {
      durationS: 8,
      // b walks behind a: b is not detected while they overlap strongly
      hidden: (id, _t, boxes) => id === 2 && Math.abs(boxes.get(1)![0] - boxes.get(2)![0]) < 20,
    });
    expect(counts.idSwitches).toBe(0);
    expect(counts.falsePositives).toBeLessThanOrEqual(2);
    // two frames of birth (confirmHits 2) per person at most
    expect(counts.misses).toBeLessThanOrEqual(4);
    expect(counts.mota).toBeGreaterThan(0.95);
  });

  it('keeps the id of a person passing behind a post for 0.8 s and reports them throughout on prediction', () => {
    const p = walker(1, 0, 150, 80, 5);
    let reportedWhileHidden = 0;
    const { counts } = run([p], {
      durationS: 7,
      hidden: (_id, t) => t >= 3 && t < 3.8,
      onFrame: (t, tracks) => {
        if (t >= 3 && t < 3.8 && tracks.length === 1) reportedWhileHidden++;
      },
    });
    expect(counts.idSwitches).toBe(0);
    expect(reportedWhileHidden).toBe(8);
    expect(counts.misses).toBeLessThanOrEqual(1);
  });

  it('rides out 25 % missed detections and clutter: MOTA ≥ 0.85, ≤ 1 id switch, clutter rarely and briefly a track', () => {
    const people = [walker(1, 20, 50, 40, 10), walker(2, 600, 80, -35, 5), walker(3, 300, 300, 5, -20, 50, 120)];
    const { counts } = run(people, { durationS: 12, missRate: 0.25, clutterPerFrame: 1.5, seed: 3 });
    expect(counts.idSwitches).toBeLessThanOrEqual(1);
    // 180 clutter boxes (scores up to 0.45): two that happen to overlap can start a track, which dies within 0.35 s
    expect(counts.falsePositives).toBeLessThanOrEqual(12);
    expect(counts.mota).toBeGreaterThan(0.85);
  });

  it('extends tracks with low-score detections (the second pass) instead of dropping them', () => {
    const p = walker(1, 0, 100, 50, 0);
    const gaps: number[] = [];
    const { counts } = run([p], {
      durationS: 6,
      score: (_id, t) => (t > 2 && t < 4 ? 0.2 : 0.7),
      onFrame: (t, tracks) => {
        if (t > 2.1 && t < 3.9) gaps.push(tracks[0]?.framesSinceUpdate ?? -1);
      },
    });
    expect(gaps.every((g) => g === 0)).toBe(true);
    expect(counts.idSwitches).toBe(0);
  });

  it('moves tracks every frame when detection runs every 3rd frame', () => {
    const p = walker(1, 0, 100, 70, 10);
    let worst = 0;
    run([p], {
      durationS: 6,
      detectEvery: 3,
      noisePx: 1,
      onFrame: (t, tracks) => {
        if (t < 1.5 || !tracks[0]) return;
        const truth = p.box(t)!;
        worst = Math.max(worst, Math.hypot(tracks[0].bbox[0] - truth[0], tracks[0].bbox[1] - truth[1]));
      },
    });
    // a box that only jumped at detections would lag 2 frames × 7 px = 14 px
    expect(worst).toBeLessThan(5);
  });

  it('keeps tracks alive and reported on every frame when detection runs only once a second (slow machine)', () => {
    const people = [walker(1, 20, 100, 30, 0), walker(2, 500, 250, -25, 0)];
    let framesWithBoth = 0, frames = 0;
    const { counts } = run(people, {
      durationS: 12,
      detectEvery: 10,
      onFrame: (_t, tracks) => {
        frames++;
        if (tracks.length === 2) framesWithBoth++;
      },
    });
    expect(framesWithBoth).toBe(frames);
    expect(counts.idSwitches).toBe(0);
  });

  it('re-identifies a person by appearance after a 3 s gap, not a stranger who appears there', () => {
    const alice = walker(1, 100, 100, 30, 0);
    const ids = new Map<number, Set<number>>();
    const stranger = walker(2, 250, 300, 0, 0, 40, 100, 5, 20);
    const { counts } = run([alice, stranger], {
      durationS: 10,
      hidden: (id, t) => id === 1 && t >= 3 && t < 6,
      onFrame: (t, tracks) => {
        for (const tr of tracks) {
          const who = tr.bbox[1] < 200 ? 1 : 2;
          if (!ids.has(who)) ids.set(who, new Set());
          ids.get(who)!.add(tr.id);
        }
      },
    });
    expect(ids.get(1)!.size).toBe(1);
    expect([...ids.get(2)!][0]).not.toBe([...ids.get(1)!][0]);
    expect(counts.idSwitches).toBe(0);
  });

  it('keeps a name through a new id when a named person comes back after being forgotten', () => {
    const tracker = new MultiObjectTracker({ maxLostS: 2 });
    const alice = walker(1, 100, 100, 10, 0);
    const bob = walker(2, 400, 120, -10, 0);
    const idsOfAlice = new Set<number>();
    run([alice, bob], {
      durationS: 12,
      hidden: (id, t) => id === 1 && t >= 4 && t < 8,
      onFrame: (t, tracks, tr) => {
        if (Math.abs(t - 1) < 1e-9) tr.nameTrack(tracks.find((x) => x.bbox[0] < 250)!.id, 'Alice');
        const a = tracks.find((x) => x.bbox[0] < 250);
        if (a && t > 1) {
          idsOfAlice.add(a.id);
          if (t > 8.5) expect(a.name).toBe('alice');
        }
        if (t > 8.5) expect(tracks.find((x) => x.bbox[0] >= 250)?.name).toBeUndefined();
      },
    }, tracker);
    // forgotten after 2 s, so she came back with a new id, and the name followed her
    expect(idsOfAlice.size).toBe(2);
    expect(tracker.stats.namesRecovered).toBe(1);
    expect(tracker.trackIdOf('alice')).toBe(Math.max(...idsOfAlice));
  });

  it('rejects bad names, unknown tracks and time running backwards', () => {
    const tracker = new MultiObjectTracker();
    tracker.step(0, null);
    expect(() => tracker.nameTrack(99, 'alice')).toThrow(/no track 99/);
    expect(() => tracker.nameTrack(1, '')).toThrow(/must start with a letter/);
    expect(() => tracker.step(-1, null)).toThrow(/backwards/);
    expect(() => new MultiObjectTracker({ highScore: 2 })).toThrow(/highScore/);
  });
});
