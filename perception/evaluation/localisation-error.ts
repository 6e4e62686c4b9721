/**
 * Splits world localisation errors into the part along the camera's line of
 * sight (range, the depth a monocular tracker infers from box size and the
 * ground plane) and the part across it (bearing, which the image measures
 * directly), and estimates how long each stays correlated. The simulator's
 * default subject-estimate noise (sim/noisy-predictor.ts) is calibrated from
 * these figures (docs/simulator.md).
 */
export interface LocalisationErrorSample {
  timeS: number;
  /** estimate − truth, north/east, m */
  errorNeM: [number, number];
  /** camera → true subject, north/east (need not be unit) */
  lineOfSightNe: [number, number];
  /** horizontal camera–subject distance, m */
  rangeM: number;
}

export interface LocalisationErrorSplit {
  samples: number;
  rmsM: number;
  /** RMS of the error along the line of sight, m */
  rangeRmsM: number;
  /** RMS of the error across it, m */
  bearingRmsM: number;
  /** rangeRmsM / mean range */
  rangeRmsFraction: number;
  meanRangeM: number;
  /** bearingRmsM / mean range, rad */
  bearingRmsRad: number;
  /** mean signed range error, m (a bias shows up here, not in the correlation time) */
  rangeMeanM: number;
  /** lag at which the autocorrelation of each component falls below 1/e, s */
  rangeCorrelationS: number;
  bearingCorrelationS: number;
}

/** Lag (s) where the autocorrelation of an evenly spaced series drops below 1/e. */
function correlationTimeS(x: readonly number[], dtS: number): number {
  const n = x.length;
  if (n < 4) return 0;
  const mean = x.reduce((a, v) => a + v, 0) / n;
  let c0 = 0;
  for (const v of x) c0 += (v - mean) ** 2;
  if (!(c0 > 0)) return 0;
  for (let lag = 1; lag < n / 2; lag++) {
    let c = 0;
    for (let i = 0; i + lag < n; i++) c += (x[i]! - mean) * (x[i + lag]! - mean);
    const r = c / c0 * (n / (n - lag));
    if (r < Math.exp(-1)) {
      return dtS * lag;
    }
  }
  return dtS * (n / 2);
}

/**
 * `series`: one array per subject, samples evenly spaced by `dtS` seconds
 * (correlation is measured within each subject's series, then averaged).
 */
export function splitLocalisationError(series: ReadonlyArray<readonly LocalisationErrorSample[]>, dtS: number): LocalisationErrorSplit {
  let n = 0, sumR2 = 0, sumB2 = 0, sumR = 0, sumRange = 0, corrR = 0, corrB = 0, nSeries = 0;
  for (const s of series) {
    const along: number[] = [], across: number[] = [];
    for (const x of s) {
      const [ln, le] = x.lineOfSightNe;
      const norm = Math.hypot(ln, le) || 1;
      const un = ln / norm, ue = le / norm;
      const a = x.errorNeM[0] * un + x.errorNeM[1] * ue;
      const b = -x.errorNeM[0] * ue + x.errorNeM[1] * un;
      along.push(a);
      across.push(b);
      sumR2 += a * a; sumB2 += b * b; sumR += a; sumRange += x.rangeM; n++;
    }
    if (s.length >= 4) {
      corrR += correlationTimeS(along, dtS);
      corrB += correlationTimeS(across, dtS);
      nSeries++;
    }
  }
  const rangeRmsM = Math.sqrt(sumR2 / Math.max(n, 1));
  return {
    samples: n,
    rmsM: Math.sqrt((sumR2 + sumB2) / Math.max(n, 1)),
    rangeRmsM,
    bearingRmsM: Math.sqrt(sumB2 / Math.max(n, 1)),
    rangeRmsFraction: n ? rangeRmsM / (sumRange / n) : 0,
    meanRangeM: n ? sumRange / n : 0,
    bearingRmsRad: n ? Math.sqrt(sumB2 / n) / (sumRange / n) : 0,
    rangeMeanM: n ? sumR / n : 0,
    rangeCorrelationS: nSeries ? corrR / nSeries : 0,
    bearingCorrelationS: nSeries ? corrB / nSeries : 0,
  };
}
