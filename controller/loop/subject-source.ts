/**
 * What the controller needs from perception: the core SubjectPredictor plus
 * two optional hooks — a per-tick update (the simulator's noisy predictor,
 * a tracker-fed filter) and the time of the newest measurement behind the
 * predictions, which is how the safety supervisor notices stale perception.
 */
import type { SubjectEstimate, SubjectPredictor } from '../../core/perception-types.ts';
import type { PersonObstacle } from '../safety/envelope.ts';
import { DEFAULT_PERSON_HEIGHT_M } from '../../core/framing.ts';

export interface SubjectSource extends SubjectPredictor {
  /** called once per tick before the shot controller runs */
  update?(nowS: number): void;
  /** monotonic time of the newest measurement behind the predictions; null = none yet */
  lastMeasurementS?(): number | null;
  /** the current estimate of a subject (perception's tracker, the simulator's noisy predictor) */
  estimate?(name: string): SubjectEstimate | null;
}

/**
 * Seconds since the newest measurement of any of `names` (the shot's
 * subjects): from lastMeasurementS() when the source has it, else from the
 * estimates' timestamps; Infinity when none was ever measured; null when the
 * source can say neither (staleness then cannot be judged).
 */
export function perceptionAgeS(source: SubjectSource, names: readonly string[], nowS: number): number | null {
  if (source.lastMeasurementS) {
    const t = source.lastMeasurementS();
    return t === null ? Infinity : nowS - t;
  }
  if (typeof source.estimate === 'function') {
    let newest = -Infinity;
    for (const name of names) {
      const e = source.estimate(name);
      if (e && e.timestampS > newest) newest = e.timestampS;
    }
    return nowS - newest;
  }
  return null;
}

/** A source that knows no subjects (shots without subjects, bench runs). */
export const NO_SUBJECTS: SubjectSource = {
  predict: () => null,
  names: () => [],
};

/** Everyone the predictor knows, at `nowS`, as keep-out obstacles. */
export function peopleAt(source: SubjectPredictor, nowS: number): PersonObstacle[] {
  const out: PersonObstacle[] = [];
  for (const name of source.names()) {
    const s = source.predict(name, nowS);
    if (!s) continue;
    out.push({ name, positionNedM: s.positionNedM, velocityNedMps: s.velocityNedMps, heightM: DEFAULT_PERSON_HEIGHT_M, sigmaM: s.positionSigmaM });
  }
  return out;
}
