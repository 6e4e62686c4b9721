/**
 * The acceptance figures, measured exactly as `cinepilot validate
 * --json` measures them (same scene loader, controller registry, harness and
 * ground-truth metrics).
 */
import { describe, expect, it } from 'vitest';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { noisyConstantVelocityPredictor } from '../../sim/noisy-predictor.ts';
import { nearLimitM } from '../../mpc/optics.ts';
import { CLOSED_LOOP_TIMEOUT_MS, fly, testScene } from './fly.ts';

const rig = loadRig();

describe('closed loop: acceptance shots', () => {
  it('static-subject dolly zoom on alice 24→70 mm over 8 s: size ≤ 3 %, zoom ratio ≥ 2.5, in focus ≥ 0.99, no focus reversals', async () => {
    const { metrics: m } = await fly('static-subject', {
      kind: 'dolly-zoom', subjects: ['alice'], focalLengthMm: { fromMm: 24, toMm: 70 }, durationS: 8,
    }, 10);
    expect(m.sizeErrorMaxPct!).toBeLessThanOrEqual(3);
    expect(m.focalLengthMm.max / m.focalLengthMm.min).toBeGreaterThanOrEqual(2.5);
    expect(m.inFocusFraction!).toBeGreaterThanOrEqual(0.99);
    expect(m.focusReversals).toBe(0);
    expect(m.passed).toBe(true);
  }, CLOSED_LOOP_TIMEOUT_MS);

  it('runner, track alice medium shot: keep-out and geofence hold, focus ≥ 0.98, composition ≤ 0.03 with the default (perception-calibrated) estimate and with a noise-free one', async () => {
    const spec = { kind: 'track' as const, subjects: ['alice'], framing: 'medium' as const };
    const noisy = (await fly('runner', spec, 14)).metrics;
    expect(noisy.minPersonDistanceM!).toBeGreaterThanOrEqual(rig.safety.keepOutRadiusM);
    expect(noisy.geofenceViolations).toBe(0);
    expect(noisy.inFocusFraction!).toBeGreaterThanOrEqual(0.98);
    // default estimate: perception's split, 0.14 m along the line of sight and 2.54 mrad across it (sim/noisy-predictor.ts)
    expect(noisy.compositionErrorRms!).toBeLessThanOrEqual(0.03);
    const clean = (await fly('runner', spec, 14, {
      predictor: noisyConstantVelocityPredictor({ positionSigmaM: 0, bearingSigmaRad: 0, velocitySigmaMps: 0, headingSigmaRad: 0, heightSigmaM: 0 }),
    })).metrics;
    expect(clean.compositionErrorRms!).toBeLessThanOrEqual(0.03);
    expect(clean.minPersonDistanceM!).toBeGreaterThanOrEqual(rig.safety.keepOutRadiusM);
  }, CLOSED_LOOP_TIMEOUT_MS);

  it('two-actors two-shot of alice and bob: both in focus ≥ 0.97 of frames while they separate in depth', async () => {
    const { metrics: m, trace } = await fly('two-actors', { kind: 'two-shot', subjects: ['alice', 'bob'] }, 18);
    expect(m.inFocusBySubject.alice!).toBeGreaterThanOrEqual(0.97);
    expect(m.inFocusBySubject.bob!).toBeGreaterThanOrEqual(0.97);
    // they do separate in depth: the drone-to-subject distance difference grows beyond 4 m
    const spread = trace.ticks.map((t) => {
      const d = t.subjects.map((s) => Math.hypot(s.positionNedM.x - t.drone.positionNedM.x, s.positionNedM.y - t.drone.positionNedM.y));
      return Math.abs(d[0]! - d[1]!);
    });
    expect(Math.max(...spread)).toBeGreaterThan(4);
    expect(m.minPersonDistanceM!).toBeGreaterThanOrEqual(rig.safety.keepOutRadiusM);
  }, CLOSED_LOOP_TIMEOUT_MS);

  it('rack focus bob → alice over 3 s completes within ±10 % of 3 s without overshooting alice by more than the DoF', async () => {
    const { trace, phases, metrics: m } = await fly(testScene('rack-focus-depth'), {
      kind: 'rack-focus', subjects: ['bob', 'alice'], focusFrom: 'bob', focusOn: 'alice', durationS: 3,
    }, 6);
    const cocMm = trace.camera.cocMm;
    const startIdx = phases.indexOf('running');
    expect(startIdx).toBeGreaterThan(0);
    const t0 = trace.ticks[startIdx]!.timeS;
    // depth of each subject's eye point along the optical axis, from the trace's ground truth
    const depth = (i: number, name: string) => {
      const t = trace.ticks[i]!, s = t.subjects.find((x) => x.name === name)!;
      const c = t.camera;
      const dx = s.positionNedM.x - c.positionNedM.x, dy = s.positionNedM.y - c.positionNedM.y, dz = s.positionNedM.z - s.heightM * 0.93 - c.positionNedM.z;
      const cy = Math.cos(c.yawRad), sy = Math.sin(c.yawRad), cp = Math.cos(c.pitchRad), sp = Math.sin(c.pitchRad);
      return cy * cp * dx + sy * cp * dy - sp * dz;
    };
    const D0 = 1 / depth(startIdx, 'bob'), D1 = 1 / depth(startIdx, 'alice');
    let doneIdx = -1;
    for (let i = startIdx; i < trace.ticks.length; i++) {
      const D = 1 / trace.ticks[i]!.lens.focusDistanceM;
      if (Math.abs(D - 1 / depth(i, 'alice')) <= 0.02 * Math.abs(D1 - D0)) { doneIdx = i; break; }
    }
    expect(doneIdx).toBeGreaterThan(startIdx);
    const rackS = trace.ticks[doneIdx]!.timeS - t0;
    expect(rackS).toBeGreaterThanOrEqual(2.7);
    expect(rackS).toBeLessThanOrEqual(3.3);
    // overshoot = focusing so far past alice that she falls in front of the near DoF limit
    for (let i = startIdx; i < trace.ticks.length; i++) {
      const l = trace.ticks[i]!.lens;
      expect(nearLimitM(l.focalLengthMm, l.fNumber, cocMm, l.focusDistanceM)).toBeLessThanOrEqual(depth(i, 'alice'));
    }
    expect(m.inFocusBySubject.alice!).toBeGreaterThanOrEqual(0.9);
  }, CLOSED_LOOP_TIMEOUT_MS);
});
