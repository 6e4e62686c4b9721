import { describe, expect, it } from 'vitest';
import { vec3 } from '../core/vec3.ts';
import type { ShotSpec } from '../core/shot-spec.ts';
import { loadRig } from '../hardware-profiles/loader.ts';
import { ScriptedPredictor } from '../mpc/cinematography/testing/scripted-predictor.ts';
import { createStageReference, type RecipeContext } from '../mpc/cinematography/recipes/types.ts';
import { BLEND_S, MAX_START_S, MIN_START_S, ShotExecutor } from './shot-executor.ts';

const rig = loadRig();
const predictor = new ScriptedPredictor([{ name: 'alice', n: 0, e: 0 }, { name: 'bob', n: 3, e: 6 }]);
const ctx = (spec: ShotSpec, nowS = 0): RecipeContext => ({
  spec, rig, predictor, heightOf: () => 1.7, startTimeS: nowS,
  start: { positionNedM: vec3(10, 0, -3), yawRad: Math.PI, gimbalPitchRad: -0.1, focalLengthMm: 24, focusDistanceM: 10, fNumber: 4 },
  geofence: null, background: [],
});
const SETTLED = { positionM: 0, focalMm: 0 };
const FAR = { positionM: 5, focalMm: 0 };

describe('ShotExecutor', () => {
  it('holds the shot clock at 0 while starting, runs once settled, ends done holding the last frame', () => {
    const ex = new ShotExecutor();
    ex.setShot(ctx({ kind: 'dolly-zoom', subjects: ['alice'], focalLengthMm: { fromMm: 24, toMm: 70 }, durationS: 4 }), 0);
    ex.update(0.1, SETTLED);
    expect(ex.status().phase).toBe('starting'); // MIN_START_S not reached
    expect(ex.elapsedAt(5)).toBe(0);
    ex.update(MIN_START_S, SETTLED);
    expect(ex.status().phase).toBe('running');
    ex.update(MIN_START_S + 2, SETTLED);
    expect(ex.status().progress).toBeCloseTo(0.5, 9);
    expect(ex.elapsedAt(MIN_START_S + 1)).toBeCloseTo(1, 9);
    ex.update(MIN_START_S + 4.5, SETTLED);
    expect(ex.status().phase).toBe('done');
    const ref = createStageReference();
    ex.reference(MIN_START_S + 10, ref);
    expect(ref.focalLengthMm).toBeCloseTo(70, 9);
  });

  it('starts the clock after MAX_START_S even when the camera never settles', () => {
    const ex = new ShotExecutor();
    ex.setShot(ctx({ kind: 'push-in', subjects: ['alice'] }), 0);
    ex.update(MAX_START_S - 0.1, FAR);
    expect(ex.status().phase).toBe('starting');
    ex.update(MAX_START_S, FAR);
    expect(ex.status().phase).toBe('running');
  });

  it('blends the camera path from the old shot to the new one over BLEND_S', () => {
    const ex = new ShotExecutor();
    ex.setShot(ctx({ kind: 'hold', subjects: ['alice'] }), 0);
    ex.update(1, SETTLED);
    const old = createStageReference();
    ex.reference(2, old);
    ex.setShot(ctx({ kind: 'orbit', subjects: ['alice'], distanceM: 12 }, 2), 2);
    const at0 = createStageReference(), atEnd = createStageReference(), mid = createStageReference();
    ex.reference(2, at0);
    expect(at0.positionNedM.x).toBeCloseTo(old.positionNedM.x, 9);
    expect(at0.positionNedM.y).toBeCloseTo(old.positionNedM.y, 9);
    ex.reference(2 + BLEND_S / 2, mid);
    ex.reference(2 + BLEND_S, atEnd);
    expect(Math.hypot(atEnd.positionNedM.x, atEnd.positionNedM.y)).toBeCloseTo(12, 0); // the orbit's radius, from alice at the origin
    const dOld = Math.hypot(mid.positionNedM.x - old.positionNedM.x, mid.positionNedM.y - old.positionNedM.y);
    const dNew = Math.hypot(mid.positionNedM.x - atEnd.positionNedM.x, mid.positionNedM.y - atEnd.positionNedM.y);
    expect(dOld).toBeGreaterThan(0.1);
    expect(dNew).toBeGreaterThan(0.1);
  });

  it('a refused shot leaves the current one running', () => {
    const ex = new ShotExecutor();
    ex.setShot(ctx({ kind: 'track', subjects: ['alice'] }), 0);
    expect(() => ex.setShot(ctx({ kind: 'track', subjects: ['zed'] }), 1)).toThrow(/zed.*alice, bob/);
    expect(ex.spec?.subjects).toEqual(['alice']);
  });

  it('hold() reports the holding phase with no shot', () => {
    const ex = new ShotExecutor();
    ex.hold(ctx({ kind: 'hold', subjects: [] }), 0);
    expect(ex.status()).toMatchObject({ shot: null, phase: 'holding' });
  });
});
