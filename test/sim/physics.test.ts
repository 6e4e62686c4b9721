import { describe, expect, it } from 'vitest';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { Multirotor, emptyCommand } from '../../sim/multirotor.ts';
import { Gimbal } from '../../sim/gimbal.ts';
import { LensMotors, stopsFromFNumber } from '../../sim/lens.ts';
import { sceneFromDocument } from '../../sim/scene-loader.ts';
import { SimWorld } from '../../sim/world.ts';
import { SimVehicleLink } from '../../sim/sim-vehicle-link.ts';
import { vec3 } from '../../core/vec3.ts';
import { GRAVITY_MPS2, degToRad } from '../../core/units.ts';

const rig = loadRig();
const af = rig.airframe;
const DT = 1 / 400;
const still = vec3();

describe('multirotor under a PX4-style position controller', () => {
  it('flies a 20 m position step without exceeding the airframe speed or acceleration limits, and settles within 0.1 m', () => {
    const m = new Multirotor(af, { positionNedM: vec3(0, 0, -5), yawRad: 0 });
    const cmd = emptyCommand();
    cmd.positionNedM = vec3(20, 0, -5);
    const aLimit = Math.min(af.maxHorizontalAccelMps2, GRAVITY_MPS2 * Math.tan(degToRad(af.maxTiltDeg)));
    let maxSpeed = 0, maxAcc = 0;
    for (let i = 0; i < 20 * 400; i++) {
      m.step(DT, cmd, still, true);
      const s = m.state;
      maxSpeed = Math.max(maxSpeed, Math.hypot(s.velocityNedMps.x, s.velocityNedMps.y));
      maxAcc = Math.max(maxAcc, Math.hypot(s.accelerationNedMps2.x, s.accelerationNedMps2.y));
    }
    expect(maxSpeed).toBeLessThanOrEqual(af.maxHorizontalSpeedMps + 1e-9);
    expect(maxAcc).toBeLessThanOrEqual(aLimit + 1e-9);
    expect(Math.abs(m.state.positionNedM.x - 20)).toBeLessThan(0.1);
    expect(Math.abs(m.state.positionNedM.z + 5)).toBeLessThan(0.05);
  });

  it('answers a velocity step like a first-order loop: 95 % of 4 m/s within 2 s, overshoot under 5 %', () => {
    const m = new Multirotor(af, { positionNedM: vec3(0, 0, -5), yawRad: 0 });
    const cmd = emptyCommand();
    cmd.velocityNedMps = vec3(4, 0, 0);
    let peak = 0, at2s = 0;
    for (let i = 1; i <= 5 * 400; i++) {
      m.step(DT, cmd, still, true);
      peak = Math.max(peak, m.state.velocityNedMps.x);
      if (i === 2 * 400) at2s = m.state.velocityNedMps.x;
    }
    expect(at2s).toBeGreaterThan(0.95 * 4);
    expect(peak).toBeLessThan(1.05 * 4);
  });

  it('climbs no faster than the ascent limit and yaws no faster than the yaw-rate limit', () => {
    const m = new Multirotor(af, { positionNedM: vec3(0, 0, -2), yawRad: 0 });
    const cmd = emptyCommand();
    cmd.positionNedM = vec3(0, 0, -40);
    cmd.yawRad = Math.PI * 0.9;
    let climb = 0, yawRate = 0;
    for (let i = 0; i < 10 * 400; i++) {
      m.step(DT, cmd, still, true);
      climb = Math.max(climb, -m.state.velocityNedMps.z);
      yawRate = Math.max(yawRate, Math.abs(m.state.yawRateRadps));
    }
    // the thrust loop's lag lets the climb rate overshoot the command by a hair: ≤ 1 %
    expect(climb).toBeLessThanOrEqual(af.maxAscentSpeedMps * 1.01);
    expect(climb).toBeGreaterThan(af.maxAscentSpeedMps * 0.98);
    expect(yawRate).toBeLessThanOrEqual(degToRad(af.maxYawRateDegps) + 1e-9);
    expect(Math.abs(m.state.yawRad - Math.PI * 0.9)).toBeLessThan(0.01);
  });

  it('holds position in a steady 5 m/s wind once the velocity integrator has caught up (error < 0.2 m after 30 s)', () => {
    const m = new Multirotor(af, { positionNedM: vec3(0, 0, -5), yawRad: 0 });
    const cmd = emptyCommand();
    cmd.positionNedM = vec3(0, 0, -5);
    const wind = vec3(0, 5, 0);
    let maxDrift = 0;
    for (let i = 0; i < 30 * 400; i++) {
      m.step(DT, cmd, wind, true);
      maxDrift = Math.max(maxDrift, Math.abs(m.state.positionNedM.y));
    }
    expect(maxDrift).toBeGreaterThan(0.05); // the wind is felt …
    expect(Math.abs(m.state.positionNedM.y)).toBeLessThan(0.2); // … and rejected
  });

  it('energy sanity: hovering in still air stays exactly put; braking from 8 m/s bleeds speed without re-accelerating', () => {
    const m = new Multirotor(af, { positionNedM: vec3(3, 4, -5), yawRad: 1 });
    const hold = emptyCommand();
    hold.positionNedM = vec3(3, 4, -5);
    hold.yawRad = 1;
    for (let i = 0; i < 60 * 400; i++) m.step(DT, hold, still, true);
    expect(m.state.positionNedM).toEqual(vec3(3, 4, -5));
    expect(Math.hypot(m.state.velocityNedMps.x, m.state.velocityNedMps.y, m.state.velocityNedMps.z)).toBe(0);

    const cruise = emptyCommand();
    cruise.velocityNedMps = vec3(8, 0, 0);
    for (let i = 0; i < 6 * 400; i++) m.step(DT, cruise, still, true);
    const brake = emptyCommand();
    brake.velocityNedMps = vec3(0, 0, 0);
    let overshoot = 0;
    for (let i = 0; i < 6 * 400; i++) {
      m.step(DT, brake, still, true);
      overshoot = Math.max(overshoot, -m.state.velocityNedMps.x); // moving backwards = re-accelerated past the stop
    }
    // the thrust lag may carry the stop a hair past zero: at most 1 % of the initial speed
    expect(overshoot).toBeLessThan(0.01 * 8);
    expect(Math.abs(m.state.velocityNedMps.x)).toBeLessThan(0.01);
  });

  it('never goes below the ground', () => {
    const m = new Multirotor(af, { positionNedM: vec3(0, 0, -1), yawRad: 0 });
    const cmd = emptyCommand();
    cmd.velocityNedMps = vec3(0, 0, 3);
    for (let i = 0; i < 4 * 400; i++) m.step(DT, cmd, still, true);
    expect(m.state.positionNedM.z).toBe(0);
    expect(m.state.onGround).toBe(true);
  });
});

describe('gimbal', () => {
  it('stays inside its angle limits and rate limits and reaches a reachable target', () => {
    const g = new Gimbal(rig.gimbal, { pitchRad: 0, yawRad: 0, rollRad: 0 });
    const L = g.limits;
    g.command({ pitchRad: degToRad(-170), yawRad: degToRad(400) });
    for (let i = 0; i < 8 * 400; i++) {
      g.step(DT);
      expect(g.angles.pitchRad).toBeGreaterThanOrEqual(L.pitch.minRad - 1e-12);
      expect(g.angles.yawRad).toBeLessThanOrEqual(L.yaw.maxRad + 1e-12);
      expect(Math.abs(g.ratesRadps.pitch)).toBeLessThanOrEqual(L.pitch.maxRateRadps + 1e-9);
      expect(Math.abs(g.ratesRadps.yaw)).toBeLessThanOrEqual(L.yaw.maxRateRadps + 1e-9);
    }
    expect(g.angles.pitchRad).toBeCloseTo(L.pitch.minRad, 9);
    g.command({ pitchRad: degToRad(-30), yawRad: degToRad(10) });
    // 335° of yaw at 90°/s takes 3.7 s, plus the lag's tail
    for (let i = 0; i < 6 * 400; i++) g.step(DT);
    expect(g.angles.pitchRad).toBeCloseTo(degToRad(-30), 4);
    expect(g.angles.yawRad).toBeCloseTo(degToRad(10), 4);
  });
});

describe('lens motors', () => {
  const lens = rig.lens;
  it('never leave their range or exceed their speed, and start moving only after the command latency', () => {
    const m = new LensMotors(lens, { focalLengthMm: 24, focusDistanceM: 5, fNumber: 2.8 });
    m.command({ focalLengthMm: 500, focusDistanceM: 0.01, fNumber: 64 }, 0);
    let prev = { zoom: m.zoom.position, focus: m.focus.position, iris: m.iris.position };
    let firstZoomMoveS = Infinity;
    for (let i = 1; i <= 6 * 400; i++) {
      const t = i * DT;
      m.step(DT, t);
      const s = m.state;
      expect(s.focalLengthMm).toBeGreaterThanOrEqual(lens.focalLengthMm.min);
      expect(s.focalLengthMm).toBeLessThanOrEqual(lens.focalLengthMm.max);
      expect(s.focusDistanceM).toBeGreaterThanOrEqual(lens.focusDistanceM.min - 1e-12);
      expect(s.fNumber).toBeLessThanOrEqual(lens.fNumber.max + 1e-9);
      expect(Math.abs(m.zoom.position - prev.zoom) / DT).toBeLessThanOrEqual(lens.motors.zoom.maxSpeed + 1e-6);
      expect(Math.abs(m.focus.position - prev.focus) / DT).toBeLessThanOrEqual(lens.motors.focus.maxSpeed + 1e-6);
      expect(Math.abs(m.iris.position - prev.iris) / DT).toBeLessThanOrEqual(lens.motors.iris.maxSpeed + 1e-6);
      if (m.zoom.position !== prev.zoom && firstZoomMoveS === Infinity) firstZoomMoveS = t;
      prev = { zoom: m.zoom.position, focus: m.focus.position, iris: m.iris.position };
    }
    expect(firstZoomMoveS).toBeGreaterThanOrEqual(lens.motors.zoom.latencyS - 1e-9);
    expect(firstZoomMoveS).toBeLessThan(lens.motors.zoom.latencyS + 2 * DT);
    // 24 → 70 mm at 40 mm/s takes 1.15 s after the latency
    expect(m.state.focalLengthMm).toBe(lens.focalLengthMm.max);
    expect(m.state.focusDistanceM).toBeCloseTo(lens.focusDistanceM.min, 9);
    expect(stopsFromFNumber(m.state.fNumber)).toBeCloseTo(stopsFromFNumber(lens.fNumber.max), 9);
  });

  it('takes (Δ / max speed) to slew: 24 → 70 mm in 1.15 s plus latency', () => {
    const m = new LensMotors(lens, { focalLengthMm: 24, focusDistanceM: 5, fNumber: 4 });
    m.command({ focalLengthMm: 70 }, 0);
    let doneS = 0;
    for (let i = 1; i <= 3 * 400 && !doneS; i++) {
      m.step(DT, i * DT);
      if (m.state.focalLengthMm >= 70) doneS = i * DT;
    }
    expect(doneS).toBeCloseTo(lens.motors.zoom.latencyS + 46 / lens.motors.zoom.maxSpeed, 2);
  });
});

const gustyScene = {
  name: 'gusty',
  geofence: { polygonNeM: [[-50, -50], [50, -50], [50, 50], [-50, 50]], minAltitudeM: 1, maxAltitudeM: 40 },
  wind: { speedMps: 4, fromDeg: 270, gustSigmaMps: 1.5, gustTimeConstantS: 1.5 },
  drone: { positionNeM: [0, 0], altitudeM: 5, lookAt: 'walker' },
  subjects: [
    { name: 'walker', kind: 'person', motion: { type: 'random-walk', centreNeM: [10, 0], radiusM: 6, speedMps: 1.4 } },
    { name: 'buddy', kind: 'person', motion: { type: 'follow', leader: 'walker', offsetM: [0, 1] } },
  ],
};

function flyScripted(seed: number) {
  const world = new SimWorld(sceneFromDocument(structuredClone(gustyScene), 'test'), { seed });
  const out: number[] = [];
  for (let k = 0; k < 200; k++) {
    world.autopilot.setpoint({ timestampS: world.timeS, positionNedM: vec3(Math.sin(k / 20) * 5, 0, -5), yawRad: k / 50 }, world.timeS);
    if (k === 0) world.autopilot.startOffboard(world.timeS);
    world.commandLens({ focalLengthMm: 24 + (k % 40), focusDistanceM: 3 + (k % 7) });
    world.step(0.04);
    const v = world.vehicle.state, s = world.subjects;
    out.push(v.positionNedM.x, v.positionNedM.y, v.positionNedM.z, v.yawRad, world.lens.state.focusDistanceM, ...s.flatMap((x) => [x.state.positionNedM.x, x.state.positionNedM.y]));
  }
  return out;
}

describe('determinism', () => {
  it('same seed → bit-identical states (wind gusts, random walker, group); another seed differs', () => {
    const a = flyScripted(7), b = flyScripted(7), c = flyScripted(8);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('advances whole internal steps only; the remainder carries over', () => {
    const world = new SimWorld(sceneFromDocument(structuredClone(gustyScene), 'test'), { seed: 1, physicsRateHz: 200 });
    expect(world.step(0.0074)).toBe(1);
    expect(world.step(0.0026)).toBe(1);
    expect(world.timeS).toBeCloseTo(0.01, 12);
  });
});

describe('autopilot modes through the SimVehicleLink', () => {
  it('refuses offboard without a setpoint stream, fails safe to hold when the stream stops, takes off and lands', async () => {
    const doc = structuredClone(gustyScene) as typeof gustyScene;
    doc.drone.altitudeM = 0;
    delete (doc as { wind?: unknown }).wind;
    const world = new SimWorld(sceneFromDocument(doc, 'test'), { seed: 1 });
    const link = new SimVehicleLink(world);
    expect((await link.arm()).ok).toBe(false); // not connected yet
    await link.connect();
    let samples = 0;
    link.onTelemetry(() => samples++);
    expect(link.latestTelemetry()!.inAir).toBe(false);
    expect((await link.arm()).ok).toBe(true);
    expect((await link.takeoff(4)).ok).toBe(true);
    for (let i = 0; i < 200 && world.autopilot.mode === 'takeoff'; i++) world.step(0.1);
    expect(world.autopilot.mode).toBe('hold');
    expect(-world.vehicle.state.positionNedM.z).toBeCloseTo(4, 0);
    expect(samples).toBeGreaterThan(100); // 50 Hz of simulated time
    const refused = await link.startOffboard();
    expect(refused).toMatchObject({ ok: false, code: 'NO_SETPOINT_STREAM' });
    link.sendSetpoint({ timestampS: world.timeS, velocityNedMps: vec3(1, 0, 0) });
    expect((await link.startOffboard()).ok).toBe(true);
    world.step(1); // no more setpoints: PX4 falls back to hold after 0.5 s
    expect(world.autopilot.mode).toBe('hold');
    expect(world.autopilot.events.some((e) => e.kind === 'offboard-loss')).toBe(true);
    expect((await link.land()).ok).toBe(true);
    for (let i = 0; i < 200 && world.autopilot.armed; i++) world.step(0.1);
    expect(link.latestTelemetry()).toMatchObject({ armed: false, inAir: false });
    await link.close();
  });
});
