/**
 * Pieces every recipe shares: subject sampling from the predictor, framing →
 * (focal length, distance) within the lens range and the keep-out radius,
 * viewpoint placement relative to a subject's heading, aperture choice, time
 * easing, and the default weights. All distances are horizontal unless named
 * otherwise.
 */
import { type Vec3, set, vec3 } from '../../../core/vec3.ts';
import { CinePilotError } from '../../../core/errors.ts';
import {
  DEFAULT_PERSON_HEIGHT_M, FRAMING_PERSON_HEIGHT_FRACTION, PERSON_POINT_HEIGHT_FRACTION, eyeLineV,
} from '../../../core/framing.ts';
import type { CameraAngle, Framing, Side } from '../../../core/shot-spec.ts';
import { clamp, degToRad, wrapAngleRad } from '../../../core/units.ts';
import { cameraPoseFromVehicle } from '../../../core/frames.ts';
import { projectPoint } from '../../camera.ts';
import { stopsFromFNumber } from '../layout.ts';
import type { RecipeContext, SlotReference, StageReference } from './types.ts';
import { sigmaAlongM, uncertaintyTimeS } from '../subject-uncertainty.ts';

/** Default weights (residual = weight × error). Composition in normalised image units, size relative, focus in dioptres, position in m. */
export const WEIGHTS = {
  composition: 30,
  size: 6,
  focus: 6,
  /** focus pull on a followed (moving) subject: the depth-of-field band keeps them sharp; runner track: 6 → 1.5 cut focus reversals 6 → 2 */
  focusFollow: 1.5,
  positionNE: 0.5,
  positionD: 1.0,
  velocity: 0.4,
  /** keeps the zoom where the recipe put it when nothing else asks for a change */
  focalHold: 0.15,
  /** schedules the shot is about (dolly zoom f(t), rack focus D(t)) */
  focalSchedule: 3,
  focusSchedule: 80,
  iris: 1.5,
  gimbalYaw: 1.5,
} as const;

/** Horizontal clearance beyond the rig's keep-out radius that recipes plan for, m. */
export const KEEP_OUT_PLANNING_MARGIN_M = 1.0;
/** Fraction of the DoF band that in-focus subjects must stay within (room for prediction error). */
export const DEFAULT_BAND_MARGIN = 0.7;
/** Aperture when the shot asks for none: f/4 (a middle stop of cinema zooms). */
export const DEFAULT_F_NUMBER = 4;
export const DEEP_DOF_F_NUMBER = 8;
/** Eye-level camera height never goes below the fence floor plus this, m. */
export const ALTITUDE_FLOOR_MARGIN_M = 0.8;
/** Elevation of 'high' and 'low' angles relative to the subject's eyes, rad. */
export const HIGH_ANGLE_RAD = degToRad(30);
export const LOW_ANGLE_HEIGHT_M = 1.0;
/** How fast a lost subject's position uncertainty grows, m/s (a brisk walk). */
export const LOST_SUBJECT_SIGMA_GROWTH_MPS = 2;
/**
 * The zoom never frames tighter than the subject's uncertainty allows: a 1-σ
 * lateral error may move the subject at most this share of the frame width,
 * so an uncertain or lost subject stays in (or comes back into) the picture.
 */
export const UNCERTAINTY_FRAME_SHARE = 0.15;

/** Longest focal length that keeps a σ-uncertain subject at `distanceM` within UNCERTAINTY_FRAME_SHARE of the frame. */
export function focalCapForUncertaintyMm(ctx: RecipeContext, distanceM: number, sigmaM: number): number {
  return sigmaM > 0 ? (UNCERTAINTY_FRAME_SHARE * ctx.rig.camera.sensorWidthMm * distanceM) / sigmaM : Infinity;
}

/** Below this speed a subject's heading comes from its estimate, above it from its velocity, m/s. */
export const MOVING_SPEED_MPS = 0.6;

/** A subject as a recipe sees it at one time. */
export interface SubjectView {
  name: string;
  feetNedM: Vec3;
  velocityNedMps: Vec3;
  headingRad: number;
  heightM: number;
  /**
   * 1-σ position uncertainty to plan with, m: the prediction's at no more than
   * UNCERTAINTY_HORIZON_S past the plan's first stage (subject-uncertainty.ts);
   * grows while the predictor has lost the subject
   */
  positionSigmaM: number;
  /** north-east position covariance [nn, ne, ee] to plan with, when the predictor gives one (see sigmaAcrossM) */
  positionCovNeM2: Float64Array;
  hasCovariance: boolean;
  /** last time the predictor knew the subject, and its σ then */
  lastSeenS: number;
  lastSigmaM: number;
  /** first stage time of the plan this view was sampled for (equal to the query time at a plan's first stage) */
  planStartS: number;
}

/**
 * Queries further apart than this belong to different plans (the controller
 * samples its horizon every Δt = 50 ms), s.
 */
export const MAX_STAGE_SPACING_S = 0.25;

interface SampledView extends SubjectView {
  /** the previous query's time */
  lastQueryS: number;
  /** uncertainty cached at one time (the plan's uncertainty horizon), NaN when none */
  cachedAtS: number;
  cachedSigmaM: number;
  cachedCovNeM2: Float64Array;
  cachedHasCovariance: boolean;
}

/**
 * Samples subjects from the predictor into per-name reusable views. A subject
 * the predictor lost keeps its last view (the shot holds framing on it).
 *
 * The controller evaluates a recipe at every stage of its horizon in time
 * order each tick, starting at the tick's time; a query earlier than the one
 * before (or more than MAX_STAGE_SPACING_S after it) starts a new plan. The
 * uncertainty of every stage is read at uncertaintyTimeS of that plan.
 */
export class SubjectSampler {
  private readonly views = new Map<string, SampledView>();
  constructor(private readonly ctx: RecipeContext) {}

  at(name: string, timeS: number): SubjectView {
    let v = this.views.get(name);
    if (!v) {
      v = {
        name, feetNedM: vec3(), velocityNedMps: vec3(), headingRad: 0, heightM: DEFAULT_PERSON_HEIGHT_M, positionSigmaM: 0,
        positionCovNeM2: new Float64Array(3), hasCovariance: false, lastSeenS: -Infinity, lastSigmaM: 0,
        planStartS: timeS, lastQueryS: timeS, cachedAtS: NaN, cachedSigmaM: 0, cachedCovNeM2: new Float64Array(3), cachedHasCovariance: false,
      };
      this.views.set(name, v);
    }
    if (timeS < v.lastQueryS || timeS - v.lastQueryS > MAX_STAGE_SPACING_S) {
      v.planStartS = timeS;
      v.cachedAtS = NaN;
    }
    v.lastQueryS = timeS;
    const uncertaintyAtS = uncertaintyTimeS(timeS, v.planStartS);
    const s = this.ctx.predictor.predict(name, timeS);
    if (!s) {
      // lost: hold the last view, with an uncertainty that grows like a subject's reach
      v.positionSigmaM = v.lastSigmaM + LOST_SUBJECT_SIGMA_GROWTH_MPS * Math.max(uncertaintyAtS - v.lastSeenS, 0);
      v.hasCovariance = false;
      return v;
    }
    set(v.feetNedM, s.positionNedM.x, s.positionNedM.y, s.positionNedM.z);
    set(v.velocityNedMps, s.velocityNedMps.x, s.velocityNedMps.y, s.velocityNedMps.z);
    const speed = Math.hypot(s.velocityNedMps.x, s.velocityNedMps.y);
    v.headingRad = speed > MOVING_SPEED_MPS ? Math.atan2(s.velocityNedMps.y, s.velocityNedMps.x) : s.headingRad;
    v.heightM = s.heightM !== undefined && s.heightM > 0 ? s.heightM : this.ctx.heightOf(name);
    if (uncertaintyAtS >= timeS) this.takeUncertainty(v, s.positionSigmaM, s.positionCovNeM2, v.positionCovNeM2);
    else {
      if (v.cachedAtS !== uncertaintyAtS) {
        // once per plan: the stages beyond the uncertainty horizon all read it there
        const u = this.ctx.predictor.predict(name, uncertaintyAtS) ?? s;
        v.cachedAtS = uncertaintyAtS;
        v.cachedSigmaM = u.positionSigmaM;
        v.cachedHasCovariance = u.positionCovNeM2 !== undefined && u.positionCovNeM2.length === 3;
        if (v.cachedHasCovariance) v.cachedCovNeM2.set(u.positionCovNeM2!);
      }
      this.takeUncertainty(v, v.cachedSigmaM, v.cachedHasCovariance ? v.cachedCovNeM2 : undefined, v.positionCovNeM2);
    }
    v.lastSeenS = uncertaintyAtS;
    v.lastSigmaM = v.positionSigmaM;
    return v;
  }

  private takeUncertainty(v: SampledView, sigmaM: number, cov: ArrayLike<number> | undefined, into: Float64Array): void {
    v.positionSigmaM = sigmaM;
    v.hasCovariance = cov !== undefined && cov.length === 3;
    if (v.hasCovariance && cov !== into) for (let k = 0; k < 3; k++) into[k] = cov![k]!;
  }
}

/**
 * 1-σ position error across the line of sight of a camera at `cameraBearingRad`
 * from the subject: what moves the subject in the frame (the error along the
 * line of sight changes its size and depth, not where it sits). The scalar σ
 * when the predictor gives no covariance.
 */
export function sigmaAcrossM(view: SubjectView, cameraBearingRad: number): number {
  const c = view.positionCovNeM2;
  return view.hasCovariance ? sigmaAlongM(c[0]!, c[1]!, c[2]!, -Math.sin(cameraBearingRad), Math.cos(cameraBearingRad)) : view.positionSigmaM;
}

/**
 * 1-σ position error along the line of sight of a camera at `cameraBearingRad`
 * from the subject: the depth error focus must cover (a monocular tracker's
 * range error). The scalar σ when the predictor gives no covariance.
 */
export function sigmaAlongSightM(view: SubjectView, cameraBearingRad: number): number {
  const c = view.positionCovNeM2;
  return view.hasCovariance ? sigmaAlongM(c[0]!, c[1]!, c[2]!, Math.cos(cameraBearingRad), Math.sin(cameraBearingRad)) : view.positionSigmaM;
}

/** Fill a slot from a subject view; weights default to off, the recipe turns on what it wants. */
export function aimSlot(slot: SlotReference, view: SubjectView): SlotReference {
  slot.subject = view.name;
  const f = view.feetNedM, h = view.heightM;
  set(slot.eyeNedM, f.x, f.y, f.z - h * PERSON_POINT_HEIGHT_FRACTION.head);
  set(slot.feetNedM, f.x, f.y, f.z);
  set(slot.topNedM, f.x, f.y, f.z - h * PERSON_POINT_HEIGHT_FRACTION.headTop);
  slot.uTarget = 0.5;
  slot.vTarget = 0.5;
  slot.sizeTarget = 0;
  slot.wComposition = 0;
  slot.wSize = 0;
  slot.wFocus = 0;
  slot.inBand = false;
  return slot;
}

export function clearSlot(slot: SlotReference): void {
  slot.subject = null;
  slot.wComposition = 0;
  slot.wSize = 0;
  slot.wFocus = 0;
  slot.inBand = false;
  slot.sizeTarget = 0;
}

/** Compose (eye at u, v), size (if sizeTarget > 0) and focus on a subject with the default weights. */
export function frameSubject(slot: SlotReference, u: number, v: number, sizeTarget: number, focus = true): void {
  slot.uTarget = u;
  slot.vTarget = v;
  slot.wComposition = WEIGHTS.composition;
  slot.sizeTarget = sizeTarget;
  slot.wSize = sizeTarget > 0 ? WEIGHTS.size : 0;
  slot.wFocus = focus ? WEIGHTS.focus : 0;
  slot.inBand = focus;
}

/** Horizontal distance that keeps a person clear of the keep-out radius with the planning margin. */
export function safeDistanceM(ctx: RecipeContext): number {
  return ctx.rig.safety.keepOutRadiusM + KEEP_OUT_PLANNING_MARGIN_M;
}

/** Distance at which a person of `heightM` fills `sizeFraction` of the frame height at `focalLengthMm`. */
export function distanceForSizeM(ctx: RecipeContext, focalLengthMm: number, heightM: number, sizeFraction: number): number {
  return (focalLengthMm * heightM) / (sizeFraction * ctx.rig.camera.sensorHeightMm);
}

export function framingSize(framing: Framing): number {
  return FRAMING_PERSON_HEIGHT_FRACTION[framing];
}

/**
 * Focal length, distance and the image size they give, for a framing: as
 * close to `preferredDistanceM` as the zoom range allows, never nearer than
 * the safe distance. An explicit distance (spec.distanceM) wins over the
 * framing: the zoom gets as close to the framing as its range allows there,
 * and the returned size is the one that will actually be shot. A framing that
 * needs the camera inside the keep-out radius even at the longest focal length
 * is refused (SHOT_UNFLYABLE) rather than silently loosened.
 */
export function lensAndDistanceForFraming(
  ctx: RecipeContext, framing: Framing, heightM: number, preferredDistanceM: number,
): { focalLengthMm: number; distanceM: number; sizeFraction: number } {
  const size = framingSize(framing);
  const lens = ctx.rig.lens.focalLengthMm;
  const fixedFocal = typeof ctx.spec.focalLengthMm === 'number' ? ctx.spec.focalLengthMm : null;
  const safe = safeDistanceM(ctx);
  const sensorH = ctx.rig.camera.sensorHeightMm;
  if (ctx.spec.distanceM !== undefined) {
    const distanceM = Math.max(ctx.spec.distanceM, safe);
    const focal = clamp(fixedFocal ?? (size * sensorH * distanceM) / heightM, lens.min, lens.max);
    return { focalLengthMm: focal, distanceM, sizeFraction: (focal * heightM) / (distanceM * sensorH) };
  }
  const want = Math.max(preferredDistanceM, safe);
  const focal = clamp(fixedFocal ?? (size * sensorH * want) / heightM, lens.min, lens.max);
  const distanceM = distanceForSizeM(ctx, focal, heightM, size);
  if (distanceM < ctx.rig.safety.keepOutRadiusM + 0.5) {
    throw new CinePilotError(
      'SHOT_UNFLYABLE',
      `a ${framing} shot of a ${heightM.toFixed(2)} m person needs the camera ${distanceM.toFixed(1)} m away at ${focal.toFixed(0)} mm, ` +
        `inside the rig's keep-out radius of ${ctx.rig.safety.keepOutRadiusM} m. Ask for a wider framing or use a longer lens.`,
    );
  }
  return { focalLengthMm: focal, distanceM, sizeFraction: size };
}

/** Azimuth of the camera around the subject relative to the subject's heading (clockwise from above). */
export function sideOffsetRad(side: Side): number {
  switch (side) {
    case 'front': return 0;
    case 'front-right': return Math.PI / 4;
    case 'right': return Math.PI / 2;
    case 'behind-right': return (3 * Math.PI) / 4;
    case 'behind': return Math.PI;
    case 'behind-left': return (-3 * Math.PI) / 4;
    case 'left': return -Math.PI / 2;
    case 'front-left': return -Math.PI / 4;
  }
}

/** Bearing from a subject to the start camera position (world, clockwise from north). */
export function startBearingRad(ctx: RecipeContext, feetNedM: Vec3): number {
  const p = ctx.start.positionNedM;
  return Math.atan2(p.y - feetNedM.y, p.x - feetNedM.x);
}

/** Altitudes recipes plan within: the fence's band with ALTITUDE_FLOOR_MARGIN_M at both ends, m. */
export function altitudeBandM(ctx: RecipeContext): { floor: number; ceiling: number } {
  return {
    floor: (ctx.geofence?.minAltitudeM ?? 0) + ALTITUDE_FLOOR_MARGIN_M,
    ceiling: (ctx.geofence?.maxAltitudeM ?? Infinity) - ALTITUDE_FLOOR_MARGIN_M,
  };
}

/** Horizontal distance from a subject to the start camera position, never less than the safe distance. */
export function startHorizontalDistanceM(ctx: RecipeContext, view: SubjectView): number {
  const p = ctx.start.positionNedM;
  return Math.max(Math.hypot(p.x - view.feetNedM.x, p.y - view.feetNedM.y), safeDistanceM(ctx));
}

/** Hold the vehicle at a position (twice the usual viewpoint weight: holding still is the shot). */
export function holdPosition(out: StageReference, positionNedM: Vec3): void {
  set(out.positionNedM, positionNedM.x, positionNedM.y, positionNedM.z);
  out.wPosNE = 2 * WEIGHTS.positionNE;
  out.wPosD = 2 * WEIGHTS.positionD;
  out.wVel = WEIGHTS.velocity;
}

/** Where a world point sits in the start camera's image, kept `margin` away from the edges (centre-ish if behind). */
export function startImagePosition(ctx: RecipeContext, pointNedM: Vec3, margin: number): { u: number; v: number } {
  const s = ctx.start;
  const pose = cameraPoseFromVehicle(s.positionNedM, s.yawRad, { pitchRad: s.gimbalPitchRad, yawRad: 0, rollRad: 0 }, ctx.rig.gimbal.mountOffsetM);
  const pr = projectPoint(pose, { focalLengthMm: s.focalLengthMm, sensorWidthMm: ctx.rig.camera.sensorWidthMm, sensorHeightMm: ctx.rig.camera.sensorHeightMm }, pointNedM);
  return pr.inFront ? { u: clamp(pr.u, margin, 1 - margin), v: clamp(pr.v, margin, 1 - margin) } : { u: 0.5, v: 0.4 };
}

/** Camera altitude for an angle at a horizontal distance from a subject. */
export function altitudeForAngleM(ctx: RecipeContext, view: SubjectView, distanceM: number, angle: CameraAngle | undefined): number {
  const eyeAlt = -view.feetNedM.z + view.heightM * PERSON_POINT_HEIGHT_FRACTION.head;
  const { floor, ceiling } = altitudeBandM(ctx);
  let alt: number;
  if (ctx.spec.heightM !== undefined) alt = ctx.spec.heightM;
  else if (angle === 'high') alt = eyeAlt + distanceM * Math.tan(HIGH_ANGLE_RAD);
  else if (angle === 'low') alt = LOW_ANGLE_HEIGHT_M;
  else if (angle === 'overhead') alt = eyeAlt + distanceM * 3;
  else alt = eyeAlt;
  return clamp(alt, floor, ceiling);
}

/** Put a vehicle position reference at bearing/horizontal distance/altitude from a subject. */
export function placeCamera(out: StageReference, feetNedM: Vec3, bearingRad: number, distanceM: number, altitudeM: number): void {
  set(out.positionNedM, feetNedM.x + distanceM * Math.cos(bearingRad), feetNedM.y + distanceM * Math.sin(bearingRad), -altitudeM);
}

/** Aperture in stops from the spec: explicit f-number, shallow = widest, deep = f/8, else f/4 — within the lens range. */
export function apertureStops(ctx: RecipeContext): number {
  const range = ctx.rig.lens.fNumber;
  let n = DEFAULT_F_NUMBER;
  if (ctx.spec.fNumber !== undefined) n = ctx.spec.fNumber;
  else if (ctx.spec.depthOfField === 'shallow') n = range.min;
  else if (ctx.spec.depthOfField === 'deep') n = DEEP_DOF_F_NUMBER;
  return stopsFromFNumber(clamp(n, range.min, range.max));
}

/** Eye line for the framing (core/framing.ts), or the spec's explicit headroom. */
export function eyeLineFor(ctx: RecipeContext, framing: Framing): number {
  if (ctx.spec.headroom !== undefined) {
    const h = framingSize(framing);
    return clamp(ctx.spec.headroom + (PERSON_POINT_HEIGHT_FRACTION.headTop - PERSON_POINT_HEIGHT_FRACTION.head) * h, 0.05, 0.95);
  }
  return eyeLineV(framing);
}

/** Smooth 0 → 1 with zero slope at both ends (3τ² − 2τ³). */
export function smoothstep(tau: number): number {
  const t = clamp(tau, 0, 1);
  return t * t * (3 - 2 * t);
}

/**
 * 0 → 1 at constant speed with short parabolic blends of `blend` (fraction of
 * the duration) at both ends: reaches its end nearly on time (unlike
 * smoothstep's long tail), without a step in rate.
 */
export function trapezoidRamp(tau: number, blend = 0.1): number {
  const t = clamp(tau, 0, 1);
  const vPeak = 1 / (1 - blend);
  if (t < blend) return (0.5 * vPeak * t * t) / blend;
  if (t > 1 - blend) {
    const r = 1 - t;
    return 1 - (0.5 * vPeak * r * r) / blend;
  }
  return 0.5 * vPeak * blend + vPeak * (t - blend);
}

/** The lens's nearest focal length ≥ 0 that the spec fixes, or `fallback`. */
export function fixedFocalOr(ctx: RecipeContext, fallback: number): number {
  const f = typeof ctx.spec.focalLengthMm === 'number' ? ctx.spec.focalLengthMm : fallback;
  return clamp(f, ctx.rig.lens.focalLengthMm.min, ctx.rig.lens.focalLengthMm.max);
}

/** Keep the lens near given values (weak holds) with the spec's aperture. */
export function holdLens(ctx: RecipeContext, out: StageReference, focalLengthMm: number): void {
  out.focalLengthMm = focalLengthMm;
  out.wFocal = WEIGHTS.focalHold;
  out.wFocusRef = 0;
  out.irisStops = apertureStops(ctx);
  out.wIris = WEIGHTS.iris;
  out.wGimbalYaw = WEIGHTS.gimbalYaw;
  out.bandMargin = DEFAULT_BAND_MARGIN;
  out.backgroundInvM = 0;
  out.defocusName = null;
}

/** Angle difference a − b wrapped to (−π, π]. */
export const angleDiff = (a: number, b: number): number => wrapAngleRad(a - b);
