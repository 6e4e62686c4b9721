/**
 * Recipes whose point is a scheduled move, so the MPC previews it over the
 * horizon: dolly zoom (focal-length schedule f(t) with the distance holding
 * f/z constant), push-in and pull-out (distance schedule at a fixed focal
 * length, size target following it), crane (height schedule), flyover (a
 * pass over the subject along its heading) and reveal (the subject rises into
 * frame from below the top edge as the camera climbs and tilts up).
 */
import { PERSON_POINT_HEIGHT_FRACTION } from '../../../core/framing.ts';
import { CinePilotError } from '../../../core/errors.ts';
import { clamp } from '../../../core/units.ts';
import {
  SubjectSampler, altitudeBandM, startHorizontalDistanceM, WEIGHTS, aimSlot, altitudeForAngleM, clearSlot, eyeLineFor, fixedFocalOr,
  frameSubject, framingSize, holdLens, placeCamera, safeDistanceM, smoothstep, startBearingRad, trapezoidRamp,
  distanceForSizeM, type SubjectView,
} from './common.ts';
import { applyShallowDepthOfField } from './depth-of-field.ts';
import type { RecipeContext, ShotRecipe, StageReference } from './types.ts';

export const DEFAULT_DOLLY_ZOOM_S = 8;
export const DEFAULT_MOVE_SPEED_MPS = 1;
/** A push-in without a target framing or distance ends at 1/ratio of the start distance, a pull-out at ratio × it. */
export const DEFAULT_MOVE_RATIO = 1.8;
export const MIN_MOVE_S = 2;
export const DEFAULT_CRANE_RISE_M = 4;
export const DEFAULT_CRANE_S = 6;
export const DEFAULT_FLYOVER_HEIGHT_M = 10;
export const DEFAULT_FLYOVER_HALF_LENGTH_M = 12;
export const DEFAULT_FLYOVER_SPEED_MPS = 3;
/** Composition fades out once the subject is this close to passing under the camera, m (along track). */
export const FLYOVER_FADE_M = 3;
export const DEFAULT_REVEAL_S = 5;
/** Where the eye line starts in a reveal: above the top edge (v < 0), out of frame. */
export const REVEAL_HIDDEN_V = -0.35;
/** A reveal starts at least this far below its final height, m. */
export const REVEAL_START_BELOW_M = 1.5;

function subjectOf(ctx: RecipeContext, kind: string): string {
  const name = ctx.spec.subjects[0];
  if (!name) throw new CinePilotError('SHOT_UNFLYABLE', `a ${kind} needs a subject: name one (e.g. "${kind} on alice").`);
  return name;
}

/** Camera altitude minus the subject's mid-body altitude. */
function midHeightAbove(view: SubjectView, altitudeM: number): number {
  return altitudeM - (-view.feetNedM.z + view.heightM * PERSON_POINT_HEIGHT_FRACTION.hips);
}

/** Horizontal distance that puts mid-body at 3-D distance `depthM` from a camera `dz` above it. */
function horizontalForDepth(depthM: number, dz: number, minM: number): number {
  return Math.max(Math.sqrt(Math.max(depthM * depthM - dz * dz, 0)), minM);
}

/** 3-D distance from the start camera position to a subject's mid-body. */
function startDepth(ctx: RecipeContext, view: SubjectView): number {
  const p = ctx.start.positionNedM;
  const dz = -p.z - (-view.feetNedM.z + view.heightM * PERSON_POINT_HEIGHT_FRACTION.hips);
  return Math.hypot(p.x - view.feetNedM.x, p.y - view.feetNedM.y, dz);
}

/**
 * Dolly zoom: f(t) eases from fromMm to toMm over the duration while the
 * depth follows z(t) = z0·f(t)/f0, so the subject's image height f·h/(z·Sh)
 * stays at its start value and only the background's perspective changes.
 * z0 is the current depth when that keeps every z(t) outside the keep-out
 * radius, else the nearest safe one.
 */
export function dollyZoomRecipe(ctx: RecipeContext): ShotRecipe {
  const name = subjectOf(ctx, 'dolly zoom');
  const lens = ctx.rig.lens.focalLengthMm;
  const spec = ctx.spec.focalLengthMm;
  const f0 = clamp(typeof spec === 'object' ? spec.fromMm : lens.min, lens.min, lens.max);
  const f1 = clamp(typeof spec === 'object' ? spec.toMm : typeof spec === 'number' ? spec : lens.max, lens.min, lens.max);
  if (Math.abs(f1 - f0) < 1) {
    throw new CinePilotError('SHOT_UNFLYABLE', `a dolly zoom needs a focal-length change; ${f0}→${f1} mm is none (lens ${lens.min}–${lens.max} mm).`);
  }
  const durationS = ctx.spec.durationS ?? DEFAULT_DOLLY_ZOOM_S;
  const sampler = new SubjectSampler(ctx);
  const view0 = sampler.at(name, ctx.startTimeS);
  const bearing = startBearingRad(ctx, view0.feetNedM);
  const safe = safeDistanceM(ctx) * (f0 / Math.min(f0, f1));
  let z0 = ctx.spec.distanceM ?? startDepth(ctx, view0);
  if (ctx.spec.framing) z0 = distanceForSizeM(ctx, f0, view0.heightM, framingSize(ctx.spec.framing));
  z0 = Math.max(z0, safe);
  const size = (f0 * view0.heightM) / (z0 * ctx.rig.camera.sensorHeightMm);
  const eyeV = eyeLineFor(ctx, ctx.spec.framing ?? (size > 1 ? 'medium-wide' : size > 0.5 ? 'full' : 'wide'));
  const band = altitudeBandM(ctx);
  const alt = clamp(-ctx.start.positionNedM.z, band.floor, band.ceiling);
  return {
    kind: 'dolly-zoom',
    durationS,
    reference(elapsedS: number, timeS: number, out: StageReference): void {
      const view = sampler.at(name, timeS);
      const f = f0 + (f1 - f0) * smoothstep(elapsedS / durationS);
      const z = (z0 * f) / f0;
      // the camera keeps its height: a dolly zoom is a move along the line of sight, nothing else
      placeCamera(out, view.feetNedM, bearing, horizontalForDepth(z, midHeightAbove(view, alt), 0), alt);
      out.wPosNE = WEIGHTS.positionNE;
      out.wPosD = WEIGHTS.positionD;
      out.wVel = WEIGHTS.velocity;
      frameSubject(aimSlot(out.slots[0], view), 0.5, eyeV, size);
      out.slots[0].wSize = 2 * WEIGHTS.size; // the size is what a dolly zoom is about
      clearSlot(out.slots[1]);
      holdLens(ctx, out, f);
      out.wFocal = WEIGHTS.focalSchedule;
      applyShallowDepthOfField(ctx, out, sampler, timeS);
    },
  };
}

/** Push-in (closer) and pull-out (farther) at a fixed focal length; the size target follows the distance. */
function distanceMoveRecipe(ctx: RecipeContext, kind: 'push-in' | 'pull-out'): ShotRecipe {
  const name = subjectOf(ctx, kind);
  const sampler = new SubjectSampler(ctx);
  const view0 = sampler.at(name, ctx.startTimeS);
  const focal = fixedFocalOr(ctx, ctx.start.focalLengthMm);
  const bearing = startBearingRad(ctx, view0.feetNedM);
  const safe = safeDistanceM(ctx);
  const z0 = Math.max(startDepth(ctx, view0), safe);
  const endFraming = ctx.spec.framing ?? (kind === 'push-in' ? 'medium-wide' : 'wide');
  // end distance: asked for, or the end framing's, or a move of DEFAULT_MOVE_RATIO of the start distance
  const ratio = kind === 'push-in' ? 1 / DEFAULT_MOVE_RATIO : DEFAULT_MOVE_RATIO;
  let z1 = ctx.spec.distanceM ?? (ctx.spec.framing ? distanceForSizeM(ctx, focal, view0.heightM, framingSize(endFraming)) : z0 * ratio);
  z1 = kind === 'push-in' ? clamp(z1, safe, z0 - 1) : Math.max(z1, z0 + 1);
  if (kind === 'push-in' && z0 - 1 < safe) {
    throw new CinePilotError('SHOT_UNFLYABLE', `push-in: the camera is ${z0.toFixed(1)} m from ${name}, already at the safe distance (${safe.toFixed(1)} m). Pull out first or zoom in.`);
  }
  const durationS = Math.max(ctx.spec.durationS ?? Math.abs(z1 - z0) / (ctx.spec.speedMps ?? DEFAULT_MOVE_SPEED_MPS), MIN_MOVE_S);
  const eyeV = eyeLineFor(ctx, endFraming);
  return {
    kind,
    durationS,
    reference(elapsedS: number, timeS: number, out: StageReference): void {
      const view = sampler.at(name, timeS);
      const z = z0 + (z1 - z0) * trapezoidRamp(elapsedS / durationS, 0.2);
      const alt = altitudeForAngleM(ctx, view, z, ctx.spec.angle);
      placeCamera(out, view.feetNedM, bearing, horizontalForDepth(z, midHeightAbove(view, alt), safe), alt);
      out.wPosNE = WEIGHTS.positionNE;
      out.wPosD = WEIGHTS.positionD;
      out.wVel = WEIGHTS.velocity;
      const size = (focal * view.heightM) / (z * ctx.rig.camera.sensorHeightMm);
      frameSubject(aimSlot(out.slots[0], view), 0.5, eyeV, size);
      clearSlot(out.slots[1]);
      holdLens(ctx, out, focal);
      out.wFocal = WEIGHTS.focalSchedule;
      applyShallowDepthOfField(ctx, out, sampler, timeS);
    },
  };
}

export const pushInRecipe = (ctx: RecipeContext): ShotRecipe => distanceMoveRecipe(ctx, 'push-in');
export const pullOutRecipe = (ctx: RecipeContext): ShotRecipe => distanceMoveRecipe(ctx, 'pull-out');

/** Crane: the camera rises (or descends) at a kept horizontal distance while the subject stays framed. */
export function craneRecipe(ctx: RecipeContext): ShotRecipe {
  const name = subjectOf(ctx, 'crane');
  const sampler = new SubjectSampler(ctx);
  const view0 = sampler.at(name, ctx.startTimeS);
  const bearing = startBearingRad(ctx, view0.feetNedM);
  const horizontal = startHorizontalDistanceM(ctx, view0);
  const { floor, ceiling } = altitudeBandM(ctx);
  const a0 = clamp(-ctx.start.positionNedM.z, floor, ceiling);
  const a1 = clamp(ctx.spec.heightM ?? a0 + (ctx.spec.direction === 'down' ? -1 : 1) * DEFAULT_CRANE_RISE_M, floor, ceiling);
  const durationS = Math.max(ctx.spec.durationS ?? (ctx.spec.speedMps ? Math.abs(a1 - a0) / ctx.spec.speedMps : DEFAULT_CRANE_S), MIN_MOVE_S);
  const focal = fixedFocalOr(ctx, ctx.start.focalLengthMm);
  const eyeV = eyeLineFor(ctx, ctx.spec.framing ?? 'full');
  return {
    kind: 'crane',
    durationS,
    reference(elapsedS: number, timeS: number, out: StageReference): void {
      const view = sampler.at(name, timeS);
      placeCamera(out, view.feetNedM, bearing, horizontal, a0 + (a1 - a0) * trapezoidRamp(elapsedS / durationS, 0.25));
      out.wPosNE = WEIGHTS.positionNE;
      out.wPosD = 2 * WEIGHTS.positionD;
      out.wVel = WEIGHTS.velocity;
      frameSubject(aimSlot(out.slots[0], view), 0.5, eyeV, 0);
      clearSlot(out.slots[1]);
      holdLens(ctx, out, focal);
      applyShallowDepthOfField(ctx, out, sampler, timeS);
    },
  };
}

/**
 * Flyover: a straight pass at height along the line from the camera's
 * starting side over the subject, from `half` before it to `half` beyond it. The camera keeps the subject
 * centred while it lies ahead; composition fades out as it passes under the
 * camera (the camera does not flip over to look back).
 */
export function flyoverRecipe(ctx: RecipeContext): ShotRecipe {
  const name = subjectOf(ctx, 'flyover');
  const sampler = new SubjectSampler(ctx);
  const view0 = sampler.at(name, ctx.startTimeS);
  // fly from the camera's side of the subject over it and on (no transit to a far start point)
  const pathRad = startBearingRad(ctx, view0.feetNedM) + Math.PI;
  const half = ctx.spec.distanceM ?? DEFAULT_FLYOVER_HALF_LENGTH_M;
  const alt = ctx.spec.heightM ?? DEFAULT_FLYOVER_HEIGHT_M;
  const durationS = ctx.spec.durationS ?? (2 * half) / (ctx.spec.speedMps ?? DEFAULT_FLYOVER_SPEED_MPS);
  const focal = fixedFocalOr(ctx, ctx.rig.lens.focalLengthMm.min);
  const cosP = Math.cos(pathRad), sinP = Math.sin(pathRad);
  const band = altitudeBandM(ctx);
  return {
    kind: 'flyover',
    durationS,
    reference(elapsedS: number, timeS: number, out: StageReference): void {
      const view = sampler.at(name, timeS);
      const along = -half + 2 * half * trapezoidRamp(elapsedS / durationS, 0.15);
      const f = view.feetNedM;
      out.positionNedM.x = f.x + along * cosP;
      out.positionNedM.y = f.y + along * sinP;
      out.positionNedM.z = -clamp(alt, band.floor, band.ceiling);
      out.wPosNE = 2 * WEIGHTS.positionNE;
      out.wPosD = WEIGHTS.positionD;
      out.wVel = WEIGHTS.velocity;
      const ahead = smoothstep(-along / FLYOVER_FADE_M);
      if (ahead > 0) {
        frameSubject(aimSlot(out.slots[0], view), 0.5, 0.5, 0);
        out.slots[0].wComposition *= ahead;
      } else {
        aimSlot(out.slots[0], view);
        out.slots[0].wFocus = WEIGHTS.focus;
        out.slots[0].inBand = true;
      }
      clearSlot(out.slots[1]);
      holdLens(ctx, out, focal);
      out.wGimbalYaw = 4 * WEIGHTS.gimbalYaw;
    },
  };
}

/**
 * Reveal: the camera starts low and tilted down with the subject above the
 * frame, climbs to the framing's height while the eye line descends into
 * frame to its place. Image targets are reported once they are in frame.
 */
export function revealRecipe(ctx: RecipeContext): ShotRecipe {
  const name = subjectOf(ctx, 'reveal');
  const sampler = new SubjectSampler(ctx);
  const view0 = sampler.at(name, ctx.startTimeS);
  const bearing = startBearingRad(ctx, view0.feetNedM);
  const horizontal = startHorizontalDistanceM(ctx, view0);
  const { floor } = altitudeBandM(ctx);
  const framing = ctx.spec.framing ?? 'full';
  const a1 = altitudeForAngleM(ctx, view0, horizontal, ctx.spec.angle);
  const a0 = Math.max(floor, Math.min(a1 - REVEAL_START_BELOW_M, -ctx.start.positionNedM.z));
  const durationS = ctx.spec.durationS ?? DEFAULT_REVEAL_S;
  const focal = fixedFocalOr(ctx, ctx.start.focalLengthMm);
  const eyeV = eyeLineFor(ctx, framing);
  return {
    kind: 'reveal',
    durationS,
    reference(elapsedS: number, timeS: number, out: StageReference): void {
      const view = sampler.at(name, timeS);
      const s = trapezoidRamp(elapsedS / durationS, 0.25);
      placeCamera(out, view.feetNedM, bearing, horizontal, a0 + (a1 - a0) * s);
      out.wPosNE = WEIGHTS.positionNE;
      out.wPosD = 2 * WEIGHTS.positionD;
      out.wVel = WEIGHTS.velocity;
      frameSubject(aimSlot(out.slots[0], view), 0.5, REVEAL_HIDDEN_V + (eyeV - REVEAL_HIDDEN_V) * s, 0);
      clearSlot(out.slots[1]);
      holdLens(ctx, out, focal);
      applyShallowDepthOfField(ctx, out, sampler, timeS);
    },
  };
}
