/**
 * Index layout of the cinematography OCP (DESIGN.md §5): which entry of the
 * state x, the control u and the per-stage parameter vector p means what.
 * Every other file of the model addresses vectors through these names only.
 *
 * State (nx = 15): the vehicle is a triple integrator (position, velocity,
 * commanded acceleration) so that jerk is a control and can be penalised;
 * camera attitude is vehicle yaw + gimbal yaw (relative) and gimbal pitch;
 * the lens is focal length (mm), focus in dioptres (1/m, 0 = infinity) and
 * aperture in stops (irisStops = 2·log2 N, so the iris motor's stops/s is a
 * plain rate bound).
 */
export const X = {
  PN: 0, PE: 1, PD: 2,
  VN: 3, VE: 4, VD: 5,
  AN: 6, AE: 7, AD: 8,
  YAW: 9,
  GIMBAL_PITCH: 10,
  GIMBAL_YAW: 11,
  FOCAL_MM: 12,
  FOCUS_DPT: 13,
  IRIS_STOPS: 14,
} as const;
export const NX = 15;

/** Controls (nu = 9): jerk (3), yaw rate, gimbal pitch/yaw rates, zoom (mm/s), focus (dpt/s), iris (stops/s). */
export const U = {
  JN: 0, JE: 1, JD: 2,
  YAW_RATE: 3,
  GIMBAL_PITCH_RATE: 4,
  GIMBAL_YAW_RATE: 5,
  ZOOM_RATE: 6,
  FOCUS_RATE: 7,
  IRIS_RATE: 8,
} as const;
export const NU = 9;

/** Subject slots composed by the image costs (two-shots need two). */
export const SUBJECT_SLOTS = 2;
/** People the keep-out constraints watch at each stage (nearest first). */
export const KEEP_OUT_SLOTS = 3;
/** Geofence edges linearised per stage (nearest first; exact for convex fences with ≤ this many edges near the drone). */
export const FENCE_EDGE_SLOTS = 4;

/** Parameters of one subject slot, relative to its base offset. */
export const SLOT = {
  /** eye point, NED: composition, and its optical depth is the focus distance */
  EYE: 0,
  /** feet and head-top points, NED: the full-body image height is v(feet) − v(top) */
  FEET: 3,
  TOP: 6,
  U_TARGET: 9,
  V_TARGET: 10,
  /** full-body image height / frame height */
  SIZE_TARGET: 11,
  W_COMPOSITION: 12,
  W_SIZE: 13,
  W_FOCUS: 14,
  /** 1 = this subject must lie inside the depth of field (soft constraint) */
  IN_BAND: 15,
} as const;
export const SLOT_SIZE = 16;

const SLOTS_END = SUBJECT_SLOTS * SLOT_SIZE;

export const P = {
  slot: (i: number): number => i * SLOT_SIZE,
  /** camera viewpoint reference (vehicle position), NED */
  POS_REF: SLOTS_END,
  VEL_REF: SLOTS_END + 3,
  W_POS_NE: SLOTS_END + 6,
  W_POS_D: SLOTS_END + 7,
  W_VEL: SLOTS_END + 8,
  FOCAL_REF_MM: SLOTS_END + 9,
  W_FOCAL: SLOTS_END + 10,
  FOCUS_REF_DPT: SLOTS_END + 11,
  W_FOCUS_REF: SLOTS_END + 12,
  IRIS_REF_STOPS: SLOTS_END + 13,
  W_IRIS: SLOTS_END + 14,
  /** weight keeping the gimbal yaw near zero (the vehicle turns, the gimbal trims) */
  W_GIMBAL_YAW: SLOTS_END + 15,
  /** fraction of the focus band the in-band subjects must stay within (0 < m ≤ 1) */
  BAND_MARGIN: SLOTS_END + 16,
  /** 1/distance of the background that a shallow-DoF shot keeps out of focus; 0 with DEFOCUS = 0 */
  BACKGROUND_INV_M: SLOTS_END + 17,
  DEFOCUS: SLOTS_END + 18,
  /** per person: N, E, D of the point to keep away from, and radius (0 = slot unused) */
  keepOut: (j: number): number => SLOTS_END + 19 + 4 * j,
  /** per edge: outward normal (n_N, n_E) and offset c; h = n·p_NE − c ≤ 0 */
  fenceEdge: (j: number): number => SLOTS_END + 19 + 4 * KEEP_OUT_SLOTS + 3 * j,
  MIN_ALT_M: SLOTS_END + 19 + 4 * KEEP_OUT_SLOTS + 3 * FENCE_EDGE_SLOTS,
  MAX_ALT_M: SLOTS_END + 20 + 4 * KEEP_OUT_SLOTS + 3 * FENCE_EDGE_SLOTS,
} as const;
export const NP = SLOTS_END + 21 + 4 * KEEP_OUT_SLOTS + 3 * FENCE_EDGE_SLOTS;

/** Stage residual rows. */
export const R = {
  /** per slot: u, v, size, focus */
  slot: (i: number): number => 4 * i,
  POS: 4 * SUBJECT_SLOTS,
  VEL: 4 * SUBJECT_SLOTS + 3,
  ACC: 4 * SUBJECT_SLOTS + 6,
  GIMBAL_YAW: 4 * SUBJECT_SLOTS + 9,
  FOCAL: 4 * SUBJECT_SLOTS + 10,
  FOCUS: 4 * SUBJECT_SLOTS + 11,
  IRIS: 4 * SUBJECT_SLOTS + 12,
  /** control effort rows (stage only) */
  CONTROL: 4 * SUBJECT_SLOTS + 13,
} as const;
export const NY_TERMINAL = R.CONTROL;
export const NY = R.CONTROL + NU;

/** Soft-constraint rows. */
export const H = {
  keepOut: (j: number): number => j,
  fenceEdge: (j: number): number => KEEP_OUT_SLOTS + j,
  MIN_ALT: KEEP_OUT_SLOTS + FENCE_EDGE_SLOTS,
  MAX_ALT: KEEP_OUT_SLOTS + FENCE_EDGE_SLOTS + 1,
  /** per slot: (1/d − D) − m·b ≤ 0 and (D − 1/d) − m·b ≤ 0 */
  band: (i: number): number => KEEP_OUT_SLOTS + FENCE_EDGE_SLOTS + 2 + 2 * i,
  DEFOCUS: KEEP_OUT_SLOTS + FENCE_EDGE_SLOTS + 2 + 2 * SUBJECT_SLOTS,
} as const;
export const NH = H.DEFOCUS + 1;

/** Aperture stops ↔ f-number: irisStops = 2·log2(N). */
export const stopsFromFNumber = (fNumber: number): number => 2 * Math.log2(fNumber);
export const fNumberFromStops = (irisStops: number): number => Math.pow(2, irisStops / 2);
