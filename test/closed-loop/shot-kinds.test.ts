/**
 * Every flyable shot kind flown closed loop in the simulator, each with the
 * numbers that say it is that shot (where the camera went, what the lens
 * did) on top of the kind's validate tolerances (sim/tolerances.ts). The
 * acceptance shots (dolly zoom, track, two-shot, rack focus) are in
 * done-when.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ShotSpec } from '../../core/shot-spec.ts';
import { projectPoint } from '../../mpc/camera.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import type { ShotTrace } from '../../sim/trace.ts';
import { CLOSED_LOOP_TIMEOUT_MS, fly } from './fly.ts';

const rig = loadRig();
const WARM_UP_TICKS = 40; // 1.6 s at 25 Hz

/** Bearing (world, clockwise from north) from the first subject to the drone, per tick. */
function bearings(trace: ShotTrace): number[] {
  return trace.ticks.map((t) => {
    const s = t.subjects[0]!;
    return Math.atan2(t.drone.positionNedM.y - s.positionNedM.y, t.drone.positionNedM.x - s.positionNedM.x);
  });
}

/** Mean over the scored ticks of cos(bearing − (subject heading + offset)): 1 = exactly on that side. */
function sideAgreement(trace: ShotTrace, offsetRad: number, name = 'alice'): number {
  const b = bearings(trace);
  let sum = 0, n = 0;
  trace.ticks.forEach((t, i) => {
    const s = t.subjects.find((x) => x.name === name)!;
    const speed = Math.hypot(s.velocityNedMps.x, s.velocityNedMps.y);
    if (i < WARM_UP_TICKS || speed < 1) return; // heading of a standing subject is not a direction of travel
    sum += Math.cos(b[i]! - (Math.atan2(s.velocityNedMps.y, s.velocityNedMps.x) + offsetRad));
    n++;
  });
  return n ? sum / n : NaN;
}

const horizontalDistance = (t: ShotTrace['ticks'][number]) =>
  Math.hypot(t.drone.positionNedM.x - t.subjects[0]!.positionNedM.x, t.drone.positionNedM.y - t.subjects[0]!.positionNedM.y);

interface KindCase {
  scene: string;
  spec: ShotSpec;
  durationS: number;
  check(trace: ShotTrace): void;
}

const CASES: KindCase[] = [
  {
    scene: 'runner', spec: { kind: 'follow', subjects: ['alice'] }, durationS: 10,
    check: (tr) => expect(sideAgreement(tr, Math.PI)).toBeGreaterThan(0.7), // behind her (mean within ~45°, turns included)
  },
  {
    scene: 'runner', spec: { kind: 'lead', subjects: ['alice'] }, durationS: 10,
    check: (tr) => expect(sideAgreement(tr, 0)).toBeGreaterThan(0.7), // in front of her
  },
  {
    scene: 'runner', spec: { kind: 'profile', subjects: ['alice'], side: 'left' }, durationS: 10,
    check: (tr) => expect(sideAgreement(tr, -Math.PI / 2)).toBeGreaterThan(0.7), // on her left
  },
  {
    scene: 'static-subject', spec: { kind: 'orbit', subjects: ['alice'], direction: 'clockwise', speedMps: 2 }, durationS: 9,
    check: (tr) => {
      // the bearing sweeps clockwise (increasing) by more than 90°
      const b = bearings(tr);
      let swept = 0;
      for (let i = 1; i < b.length; i++) swept += Math.atan2(Math.sin(b[i]! - b[i - 1]!), Math.cos(b[i]! - b[i - 1]!));
      expect(swept).toBeGreaterThan(Math.PI / 2);
    },
  },
  {
    scene: 'static-subject', spec: { kind: 'push-in', subjects: ['alice'], durationS: 5 }, durationS: 8,
    check: (tr) => {
      expect(horizontalDistance(tr.ticks[0]!) - horizontalDistance(tr.ticks.at(-1)!)).toBeGreaterThan(3);
      expect(tr.ticks.at(-1)!.lens.focalLengthMm).toBeCloseTo(tr.ticks[0]!.lens.focalLengthMm, 0); // a move, not a zoom
    },
  },
  {
    scene: 'static-subject', spec: { kind: 'pull-out', subjects: ['alice'], durationS: 5 }, durationS: 8,
    check: (tr) => expect(horizontalDistance(tr.ticks.at(-1)!) - horizontalDistance(tr.ticks[0]!)).toBeGreaterThan(3),
  },
  {
    scene: 'static-subject', spec: { kind: 'crane', subjects: ['alice'], direction: 'up', durationS: 5 }, durationS: 8,
    check: (tr) => expect(-tr.ticks.at(-1)!.drone.positionNedM.z - -tr.ticks[0]!.drone.positionNedM.z).toBeGreaterThan(3.5),
  },
  {
    scene: 'static-subject', spec: { kind: 'reveal', subjects: ['alice'], durationS: 5 }, durationS: 8,
    check: (tr) => {
      // her eyes start above the top edge and end near the full-shot eye line
      const eyeV = tr.ticks.map((t) => {
        const s = t.subjects[0]!;
        const pr = projectPoint(t.camera, { focalLengthMm: t.lens.focalLengthMm, sensorWidthMm: tr.camera.sensorWidthMm, sensorHeightMm: tr.camera.sensorHeightMm },
          { x: s.positionNedM.x, y: s.positionNedM.y, z: s.positionNedM.z - 0.93 * s.heightM });
        return pr.v;
      });
      expect(Math.min(...eyeV)).toBeLessThan(0);
      expect(Math.abs(eyeV.at(-1)! - 0.16)).toBeLessThan(0.05);
    },
  },
  {
    scene: 'static-subject', spec: { kind: 'flyover', subjects: ['alice'], heightM: 10, distanceM: 10, speedMps: 3 }, durationS: 9,
    check: (tr) => {
      // passes over her (within 2 m horizontally) at height, never inside the keep-out radius
      const near = tr.ticks.filter((t) => horizontalDistance(t) < 3);
      expect(near.length).toBeGreaterThan(0);
      expect(Math.min(...near.map((t) => -t.drone.positionNedM.z))).toBeGreaterThan(8);
    },
  },
  {
    scene: 'static-subject', spec: { kind: 'establishing', subjects: ['alice'] }, durationS: 8,
    check: (tr) => {
      const end = tr.ticks.at(-1)!;
      expect(-end.drone.positionNedM.z).toBeGreaterThan(8); // high
      expect(end.lens.focalLengthMm).toBeLessThan(26); // wide
    },
  },
  {
    scene: 'crossing-occlusion', spec: { kind: 'hold', subjects: ['alice'] }, durationS: 8,
    check: (tr) => {
      const p0 = tr.ticks[0]!.drone.positionNedM;
      const drift = Math.max(...tr.ticks.map((t) => Math.hypot(t.drone.positionNedM.x - p0.x, t.drone.positionNedM.y - p0.y, t.drone.positionNedM.z - p0.z)));
      expect(drift).toBeLessThan(0.5);
    },
  },
];

describe('closed loop: every shot kind', () => {
  for (const c of CASES) {
    it(`${c.spec.kind} on ${c.scene}: passes its tolerances and moves the way the shot says`, async () => {
      const { metrics: m, trace } = await fly(c.scene, c.spec, c.durationS);
      expect(m.failures).toEqual([]);
      expect(m.minPersonDistanceM!).toBeGreaterThanOrEqual(rig.safety.keepOutRadiusM);
      expect(m.geofenceViolations).toBe(0);
      if (m.compositionErrorRms !== null) expect(m.compositionErrorRms).toBeLessThanOrEqual(m.tolerances.compositionErrorRmsMax ?? 1);
      // every tick's QP solved: no fallback to the previous plan, no emergency hold
      expect(trace.ticks.filter((t) => t.status !== 'solved' && t.status !== 'max-iterations').map((t) => t.status)).toEqual([]);
      c.check(trace);
    }, CLOSED_LOOP_TIMEOUT_MS);
  }
});
