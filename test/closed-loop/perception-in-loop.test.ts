/**
 * Perception in the loop: the runner track shot flown on the simulator's
 * virtual detector → perception's tracker → localiser → predictor (what
 * `cinepilot validate --perception virtual-detector` runs), never on truth.
 * The subject must stay tracked through the drone's pans and zooms (the
 * medium shot cuts her feet off, so range comes from her keypoints), and the
 * shot must hold every track tolerance, size included, over the 20 s that
 * `cinepilot validate --scene runner --shot "track alice, medium shot"
 * --perception virtual-detector` flies.
 */
import { describe, expect, it } from 'vitest';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { virtualPerceptionPredictor } from '../../cli/commands/validate.ts';
import { SHOT_TOLERANCES } from '../../sim/tolerances.ts';
import type { PredictorFactory } from '../../sim/noisy-predictor.ts';
import { CLOSED_LOOP_TIMEOUT_MS, fly } from './fly.ts';

const rig = loadRig();
/** validate's default shot length: the runner's start, both turns and her stop */
const DURATION_S = 20;

describe('closed loop with perception (virtual detector)', () => {
  it('runner, track alice medium shot, 20 s: alice stays tracked (estimate within 1.5 m every tick after 1 s); composition, size, focus and keep-out within the track tolerances', async () => {
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
    const { metrics: m } = await fly('runner', { kind: 'track', subjects: ['alice'], framing: 'medium' }, DURATION_S, { predictor: recording });
    const rms = Math.sqrt(errorsM.reduce((a, e) => a + e * e, 0) / errorsM.length);
    console.log(`perception in the loop, runner track ${DURATION_S} s: composition ${m.compositionErrorRms!.toFixed(4)}, in focus ${m.inFocusFraction!.toFixed(3)}, size RMS ${m.sizeErrorRmsPct!.toFixed(1)} % (max ${m.sizeErrorMaxPct!.toFixed(1)} %), focal ${m.focalLengthMm.min.toFixed(0)}–${m.focalLengthMm.max.toFixed(0)} mm, focus reversals ${m.focusReversals}, min person distance ${m.minPersonDistanceM!.toFixed(2)} m; estimate RMS ${rms.toFixed(2)} m, worst ${Math.max(...errorsM).toFixed(2)} m`);
    expect(untrackedTicks).toBe(0);
    expect(Math.max(...errorsM)).toBeLessThan(1.5);
    expect(rms).toBeLessThan(0.5);
    const tol = SHOT_TOLERANCES.track!;
    expect(m.compositionErrorRms!).toBeLessThanOrEqual(tol.compositionErrorRmsMax!);
    // the medium shot is held at the lens's long end, not shot 30–40 % small (it was, while the plan padded the
    // keep-out and capped the zoom by the open-loop prediction's uncertainty 2 s ahead)
    expect(m.sizeErrorRmsPct!).toBeLessThanOrEqual(tol.sizeErrorRmsPct!);
    expect(m.sizeErrorMaxPct!).toBeLessThanOrEqual(tol.sizeErrorMaxPct!);
    expect(m.focalLengthMm.max).toBeGreaterThan(69);
    expect(m.inFocusFraction!).toBeGreaterThanOrEqual(tol.inFocusFractionMin!);
    expect(m.minPersonDistanceM!).toBeGreaterThanOrEqual(rig.safety.keepOutRadiusM);
    expect(m.geofenceViolations).toBe(0);
    // and every other track tolerance the validate command checks
    expect(m.failures).toEqual([]);
  }, CLOSED_LOOP_TIMEOUT_MS);
});
