/**
 * Recipes that frame one subject from a viewpoint that follows it: track
 * (alongside, side kept or asked for), follow (behind), lead (in front),
 * profile (side on, lead room ahead), orbit (bearing sweeps at a speed),
 * establishing (high and wide) and hold (stay put, keep the subject framed
 * where it is).
 */
import { PERSON_POINT_HEIGHT_FRACTION } from '../../../core/framing.ts';
import type { Framing, Side } from '../../../core/shot-spec.ts';
import { clamp } from '../../../core/units.ts';
import {
  DEFAULT_BAND_MARGIN, SubjectSampler, WEIGHTS, focalCapForUncertaintyMm, aimSlot, altitudeForAngleM, angleDiff, clearSlot, eyeLineFor, fixedFocalOr, frameSubject,
  holdLens, holdPosition, lensAndDistanceForFraming, placeCamera, startImagePosition, safeDistanceM, sideOffsetRad, startBearingRad, sigmaAcrossM, sigmaAlongSightM,
  type SubjectView,
} from './common.ts';
import { applyShallowDepthOfField, apertureForPairStops } from './depth-of-field.ts';
import { keepOutPlanRadiusM } from '../stage-params.ts';
import { createSlotReference, type RecipeContext, type ShotRecipe, type StageReference } from './types.ts';

/** Horizontal share of the frame left ahead of a subject moving across it (lead room), at full speed. */
export const LEAD_ROOM = 1 / 6;
/** Speed at which lead room is complete, m/s. */
export const LEAD_ROOM_FULL_SPEED_MPS = 1.5;
export const DEFAULT_PREFERRED_DISTANCE_M = 6;
export const DEFAULT_ORBIT_SPEED_MPS = 2;
export const ESTABLISHING_DISTANCE_M = 18;
/**
 * Depth uncertainty the aperture must cover for a followed subject, m: a
 * base for tracking error plus a share per m/s of subject speed (turns and
 * speed changes the constant-velocity prediction does not foresee).
 */
export const FOCUS_DEPTH_ALLOWANCE_M = 0.1;
export const FOCUS_DEPTH_ALLOWANCE_PER_MPS = 0.05;
/** A held subject stays at least this far inside the frame edges. */
export const HOLD_EDGE_MARGIN = 0.2;

/**
 * Horizontal target for a subject moving across the frame: offset against its
 * motion so there is room ahead of it (the rule every operator follows).
 */
export function leadRoomU(view: SubjectView, cameraBearingFromSubjectRad: number): number {
  const speed = Math.hypot(view.velocityNedMps.x, view.velocityNedMps.y);
  if (speed < 1e-3) return 0.5;
  // camera looks along bearing + π; its image-right direction is that + π/2
  const rightRad = cameraBearingFromSubjectRad + Math.PI + Math.PI / 2;
  const across = (view.velocityNedMps.x * Math.cos(rightRad) + view.velocityNedMps.y * Math.sin(rightRad)) / LEAD_ROOM_FULL_SPEED_MPS;
  return 0.5 - LEAD_ROOM * clamp(across, -1, 1);
}

function firstSubject(ctx: RecipeContext): string {
  return ctx.spec.focusOn && ctx.spec.subjects.length === 0 ? ctx.spec.focusOn : ctx.spec.subjects[0]!;
}

/** Shared by the viewpoint-following kinds: bearing rule per kind, framing per kind. */
function followingRecipe(
  ctx: RecipeContext,
  defaultFraming: Framing,
  bearingRule: (view: SubjectView, timeS: number, elapsedS: number) => number,
  kind: ShotRecipe['kind'],
  durationS: number | null,
): ShotRecipe {
  const sampler = new SubjectSampler(ctx);
  const name = firstSubject(ctx);
  const view0 = sampler.at(name, ctx.startTimeS);
  const framing = ctx.spec.framing ?? defaultFraming;
  const { focalLengthMm, distanceM, sizeFraction: size } = lensAndDistanceForFraming(ctx, framing, view0.heightM, DEFAULT_PREFERRED_DISTANCE_M);
  const eyeV = eyeLineFor(ctx, framing);
  return {
    kind,
    durationS,
    reference(elapsedS: number, timeS: number, out: StageReference): void {
      const view = sampler.at(name, timeS);
      const bearing = bearingRule(view, timeS, elapsedS);
      const alt = altitudeForAngleM(ctx, view, distanceM, ctx.spec.angle);
      // horizontal distance whose 3-D distance to mid-body gives the framing's size, but never inside
      // the recipes' safe distance nor the keep-out the plan holds around this subject (its range σ)
      const dz = alt - view.heightM * PERSON_POINT_HEIGHT_FRACTION.hips;
      const keepOutM = keepOutPlanRadiusM(ctx.rig.safety.keepOutRadiusM, sigmaAlongSightM(view, bearing));
      const closestM = Math.max(safeDistanceM(ctx), keepOutM);
      const horizontal = Math.sqrt(Math.max(distanceM * distanceM - dz * dz, closestM * closestM));
      const plannedDistanceM = Math.hypot(horizontal, dz);
      placeCamera(out, view.feetNedM, bearing, horizontal, alt);
      out.wPosNE = WEIGHTS.positionNE;
      out.wPosD = WEIGHTS.positionD;
      out.wVel = WEIGHTS.velocity;
      // an uncertain subject is framed wider (honestly: the size target shrinks with the focal length);
      // only the error across the line of sight moves it in the frame
      const focal = Math.max(Math.min(focalLengthMm, focalCapForUncertaintyMm(ctx, plannedDistanceM, sigmaAcrossM(view, bearing))), ctx.rig.lens.focalLengthMm.min);
      // the size is the one this focal length gives from where the camera is planned: a framing the lens
      // reaches only from inside the safe distance is shot a little wider, not chased into the keep-out
      const sizeTarget = (size * focal * Math.min(distanceM / plannedDistanceM, 1)) / focalLengthMm;
      frameSubject(aimSlot(out.slots[0], view), leadRoomU(view, bearing), eyeV, sizeTarget);
      // a followed subject's distance wanders with the estimate; the band keeps them sharp, so the pull
      // onto the exact distance is gentle (a focus puller does not chase every centimetre)
      if (out.slots[0].wFocus > 0) out.slots[0].wFocus = WEIGHTS.focusFollow;
      clearSlot(out.slots[1]);
      holdLens(ctx, out, focal);
      // a focal length the DP asked for is held, and so is a widening for uncertainty; otherwise the zoom may trade with distance
      if (typeof ctx.spec.focalLengthMm === 'number' || focal < focalLengthMm) out.wFocal = WEIGHTS.focalSchedule;
      if (ctx.spec.fNumber === undefined && ctx.spec.depthOfField !== 'shallow') {
        // a moving subject's distance is uncertain: stop down until the band covers it (the depth error is the one along
        // the line of sight), from as close as the keep-out lets the camera come to the planned distance
        const speed = Math.hypot(view.velocityNedMps.x, view.velocityNedMps.y);
        const allowance = FOCUS_DEPTH_ALLOWANCE_M + FOCUS_DEPTH_ALLOWANCE_PER_MPS * speed + sigmaAlongSightM(view, bearing);
        const nearestM = Math.min(Math.hypot(keepOutM, dz), plannedDistanceM);
        out.irisStops = apertureForPairStops(ctx, out.irisStops, focal, nearestM - allowance, plannedDistanceM + allowance, DEFAULT_BAND_MARGIN);
      }
      applyShallowDepthOfField(ctx, out, sampler, timeS);
    },
  };
}

/**
 * Speed above which a subject's direction of travel is trusted as the heading
 * the viewpoint keeps its side against, m/s; below the release speed the
 * heading last trusted is held. A standing person's heading from a tracker is
 * its velocity noise: a side kept against it swings the camera around her
 * (runner track with perception in the loop, seed 2: the side taken at the
 * start put the camera inside her first turn, 1.84 m from her).
 */
export const TRAVEL_LOCK_SPEED_MPS = 1.5;
export const TRAVEL_RELEASE_SPEED_MPS = 1.0;

/**
 * Bearing kept relative to the subject's direction of travel: the spec's side
 * (or the kind's), else the side the camera is on when she first moves at
 * TRAVEL_LOCK_SPEED_MPS — until then a track without a side keeps the
 * camera's start bearing in the world. While she is slower than
 * TRAVEL_RELEASE_SPEED_MPS the heading she last travelled on is held, so a
 * subject who stops does not drag the camera round with her heading noise.
 * The state moves only at a plan's first stage (the estimate now); later
 * stages of the same plan read it.
 */
function travelBearing(ctx: RecipeContext, sampler: SubjectSampler, defaultSide: Side | null): (v: SubjectView, timeS: number) => number {
  const view0 = sampler.at(firstSubject(ctx), ctx.startTimeS);
  const side = ctx.spec.side ?? defaultSide;
  const worldStartRad = startBearingRad(ctx, view0.feetNedM);
  // unset for a sideless track until she first moves: the camera holds its start bearing in the world
  let offsetRad = side ? sideOffsetRad(side) : NaN;
  let heldHeadingRad = view0.headingRad;
  let travelling = false;
  return (v, timeS) => {
    const speed = Math.hypot(v.velocityNedMps.x, v.velocityNedMps.y);
    if (timeS === v.planStartS) {
      travelling = speed >= (travelling ? TRAVEL_RELEASE_SPEED_MPS : TRAVEL_LOCK_SPEED_MPS);
      if (travelling) {
        heldHeadingRad = v.headingRad;
        if (Number.isNaN(offsetRad)) offsetRad = angleDiff(worldStartRad, heldHeadingRad);
      }
    }
    if (Number.isNaN(offsetRad)) return worldStartRad;
    return (travelling ? v.headingRad : heldHeadingRad) + offsetRad;
  };
}

export function trackRecipe(ctx: RecipeContext): ShotRecipe {
  const rule = travelBearing(ctx, new SubjectSampler(ctx), null);
  return followingRecipe(ctx, 'full', rule, 'track', ctx.spec.durationS ?? null);
}

export function followRecipe(ctx: RecipeContext): ShotRecipe {
  const rule = travelBearing(ctx, new SubjectSampler(ctx), 'behind');
  return followingRecipe(ctx, 'full', rule, 'follow', ctx.spec.durationS ?? null);
}

export function leadRecipe(ctx: RecipeContext): ShotRecipe {
  const rule = travelBearing(ctx, new SubjectSampler(ctx), 'front');
  return followingRecipe(ctx, 'full', rule, 'lead', ctx.spec.durationS ?? null);
}

export function profileRecipe(ctx: RecipeContext): ShotRecipe {
  const side = ctx.spec.side === 'left' || ctx.spec.side === 'right' ? ctx.spec.side : 'right';
  const rule = travelBearing({ ...ctx, spec: { ...ctx.spec, side } }, new SubjectSampler(ctx), side);
  return followingRecipe(ctx, 'full', rule, 'profile', ctx.spec.durationS ?? null);
}

/** Orbit: bearing (world) sweeps from where the camera is at speed/distance rad/s; clockwise seen from above by default. */
export function orbitRecipe(ctx: RecipeContext): ShotRecipe {
  const sampler = new SubjectSampler(ctx);
  const view0 = sampler.at(firstSubject(ctx), ctx.startTimeS);
  const framing = ctx.spec.framing ?? 'full';
  const { distanceM } = lensAndDistanceForFraming(ctx, framing, view0.heightM, DEFAULT_PREFERRED_DISTANCE_M);
  const sign = ctx.spec.direction === 'counterclockwise' ? -1 : 1;
  const bearing0 = startBearingRad(ctx, view0.feetNedM);
  const durationS = ctx.spec.durationS ?? null;
  const rateRadps = ctx.spec.speedMps !== undefined || durationS === null
    ? (ctx.spec.speedMps ?? DEFAULT_ORBIT_SPEED_MPS) / distanceM
    : (2 * Math.PI) / durationS;
  return followingRecipe(ctx, 'full', (_v, _timeS, elapsedS) => bearing0 + sign * rateRadps * elapsedS, 'orbit', durationS);
}

/** Establishing: high and wide at the shortest focal length, subject small in frame, deep focus. */
export function establishingRecipe(ctx: RecipeContext): ShotRecipe {
  const sampler = new SubjectSampler(ctx);
  const view0 = sampler.at(firstSubject(ctx), ctx.startTimeS);
  const bearing0 = startBearingRad(ctx, view0.feetNedM);
  const deep: RecipeContext = {
    ...ctx,
    spec: {
      ...ctx.spec,
      focalLengthMm: fixedFocalOr(ctx, ctx.rig.lens.focalLengthMm.min),
      angle: ctx.spec.angle ?? 'high',
      depthOfField: ctx.spec.depthOfField ?? 'deep',
      distanceM: ctx.spec.distanceM ?? ESTABLISHING_DISTANCE_M,
    },
  };
  return followingRecipe(deep, 'extreme-wide', () => bearing0, 'establishing', ctx.spec.durationS ?? null);
}

/**
 * Hold: the camera stays where it is; a named subject stays where it is in the
 * frame now (clamped away from the edges) and in focus; the lens holds.
 */
export function holdRecipe(ctx: RecipeContext): ShotRecipe {
  const sampler = new SubjectSampler(ctx);
  const name = ctx.spec.subjects[0] ?? null;
  const focal = fixedFocalOr(ctx, ctx.start.focalLengthMm);
  const anchor = name ? startImagePosition(ctx, aimSlot(createSlotReference(), sampler.at(name, ctx.startTimeS)).eyeNedM, HOLD_EDGE_MARGIN) : null;
  const start = ctx.start.positionNedM;
  return {
    kind: 'hold',
    durationS: ctx.spec.durationS ?? null,
    reference(_elapsedS: number, timeS: number, out: StageReference): void {
      holdPosition(out, start);
      holdLens(ctx, out, focal);
      if (name && anchor) frameSubject(aimSlot(out.slots[0], sampler.at(name, timeS)), anchor.u, anchor.v, 0);
      else {
        clearSlot(out.slots[0]);
        out.focusDioptres = 1 / Math.max(ctx.start.focusDistanceM, 0.3);
        out.wFocusRef = WEIGHTS.focus;
      }
      clearSlot(out.slots[1]);
      out.wFocal = WEIGHTS.focalSchedule;
    },
  };
}
