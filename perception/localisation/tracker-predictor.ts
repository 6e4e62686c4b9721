/**
 * Image tracks → world subjects → predictions: the core SubjectPredictor the
 * controller and the MPC consume. One SubjectFilter per track id; a track is
 * measured only on frames where the detector saw it (between detections the
 * world filter predicts by itself); subjects not reported for `maxStaleS` are
 * dropped. Named tracks are looked up by name; unnamed ones by `#<id>`.
 */
import { CinePilotError } from '../../core/errors.ts';
import type { ImageTrack, SubjectEstimate, SubjectPredictionSample, SubjectPredictor } from '../../core/perception-types.ts';
import { type Vec3, vec3 } from '../../core/vec3.ts';
import { type CameraView, GroundLocaliser, type LocaliserSettings } from './ground-localiser.ts';
import { DEFAULT_SUBJECT_FILTER, SubjectFilter, type SubjectFilterSettings } from './subject-filter.ts';

export interface TrackerPredictorSettings {
  localiser?: Partial<LocaliserSettings>;
  filter?: Partial<SubjectFilterSettings>;
  /** forget a subject this long after its track stopped being reported, s */
  maxStaleS?: number;
}

export const DEFAULT_MAX_STALE_S = 2;

interface Subject {
  id: number;
  name?: string;
  filter: SubjectFilter;
  lastSeenS: number;
}

/** A prediction that always carries its horizontal covariance (core/perception-types.ts explains why). */
export type SubjectPredictionWithCovariance = SubjectPredictionSample & Required<Pick<SubjectPredictionSample, 'positionCovNeM2'>>;

/** Name under which an unnamed track can be asked for. */
export const trackKey = (id: number): string => `#${id}`;

export class TrackerPredictor implements SubjectPredictor {
  readonly localiser: GroundLocaliser;
  private readonly filterSettings: SubjectFilterSettings;
  private readonly maxStaleS: number;
  private readonly subjects = new Map<number, Subject>();
  private readonly sample = { n: 0, e: 0, vn: 0, ve: 0, sigmaM: 0 };
  private readonly scratch = new Float64Array(16);

  constructor(settings: TrackerPredictorSettings = {}) {
    this.localiser = new GroundLocaliser(settings.localiser);
    this.filterSettings = { ...DEFAULT_SUBJECT_FILTER, ...settings.filter };
    this.maxStaleS = settings.maxStaleS ?? DEFAULT_MAX_STALE_S;
    if (!(this.maxStaleS > 0)) throw new CinePilotError('BAD_PREDICTOR_SETTING', `maxStaleS must be > 0, got ${this.maxStaleS}.`);
  }

  /**
   * Feed the tracker's output for one frame, seen by `view`, at `timestampS`.
   * `detectionBox` gives a freshly updated track's detection box (the
   * measurement); without it the track's smoothed box is localised.
   */
  update(
    tracks: readonly ImageTrack[], view: CameraView, timestampS: number, widthPx: number, heightPx: number,
    detectionBox?: (trackId: number) => readonly number[] | null,
  ): void {
    for (const t of tracks) {
      let s = this.subjects.get(t.id);
      if (t.name) {
        // a name lives on one subject only
        for (const o of this.subjects.values()) if (o !== s && o.name === t.name) delete o.name;
      }
      if (s) {
        s.lastSeenS = timestampS;
        s.name = t.name;
      }
      if (t.framesSinceUpdate !== 0) continue; // a predicted box carries no new information
      const box = detectionBox?.(t.id) ?? t.bbox;
      const obs = this.localiser.localise(box, view, widthPx, heightPx, s?.filter.heightM, t.keypoints, s?.filter.heightSigmaM);
      if (!obs) continue;
      if (!s) {
        s = { id: t.id, name: t.name, filter: new SubjectFilter(this.filterSettings, this.localiser.settings.personHeightM, this.localiser.settings.personHeightSigmaM), lastSeenS: timestampS };
        s.filter.init(timestampS, obs.positionNedM.x, obs.positionNedM.y, obs.covNeM2);
        this.subjects.set(t.id, s);
      } else {
        s.filter.predictTo(timestampS);
        s.filter.update(obs.positionNedM.x, obs.positionNedM.y, obs.covNeM2);
      }
      if (obs.measuredHeightM !== null) s.filter.observeHeight(obs.measuredHeightM, obs.measuredHeightSigmaM!);
    }
    for (const [id, s] of this.subjects) if (timestampS - s.lastSeenS > this.maxStaleS) this.subjects.delete(id);
  }

  /** World point at mid-height of track `trackId`'s subject predicted at `timeS`, or null if not localised. */
  midBodyOf(trackId: number, timeS: number, target: Vec3): Vec3 | null {
    const s = this.subjects.get(trackId);
    if (!s) return null;
    s.filter.predictSample(timeS, this.sample, this.scratch);
    target.x = this.sample.n;
    target.y = this.sample.e;
    target.z = this.localiser.settings.groundDownM - 0.5 * s.filter.heightM;
    return target;
  }

  private find(name: string): Subject | undefined {
    const m = /^#(\d+)$/.exec(name);
    if (m) return this.subjects.get(Number(m[1]));
    const clean = name.toLowerCase();
    for (const s of this.subjects.values()) if (s.name === clean) return s;
    return undefined;
  }

  predict(name: string, timeS: number): SubjectPredictionSample | null {
    const s = this.find(name);
    if (!s) return null;
    s.filter.predictSample(timeS, this.sample, this.scratch);
    const p = this.sample, P = this.scratch; // predictSample leaves the propagated covariance in scratch
    const out: SubjectPredictionWithCovariance = {
      timeS,
      positionNedM: vec3(p.n, p.e, this.localiser.settings.groundDownM),
      velocityNedMps: vec3(p.vn, p.ve, 0),
      headingRad: s.filter.headingRad,
      positionSigmaM: p.sigmaM,
      heightM: s.filter.heightM,
      positionCovNeM2: [P[0]!, P[1]!, P[5]!],
    };
    return out;
  }

  /** Named subjects. Unnamed ones are reachable as `#<track id>` (see `estimates`). */
  names(): string[] {
    const out: string[] = [];
    for (const s of this.subjects.values()) if (s.name) out.push(s.name);
    return out;
  }

  /** Current estimate of every subject. */
  estimates(): SubjectEstimate[] {
    const out: SubjectEstimate[] = [];
    for (const s of this.subjects.values()) {
      const f = s.filter;
      const e: SubjectEstimate = {
        id: s.id,
        timestampS: f.timeS,
        positionNedM: vec3(f.x[0], f.x[1], this.localiser.settings.groundDownM),
        velocityNedMps: vec3(f.x[2], f.x[3], 0),
        headingRad: f.headingRad,
        heightM: f.heightM,
        positionCovM2: [f.P[0]!, f.P[1]!, 0, f.P[4]!, f.P[5]!, 0, 0, 0, 0],
      };
      if (s.name) e.name = s.name;
      out.push(e);
    }
    return out;
  }
}
