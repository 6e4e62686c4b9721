/**
 * Virtual person detector: turns the simulator's ground truth into what a
 * real detector (MoveNet/CenterNet class) reports for a camera frame — pixel
 * boxes and COCO-17 keypoints with noise, missed detections, false positives,
 * occlusion by other people, props and scene objects, and a processing
 * latency — so perception's tracker can run in the loop. Seeded: the same
 * seed and world give the same detections.
 *
 * Occlusion model: each keypoint of a person is hidden when it falls inside
 * the projected box of something nearer the camera (or outside the image);
 * the detection's score scales with the visible fraction and a person less
 * than `minVisibleFraction` visible is not detected.
 */
import type { Detection, DetectionBatch, Keypoint, KeypointName } from '../core/perception-types.ts';
import { KEYPOINT_NAMES } from '../core/perception-types.ts';
import { type Vec3, vec3 } from '../core/vec3.ts';
import { CameraProjector, emptyProjection, type Intrinsics } from '../mpc/camera.ts';
import type { CameraPose } from '../core/frames.ts';
import type { LensState } from '../core/vehicle-link.ts';
import { clamp } from '../core/units.ts';
import { Rng } from './rng.ts';
import { APPEARANCE_LENGTH } from '../perception/detection/appearance.ts';
import type { SimWorld } from './world.ts';
import type { SimSubject } from './subjects.ts';
import { hexToRgb } from './renderer.ts';
import type { ShapeSpec } from './scene-schema.ts';

export interface VirtualDetectorSettings {
  /** image the detector works on, px (default 640 × aspect of the camera) */
  imageWidthPx: number;
  imageHeightPx: number;
  /** capture → detections available, s */
  latencyS: number;
  /** σ of each box edge, as a fraction of the box height */
  boxNoiseFraction: number;
  /** σ of keypoint positions, as a fraction of the box height (occluded ones get 3×) */
  keypointNoiseFraction: number;
  /** chance a visible person is missed anyway */
  missProbability: number;
  /** mean false positives per frame */
  falsePositivesPerFrame: number;
  /** below this visible fraction a person is not detected */
  minVisibleFraction: number;
  /** boxes shorter than this are not detected, px */
  minBoxHeightPx: number;
}

export const DEFAULT_DETECTOR_WIDTH_PX = 640;
/** Smallest box width / height of a standing person. */
const MIN_BOX_ASPECT = 0.28;

export function defaultDetectorSettings(world: SimWorld): VirtualDetectorSettings {
  const cam = world.rig.camera;
  return {
    imageWidthPx: DEFAULT_DETECTOR_WIDTH_PX,
    imageHeightPx: Math.round((DEFAULT_DETECTOR_WIDTH_PX * cam.imageHeightPx) / cam.imageWidthPx),
    latencyS: 0.06,
    boxNoiseFraction: 0.02,
    keypointNoiseFraction: 0.012,
    missProbability: 0.03,
    falsePositivesPerFrame: 0.05,
    minVisibleFraction: 0.35,
    minBoxHeightPx: 10,
  };
}

/**
 * A batch plus which true subject each detection came from (null = false
 * positive), for scoring trackers, and the camera that saw the frame (what
 * telemetry said at capture time), for localising the detections.
 */
export interface VirtualDetectionBatch extends DetectionBatch {
  truthNames: Array<string | null>;
  camera: { pose: CameraPose; intrinsics: Intrinsics; lens: LensState };
}

/** Skeleton: [forward, right, up] as fractions of height; "left" is the person's own left. */
const SKELETON: Record<KeypointName, [number, number, number]> = {
  nose: [0.06, 0, 0.915],
  leftEye: [0.05, -0.03, 0.935],
  rightEye: [0.05, 0.03, 0.935],
  leftEar: [0, -0.055, 0.925],
  rightEar: [0, 0.055, 0.925],
  leftShoulder: [0, -0.13, 0.815],
  rightShoulder: [0, 0.13, 0.815],
  leftElbow: [0, -0.145, 0.63],
  rightElbow: [0, 0.145, 0.63],
  leftWrist: [0.02, -0.145, 0.47],
  rightWrist: [0.02, 0.145, 0.47],
  leftHip: [0, -0.055, 0.53],
  rightHip: [0, 0.055, 0.53],
  leftKnee: [0.01, -0.055, 0.285],
  rightKnee: [0.01, 0.055, 0.285],
  leftAnkle: [0, -0.055, 0.04],
  rightAnkle: [0, 0.055, 0.04],
};
/** Pixels sampled per box half for the appearance histogram, and their colour noise (0–255). */
const APPEARANCE_SAMPLES_PER_HALF = 24;
const APPEARANCE_NOISE = 12;

/** Upper/lower-half RGB histograms (perception's layout) of a person dressed in one colour, sampled with noise. */
function virtualAppearance(r: number, g: number, b: number, rng: Rng): Float32Array {
  const out = new Float32Array(APPEARANCE_LENGTH), half = APPEARANCE_LENGTH / 2;
  const bins = Math.round(Math.cbrt(half)), shift = 256 / bins;
  const q = (c: number) => Math.min(bins - 1, Math.max(0, Math.floor(clamp(c + APPEARANCE_NOISE * rng.gaussian(), 0, 255) / shift)));
  for (let h = 0; h < 2; h++) {
    for (let k = 0; k < APPEARANCE_SAMPLES_PER_HALF; k++) out[h * half + (q(r) * bins + q(g)) * bins + q(b)]! += 1 / APPEARANCE_SAMPLES_PER_HALF;
  }
  return out;
}

/** Extra extent points for the box: head top and the ground under the feet. */
const EXTENT: Array<[number, number, number]> = [[0, 0, 1], [0.05, -0.06, 0], [0.05, 0.06, 0], [-0.04, 0, 0]];

function bodyPoint(s: SimSubject, p: [number, number, number], target: Vec3): Vec3 {
  const h = s.heightM, c = Math.cos(s.state.headingRad), sn = Math.sin(s.state.headingRad);
  const f = p[0] * h, r = p[1] * h;
  target.x = s.state.positionNedM.x + c * f - sn * r;
  target.y = s.state.positionNedM.y + sn * f + c * r;
  target.z = s.state.positionNedM.z - p[2] * h;
  return target;
}

/** Corners of a shape's bounding box in world NED (for occlusion boxes). */
function shapeCorners(shape: ShapeSpec, base: Vec3, yawRad: number): Vec3[] {
  const [l, w, h] = shape.type === 'box' ? shape.sizeM : [2 * shape.radiusM, 2 * shape.radiusM, shape.heightM];
  const c = Math.cos(yawRad), s = Math.sin(yawRad), out: Vec3[] = [];
  for (const f of [-l / 2, l / 2]) for (const r of [-w / 2, w / 2]) for (const up of [0, h]) out.push(vec3(base.x + c * f - s * r, base.y + s * f + c * r, base.z - up));
  return out;
}

interface ScreenBox {
  x0: number; y0: number; x1: number; y1: number;
  /** nearest depth of the occluder, m */
  depthM: number;
  owner: string;
}

export class VirtualDetector {
  readonly settings: VirtualDetectorSettings;
  private readonly rng: Rng;
  private readonly pending: Array<{ readyS: number; batch: VirtualDetectionBatch }> = [];
  private frameIndex = 0;

  constructor(private readonly world: SimWorld, seed: number, settings: Partial<VirtualDetectorSettings> = {}) {
    this.settings = { ...defaultDetectorSettings(world), ...settings };
    this.rng = new Rng(seed, 'virtual-detector');
  }

  /** Detect on the current world state and queue the result until its latency has passed. */
  capture(): void {
    const batch = this.detectNow();
    this.pending.push({ readyS: batch.timestampS + this.settings.latencyS, batch });
  }

  /** Batches whose processing has finished by `nowS`, oldest first. */
  poll(nowS: number): VirtualDetectionBatch[] {
    const ready: VirtualDetectionBatch[] = [];
    while (this.pending.length && this.pending[0]!.readyS <= nowS + 1e-9) ready.push(this.pending.shift()!.batch);
    return ready;
  }

  /** Detections for the world as it is now (no latency). */
  detectNow(): VirtualDetectionBatch {
    const S = this.settings, W = S.imageWidthPx, H = S.imageHeightPx, rng = this.rng;
    const pose = this.world.cameraPose(), intrinsics = this.world.intrinsics();
    const proj = new CameraProjector(pose, intrinsics);
    const pr = emptyProjection(), pt = vec3();
    const people = this.world.subjects.filter((s) => s.kind === 'person');

    // occluder boxes on screen: people, moving props, scene objects
    const occluders: ScreenBox[] = [];
    const addBox = (owner: string, corners: Vec3[]) => {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, d = Infinity;
      for (const c of corners) {
        proj.project(c, pr);
        if (!pr.inFront) return; // partly behind the camera: ignore as occluder (rare at shot distances)
        x0 = Math.min(x0, pr.u * W); x1 = Math.max(x1, pr.u * W);
        y0 = Math.min(y0, pr.v * H); y1 = Math.max(y1, pr.v * H);
        d = Math.min(d, pr.depthM);
      }
      occluders.push({ x0, y0, x1, y1, depthM: d, owner });
    };
    for (const s of people) {
      // a person occludes with the torso/legs core, narrower than the full box
      addBox(s.name, [[0, -0.1, 0.05], [0, 0.1, 0.05], [0, -0.1, 0.98], [0, 0.1, 0.98]].map((p) => bodyPoint(s, p as [number, number, number], vec3())));
    }
    for (const s of this.world.subjects) if (s.kind === 'prop') addBox(s.name, shapeCorners(s.shape!, s.state.positionNedM, s.state.headingRad));
    for (const o of this.world.objects) addBox(o.name, shapeCorners(o.shape, o.positionNedM, o.yawRad));

    const detections: Detection[] = [];
    const truthNames: Array<string | null> = [];
    for (const s of people) {
      // box from the true extent
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, behind = false;
      for (const p of [...Object.values(SKELETON), ...EXTENT]) {
        proj.project(bodyPoint(s, p, pt), pr);
        if (!pr.inFront) { behind = true; break; }
        x0 = Math.min(x0, pr.u * W); x1 = Math.max(x1, pr.u * W);
        y0 = Math.min(y0, pr.v * H); y1 = Math.max(y1, pr.v * H);
      }
      if (behind || x1 < 0 || y1 < 0 || x0 > W || y0 > H) continue;
      const boxH = y1 - y0;
      // arms and clothing make a person at least ~0.28 of their height wide, even side-on
      const padX = Math.max(0.1 * (x1 - x0), (MIN_BOX_ASPECT * boxH - (x1 - x0)) / 2);
      x0 -= padX; x1 += padX;
      if (boxH < S.minBoxHeightPx) continue;

      const keypoints: Keypoint[] = [];
      let visible = 0;
      for (const name of KEYPOINT_NAMES) {
        proj.project(bodyPoint(s, SKELETON[name], pt), pr);
        const x = pr.u * W, y = pr.v * H;
        const inImage = x >= 0 && x < W && y >= 0 && y < H;
        const hidden = !inImage || occluders.some((o) => o.owner !== s.name && o.depthM < pr.depthM && x >= o.x0 && x <= o.x1 && y >= o.y0 && y <= o.y1);
        if (!hidden) visible++;
        const sigma = S.keypointNoiseFraction * boxH * (hidden ? 3 : 1);
        keypoints.push({
          name,
          x: x + sigma * rng.gaussian(),
          y: y + sigma * rng.gaussian(),
          score: clamp(hidden ? 0.1 + 0.05 * rng.gaussian() : 0.8 + 0.08 * rng.gaussian(), 0.01, 0.99),
        });
      }
      const visibleFraction = visible / KEYPOINT_NAMES.length;
      if (visibleFraction < S.minVisibleFraction || rng.next() < S.missProbability) continue;
      const n = S.boxNoiseFraction * boxH;
      const bx0 = clamp(x0 + n * rng.gaussian(), 0, W), by0 = clamp(y0 + n * rng.gaussian(), 0, H);
      const bx1 = clamp(x1 + n * rng.gaussian(), 0, W), by1 = clamp(y1 + n * rng.gaussian(), 0, H);
      if (bx1 - bx0 < 2 || by1 - by0 < 2) continue;
      const [r, g, b] = hexToRgb(s.colour);
      detections.push({
        bbox: [bx0, by0, bx1 - bx0, by1 - by0],
        score: clamp(0.95 * visibleFraction + 0.03 * rng.gaussian(), 0.05, 0.99),
        label: 'person',
        keypoints,
        // the colour-histogram descriptor perception computes from pixels (perception/detection/appearance.ts),
        // from a handful of noisy samples of the person's colour, so re-identification compares like with like
        appearance: virtualAppearance(r, g, b, rng),
      });
      truthNames.push(s.name);
    }
    // false positives: low-score boxes on the ground half of the image
    const fp = rng.poisson(S.falsePositivesPerFrame);
    for (let k = 0; k < fp; k++) {
      const h = rng.uniform(0.05, 0.3) * H, w = h * rng.uniform(0.3, 0.6);
      detections.push({ bbox: [rng.uniform(0, W - w), rng.uniform(0.3 * H, H - h), w, h], score: rng.uniform(0.25, 0.5), label: 'person' });
      truthNames.push(null);
    }
    return {
      frameIndex: this.frameIndex++, timestampS: this.world.timeS, imageWidth: W, imageHeight: H, detections, truthNames,
      camera: { pose, intrinsics, lens: { ...this.world.lens.state } },
    };
  }
}
