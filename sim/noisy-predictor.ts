/**
 * Subject estimates for controllers until perception's tracker is in the loop:
 * a constant-velocity predictor built from *delayed, noisy* ground truth
 * (never ground-truth future). Noise model, per subject:
 *
 *   - latency: the estimate describes the subject as it was `latencyS` ago
 *     (a detector + tracker pipeline delay); predictions extrapolate from there;
 *   - position error, split as a monocular tracker's is (calibrated against
 *     perception's localiser on the virtual detector, docs/simulator.md):
 *     along the camera's line of sight (range) σ `positionSigmaM`, of which
 *     the share `rangeBiasVarianceFraction` of the variance is a per-subject
 *     bias drawn once and the rest a Gauss–Markov process with correlation
 *     time `rangeCorrelationTimeS`; across it (bearing) an angular
 *     Gauss–Markov error `bearingSigmaRad` (so metres grow with range),
 *     correlation time `bearingCorrelationTimeS`;
 *   - velocity error: Gauss–Markov, `velocitySigmaMps`, correlation time `correlationTimeS`;
 *   - heading error: Gauss–Markov, `headingSigmaRad`;
 *   - height: a fixed per-subject bias drawn once, `heightSigmaM`.
 *
 * Prediction: p(t) = p̂ + v̂·(t − t̂); 1-σ uncertainty √(σp² + (σv·(t − t̂))²)
 * with σp² the trace of the position covariance (range² + bearing²).
 * Each draw comes from a stream derived from the run seed and the subject's
 * name, so runs are reproducible.
 */
import type { SubjectEstimate, SubjectPredictionSample, SubjectPredictor } from '../core/perception-types.ts';
import { vec3 } from '../core/vec3.ts';
import { CinePilotError } from '../core/errors.ts';
import { wrapAngleRad } from '../core/units.ts';
import { GaussMarkov, Rng } from './rng.ts';
import type { SimWorld } from './world.ts';
import type { SubjectPredictionWithCovariance } from '../perception/localisation/tracker-predictor.ts';

export interface PredictorNoiseModel {
  latencyS: number;
  /** σ of the position error along the camera's line of sight (range), m */
  positionSigmaM: number;
  /** share of the range variance that is a constant per-subject bias (0…1) */
  rangeBiasVarianceFraction: number;
  /** correlation time of the fluctuating range error, s */
  rangeCorrelationTimeS: number;
  /** σ of the bearing error across the line of sight, rad */
  bearingSigmaRad: number;
  bearingCorrelationTimeS: number;
  velocitySigmaMps: number;
  headingSigmaRad: number;
  heightSigmaM: number;
  /** correlation time of the velocity and heading errors, s */
  correlationTimeS: number;
}

/**
 * Calibrated on perception's chain (virtual detector → tracker → localiser)
 * at 13–37 m: range RMS 0.139 m of which a −0.097 m mean (half the
 * variance), the rest correlated over 0.30 s; bearing RMS 0.062 m at a mean
 * range of 24.3 m (2.54 mrad), correlated over 1.13 s. Measured by
 * `npx vitest run test/perception/sim-localisation.test.ts` (docs/simulator.md).
 */
export const DEFAULT_PREDICTOR_NOISE: PredictorNoiseModel = {
  latencyS: 0.1,
  positionSigmaM: 0.14,
  rangeBiasVarianceFraction: 0.5,
  rangeCorrelationTimeS: 0.3,
  bearingSigmaRad: 0.00254,
  bearingCorrelationTimeS: 1.13,
  velocitySigmaMps: 0.12,
  headingSigmaRad: 0.05,
  heightSigmaM: 0.03,
  correlationTimeS: 0.7,
};

function validateNoise(n: PredictorNoiseModel): PredictorNoiseModel {
  for (const [k, v] of Object.entries(n)) {
    if (!(Number.isFinite(v) && v >= 0)) throw new CinePilotError('BAD_PREDICTOR_SETTING', `predictor noise ${k} must be a finite number ≥ 0, got ${v}.`);
  }
  if (n.rangeBiasVarianceFraction > 1) throw new CinePilotError('BAD_PREDICTOR_SETTING', `predictor noise rangeBiasVarianceFraction must be in [0, 1], got ${n.rangeBiasVarianceFraction}.`);
  return n;
}

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
  /** fluctuating range error, m, and bearing error, rad */
  range: GaussMarkov;
  bearing: GaussMarkov;
  rangeBiasM: number;
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
    this.noise = validateNoise({ ...DEFAULT_PREDICTOR_NOISE, ...noise });
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
          range: new GaussMarkov(rng, n.positionSigmaM * Math.sqrt(1 - n.rangeBiasVarianceFraction), n.rangeCorrelationTimeS),
          bearing: new GaussMarkov(rng, n.bearingSigmaRad, n.bearingCorrelationTimeS),
          rangeBiasM: n.positionSigmaM * Math.sqrt(n.rangeBiasVarianceFraction) * rng.gaussian(),
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
        tr.range.step(dt);
        tr.bearing.step(dt);
        tr.vn.step(dt);
        tr.ve.step(dt);
        tr.heading.step(dt);
      }
      const o = pick * FIELDS;
      // error frame: along (u) and across (w) the camera's horizontal line of sight to the subject
      const cam = this.world.cameraPose().positionNedM;
      const ln = h[o + 1]! - cam.x, le = h[o + 2]! - cam.y, rangeM = Math.hypot(ln, le);
      const un = rangeM > 1e-6 ? ln / rangeM : 1, ue = rangeM > 1e-6 ? le / rangeM : 0;
      const along = tr.rangeBiasM + tr.range.value, across = rangeM * Math.tan(tr.bearing.value);
      const sr = this.noise.positionSigmaM, sb = rangeM * this.noise.bearingSigmaRad;
      // covariance R diag(σr², σb²) Rᵀ with R = [u w], w = (−ue, un)
      const cnn = sr * sr * un * un + sb * sb * ue * ue, cne = (sr * sr - sb * sb) * un * ue, cee = sr * sr * ue * ue + sb * sb * un * un;
      tr.estimate = {
        id: this.tracks.indexOf(tr) + 1,
        name: tr.name,
        timestampS: h[o]!,
        positionNedM: vec3(h[o + 1]! + along * un - across * ue, h[o + 2]! + along * ue + across * un, 0),
        velocityNedMps: vec3(h[o + 3]! + tr.vn.value, h[o + 4]! + tr.ve.value, 0),
        headingRad: wrapAngleRad(h[o + 5]! + tr.heading.value),
        heightM: s.heightM + tr.heightBiasM,
        positionCovM2: [cnn, cne, 0, cne, cee, 0, 0, 0, 0],
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
    const sv = this.noise.velocitySigmaMps, grow = (sv * dt) ** 2;
    const c = e.positionCovM2;
    const out: SubjectPredictionWithCovariance = {
      timeS,
      positionNedM: vec3(e.positionNedM.x + e.velocityNedMps.x * dt, e.positionNedM.y + e.velocityNedMps.y * dt, 0),
      velocityNedMps: vec3(e.velocityNedMps.x, e.velocityNedMps.y, 0),
      headingRad: e.headingRad,
      positionSigmaM: Math.sqrt(c[0]! + c[4]! + grow),
      heightM: e.heightM,
      positionCovNeM2: [c[0]! + grow, c[1]!, c[4]! + grow],
    };
    return out;
  }

  names(): string[] {
    return this.tracks.filter((t) => t.estimate).map((t) => t.name);
  }
}

export const noisyConstantVelocityPredictor =
  (noise: Partial<PredictorNoiseModel> = {}): PredictorFactory =>
  (world, seed) =>
    new NoisyConstantVelocityPredictor(world, seed, noise);
