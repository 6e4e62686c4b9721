/**
 * People, pose and face detection with TensorFlow.js graph models shipped in
 * @vladmandic/human, pre- and post-processing written here (measured faster
 * and more predictable than going through Human's pipeline, which would run
 * the same graphs):
 *
 * - people: CenterNet (MobileNetV3, COCO, fixed 512×512 input). Its graph
 *   already decodes the heatmap into 100 [x1, y1, x2, y2, score, class] rows
 *   in input pixels; class 0 is person.
 * - keypoints: MoveNet Lightning (single pose, 192×192) run top-down on a
 *   square crop around each of the `poseMaxPeople` largest people.
 * - faces: BlazeFace (256×256, 896 anchors) on the whole frame (close-ups)
 *   and on a square crop around each of the `faceMaxPeople` largest people's
 *   heads (wide shots); its eye landmarks give the focus point.
 */
import type { GraphModel, Tensor, Tensor2D, Tensor3D, Tensor4D } from '@tensorflow/tfjs';
import { CinePilotError } from '../../core/errors.ts';
import { type Detection, type DetectionBatch, type Keypoint, KEYPOINT_NAMES, type RgbFrame } from '../../core/perception-types.ts';
import { iou } from '../box.ts';
import { colourHistogram } from './appearance.ts';
import type { Detector, DetectorCapabilities } from './detector.ts';
import { loadHumanModel } from './model-files.ts';
import { type BackendPreference, loadTf, type Tf, type TfRuntime } from './tf-backend.ts';

export type InputFit = 'stretch' | 'letterbox';

export interface TfjsDetectorSettings {
  backend?: BackendPreference;
  /** people below this score are not reported (low enough for the tracker's second pass) */
  minScore?: number;
  /** how the frame is mapped to the square model input */
  fit?: InputFit;
  /** run MoveNet on this many of the largest people (0 = no keypoints) */
  poseMaxPeople?: number;
  /** faces: up to this many on the whole frame, plus a head crop of this many of the largest people (0 = no faces) */
  faceMaxPeople?: number;
  /** compute colour-histogram appearance descriptors */
  appearance?: boolean;
  /** suppress the weaker of two person boxes overlapping more than this IoU */
  nmsIou?: number;
}

export const DEFAULT_MIN_SCORE = 0.1;
export const DEFAULT_FIT: InputFit = 'stretch';
export const DEFAULT_NMS_IOU = 0.5;
/** Pose and faces only for people whose box is at least this tall: below it the models see a few pixels. */
export const MIN_PERSON_HEIGHT_FOR_POSE_PX = 64;
const CENTERNET_INPUT = 512;
const MOVENET_INPUT = 192;
const BLAZEFACE_INPUT = 256;
const PERSON_CLASS = 0;
const POSE_CROP_MARGIN = 1.25;
const FACE_MIN_SCORE = 0.5;

function validate(s: TfjsDetectorSettings): Required<TfjsDetectorSettings> {
  const r: Required<TfjsDetectorSettings> = {
    backend: s.backend ?? 'auto',
    minScore: s.minScore ?? DEFAULT_MIN_SCORE,
    fit: s.fit ?? DEFAULT_FIT,
    poseMaxPeople: s.poseMaxPeople ?? 0,
    faceMaxPeople: s.faceMaxPeople ?? 0,
    appearance: s.appearance ?? true,
    nmsIou: s.nmsIou ?? DEFAULT_NMS_IOU,
  };
  if (!(r.minScore >= 0 && r.minScore < 1)) throw new CinePilotError('BAD_DETECTOR_SETTING', `minScore must be in [0, 1), got ${r.minScore}.`);
  if (r.fit !== 'stretch' && r.fit !== 'letterbox') throw new CinePilotError('BAD_DETECTOR_SETTING', `fit must be 'stretch' or 'letterbox', got ${String(r.fit)}.`);
  for (const k of ['poseMaxPeople', 'faceMaxPeople'] as const) {
    if (!(Number.isInteger(r[k]) && r[k] >= 0 && r[k] <= 32)) throw new CinePilotError('BAD_DETECTOR_SETTING', `${k} must be an integer 0 … 32, got ${r[k]}.`);
  }
  if (!(r.nmsIou > 0 && r.nmsIou <= 1)) throw new CinePilotError('BAD_DETECTOR_SETTING', `nmsIou must be in (0, 1], got ${r.nmsIou}.`);
  return r;
}

/** BlazeFace anchors: 16×16 cells × 2 then 8×8 cells × 6, centres in input pixels. */
function blazeFaceAnchors(): Float32Array {
  const out: number[] = [];
  for (const [stride, perCell] of [[16, 2], [32, 6]] as const) {
    const cells = BLAZEFACE_INPUT / stride;
    for (let gy = 0; gy < cells; gy++) for (let gx = 0; gx < cells; gx++) for (let n = 0; n < perCell; n++) out.push(stride * (gx + 0.5), stride * (gy + 0.5));
  }
  return new Float32Array(out);
}

/** Square crop [x, y, side] around a box centre, in pixels (may extend past the frame). */
function squareAround(cx: number, cy: number, side: number): [number, number, number] {
  return [cx - side / 2, cy - side / 2, side];
}

export class TfjsDetector implements Detector {
  private readonly settings: Required<TfjsDetectorSettings>;
  private rt!: TfRuntime;
  private tf!: Tf;
  private people!: GraphModel;
  private pose: GraphModel | null = null;
  private face: GraphModel | null = null;
  private anchors: Float32Array | null = null;

  private constructor(settings: TfjsDetectorSettings) {
    this.settings = validate(settings);
  }

  static async create(settings: TfjsDetectorSettings = {}): Promise<TfjsDetector> {
    const d = new TfjsDetector(settings);
    d.rt = await loadTf(d.settings.backend);
    d.tf = d.rt.tf;
    d.people = await loadHumanModel(d.tf, 'centernet');
    if (d.settings.poseMaxPeople > 0) d.pose = await loadHumanModel(d.tf, 'movenet-lightning');
    if (d.settings.faceMaxPeople > 0) {
      d.face = await loadHumanModel(d.tf, 'blazeface');
      d.anchors = blazeFaceAnchors();
    }
    // first inference compiles kernels; do it now, not on the first real frame
    const warm = d.tf.zeros([1, CENTERNET_INPUT, CENTERNET_INPUT, 3]);
    d.tf.dispose(d.people.execute(warm, 'tower_0/detections') as Tensor);
    warm.dispose();
    if (d.pose) d.tf.tidy(() => d.tf.dispose(d.pose!.execute(d.tf.zeros([1, MOVENET_INPUT, MOVENET_INPUT, 3], 'int32')) as Tensor));
    if (d.face) d.tf.tidy(() => d.tf.dispose(d.face!.execute(d.tf.zeros([1, BLAZEFACE_INPUT, BLAZEFACE_INPUT, 3])) as Tensor[]));
    return d;
  }

  capabilities(): DetectorCapabilities {
    return {
      labels: this.face ? ['person', 'face'] : ['person'],
      keypoints: this.pose !== null,
      faces: this.face !== null,
      appearance: this.settings.appearance,
      multiPerson: true,
      backend: this.rt.description,
      models: ['centernet', ...(this.pose ? ['movenet-lightning'] : []), ...(this.face ? ['blazeface'] : [])],
      inputWidth: CENTERNET_INPUT,
      inputHeight: CENTERNET_INPUT,
    };
  }

  async detect(frame: RgbFrame): Promise<DetectionBatch> {
    const tf = this.tf;
    const { width: W, height: H } = frame;
    if (frame.data.length !== W * H * 3) throw new CinePilotError('BAD_FRAME', `frame ${frame.index}: ${frame.data.length} bytes, expected ${W}×${H}×3.`);
    const image = tf.tensor3d(frame.data, [H, W, 3], 'int32') as Tensor3D;
    try {
      // stretch: x and y scale independently; letterbox: one scale, padding right/bottom
      const s = Math.max(W, H) / CENTERNET_INPUT;
      const sx = this.settings.fit === 'stretch' ? W / CENTERNET_INPUT : s;
      const sy = this.settings.fit === 'stretch' ? H / CENTERNET_INPUT : s;
      const input = tf.tidy(() => {
        const f = image.expandDims(0) as Tensor4D; // resizeBilinear reads int32 and returns float32
        if (this.settings.fit === 'stretch') return tf.image.resizeBilinear(f, [CENTERNET_INPUT, CENTERNET_INPUT]);
        const w = Math.round(W / s), h = Math.round(H / s);
        return tf.pad(tf.image.resizeBilinear(f, [h, w]), [[0, 0], [0, CENTERNET_INPUT - h], [0, CENTERNET_INPUT - w], [0, 0]]);
      });
      const out = this.people.execute(input, 'tower_0/detections') as Tensor;
      const rows = (await out.data()) as Float32Array;
      tf.dispose([input, out]);

      const people: Detection[] = [];
      for (let i = 0; i < rows.length; i += 6) {
        const score = rows[i + 4]!;
        if (rows[i + 5] !== PERSON_CLASS || score < this.settings.minScore) continue;
        const x0 = Math.max(0, rows[i]! * sx), y0 = Math.max(0, rows[i + 1]! * sy);
        const x1 = Math.min(W, rows[i + 2]! * sx), y1 = Math.min(H, rows[i + 3]! * sy);
        if (x1 - x0 < 2 || y1 - y0 < 2) continue;
        const bbox: [number, number, number, number] = [x0, y0, x1 - x0, y1 - y0];
        if (people.some((p) => iou(p.bbox, bbox) > this.settings.nmsIou)) continue; // rows come sorted by score
        people.push({ bbox, score, label: 'person' });
      }
      if (this.settings.appearance) for (const p of people) p.appearance = colourHistogram(frame, p.bbox);

      const largest = people
        .filter((p) => p.bbox[3] >= MIN_PERSON_HEIGHT_FOR_POSE_PX && p.score >= 0.3)
        .sort((a, b) => b.bbox[3] - a.bbox[3]);
      if (this.pose) await this.addKeypoints(image, largest.slice(0, this.settings.poseMaxPeople), W, H);
      const faces = this.face ? await this.findFaces(image, largest.slice(0, this.settings.faceMaxPeople), W, H) : [];
      return { frameIndex: frame.index, timestampS: frame.timestampS, imageWidth: W, imageHeight: H, detections: [...people, ...faces] };
    } finally {
      image.dispose();
    }
  }

  /** crop boxes [y1, x1, y2, x2] normalised for tf.image.cropAndResize */
  private cropTensor(image: Tensor3D, crop: [number, number, number], W: number, H: number, size: number, dtype: 'int32' | 'float32'): Tensor4D {
    const tf = this.tf;
    const [x, y, side] = crop;
    return tf.tidy(() => {
      const boxes = tf.tensor2d([[y / (H - 1), x / (W - 1), (y + side) / (H - 1), (x + side) / (W - 1)]]) as Tensor2D;
      // cropAndResize reads the int32 image directly and returns float32: no full-frame cast per crop
      const r = tf.image.cropAndResize(image.expandDims(0) as Tensor4D, boxes, [0], [size, size]);
      return (dtype === 'int32' ? tf.cast(r, 'int32') : r) as Tensor4D;
    });
  }

  private async addKeypoints(image: Tensor3D, people: Detection[], W: number, H: number): Promise<void> {
    for (const p of people) {
      const [bx, by, bw, bh] = p.bbox;
      const crop = squareAround(bx + bw / 2, by + bh / 2, Math.max(bw, bh) * POSE_CROP_MARGIN);
      const input = this.cropTensor(image, crop, W, H, MOVENET_INPUT, 'int32');
      const out = this.pose!.execute(input) as Tensor;
      const v = (await out.data()) as Float32Array; // 17 × (y, x, score), normalised to the crop
      this.tf.dispose([input, out]);
      const kps: Keypoint[] = [];
      for (let k = 0; k < KEYPOINT_NAMES.length; k++) {
        kps.push({ name: KEYPOINT_NAMES[k]!, x: crop[0] + v[3 * k + 1]! * crop[2], y: crop[1] + v[3 * k]! * crop[2], score: v[3 * k + 2]! });
      }
      p.keypoints = kps;
    }
  }

  /** BlazeFace on one square crop [x, y, side]: faces scoring ≥ FACE_MIN_SCORE, best first, overlaps suppressed. */
  private async facesInCrop(image: Tensor3D, crop: [number, number, number], W: number, H: number, maxFaces: number): Promise<Detection[]> {
    const tf = this.tf;
    const anchors = this.anchors!;
    const input = tf.tidy(() => tf.sub(tf.div(this.cropTensor(image, crop, W, H, BLAZEFACE_INPUT, 'float32'), 127.5), 1));
    const outs = this.face!.execute(input) as Tensor[];
    // outputs sorted by size: 384×1, 512×1, 384×16, 512×16 → anchors 0..511 stride 16, 512..895 stride 32
    const sorted = [...outs].sort((a, b) => a.size - b.size);
    const [s384, s512, r384, r512] = (await Promise.all(sorted.map((t) => t.data()))) as Float32Array[];
    tf.dispose([input, ...outs]);
    const minLogit = Math.log(FACE_MIN_SCORE / (1 - FACE_MIN_SCORE));
    const candidates: Array<{ i: number; logit: number }> = [];
    for (let i = 0; i < 896; i++) {
      const logit = i < 512 ? s512![i]! : s384![i - 512]!;
      if (logit >= minLogit) candidates.push({ i, logit });
    }
    candidates.sort((a, b) => b.logit - a.logit);
    const k = crop[2] / BLAZEFACE_INPUT;
    const faces: Detection[] = [];
    for (const { i, logit } of candidates) {
      if (faces.length >= maxFaces) break;
      const reg = i < 512 ? r512!.subarray(i * 16, i * 16 + 16) : r384!.subarray((i - 512) * 16, (i - 512) * 16 + 16);
      const ax = anchors[2 * i]!, ay = anchors[2 * i + 1]!;
      const cx = crop[0] + (ax + reg[0]!) * k, cy = crop[1] + (ay + reg[1]!) * k;
      const w = reg[2]! * k, h = reg[3]! * k;
      const bbox: [number, number, number, number] = [cx - w / 2, cy - h / 2, w, h];
      if (faces.some((f) => iou(f.bbox, bbox) > 0.3)) continue;
      const score = 1 / (1 + Math.exp(-logit));
      // landmarks: right eye, left eye, nose, mouth, right ear, left ear (the subject's left/right)
      const lm = (j: number, name: Keypoint['name']): Keypoint => ({ name, x: crop[0] + (ax + reg[4 + 2 * j]!) * k, y: crop[1] + (ay + reg[5 + 2 * j]!) * k, score });
      faces.push({ bbox, score, label: 'face', keypoints: [lm(0, 'rightEye'), lm(1, 'leftEye'), lm(2, 'nose')] });
    }
    return faces;
  }

  /**
   * Faces: the whole frame (close-ups, where a face is large), then a head
   * crop of each of the largest people (wide shots, where a face is a few
   * pixels of the frame but fills a crop).
   */
  private async findFaces(image: Tensor3D, people: Detection[], W: number, H: number): Promise<Detection[]> {
    const side = Math.max(W, H);
    const faces = await this.facesInCrop(image, [(W - side) / 2, (H - side) / 2, side], W, H, this.settings.faceMaxPeople);
    for (const p of people) {
      const [bx, by, bw] = p.bbox;
      // the head sits in the top of the box; a crop about a shoulder-width wide keeps it large for BlazeFace
      const [face] = await this.facesInCrop(image, squareAround(bx + bw / 2, by + bw * 0.45, bw * 1.1), W, H, 1);
      if (face && !faces.some((f) => iou(f.bbox, face.bbox) > 0.3)) faces.push(face);
    }
    return faces;
  }

  dispose(): void {
    this.people?.dispose();
    this.pose?.dispose();
    this.face?.dispose();
  }
}

/**
 * The focus point of a detection: between the eyes when they are seen
 * (face landmarks or body keypoints with score ≥ 0.3), else the upper part of
 * a person box (where the eyes usually are), pixels.
 */
export function focusPoint(d: Detection): { x: number; y: number; fromEyes: boolean } {
  const eyes = d.keypoints?.filter((k) => (k.name === 'leftEye' || k.name === 'rightEye') && k.score >= 0.3) ?? [];
  if (eyes.length) return { x: eyes.reduce((a, k) => a + k.x, 0) / eyes.length, y: eyes.reduce((a, k) => a + k.y, 0) / eyes.length, fromEyes: true };
  const [x, y, w, h] = d.bbox;
  return { x: x + w / 2, y: y + (d.label === 'face' ? 0.4 : 0.07) * h, fromEyes: false };
}

export function createDetector(settings: TfjsDetectorSettings = {}): Promise<Detector> {
  return TfjsDetector.create(settings);
}
