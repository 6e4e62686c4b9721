/**
 * Perception for a real aircraft, end to end, nothing mocked: the
 * simulator's MAVLink SITL as the aircraft, `cinepilot controller` on that
 * link with its ZeroMQ bus (MPC, 25 Hz), the simulator's camera rendered and
 * streamed by ffmpeg as UDP MPEG-TS, and `cinepilot perceive` between them
 * (CenterNet on wasm, tracker, localisation with the pose from the
 * controller's telemetry, "alice" named by her mark at 0,0). The controller
 * gets alice only from perceive: it knows no subject before perceive runs.
 *
 * Asserted (tolerances): no subject on the controller before perceive, the
 * shot accepted after; > 10 messages published; alice's estimate on the controller
 * while she stands within 1.0 m of the truth (median; measured 0.12 m at
 * load 6, 0.64 m at load ≈ 8 when perceive got a fifth of a core);
 * perceive stopped → the controller leaves `active` for perception-hold /
 * braking / hovering (its stale-perception watchdog). The walking phase and
 * the latencies are reported, not asserted: on the shared 2-core machine the
 * detector's wall time (0.2–0.8 s a frame under load) makes the measurement age exceed
 * the controller's 0.5 s staleness limit (see docs/controller.md).
 *
 * The long run (MPC, she walks 16 s): CINEPILOT_PERCEIVE_E2E_LONG=1 npx vitest run test/perception-feed/e2e.test.ts
 */
import { describe, expect, it } from 'vitest';
import { HAVE_VTEST, VTEST_PATH } from './support/sim-camera.ts';
import { mean, median, rms, runChain, WALK_START_S } from './support/chain.ts';
import type { ShotSpec } from '../../core/shot-spec.ts';

const LONG = process.env.CINEPILOT_PERCEIVE_E2E_LONG === '1';
const WALK_S = LONG ? 18 : 6;
const SPEC: ShotSpec = { kind: 'track', subjects: ['alice'], framing: 'full', side: 'behind' };

describe('perceive ↔ controller ↔ MAVLink SITL, camera over UDP MPEG-TS', () => {
  it.skipIf(!HAVE_VTEST)(`flies "track alice" on subjects from perception only (${LONG ? 'long' : 'short'} run)${HAVE_VTEST ? '' : ` — skipped: ${VTEST_PATH} (the person drawn into the rendered frames) is absent`}`, async () => {
    const t0 = performance.now();
    const r = await runChain({
      controller: 'mpc', rateHz: 25, untilWorldS: WALK_START_S + WALK_S, spec: SPEC,
      log: (l) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${l}`),
    });
    const s = r.perceiveSummary as Record<string, number> | null;
    const fig = {
      videoLatencyMs: Math.round(r.videoLatencyMs), namedAtWorldS: r.namedAtWorldS, shotAtWorldS: r.shotAtWorldS,
      standing: { n: r.standingErrorsM.length, medianM: +median(r.standingErrorsM).toFixed(3), rmsM: +rms(r.standingErrorsM).toFixed(3) },
      walking: { n: r.walkingErrorsM.length, medianM: +median(r.walkingErrorsM).toFixed(3), rmsM: +rms(r.walkingErrorsM).toFixed(3), maxM: r.walkingErrorsM.length ? +Math.max(...r.walkingErrorsM).toFixed(2) : null },
      alongMeanM: +mean(r.alongM).toFixed(3), alongRmsM: +rms(r.alongM).toFixed(3), acrossMeanM: +mean(r.acrossM).toFixed(3), acrossRmsM: +rms(r.acrossM).toFixed(3),
      droneTravelledM: +r.droneTravelledM.toFixed(1), subjectTravelledM: +r.subjectTravelledM.toFixed(1), minDistanceM: +r.minDistanceM.toFixed(2),
      states: r.safetyStatesDuringShot, stateAtStop: r.stateAtStop, staleAfterStopS: r.staleAfterStopS, staleReason: r.staleReason,
      renderMsP50: +r.renderMsP50.toFixed(1), perceive: s,
    };
    console.log(`perception e2e figures: ${JSON.stringify(fig)}`);
    expect(r.subjectsBeforePerception).toEqual([]);
    expect(r.shotAccepted, r.shotReply).toBe(true);
    expect(s?.published ?? 0, r.perceiveStderr.slice(-2000)).toBeGreaterThan(10);
    expect(r.perceiveExit).toBe(0);
    expect(r.standingErrorsM.length).toBeGreaterThan(5);
    // median, not RMS: on a loaded machine frames reach perceive late by a varying amount, and while
    // the gimbal turns those frames are localised through a pose up to ~0.1 s off (reported below)
    expect(median(r.standingErrorsM)).toBeLessThan(1.0);
    // the watchdog: 5 s after perception stopped the controller no longer flies the shot as if it saw alice
    expect(r.statesAfterStop.length).toBeGreaterThan(0);
    expect(r.statesAfterStop[r.statesAfterStop.length - 1]).not.toBe('active');
    if (r.stateAtStop === 'active') expect(r.staleReason).toMatch(/perception-(stale|timeout)/);
  }, LONG ? 180_000 : 120_000);
});
