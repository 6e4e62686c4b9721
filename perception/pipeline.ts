/**
 * The perception chain as one object: detections (from the TensorFlow.js
 * detector on real frames, or the simulator's virtual detector) → image
 * tracker → world localisation and prediction. `subjects` is the core
 * SubjectPredictor the controller hands to the MPC, so closed-loop shot
 * validation runs on estimated, not true, subject states.
 */
import type { DetectionBatch, ImageTrack, RgbFrame, SubjectEstimate } from '../core/perception-types.ts';
import { monotonicS } from '../core/units.ts';
import { DetectScheduler } from './detection/detect-scheduler.ts';
import type { Detector } from './detection/detector.ts';
import type { CameraView } from './localisation/ground-localiser.ts';
import { TrackerPredictor, type TrackerPredictorSettings } from './localisation/tracker-predictor.ts';
import { MultiObjectTracker, type TrackerSettings } from './tracking/tracker.ts';

export interface PerceptionPipelineSettings {
  tracker?: Partial<TrackerSettings>;
  predictor?: TrackerPredictorSettings;
  /** run the detector on every K-th frame, or 'auto' (processFrame); tracks move every frame */
  detectEvery?: number | 'auto';
  /** frame rate the chain must keep up with when detectEvery is 'auto' (default 10) */
  targetFps?: number;
}

export const DEFAULT_TARGET_FPS = 10;

export interface PerceptionStep {
  tracks: ImageTrack[];
  /** present when a camera view was given */
  subjects: SubjectEstimate[];
}

export class PerceptionPipeline {
  readonly tracker: MultiObjectTracker;
  readonly subjects: TrackerPredictor;
  readonly scheduler: DetectScheduler;

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
    const tracks = this.tracker.step(timestampS, batch);
    const w = batch?.imageWidth ?? imageWidthPx, h = batch?.imageHeight ?? imageHeightPx;
    if (view && w && h) this.subjects.update(tracks, view, timestampS, w, h);
    return { tracks, subjects: view ? this.subjects.estimates() : [] };
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

  /** "That one is alice." */
  name(trackId: number, name: string): void {
    this.tracker.nameTrack(trackId, name);
  }
}
