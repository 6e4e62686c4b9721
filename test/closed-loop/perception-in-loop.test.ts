/**
 * Perception in the loop: the runner track shot flown on the simulator's
 * virtual detector → perception's tracker → localiser → predictor (what
 * `cinepilot validate --perception virtual-detector` runs), never on truth.
 * The subject must stay tracked through the drone's pans and zooms (the
 * medium shot cuts her feet off, so range comes from her keypoints), and the
 * shot must hold the track tolerances.
 */
import { describe, expect, it } from 'vitest';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { virtualPerceptionPredictor } from '../../cli/commands/validate.ts';
import { SHOT_TOLERANCES } from '../../sim/tolerances.ts';
import type { PredictorFactory } from '../../sim/noisy-predictor.ts';
import { CLOSED_LOOP_TIMEOUT_MS, fly } from './fly.ts';

const rig = loadRig();

describe('closed loop with perception (virtual detector)', () => {
  it('runner, track alice medium shot, 9 s: alice stays tracked (estimate within 1.5 m every tick after 1 s), composition and focus within the track tolerances, keep-out holds', async () => {
    const errorsM: number[] = [];
    let untrackedTicks = 0;
    const inner = virtualPerceptionPredictor();
    // records how far the estimate the controller sees is from the truth
    const recording: PredictorFactory = (world, seed) => {
      const p = inner(world, seed);
      return {
        update(nowS: number) {
          p.update(nowS);
          if (nowS < 1) return;
          const est = p.predict('alice', nowS), truth = world.subject('alice')!.state.positionNedM;
          if (!est) untrackedTicks++;
          else errorsM.push(Math.hypot(est.positionNedM.x - truth.x, est.positionNedM.y - truth.y));
        },
        predict: (name, timeS) => p.predict(name, timeS),
        names: () => p.names(),
      };
    };
    const { metrics: m } = await fly('runner', { kind: 'track', subjects: ['alice'], framing: 'medium' }, 9, { predictor: recording });
    const rms = Math.sqrt(errorsM.reduce((a, e) => a + e * e, 0) / errorsM.length);
    console.log(`perception in the loop, runner track 9 s: composition ${m.compositionErrorRms!.toFixed(4)}, in focus ${m.inFocusFraction!.toFixed(3)}, size RMS ${m.sizeErrorRmsPct!.toFixed(1)} %, min person distance ${m.minPersonDistanceM!.toFixed(2)} m; estimate RMS ${rms.toFixed(2)} m, worst ${Math.max(...errorsM).toFixed(2)} m`);
    expect(untrackedTicks).toBe(0);
    expect(Math.max(...errorsM)).toBeLessThan(1.5);
    expect(rms).toBeLessThan(0.5);
    expect(m.compositionErrorRms!).toBeLessThanOrEqual(SHOT_TOLERANCES.track!.compositionErrorRmsMax!);
    expect(m.inFocusFraction!).toBeGreaterThanOrEqual(0.98);
    expect(m.minPersonDistanceM!).toBeGreaterThanOrEqual(rig.safety.keepOutRadiusM);
    expect(m.geofenceViolations).toBe(0);
  }, CLOSED_LOOP_TIMEOUT_MS);
});
