/**
 * Multi-object tracker of the ByteTrack family, in the image:
 * - each track is a constant-velocity Kalman filter on its box (box-kalman.ts)
 *   predicted at every frame, so tracks move between detections
 *   (detection may run every K-th frame);
 * - association in two passes (Zhang et al., ByteTrack, ECCV 2022): confident
 *   detections against every track with cost (1 − IoU) + λ·(1 − appearance
 *   similarity), by the Hungarian method; then the remaining tracked tracks
 *   against low-score detections by IoU alone, which keeps people who are
 *   half hidden (their detector score drops) on their id;
 * - birth: a confident detection nobody claimed, not lying on a tracked
 *   person's box, starts a tentative track that
 *   is confirmed (and gets its public id) after `confirmHits` detections
 *   (on the very first batch, at once: there is nothing to confirm against);
 * - death: a young track (fewer than `matureHits` detections) dies like a
 *   tentative one; a mature track not seen for `maxCoastS` is lost (not reported, still
 *   matchable, and re-identified by colour histogram and a position gate that
 *   grows with the gap) and forgotten after `maxLostS`;
 * - names: `nameTrack(id, "alice")`; the name moves with the id through
 *   re-identification, and when a named track is forgotten its appearance is
 *   remembered so a later track that looks and moves like it gets the name.
 * Times are seconds (frame timestamps); rules do not depend on frame rate,
 * and stretch when detections come less often than every ~0.35 s.
 */
import { CinePilotError } from '../../core/errors.ts';
import type { Detection, DetectionBatch, ImageTrack, Keypoint } from '../../core/perception-types.ts';
import { appearanceSimilarity, blendAppearance } from '../detection/appearance.ts';
import { iou } from '../box.ts';
import { BoxKalman, type BoxKalmanSettings, DEFAULT_BOX_KALMAN } from './box-kalman.ts';
import { Assignment } from './hungarian.ts';

export interface TrackerSettings {
  /** detections at or above this score take part in the first pass and may start tracks */
  highScore: number;
  /** detections between lowScore and highScore only extend existing tracks (second pass) */
  lowScore: number;
  /** a new track needs a detection at least this confident */
  birthScore: number;
  /** …and overlapping no tracked person's box by more than this IoU */
  birthMaxIou: number;
  /** first pass: pairs below this IoU are not matched */
  firstPassMinIou: number;
  /** second pass (low-score detections): pairs below this IoU are not matched */
  secondPassMinIou: number;
  /** λ: weight of (1 − appearance similarity) against (1 − IoU) in the first pass */
  appearanceWeight: number;
  /** detections needed before a track is confirmed and reported */
  confirmHits: number;
  /** a tentative track unmatched for this long is dropped, s */
  tentativeMaxGapS: number;
  /** detections after which a confirmed track may coast and be lost/re-identified; younger ones die like tentative ones */
  matureHits: number;
  /** a confirmed track is reported on prediction alone for this long after its last detection, s */
  maxCoastS: number;
  /** a lost track is kept for re-association and re-identification this long, s */
  maxLostS: number;
  /** colour-histogram similarity (Bhattacharyya, 0…1) needed to re-identify a lost track or a named person */
  reidMinSimilarity: number;
  /** how fast a lost person may have moved, box heights per second (re-identification gate) */
  reidMaxSpeedHeightsPerS: number;
  /** how long a forgotten named person's appearance is remembered, s */
  nameMemoryS: number;
  /** appearance update rate per matched detection */
  appearanceAlpha: number;
  kalman: BoxKalmanSettings;
}

export const DEFAULT_TRACKER_SETTINGS: TrackerSettings = {
  highScore: 0.35,
  lowScore: 0.1,
  birthScore: 0.45,
  birthMaxIou: 0.3,
  firstPassMinIou: 0.2,
  secondPassMinIou: 0.35,
  appearanceWeight: 0.5,
  confirmHits: 2,
  tentativeMaxGapS: 0.35,
  matureHits: 4,
  maxCoastS: 1.0,
  maxLostS: 5,
  reidMinSimilarity: 0.8,
  reidMaxSpeedHeightsPerS: 1.5,
  nameMemoryS: 120,
  appearanceAlpha: 0.1,
  kalman: DEFAULT_BOX_KALMAN,
};

function validateSettings(partial: Partial<TrackerSettings>): TrackerSettings {
  const s = { ...DEFAULT_TRACKER_SETTINGS, ...partial, kalman: { ...DEFAULT_BOX_KALMAN, ...partial.kalman } };
  const unit = ['highScore', 'lowScore', 'birthScore', 'birthMaxIou', 'firstPassMinIou', 'secondPassMinIou', 'reidMinSimilarity', 'appearanceAlpha'] as const;
  for (const k of unit) if (!(s[k] >= 0 && s[k] <= 1)) throw new CinePilotError('BAD_TRACKER_SETTING', `tracker ${k} must be in [0, 1], got ${s[k]}.`);
  const positive = ['maxCoastS', 'maxLostS', 'tentativeMaxGapS', 'reidMaxSpeedHeightsPerS', 'nameMemoryS'] as const;
  for (const k of positive) if (!(s[k] > 0)) throw new CinePilotError('BAD_TRACKER_SETTING', `tracker ${k} must be > 0, got ${s[k]}.`);
  if (!(s.lowScore <= s.highScore)) throw new CinePilotError('BAD_TRACKER_SETTING', `tracker lowScore (${s.lowScore}) must not exceed highScore (${s.highScore}).`);
  if (!(s.maxCoastS <= s.maxLostS)) throw new CinePilotError('BAD_TRACKER_SETTING', `tracker maxCoastS must not exceed maxLostS.`);
  if (!(Number.isInteger(s.matureHits) && s.matureHits >= 1)) throw new CinePilotError('BAD_TRACKER_SETTING', `tracker matureHits must be an integer ≥ 1, got ${s.matureHits}.`);
  if (!(Number.isInteger(s.confirmHits) && s.confirmHits >= 1)) throw new CinePilotError('BAD_TRACKER_SETTING', `tracker confirmHits must be an integer ≥ 1, got ${s.confirmHits}.`);
  if (!(s.appearanceWeight >= 0)) throw new CinePilotError('BAD_TRACKER_SETTING', `tracker appearanceWeight must be ≥ 0.`);
  return s;
}

interface Track {
  /** public id, 0 while tentative */
  id: number;
  kf: BoxKalman;
  hits: number;
  lastUpdateS: number;
  framesSinceUpdate: number;
  score: number;
  confirmed: boolean;
  name?: string;
  appearance: Float32Array | null;
  keypoints?: Keypoint[];
  box: [number, number, number, number];
  /** the detection box last matched to this track (the measurement, before smoothing) */
  detBox: [number, number, number, number];
}

interface RememberedName {
  name: string;
  appearance: Float32Array;
  centreX: number;
  centreY: number;
  heightPx: number;
  lastSeenS: number;
}

/** Counts of what the tracker did, for logs and tests. */
export interface TrackerStats {
  tracksConfirmed: number;
  reidentified: number;
  namesRecovered: number;
}

const FORBIDDEN = 1e6;

/**
 * Camera motion compensation: moves a track's box state [cx, cy, w, h, vx,
 * vy, vw, vh] (pixels) in place from where the previous frame's camera saw
 * it to where this frame's camera sees it; applied before the box's own
 * constant-velocity prediction (a warp that also carries the subject's
 * world motion zeroes the image velocity). `trackId` is 0 for a tentative
 * track. A drone's camera pans, tilts, zooms and flies between
 * detections; without this a panning camera drags every box away from its
 * constant-velocity prediction and association fails.
 */
export type CameraMotionWarp = (state: Float64Array, trackId: number) => void;

export class MultiObjectTracker {
  readonly settings: TrackerSettings;
  private tracks: Track[] = [];
  private memory: RememberedName[] = [];
  private nextId = 1;
  private timeS: number | null = null;
  /** detection batches seen since the last reset */
  private batches = 0;
  private lastBatchS: number | null = null;
  /** running mean of the time between detection batches, s (0 until two have come) */
  private detectIntervalS = 0;

  // The time rules are set for detection at ≥ 3 Hz; when detection runs less
  // often (a slow machine, --detect-every auto) they stretch with the interval,
  // so that a track is never judged missing between two detections.
  private get tentativeGapS(): number {
    return Math.max(this.settings.tentativeMaxGapS, 1.5 * this.detectIntervalS);
  }
  private get coastS(): number {
    return Math.max(this.settings.maxCoastS, 2.5 * this.detectIntervalS);
  }
  private get lostS(): number {
    return Math.max(this.settings.maxLostS, 5 * this.detectIntervalS);
  }
  private readonly assignment = new Assignment();
  private cost = new Float64Array(64);
  readonly stats: TrackerStats = { tracksConfirmed: 0, reidentified: 0, namesRecovered: 0 };

  constructor(settings: Partial<TrackerSettings> = {}) {
    this.settings = validateSettings(settings);
  }

  /**
   * Advance to `timestampS` (every frame) and, when this frame was run
   * through the detector, associate its detections. Returns the tracks to
   * report for this frame. Only 'person' detections are tracked. `warp`
   * compensates the camera's own motion since the previous step, when known.
   */
  step(timestampS: number, batch?: DetectionBatch | null, warp?: CameraMotionWarp | null): ImageTrack[] {
    if (!Number.isFinite(timestampS)) throw new CinePilotError('BAD_TIMESTAMP', `tracker step: timestamp must be finite, got ${timestampS}.`);
    const dt = this.timeS === null ? 0 : timestampS - this.timeS;
    if (dt < 0) throw new CinePilotError('BAD_TIMESTAMP', `tracker step: time went backwards (${this.timeS} → ${timestampS}).`);
    this.timeS = timestampS;
    for (const t of this.tracks) {
      // the warp may move the box by the subject's own predicted world motion too (and zero the image velocity)
      if (warp) warp(t.kf.x, t.id);
      t.kf.predict(dt);
      t.framesSinceUpdate++;
      if (timestampS - t.lastUpdateS > this.coastS) t.kf.damp(0.9);
      t.kf.bbox(t.box);
    }
    if (batch) {
      if (this.lastBatchS !== null) {
        const gap = timestampS - this.lastBatchS;
        this.detectIntervalS = this.detectIntervalS === 0 ? gap : 0.8 * this.detectIntervalS + 0.2 * gap;
      }
      this.lastBatchS = timestampS;
      this.batches++;
      this.associate(timestampS, batch.detections.filter((d) => d.label === 'person'));
    }
    // a track can only be judged missing when the detector looked: prune on detection frames
    if (batch) this.prune(timestampS);
    return this.report(timestampS);
  }

  private ensureCost(n: number): Float64Array {
    if (this.cost.length < n) this.cost = new Float64Array(n * 2);
    return this.cost;
  }

  private associate(nowS: number, dets: Detection[]): void {
    const s = this.settings;
    const high = dets.filter((d) => d.score >= s.highScore);
    const low = dets.filter((d) => d.score >= s.lowScore && d.score < s.highScore);
    const matched = new Set<Track>();

    // pass 1: confident detections ↔ all tracks, IoU + appearance
    const tracks1 = this.tracks;
    const cost = this.ensureCost(tracks1.length * high.length);
    for (let i = 0; i < tracks1.length; i++) {
      const t = tracks1[i]!;
      for (let j = 0; j < high.length; j++) {
        const d = high[j]!;
        const o = iou(t.box, d.bbox);
        let c = o < s.firstPassMinIou ? FORBIDDEN : 1 - o;
        if (c < FORBIDDEN && t.appearance && d.appearance) c += s.appearanceWeight * (1 - appearanceSimilarity(t.appearance, d.appearance));
        cost[i * high.length + j] = c;
      }
    }
    const usedHigh = new Uint8Array(high.length);
    this.assignment.solve(cost, tracks1.length, high.length, FORBIDDEN);
    for (let i = 0; i < tracks1.length; i++) {
      const j = this.assignment.rowToCol[i]!;
      if (j < 0) continue;
      usedHigh[j] = 1;
      this.update(tracks1[i]!, high[j]!, nowS, high);
      matched.add(tracks1[i]!);
    }

    // pass 2: low-score detections ↔ tracks still being tracked, IoU only
    const tracks2 = this.tracks.filter((t) => !matched.has(t) && t.confirmed && nowS - t.lastUpdateS <= this.coastS);
    const cost2 = this.ensureCost(tracks2.length * low.length);
    for (let i = 0; i < tracks2.length; i++) {
      for (let j = 0; j < low.length; j++) {
        const o = iou(tracks2[i]!.box, low[j]!.bbox);
        cost2[i * low.length + j] = o < s.secondPassMinIou ? FORBIDDEN : 1 - o;
      }
    }
    this.assignment.solve(cost2, tracks2.length, low.length, FORBIDDEN);
    for (let i = 0; i < tracks2.length; i++) {
      const j = this.assignment.rowToCol[i]!;
      if (j < 0) continue;
      this.update(tracks2[i]!, low[j]!, nowS, null);
      matched.add(tracks2[i]!);
    }
    for (const t of this.tracks) if (!matched.has(t)) t.kf.freezeSize();

    // unclaimed confident detections: a lost track that looks the same and could have walked here, else a new track
    for (let j = 0; j < high.length; j++) {
      if (usedHigh[j]) continue;
      const d = high[j]!;
      const revived = this.reidentify(d, nowS, matched);
      if (revived) {
        revived.kf.init(d.bbox);
        this.update(revived, d, nowS, high);
        matched.add(revived);
        this.stats.reidentified++;
      } else if (d.score >= s.birthScore && !this.overlapsTracked(d, nowS)) {
        const kf = new BoxKalman(s.kalman);
        kf.init(d.bbox);
        const t: Track = { id: 0, kf, hits: 1, lastUpdateS: nowS, framesSinceUpdate: 0, score: d.score, confirmed: false, appearance: d.appearance ? Float32Array.from(d.appearance) : null, keypoints: d.keypoints, box: [0, 0, 0, 0], detBox: [d.bbox[0]!, d.bbox[1]!, d.bbox[2]!, d.bbox[3]!] };
        kf.bbox(t.box);
        // on the first detection batch there is no history to confirm against: start tracked (as ByteTrack does)
        if (s.confirmHits <= 1 || this.batches === 1) this.confirm(t, nowS);
        this.tracks.push(t);
        matched.add(t);
      }
    }
  }

  /**
   * A detection lying on a person who is already tracked is a second box on
   * that person (a detector duplicate, or a part of the body), not a newcomer:
   * a track born from it would shadow the real one and steal its detections
   * whenever that one is missed.
   */
  private overlapsTracked(d: Detection, nowS: number): boolean {
    for (const t of this.tracks) {
      if (t.confirmed && nowS - t.lastUpdateS <= this.coastS && iou(t.box, d.bbox) > this.settings.birthMaxIou) return true;
    }
    return false;
  }

  private reidentify(d: Detection, nowS: number, matched: Set<Track>): Track | null {
    if (!d.appearance) return null;
    const s = this.settings;
    let best: Track | null = null, bestSim = s.reidMinSimilarity;
    const cx = d.bbox[0] + d.bbox[2] / 2, cy = d.bbox[1] + d.bbox[3] / 2;
    for (const t of this.tracks) {
      if (matched.has(t) || !t.confirmed || !t.appearance || t.framesSinceUpdate === 0) continue;
      const gapS = nowS - t.lastUpdateS;
      const h = Math.max(t.box[3], d.bbox[3]);
      const gate = (0.5 + s.reidMaxSpeedHeightsPerS * gapS) * h;
      if (Math.hypot(t.kf.x[0]! - cx, t.kf.x[1]! - cy) > gate) continue;
      const sim = appearanceSimilarity(t.appearance, d.appearance);
      if (sim > bestSim) (bestSim = sim), (best = t);
    }
    return best;
  }

  private update(t: Track, d: Detection, nowS: number, confidentDets: Detection[] | null): void {
    t.kf.update(d.bbox);
    t.kf.bbox(t.box);
    for (let k = 0; k < 4; k++) t.detBox[k] = d.bbox[k]!;
    t.hits++;
    t.lastUpdateS = nowS;
    t.framesSinceUpdate = 0;
    t.score = d.score;
    t.keypoints = d.keypoints;
    // learn appearance only from clean views: a box overlapping another person mixes their colours
    if (d.appearance && confidentDets && !confidentDets.some((o) => o !== d && iou(o.bbox, d.bbox) > 0.1)) {
      if (t.appearance) blendAppearance(t.appearance, d.appearance, this.settings.appearanceAlpha);
      else t.appearance = Float32Array.from(d.appearance);
    }
    if (!t.confirmed && t.hits >= this.settings.confirmHits) this.confirm(t, nowS);
  }

  private confirm(t: Track, nowS: number): void {
    t.confirmed = true;
    t.id = this.nextId++;
    this.stats.tracksConfirmed++;
    if (!t.appearance) return;
    // does it look like a named person we lost?
    const s = this.settings;
    let best = -1, bestSim = s.reidMinSimilarity;
    for (let i = 0; i < this.memory.length; i++) {
      const m = this.memory[i]!;
      if (this.tracks.some((o) => o.name === m.name)) continue;
      const gate = (0.5 + s.reidMaxSpeedHeightsPerS * (nowS - m.lastSeenS)) * Math.max(m.heightPx, t.box[3]);
      if (Math.hypot(t.kf.x[0]! - m.centreX, t.kf.x[1]! - m.centreY) > gate) continue;
      const sim = appearanceSimilarity(m.appearance, t.appearance);
      if (sim > bestSim) (bestSim = sim), (best = i);
    }
    if (best >= 0) {
      t.name = this.memory[best]!.name;
      this.memory.splice(best, 1);
      this.stats.namesRecovered++;
    }
  }

  private prune(nowS: number): void {
    const s = this.settings;
    this.tracks = this.tracks.filter((t) => {
      const gap = nowS - t.lastUpdateS;
      // a track with only a few detections behind it may be a coincidence of false positives: it gets no long coast
      if (!t.confirmed || t.hits < s.matureHits) {
        if (gap > this.tentativeGapS) {
          if (t.confirmed) this.rememberName(t);
          return false;
        }
        return true;
      }
      if (gap <= this.lostS) return true;
      this.rememberName(t);
      return false;
    });
    this.memory = this.memory.filter((m) => nowS - m.lastSeenS <= s.nameMemoryS);
  }

  private rememberName(t: Track): void {
    if (t.name && t.appearance) {
      this.memory.push({ name: t.name, appearance: t.appearance, centreX: t.kf.x[0]!, centreY: t.kf.x[1]!, heightPx: t.box[3], lastSeenS: t.lastUpdateS });
    }
  }

  private report(nowS: number): ImageTrack[] {
    const out: ImageTrack[] = [];
    for (const t of this.tracks) {
      if (!t.confirmed || nowS - t.lastUpdateS > this.coastS) continue;
      const track: ImageTrack = {
        id: t.id,
        bbox: [t.box[0], t.box[1], t.box[2], t.box[3]],
        score: t.score,
        velocityPxps: [t.kf.x[4]!, t.kf.x[5]!],
        framesSinceUpdate: t.framesSinceUpdate,
      };
      if (t.name) track.name = t.name;
      if (t.keypoints && t.framesSinceUpdate === 0) track.keypoints = t.keypoints;
      out.push(track);
    }
    return out;
  }

  /**
   * "That one is alice": give a confirmed track a lower-case name. The name
   * leaves any other track that had it.
   */
  nameTrack(id: number, name: string): void {
    const clean = name.trim().toLowerCase();
    if (!/^[a-z][a-z0-9 _-]{0,31}$/.test(clean)) throw new CinePilotError('BAD_NAME', `subject name "${name}" must start with a letter and use letters, digits, space, - or _ (≤ 32 characters).`);
    const t = this.tracks.find((x) => x.confirmed && x.id === id);
    if (!t) throw new CinePilotError('UNKNOWN_TRACK', `no track ${id} is being tracked; pick one of ${this.tracks.filter((x) => x.confirmed).map((x) => x.id).join(', ') || '(none)'}.`);
    for (const o of this.tracks) if (o.name === clean) delete o.name;
    this.memory = this.memory.filter((m) => m.name !== clean);
    t.name = clean;
  }

  /**
   * The detection box last matched to confirmed track `id` (pixels), or null.
   * Localisation wants the measurement: the smoothed box lags behind the
   * detection, e.g. stops short of the frame edge that cut the person off.
   */
  detectionBoxOf(id: number): readonly number[] | null {
    return this.tracks.find((t) => t.confirmed && t.id === id)?.detBox ?? null;
  }

  /** Id of the track currently carrying `name`, or null. */
  trackIdOf(name: string): number | null {
    const clean = name.trim().toLowerCase();
    return this.tracks.find((t) => t.confirmed && t.name === clean)?.id ?? null;
  }

  reset(): void {
    this.tracks = [];
    this.memory = [];
    this.timeS = null;
    this.batches = 0;
    this.lastBatchS = null;
    this.detectIntervalS = 0;
  }
}
