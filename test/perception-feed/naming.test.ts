/**
 * Who is who: `--name` rules parsed with clear errors, and applied to the
 * real tracker's tracks (MultiObjectTracker.nameTrack does the naming).
 */
import { describe, expect, it } from 'vitest';
import { parseNameRule, parseNameRules, SubjectNamer } from '../../controller/perception-feed/naming.ts';
import { MultiObjectTracker } from '../../perception/tracking/tracker.ts';
import type { DetectionBatch, SubjectEstimate } from '../../core/perception-types.ts';
import { vec3 } from '../../core/vec3.ts';

describe('--name rules', () => {
  it('reads the three forms', () => {
    expect(parseNameRule('3=Alice')).toEqual({ kind: 'id', trackId: 3, name: 'alice' });
    expect(parseNameRule('bob@-2.5, 10')).toEqual({ kind: 'mark', name: 'bob', northM: -2.5, eastM: 10 });
    expect(parseNameRule('carol')).toEqual({ kind: 'prominent', name: 'carol' });
  });
  it('refuses what the bus would refuse, duplicates and two bare names, saying the forms', () => {
    expect(() => parseNameRule('9lives')).toThrow(/not a subject name.*Forms: ID=NAME/);
    expect(() => parseNameRule('al ice')).toThrow(/not a subject name/);
    expect(() => parseNameRule('x@1')).toThrow(/cannot read it/);
    expect(() => parseNameRules(['alice', '2=alice'])).toThrow(/given twice/);
    expect(() => parseNameRules(['alice', 'bob'])).toThrow(/only one bare NAME/);
  });
});

/** Two people: A tall (near) at x≈100, B small at x≈400; each detection frame at 10 Hz. */
function batch(i: number, withA = true): DetectionBatch {
  const dets = [];
  if (withA) dets.push({ bbox: [100 + i, 100, 60, 180] as [number, number, number, number], score: 0.9, label: 'person' });
  dets.push({ bbox: [400 - i, 150, 30, 90] as [number, number, number, number], score: 0.9, label: 'person' });
  return { frameIndex: i, timestampS: i * 0.1, imageWidth: 640, imageHeight: 360, detections: dets };
}

const estimate = (id: number, n: number, e: number): SubjectEstimate => ({
  id, timestampS: 0, positionNedM: vec3(n, e, 0), velocityNedMps: vec3(0, 0, 0), headingRad: 0, heightM: 1.75, positionCovM2: [0.1, 0, 0, 0, 0.1, 0, 0, 0, 0],
});

describe('SubjectNamer on the real tracker', () => {
  const target = (tracker: MultiObjectTracker) => ({ name: (id: number, name: string) => tracker.nameTrack(id, name) });

  it('names the most prominent localised person, by mark, and by id', () => {
    const tracker = new MultiObjectTracker();
    const namer = new SubjectNamer(parseNameRules(['alice', 'bob@20,5']));
    let tracks = tracker.step(0, batch(0));
    expect(tracks).toHaveLength(2);
    const [a, b] = [tracks.find((t) => t.bbox[0] < 300)!, tracks.find((t) => t.bbox[0] > 300)!];
    // nobody localised yet: nothing is named
    expect(namer.apply(0, tracks, [], target(tracker))).toEqual([]);
    // localised: the tall one becomes alice; bob is 1.1 m from his mark
    const given = namer.apply(0.1, tracks, [estimate(a.id, 8, 0), estimate(b.id, 21, 5.4)], target(tracker));
    expect(given.map((g) => [g.name, g.trackId]).sort()).toEqual([['alice', a.id], ['bob', b.id]]);
    tracks = tracker.step(0.1, batch(1));
    expect(Object.fromEntries(tracks.map((t) => [t.name, t.id]))).toEqual({ alice: a.id, bob: b.id });
    expect(namer.waiting()).toEqual([]);

    const byId = new SubjectNamer(parseNameRules([`${b.id}=carol`]));
    byId.apply(0.2, tracks, [], target(tracker));
    expect(tracker.trackIdOf('carol')).toBe(b.id);
  });

  it('leaves a mark rule waiting when nobody stands within the radius', () => {
    const tracker = new MultiObjectTracker();
    const namer = new SubjectNamer(parseNameRules(['bob@0,0']), { radiusM: 2 });
    const tracks = tracker.step(0, batch(0));
    expect(namer.apply(0, tracks, tracks.map((t, k) => estimate(t.id, 10 + k, 10)), target(tracker))).toEqual([]);
    expect(namer.waiting()).toEqual(['bob']);
  });

  it('gives a bare name to the next most prominent person once its person has been gone long enough', () => {
    const tracker = new MultiObjectTracker();
    const namer = new SubjectNamer(parseNameRules(['alice']), { reacquireAfterS: 1 });
    let tracks = tracker.step(0, batch(0));
    const first = namer.apply(0, tracks, tracks.map((t) => estimate(t.id, 5, 0)), target(tracker));
    expect(first).toHaveLength(1);
    const aliceId = first[0]!.trackId;
    // A leaves the picture for good; after the tracker drops her and reacquireAfterS passes, B is alice
    let renamed: number | null = null;
    for (let i = 1; i < 60 && renamed === null; i++) {
      tracks = tracker.step(i * 0.1, batch(i, false));
      const g = namer.apply(i * 0.1, tracks, tracks.map((t) => estimate(t.id, 5, 0)), target(tracker));
      if (g.length) renamed = g[0]!.trackId;
    }
    expect(renamed).not.toBeNull();
    expect(renamed).not.toBe(aliceId);
  });

  it('hands a coasting name to the one new person detected where it stood, not when two are there', () => {
    const one = (i: number, xs: number[]): DetectionBatch => ({
      frameIndex: i, timestampS: i * 0.1, imageWidth: 640, imageHeight: 360,
      detections: xs.map((x) => ({ bbox: [x, 100, 40, 120] as [number, number, number, number], score: 0.9, label: 'person' })),
    });
    for (const [newcomers, expectHandover] of [[[400], true], [[400, 500], false]] as const) {
      const tracker = new MultiObjectTracker();
      const namer = new SubjectNamer(parseNameRules(['alice']));
      let tracks = tracker.step(0, one(0, [100]));
      namer.apply(0, tracks, [estimate(tracks[0]!.id, 0, 0)], target(tracker));
      const aliceId = tracker.trackIdOf('alice');
      for (let i = 1; i < 4; i++) tracks = tracker.step(i * 0.1, one(i, [100]));
      // her box jumps out of the association gate (a fast pan between detections): a new track starts on her
      let given: ReturnType<SubjectNamer['apply']> = [];
      for (let i = 4; i < 8 && !given.length; i++) {
        tracks = tracker.step(i * 0.1, one(i, [...newcomers]));
        const fresh = tracks.filter((t) => t.id !== aliceId).map((t, k) => estimate(t.id, 0.4 + 0.2 * k, 0));
        given = namer.apply(i * 0.1, tracks, [estimate(aliceId!, 0, 0), ...fresh], target(tracker));
      }
      if (expectHandover) {
        expect(given).toEqual([{ name: 'alice', trackId: expect.any(Number), rule: 'handover' }]);
        expect(tracker.trackIdOf('alice')).not.toBe(aliceId);
      } else {
        expect(given).toEqual([]);
        expect(tracker.trackIdOf('alice')).toBe(aliceId);
      }
    }
  });
});
