/**
 * Parser pieces against independent references: number words, unit
 * conversions (exact definitions of the foot, the mile, the km/h), relative
 * adjustment step sizes, pronoun resolution and safety limits.
 */
import { describe, expect, it } from 'vitest';
import type { ShotSpec } from '../../core/shot-spec.ts';
import { adjustShot, parseShot, safetyContext, tokenize } from '../../ground-station/language/index.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { DISTANCE_STEP_FRACTION, HEADROOM_STEP } from '../../ground-station/language/adjust.ts';

const ctx = { subjects: ['Alice', 'Bob'], keepOutRadiusM: 3, altitudeBandM: { min: 1, max: 120 } };
const FOOT_M = 0.3048; // international foot, exact
const MILE_M = 1609.344; // international mile, exact

function spec(text: string, context: Parameters<typeof parseShot>[1] = ctx): ShotSpec {
  const r = parseShot(text, context);
  if (!r.ok) throw new Error(`${text}: ${r.error.code} ${r.error.message}`);
  return r.spec;
}

describe('number words', () => {
  const cases: Array<[string, number[]]> = [
    ['eight', [8]], ['twenty four', [24]], ['twenty-four', [24]], ['two and a half', [2.5]], ['one hundred and twenty', [120]],
    ['a hundred', [100]], ['two point eight', [2.8]], ['one point two five', [1.25]], ['half', [0.5]], ['three thousand', [3000]],
    ['seventy five', [75]], ['twenty for', [24]], ['ate', [8]], ['2.8', [2.8]], ['5 and a half', [5.5]],
  ];
  for (const [words, want] of cases) {
    it(`"${words}" reads as ${want.join(', ')}`, () => {
      expect(tokenize(words).filter((t) => t.n !== undefined).map((t) => t.n)).toEqual(want);
    });
  }
  it('a comma ends a number: "seventy, five seconds" is 70 then 5', () => {
    expect(tokenize('seventy, five seconds').map((t) => t.w)).toEqual(['70', '5', 'seconds']);
  });
  it('spelt-out abbreviations join up: "m c u" → mcu, "r t h" → rth', () => {
    expect(tokenize('m c u r t h').map((t) => t.w)).toEqual(['mcurth']);
    expect(tokenize('m c u on bob').map((t) => t.w)).toEqual(['mcu', 'on', 'bob']);
  });
});

describe('units (mathjs) against exact definitions', () => {
  it('feet to metres: 20 ft = 20 × 0.3048 m', () => {
    expect(spec('orbit alice at 20 feet').distanceM).toBeCloseTo(20 * FOOT_M, 6);
  });
  it('mph, km/h and m/s to m/s', () => {
    expect(spec('follow alice at 10 mph').speedMps).toBeCloseTo((10 * MILE_M) / 3600, 3);
    expect(spec('follow alice at 18 km/h').speedMps).toBeCloseTo(5, 6);
    expect(spec('follow alice at 3 metres per second').speedMps).toBe(3);
  });
  it('minutes to seconds, millimetres and "mil" to mm, f/ and T to the f-number', () => {
    expect(spec('orbit alice for 1.5 minutes').durationS).toBe(90);
    expect(spec('track alice, eighty five mil').focalLengthMm).toBe(85);
    expect(spec('track alice at f/2.8').fNumber).toBe(2.8);
    expect(spec('track alice at T2.8').fNumber).toBe(2.8);
    expect(spec('track alice at f two point eight').fNumber).toBe(2.8);
  });
  it('a focal-length range keeps the spoken order (zooming in or out)', () => {
    expect(spec('dolly zoom on alice from 70 to 24 mm').focalLengthMm).toEqual({ fromMm: 70, toMm: 24 });
    expect(spec('dolly zoom on alice 24mm to 70mm').focalLengthMm).toEqual({ fromMm: 24, toMm: 70 });
  });
  it('a length is a height with height words, else a distance', () => {
    expect(spec('orbit alice at 10 metres')).toMatchObject({ distanceM: 10 });
    expect(spec('orbit alice 10 metres high')).toMatchObject({ heightM: 10 });
    expect(spec('orbit alice at a height of 10 metres')).toMatchObject({ heightM: 10 });
  });
});

describe('relative adjustments', () => {
  const current: ShotSpec = { kind: 'orbit', subjects: ['alice'], distanceM: 8, framing: 'medium', side: 'left', fNumber: 4, speedMps: 2 };
  const adj = (text: string) => {
    const r = adjustShot(current, text, ctx);
    if (!r.ok) throw new Error(r.error.message);
    return r.spec;
  };
  it('"closer" shortens the distance by the step, "a bit" by half of it, "further" undoes "closer"', () => {
    expect(adj('closer').distanceM).toBeCloseTo(8 * (1 - DISTANCE_STEP_FRACTION), 2);
    expect(adj('a bit closer').distanceM).toBeCloseTo(8 * (1 - DISTANCE_STEP_FRACTION / 2), 2);
    const closer = adj('closer');
    const back = adjustShot(closer, 'further', ctx);
    expect(back.ok && back.spec.distanceM).toBeCloseTo(8, 1);
  });
  it('"wider"/"tighter" move one framing step, "much wider" two', () => {
    expect(adj('wider').framing).toBe('medium-wide');
    expect(adj('tighter').framing).toBe('medium-close-up');
    expect(adj('much wider').framing).toBe('full');
  });
  it('"shallower" opens one stop (f/4 → f/2.8), "deeper" closes one (f/4 → f/5.7)', () => {
    expect(adj('shallower depth of field')).toMatchObject({ fNumber: 2.8, depthOfField: 'shallow' });
    expect(adj('deeper depth of field')).toMatchObject({ fNumber: 5.7, depthOfField: 'deep' });
  });
  it('"more headroom" adds one headroom step to the default', () => {
    expect(adj('more headroom').headroom).toBeCloseTo(0.1 + HEADROOM_STEP, 6);
  });
  it('"other side" mirrors the side; "again" repeats the shot unchanged', () => {
    expect(adj('other side').side).toBe('right');
    expect(adj('again')).toEqual(current);
  });
  it('an adjustment that would cross the keep-out radius is refused with the distance', () => {
    const r = adjustShot({ ...current, distanceM: 3.5 }, 'closer', ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'UNSAFE_DISTANCE' });
  });
});

describe('subjects', () => {
  it('names are case-insensitive and come out lower-case in the order spoken', () => {
    expect(spec('two shot of BOB and Alice').subjects).toEqual(['bob', 'alice']);
  });
  it('"her" is the current shot\'s one subject; with two it asks which', () => {
    expect(spec('orbit her', { ...ctx, current: { kind: 'track', subjects: ['bob'] } }).subjects).toEqual(['bob']);
    const r = parseShot('orbit her', { ...ctx, current: { kind: 'two-shot', subjects: ['alice', 'bob'] } });
    expect(r).toMatchObject({ ok: false, error: { code: 'AMBIGUOUS_SUBJECT', allowed: ['alice', 'bob'] } });
  });
  it('an unknown name is refused with the list of known ones', () => {
    expect(parseShot('orbit carol', ctx)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SUBJECT', allowed: ['alice', 'bob'] } });
  });
  it('a one-letter recogniser slip on a name is taken, with a note saying so', () => {
    const r = parseShot('orbit alise', ctx);
    expect(r).toMatchObject({ ok: true, spec: { subjects: ['alice'] } });
    expect(r.ok && r.notes?.join(' ')).toContain('alise');
  });
});

describe('safety', () => {
  it('"stop" wins over anything said with it, and carries nothing else', () => {
    expect(spec('stop the orbit on alice at 5 metres, wide')).toEqual({ kind: 'stop', subjects: [] });
  });
  it('no keep-out radius in the context means no distance refusal (the caller supplies the rig)', () => {
    expect(spec('orbit alice at 1 metre', { subjects: ['alice'] }).distanceM).toBe(1);
  });
  it('safetyContext takes the default rig\'s keep-out radius, speed and lens, and the geofence band', () => {
    const rig = loadRig();
    const c = safetyContext(rig, { minAltitudeM: 2, maxAltitudeM: 60 });
    expect(c).toEqual({ keepOutRadiusM: rig.safety.keepOutRadiusM, altitudeBandM: { min: 2, max: 60 }, maxSpeedMps: rig.safety.maxSpeedMps, lens: { focalLengthMm: rig.lens.focalLengthMm, fNumber: rig.lens.fNumber } });
    expect(parseShot('flyover at 80 metres', { subjects: [], ...c })).toMatchObject({ ok: false, error: { code: 'UNSAFE_HEIGHT' } });
  });
});
