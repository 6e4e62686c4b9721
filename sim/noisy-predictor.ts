/**
 * Subject estimates for controllers until perception's tracker is in the loop:
 * a constant-velocity predictor built from *delayed, noisy* ground truth
 * (never ground-truth future). Noise model, per subject:
 *
 *   - latency: the estimate describes the subject as it was `latencyS` ago
 *     (a detector + tracker pipeline delay); predictions extrapolate from there;
 *   - position error: a Gauss–Markov process per horizontal axis, standard
 *     deviation `positionSigmaM`, correlation time `correlationTimeS`
 *     (a tracker's error wanders, it does not jump every frame);
 *   - velocity error: Gauss–Markov, `velocitySigmaMps`, same correlation time;
 *   - heading error: Gauss–Markov, `headingSigmaRad`;
 *   - height: a fixed per-subject bias drawn once, `heightSigmaM`.
 *
 * Prediction: p(t) = p̂ + v̂·(t − t̂); 1-σ uncertainty √(σp² + (σv·(t − t̂))²).
 * Each draw comes from a stream derived from the run seed and the subject's
 * name, so runs are reproducible.
 */
import type { SubjectEstimate, SubjectPredictionSample, SubjectPredictor } from '../core/perception-types.ts';
import { vec3 } from '../core/vec3.ts';
import { wrapAngleRad } from '../core/units.ts';
import { GaussMarkov, Rng } from './rng.ts';
import type { SimWorld } from './world.ts';

export interface PredictorNoiseModel {
  latencyS: number;
  positionSigmaM: number;
  velocitySigmaMps: number;
  headingSigmaRad: number;
  heightSigmaM: number;
  correlationTimeS: number;
}

export const DEFAULT_PREDICTOR_NOISE: PredictorNoiseModel = {
  latencyS: 0.1,
  positionSigmaM: 0.08,
  velocitySigmaMps: 0.12,
  headingSigmaRad: 0.05,
  heightSigmaM: 0.03,
  correlationTimeS: 0.7,
};

/** What the harness needs from a predictor: the core interface plus a per-tick update. */
export interface SimSubjectPredictor extends SubjectPredictor {
  /** Called by the harness once per control tick, before the controller runs. */
  update(nowS: number): void;
  dispose?(): void;
}

/**
 * Builds the predictor for a run. Perception's tracker-based predictor plugs
 * in here (fed by sim/virtual-detector.ts or sim/renderer.ts frames).
 */
export type PredictorFactory = (world: SimWorld, seed: number) => SimSubjectPredictor;

/** Truth samples kept per subject: enough for latencies up to HISTORY_S. */
const HISTORY_S = 2;

interface Track {
  name: string;
  /** ring of [t, n, e, vn, ve, heading] */
  history: Float64Array;
  capacity: number;
  head: number;
  count: number;
  pn: GaussMarkov;
  pe: GaussMarkov;
  vn: GaussMarkov;
  ve: GaussMarkov;
  heading: GaussMarkov;
  heightBiasM: number;
  estimate: SubjectEstimate | null;
}

const FIELDS = 6;

export class NoisyConstantVelocityPredictor implements SimSubjectPredictor {
  readonly noise: PredictorNoiseModel;
  private readonly tracks: Track[];
  private lastUpdateS = -Infinity;

  constructor(private readonly world: SimWorld, seed: number, noise: Partial<PredictorNoiseModel> = {}) {
    this.noise = { ...DEFAULT_PREDICTOR_NOISE, ...noise };
    const n = this.noise;
    this.tracks = world.subjects
      .filter((s) => s.kind === 'person')
      .map((s) => {
        const rng = new Rng(seed, `predictor:${s.name}`);
        const capacity = Math.ceil(HISTORY_S * 200) + 4;
        return {
          name: s.name,
          history: new Float64Array(capacity * FIELDS),
          capacity,
          head: 0,
          count: 0,
          pn: new GaussMarkov(rng, n.positionSigmaM, n.correlationTimeS),
          pe: new GaussMarkov(rng, n.positionSigmaM, n.correlationTimeS),
          vn: new GaussMarkov(rng, n.velocitySigmaMps, n.correlationTimeS),
          ve: new GaussMarkov(rng, n.velocitySigmaMps, n.correlationTimeS),
          heading: new GaussMarkov(rng, n.headingSigmaRad, n.correlationTimeS),
          heightBiasM: n.heightSigmaM * rng.gaussian(),
          estimate: null,
        };
      });
  }

  update(nowS: number): void {
    const dt = Number.isFinite(this.lastUpdateS) ? Math.max(nowS - this.lastUpdateS, 0) : 0;
    this.lastUpdateS = nowS;
    for (const tr of this.tracks) {
      const s = this.world.subject(tr.name)!;
      // record the truth of now; the estimate may only use the past
      const i = ((tr.head + tr.count) % tr.capacity) * FIELDS;
      const h = tr.history;
      h[i] = nowS;
      h[i + 1] = s.state.positionNedM.x;
      h[i + 2] = s.state.positionNedM.y;
      h[i + 3] = s.state.velocityNedMps.x;
      h[i + 4] = s.state.velocityNedMps.y;
      h[i + 5] = s.state.headingRad;
      if (tr.count < tr.capacity) tr.count++;
      else tr.head = (tr.head + 1) % tr.capacity;
      // the newest sample at or before now − latency (or the oldest one we have)
      const wanted = nowS - this.noise.latencyS;
      let pick = tr.head;
      for (let k = tr.count - 1; k >= 0; k--) {
        const j = (tr.head + k) % tr.capacity;
        if (h[j * FIELDS]! <= wanted + 1e-9) {
          pick = j;
          break;
        }
      }
      if (dt > 0) {
        tr.pn.step(dt);
        tr.pe.step(dt);
        tr.vn.step(dt);
        tr.ve.step(dt);
        tr.heading.step(dt);
      }
      const o = pick * FIELDS;
      const sigma = this.noise.positionSigmaM;
      tr.estimate = {
        id: this.tracks.indexOf(tr) + 1,
        name: tr.name,
        timestampS: h[o]!,
        positionNedM: vec3(h[o + 1]! + tr.pn.value, h[o + 2]! + tr.pe.value, 0),
        velocityNedMps: vec3(h[o + 3]! + tr.vn.value, h[o + 4]! + tr.ve.value, 0),
        headingRad: wrapAngleRad(h[o + 5]! + tr.heading.value),
        heightM: s.heightM + tr.heightBiasM,
        positionCovM2: [sigma * sigma, 0, 0, 0, sigma * sigma, 0, 0, 0, 0],
      };
    }
  }

  /** The current estimate of a subject (what a tracker would publish). */
  estimate(name: string): SubjectEstimate | null {
    return this.tracks.find((t) => t.name === name)?.estimate ?? null;
  }

  predict(name: string, timeS: number): SubjectPredictionSample | null {
    const e = this.estimate(name);
    if (!e) return null;
    const dt = timeS - e.timestampS;
    const sv = this.noise.velocitySigmaMps;
    return {
      timeS,
      positionNedM: vec3(e.positionNedM.x + e.velocityNedMps.x * dt, e.positionNedM.y + e.velocityNedMps.y * dt, 0),
      velocityNedMps: vec3(e.velocityNedMps.x, e.velocityNedMps.y, 0),
      headingRad: e.headingRad,
      positionSigmaM: Math.sqrt(this.noise.positionSigmaM ** 2 + (sv * dt) ** 2),
    };
  }

  names(): string[] {
    return this.tracks.filter((t) => t.estimate).map((t) => t.name);
  }
}

export const noisyConstantVelocityPredictor =
  (noise: Partial<PredictorNoiseModel> = {}): PredictorFactory =>
  (world, seed) =>
    new NoisyConstantVelocityPredictor(world, seed, noise);
