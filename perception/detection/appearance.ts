/**
 * Appearance descriptor for re-identification: colour histograms of the upper
 * and lower half of a person's box (shirt and trousers separate people that a
 * single histogram mixes up). 4×4×4 RGB bins per half, each half L1-normalised.
 * Compared with the Bhattacharyya coefficient (1 = identical, 0 = disjoint).
 */
import type { RgbFrame } from '../../core/perception-types.ts';

const BINS_PER_CHANNEL = 4;
const BINS_PER_HALF = BINS_PER_CHANNEL ** 3;
export const APPEARANCE_LENGTH = 2 * BINS_PER_HALF;
/** Pixels sampled per box at most; the stride grows with the box. */
const MAX_SAMPLES_PER_HALF = 600;
/** The box edge is mostly background: use the central part. */
const INNER_WIDTH_FRACTION = 0.6;

export function colourHistogram(frame: RgbFrame, bbox: readonly number[], target = new Float32Array(APPEARANCE_LENGTH)): Float32Array {
  target.fill(0);
  const [bx, by, bw, bh] = bbox as [number, number, number, number];
  const x0 = Math.max(0, Math.floor(bx + (bw * (1 - INNER_WIDTH_FRACTION)) / 2));
  const x1 = Math.min(frame.width, Math.ceil(bx + bw - (bw * (1 - INNER_WIDTH_FRACTION)) / 2));
  const yTop = Math.max(0, Math.floor(by + bh * 0.1)); // skip the head and hair
  const yMid = by + bh * 0.5;
  const y1 = Math.min(frame.height, Math.ceil(by + bh * 0.95));
  if (x1 <= x0 || y1 <= yTop) return target;
  const area = (x1 - x0) * (y1 - yTop);
  const stride = Math.max(1, Math.floor(Math.sqrt(area / (2 * MAX_SAMPLES_PER_HALF))));
  const shift = 8 - Math.log2(BINS_PER_CHANNEL);
  const d = frame.data;
  let upper = 0, lower = 0;
  for (let y = yTop; y < y1; y += stride) {
    const half = y < yMid ? 0 : BINS_PER_HALF;
    let p = (y * frame.width + x0) * 3;
    for (let x = x0; x < x1; x += stride, p += 3 * stride) {
      const bin = ((d[p]! >> shift) * BINS_PER_CHANNEL + (d[p + 1]! >> shift)) * BINS_PER_CHANNEL + (d[p + 2]! >> shift);
      target[half + bin]!++;
      if (half) lower++;
      else upper++;
    }
  }
  for (let i = 0; i < BINS_PER_HALF; i++) {
    if (upper) target[i]! /= upper;
    if (lower) target[BINS_PER_HALF + i]! /= lower;
  }
  return target;
}

/** Mean Bhattacharyya coefficient of the two halves, in [0, 1]. */
export function appearanceSimilarity(a: Float32Array, b: Float32Array): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += Math.sqrt(a[i]! * b[i]!);
  return s / 2;
}

/** target = (1 − α)·target + α·sample, the slow update of a track's appearance. */
export function blendAppearance(target: Float32Array, sample: Float32Array, alpha: number): void {
  for (let i = 0; i < target.length; i++) target[i] = (1 - alpha) * target[i]! + alpha * sample[i]!;
}
