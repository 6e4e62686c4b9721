/**
 * Linear tracking and smoothness rows (DESIGN.md §5): the viewpoint
 * (vehicle position and velocity references from the shot recipe), lens
 * references (the dolly zoom's focal-length schedule, the rack focus's
 * dioptre schedule, the aperture the recipe chose), the gimbal-yaw trim, and
 * the effort rows that keep motion, gimbal and lens smooth: acceleration
 * (stage state) and jerk / angular rates / lens motor rates (controls).
 * Penalising the focus *rate* is what stops focus hunting: the focus only
 * moves when the subject's distance trend is worth the effort.
 */
import { NU, P, R, U, X } from '../layout.ts';

/** Fixed weights of the effort rows (residual = weight · value). */
export interface SmoothnessWeights {
  /** per m/s² of commanded acceleration */
  acceleration: number;
  /** per m/s³ of jerk */
  jerk: number;
  /** per rad/s */
  yawRate: number;
  gimbalPitchRate: number;
  gimbalYawRate: number;
  /** per mm/s */
  zoomRate: number;
  /** per dioptre/s */
  focusRate: number;
  /** per stop/s */
  irisRate: number;
}

export const DEFAULT_SMOOTHNESS_WEIGHTS: Readonly<SmoothnessWeights> = {
  acceleration: 0.15,
  jerk: 0.04,
  yawRate: 0.3,
  gimbalPitchRate: 0.3,
  gimbalYawRate: 0.5,
  zoomRate: 0.02,
  focusRate: 2,
  irisRate: 0.3,
};

/** Rows R.POS … R.IRIS (all stages incl. terminal). */
export function referenceResidual(
  x: Float64Array, p: Float64Array, accelerationWeight: number, r: Float64Array, drdx: Float64Array | null, nx: number,
): void {
  const wNE = p[P.W_POS_NE], wD = p[P.W_POS_D], wV = p[P.W_VEL];
  r[R.POS] = wNE * (x[X.PN] - p[P.POS_REF]);
  r[R.POS + 1] = wNE * (x[X.PE] - p[P.POS_REF + 1]);
  r[R.POS + 2] = wD * (x[X.PD] - p[P.POS_REF + 2]);
  for (let i = 0; i < 3; i++) {
    r[R.VEL + i] = wV * (x[X.VN + i] - p[P.VEL_REF + i]);
    r[R.ACC + i] = accelerationWeight * x[X.AN + i];
  }
  r[R.GIMBAL_YAW] = p[P.W_GIMBAL_YAW] * x[X.GIMBAL_YAW];
  r[R.FOCAL] = p[P.W_FOCAL] * (x[X.FOCAL_MM] - p[P.FOCAL_REF_MM]);
  r[R.FOCUS] = p[P.W_FOCUS_REF] * (x[X.FOCUS_DPT] - p[P.FOCUS_REF_DPT]);
  r[R.IRIS] = p[P.W_IRIS] * (x[X.IRIS_STOPS] - p[P.IRIS_REF_STOPS]);
  if (!drdx) return;
  drdx[R.POS * nx + X.PN] = wNE;
  drdx[(R.POS + 1) * nx + X.PE] = wNE;
  drdx[(R.POS + 2) * nx + X.PD] = wD;
  for (let i = 0; i < 3; i++) {
    drdx[(R.VEL + i) * nx + X.VN + i] = wV;
    drdx[(R.ACC + i) * nx + X.AN + i] = accelerationWeight;
  }
  drdx[R.GIMBAL_YAW * nx + X.GIMBAL_YAW] = p[P.W_GIMBAL_YAW];
  drdx[R.FOCAL * nx + X.FOCAL_MM] = p[P.W_FOCAL];
  drdx[R.FOCUS * nx + X.FOCUS_DPT] = p[P.W_FOCUS_REF];
  drdx[R.IRIS * nx + X.IRIS_STOPS] = p[P.W_IRIS];
}

/** Rows R.CONTROL … R.CONTROL + NU − 1 (stages 0..N−1): diagonal effort on u. */
export function controlWeightsVector(w: SmoothnessWeights, target: Float64Array = new Float64Array(NU)): Float64Array {
  target[U.JN] = w.jerk;
  target[U.JE] = w.jerk;
  target[U.JD] = w.jerk;
  target[U.YAW_RATE] = w.yawRate;
  target[U.GIMBAL_PITCH_RATE] = w.gimbalPitchRate;
  target[U.GIMBAL_YAW_RATE] = w.gimbalYawRate;
  target[U.ZOOM_RATE] = w.zoomRate;
  target[U.FOCUS_RATE] = w.focusRate;
  target[U.IRIS_RATE] = w.irisRate;
  return target;
}

export function controlResidual(
  u: Float64Array, weights: Float64Array, r: Float64Array, drdu: Float64Array | null, nu: number,
): void {
  for (let i = 0; i < NU; i++) {
    r[R.CONTROL + i] = weights[i] * u[i];
    if (drdu) drdu[(R.CONTROL + i) * nu + i] = weights[i];
  }
}
