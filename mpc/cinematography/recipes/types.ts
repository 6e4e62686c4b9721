/**
 * What a shot recipe produces: a StageReference per point in time — which
 * subjects to compose where, how big, which to keep in focus, where the
 * camera should be, and the lens schedule — with the weights that say how
 * much each matters at that moment. The controller evaluates it at every
 * stage of the horizon (so the MPC previews the shot's future) and packs it
 * into the OCP parameters (stage-params.ts).
 */
import type { Vec3 } from '../../../core/vec3.ts';
import type { ShotSpec, ShotKind } from '../../../core/shot-spec.ts';
import type { Geofence } from '../../../core/shot-controller.ts';
import type { SubjectPredictor } from '../../../core/perception-types.ts';
import type { Rig } from '../../../hardware-profiles/schema.ts';
import { vec3 } from '../../../core/vec3.ts';

export interface SlotReference {
  /** subject name; null = slot unused */
  subject: string | null;
  /** eye point (composition; its depth is the focus distance), feet and head top (image height) */
  eyeNedM: Vec3;
  feetNedM: Vec3;
  topNedM: Vec3;
  uTarget: number;
  vTarget: number;
  /** full-body image height / frame height; 0 = no size target */
  sizeTarget: number;
  wComposition: number;
  wSize: number;
  wFocus: number;
  /** must lie inside the depth of field */
  inBand: boolean;
}

export interface StageReference {
  slots: [SlotReference, SlotReference];
  /** vehicle position reference, NED */
  positionNedM: Vec3;
  wPosNE: number;
  wPosD: number;
  /** weight of the velocity reference (the packer differentiates the position references) */
  wVel: number;
  focalLengthMm: number;
  wFocal: number;
  focusDioptres: number;
  wFocusRef: number;
  irisStops: number;
  wIris: number;
  wGimbalYaw: number;
  /** fraction of the DoF band in-band subjects must stay within */
  bandMargin: number;
  /** 1/distance (from the reference camera position) of what a shallow shot keeps soft; 0 = none */
  backgroundInvM: number;
  /** what is kept soft (reported in ShotTargets.defocusSubjects) */
  defocusName: string | null;
}

/** Where the camera and lens were when the shot started (the recipe anchors on it: no jump). */
export interface CameraStart {
  positionNedM: Vec3;
  yawRad: number;
  gimbalPitchRad: number;
  focalLengthMm: number;
  focusDistanceM: number;
  fNumber: number;
}

export interface RecipeContext {
  spec: ShotSpec;
  rig: Rig;
  predictor: SubjectPredictor;
  /** standing height of a subject, m (perception's estimate or the default) */
  heightOf(name: string): number;
  startTimeS: number;
  start: CameraStart;
  geofence: Geofence | null;
  /** what a shallow-DoF shot may keep soft behind the subject (scene background objects), NED */
  background: Array<{ name: string; positionNedM: Vec3 }>;
}

export interface ShotRecipe {
  readonly kind: ShotKind;
  /** null = open-ended */
  readonly durationS: number | null;
  /** Fill `out` for the shot clock `elapsedS` at absolute time `timeS`. */
  reference(elapsedS: number, timeS: number, out: StageReference): void;
}

export function createSlotReference(): SlotReference {
  return {
    subject: null, eyeNedM: vec3(), feetNedM: vec3(), topNedM: vec3(), uTarget: 0.5, vTarget: 0.5, sizeTarget: 0,
    wComposition: 0, wSize: 0, wFocus: 0, inBand: false,
  };
}

export function createStageReference(): StageReference {
  return {
    slots: [createSlotReference(), createSlotReference()],
    positionNedM: vec3(), wPosNE: 0, wPosD: 0, wVel: 0,
    focalLengthMm: 35, wFocal: 0, focusDioptres: 0, wFocusRef: 0, irisStops: 3, wIris: 0, wGimbalYaw: 0,
    bandMargin: 0.7, backgroundInvM: 0, defocusName: null,
  };
}
