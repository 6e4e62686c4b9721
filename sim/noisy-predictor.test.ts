/**
 * The default estimate noise has a monocular tracker's shape: long along the
 * camera's line of sight, thin across it (calibrated in docs/simulator.md),
 * and its samples carry the subject's height and the matching covariance.
 */
import { describe, expect, it } from 'vitest';
import { loadScene } from './scene-loader.ts';
import { SimWorld } from './world.ts';
import { DEFAULT_PREDICTOR_NOISE, NoisyConstantVelocityPredictor } from './noisy-predictor.ts';

describe('NoisyConstantVelocityPredictor noise shape', () => {
  it('puts the position error along the line of sight (σ 0.14 m) and little across it (2.54 mrad), with heightM and an NE covariance to match', () => {
    let along2 = 0, across2 = 0, n = 0, rangeSum = 0, covAlong = 0, covAcross = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const world = new SimWorld(loadScene('runner'), { seed });
      const p = new NoisyConstantVelocityPredictor(world, seed, { latencyS: 0, velocitySigmaMps: 0 });
      for (let k = 0; k < 50; k++) {
        p.update(world.timeS);
        const s = p.predict('alice', world.timeS)!;
        const truth = world.subject('alice')!.state.positionNedM, cam = world.cameraPose().positionNedM;
        const ln = truth.x - cam.x, le = truth.y - cam.y, r = Math.hypot(ln, le);
        const un = ln / r, ue = le / r, en = s.positionNedM.x - truth.x, ee = s.positionNedM.y - truth.y;
        along2 += (en * un + ee * ue) ** 2;
        across2 += (-en * ue + ee * un) ** 2;
        const c = s.positionCovNeM2!;
        covAlong += c[0]! * un * un + 2 * c[1]! * un * ue + c[2]! * ue * ue;
        covAcross += c[0]! * ue * ue - 2 * c[1]! * un * ue + c[2]! * un * un;
        rangeSum += r;
        n++;
        expect(s.heightM!).toBeCloseTo(world.subject('alice')!.heightM, 0);
        world.step(0.2);
      }
    }
    const alongRms = Math.sqrt(along2 / n), acrossRms = Math.sqrt(across2 / n), meanRange = rangeSum / n;
    // 2000 correlated draws: the sample σ is within ~25 % of the model's
    expect(alongRms).toBeGreaterThan(0.75 * DEFAULT_PREDICTOR_NOISE.positionSigmaM);
    expect(alongRms).toBeLessThan(1.25 * DEFAULT_PREDICTOR_NOISE.positionSigmaM);
    expect(acrossRms / meanRange).toBeGreaterThan(0.75 * DEFAULT_PREDICTOR_NOISE.bearingSigmaRad);
    expect(acrossRms / meanRange).toBeLessThan(1.25 * DEFAULT_PREDICTOR_NOISE.bearingSigmaRad);
    // (across is in mrad: at a 5 m shot distance it is 1.3 cm against the 14 cm along)
    // the covariance it publishes says the same
    expect(Math.sqrt(covAlong / n)).toBeCloseTo(DEFAULT_PREDICTOR_NOISE.positionSigmaM, 2);
    expect(Math.sqrt(covAcross / n) / acrossRms).toBeGreaterThan(0.75);
    expect(Math.sqrt(covAcross / n) / acrossRms).toBeLessThan(1.33);
  });
});
