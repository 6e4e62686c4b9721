/**
 * Pinhole camera in pixels for back-projection: intrinsics from focal length
 * and sensor size (principal point at the centre, square pixels not assumed),
 * and pixel ↔ world-ray conversion through core/frames.ts. Matches the
 * forward model of the MPC (u = ½ + f/sensorWidth · x/z, v likewise).
 */
import { type CameraPose, type Mat3, cameraRotation, mat3, opticalToWorldDirection, worldToOptical } from '../../core/frames.ts';
import { CinePilotError } from '../../core/errors.ts';
import { type Vec3, set, vec3 } from '../../core/vec3.ts';

export interface LensIntrinsics {
  focalLengthMm: number;
  sensorWidthMm: number;
  sensorHeightMm: number;
}

export interface PixelIntrinsics {
  fxPx: number;
  fyPx: number;
  cxPx: number;
  cyPx: number;
  widthPx: number;
  heightPx: number;
}

export function pixelIntrinsics(lens: LensIntrinsics, widthPx: number, heightPx: number): PixelIntrinsics {
  const { focalLengthMm, sensorWidthMm, sensorHeightMm } = lens;
  if (!(focalLengthMm > 0 && sensorWidthMm > 0 && sensorHeightMm > 0 && widthPx > 0 && heightPx > 0)) {
    throw new CinePilotError('BAD_INTRINSICS', `intrinsics need focal length, sensor size and image size > 0 (got f=${focalLengthMm} mm, sensor ${sensorWidthMm}×${sensorHeightMm} mm, image ${widthPx}×${heightPx} px).`);
  }
  return {
    fxPx: (focalLengthMm * widthPx) / sensorWidthMm,
    fyPx: (focalLengthMm * heightPx) / sensorHeightMm,
    cxPx: widthPx / 2,
    cyPx: heightPx / 2,
    widthPx,
    heightPx,
  };
}

/** A posed pinhole camera; set once per frame, then query without allocating. */
export class PosedCamera {
  readonly R: Mat3 = mat3();
  pose!: CameraPose;
  k!: PixelIntrinsics;
  private readonly tmp: Vec3 = vec3();

  set(pose: CameraPose, k: PixelIntrinsics): this {
    this.pose = pose;
    this.k = k;
    cameraRotation(pose, this.R);
    return this;
  }

  /** World direction (not normalised) of the ray through pixel (x, y). */
  ray(xPx: number, yPx: number, target: Vec3 = vec3()): Vec3 {
    set(this.tmp, (xPx - this.k.cxPx) / this.k.fxPx, (yPx - this.k.cyPx) / this.k.fyPx, 1);
    return opticalToWorldDirection(this.R, this.tmp, target);
  }

  /** Pixel of a world point; `depthM` ≤ 0 means behind the camera. */
  project(pointNedM: Vec3, target: { xPx: number; yPx: number; depthM: number }): { xPx: number; yPx: number; depthM: number } {
    const o = worldToOptical(this.pose, this.R, pointNedM, this.tmp);
    target.depthM = o.z;
    target.xPx = this.k.cxPx + (this.k.fxPx * o.x) / o.z;
    target.yPx = this.k.cyPx + (this.k.fyPx * o.y) / o.z;
    return target;
  }
}
