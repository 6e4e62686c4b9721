/**
 * The perception chain as one object: detections (from the TensorFlow.js
 * detector on real frames, or the simulator's virtual detector) → image
 * tracker → world localisation and prediction. `subjects` is the core
 * SubjectPredictor the controller hands to the MPC, so closed-loop shot
 * validation runs on estimated, not true, subject states.
 */
import type { DetectionBatch, ImageTrack, RgbFrame, SubjectEstimate } from '../core/perception-types.ts';
import { clamp, monotonicS } from '../core/units.ts';
import { DetectScheduler } from './detection/detect-scheduler.ts';
import type { Detector } from './detection/detector.ts';
import { vec3 } from '../core/vec3.ts';
import { PosedCamera, pixelIntrinsics } from './localisation/camera-model.ts';
import type { CameraView } from './localisation/ground-localiser.ts';
import { TrackerPredictor, type TrackerPredictorSettings } from './localisation/tracker-predictor.ts';
import { type CameraMotionWarp, MultiObjectTracker, type TrackerSettings } from './tracking/tracker.ts';

export interface PerceptionPipelineSettings {
  tracker?: Partial<TrackerSettings>;
  predictor?: TrackerPredictorSettings;
  /** run the detector on every K-th frame, or 'auto' (processFrame); tracks move every frame */
  detectEvery?: number | 'auto';
  /** frame rate the chain must keep up with when detectEvery is 'auto' (default 10) */
  targetFps?: number;
}

export const DEFAULT_TARGET_FPS = 10;
/** Largest box scale change one camera-motion compensation step may apply. */
export const MAX_WARP_SCALE_PER_STEP = 1.25;
/** Depth assumed for a box whose subject is not localised yet when compensating camera motion, m. */
export const DEFAULT_WARP_DEPTH_M = 10;

export interface PerceptionStep {
  tracks: ImageTrack[];
  /** present when a camera view was given */
  subjects: SubjectEstimate[];
}

export class PerceptionPipeline {
  readonly tracker: MultiObjectTracker;
  readonly subjects: TrackerPredictor;
  readonly scheduler: DetectScheduler;
  // camera motion compensation: the cameras of the previous and this step
  private prevCam = new PosedCamera();
  private curCam = new PosedCamera();
  private hasPrevCam = false;
  private prevTimeS = 0;
  private curTimeS = 0;
  private readonly rayW = vec3();
  private readonly pointW = vec3();
  private readonly proj = { xPx: 0, yPx: 0, depthM: 0 };
  private readonly warp: CameraMotionWarp = (x, trackId) => this.warpBox(x, trackId);
  private readonly detectionBox = (trackId: number): readonly number[] | null => this.tracker.detectionBoxOf(trackId);

  constructor(settings: PerceptionPipelineSettings = {}, private readonly detector: Detector | null = null) {
    this.tracker = new MultiObjectTracker(settings.tracker);
    this.subjects = new TrackerPredictor(settings.predictor);
    this.scheduler = new DetectScheduler(settings.detectEvery ?? 1, settings.targetFps ?? DEFAULT_TARGET_FPS);
  }

  /**
   * One frame's detections (or null on frames without detection) at
   * `timestampS`; `view` is the camera that saw them (omit it to track in the
   * image only).
   */
  process(timestampS: number, batch: DetectionBatch | null, view?: CameraView, imageWidthPx?: number, imageHeightPx?: number): PerceptionStep {
    const w = batch?.imageWidth ?? imageWidthPx, h = batch?.imageHeight ?? imageHeightPx;
    const posed = !!(view && w && h);
    if (posed) this.curCam.set(view!.pose, pixelIntrinsics(view!.lens, w!, h!));
    this.curTimeS = timestampS;
    // the camera's own motion since the last step is known from telemetry: move the boxes with it
    const tracks = this.tracker.step(timestampS, batch, posed && this.hasPrevCam ? this.warp : null);
    if (posed) {
      this.subjects.update(tracks, view!, timestampS, w!, h!, this.detectionBox);
      [this.prevCam, this.curCam] = [this.curCam, this.prevCam];
      this.prevTimeS = timestampS;
      this.hasPrevCam = true;
    }
    return { tracks, subjects: view ? this.subjects.estimates() : [] };
  }

  /**
   * A localised subject: its predicted world motion and the camera's motion
   * together move the box (the world filter is its motion model, so the
   * image velocity is zeroed). Otherwise the box centre becomes a static
   * world point at an assumed depth as the previous camera saw it and is
   * reprojected. The box scales with focal length over depth.
   */
  private warpBox(x: Float64Array, trackId: number): void {
    const prev = this.prevCam, cur = this.curCam;
    let scale: number;
    const mid = trackId > 0 ? this.subjects.midBodyOf(trackId, this.prevTimeS, this.pointW) : null;
    const before = mid ? prev.project(mid, this.proj) : null;
    if (mid && before && before.depthM > 0.5) {
      const u0 = before.xPx, v0 = before.yPx, d0 = before.depthM;
      this.subjects.midBodyOf(trackId, this.curTimeS, this.pointW);
      const after = cur.project(this.pointW, this.proj);
      if (!(after.depthM > 0.3)) return;
      x[0]! += after.xPx - u0;
      x[1]! += after.yPx - v0;
      x[4] = 0;
      x[5] = 0;
      scale = (cur.k.fyPx / prev.k.fyPx) * (d0 / after.depthM);
    } else {
      const r = prev.ray(x[0]!, x[1]!, this.rayW); // optical z = 1: the depth scales it to the point
      const C = prev.pose.positionNedM;
      this.pointW.x = C.x + DEFAULT_WARP_DEPTH_M * r.x;
      this.pointW.y = C.y + DEFAULT_WARP_DEPTH_M * r.y;
      this.pointW.z = C.z + DEFAULT_WARP_DEPTH_M * r.z;
      const p = cur.project(this.pointW, this.proj);
      if (!(p.depthM > 0.3)) return;
      x[0] = p.xPx;
      x[1] = p.yPx;
      scale = (cur.k.fyPx / prev.k.fyPx) * (DEFAULT_WARP_DEPTH_M / p.depthM);
    }
    // one step changes a box's scale little; a larger ratio means a stale depth far off the axis,
    // and compounding it would blow a coasting box up
    scale = clamp(scale, 1 / MAX_WARP_SCALE_PER_STEP, MAX_WARP_SCALE_PER_STEP);
    for (let k = 2; k < 8; k++) x[k]! *= scale;
  }

  /** A real frame: detect when the scheduler says so, track on every frame. Needs a detector. */
  async processFrame(frame: RgbFrame, view?: CameraView): Promise<PerceptionStep> {
    if (!this.detector) throw new Error('PerceptionPipeline.processFrame needs a detector; pass one to the constructor or call process() with detections.');
    const startS = monotonicS();
    let batch: DetectionBatch | null = null;
    if (this.scheduler.next()) {
      batch = await this.detector.detect(frame);
      this.scheduler.recordDetect((monotonicS() - startS) * 1000);
    }
    const detectedS = monotonicS();
    const step = this.process(frame.timestampS, batch, view, frame.width, frame.height);
    this.scheduler.recordOther((monotonicS() - detectedS) * 1000);
    return step;
  }

  /** Forget the previous camera (a cut: the next step's boxes are not warped). */
  resetCameraMotion(): void {
    this.hasPrevCam = false;
  }

  /** "That one is alice." */
  name(trackId: number, name: string): void {
    this.tracker.nameTrack(trackId, name);
  }
}
