/**
 * Recipes about two subjects: the two-shot (both framed side by side and both
 * sharp: focus at their dioptric midpoint, aperture closed just enough that
 * one band holds both) and the rack focus (camera holds, the focus travels
 * from one subject to the other on a schedule the MPC previews).
 */
import { CinePilotError } from '../../../core/errors.ts';
import { clamp } from '../../../core/units.ts';
import { distance } from '../../../core/vec3.ts';
import {
  DEFAULT_BAND_MARGIN, SubjectSampler, WEIGHTS, aimSlot, altitudeForAngleM, apertureStops, eyeLineFor, fixedFocalOr,
  frameSubject, holdLens, holdPosition, safeDistanceM, startBearingRad, startImagePosition, trapezoidRamp,
} from './common.ts';
import { PAIR_IRIS_WEIGHT, apertureForPairStops } from './depth-of-field.ts';
import { createSlotReference, type RecipeContext, type ShotRecipe, type StageReference } from './types.ts';

/** Share of the frame width the pair may span at most (edges stay clear). */
export const TWO_SHOT_MAX_SPAN = 0.5;
export const DEFAULT_TWO_SHOT_FOCAL_MM = 35;
export const DEFAULT_RACK_S = 3;
/** Share of the rack spent easing in and out (the focus pull starts and lands without a jolt). */
export const RACK_EASE = 0.1;
/** Subjects held in a rack focus stay at least this far inside the frame edges. */
export const RACK_EDGE_MARGIN = 0.15;

function pairOf(ctx: RecipeContext, kind: string): [string, string] {
  const names = [...ctx.spec.subjects];
  if (kind === 'rack-focus') {
    const from = ctx.spec.focusFrom ?? names[0];
    const on = ctx.spec.focusOn ?? names.find((n) => n !== from);
    if (!from || !on || from === on) {
      throw new CinePilotError('SHOT_UNFLYABLE', 'a rack focus needs two different subjects: "rack focus from bob to alice" (focusFrom and focusOn).');
    }
    return [from, on];
  }
  if (names.length < 2 || names[0] === names[1]) {
    throw new CinePilotError('SHOT_UNFLYABLE', `a two-shot needs two different subjects (got ${names.join(', ') || 'none'}): "two-shot of alice and bob".`);
  }
  return [names[0]!, names[1]!];
}

/**
 * Two-shot: the camera stays on the side it starts on (bearing from the
 * pair's midpoint), at the distance where their sideways separation spans at
 * most TWO_SHOT_MAX_SPAN of the frame and neither is inside the safe
 * distance; the pair is centred (each eye at its own share of the centring)
 * and both are held inside the depth of field.
 */
export function twoShotRecipe(ctx: RecipeContext): ShotRecipe {
  const [a, b] = pairOf(ctx, 'two-shot');
  const sampler = new SubjectSampler(ctx);
  const va0 = sampler.at(a, ctx.startTimeS), vb0 = sampler.at(b, ctx.startTimeS);
  const mid0 = { x: (va0.feetNedM.x + vb0.feetNedM.x) / 2, y: (va0.feetNedM.y + vb0.feetNedM.y) / 2, z: 0 };
  const bearing = startBearingRad(ctx, mid0);
  const focal = fixedFocalOr(ctx, DEFAULT_TWO_SHOT_FOCAL_MM);
  const safe = safeDistanceM(ctx);
  const preferredStops = apertureStops(ctx);
  const kx = focal / ctx.rig.camera.sensorWidthMm;
  const eyeV = eyeLineFor(ctx, ctx.spec.framing ?? 'full');
  const cb = Math.cos(bearing), sb = Math.sin(bearing);
  const mount = ctx.rig.gimbal.mountOffsetM;
  return {
    kind: 'two-shot',
    durationS: ctx.spec.durationS ?? null,
    reference(_elapsedS: number, timeS: number, out: StageReference): void {
      const va = sampler.at(a, timeS), vb = sampler.at(b, timeS);
      const mN = (va.feetNedM.x + vb.feetNedM.x) / 2, mE = (va.feetNedM.y + vb.feetNedM.y) / 2;
      // sideways (image-right) offsets of each from the midpoint: right = look + 90° = bearing − 90°
      const rN = sb, rE = -cb;
      const latA = (va.feetNedM.x - mN) * rN + (va.feetNedM.y - mE) * rE;
      const latB = -latA;
      let z = Math.max(ctx.spec.distanceM ?? 0, (Math.abs(latA - latB) * kx) / TWO_SHOT_MAX_SPAN);
      // along the viewing ray, neither subject may come nearer than the safe distance
      for (const v of [va, vb]) {
        const towardCamera = (v.feetNedM.x - mN) * cb + (v.feetNedM.y - mE) * sb;
        const lat = (v.feetNedM.x - mN) * rN + (v.feetNedM.y - mE) * rE;
        const needAlong = Math.sqrt(Math.max(safe * safe - lat * lat, 0));
        z = Math.max(z, towardCamera + needAlong);
      }
      const alt = (altitudeForAngleM(ctx, va, z, ctx.spec.angle) + altitudeForAngleM(ctx, vb, z, ctx.spec.angle)) / 2;
      out.positionNedM.x = mN + z * cb;
      out.positionNedM.y = mE + z * sb;
      out.positionNedM.z = -alt;
      out.wPosNE = WEIGHTS.positionNE;
      out.wPosD = WEIGHTS.positionD;
      out.wVel = WEIGHTS.velocity;
      const cam = out.positionNedM;
      const depthA = (mN + z * cb - va.feetNedM.x) * cb + (mE + z * sb - va.feetNedM.y) * sb;
      const depthB = (mN + z * cb - vb.feetNedM.x) * cb + (mE + z * sb - vb.feetNedM.y) * sb;
      const uA = 0.5 + (kx * latA) / Math.max(depthA, 1), uB = 0.5 + (kx * latB) / Math.max(depthB, 1);
      frameSubject(aimSlot(out.slots[0], va), clamp(uA, 0.1, 0.9), eyeV, 0);
      frameSubject(aimSlot(out.slots[1], vb), clamp(uB, 0.1, 0.9), eyeV, 0);
      holdLens(ctx, out, focal);
      out.wFocal = WEIGHTS.focalSchedule;
      // focus distances from the camera centre (vehicle position + mount)
      const ccx = cam.x + Math.cos(bearing + Math.PI) * mount.x, ccy = cam.y + Math.sin(bearing + Math.PI) * mount.x;
      const centre = { x: ccx, y: ccy, z: cam.z + mount.z };
      const dA = distance(centre, out.slots[0].eyeNedM), dB = distance(centre, out.slots[1].eyeNedM);
      out.irisStops = apertureForPairStops(ctx, preferredStops, focal, dA, dB, DEFAULT_BAND_MARGIN);
      out.wIris = PAIR_IRIS_WEIGHT;
      out.focusDioptres = (1 / dA + 1 / dB) / 2;
    },
  };
}

/**
 * Rack focus: the camera holds its position and framing (both subjects where
 * they are in the frame at the start); the focus eases from `focusFrom` to
 * `focusOn` over the duration (dioptres, trapezoidal profile) with the
 * aperture wide open so the pull reads. Before the clock starts the focus
 * sits on focusFrom, after it ends on focusOn; during the pull neither is a
 * focus target.
 */
export function rackFocusRecipe(ctx: RecipeContext): ShotRecipe {
  const [from, on] = pairOf(ctx, 'rack-focus');
  const sampler = new SubjectSampler(ctx);
  const durationS = ctx.spec.durationS ?? DEFAULT_RACK_S;
  const focal = fixedFocalOr(ctx, ctx.start.focalLengthMm);
  const start = ctx.start.positionNedM;
  const anchor = (name: string) => startImagePosition(ctx, aimSlot(createSlotReference(), sampler.at(name, ctx.startTimeS)).eyeNedM, RACK_EDGE_MARGIN);
  const fromImg = anchor(from), onImg = anchor(on);
  const wideOpen: RecipeContext = { ...ctx, spec: { ...ctx.spec, depthOfField: ctx.spec.depthOfField ?? 'shallow' } };
  // focus distances from the start camera centre (vehicle position + mount offset at the start heading)
  const m = ctx.rig.gimbal.mountOffsetM, cy = Math.cos(ctx.start.yawRad), sy = Math.sin(ctx.start.yawRad);
  const centre = { x: start.x + cy * m.x - sy * m.y, y: start.y + sy * m.x + cy * m.y, z: start.z + m.z };
  return {
    kind: 'rack-focus',
    durationS,
    reference(elapsedS: number, timeS: number, out: StageReference): void {
      holdPosition(out, start);
      const sFrom = aimSlot(out.slots[0], sampler.at(from, timeS));
      const sOn = aimSlot(out.slots[1], sampler.at(on, timeS));
      frameSubject(sFrom, fromImg.u, fromImg.v, 0, elapsedS <= 0);
      frameSubject(sOn, onImg.u, onImg.v, 0, elapsedS >= durationS);
      sFrom.wComposition *= 0.5;
      sOn.wComposition *= 0.5;
      holdLens(wideOpen, out, focal);
      out.wFocal = WEIGHTS.focalSchedule;
      const dFrom = 1 / distance(centre, sFrom.eyeNedM), dOn = 1 / distance(centre, sOn.eyeNedM);
      out.focusDioptres = dFrom + (dOn - dFrom) * trapezoidRamp(elapsedS / durationS, RACK_EASE);
      out.wFocusRef = WEIGHTS.focusSchedule;
      if (elapsedS <= 0 || elapsedS >= durationS) {
        // the focus subject's own residual takes over; the schedule just agrees with it
        out.wFocusRef = WEIGHTS.focus;
      }
    },
  };
}
