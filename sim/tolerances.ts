/**
 * What a shot must achieve to pass `cinepilot validate`, per shot kind. The
 * cinematography engineer tunes these; the table is data, the checks live in
 * sim/metrics.ts. `null` = not checked for this kind (the metric is still
 * reported). `minPersonDistanceM: 'keep-out'` means the rig's keep-out radius;
 * `minObstacleDistanceM: 'airframe'` the airframe's radius.
 */
import type { ShotKind } from '../core/shot-spec.ts';

export interface ShotTolerances {
  /** RMS distance of subject points from their image targets, normalised image units */
  compositionErrorRmsMax: number | null;
  /** worst full-body image height error vs target, % */
  sizeErrorMaxPct: number | null;
  sizeErrorRmsPct: number | null;
  /** fraction of ticks where every focus subject is inside the true depth of field */
  inFocusFractionMin: number | null;
  /** focus direction changes beyond the deadband (hunting) */
  focusReversalsMax: number | null;
  /** max/min focal length over the shot (dolly zoom must really zoom) */
  focalRatioMin: number | null;
  minPersonDistanceM: number | 'keep-out' | null;
  /** drone centre to any object's surface, m; 'airframe' = the airframe radius (a collision) */
  minObstacleDistanceM: number | 'airframe' | null;
  geofenceViolationsMax: number | null;
  /** RMS jerk of the drone, m/s³ */
  jerkRmsMax: number | null;
}

/** Seconds at the start of a shot excluded from composition, size, focus and jerk metrics. */
export const DEFAULT_WARM_UP_S = 1.5;

export const DEFAULT_TOLERANCES: ShotTolerances = {
  compositionErrorRmsMax: 0.05,
  sizeErrorMaxPct: 20,
  sizeErrorRmsPct: 10,
  inFocusFractionMin: 0.95,
  focusReversalsMax: 2,
  focalRatioMin: null,
  minPersonDistanceM: 'keep-out',
  minObstacleDistanceM: 'airframe',
  geofenceViolationsMax: 0,
  jerkRmsMax: null,
};

/**
 * Overrides per kind, tuned on the MPC controller (docs/cinematography.md has
 * the measured figures they were set from, roughly 2× margin). Issue 5's
 * targets where given: track's composition is the issue's 0.03, met with
 * the default predictor's noise calibrated on perception (range error
 * along the line of sight, a small bearing error across it; runner medium
 * shot 0.021 measured, noise-free 0.013).
 */
export const SHOT_TOLERANCES: Partial<Record<ShotKind, Partial<ShotTolerances>>> = {
  'dolly-zoom': { sizeErrorMaxPct: 3, sizeErrorRmsPct: 1.5, focalRatioMin: 2.5, inFocusFractionMin: 0.99, focusReversalsMax: 0 },
  track: { compositionErrorRmsMax: 0.03, sizeErrorMaxPct: 40, sizeErrorRmsPct: 15, inFocusFractionMin: 0.98 },
  follow: { compositionErrorRmsMax: 0.04, sizeErrorMaxPct: 25, sizeErrorRmsPct: 10, inFocusFractionMin: 0.98 },
  lead: { compositionErrorRmsMax: 0.04, sizeErrorMaxPct: 30, sizeErrorRmsPct: 12, inFocusFractionMin: 0.98 },
  profile: { compositionErrorRmsMax: 0.05, inFocusFractionMin: 0.98 },
  'two-shot': { inFocusFractionMin: 0.97, compositionErrorRmsMax: 0.05, focusReversalsMax: 3 },
  'rack-focus': { inFocusFractionMin: 0.9, focusReversalsMax: 1 },
  orbit: { compositionErrorRmsMax: 0.04 },
  'push-in': { compositionErrorRmsMax: 0.02, sizeErrorMaxPct: 8, sizeErrorRmsPct: 4 },
  'pull-out': { compositionErrorRmsMax: 0.02, sizeErrorMaxPct: 8, sizeErrorRmsPct: 4 },
  establishing: { compositionErrorRmsMax: 0.03, sizeErrorMaxPct: 40, sizeErrorRmsPct: 25, inFocusFractionMin: 0.9 },
  reveal: { compositionErrorRmsMax: 0.03, sizeErrorMaxPct: 40, sizeErrorRmsPct: 25 },
  flyover: { compositionErrorRmsMax: 0.08, sizeErrorMaxPct: 40, sizeErrorRmsPct: 25 },
  crane: { compositionErrorRmsMax: 0.03, sizeErrorMaxPct: 30, sizeErrorRmsPct: 15 },
  hold: { compositionErrorRmsMax: 0.02, focusReversalsMax: 1 },
};

export function tolerancesFor(kind: ShotKind, overrides: Partial<ShotTolerances> = {}): ShotTolerances {
  return { ...DEFAULT_TOLERANCES, ...SHOT_TOLERANCES[kind], ...overrides };
}
