/**
 * A SubjectSource fed with SubjectEstimates from another process (a
 * perception process over the bus). Estimates carry the sender's monotonic
 * time, which means nothing here: each batch says when it was sent, and the
 * feed maps the sender's clock onto this process's loop clock with the
 * offset seen at arrival (loopback latency, ~1 ms, is ignored). Prediction is
 * constant velocity with uncertainty growing along the horizon, like the
 * estimators behind it.
 */
import type { SubjectEstimate, SubjectPredictionSample } from '../../core/perception-types.ts';
import { vec3 } from '../../core/vec3.ts';
import type { SubjectSource } from './subject-source.ts';

/** Velocity uncertainty assumed when extrapolating an estimate, m/s. */
export const DEFAULT_FEED_VELOCITY_SIGMA_MPS = 0.5;
/** Subjects not updated for this long are forgotten, s. */
export const DEFAULT_FEED_FORGET_S = 10;

interface Entry {
  estimate: SubjectEstimate;
  /** the estimate's time on this process's clock */
  localTimeS: number;
}

export class EstimateFeed implements SubjectSource {
  private readonly byName = new Map<string, Entry>();
  private newestS: number | null = null;
  batches = 0;

  constructor(private readonly now: () => number, private readonly options: { velocitySigmaMps?: number; forgetS?: number } = {}) {}

  /** A batch of estimates sent at `sentTimeS` on the sender's clock. Unnamed subjects are kept as `#<id>`. */
  push(estimates: readonly SubjectEstimate[], sentTimeS: number): void {
    const offsetS = this.now() - sentTimeS;
    this.batches++;
    for (const e of estimates) {
      const localTimeS = e.timestampS + offsetS;
      this.byName.set(e.name ?? `#${e.id}`, { estimate: e, localTimeS });
      if (this.newestS === null || localTimeS > this.newestS) this.newestS = localTimeS;
    }
  }

  lastMeasurementS(): number | null {
    return this.newestS;
  }

  estimate(name: string): SubjectEstimate | null {
    const entry = this.byName.get(name);
    return entry ? { ...entry.estimate, timestampS: entry.localTimeS } : null;
  }

  predict(name: string, timeS: number): SubjectPredictionSample | null {
    const entry = this.byName.get(name);
    if (!entry) return null;
    const e = entry.estimate;
    const dt = timeS - entry.localTimeS;
    const cov = e.positionCovM2;
    const positionVarM2 = cov.length === 9 ? (cov[0]! + cov[4]!) / 2 : 0;
    const sv = this.options.velocitySigmaMps ?? DEFAULT_FEED_VELOCITY_SIGMA_MPS;
    return {
      timeS,
      positionNedM: vec3(e.positionNedM.x + e.velocityNedMps.x * dt, e.positionNedM.y + e.velocityNedMps.y * dt, e.positionNedM.z),
      velocityNedMps: vec3(e.velocityNedMps.x, e.velocityNedMps.y, 0),
      headingRad: e.headingRad,
      positionSigmaM: Math.sqrt(positionVarM2 + (sv * dt) ** 2),
    };
  }

  names(): string[] {
    const forgetS = this.options.forgetS ?? DEFAULT_FEED_FORGET_S;
    const nowS = this.now();
    const out: string[] = [];
    for (const [name, entry] of this.byName) {
      if (nowS - entry.localTimeS > forgetS) this.byName.delete(name);
      else out.push(name);
    }
    return out;
  }
}
