/**
 * Hard bounds of the cinematography OCP, from the rig's hardware profile:
 * airframe speed and acceleration (capped by the rig's safety speed), gimbal
 * axis ranges and rates, lens ranges and motor speeds. Rates are derated by
 * named factors so the plan leaves the vehicle's and motors' own loops some
 * authority to reject disturbances.
 */
import type { Rig } from '../../hardware-profiles/schema.ts';
import { RAD_PER_DEG } from '../../core/units.ts';
import { NU, NX, U, X, stopsFromFNumber } from './layout.ts';

/** Share of a rate limit the plan may use. */
export const RATE_DERATE = 0.9;
/** Share of the airframe's acceleration the plan may command per axis (the box diagonal stays ≤ the limit). */
export const HORIZONTAL_ACCEL_PER_AXIS_SHARE = 0.7;
export const VERTICAL_ACCEL_SHARE = 0.8;
/** Jerk limit per axis, m/s³ (smooth feed-forward; PX4's default MPC_JERK_AUTO class). */
export const DEFAULT_JERK_LIMIT_MPS3 = 12;
/** The gimbal trims heading by at most this much; the vehicle turns for the rest. */
export const GIMBAL_YAW_LIMIT_RAD = 60 * RAD_PER_DEG;
/** The camera never tips past straight down: beyond −90° the picture would be upside down. */
export const UPRIGHT_MIN_GIMBAL_PITCH_RAD = -Math.PI / 2;
/** Nearest focus the plan uses when the lens has no stated far limit: 0 dioptres = infinity. */
export const INFINITY_FOCUS_DPT = 0;

export interface CinematographyBounds {
  lbx: Float64Array;
  ubx: Float64Array;
  lbu: Float64Array;
  ubu: Float64Array;
}

export function boundsFromRig(rig: Rig, jerkLimitMps3 = DEFAULT_JERK_LIMIT_MPS3): CinematographyBounds {
  const lbx = new Float64Array(NX).fill(-Infinity);
  const ubx = new Float64Array(NX).fill(Infinity);
  const lbu = new Float64Array(NU);
  const ubu = new Float64Array(NU);
  const { airframe, gimbal, lens, safety } = rig;

  const vH = Math.min(airframe.maxHorizontalSpeedMps, safety.maxSpeedMps);
  lbx[X.VN] = -vH; ubx[X.VN] = vH;
  lbx[X.VE] = -vH; ubx[X.VE] = vH;
  lbx[X.VD] = -Math.min(airframe.maxAscentSpeedMps, safety.maxSpeedMps);
  ubx[X.VD] = Math.min(airframe.maxDescentSpeedMps, safety.maxSpeedMps);
  const aH = HORIZONTAL_ACCEL_PER_AXIS_SHARE * airframe.maxHorizontalAccelMps2;
  const aV = VERTICAL_ACCEL_SHARE * airframe.maxVerticalAccelMps2;
  lbx[X.AN] = -aH; ubx[X.AN] = aH;
  lbx[X.AE] = -aH; ubx[X.AE] = aH;
  lbx[X.AD] = -aV; ubx[X.AD] = aV;

  lbx[X.GIMBAL_PITCH] = Math.max(gimbal.axes.pitch.minDeg * RAD_PER_DEG, UPRIGHT_MIN_GIMBAL_PITCH_RAD);
  ubx[X.GIMBAL_PITCH] = gimbal.axes.pitch.maxDeg * RAD_PER_DEG;
  lbx[X.GIMBAL_YAW] = Math.max(gimbal.axes.yaw.minDeg * RAD_PER_DEG, -GIMBAL_YAW_LIMIT_RAD);
  ubx[X.GIMBAL_YAW] = Math.min(gimbal.axes.yaw.maxDeg * RAD_PER_DEG, GIMBAL_YAW_LIMIT_RAD);

  lbx[X.FOCAL_MM] = lens.focalLengthMm.min;
  ubx[X.FOCAL_MM] = lens.focalLengthMm.max;
  lbx[X.FOCUS_DPT] = lens.focusDistanceM.max === null ? INFINITY_FOCUS_DPT : 1 / lens.focusDistanceM.max;
  ubx[X.FOCUS_DPT] = 1 / lens.focusDistanceM.min;
  lbx[X.IRIS_STOPS] = stopsFromFNumber(lens.fNumber.min);
  ubx[X.IRIS_STOPS] = stopsFromFNumber(lens.fNumber.max);

  const rate = (v: number, i: number) => {
    lbu[i] = -RATE_DERATE * v;
    ubu[i] = RATE_DERATE * v;
  };
  rate(jerkLimitMps3 / RATE_DERATE, U.JN);
  rate(jerkLimitMps3 / RATE_DERATE, U.JE);
  rate(jerkLimitMps3 / RATE_DERATE, U.JD);
  rate(airframe.maxYawRateDegps * RAD_PER_DEG, U.YAW_RATE);
  rate(gimbal.axes.pitch.maxRateDegps * RAD_PER_DEG, U.GIMBAL_PITCH_RATE);
  rate(gimbal.axes.yaw.maxRateDegps * RAD_PER_DEG, U.GIMBAL_YAW_RATE);
  rate(lens.motors.zoom.maxSpeed, U.ZOOM_RATE);
  rate(lens.motors.focus.maxSpeed, U.FOCUS_RATE);
  rate(lens.motors.iris.maxSpeed, U.IRIS_RATE);
  return { lbx, ubx, lbu, ubu };
}
