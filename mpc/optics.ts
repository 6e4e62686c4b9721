/**
 * Thin-lens optics (DESIGN.md §4). Lens quantities in trade units: focal
 * length and circle of confusion in mm, focus distance in metres, f-number N.
 * Pure functions, no dependencies, no allocation.
 *
 *   H  = f²/(N·c) + f                         hyperfocal distance
 *   Dn = s(H − f)/(H + s − 2f)                near limit of depth of field
 *   Df = s(H − f)/(H − s)     for s < H,      far limit, +∞ at/after H
 *   dioptre form: 1/Dn ≈ 1/s + N·c/f², 1/Df ≈ 1/s − N·c/f²  (f, c in m)
 *
 * Distances are measured from the lens (front nodal point ≈ sensor for
 * subject distances ≫ f), as depth-of-field tables do.
 */

const MM_PER_M = 1000;

/** Hyperfocal distance in metres. */
export function hyperfocalM(focalLengthMm: number, fNumber: number, cocMm: number): number {
  const hMm = (focalLengthMm * focalLengthMm) / (fNumber * cocMm) + focalLengthMm;
  return hMm / MM_PER_M;
}

/** Near limit of acceptable sharpness, metres (always finite and > 0 for s > 0). */
export function nearLimitM(focalLengthMm: number, fNumber: number, cocMm: number, focusDistanceM: number): number {
  const f = focalLengthMm / MM_PER_M;
  const H = hyperfocalM(focalLengthMm, fNumber, cocMm);
  const s = focusDistanceM;
  return (s * (H - f)) / (H + s - 2 * f);
}

/** Far limit of acceptable sharpness, metres; +Infinity at or beyond the hyperfocal distance. */
export function farLimitM(focalLengthMm: number, fNumber: number, cocMm: number, focusDistanceM: number): number {
  const f = focalLengthMm / MM_PER_M;
  const H = hyperfocalM(focalLengthMm, fNumber, cocMm);
  const s = focusDistanceM;
  if (s >= H) return Number.POSITIVE_INFINITY;
  return (s * (H - f)) / (H - s);
}

/**
 * Half-width of the in-focus band in dioptres (1/m): a subject at distance d
 * is in focus when |1/d − 1/s| ≤ N·c/f². Smooth and well scaled, which is why
 * the MPC keeps focus in dioptres.
 */
export function focusBandHalfWidthDioptres(focalLengthMm: number, fNumber: number, cocMm: number): number {
  const f = focalLengthMm / MM_PER_M;
  const c = cocMm / MM_PER_M;
  return (fNumber * c) / (f * f);
}

/** Exact test: is a subject at `subjectDistanceM` within [near, far] for this lens setting? */
export function isInFocus(
  focalLengthMm: number, fNumber: number, cocMm: number, focusDistanceM: number, subjectDistanceM: number,
): boolean {
  return (
    subjectDistanceM >= nearLimitM(focalLengthMm, fNumber, cocMm, focusDistanceM) &&
    subjectDistanceM <= farLimitM(focalLengthMm, fNumber, cocMm, focusDistanceM)
  );
}

/** Field of view along a sensor dimension, radians: 2·atan(d / 2f). */
export function fieldOfViewRad(sensorDimensionMm: number, focalLengthMm: number): number {
  return 2 * Math.atan(sensorDimensionMm / (2 * focalLengthMm));
}

/** Focal length that gives a field of view (inverse of fieldOfViewRad). */
export function focalLengthForFieldOfViewMm(sensorDimensionMm: number, fovRad: number): number {
  return sensorDimensionMm / (2 * Math.tan(fovRad / 2));
}

/** Focal length in pixels: f · imageWidth / sensorWidth. */
export function pixelFocalLength(focalLengthMm: number, sensorWidthMm: number, imageWidthPx: number): number {
  return (focalLengthMm * imageWidthPx) / sensorWidthMm;
}

/**
 * Image height of an object of height `objectHeightM` at depth `depthM`, as a
 * fraction of the frame height: f·h/z on a sensor of height `sensorHeightMm`.
 * The dolly zoom holds this constant by keeping f/z constant.
 */
export function imageHeightFraction(
  focalLengthMm: number, objectHeightM: number, depthM: number, sensorHeightMm: number,
): number {
  return (focalLengthMm * objectHeightM) / (depthM * sensorHeightMm);
}
