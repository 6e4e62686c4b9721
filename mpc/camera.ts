/**
 * Pinhole projection of world points through the camera pose (vehicle pose +
 * gimbal, see core/frames.ts) and the lens/sensor intrinsics, to normalised
 * image coordinates: u, v ∈ [0, 1] across the frame, origin top-left,
 * principal point at the centre. Points at or behind the image plane are
 * reported as such, never silently projected.
 */
import type { Vec3 } from '../core/vec3.ts';
import { type CameraPose, type Mat3, cameraRotation, mat3, worldToOptical } from '../core/frames.ts';

export interface Intrinsics {
  focalLengthMm: number;
  sensorWidthMm: number;
  sensorHeightMm: number;
}

export interface Projection {
  /** normalised horizontal coordinate, 0 = left edge, 1 = right edge */
  u: number;
  /** normalised vertical coordinate, 0 = top edge, 1 = bottom edge */
  v: number;
  /** depth along the optical axis, m */
  depthM: number;
  /** false when the point is at or behind the camera (u, v are then NaN) */
  inFront: boolean;
  /** true when inFront and u, v ∈ [0, 1] */
  inFrame: boolean;
}

/** Smallest depth treated as "in front"; below it the projection is undefined. */
export const MIN_PROJECTION_DEPTH_M = 1e-3;

export function emptyProjection(): Projection {
  return { u: Number.NaN, v: Number.NaN, depthM: 0, inFront: false, inFrame: false };
}

/**
 * Projects points for one camera pose. Create once per pose (it caches the
 * rotation); `project` allocates nothing when given a target.
 */
export class CameraProjector {
  private readonly R: Mat3 = mat3();
  private readonly optical: Vec3 = { x: 0, y: 0, z: 0 };
  private pose: CameraPose;
  private intrinsics: Intrinsics;

  constructor(pose: CameraPose, intrinsics: Intrinsics) {
    this.pose = pose;
    this.intrinsics = intrinsics;
    cameraRotation(pose, this.R);
  }

  setPose(pose: CameraPose): void {
    this.pose = pose;
    cameraRotation(pose, this.R);
  }

  setIntrinsics(intrinsics: Intrinsics): void {
    this.intrinsics = intrinsics;
  }

  project(pointNedM: Vec3, target: Projection = emptyProjection()): Projection {
    const o = worldToOptical(this.pose, this.R, pointNedM, this.optical);
    target.depthM = o.z;
    if (!(o.z > MIN_PROJECTION_DEPTH_M)) {
      target.u = Number.NaN;
      target.v = Number.NaN;
      target.inFront = false;
      target.inFrame = false;
      return target;
    }
    const { focalLengthMm, sensorWidthMm, sensorHeightMm } = this.intrinsics;
    target.u = 0.5 + (focalLengthMm / sensorWidthMm) * (o.x / o.z);
    target.v = 0.5 + (focalLengthMm / sensorHeightMm) * (o.y / o.z);
    target.inFront = true;
    target.inFrame = target.u >= 0 && target.u <= 1 && target.v >= 0 && target.v <= 1;
    return target;
  }
}

/** One-off convenience (allocates); use CameraProjector in loops. */
export function projectPoint(pose: CameraPose, intrinsics: Intrinsics, pointNedM: Vec3): Projection {
  return new CameraProjector(pose, intrinsics).project(pointNedM);
}
