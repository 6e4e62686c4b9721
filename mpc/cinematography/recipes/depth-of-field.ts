/**
 * Depth-of-field choices a recipe makes beyond "focus on the subject": keep
 * the background soft for shallow-DoF shots, and choose the aperture that
 * holds two subjects at different distances inside one band (the focus
 * residuals of both slots then put the focus at their dioptric midpoint).
 */
import { clamp } from '../../../core/units.ts';
import { distance } from '../../../core/vec3.ts';
import { focusBand } from '../costs/focus.ts';
import { stopsFromFNumber } from '../layout.ts';
import { WEIGHTS, type SubjectSampler } from './common.ts';
import type { RecipeContext, StageReference } from './types.ts';

/** Something only counts as background when it is this much farther than the subject. */
export const BACKGROUND_MIN_DISTANCE_RATIO = 1.3;

/**
 * Shallow DoF: the nearest scene background object or other person lying
 * beyond the focused subject (slot 0) must stay outside the band.
 */
export function applyShallowDepthOfField(ctx: RecipeContext, out: StageReference, sampler: SubjectSampler, timeS: number): void {
  out.backgroundInvM = 0;
  out.defocusName = null;
  if (ctx.spec.depthOfField !== 'shallow' || !out.slots[0].subject) return;
  const cam = out.positionNedM;
  const subjectDist = distance(cam, out.slots[0].eyeNedM);
  let best = Infinity, bestName: string | null = null;
  const consider = (name: string, d: number) => {
    if (d > BACKGROUND_MIN_DISTANCE_RATIO * subjectDist && d < best) {
      best = d;
      bestName = name;
    }
  };
  for (const b of ctx.background) consider(b.name, distance(cam, b.positionNedM));
  for (const name of ctx.predictor.names()) {
    if (name === out.slots[0].subject || name === out.slots[1].subject) continue;
    consider(name, distance(cam, sampler.at(name, timeS).feetNedM));
  }
  if (bestName !== null) {
    out.backgroundInvM = 1 / best;
    out.defocusName = bestName;
  }
}

/**
 * Aperture (stops) whose band, shrunk by `margin`, spans both subjects'
 * inverse distances around their midpoint; never wider than the spec's or
 * default aperture asks for, never beyond the lens's range.
 */
export function apertureForPairStops(
  ctx: RecipeContext, preferredStops: number, focalLengthMm: number, distanceAM: number, distanceBM: number, margin: number,
): number {
  const needed = Math.abs(1 / distanceAM - 1 / distanceBM) / (2 * margin);
  const bAtF1 = focusBand(focalLengthMm, 0, ctx.rig.camera.cocMm); // band at f/1 (0 stops)
  const neededStops = needed > 0 ? stopsFromFNumber(needed / bAtF1) : -Infinity;
  const range = ctx.rig.lens.fNumber;
  return clamp(Math.max(preferredStops, neededStops), stopsFromFNumber(range.min), stopsFromFNumber(range.max));
}

/** Weight for an aperture the shot depends on (two subjects in one band). */
export const PAIR_IRIS_WEIGHT = 2 * WEIGHTS.iris;
