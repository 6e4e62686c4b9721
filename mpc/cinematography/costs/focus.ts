/**
 * Focus and depth of field in dioptres (DESIGN.md §4, mpc/optics.ts): a
 * subject at distance d is sharp when |1/d − D| ≤ b, b = N·c/f² (f, c in m),
 * N = 2^(irisStops/2). In dioptres the band is symmetric and the residuals
 * are smooth, so focus and aperture can be chosen together by Gauss-Newton.
 *
 *   residual   r = w·(1/d − D)                         pulls focus onto the subject
 *   in band    ±(1/d − D) − m·b ≤ 0                     soft, two rows per slot
 *   defocus    m_bg·b − (D − 1/d_bg) ≤ 0                background beyond the far limit
 */
import { CameraGeometry, NQ } from '../camera-geometry.ts';
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

/** Focus row (1) of a slot: w·(1/d − D), d from the camera centre to the slot's mid-body point. */
export function focusResidual(
  geom: CameraGeometry, x: Float64Array, p: Float64Array, slotBase: number,
  r: Float64Array, row: number, drdx: Float64Array | null, nx: number, scratch: Float64Array,
): void {
  const w = p[slotBase + SLOT.W_FOCUS];
  if (w === 0) {
    r[row] = 0;
    return;
  }
  geom.project(p, slotBase + SLOT.MID);
  r[row] = w * (1 / Math.max(geom.distanceM, 1e-6) - x[X.FOCUS_DPT]);
  if (!drdx) return;
  geom.inverseDistanceGradient(scratch);
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
  geom.project(p, slotBase + SLOT.MID);
  const margin = p[P.BAND_MARGIN];
  const b = focusBand(x[X.FOCAL_MM], x[X.IRIS_STOPS], cocMm, scratch, NQ);
  const e = 1 / Math.max(geom.distanceM, 1e-6) - x[X.FOCUS_DPT];
  h[row] = e - margin * b;
  h[row + 1] = -e - margin * b;
  if (!dhdx) return;
  geom.inverseDistanceGradient(scratch);
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
