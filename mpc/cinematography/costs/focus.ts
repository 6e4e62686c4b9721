/**
 * Focus and depth of field in dioptres (DESIGN.md §4, mpc/optics.ts): a
 * subject at distance d is sharp when |1/d − D| ≤ b, b = N·c/f² (f, c in m),
 * N = 2^(irisStops/2). In dioptres the band is symmetric and the residuals
 * are smooth, so focus and aperture can be chosen together by Gauss-Newton.
 *
 * d is the optical depth of the subject's eye point (the plane of focus is
 * perpendicular to the optical axis, so depth, not range, decides sharpness).
 *
 *   residual   r = w·(1/d − D)                         pulls focus onto the subject
 *   in band    ±(1/d − D) − m·b ≤ 0                     soft, two rows per slot
 *   defocus    m_bg·b − (D − 1/d_bg) ≤ 0                background beyond the far limit
 */
import { CameraGeometry, MIN_COST_DEPTH_M, NQ } from '../camera-geometry.ts';
import { P, SLOT, X } from '../layout.ts';
import { addGeometryRow } from './image-terms.ts';

const MM_PER_M = 1000;
/** The background must sit this many band half-widths beyond the focus (clearly soft, not borderline). */
export const DEFOCUS_BAND_FACTOR = 1.5;

/** b(f, irisStops) and its partial derivatives, for a circle of confusion in mm. */
export function focusBand(
  focalLengthMm: number, irisStops: number, cocMm: number, grad?: Float64Array, gradOffset = 0,
): number {
  const fM = focalLengthMm / MM_PER_M;
  const b = (Math.pow(2, irisStops / 2) * (cocMm / MM_PER_M)) / (fM * fM);
  if (grad) {
    grad[gradOffset] = (-2 * b) / focalLengthMm; // ∂b/∂f_mm
    grad[gradOffset + 1] = (b * Math.LN2) / 2; // ∂b/∂irisStops
  }
  return b;
}

/**
 * Project the slot's eye point; returns 1/depth and writes ∂(1/depth)/∂q into
 * grad[0..NQ) (zero where the depth is clamped).
 */
function inverseDepth(geom: CameraGeometry, p: Float64Array, slotBase: number, grad: Float64Array): number {
  geom.project(p, slotBase + SLOT.EYE);
  const z = geom.optical[2];
  if (z < MIN_COST_DEPTH_M) {
    grad.fill(0, 0, NQ);
    return 1 / MIN_COST_DEPTH_M;
  }
  const k = -1 / (z * z);
  for (let j = 0; j < NQ; j++) grad[j] = k * geom.dOptical[2 * NQ + j];
  return 1 / z;
}

/** Focus row (1) of a slot: w·(1/d − D), d the optical depth of the slot's eye point. */
export function focusResidual(
  geom: CameraGeometry, x: Float64Array, p: Float64Array, slotBase: number,
  r: Float64Array, row: number, drdx: Float64Array | null, nx: number, scratch: Float64Array,
): void {
  const w = p[slotBase + SLOT.W_FOCUS];
  if (w === 0) {
    r[row] = 0;
    return;
  }
  r[row] = w * (inverseDepth(geom, p, slotBase, scratch) - x[X.FOCUS_DPT]);
  if (!drdx) return;
  addGeometryRow(drdx, nx, row, w, scratch, 0);
  drdx[row * nx + X.FOCUS_DPT] -= w;
}

/** In-band rows (2) of a slot; inactive slots write −1 (satisfied) with zero gradient. */
export function focusBandConstraint(
  geom: CameraGeometry, cocMm: number, x: Float64Array, p: Float64Array, slotBase: number,
  h: Float64Array, row: number, dhdx: Float64Array | null, nx: number, scratch: Float64Array,
): void {
  if (p[slotBase + SLOT.IN_BAND] === 0) {
    h[row] = -1;
    h[row + 1] = -1;
    return;
  }
  const margin = p[P.BAND_MARGIN];
  const e = inverseDepth(geom, p, slotBase, scratch) - x[X.FOCUS_DPT];
  const b = focusBand(x[X.FOCAL_MM], x[X.IRIS_STOPS], cocMm, scratch, NQ);
  h[row] = e - margin * b;
  h[row + 1] = -e - margin * b;
  if (!dhdx) return;
  const dbdf = scratch[NQ], dbdA = scratch[NQ + 1];
  for (let s = 0; s < 2; s++) {
    const sign = s === 0 ? 1 : -1;
    const rr = row + s;
    addGeometryRow(dhdx, nx, rr, sign, scratch, 0);
    dhdx[rr * nx + X.FOCUS_DPT] -= sign;
    dhdx[rr * nx + X.FOCAL_MM] -= margin * dbdf;
    dhdx[rr * nx + X.IRIS_STOPS] -= margin * dbdA;
  }
}

/** Defocus row (1): the background (at 1/d_bg in p) stays beyond the far limit. */
export function defocusConstraint(
  cocMm: number, x: Float64Array, p: Float64Array, h: Float64Array, row: number, dhdx: Float64Array | null, nx: number,
  scratch: Float64Array,
): void {
  if (p[P.DEFOCUS] === 0) {
    h[row] = -1;
    return;
  }
  const b = focusBand(x[X.FOCAL_MM], x[X.IRIS_STOPS], cocMm, scratch);
  h[row] = DEFOCUS_BAND_FACTOR * b - (x[X.FOCUS_DPT] - p[P.BACKGROUND_INV_M]);
  if (!dhdx) return;
  dhdx[row * nx + X.FOCAL_MM] += DEFOCUS_BAND_FACTOR * scratch[0];
  dhdx[row * nx + X.IRIS_STOPS] += DEFOCUS_BAND_FACTOR * scratch[1];
  dhdx[row * nx + X.FOCUS_DPT] -= 1;
}
