/**
 * End to end: the controller runtime flies a tracking shot through the
 * MAVLink link over real UDP sockets against the simulator's autopilot
 * endpoint (in real time), and the same shot through the in-process link
 * (virtual time). The simulator's shot metrics must agree within tolerance.
 * Tolerances: composition RMS ±0.05 (normalised image units), size RMS ±15
 * percentage points, in-focus fraction ±0.15, mean distance ±30 %, path ±20 %.
 */
import { describe, it, expect } from 'vitest';
import { Runtime, type RuntimeSnapshot } from '../../controller/runtime.ts';
import { VirtualClock } from '../../controller/loop/clock.ts';
import { createVehicleLink } from '../../controller/links/factory.ts';
import { createMpcShotController } from '../../controller/mpc-shot-controller.ts';
import { startSitl } from '../../sim/sitl/start.ts';
import { SimWorld } from '../../sim/world.ts';
import { SimVehicleLink } from '../../sim/sim-vehicle-link.ts';
import { loadScene } from '../../sim/scene-loader.ts';
import { noisyConstantVelocityPredictor } from '../../sim/noisy-predictor.ts';
import { computeMetrics, type ShotMetrics } from '../../sim/metrics.ts';
import { SimTimeClock } from '../../sim/sim-time-clock.ts';
import type { ShotSpec } from '../../core/shot-spec.ts';
import { TraceRecorder } from './support/trace-recorder.ts';

const SCENE = 'runner';
const SPEC: ShotSpec = { kind: 'track', subjects: ['alice'], framing: 'full', side: 'behind' };
const RATE_HZ = 25;
const SHOT_START_S = 1.0;
const SHOT_S = 8;
const WHO = { id: 'e2e', role: 'dp' as const };
/**
 * Same controller on both paths (the MPC with its real-time QP limit). The
 * real-time run plays the simulator at half speed: the test machine shares
 * two cores with the rest of the suite, and at full speed the MPC would be
 * starved into overruns that say nothing about the link. Sockets, streams
 * and the loop are all real; the loop runs on simulated time. The overrun
 * budget is generous for the same reason.
 */
const SIM_SPEED = 0.5;
const mpc = (rig: Parameters<typeof createMpcShotController>[0]['rig'], geofence: Parameters<typeof createMpcShotController>[0]['geofence']) =>
  createMpcShotController({ rig, geofence });
const SAFETY = { solverBudgetMs: 250 };

/** Mean horizontal drone–subject distance over the scored part of the shot, and how far the drone flew. */
function geometry(rec: TraceRecorder, startS: number): { meanDistanceM: number; travelledM: number } {
  const ticks = rec.ticks.filter((t) => t.timeS >= startS + 1.5);
  let sum = 0, travelled = 0;
  ticks.forEach((t, i) => {
    const a = t.subjects[0]!.positionNedM, d = t.drone.positionNedM;
    sum += Math.hypot(d.x - a.x, d.y - a.y);
    if (i) travelled += Math.hypot(d.x - ticks[i - 1]!.drone.positionNedM.x, d.y - ticks[i - 1]!.drone.positionNedM.y);
  });
  return { meanDistanceM: sum / ticks.length, travelledM: travelled };
}

function summary(m: ShotMetrics) {
  return {
    compositionErrorRms: m.compositionErrorRms!, sizeErrorRmsPct: m.sizeErrorRmsPct!, inFocusFraction: m.inFocusFraction!,
    minPersonDistanceM: m.minPersonDistanceM!, geofenceViolations: m.geofenceViolations, jerkRms: m.jerkRms,
  };
}

async function flyInProcess(): Promise<{ metrics: ShotMetrics; meanDistanceM: number; travelledM: number }> {
  const world = new SimWorld(loadScene(SCENE), { seed: 1 });
  const clock = new VirtualClock(0);
  const runtime = new Runtime({
    link: new SimVehicleLink(world), rig: world.rig, clock, rateHz: RATE_HZ, geofence: world.geofence,
    shotController: mpc(world.rig, world.geofence), safety: SAFETY,
    subjects: noisyConstantVelocityPredictor()(world, 1),
  });
  const rec = new TraceRecorder(world);
  runtime.state$.subscribe((s) => s && rec.record(s));
  await runtime.start();
  const dt = 1 / RATE_HZ;
  const step = async (untilS: number) => {
    while (world.timeS < untilS - 1e-9) {
      world.step(dt);
      clock.advanceTo(world.timeS + 1e-9);
      await Promise.resolve();
    }
  };
  await step(SHOT_START_S);
  expect(runtime.submitShot(SPEC, WHO).ok).toBe(true);
  const startS = world.timeS;
  await step(startS + SHOT_S);
  await runtime.stop();
  return { metrics: computeMetrics(rec.trace(SPEC, startS, 'mpc', RATE_HZ)), ...geometry(rec, startS) };
}

async function flyOverMavlink(): Promise<{ metrics: ShotMetrics; meanDistanceM: number; travelledM: number; linkDropped: number; loop: RuntimeSnapshot['loop'] }> {
  const sitl = await startSitl({ scene: SCENE, seed: 1, speed: SIM_SPEED });
  const world = sitl.world;
  const link = await createVehicleLink(sitl.url, { rig: world.rig, mavlink: { connectTimeoutS: 5 } });
  const clock = new SimTimeClock(world);
  const runtime = new Runtime({
    link, rig: world.rig, clock, rateHz: RATE_HZ, geofence: world.geofence,
    shotController: mpc(world.rig, world.geofence), safety: SAFETY,
    subjects: noisyConstantVelocityPredictor()(world, 1),
  });
  const rec = new TraceRecorder(world);
  runtime.state$.subscribe((s) => s && rec.record(s));
  const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
  try {
    await runtime.start();
    for (let i = 0; i < 100 && !(link.latestTelemetry()?.inAir && world.timeS >= SHOT_START_S); i++) await sleep(0.05);
    const r = runtime.submitShot(SPEC, WHO);
    expect(r).toMatchObject({ ok: true });
    const startS = world.timeS;
    while (world.timeS < startS + SHOT_S) await sleep(0.1);
    const loop = runtime.snapshot().loop;
    const linkDropped = link.health().messagesDropped;
    expect(world.autopilot.mode).toBe('offboard'); // the shot was flown through MAVLink offboard
    await runtime.stop();
    return { metrics: computeMetrics(rec.trace(SPEC, startS, 'mpc', RATE_HZ)), ...geometry(rec, startS), linkDropped, loop };
  } finally {
    clock.dispose();
    await link.close();
    await sitl.close();
  }
}

describe('controller ↔ MAVLink over UDP ↔ simulator autopilot endpoint', () => {
  it(`flies "${SPEC.kind} ${SPEC.subjects[0]}" (${SHOT_S} s of a running subject) with the same metrics as over the in-process link`, async () => {
    const ref = await flyInProcess();
    const e2e = await flyOverMavlink();
    const a = summary(ref.metrics), b = summary(e2e.metrics);
    console.log(`in-process: ${JSON.stringify(a)} mean distance ${ref.meanDistanceM.toFixed(2)} m, flew ${ref.travelledM.toFixed(1)} m\n` +
      `MAVLink/UDP: ${JSON.stringify(b)} mean distance ${e2e.meanDistanceM.toFixed(2)} m, flew ${e2e.travelledM.toFixed(1)} m, link dropped ${e2e.linkDropped}, loop ${e2e.loop.achievedRateHz.toFixed(1)} Hz p99 ${e2e.loop.jitterP99Ms.toFixed(1)} ms`);
    // both fly a real shot: the subject ran ~40 m and the drone went with her
    expect(ref.travelledM).toBeGreaterThan(20);
    expect(e2e.travelledM).toBeGreaterThan(20);
    // the same shot within tolerance (real time adds link latency and scheduling noise)
    expect(Math.abs(a.compositionErrorRms - b.compositionErrorRms)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(a.sizeErrorRmsPct - b.sizeErrorRmsPct)).toBeLessThanOrEqual(15);
    expect(Math.abs(a.inFocusFraction - b.inFocusFraction)).toBeLessThanOrEqual(0.15);
    expect(Math.abs(ref.meanDistanceM - e2e.meanDistanceM)).toBeLessThanOrEqual(0.3 * ref.meanDistanceM);
    expect(Math.abs(ref.travelledM - e2e.travelledM)).toBeLessThanOrEqual(0.2 * ref.travelledM);
    for (const m of [a, b]) {
      expect(m.geofenceViolations).toBe(0);
      expect(m.minPersonDistanceM).toBeGreaterThanOrEqual(3);
    }
    expect(e2e.linkDropped).toBe(0);
  }, 90_000);
});
