/**
 * CAMERA_SETTINGS reports zoom and focus as a percentage of the lens's range,
 * not in millimetres and metres, so both ends of a link need the lens range
 * (from the lens profile, as a real camera publishes it in its definition
 * file). Zoom is linear in focal length; focus is linear in dioptres, 0 % at
 * the minimum focus distance and 100 % at the far end (infinity when the lens
 * focuses to infinity), which is how focus rings are scaled.
 */
import { clamp } from '../../../core/units.ts';

export interface LensRanges {
  focalLengthMm: { min: number; max: number };
  focusDistanceM: { min: number; max: number | null };
  fNumber: { min: number; max: number };
}

/** Far focus stands in for infinity where a number is required, m. */
export const FAR_FOCUS_M = 1000;

export function zoomLevelPercent(focalLengthMm: number, lens: LensRanges): number {
  const { min, max } = lens.focalLengthMm;
  if (!(max > min)) return 0;
  return clamp((100 * (focalLengthMm - min)) / (max - min), 0, 100);
}

export function focalLengthFromZoomLevel(percent: number, lens: LensRanges): number {
  const { min, max } = lens.focalLengthMm;
  return min + (clamp(percent, 0, 100) / 100) * (max - min);
}

function focusDioptreRange(lens: LensRanges): { near: number; far: number } {
  return { near: 1 / lens.focusDistanceM.min, far: lens.focusDistanceM.max ? 1 / lens.focusDistanceM.max : 0 };
}

export function focusLevelPercent(focusDistanceM: number, lens: LensRanges): number {
  const { near, far } = focusDioptreRange(lens);
  if (!(near > far)) return 0;
  return clamp((100 * (near - 1 / Math.max(focusDistanceM, 1e-6))) / (near - far), 0, 100);
}

export function focusDistanceFromLevel(percent: number, lens: LensRanges): number {
  const { near, far } = focusDioptreRange(lens);
  const dioptres = near - (clamp(percent, 0, 100) / 100) * (near - far);
  return dioptres > 1 / FAR_FOCUS_M ? 1 / dioptres : FAR_FOCUS_M;
}
