/**
 * What flows from pixels to the controller: frames → detections → image
 * tracks → world subjects with predictions (DESIGN.md §7). Real detectors and
 * the simulator's virtual detector produce the same `Detection`s, so the same
 * tracker runs on set and in simulation.
 */
import type { Vec3 } from './vec3.ts';

/** A decoded camera frame, RGB24, row-major, top-left origin. */
export interface RgbFrame {
  index: number;
  /** monotonic capture time, seconds */
  timestampS: number;
  width: number;
  height: number;
  /** width × height × 3 bytes */
  data: Uint8Array;
}

export interface FrameSourceInfo {
  /** e.g. 'file', 'rtsp', 'udp', 'v4l2', 'sim' */
  kind: string;
  uri: string;
  width: number;
  height: number;
  fps: number | null;
  /** total frames when known (files) */
  frameCount: number | null;
}

/**
 * A source of frames with back-pressure: a slow consumer gets the newest
 * frame and older ones are dropped (counted in `droppedFrames`), never queued
 * without bound.
 */
export interface FrameSource {
  open(): Promise<FrameSourceInfo>;
  /** Resolves with the next frame, or null at end of stream. */
  next(): Promise<RgbFrame | null>;
  readonly droppedFrames: number;
  close(): Promise<void>;
}

/** Body keypoint names, COCO-17 order (what MoveNet reports). */
export const KEYPOINT_NAMES = [
  'nose', 'leftEye', 'rightEye', 'leftEar', 'rightEar', 'leftShoulder', 'rightShoulder',
  'leftElbow', 'rightElbow', 'leftWrist', 'rightWrist', 'leftHip', 'rightHip',
  'leftKnee', 'rightKnee', 'leftAnkle', 'rightAnkle',
] as const;
export type KeypointName = (typeof KEYPOINT_NAMES)[number];

export interface Keypoint {
  name: KeypointName;
  /** pixels */
  x: number;
  y: number;
  score: number;
}

/** One detected person (or object) in one frame. Pixel units, top-left origin. */
export interface Detection {
  /** [x, y, w, h] in pixels */
  bbox: [number, number, number, number];
  score: number;
  /** 'person' | 'face' | other class names */
  label: string;
  keypoints?: Keypoint[];
  /** optional appearance descriptor for re-identification (e.g. colour histogram) */
  appearance?: Float32Array;
}

export interface DetectionBatch {
  frameIndex: number;
  /** capture time of the frame these detections come from */
  timestampS: number;
  imageWidth: number;
  imageHeight: number;
  detections: Detection[];
}

/** A tracked object in the image. */
export interface ImageTrack {
  id: number;
  bbox: [number, number, number, number];
  score: number;
  name?: string;
  /** pixels per second, from the image Kalman filter */
  velocityPxps?: [number, number];
  /** frames since the last matched detection (0 = matched this frame) */
  framesSinceUpdate: number;
  keypoints?: Keypoint[];
}

/**
 * A subject's estimated world state (NED, metres). Covariances are row-major
 * 3×3 for position; the prediction model is constant velocity unless stated.
 */
export interface SubjectEstimate {
  /** track id, stable while the tracker keeps the subject */
  id: number;
  /** lower-case name given by the DP ("alice"), when known */
  name?: string;
  timestampS: number;
  /** ground contact point (feet), NED */
  positionNedM: Vec3;
  velocityNedMps: Vec3;
  /** direction the subject faces, radians from north, clockwise */
  headingRad: number;
  heightM: number;
  /** 3 × 3 position covariance, row-major, m² */
  positionCovM2: number[];
  /** true when the estimate comes from ground truth (simulator debugging only) */
  groundTruth?: boolean;
}

/** Subject state predicted at a future time, with 1-σ position uncertainty. */
export interface SubjectPredictionSample {
  timeS: number;
  positionNedM: Vec3;
  velocityNedMps: Vec3;
  headingRad: number;
  positionSigmaM: number;
  /** estimated standing height, m, when the predictor knows it */
  heightM?: number;
  /**
   * Horizontal position covariance [nn, ne, ee], m², when the predictor has
   * one. Monocular trackers are far surer across the line of sight than
   * along it; consumers that care (framing under uncertainty) use the split.
   */
  positionCovNeM2?: [number, number, number];
}

export interface SubjectPredictor {
  /** Predicted state of `name` at absolute monotonic time `timeS`, or null if unknown. */
  predict(name: string, timeS: number): SubjectPredictionSample | null;
  /** Names currently known. */
  names(): string[];
}
