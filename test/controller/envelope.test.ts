/**
 * The flight envelope in closed loop with the simulated vehicle: a shot that
 * commands full speed at the fence never leaves it; a person walking into
 * the keep-out radius pushes the drone away. Plus unit checks of the
 * stopping-distance law and the fence geometry against hand-worked values.
 */
import { describe, it, expect } from 'vitest';
import { createSimHarness, DP } from './support/harness.ts';
import { approachSpeedLimitMps, stoppingDistanceM, SafetyEnvelope, envelopeSettingsFromRig, INTERVENTION_VIOLATION, INTERVENTION_KEEP_OUT, INTERVENTION_GEOFENCE } from '../../controller/safety/envelope.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { insidePolygon, nearestBoundaryPoint, projectInside, validateGeofence } from '../../controller/safety/geofence.ts';
import { norm, vec3 } from '../../core/vec3.ts';
import { DEFAULT_PERSON_HEIGHT_M } from '../../core/framing.ts';

const FENCE = { polygonNeM: [[-25, -25], [25, -25], [25, 25], [-25, 25]], minAltitudeM: 1, maxAltitudeM: 15 };

function fenceScene(subjects: object[], drone: object) {
  return {
    name: 'fence-test',
    description: 'a 50 m box fence',
    rig: 'x500-fullframe-24-70',
    geofence: FENCE,
    drone,
    subjects,
  };
}

describe('stopping distance law', () => {
  it('v_allowed(d) inverts d = v·τ + v²/(2a)', () => {
    for (const [d, a, tau] of [[10, 4, 0.3], [0.5, 6, 0.1], [40, 2, 0.5]] as const) {
      const v = approachSpeedLimitMps(d, a, tau);
      expect(stoppingDistanceM(v, a, tau)).toBeCloseTo(d, 9);
    }
    expect(approachSpeedLimitMps(0, 4, 0.3)).toBe(0);
    expect(approachSpeedLimitMps(-1, 4, 0.3)).toBe(0);
    // hand-worked: a = 4, τ = 0 → v = √(2·4·8) = 8 m/s
    expect(approachSpeedLimitMps(8, 4, 0)).toBeCloseTo(8, 12);
  });
});

describe('envelope filter, one step', () => {
  const rig = loadRig();
  const env = new SafetyEnvelope(envelopeSettingsFromRig(rig), FENCE as never);
  const m = env.settings.fenceMarginM;

  it('a vehicle blown outside the fence is commanded back in, whatever the setpoint asked', () => {
    const { setpoint, interventions } = env.filter(
      { timestampS: 0, positionNedM: vec3(30, 0, -5), velocityNedMps: vec3(5, 0, 0) },
      { positionNedM: vec3(26, 0, -5), velocityNedMps: vec3(1, 0, 0) }, [],
    );
    expect(interventions & INTERVENTION_VIOLATION).toBeTruthy();
    expect(interventions & INTERVENTION_GEOFENCE).toBeTruthy();
    expect(setpoint.positionNedM!.x).toBeLessThanOrEqual(25 - m + 1e-6);
    expect(setpoint.velocityNedMps!.x).toBeLessThanOrEqual(-1); // a retreat of at least DEFAULT_MIN_RETREAT_MPS
  });

  it('a person walking at a hovering drone makes it back away at least as fast as the person closes in', () => {
    const person = { name: 'bob', positionNedM: vec3(4, 0, 0), velocityNedMps: vec3(-1.5, 0, 0), heightM: 1.8, sigmaM: 0 };
    const { setpoint, interventions } = env.filter(
      { timestampS: 0, positionNedM: vec3(0, 0, -1.5), velocityNedMps: vec3(0, 0, 0) },
      { positionNedM: vec3(0, 0, -1.5), velocityNedMps: vec3(0, 0, 0) }, [person],
    );
    expect(interventions & INTERVENTION_KEEP_OUT).toBeTruthy();
    // gap 4 − (3 + radius) m: the closing speed may not exceed what stops in that gap
    const gap = 4 - env.settings.keepOutRadiusM;
    const allowed = approachSpeedLimitMps(gap, env.settings.brakeDecelMps2, env.settings.responseLatencyS);
    const closing = setpoint.velocityNedMps!.x - person.velocityNedMps.x;
    expect(closing).toBeLessThanOrEqual(allowed + 1e-9);
    expect(setpoint.velocityNedMps!.x).toBeLessThan(0);
  });

  it('leaves a command well inside the envelope untouched', () => {
    const input = { timestampS: 0, positionNedM: vec3(1, 1, -5), velocityNedMps: vec3(1, 0, 0), accelerationNedMps2: vec3(0.5, 0, 0), yawRad: 0.3 };
    const { setpoint, interventions } = env.filter(input, { positionNedM: vec3(0, 0, -5), velocityNedMps: vec3(1, 0, 0) }, []);
    expect(interventions).toBe(0);
    expect(setpoint).toEqual(input);
  });
});

describe('geofence geometry', () => {
  const L = [[0, 0], [20, 0], [20, 10], [10, 10], [10, 20], [0, 20]] as Array<[number, number]>; // an L, concave corner at (10, 10)
  it('inside test and nearest boundary point on a concave polygon', () => {
    expect(insidePolygon(L, 5, 5)).toBe(true);
    expect(insidePolygon(L, 15, 15)).toBe(false); // the cut-out
    expect(insidePolygon(L, 15, 5)).toBe(true);
    const q = { north: 0, east: 0 };
    expect(nearestBoundaryPoint(L, 15, 15, q)).toBeCloseTo(5, 12);
    expect(q).toEqual({ north: 15, east: 10 });
  });
  it('projectInside moves a point to at least the margin inside', () => {
    const p = { north: 14, east: 14 }; // in the cut-out near the concave corner
    const q = { north: 0, east: 0 };
    expect(projectInside(L, p, 2, q)).toBe(true);
    expect(insidePolygon(L, p.north, p.east)).toBe(true);
    expect(nearestBoundaryPoint(L, p.north, p.east, q)).toBeGreaterThanOrEqual(2 - 1e-6);
  });
  it('rejects fences that cannot be flown, naming the problem', () => {
    expect(() => validateGeofence({ polygonNeM: [[0, 0], [1, 1]], minAltitudeM: 1, maxAltitudeM: 10 })).toThrow(/at least 3/);
    expect(() => validateGeofence({ polygonNeM: [[5, 5], [10, 5], [10, 10]], minAltitudeM: 1, maxAltitudeM: 10 })).toThrow(/home/);
    expect(() => validateGeofence({ polygonNeM: [[-5, -5], [5, -5], [5, 5]], minAltitudeM: 5, maxAltitudeM: 6 }, 1)).toThrow(/narrower/);
  });
});

describe('geofence approach at full speed', () => {
  for (const [label, velocity] of [
    ['north wall', vec3(15, 0, 0)],
    ['north-east corner', vec3(12, 12, 0)],
    ['ceiling', vec3(3, 0, -8)],
    ['floor', vec3(0, 3, 8)],
  ] as const) {
    it(`commanding ${norm(velocity).toFixed(0)} m/s at the ${label}: the vehicle never leaves the fence`, async () => {
      const h = await createSimHarness({
        scene: fenceScene(
          [{ name: 'alice', kind: 'person', heightM: 1.7, motion: { type: 'static', positionNeM: [-20, -20] } }],
          { positionNeM: [0, 0], altitudeM: 6 },
        ),
      });
      h.controller.velocityCommand = velocity;
      await h.run(0.1);
      expect(h.runtime.submitShot({ kind: 'flyover', subjects: [] }, DP).ok).toBe(true);
      let maxN = -Infinity, maxE = -Infinity, maxAlt = -Infinity, minAlt = Infinity, maxSpeed = 0;
      const t0 = h.clock.nowS();
      while (h.clock.nowS() - t0 < 12) {
        await h.run(0.02);
        const s = h.world.vehicle.state;
        maxN = Math.max(maxN, s.positionNedM.x);
        maxE = Math.max(maxE, s.positionNedM.y);
        maxAlt = Math.max(maxAlt, -s.positionNedM.z);
        minAlt = Math.min(minAlt, -s.positionNedM.z);
        maxSpeed = Math.max(maxSpeed, Math.hypot(s.velocityNedMps.x, s.velocityNedMps.y));
      }
      const radius = h.world.rig.airframe.radiusM;
      // the airframe (centre + radius) stays inside the polygon and the band
      expect(maxN + radius).toBeLessThanOrEqual(25);
      expect(maxE + radius).toBeLessThanOrEqual(25);
      expect(maxAlt).toBeLessThanOrEqual(15);
      expect(minAlt).toBeGreaterThanOrEqual(1);
      // and the speed cap held (rig.safety.maxSpeedMps, 2 % for the velocity loop's overshoot)
      expect(maxSpeed).toBeLessThanOrEqual(h.world.rig.safety.maxSpeedMps * 1.02);
      const env = h.transitions.filter((t) => t.region === 'envelope').map((t) => t.to);
      expect(env.some((e) => /geofence|altitude-band/.test(e))).toBe(true);
      console.log(`${label}: closest approach ${Math.min(25 - maxN, 25 - maxE).toFixed(2)} m (north/east), alt ${minAlt.toFixed(2)}…${maxAlt.toFixed(2)} m, max speed ${maxSpeed.toFixed(2)} m/s`);
      await h.runtime.stop();
    });
  }
});

describe('keep-out radius', () => {
  it('a person walking into the hovering drone pushes it away (up and over); the gap never closes below the keep-out radius', async () => {
    const h = await createSimHarness({
      scene: fenceScene(
        [{
          name: 'bob', kind: 'person', heightM: 1.8,
          motion: { type: 'waypoints', startNeM: [0, 12], startHeadingDeg: 270, startDelayS: 0.5, waypoints: [{ positionNeM: [0, -15], speedMps: 1.5 }] },
        }],
        { positionNeM: [0, 0], altitudeM: 2.5 },
      ),
    });
    const R = h.world.rig.safety.keepOutRadiusM;
    h.controller.holdAt = vec3(0, 0, -2.5);
    await h.run(0.1);
    expect(h.runtime.submitShot({ kind: 'track', subjects: ['bob'] }, DP).ok).toBe(true);
    let minGap = Infinity;
    let firstKeepOutS: number | null = null;
    let gapAtFirstKeepOut = NaN;
    const t0 = h.clock.nowS();
    const gap = () => {
      const d = h.world.vehicle.state.positionNedM, b = h.world.subject('bob')!.state.positionNedM;
      const z = Math.min(0, Math.max(-1.8, d.z));
      return Math.hypot(d.x - b.x, d.y - b.y, d.z - z);
    };
    while (h.clock.nowS() - t0 < 20) {
      await h.run(0.02);
      minGap = Math.min(minGap, gap());
      if (firstKeepOutS === null && /keep-out/.test(h.runtime.supervisor.envelopeStatus)) {
        firstKeepOutS = h.clock.nowS();
        gapAtFirstKeepOut = gap();
      }
    }
    expect(firstKeepOutS).not.toBeNull();
    // the envelope reacts before the person is inside R (it budgets airframe radius + uncertainty)
    expect(gapAtFirstKeepOut).toBeGreaterThan(R);
    expect(minGap).toBeGreaterThanOrEqual(R);
    // the keep-out is a capsule around the body (feet to head): the drone was pushed up and
    // over as bob walked through its spot, and went back to its hold point once he had passed
    const p = h.world.vehicle.state.positionNedM;
    expect(Math.hypot(p.x, p.y, p.z + 2.5)).toBeLessThan(0.5);
    console.log(`keep-out: first intervention at gap ${gapAtFirstKeepOut.toFixed(2)} m, min gap ${minGap.toFixed(2)} m (R = ${R} m, person ${DEFAULT_PERSON_HEIGHT_M} m model)`);
    await h.runtime.stop();
  });
});
