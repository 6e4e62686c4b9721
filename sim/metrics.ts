/**
 * Shot metrics from ground truth (a ShotTrace), and the pass/fail verdict
 * against the shot kind's tolerances (sim/tolerances.ts). Definitions:
 *
 *   compositionErrorRms  √mean over (tick, target point) of ‖(u,v) − (u*,v*)‖,
 *                        true projection of the subject's point through the true
 *                        camera pose vs the targets the controller reported that
 *                        tick; a point behind the camera counts as error 1.
 *   sizeError*Pct        100·(h − h*)/h*, h = projected image height of the whole
 *                        standing body (v_feet − v_headTop), h* the reported target.
 *   inFocusFraction      fraction of ticks with focus targets where every focus
 *                        subject's eye point (depth along the optical axis) lies
 *                        within [near, far] of the true lens state (mpc/optics.ts).
 *   focusReversals       direction changes of the focus motor (in dioptres) after
 *                        travel beyond the deadband each way: the larger of
 *                        FOCUS_REVERSAL_DEADBAND_DIOPTRES and FOCUS_REVERSAL_BAND_FRACTION of
 *                        that tick's depth-of-field half-width N·c/f² (a correction
 *                        well inside the depth of field is invisible, not hunting).
 *   jerkRms              RMS of ‖Δa/Δt‖ of the drone's true acceleration between ticks.
 *   minPersonDistanceM   closest approach of the drone to any person's body axis
 *                        (segment feet → head top), whole run.
 *   minObstacleDistanceM closest approach of the drone's centre to the surface of any
 *                        scene object or moving prop, whole run (collision when it is
 *                        below the airframe radius).
 *   geofenceViolations   number of times the drone left the polygon or altitude
 *                        band (episodes), whole run; geofenceViolationS the time outside.
 *
 * Composition, size, focus and jerk skip the first `warmUpS` of the shot.
 */
import type { ShotSpec } from '../core/shot-spec.ts';
import { CameraProjector, emptyProjection } from '../mpc/camera.ts';
import { farLimitM, focusBandHalfWidthDioptres, nearLimitM } from '../mpc/optics.ts';
import { type Vec3, vec3 } from '../core/vec3.ts';
import type { PersonPoint } from '../core/framing.ts';
import { personPointNed } from './subjects.ts';
import { insideGeofence } from './geofence.ts';
import type { ShotTrace, TraceSubject, TraceTick } from './trace.ts';
import type { ShapeSpec } from './scene-schema.ts';
import { DEFAULT_WARM_UP_S, type ShotTolerances, tolerancesFor } from './tolerances.ts';

export { insideGeofence } from './geofence.ts';

/** Focus travel (dioptres) needed before a change of direction counts as a reversal. */
export const FOCUS_REVERSAL_DEADBAND_DIOPTRES = 0.01;
/** …or this fraction of the depth-of-field half-width in dioptres, whichever is larger. */
export const FOCUS_REVERSAL_BAND_FRACTION = 0.25;
/** Error charged for a target point behind the camera, normalised image units. */
export const BEHIND_CAMERA_ERROR = 1;

export interface ShotMetrics {
  scene: string;
  shotKind: string;
  controller: string;
  seed: number;
  durationS: number;
  realTimeFactor: number | null;
  warmUpS: number;
  compositionErrorRms: number | null;
  compositionErrorMax: number | null;
  sizeErrorMaxPct: number | null;
  sizeErrorRmsPct: number | null;
  inFocusFraction: number | null;
  /** per focus subject: fraction of its focus ticks in focus */
  inFocusBySubject: Record<string, number>;
  focusReversals: number;
  jerkRms: number;
  minPersonDistanceM: number | null;
  /** null when the scene has no objects (or the trace does not list them) */
  minObstacleDistanceM: number | null;
  geofenceViolations: number;
  geofenceViolationS: number;
  focalLengthMm: { min: number; max: number };
  focalRatio: number;
  solveMsP50: number;
  solveMsP99: number;
  /** fraction of scored ticks where the controller reported targets */
  targetsFraction: number;
  passed: boolean;
  failures: string[];
  tolerances: ShotTolerances;
}

export interface MetricsOptions {
  warmUpS?: number;
  tolerances?: Partial<ShotTolerances>;
}

/** Distance from a point to the surface of a box or cylinder standing on its base centre (0 inside). */
export function distanceToShapeM(p: Vec3, shape: ShapeSpec, baseNedM: Vec3, yawRad: number): number {
  const dn = p.x - baseNedM.x, de = p.y - baseNedM.y;
  const up = baseNedM.z - p.z; // height of the point above the base
  const h = shape.type === 'box' ? shape.sizeM[2] : shape.heightM;
  const outV = up < 0 ? -up : up > h ? up - h : 0;
  let outH: number;
  if (shape.type === 'box') {
    const c = Math.cos(yawRad), s = Math.sin(yawRad);
    const f = c * dn + s * de, r = -s * dn + c * de;
    outH = Math.hypot(Math.max(Math.abs(f) - shape.sizeM[0] / 2, 0), Math.max(Math.abs(r) - shape.sizeM[1] / 2, 0));
  } else outH = Math.max(Math.hypot(dn, de) - shape.radiusM, 0);
  return Math.hypot(outH, outV);
}

/** Per-tick errors, for plots and for the aggregate metrics. */
export interface TickErrors {
  timeS: number;
  /** mean ‖Δ(u,v)‖ over this tick's target points, null when none */
  compositionError: number | null;
  /** worst |size error| % this tick, signed, null when no height target */
  sizeErrorPct: number | null;
  /** every focus subject in focus; null when no focus target */
  inFocus: boolean | null;
  /** per subject: eye-point depth along the optical axis, m */
  subjectDepthM: Record<string, number>;
  nearM: number;
  farM: number;
}

const quantile = (sorted: number[], q: number): number => {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
};

const pointNed = (s: TraceSubject, point: PersonPoint, target: Vec3): Vec3 => personPointNed(s.positionNedM, s.heightM, point, target);

/** Distance from a point to a person's body axis (vertical segment feet → head top). */
export function distanceToPersonM(p: Vec3, s: TraceSubject): number {
  const top = s.positionNedM.z - s.heightM;
  const z = Math.min(Math.max(p.z, top), s.positionNedM.z);
  return Math.hypot(p.x - s.positionNedM.x, p.y - s.positionNedM.y, p.z - z);
}

/** Errors of each tick, ground truth vs the tick's targets. */
export function tickErrors(trace: ShotTrace): TickErrors[] {
  const cam = trace.camera;
  const proj = new CameraProjector(trace.ticks[0]?.camera ?? { positionNedM: vec3(), yawRad: 0, pitchRad: 0, rollRad: 0 }, {
    focalLengthMm: 50, sensorWidthMm: cam.sensorWidthMm, sensorHeightMm: cam.sensorHeightMm,
  });
  const pr = emptyProjection(), pr2 = emptyProjection();
  const pt = vec3();
  return trace.ticks.map((tick: TraceTick) => {
    proj.setPose(tick.camera);
    proj.setIntrinsics({ focalLengthMm: tick.lens.focalLengthMm, sensorWidthMm: cam.sensorWidthMm, sensorHeightMm: cam.sensorHeightMm });
    const byName = new Map(tick.subjects.map((s) => [s.name, s]));
    const near = nearLimitM(tick.lens.focalLengthMm, tick.lens.fNumber, cam.cocMm, tick.lens.focusDistanceM);
    const far = farLimitM(tick.lens.focalLengthMm, tick.lens.fNumber, cam.cocMm, tick.lens.focusDistanceM);
    const subjectDepthM: Record<string, number> = {};
    for (const s of tick.subjects) subjectDepthM[s.name] = proj.project(pointNed(s, 'head', pt), pr).depthM;
    const out: TickErrors = { timeS: tick.timeS, compositionError: null, sizeErrorPct: null, inFocus: null, subjectDepthM, nearM: near, farM: far };
    const t = tick.targets;
    if (!t) return out;
    let sum = 0, n = 0;
    for (const target of t.points) {
      const s = byName.get(target.subject);
      if (!s) continue;
      proj.project(pointNed(s, target.point, pt), pr);
      sum += pr.inFront ? Math.min(Math.hypot(pr.u - target.u, pr.v - target.v), BEHIND_CAMERA_ERROR) : BEHIND_CAMERA_ERROR;
      n++;
    }
    if (n) out.compositionError = sum / n;
    for (const h of t.heights) {
      const s = byName.get(h.subject);
      if (!s || !(h.heightFraction > 0)) continue;
      proj.project(pointNed(s, 'feet', pt), pr);
      proj.project(pointNed(s, 'headTop', pt), pr2);
      const achieved = pr.inFront && pr2.inFront ? pr.v - pr2.v : 0;
      const err = (100 * (achieved - h.heightFraction)) / h.heightFraction;
      if (out.sizeErrorPct === null || Math.abs(err) > Math.abs(out.sizeErrorPct)) out.sizeErrorPct = err;
    }
    const focus = t.focusSubjects.filter((name) => byName.has(name));
    if (focus.length) out.inFocus = focus.every((name) => subjectDepthM[name]! >= near && subjectDepthM[name]! <= far);
    return out;
  });
}

/**
 * Focus direction changes, with hysteresis: travel must exceed the deadband
 * (one value, or one per sample) before a turn counts.
 */
export function countFocusReversals(focusDistancesM: number[], deadbandDioptres: number | number[] = FOCUS_REVERSAL_DEADBAND_DIOPTRES): number {
  if (!focusDistancesM.length) return 0;
  let reversals = 0, direction = 0;
  // anchor: the start until motion is established, then the running extreme in the current direction
  let anchor = 1 / focusDistancesM[0]!;
  for (let k = 0; k < focusDistancesM.length; k++) {
    const D = 1 / focusDistancesM[k]!;
    const deadband = typeof deadbandDioptres === 'number' ? deadbandDioptres : deadbandDioptres[k]!;
    if (direction === 0) {
      if (Math.abs(D - anchor) > deadband) {
        direction = Math.sign(D - anchor);
        anchor = D;
      }
    } else if (direction * (D - anchor) >= 0) anchor = D;
    else if (Math.abs(D - anchor) > deadband) {
      reversals++;
      direction = -direction;
      anchor = D;
    }
  }
  return reversals;
}

export function computeMetrics(trace: ShotTrace, options: MetricsOptions = {}): ShotMetrics {
  const warmUpS = options.warmUpS ?? DEFAULT_WARM_UP_S;
  const tol = tolerancesFor(trace.spec.kind, options.tolerances);
  const ticks = trace.ticks;
  const errs = tickErrors(trace);
  const scoredFrom = trace.shotStartS + warmUpS - 1e-9;
  const scored = ticks.map((t, i) => [t, errs[i]!] as const).filter(([t]) => t.timeS >= scoredFrom);

  const comp = scored.map(([, e]) => e.compositionError).filter((x): x is number => x !== null);
  const size = scored.map(([, e]) => e.sizeErrorPct).filter((x): x is number => x !== null);
  const focus = scored.map(([, e]) => e.inFocus).filter((x): x is boolean => x !== null);
  const rms = (xs: number[]) => (xs.length ? Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / xs.length) : null);

  const inFocusBySubject: Record<string, number> = {};
  const focusCounts: Record<string, [number, number]> = {};
  for (const [t, e] of scored) {
    for (const name of t.targets?.focusSubjects ?? []) {
      const d = e.subjectDepthM[name];
      if (d === undefined) continue;
      const c = (focusCounts[name] ??= [0, 0]);
      c[1]++;
      if (d >= e.nearM && d <= e.farM) c[0]++;
    }
  }
  for (const [name, [hit, n]] of Object.entries(focusCounts)) inFocusBySubject[name] = hit / n;

  let jerkSq = 0, jerkN = 0;
  for (let i = 1; i < scored.length; i++) {
    const a = scored[i - 1]![0], b = scored[i]![0];
    const dt = b.timeS - a.timeS;
    if (!(dt > 0)) continue;
    const A = a.drone.accelerationNedMps2, B = b.drone.accelerationNedMps2;
    jerkSq += ((B.x - A.x) ** 2 + (B.y - A.y) ** 2 + (B.z - A.z) ** 2) / (dt * dt);
    jerkN++;
  }

  let minDist: number | null = null, violations = 0, violationS = 0, wasOutside = false;
  let minObstacle: number | null = null;
  const obstacles = trace.obstacles ?? [];
  ticks.forEach((t, i) => {
    for (const o of obstacles) {
      const base = o.moving ? t.props?.find((p) => p.name === o.name)?.positionNedM ?? o.positionNedM : o.positionNedM;
      const d = distanceToShapeM(t.drone.positionNedM, o.shape, base, o.yawRad);
      if (minObstacle === null || d < minObstacle) minObstacle = d;
    }
    for (const s of t.subjects) {
      const d = distanceToPersonM(t.drone.positionNedM, s);
      if (minDist === null || d < minDist) minDist = d;
    }
    const outside = !insideGeofence(trace.geofence, t.drone.positionNedM);
    if (outside && !wasOutside) violations++;
    if (outside && i > 0) violationS += t.timeS - ticks[i - 1]!.timeS;
    wasOutside = outside;
  });

  const focal = ticks.map((t) => t.lens.focalLengthMm);
  const fMin = focal.length ? Math.min(...focal) : 0, fMax = focal.length ? Math.max(...focal) : 0;
  const solve = ticks.map((t) => t.solveMs).sort((a, b) => a - b);
  const durationS = ticks.length ? ticks[ticks.length - 1]!.timeS - ticks[0]!.timeS : 0;

  const m: ShotMetrics = {
    scene: trace.scene,
    shotKind: trace.spec.kind,
    controller: trace.controller,
    seed: trace.seed,
    durationS,
    realTimeFactor: trace.wallS > 0 ? durationS / trace.wallS : null,
    warmUpS,
    compositionErrorRms: rms(comp),
    compositionErrorMax: comp.length ? Math.max(...comp) : null,
    sizeErrorMaxPct: size.length ? Math.max(...size.map(Math.abs)) : null,
    sizeErrorRmsPct: rms(size),
    inFocusFraction: focus.length ? focus.filter(Boolean).length / focus.length : null,
    inFocusBySubject,
    focusReversals: countFocusReversals(
      scored.map(([t]) => t.lens.focusDistanceM),
      scored.map(([t]) => Math.max(
        FOCUS_REVERSAL_DEADBAND_DIOPTRES,
        FOCUS_REVERSAL_BAND_FRACTION * focusBandHalfWidthDioptres(t.lens.focalLengthMm, t.lens.fNumber, trace.camera.cocMm),
      )),
    ),
    jerkRms: jerkN ? Math.sqrt(jerkSq / jerkN) : 0,
    minPersonDistanceM: minDist,
    minObstacleDistanceM: minObstacle,
    geofenceViolations: violations,
    geofenceViolationS: violationS,
    focalLengthMm: { min: fMin, max: fMax },
    focalRatio: fMin > 0 ? fMax / fMin : 0,
    solveMsP50: quantile(solve, 0.5),
    solveMsP99: quantile(solve, 0.99),
    targetsFraction: scored.length ? scored.filter(([t]) => t.targets).length / scored.length : 0,
    passed: false,
    failures: [],
    tolerances: tol,
  };
  m.failures = checkTolerances(m, trace.spec, tol, trace.keepOutRadiusM, trace.airframeRadiusM ?? 0);
  m.passed = m.failures.length === 0;
  return m;
}

/** Which tolerances fail, each as a sentence naming the metric, its value and the limit. */
export function checkTolerances(m: ShotMetrics, spec: ShotSpec, tol: ShotTolerances, keepOutRadiusM: number, airframeRadiusM = 0): string[] {
  const f: string[] = [];
  const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
  const max = (name: string, value: number | null, limit: number | null, unit = '') => {
    if (limit !== null && value !== null && value > limit) f.push(`${name} ${fmt(value)}${unit} > ${fmt(limit)}${unit}`);
  };
  const min = (name: string, value: number | null, limit: number | null, unit = '') => {
    if (limit !== null && value !== null && value < limit) f.push(`${name} ${fmt(value)}${unit} < ${fmt(limit)}${unit}`);
  };
  const needsTargets = spec.kind !== 'stop' && spec.kind !== 'land' && spec.kind !== 'return-home';
  if (needsTargets && m.targetsFraction === 0) f.push('the controller reported no shot targets after warm-up');
  max('compositionErrorRms', m.compositionErrorRms, tol.compositionErrorRmsMax);
  max('sizeErrorMaxPct', m.sizeErrorMaxPct, tol.sizeErrorMaxPct, '%');
  max('sizeErrorRmsPct', m.sizeErrorRmsPct, tol.sizeErrorRmsPct, '%');
  min('inFocusFraction', m.inFocusFraction, tol.inFocusFractionMin);
  const perSubject = Object.entries(m.inFocusBySubject);
  if (perSubject.length > 1) for (const [name, frac] of perSubject) min(`inFocusFraction[${name}]`, frac, tol.inFocusFractionMin);
  max('focusReversals', m.focusReversals, tol.focusReversalsMax);
  min('focalRatio', m.focalRatio, tol.focalRatioMin);
  const keepOut = tol.minPersonDistanceM === 'keep-out' ? keepOutRadiusM : tol.minPersonDistanceM;
  min('minPersonDistanceM', m.minPersonDistanceM, keepOut, ' m');
  const clearance = tol.minObstacleDistanceM === 'airframe' ? airframeRadiusM : tol.minObstacleDistanceM;
  min('minObstacleDistanceM', m.minObstacleDistanceM, clearance, ' m');
  max('geofenceViolations', m.geofenceViolations, tol.geofenceViolationsMax);
  max('jerkRms', m.jerkRms, tol.jerkRmsMax, ' m/s³');
  return f;
}
