/**
 * Shot recipes for every flyable ShotSpec kind: ShotSpec + rig + subject
 * predictions → a StageReference at any time over the horizon, and the
 * shot's honest per-tick ShotTargets derived from the same reference (what
 * the MPC aims for is exactly what the metrics compare against).
 */
import { FLYABLE_SHOT_KINDS, type ShotKind } from '../../../core/shot-spec.ts';
import type { ShotTargets } from '../../../core/shot-controller.ts';
import { CinePilotError } from '../../../core/errors.ts';
import { dollyZoomRecipe, craneRecipe, flyoverRecipe, pullOutRecipe, pushInRecipe, revealRecipe } from './camera-moves.ts';
import {
  establishingRecipe, followRecipe, holdRecipe, leadRecipe, orbitRecipe, profileRecipe, trackRecipe,
} from './single-subject.ts';
import { rackFocusRecipe, twoShotRecipe } from './two-subjects.ts';
import type { RecipeContext, ShotRecipe, StageReference } from './types.ts';

type FlyableKind = (typeof FLYABLE_SHOT_KINDS)[number];

export const RECIPES: Record<FlyableKind, (ctx: RecipeContext) => ShotRecipe> = {
  track: trackRecipe,
  follow: followRecipe,
  lead: leadRecipe,
  profile: profileRecipe,
  orbit: orbitRecipe,
  'dolly-zoom': dollyZoomRecipe,
  'push-in': pushInRecipe,
  'pull-out': pullOutRecipe,
  'rack-focus': rackFocusRecipe,
  reveal: revealRecipe,
  crane: craneRecipe,
  flyover: flyoverRecipe,
  'two-shot': twoShotRecipe,
  establishing: establishingRecipe,
  hold: holdRecipe,
};

/** Subjects a spec refers to (subjects, focusOn, focusFrom), deduplicated, in order. */
export function referencedSubjects(spec: RecipeContext['spec']): string[] {
  const out: string[] = [];
  for (const n of [...spec.subjects, spec.focusOn, spec.focusFrom]) if (n && !out.includes(n)) out.push(n);
  return out;
}

export function isFlyable(kind: ShotKind): kind is FlyableKind {
  return (FLYABLE_SHOT_KINDS as readonly string[]).includes(kind);
}

/**
 * Build the recipe for a spec. Unknown subjects → SHOT_UNKNOWN_SUBJECT (the
 * message lists the known names); vehicle actions and impossible framings →
 * SHOT_UNFLYABLE.
 */
export function createRecipe(ctx: RecipeContext): ShotRecipe {
  const { spec } = ctx;
  if (!isFlyable(spec.kind)) {
    throw new CinePilotError('SHOT_UNFLYABLE', `"${spec.kind}" is a vehicle action, not a camera shot; send it to the vehicle (stop/land/return-home), not to the shot controller.`);
  }
  const known = ctx.predictor.names();
  const unknown = referencedSubjects(spec).filter((n) => !known.includes(n));
  if (unknown.length) {
    throw new CinePilotError(
      'SHOT_UNKNOWN_SUBJECT',
      `unknown subject${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}: known subjects are ${known.length ? known.join(', ') : '(none yet — wait for perception to name someone)'}.`,
    );
  }
  if (spec.kind !== 'hold' && spec.subjects.length === 0) {
    throw new CinePilotError('SHOT_UNFLYABLE', `a ${spec.kind} needs at least one subject; known subjects are ${known.join(', ') || '(none)'}.`);
  }
  return RECIPES[spec.kind](ctx);
}

/** The shot's targets at one instant, from its stage reference. */
export function targetsFromReference(ref: StageReference): ShotTargets {
  const targets: ShotTargets = { points: [], heights: [], focusSubjects: [], defocusSubjects: [] };
  for (const slot of ref.slots) {
    if (!slot.subject) continue;
    const inFrame = slot.uTarget >= 0 && slot.uTarget <= 1 && slot.vTarget >= 0 && slot.vTarget <= 1;
    if (slot.wComposition > 0 && inFrame) targets.points.push({ subject: slot.subject, point: 'head', u: slot.uTarget, v: slot.vTarget });
    if (slot.wSize > 0 && slot.sizeTarget > 0) targets.heights.push({ subject: slot.subject, heightFraction: slot.sizeTarget });
    if (slot.inBand) targets.focusSubjects.push(slot.subject);
  }
  if (ref.defocusName) targets.defocusSubjects.push(ref.defocusName);
  return targets;
}
