import { describe, expect, it } from 'vitest';
import { FLYABLE_SHOT_KINDS, type ShotSpec } from '../../../core/shot-spec.ts';
import type { SubjectPredictor } from '../../../core/perception-types.ts';
import { CinePilotError } from '../../../core/errors.ts';
import { vec3, distance } from '../../../core/vec3.ts';
import { loadRig } from '../../../hardware-profiles/loader.ts';
import { focusBandHalfWidthDioptres } from '../../optics.ts';
import { fNumberFromStops } from '../layout.ts';
import { ScriptedPredictor } from '../testing/scripted-predictor.ts';
import { DEFAULT_BAND_MARGIN, lensAndDistanceForFraming, smoothstep, trapezoidRamp } from './common.ts';
import { leadRoomU } from './single-subject.ts';
import { createRecipe, targetsFromReference } from './index.ts';
import { createStageReference, type RecipeContext } from './types.ts';

const rig = loadRig();
const predictor = new ScriptedPredictor([
  { name: 'alice', n: 0, e: 0, headingRad: 0 },
  { name: 'bob', n: -4, e: 2, headingRad: 0 },
]);

function context(spec: ShotSpec, p: SubjectPredictor = predictor, start = vec3(10, 0, -3)): RecipeContext {
  return {
    spec, rig, predictor: p, heightOf: () => 1.7, startTimeS: 0,
    start: { positionNedM: start, yawRad: Math.PI, gimbalPitchRad: -0.2, focalLengthMm: 35, focusDistanceM: 10, fNumber: 4 },
    geofence: { polygonNeM: [[-100, -100], [100, -100], [100, 100], [-100, 100]], minAltitudeM: 1, maxAltitudeM: 60 },
    background: [{ name: 'wall', positionNedM: vec3(-30, 0, 0) }],
  };
}

const SPEC_FOR: Record<string, ShotSpec> = {
  'two-shot': { kind: 'two-shot', subjects: ['alice', 'bob'] },
  'rack-focus': { kind: 'rack-focus', subjects: ['alice', 'bob'], focusFrom: 'alice', focusOn: 'bob' },
};

describe('shot recipes', () => {
  it('every flyable kind yields finite references over a 2 s horizon and honest targets', () => {
    for (const kind of FLYABLE_SHOT_KINDS) {
      const spec = SPEC_FOR[kind] ?? { kind, subjects: ['alice'] };
      const recipe = createRecipe(context(spec));
      expect(recipe.kind).toBe(kind);
      const ref = createStageReference();
      for (let k = 0; k <= 40; k++) {
        recipe.reference(k * 0.05, k * 0.05, ref);
        for (const v of [ref.positionNedM.x, ref.positionNedM.y, ref.positionNedM.z, ref.focalLengthMm, ref.irisStops]) {
          expect(Number.isFinite(v), `${kind} stage ${k}`).toBe(true);
        }
      }
      const t = targetsFromReference(ref);
      if (kind !== 'rack-focus') expect(t.focusSubjects.length, kind).toBeGreaterThan(0);
      for (const p of t.points) {
        expect(p.u).toBeGreaterThanOrEqual(0);
        expect(p.v).toBeLessThanOrEqual(1);
      }
    }
  });

  it('dolly zoom: f(t) eases 24 → 70 mm over the duration and the camera distance keeps f/z constant (2 %)', () => {
    const recipe = createRecipe(context({ kind: 'dolly-zoom', subjects: ['alice'], focalLengthMm: { fromMm: 24, toMm: 70 }, durationS: 8 }));
    const ref = createStageReference();
    const ratios: number[] = [];
    let lastF = 0;
    for (let t = 0; t <= 8; t += 0.5) {
      recipe.reference(t, t, ref);
      expect(ref.focalLengthMm).toBeGreaterThanOrEqual(lastF);
      lastF = ref.focalLengthMm;
      ratios.push(ref.focalLengthMm / distance(ref.positionNedM, ref.slots[0].eyeNedM));
      expect(ref.slots[0].sizeTarget).toBeCloseTo((24 * 1.7) / (10.05 * 20), 1);
    }
    recipe.reference(0, 0, ref);
    expect(ref.focalLengthMm).toBeCloseTo(24, 9);
    recipe.reference(8, 8, ref);
    expect(ref.focalLengthMm).toBeCloseTo(70, 9);
    // the eye is 1.58 m up and the camera 3 m: 3-D distances scale with f only approximately; compare the horizontal part
    const spread = (Math.max(...ratios) - Math.min(...ratios)) / ratios[0]!;
    expect(spread).toBeLessThan(0.02);
  });

  it('rack focus: dioptre schedule from focusFrom to focusOn over the duration; focus targets before, none during, after', () => {
    const recipe = createRecipe(context({ kind: 'rack-focus', subjects: ['alice', 'bob'], focusFrom: 'alice', focusOn: 'bob', durationS: 3 }));
    const ref = createStageReference();
    recipe.reference(0, 0, ref);
    const dFrom = ref.focusDioptres;
    expect(targetsFromReference(ref).focusSubjects).toEqual(['alice']);
    recipe.reference(1.5, 1.5, ref);
    expect(targetsFromReference(ref).focusSubjects).toEqual([]);
    const mid = ref.focusDioptres;
    recipe.reference(3, 3, ref);
    const dOn = ref.focusDioptres;
    expect(targetsFromReference(ref).focusSubjects).toEqual(['bob']);
    expect(mid).toBeCloseTo((dFrom + dOn) / 2, 9);
    expect(dOn).toBeCloseTo(1 / Math.hypot(14, 2, 3 - 1.7 * 0.93 - 0.12), 2); // bob is 14 m away: fewer dioptres
    expect(dOn).toBeLessThan(dFrom);
  });

  it('two-shot: the aperture closes just enough that one band (with margin) holds both subjects', () => {
    const far = new ScriptedPredictor([{ name: 'alice', n: 0, e: 0 }, { name: 'bob', n: -9, e: 1 }]);
    const recipe = createRecipe(context({ kind: 'two-shot', subjects: ['alice', 'bob'], depthOfField: 'shallow' }, far));
    const ref = createStageReference();
    recipe.reference(0, 0, ref);
    const cam = ref.positionNedM;
    const dA = 1 / distance(cam, ref.slots[0].eyeNedM), dB = 1 / distance(cam, ref.slots[1].eyeNedM);
    const b = focusBandHalfWidthDioptres(35, fNumberFromStops(ref.irisStops), rig.camera.cocMm);
    expect(Math.abs(dA - dB) / 2).toBeLessThanOrEqual(DEFAULT_BAND_MARGIN * b * 1.02);
    expect(fNumberFromStops(ref.irisStops)).toBeGreaterThan(rig.lens.fNumber.min);
    expect(ref.slots[0].inBand && ref.slots[1].inBand).toBe(true);
  });

  it('unknown subjects, vehicle actions and unsafe framings are refused with messages that say what to do', () => {
    const err = (spec: ShotSpec) => {
      try {
        createRecipe(context(spec));
      } catch (e) {
        return e as CinePilotError;
      }
      throw new Error('no error');
    };
    const unknown = err({ kind: 'track', subjects: ['carol'] });
    expect(unknown.code).toBe('SHOT_UNKNOWN_SUBJECT');
    expect(unknown.message).toMatch(/carol.*alice, bob/);
    expect(err({ kind: 'land', subjects: [] }).code).toBe('SHOT_UNFLYABLE');
    const close = err({ kind: 'track', subjects: ['alice'], framing: 'close-up' });
    expect(close.code).toBe('SHOT_UNFLYABLE');
    expect(close.message).toMatch(/keep-out/);
  });

  it('a medium framing of a 1.7 m person puts the 24–70 mm lens at 70 mm and 3.72 m, outside the 3 m keep-out radius', () => {
    const { focalLengthMm, distanceM } = lensAndDistanceForFraming(context({ kind: 'track', subjects: ['alice'] }), 'medium', 1.7, 6);
    expect(focalLengthMm).toBe(70);
    expect(distanceM).toBeCloseTo((70 * 1.7) / (1.6 * 20), 9);
  });

  it('an uncertain or lost subject is framed wider and kept farther: the size target follows focal length / distance', () => {
    let known = true;
    const flaky = { names: () => ['alice', 'bob'], predict: (n: string, t: number) => (known ? predictor.predict(n, t) : null) };
    const recipe = createRecipe(context({ kind: 'track', subjects: ['alice'], framing: 'medium' }, flaky));
    const ref = createStageReference();
    // camera distance to her mid-body (alice stands at the origin)
    const distanceTo = (r: typeof ref) => Math.hypot(r.positionNedM.x, r.positionNedM.y, r.positionNedM.z + 1.7 * 0.53);
    recipe.reference(0, 0, ref);
    expect(ref.focalLengthMm).toBe(70);
    const size0 = ref.slots[0].sizeTarget, d0 = distanceTo(ref);
    known = false; // lost for 1 s: σ = 2 m → at most 0.15·35.6·d/2 ≈ 15 mm → the widest end, and the keep-out pad grows by 2 m
    recipe.reference(1, 1, ref);
    expect(ref.focalLengthMm).toBe(24);
    const d1 = distanceTo(ref);
    expect(d1).toBeGreaterThan(d0 + 1.4);
    expect(ref.slots[0].sizeTarget).toBeCloseTo((size0 * 24 * d0) / (70 * d1), 9);
  });

  it('uncertainty is read at the plan\'s uncertainty horizon, not at every stage of the open-loop prediction', () => {
    // σ grows 1 m per second of prediction, as an open-loop filter's does
    const growing = {
      names: () => ['alice'],
      predict: (n: string, t: number) => {
        const s = predictor.predict(n, t)!;
        return { ...s, positionSigmaM: 0.1 + Math.max(t, 0), positionCovNeM2: [(0.1 + Math.max(t, 0)) ** 2, 0, (0.1 + Math.max(t, 0)) ** 2] as [number, number, number] };
      },
    };
    const recipe = createRecipe(context({ kind: 'track', subjects: ['alice'], framing: 'medium' }, growing));
    const ref = createStageReference();
    const focal: number[] = [];
    // one plan: stages every 50 ms from t = 0
    for (let k = 0; k <= 40; k++) {
      recipe.reference(k * 0.05, k * 0.05, ref);
      focal.push(ref.focalLengthMm);
    }
    // σ at 0.1 s ahead (0.2 m) caps nothing at 70 mm; the open loop's 2.1 m at 2 s would have capped it at the widest end
    expect(Math.min(...focal)).toBe(70);
    // a later plan reads its own uncertainty: 3 s on, σ 3.2 m widens the shot to the widest end
    recipe.reference(3, 3, ref);
    expect(ref.focalLengthMm).toBe(24);
  });

  it('track/follow side: a standing subject\'s noisy heading never swings the camera; the side is kept against her direction of travel once she moves at 1.5 m/s, and held when she stops', () => {
    // one subject whose estimate the test sets tick by tick: position at the tick, constant velocity after it
    const state = { n: 0, e: 0, vn: 0, ve: 0, headingRad: 0, atS: 0 };
    const live: SubjectPredictor = {
      predict: (_name, timeS) => ({
        timeS, positionNedM: vec3(state.n + state.vn * (timeS - state.atS), state.e + state.ve * (timeS - state.atS), 0),
        velocityNedMps: vec3(state.vn, state.ve, 0), headingRad: state.headingRad, positionSigmaM: 0.1,
      }),
      names: () => ['alice'],
    };
    const ref = createStageReference();
    // a tick: the controller samples its stages in time order from the tick's time; returns the camera's bearing from her now
    const tick = (recipe: ReturnType<typeof createRecipe>, t: number): number => {
      for (let k = 10; k >= 0; k--) recipe.reference(t + k * 0.05, t + k * 0.05, ref); // an older plan's order does not matter…
      recipe.reference(t, t, ref); // …the plan that starts at t does
      for (let k = 1; k <= 10; k++) recipe.reference(t + k * 0.05, t + k * 0.05, createStageReference());
      return Math.atan2(ref.positionNedM.y - state.e, ref.positionNedM.x - state.n);
    };
    const stand = (t: number, i: number) => {
      // perception's standing subject: heading and velocity are noise
      Object.assign(state, { vn: 0.5 * Math.cos(2.1 * i), ve: 0.5 * Math.sin(2.1 * i), headingRad: 3 * Math.sin(1.7 * i), atS: t });
    };
    // camera starts north of her (bearing 0)
    const track = createRecipe(context({ kind: 'track', subjects: ['alice'] }, live));
    for (let i = 0; i < 25; i++) {
      stand(i * 0.04, i);
      expect(tick(track, i * 0.04)).toBeCloseTo(0, 9);
    }
    // she runs east: the camera keeps the side it is on, her left (north)
    let t = 1;
    for (; t < 3; t += 0.04) {
      state.n += state.vn * 0.04; state.e += state.ve * 0.04;
      Object.assign(state, { vn: 0, ve: 5, headingRad: Math.PI / 2, atS: t });
      expect(tick(track, t)).toBeCloseTo(0, 9);
    }
    // she turns south: her left is now east
    Object.assign(state, { vn: -5, ve: 0, headingRad: Math.PI, atS: t });
    expect(tick(track, t)).toBeCloseTo(Math.PI / 2, 9);
    // she stops: heading noise again, the camera holds the bearing she last ran on
    for (let i = 0; i < 25; i++) {
      t += 0.04;
      stand(t, i);
      expect(tick(track, t)).toBeCloseTo(Math.PI / 2, 9);
    }
    // follow: behind the heading she stood with at the start until she moves, then behind her travel
    Object.assign(state, { n: 0, e: 0, vn: 0, ve: 0, headingRad: 0.3, atS: 0 });
    const follow = createRecipe(context({ kind: 'follow', subjects: ['alice'] }, live));
    for (let i = 0; i < 25; i++) {
      stand(i * 0.04, i);
      expect(tick(follow, i * 0.04)).toBeCloseTo(0.3 - Math.PI, 9);
    }
    Object.assign(state, { vn: 0, ve: 5, headingRad: Math.PI / 2, atS: 1 });
    expect(tick(follow, 1)).toBeCloseTo(-Math.PI / 2, 9);
  });

  it('lead room: a subject crossing the frame to the right is placed left of centre', () => {
    const view = { name: 'a', feetNedM: vec3(), velocityNedMps: vec3(0, 3, 0), headingRad: Math.PI / 2, heightM: 1.7, positionSigmaM: 0, positionCovNeM2: new Float64Array(3), hasCovariance: false, lastSeenS: 0, lastSigmaM: 0, planStartS: 0 };
    // camera south of her, looking north: east is image-right
    expect(leadRoomU(view, Math.PI)).toBeCloseTo(0.5 - 1 / 6, 9);
    expect(leadRoomU({ ...view, velocityNedMps: vec3(0, -3, 0) }, Math.PI)).toBeCloseTo(0.5 + 1 / 6, 9);
  });

  it('easing: smoothstep and the trapezoidal ramp go 0 → 1 monotonically and hit their ends', () => {
    let a = -1, b = -1;
    for (let t = 0; t <= 1.0001; t += 0.01) {
      expect(smoothstep(t)).toBeGreaterThanOrEqual(a);
      expect(trapezoidRamp(t)).toBeGreaterThanOrEqual(b);
      a = smoothstep(t);
      b = trapezoidRamp(t);
    }
    expect(trapezoidRamp(0)).toBe(0);
    expect(trapezoidRamp(1)).toBe(1);
    expect(trapezoidRamp(0.5)).toBeCloseTo(0.5, 12);
  });
});
