/**
 * Image-space cost terms of one subject slot (DESIGN.md §5): composition of
 * the eye point against its normalised image target, and the subject's image
 * size against the framing's full-body height fraction (core/framing.ts).
 * Residuals carry their weights; Jacobian rows are written into a row-major
 * ny × nx matrix (only the geometry and focal-length columns are non-zero).
 *
 *   u = ½ + (f/Sw)·X/Z,   v = ½ + (f/Sh)·Y/Z           (mpc/camera.ts)
 *   size = v(feet) − v(head top)                         (projected full-body height, as measured)
 *   r_u = w_c·(u − u*), r_v = w_c·(v − v*), r_s = w_s·(size/size* − 1)
 *
 * For a level camera size ≈ f·h/(z·Sh) (mpc/optics.ts imageHeightFraction);
 * projecting both ends keeps it exact when the camera looks up or down.
 */
import { CameraGeometry, GEOMETRY_STATE_INDEX, MIN_COST_DEPTH_M, NQ } from '../camera-geometry.ts';
import { SLOT, X } from '../layout.ts';

export interface SensorSize {
  sensorWidthMm: number;
  sensorHeightMm: number;
}

/** drdx[row, GEOMETRY_STATE_INDEX[j]] += coef · dq[offset + j] */
export function addGeometryRow(
  drdx: Float64Array, nx: number, row: number, coef: number, dq: Float64Array, offset: number,
): void {
  const base = row * nx;
  for (let j = 0; j < NQ; j++) drdx[base + GEOMETRY_STATE_INDEX[j]] += coef * dq[offset + j];
}

/**
 * Composition rows (2) of the slot at p[slotBase..]: r[row] (u), r[row+1] (v).
 * Projects the slot's eye point with `geom` (whose state must be set).
 */
export function compositionResidual(
  geom: CameraGeometry, sensor: SensorSize, x: Float64Array, p: Float64Array, slotBase: number,
  r: Float64Array, row: number, drdx: Float64Array | null, nx: number,
): void {
  const w = p[slotBase + SLOT.W_COMPOSITION];
  if (w === 0) {
    r[row] = 0;
    r[row + 1] = 0;
    return;
  }
  geom.project(p, slotBase + SLOT.EYE);
  const f = x[X.FOCAL_MM];
  const kx = f / sensor.sensorWidthMm, ky = f / sensor.sensorHeightMm;
  const Xo = geom.optical[0], Yo = geom.optical[1];
  const clamped = geom.optical[2] < MIN_COST_DEPTH_M;
  const Z = clamped ? MIN_COST_DEPTH_M : geom.optical[2];
  r[row] = w * (kx * (Xo / Z) + 0.5 - p[slotBase + SLOT.U_TARGET]);
  r[row + 1] = w * (ky * (Yo / Z) + 0.5 - p[slotBase + SLOT.V_TARGET]);
  if (!drdx) return;
  const J = geom.dOptical;
  // ∂(X/Z) = (∂X·Z − X·∂Z)/Z²; the clamped depth is a constant
  const zCoef = clamped ? 0 : 1;
  addGeometryRow(drdx, nx, row, (w * kx) / Z, J, 0);
  addGeometryRow(drdx, nx, row, (-w * kx * Xo * zCoef) / (Z * Z), J, 2 * NQ);
  addGeometryRow(drdx, nx, row + 1, (w * ky) / Z, J, NQ);
  addGeometryRow(drdx, nx, row + 1, (-w * ky * Yo * zCoef) / (Z * Z), J, 2 * NQ);
  drdx[row * nx + X.FOCAL_MM] += (w * Xo) / (Z * sensor.sensorWidthMm);
  drdx[(row + 1) * nx + X.FOCAL_MM] += (w * Yo) / (Z * sensor.sensorHeightMm);
}

/**
 * v of the point at p[o..o+2] and, with a Jacobian, add coef·∂v/∂x into row
 * `row` of drdx. `geom`'s state must be set.
 */
function projectV(
  geom: CameraGeometry, sensor: SensorSize, f: number, p: Float64Array, o: number,
  coef: number, drdx: Float64Array | null, row: number, nx: number,
): number {
  geom.project(p, o);
  const ky = f / sensor.sensorHeightMm;
  const Yo = geom.optical[1];
  const clamped = geom.optical[2] < MIN_COST_DEPTH_M;
  const Z = clamped ? MIN_COST_DEPTH_M : geom.optical[2];
  if (drdx) {
    const J = geom.dOptical;
    addGeometryRow(drdx, nx, row, (coef * ky) / Z, J, NQ);
    if (!clamped) addGeometryRow(drdx, nx, row, (-coef * ky * Yo) / (Z * Z), J, 2 * NQ);
    drdx[row * nx + X.FOCAL_MM] += (coef * Yo) / (Z * sensor.sensorHeightMm);
  }
  return 0.5 + ky * (Yo / Z);
}

/** Size row (1) of the slot: relative error of the projected full-body height (feet − head top). */
export function sizeResidual(
  geom: CameraGeometry, sensor: SensorSize, x: Float64Array, p: Float64Array, slotBase: number,
  r: Float64Array, row: number, drdx: Float64Array | null, nx: number,
): void {
  const w = p[slotBase + SLOT.W_SIZE];
  const target = p[slotBase + SLOT.SIZE_TARGET];
  if (w === 0 || !(target > 0)) {
    r[row] = 0;
    return;
  }
  const f = x[X.FOCAL_MM], k = w / target;
  const vFeet = projectV(geom, sensor, f, p, slotBase + SLOT.FEET, k, drdx, row, nx);
  const vTop = projectV(geom, sensor, f, p, slotBase + SLOT.TOP, -k, drdx, row, nx);
  r[row] = w * ((vFeet - vTop) / target - 1);
}
