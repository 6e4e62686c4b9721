import { describe, expect, it } from 'vitest';
import type { SubjectPredictionSample, SubjectPredictor } from '../../core/perception-types.ts';
import { vec3 } from '../../core/vec3.ts';
import { NP, NX, P, X } from './layout.ts';
import { createStageReference } from './recipes/types.ts';
import { KEEP_OUT_PLAN_MARGIN_M, StagePacker } from './stage-params.ts';
import { UNCERTAINTY_HORIZON_S, sigmaAlongM } from './subject-uncertainty.ts';

const N = 40, DT = 0.05, KEEP_OUT = 3;

/**
 * A subject standing at the origin, its position error 0.4 m (1σ) north–south
 * and 0.05 m east–west, growing 1 m per second of prediction on both axes
 * from t = 0 (an open-loop filter's growth).
 */
const monocular: SubjectPredictor = {
  names: () => ['alice'],
  predict: (_n: string, timeS: number): SubjectPredictionSample => {
    const g = Math.max(timeS, 0) ** 2;
    return {
      timeS, positionNedM: vec3(), velocityNedMps: vec3(), headingRad: 0,
      positionSigmaM: Math.sqrt(0.16 + g), positionCovNeM2: [0.16 + g, 0, 0.0025 + g],
    };
  },
};

function packAll(dronePlanNE: [number, number]): Float64Array[] {
  const packer = new StagePacker({ N, dtS: DT, keepOutRadiusM: KEEP_OUT, geofence: null, heightOf: () => 1.7, cocMm: 0.03 });
  const refs = Array.from({ length: N + 1 }, () => createStageReference());
  const plan = new Float64Array((N + 1) * NX);
  for (let k = 0; k <= N; k++) {
    plan[k * NX + X.PN] = dronePlanNE[0];
    plan[k * NX + X.PE] = dronePlanNE[1];
    plan[k * NX + X.PD] = -1.6;
  }
  return refs.map((_r, k) => {
    const p = new Float64Array(NP);
    packer.pack(k, refs, k * DT, monocular, ['alice'], plan, p);
    return p;
  });
}

describe('StagePacker keep-out padding', () => {
  it('pads by the σ along the line from the person to the planned drone position', () => {
    const north = packAll([4, 0]), east = packAll([0, 4]);
    const rho = (ps: Float64Array[], k: number) => ps[k]![P.keepOut(0) + 3]!;
    // at the first stage: 0.4 m along a north line of sight, 0.05 m along an east one
    expect(rho(north, 0)).toBeCloseTo(KEEP_OUT + KEEP_OUT_PLAN_MARGIN_M + 0.4, 9);
    expect(rho(east, 0)).toBeCloseTo(KEEP_OUT + KEEP_OUT_PLAN_MARGIN_M + 0.05, 9);
  });

  it('reads the σ at no more than the uncertainty horizon past the plan\'s first stage: the open-loop growth beyond it is not padded', () => {
    const ps = packAll([4, 0]);
    const rho = (k: number) => ps[k]![P.keepOut(0) + 3]!;
    const atHorizon = sigmaAlongM(0.16 + UNCERTAINTY_HORIZON_S ** 2, 0, 0.0025 + UNCERTAINTY_HORIZON_S ** 2, 1, 0);
    expect(rho(N)).toBeCloseTo(KEEP_OUT + KEEP_OUT_PLAN_MARGIN_M + atHorizon, 9);
    // stages before the horizon grow up to it, and none after it grows further (the open loop would pad 2 m more at the end)
    for (let k = 1; k <= N; k++) expect(rho(k)).toBeGreaterThanOrEqual(rho(k - 1) - 1e-12);
    expect(rho(N) - rho(0)).toBeLessThan(0.02);
  });
});
