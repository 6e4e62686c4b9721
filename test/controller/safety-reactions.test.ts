/**
 * Every safety reaction as a state transition with its reason, measured in
 * simulated time against the real simulator (SimWorld + SimVehicleLink) in
 * lock-step with the loop's virtual clock. Reaction-time bounds are the
 * supervisor's stated ones (docs/controller.md) plus one tick.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { createSimHarness, PILOT, DP, type SimHarness } from './support/harness.ts';
import {
  DEFAULT_LINK_STALE_S, DEFAULT_PERCEPTION_STALE_S, DEFAULT_PERCEPTION_TIMEOUT_S, DEFAULT_SOLVER_FALLBACK_S,
} from '../../controller/safety/supervisor.ts';
import { norm, vec3, horizontalDistance } from '../../core/vec3.ts';

const TICK_S = 0.02;
const measured: Record<string, number> = {};

afterAll(() => {
  console.log('measured reaction times (simulated s):\n' + Object.entries(measured).map(([k, v]) => `  ${k}: ${v.toFixed(3)}`).join('\n'));
});

async function trackingStatic(): Promise<SimHarness> {
  const h = await createSimHarness({ scene: 'static-subject' });
  h.controller.offsetNedM = vec3(9, 0, -4);
  await h.run(0.2);
  expect(h.runtime.submitShot({ kind: 'track', subjects: ['alice'], distanceM: 9 }, DP, 'track alice').ok).toBe(true);
  await h.run(1.5);
  expect(h.runtime.supervisor.state).toBe('active');
  expect(h.world.autopilot.mode).toBe('offboard');
  return h;
}

async function trackingRunner(perceptionFreshness: 'clock' | 'estimates' = 'clock'): Promise<SimHarness> {
  const h = await createSimHarness({ scene: 'runner', perceptionFreshness });
  h.controller.offsetNedM = vec3(-8, -4, -5);
  await h.run(0.2);
  expect(h.runtime.submitShot({ kind: 'follow', subjects: ['alice'], distanceM: 9 }, DP).ok).toBe(true);
  await h.run(5);
  expect(h.runtime.supervisor.state).toBe('active');
  return h;
}

function sendsAfter(h: SimHarness, fromS: number): number {
  return ['sendSetpoint', 'setGimbal', 'setLens'].reduce((n, m) => n + h.link.callsSince(fromS, m).length, 0);
}

describe('link loss watchdog', () => {
  it('link cut for 0.5 s: hold within linkStaleS + 1 tick, resume autonomy when it returns, no return/land', async () => {
    const h = await trackingStatic();
    const cutS = h.clock.nowS();
    h.link.cut();
    await h.run(0.5);
    h.link.restore();
    const restoreS = h.clock.nowS();
    await h.run(1.5);
    const lost = h.transitionsTo('link-hold');
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBe('link-lost');
    const reaction = lost[0]!.atS - cutS;
    measured['link lost → link-hold'] = reaction;
    expect(reaction).toBeGreaterThanOrEqual(DEFAULT_LINK_STALE_S - 1e-6);
    expect(reaction).toBeLessThanOrEqual(DEFAULT_LINK_STALE_S + TICK_S + 1e-6);
    const back = h.transitions.find((t) => t.from === 'link-hold');
    expect(back?.to).toBe('active');
    expect(back?.reason).toBe('link-restored');
    expect(back!.atS - restoreS).toBeLessThanOrEqual(TICK_S + 1e-6);
    measured['link restored → active'] = back!.atS - restoreS;
    expect(h.transitionsTo('returning')).toHaveLength(0);
    expect(h.link.callsSince(0, 'returnHome')).toHaveLength(0);
    // offboard re-requested and the vehicle is flying the shot again, close to where it was
    expect(h.world.autopilot.mode).toBe('offboard');
    expect(horizontalDistance(h.world.vehicle.state.positionNedM, vec3(9, 0, 0))).toBeLessThan(1.0);
    await h.runtime.stop();
  });

  it('link cut for 5 s: hold, then return after rig.safety.linkLossHoldS; return re-sent when the link is back; no setpoints after', async () => {
    const h = await trackingStatic();
    const holdS = h.runtime.rig.safety.linkLossHoldS;
    const cutS = h.clock.nowS();
    h.link.cut();
    await h.run(5);
    const timeout = h.transitionsTo('returning');
    expect(timeout).toHaveLength(1);
    expect(timeout[0]!.from).toBe('link-hold');
    expect(timeout[0]!.reason).toBe('link-loss-timeout');
    expect(timeout[0]!.effects).toEqual(['return']);
    const reaction = timeout[0]!.atS - cutS;
    measured['link lost → return (linkLossHoldS 3 s)'] = reaction;
    expect(reaction).toBeGreaterThanOrEqual(DEFAULT_LINK_STALE_S + holdS - 1e-6);
    expect(reaction).toBeLessThanOrEqual(DEFAULT_LINK_STALE_S + holdS + 2 * TICK_S);
    // while cut, the simulated autopilot's own offboard-loss failsafe holds the vehicle
    expect(h.world.autopilot.mode).toBe('hold');
    h.link.restore();
    const restoreS = h.clock.nowS();
    await h.run(1.0);
    expect(h.world.autopilot.mode).toBe('return');
    expect(h.runtime.supervisor.state).toBe('returning');
    expect(h.link.callsSince(restoreS, 'returnHome').length).toBeGreaterThanOrEqual(1);
    expect(sendsAfter(h, timeout[0]!.atS + 1e-6)).toBe(0);
    await h.runtime.stop();
  });
});

describe('solver failure or overrun', () => {
  for (const mode of ['status', 'throw', 'overrun'] as const) {
    it(`solver ${mode}: shifted previous plan the same tick, brake after ${DEFAULT_SOLVER_FALLBACK_S} s, hover; recovers`, async () => {
      const h = await trackingRunner();
      const failS = h.clock.nowS() + 1e-6;
      const speedBefore = norm(h.world.vehicle.state.velocityNedMps);
      expect(speedBefore).toBeGreaterThan(2); // it is really moving
      h.controller.fail = { fromS: failS, untilS: failS + 6, mode };
      await h.run(6);
      const fb = h.transitionsTo('plan-fallback');
      expect(fb.length).toBeGreaterThanOrEqual(1);
      expect(fb[0]!.reason).toBe('solver-failed');
      expect(fb[0]!.atS - failS).toBeLessThanOrEqual(TICK_S);
      const brake = h.transitionsTo('braking');
      expect(brake[0]!.reason).toBe('fallback-exhausted');
      const fallbackS = brake[0]!.atS - fb[0]!.atS;
      measured[`solver ${mode} → braking`] = fallbackS;
      expect(fallbackS).toBeGreaterThanOrEqual(DEFAULT_SOLVER_FALLBACK_S - 1e-6);
      expect(fallbackS).toBeLessThanOrEqual(DEFAULT_SOLVER_FALLBACK_S + TICK_S + 1e-6);
      const hover = h.transitionsTo('hovering');
      expect(hover[0]!.reason).toBe('vehicle-stopped');
      const stopS = hover[0]!.atS - brake[0]!.atS;
      measured[`solver ${mode}: brake → stopped (from ${speedBefore.toFixed(1)} m/s)`] = stopS;
      // constant-deceleration brake at 60 % of the airframe's limit, plus the velocity loop's lag
      const a = h.runtime.supervisor.envelope.settings.brakeDecelMps2;
      expect(stopS).toBeLessThanOrEqual(speedBefore / a + 1.5);
      expect(norm(h.world.vehicle.state.velocityNedMps)).toBeLessThan(0.3);
      // the solver works again: autonomy resumes after 3 good solves
      await h.run(0.5);
      const rec = h.transitions.filter((t) => t.reason === 'solver-recovered');
      expect(rec.length).toBe(1);
      expect(h.runtime.supervisor.state).toBe('active');
      await h.runtime.stop();
    });
  }
});

describe('stale perception', () => {
  for (const freshness of ['clock', 'estimates'] as const) it(`perception stopped (freshness from ${freshness === 'clock' ? 'lastMeasurementS' : 'estimate timestamps'}): framing on prediction after 0.5 s, brake to hover after 2 s, resume when it returns`, async () => {
    const h = await trackingRunner(freshness);
    const stopS = h.clock.nowS();
    h.predictor.stopped = true;
    await h.run(5);
    const hold = h.transitionsTo('perception-hold');
    expect(hold[0]!.reason).toBe('perception-stale');
    // estimates describe the subject 0.1 s in the past (the predictor's latency): staleness shows that much earlier
    const latencyS = freshness === 'estimates' ? 0.1 : 0;
    const r1 = hold[0]!.atS - stopS;
    measured[`perception stopped → perception-hold (${freshness})`] = r1;
    expect(r1).toBeGreaterThan(DEFAULT_PERCEPTION_STALE_S - latencyS - 1e-6);
    expect(r1).toBeLessThanOrEqual(DEFAULT_PERCEPTION_STALE_S - latencyS + 2 * TICK_S);
    const brake = h.transitionsTo('braking');
    expect(brake[0]!.reason).toBe('perception-timeout');
    const r2 = brake[0]!.atS - stopS;
    measured[`perception stopped → braking (${freshness})`] = r2;
    expect(r2).toBeGreaterThan(DEFAULT_PERCEPTION_TIMEOUT_S - latencyS - 1e-6);
    expect(r2).toBeLessThanOrEqual(DEFAULT_PERCEPTION_TIMEOUT_S - latencyS + 2 * TICK_S);
    expect(h.runtime.supervisor.state).toBe('hovering');
    expect(norm(h.world.vehicle.state.velocityNedMps)).toBeLessThan(0.3);
    h.predictor.stopped = false;
    await h.run(0.2);
    expect(h.transitions.at(-1)?.region === 'autonomy' ? h.transitions.at(-1)?.reason : h.transitionsTo('active').at(-1)?.reason).toBe('perception-restored');
    expect(h.runtime.supervisor.state).toBe('active');
    await h.runtime.stop();
  });
});

describe('e-stop, stop and pilot override', () => {
  it('e-stop: autopilot hold in the same instant, nothing commands the vehicle afterwards, latched until a pilot re-arms', async () => {
    const h = await trackingRunner();
    const speed0 = norm(h.world.vehicle.state.velocityNedMps);
    expect(speed0).toBeGreaterThan(2);
    const t0 = h.clock.nowS();
    expect(h.runtime.eStop(PILOT).ok).toBe(true);
    const es = h.transitionsTo('estop');
    expect(es[0]!.reason).toBe('estop');
    expect(es[0]!.who).toBe(PILOT.id);
    expect(es[0]!.atS - t0).toBe(0);
    expect(h.link.callsSince(t0, 'hold')).toHaveLength(1);
    measured['e-stop → autopilot hold requested'] = h.link.callsSince(t0, 'hold')[0]!.atS - t0;
    const stopped = await h.runUntil(() => norm(h.world.vehicle.state.velocityNedMps) < 0.3, 6);
    expect(stopped).not.toBeNull();
    measured[`e-stop → vehicle stopped (from ${speed0.toFixed(1)} m/s)`] = stopped! - t0;
    await h.run(1);
    expect(sendsAfter(h, t0 + 1e-9)).toBe(0);
    expect(h.world.autopilot.mode).toBe('hold');
    // latched: shots refused, DP cannot re-arm, a pilot can
    expect(h.runtime.submitShot({ kind: 'track', subjects: ['alice'] }, DP)).toMatchObject({ ok: false, code: 'SAFETY_ESTOP' });
    expect(h.runtime.rearm(DP)).toMatchObject({ ok: false, code: 'ROLE_NOT_ALLOWED' });
    expect(h.runtime.rearm(PILOT).ok).toBe(true);
    expect(h.runtime.supervisor.state).toBe('standby');
    await h.run(0.5);
    expect(sendsAfter(h, t0 + 1e-9)).toBe(0); // re-arming alone does not resume autonomy
    expect(h.runtime.submitShot({ kind: 'track', subjects: ['alice'] }, DP).ok).toBe(true);
    await h.run(0.5);
    expect(h.runtime.supervisor.state).toBe('active');
    expect(h.world.autopilot.mode).toBe('offboard');
    await h.runtime.stop();
  });

  it('stop: autopilot holds, nothing commands the vehicle afterwards', async () => {
    const h = await trackingRunner();
    const t0 = h.clock.nowS();
    expect(h.runtime.stopShot(DP).ok).toBe(true);
    expect(h.transitionsTo('standby')[0]!.reason).toBe('stopped');
    // the simulated autopilot's hold returns to where it was commanded, then stays
    const stopped = await h.runUntil(() => norm(h.world.vehicle.state.velocityNedMps) < 0.3, 8);
    expect(stopped).not.toBeNull();
    await h.run(1);
    expect(sendsAfter(h, t0 + 1e-9)).toBe(0);
    expect(h.world.autopilot.mode).toBe('hold');
    await h.runtime.stop();
  });

  it('pilot override: controller stops commanding at once; autonomy resumes only when a pilot asks', async () => {
    const h = await trackingStatic();
    const t0 = h.clock.nowS();
    expect(h.runtime.setPilotOverride(true, DP)).toMatchObject({ ok: false, code: 'ROLE_NOT_ALLOWED' });
    expect(h.runtime.setPilotOverride(true, PILOT).ok).toBe(true);
    expect(h.transitionsTo('pilot-override')[0]!.effects).toEqual(['stop-offboard']);
    await h.run(1);
    expect(h.world.autopilot.mode).not.toBe('offboard');
    expect(sendsAfter(h, t0 + 1e-9)).toBe(0);
    expect(h.runtime.submitShot({ kind: 'track', subjects: ['alice'] }, DP)).toMatchObject({ ok: false, code: 'SAFETY_OVERRIDE' });
    h.runtime.setPilotOverride(false, PILOT);
    await h.run(1);
    expect(h.runtime.supervisor.state).toBe('standby');
    expect(sendsAfter(h, t0 + 1e-9)).toBe(0);
    expect(h.runtime.resume(PILOT).ok).toBe(true);
    await h.run(0.5);
    expect(h.runtime.supervisor.state).toBe('active');
    expect(h.world.autopilot.mode).toBe('offboard');
    await h.runtime.stop();
  });
});

describe('low battery', () => {
  it('battery at the rig limit: return home in the same tick', async () => {
    const h = await trackingStatic();
    h.link.batteryOverride = h.runtime.rig.safety.lowBatteryFraction - 0.01;
    const t0 = h.clock.nowS();
    await h.run(1);
    const ret = h.transitionsTo('returning');
    expect(ret[0]!.reason).toBe('low-battery');
    expect(ret[0]!.atS - t0).toBeLessThanOrEqual(TICK_S + 1e-6);
    measured['low battery → return'] = ret[0]!.atS - t0;
    expect(h.world.autopilot.mode).toBe('return');
    expect(sendsAfter(h, ret[0]!.atS + 1e-6)).toBe(0);
    await h.runtime.stop();
  });
});
