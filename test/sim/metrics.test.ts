import { describe, expect, it } from 'vitest';
import { computeMetrics, countFocusReversals, distanceToShapeM, tickErrors } from '../../sim/metrics.ts';
import type { ShotTrace, TraceTick } from '../../sim/trace.ts';
import type { ShotTargets } from '../../core/shot-controller.ts';
import type { ShotSpec } from '../../core/shot-spec.ts';
import type { LensState } from '../../core/vehicle-link.ts';
import { type Vec3, vec3 } from '../../core/vec3.ts';
import { PERSON_POINT_HEIGHT_FRACTION } from '../../core/framing.ts';
import { nearLimitM, farLimitM } from '../../mpc/optics.ts';

// Camera level at torso height of a 1.75 m person, looking north; 50 mm on a 35.6 × 20 mm sensor.
const H = 1.75;
const TORSO_Z = -H * PERSON_POINT_HEIGHT_FRACTION.torso;
const SENSOR = { sensorWidthMm: 35.6, sensorHeightMm: 20, cocMm: 0.03, imageWidthPx: 3840, imageHeightPx: 2160 };
const DT = 0.04;

interface TickSpec {
  subject?: Vec3;
  drone?: Vec3;
  lens?: Partial<LensState>;
  targets?: ShotTargets | null;
  accel?: Vec3;
  solveMs?: number;
}

function makeTrace(n: number, at: (k: number, tS: number) => TickSpec, spec: ShotSpec = { kind: 'track', subjects: ['alice'] }): ShotTrace {
  const ticks: TraceTick[] = [];
  for (let k = 0; k < n; k++) {
    const t = k * DT;
    const s = at(k, t);
    const drone = s.drone ?? vec3(0, 0, TORSO_Z);
    ticks.push({
      timeS: t,
      drone: { positionNedM: drone, velocityNedMps: vec3(), accelerationNedMps2: s.accel ?? vec3(), yawRad: 0, rollRad: 0, pitchRad: 0 },
      camera: { positionNedM: drone, yawRad: 0, pitchRad: 0, rollRad: 0 },
      gimbal: { pitchRad: 0, yawRad: 0, rollRad: 0 },
      lens: { focalLengthMm: 50, focusDistanceM: 10, fNumber: 2.8, ...s.lens },
      subjects: [{ name: 'alice', positionNedM: s.subject ?? vec3(10, 0, 0), velocityNedMps: vec3(), headingRad: Math.PI, heightM: H }],
      targets: s.targets === undefined ? null : s.targets,
      solveMs: s.solveMs ?? 1,
      status: 'test',
      mode: 'offboard',
    });
  }
  return {
    scene: 'hand-made', spec, seed: 0, controller: 'test', physicsRateHz: 400, controlRateHz: 25, shotStartS: 0, wallS: 0,
    camera: SENSOR, keepOutRadiusM: 3,
    geofence: { polygonNeM: [[-20, -20], [20, -20], [20, 20], [-20, 20]], minAltitudeM: 0.5, maxAltitudeM: 30 },
    ticks, events: [],
  };
}

const torsoAt = (u: number, v: number, extra: Partial<ShotTargets> = {}): ShotTargets => ({
  points: [{ subject: 'alice', point: 'torso', u, v }], heights: [], focusSubjects: ['alice'], defocusSubjects: [], ...extra,
});

describe('composition error', () => {
  it('is zero when the subject sits exactly on its target (centre)', () => {
    const m = computeMetrics(makeTrace(50, () => ({ targets: torsoAt(0.5, 0.5) })), { warmUpS: 0 });
    expect(m.compositionErrorRms).toBeCloseTo(0, 12);
  });

  it('is zero on the left third line when the subject is placed there by the pinhole formula', () => {
    // u = ½ + (f/w)·(x/z) = ⅓  ⇒  x = −z·w/(6f)
    const east = (-10 * 35.6) / (6 * 50);
    const m = computeMetrics(makeTrace(50, () => ({ subject: vec3(10, east, 0), targets: torsoAt(1 / 3, 0.5) })), { warmUpS: 0 });
    expect(m.compositionErrorRms).toBeCloseTo(0, 12);
  });

  it('equals the image distance to the target: 0.05 off in u and 0.12 off in v → 0.13', () => {
    const m = computeMetrics(makeTrace(50, () => ({ targets: torsoAt(0.55, 0.62) })), { warmUpS: 0 });
    expect(m.compositionErrorRms).toBeCloseTo(0.13, 12);
    expect(m.compositionErrorMax).toBeCloseTo(0.13, 12);
  });

  it('charges 1 for a target point behind the camera', () => {
    const m = computeMetrics(makeTrace(10, () => ({ subject: vec3(-10, 0, 0), targets: torsoAt(0.5, 0.5) })), { warmUpS: 0 });
    expect(m.compositionErrorRms).toBe(1);
  });

  it('leaves out the warm-up: a bad first second does not count', () => {
    const m = computeMetrics(makeTrace(100, (_k, t) => ({ targets: torsoAt(t < 1 ? 0.9 : 0.5, 0.5) })), { warmUpS: 1 });
    expect(m.compositionErrorRms).toBeCloseTo(0, 12);
    expect(computeMetrics(makeTrace(100, (_k, t) => ({ targets: torsoAt(t < 1 ? 0.9 : 0.5, 0.5) })), { warmUpS: 0 }).compositionErrorRms).toBeGreaterThan(0.1);
  });
});

describe('size error', () => {
  // level camera: full-body image height = (f/h_sensor)·H/z = 2.5 · 0.175 = 0.4375 of the frame
  const achieved = (50 / 20) * (H / 10);
  it('is zero when the projected full-body height equals the target', () => {
    const m = computeMetrics(makeTrace(20, () => ({ targets: torsoAt(0.5, 0.5, { heights: [{ subject: 'alice', heightFraction: achieved }] }) })), { warmUpS: 0 });
    expect(m.sizeErrorMaxPct).toBeCloseTo(0, 9);
    expect(m.sizeErrorRmsPct).toBeCloseTo(0, 9);
  });

  it('is +10 % when the subject is 10 % bigger than asked', () => {
    const m = computeMetrics(makeTrace(20, () => ({ targets: torsoAt(0.5, 0.5, { heights: [{ subject: 'alice', heightFraction: achieved / 1.1 }] }) })), { warmUpS: 0 });
    expect(m.sizeErrorMaxPct).toBeCloseTo(10, 9);
    expect(m.sizeErrorRmsPct).toBeCloseTo(10, 9);
  });
});

describe('focus', () => {
  it('counts a subject inside [near, far] as in focus and one outside as out of focus', () => {
    // 50 mm f/2.8 focused at 10 m: 7.5 … 15 m; at 3 m: 2.7 … 3.3 m; the subject's eyes are 10 m away
    expect(nearLimitM(50, 2.8, 0.03, 10)).toBeLessThan(10);
    expect(farLimitM(50, 2.8, 0.03, 3)).toBeLessThan(10);
    const inFocus = computeMetrics(makeTrace(20, () => ({ targets: torsoAt(0.5, 0.5), lens: { focusDistanceM: 10 } })), { warmUpS: 0 });
    const outOfFocus = computeMetrics(makeTrace(20, () => ({ targets: torsoAt(0.5, 0.5), lens: { focusDistanceM: 3 } })), { warmUpS: 0 });
    expect(inFocus.inFocusFraction).toBe(1);
    expect(outOfFocus.inFocusFraction).toBe(0);
  });

  it('reports the fraction of ticks in focus', () => {
    const m = computeMetrics(makeTrace(40, (k) => ({ targets: torsoAt(0.5, 0.5), lens: { focusDistanceM: k % 4 === 0 ? 3 : 10 } })), { warmUpS: 0 });
    expect(m.inFocusFraction).toBe(0.75);
    expect(m.inFocusBySubject.alice).toBe(0.75);
  });

  it('counts focus reversals only beyond the deadband (hunting, not noise)', () => {
    expect(countFocusReversals([10, 9, 8, 9, 10, 9])).toBe(2);
    expect(countFocusReversals([5, 5.001, 4.999, 5.002, 4.998, 5])).toBe(0);
    expect(countFocusReversals([10, 9, 8, 7, 6, 5])).toBe(0);
    // per-sample deadband: the same wobble is hunting for a tight band, invisible inside a deep one
    expect(countFocusReversals([10, 9, 8, 9, 10, 9], [0.0105, 0.0105, 0.0105, 0.0105, 0.0105, 0.0105])).toBe(2);
    expect(countFocusReversals([10, 9, 8, 9, 10, 9], [0.05, 0.05, 0.05, 0.05, 0.05, 0.05])).toBe(0);
  });

  it('scales the reversal deadband with the depth of field: 24 mm f/8 hides a wobble that 70 mm f/2.8 shows', () => {
    // ±0.03 dioptres around 5 m: band half-width N·c/f² is 0.42 D at 24 mm f/8 and 0.017 D at 70 mm f/2.8
    const wobble = (k: number) => 1 / (0.2 + 0.03 * Math.sign(Math.sin(k / 3)));
    const deep = computeMetrics(makeTrace(60, (k) => ({ lens: { focalLengthMm: 24, fNumber: 8, focusDistanceM: wobble(k) } })), { warmUpS: 0 });
    const tight = computeMetrics(makeTrace(60, (k) => ({ lens: { focalLengthMm: 70, fNumber: 2.8, focusDistanceM: wobble(k) } })), { warmUpS: 0 });
    expect(deep.focusReversals).toBe(0);
    expect(tight.focusReversals).toBeGreaterThan(4);
  });
});

describe('safety and smoothness metrics', () => {
  it('measures the closest approach to a person as the distance to their body axis', () => {
    // the drone flies from home toward alice (10 m north) and stops 3 m short, at torso height
    const m = computeMetrics(makeTrace(10, (k) => ({ drone: vec3(7 * (k / 9), 0, TORSO_Z) })), { warmUpS: 0 });
    expect(m.minPersonDistanceM).toBeCloseTo(3, 12);
    // above her head: distance to the head top, not to the feet
    const above = computeMetrics(makeTrace(3, () => ({ drone: vec3(10, 0, -H - 2) })), { warmUpS: 0 });
    expect(above.minPersonDistanceM).toBeCloseTo(2, 12);
  });

  it('measures obstacle clearance to box and cylinder surfaces, and fails a flight through a wall', () => {
    const box = { type: 'box' as const, sizeM: [2, 4, 3] as [number, number, number] };
    expect(distanceToShapeM(vec3(5, 0, -1), box, vec3(0, 0, 0), 0)).toBeCloseTo(4, 12); // 5 − 1 in front
    expect(distanceToShapeM(vec3(0, 5, -1), box, vec3(0, 0, 0), Math.PI / 2)).toBeCloseTo(4, 12); // rotated: length now east
    expect(distanceToShapeM(vec3(0, 0, -7), box, vec3(0, 0, 0), 0)).toBeCloseTo(4, 12); // 4 m above the top
    expect(distanceToShapeM(vec3(0.2, 0.3, -1), box, vec3(0, 0, 0), 0)).toBe(0); // inside
    const post = { type: 'cylinder' as const, radiusM: 0.5, heightM: 4 };
    expect(distanceToShapeM(vec3(3, 4, -2), post, vec3(0, 0, 0), 0)).toBeCloseTo(4.5, 12);
    const trace = makeTrace(20, (k) => ({ drone: vec3(-10 + k, 5, -2) }));
    trace.airframeRadiusM = 0.35;
    trace.obstacles = [{ name: 'wall', shape: { type: 'box', sizeM: [0.5, 10, 4] }, positionNedM: vec3(0, 5, 0), yawRad: 0, moving: false }];
    const m = computeMetrics(trace, { warmUpS: 0 });
    expect(m.minObstacleDistanceM).toBe(0);
    expect(m.failures.some((f) => f.startsWith('minObstacleDistanceM'))).toBe(true);
    expect(computeMetrics(makeTrace(5, () => ({})), { warmUpS: 0 }).minObstacleDistanceM).toBeNull();
  });

  it('counts each excursion outside the geofence once, including the altitude band', () => {
    const path = (k: number) => (k >= 5 && k < 8 ? vec3(25, 0, -5) : k >= 12 && k < 14 ? vec3(0, 0, -40) : vec3(0, 0, -5));
    const m = computeMetrics(makeTrace(20, (k) => ({ drone: path(k) })), { warmUpS: 0 });
    expect(m.geofenceViolations).toBe(2);
    expect(m.geofenceViolationS).toBeCloseTo(5 * DT, 9); // five ticks outside
  });

  it('computes jerk from the acceleration history: one 1 m/s² step over 40 ms → RMS 25/√(n−1)', () => {
    const n = 26;
    const m = computeMetrics(makeTrace(n, (k) => ({ accel: vec3(k < 10 ? 0 : 1, 0, 0) })), { warmUpS: 0 });
    expect(m.jerkRms).toBeCloseTo(25 / Math.sqrt(n - 1), 9);
  });

  it('reports solve-time percentiles', () => {
    const m = computeMetrics(makeTrace(100, (k) => ({ solveMs: k + 1 })), { warmUpS: 0 });
    expect(m.solveMsP50).toBe(50);
    expect(m.solveMsP99).toBe(99);
  });
});

describe('tolerances', () => {
  it('passes a perfect dolly zoom and names each failed tolerance of a bad one', () => {
    const spec: ShotSpec = { kind: 'dolly-zoom', subjects: ['alice'], focalLengthMm: { fromMm: 24, toMm: 70 } };
    // perfect: subject distance scales with focal length, so f/z stays constant
    const good = makeTrace(100, (k) => {
      const f = 24 + (46 * k) / 99, z = (10 * f) / 50;
      return { subject: vec3(z, 0, 0), lens: { focalLengthMm: f, focusDistanceM: z }, targets: torsoAt(0.5, 0.5, { heights: [{ subject: 'alice', heightFraction: (50 / 20) * (H / 10) }] }) };
    }, spec);
    const gm = computeMetrics(good, { warmUpS: 0 });
    expect(gm.sizeErrorMaxPct).toBeLessThan(1e-9);
    expect(gm.failures).toEqual([]);
    expect(gm.passed).toBe(true);
    // bad: zooms only 1.5× and the subject is out of focus half the time
    const bad = makeTrace(100, (k) => ({ lens: { focalLengthMm: 40 + 20 * (k / 99), focusDistanceM: k % 2 ? 3 : 10 }, targets: torsoAt(0.5, 0.5) }), spec);
    const bm = computeMetrics(bad, { warmUpS: 0 });
    expect(bm.passed).toBe(false);
    expect(bm.failures.some((f) => f.startsWith('focalRatio'))).toBe(true);
    expect(bm.failures.some((f) => f.startsWith('inFocusFraction'))).toBe(true);
    expect(bm.failures.some((f) => f.startsWith('focusReversals'))).toBe(true);
  });

  it('fails a flyable shot whose controller never reports targets, and one that breaks the keep-out radius', () => {
    const m = computeMetrics(makeTrace(20, () => ({ drone: vec3(8.5, 0, TORSO_Z) })), { warmUpS: 0 });
    expect(m.failures).toContain('the controller reported no shot targets after warm-up');
    expect(m.failures.some((f) => f.startsWith('minPersonDistanceM 1.50 m < 3.00 m'))).toBe(true);
  });

  it('exposes per-tick errors for plots', () => {
    const e = tickErrors(makeTrace(3, () => ({ targets: torsoAt(0.6, 0.5) })));
    expect(e).toHaveLength(3);
    expect(e[0]!.compositionError).toBeCloseTo(0.1, 12);
    expect(e[0]!.subjectDepthM.alice).toBeCloseTo(10, 12);
  });
});
