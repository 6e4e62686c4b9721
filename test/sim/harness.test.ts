import { describe, expect, it } from 'vitest';
import { runShot } from '../../sim/harness.ts';
import { loadScene } from '../../sim/scene-loader.ts';
import { BaselineShotController } from '../../sim/baseline-controller.ts';
import { NoisyConstantVelocityPredictor, type PredictorFactory } from '../../sim/noisy-predictor.ts';
import { SimWorld } from '../../sim/world.ts';
import type { ShotTrace } from '../../sim/trace.ts';

const withoutWallTimes = (t: ShotTrace) => ({ ...t, wallS: 0, ticks: t.ticks.map((k) => ({ ...k, solveMs: 0 })) });

describe('runShot (closed loop, baseline controller)', () => {
  it('is deterministic: same seed → identical trace (wall-clock timings aside)', async () => {
    const scene = loadScene('crossing-occlusion');
    const fly = async (seed: number) =>
      (await runShot({ scene, spec: { kind: 'track', subjects: ['alice'], framing: 'full' }, controller: new BaselineShotController({ rig: scene.rig }), durationS: 4, seed })).trace;
    const a = await fly(3), b = await fly(3), c = await fly(4);
    expect(a.ticks).toHaveLength(4 * 25 + 1);
    expect(withoutWallTimes(a)).toEqual(withoutWallTimes(b));
    expect(withoutWallTimes(c).ticks).not.toEqual(withoutWallTimes(a).ticks);
  });

  it('keeps a runner centred with the baseline (composition RMS < 0.03), in focus, outside the keep-out radius, inside the fence', async () => {
    const scene = loadScene('runner');
    const progress: number[] = [];
    const { metrics, trace } = await runShot({
      scene, spec: { kind: 'track', subjects: ['alice'] }, controller: new BaselineShotController({ rig: scene.rig }),
      controllerName: 'baseline', durationS: 12, seed: 1, onProgress: (f) => progress.push(f),
    });
    expect(metrics.compositionErrorRms!).toBeLessThan(0.03);
    expect(metrics.inFocusFraction).toBeGreaterThan(0.98);
    expect(metrics.minPersonDistanceM!).toBeGreaterThan(scene.rig.safety.keepOutRadiusM);
    expect(metrics.geofenceViolations).toBe(0);
    expect(metrics.realTimeFactor!).toBeGreaterThan(0);
    expect(trace.ticks.every((t) => t.mode === 'offboard')).toBe(true);
    expect(progress.at(-1)).toBe(1);
  });

  it('uses the predictor factory it is given (the seam for perception\'s tracker)', async () => {
    const scene = loadScene('static-subject');
    let updates = 0;
    const factory: PredictorFactory = (world, seed) => {
      const inner = new NoisyConstantVelocityPredictor(world, seed, { positionSigmaM: 0, velocitySigmaMps: 0, headingSigmaRad: 0, heightSigmaM: 0 });
      return { update: (t) => { updates++; inner.update(t); }, predict: (n, t) => inner.predict(n, t), names: () => inner.names() };
    };
    const { metrics } = await runShot({ scene, spec: { kind: 'hold', subjects: ['alice'] }, controller: new BaselineShotController({ rig: scene.rig, subjectHeightM: 1.7 }), durationS: 3, predictor: factory });
    expect(updates).toBe(3 * 25 + 1);
    // noiseless estimates of a standing subject: the baseline centres her torso almost exactly
    expect(metrics.compositionErrorRms!).toBeLessThan(0.002);
  });

  it('rejects a bad control rate with a message naming the range', async () => {
    const scene = loadScene('static-subject');
    await expect(runShot({ scene, spec: { kind: 'hold', subjects: ['alice'] }, controller: new BaselineShotController({ rig: scene.rig }), durationS: 1, controlRateHz: 0 }))
      .rejects.toThrow(/controlRateHz 0: must be within/);
  });
});

describe('NoisyConstantVelocityPredictor', () => {
  it('only ever uses the past: estimates describe the subject latency seconds ago, within the noise', () => {
    const world = new SimWorld(loadScene('runner'), { seed: 2 });
    const p = new NoisyConstantVelocityPredictor(world, 2);
    const truth: Array<[number, number, number]> = [];
    let worst = 0;
    for (let k = 0; k < 300; k++) {
      const t = world.timeS;
      const a = world.subject('alice')!.state.positionNedM;
      truth.push([t, a.x, a.y]);
      p.update(t);
      const e = p.estimate('alice')!;
      // before latency seconds of history exist, the oldest sample (the start) is the best it has
      expect(e.timestampS).toBeLessThanOrEqual(Math.max(t - p.noise.latencyS, 0) + 1e-9);
      const past = truth.find((x) => Math.abs(x[0] - e.timestampS) < 1e-9)!;
      worst = Math.max(worst, Math.hypot(e.positionNedM.x - past[1], e.positionNedM.y - past[2]));
      world.step(0.04);
    }
    expect(worst).toBeLessThan(5 * p.noise.positionSigmaM * Math.SQRT2);
    expect(worst).toBeGreaterThan(0);
  });

  it('extrapolates at constant velocity with growing uncertainty', () => {
    const world = new SimWorld(loadScene('runner'), { seed: 2 });
    const p = new NoisyConstantVelocityPredictor(world, 2);
    for (let k = 0; k < 100; k++) {
      p.update(world.timeS);
      world.step(0.04);
    }
    p.update(world.timeS);
    const now = world.timeS, a = p.predict('alice', now)!, b = p.predict('alice', now + 1)!;
    expect(b.positionNedM.x - a.positionNedM.x).toBeCloseTo(a.velocityNedMps.x, 9);
    expect(b.positionSigmaM).toBeGreaterThan(a.positionSigmaM);
    expect(p.predict('nobody', now)).toBeNull();
    expect(p.names()).toEqual(['alice']);
  });
});

describe('RealtimeRunner (the seam for npm start)', () => {
  it('advances the world from the wall clock while running and not after stop()', async () => {
    const { RealtimeRunner } = await import('../../sim/realtime.ts');
    const world = new SimWorld(loadScene('static-subject'), { seed: 1 });
    const runner = new RealtimeRunner(world, { tickHz: 100, speed: 4 });
    runner.start();
    expect(runner.running).toBe(true);
    await new Promise((r) => setTimeout(r, 150));
    runner.stop();
    const t = world.timeS;
    expect(t).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(world.timeS).toBe(t);
    expect(runner.running).toBe(false);
  });
});
