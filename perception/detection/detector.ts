/**
 * One interface for everything that turns a frame into detections: the
 * TensorFlow.js people/pose/face detector here and the simulator's virtual
 * detector (sim/) both produce core DetectionBatch, so one tracker serves both.
 */
import type { DetectionBatch, RgbFrame } from '../../core/perception-types.ts';

export interface DetectorCapabilities {
  /** detection labels produced: 'person', 'face' */
  labels: string[];
  /** COCO-17 body keypoints on (some) people */
  keypoints: boolean;
  /** face boxes with eye keypoints (a focus point) */
  faces: boolean;
  /** colour-histogram appearance descriptors for re-identification */
  appearance: boolean;
  /** several people per frame */
  multiPerson: boolean;
  /** compute back-end, e.g. "wasm (SIMD, 1 thread)" */
  backend: string;
  models: string[];
  /** the model's input size, pixels */
  inputWidth: number;
  inputHeight: number;
}

export interface Detector {
  capabilities(): DetectorCapabilities;
  detect(frame: RgbFrame): Promise<DetectionBatch>;
  dispose(): void;
}
