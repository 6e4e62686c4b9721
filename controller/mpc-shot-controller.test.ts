import { describe, expect, it } from 'vitest';
import { vec3 } from '../core/vec3.ts';
import type { VehicleTelemetry } from '../core/vehicle-link.ts';
import type { SubjectPredictor } from '../core/perception-types.ts';
import { CinePilotError } from '../core/errors.ts';
import { loadRig } from '../hardware-profiles/loader.ts';
import { ScriptedPredictor } from '../mpc/cinematography/testing/scripted-predictor.ts';
import { createMpcShotController } from './mpc-shot-controller.ts';

const rig = loadRig();
const predictor = new ScriptedPredictor([{ name: 'alice', n: 0, e: 0, headingRad: 0 }, { name: 'bob', n: 2, e: 5 }]);

function telemetry(timeS: number): VehicleTelemetry {
  return {
    timestampS: timeS, vehicleId: 1, positionNedM: vec3(9, 0, -4), velocityNedMps: vec3(), rollRad: 0, pitchRad: 0,
    yawRad: Math.PI, yawRateRadps: 0, gimbal: { pitchRad: -0.25, yawRad: 0, rollRad: 0 },
    lens: { focalLengthMm: 24, focusDistanceM: 9, fNumber: 2.8 }, armed: true, inAir: true, mode: 'offboard',
    batteryFraction: 1, batteryVoltageV: 16,
  };
}

describe('MpcShotController', () => {
  it('before any shot it holds position and leaves the lens alone', () => {
    const c = createMpcShotController({ rig, qpTimeLimitMs: Infinity });
    const out = c.tick({ timeS: 0, telemetry: telemetry(0), subjects: predictor });
    expect(out.setpoint.positionNedM).toEqual(vec3(9, 0, -4));
    expect(out.lens).toEqual({});
    expect(out.diagnostics.status).toBe('idle');
    expect(c.status().phase).toBe('idle');
    c.dispose();
  });

  it('plans a dolly zoom: finite setpoints, a plan over the whole horizon, targets, and the zoom starting to move', () => {
    const c = createMpcShotController({ rig, qpTimeLimitMs: Infinity });
    c.setShot({ kind: 'dolly-zoom', subjects: ['alice'], focalLengthMm: { fromMm: 24, toMm: 70 }, durationS: 8 }, 0);
    let out = c.tick({ timeS: 0, telemetry: telemetry(0), subjects: predictor });
    for (let k = 1; k <= 25; k++) out = c.tick({ timeS: k * 0.04, telemetry: telemetry(k * 0.04), subjects: predictor });
    expect(['solved', 'max-iterations']).toContain(out.diagnostics.status);
    expect(out.plan!.timeS).toHaveLength(c.model.dims.N + 1);
    expect(out.targets!.focusSubjects).toEqual(['alice']);
    expect(out.targets!.heights[0]!.heightFraction).toBeGreaterThan(0);
    const planF = out.plan!.focalLengthMm;
    expect(planF.at(-1)!).toBeGreaterThan(planF[0]! + 1); // the plan previews the zoom
    for (const v of [out.setpoint.positionNedM!.x, out.setpoint.velocityNedMps!.x, out.gimbal.pitchRad, out.lens.focusDistanceM!]) {
      expect(Number.isFinite(v)).toBe(true);
    }
    expect(c.status().phase).toBe('running');
    c.dispose();
  });

  it('an unknown subject is refused with SHOT_UNKNOWN_SUBJECT naming the known ones; the shot in flight continues', () => {
    const c = createMpcShotController({ rig, qpTimeLimitMs: Infinity });
    c.setShot({ kind: 'track', subjects: ['alice'] }, 0);
    c.tick({ timeS: 0, telemetry: telemetry(0), subjects: predictor });
    let caught: unknown;
    try {
      c.setShot({ kind: 'track', subjects: ['carol'] }, 0.04);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CinePilotError);
    expect((caught as CinePilotError).code).toBe('SHOT_UNKNOWN_SUBJECT');
    expect((caught as CinePilotError).message).toMatch(/alice, bob/);
    expect(c.status().shot?.subjects).toEqual(['alice']);
    c.dispose();
  });

  it('when the model turns non-finite (a broken estimate) it reports the error and commands a hold, then recovers', () => {
    const c = createMpcShotController({ rig, qpTimeLimitMs: Infinity });
    let broken = false;
    const flaky: SubjectPredictor = {
      names: () => predictor.names(),
      predict: (name, t) => {
        const s = predictor.predict(name, t);
        if (s && broken) s.positionNedM.x = Number.NaN;
        return s;
      },
    };
    c.setShot({ kind: 'track', subjects: ['alice'] }, 0);
    c.tick({ timeS: 0, telemetry: telemetry(0), subjects: flaky });
    broken = true;
    const bad = c.tick({ timeS: 0.04, telemetry: telemetry(0.04), subjects: flaky });
    expect(bad.diagnostics.status).toMatch(/^numerical-error/);
    expect(bad.setpoint.positionNedM).toEqual(vec3(9, 0, -4));
    broken = false;
    const ok = c.tick({ timeS: 0.08, telemetry: telemetry(0.08), subjects: flaky });
    expect(['solved', 'max-iterations']).toContain(ok.diagnostics.status);
    c.dispose();
  });

  it('a shot set before any subject is known waits for perception to name them, then flies', () => {
    const c = createMpcShotController({ rig, qpTimeLimitMs: Infinity });
    let named: string[] = [];
    const late: SubjectPredictor = { names: () => named, predict: (n, t) => (named.includes(n) ? predictor.predict(n, t) : null) };
    c.setShot({ kind: 'track', subjects: ['alice'] }, 0);
    const waiting = c.tick({ timeS: 0, telemetry: telemetry(0), subjects: late });
    expect(waiting.diagnostics.status).toBe('waiting-for-subjects');
    expect(c.status().phase).toBe('starting');
    named = ['alice'];
    const flying = c.tick({ timeS: 0.04, telemetry: telemetry(0.04), subjects: late });
    expect(flying.targets!.focusSubjects).toEqual(['alice']);
    c.dispose();
  });

  it('clearShot holds where the camera is', () => {
    const c = createMpcShotController({ rig, qpTimeLimitMs: Infinity });
    c.setShot({ kind: 'orbit', subjects: ['alice'] }, 0);
    c.tick({ timeS: 0, telemetry: telemetry(0), subjects: predictor });
    c.clearShot(0.04);
    const out = c.tick({ timeS: 0.04, telemetry: telemetry(0.04), subjects: predictor });
    expect(c.status()).toMatchObject({ shot: null, phase: 'holding' });
    expect(out.targets!.points).toEqual([]);
    c.dispose();
  });
});
