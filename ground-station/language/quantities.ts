/**
 * Quantities in a command: a number (or a range "24 to 70"), its unit, and
 * the words around it that say what it measures ("10 metres high" is a
 * height, "5 metres away" a distance, "f 2.8" an aperture). Units are
 * converted to SI (and lens trade units) by mathjs.
 */
import { unit as mathUnit } from 'mathjs';
import type { Token } from './tokens.ts';
import {
  APERTURE_PREFIXES, DISTANCE_PREFIXES, DISTANCE_SUFFIXES, DURATION_PREFIXES, FOCAL_PREFIXES, FOCAL_SUFFIXES,
  HEIGHT_PREFIXES, HEIGHT_SUFFIXES, SPEED_PREFIXES, UNIT_PHRASES, type QuantityDimension,
} from './vocabulary.ts';

export type QuantityRole = 'distance' | 'height' | 'aperture' | 'focal' | 'duration' | 'speed' | 'angle' | 'length' | 'bare';

export interface Quantity {
  role: QuantityRole;
  /** value(s) in SI (m, s, m/s), mm for focal lengths, degrees for angles, plain for apertures and bare numbers */
  values: number[];
  /** the words as said, for messages */
  said: string;
  /** words after the value that qualify it ("down", "below", "up") */
  suffix?: string;
}

/** SI (or trade) unit each dimension is converted to. */
const TARGET_UNIT: Record<QuantityDimension, string> = { length: 'm', focal: 'mm', time: 's', speed: 'm/s', angle: 'deg' };

function phraseSet(list: readonly string[]): { set: Set<string>; maxLen: number } {
  return { set: new Set(list), maxLen: Math.max(...list.map((p) => p.split(' ').length)) };
}
const HEIGHT_PRE = phraseSet(HEIGHT_PREFIXES);
const DIST_PRE = phraseSet(DISTANCE_PREFIXES);
const APERTURE_PRE = phraseSet(APERTURE_PREFIXES);
const FOCAL_PRE = phraseSet(FOCAL_PREFIXES);
const DURATION_PRE = phraseSet(DURATION_PREFIXES);
const SPEED_PRE = phraseSet(SPEED_PREFIXES);
const GENERIC_PRE = phraseSet(['at', 'from', 'about', 'around', 'roughly', 'approximately', 'of', 'at about', 'at around', 'from about', 'with']);
const HEIGHT_SUF = phraseSet(HEIGHT_SUFFIXES);
const DIST_SUF = phraseSet(DISTANCE_SUFFIXES);
const FOCAL_SUF = phraseSet(FOCAL_SUFFIXES);
const ANGLE_SUF = phraseSet(['down', 'up', 'above', 'below', 'high', 'low', 'from above', 'from below', 'looking down', 'looking up']);
const UNITS = phraseSet(Object.keys(UNIT_PHRASES));
const RANGE_WORDS = new Set(['to', 'through', 'till', 'until', 'and']);

/** Longest phrase of `ps` that starts at tokens[i]; returns its word count (0 = none). */
function matchAt(tokens: Token[], i: number, ps: { set: Set<string>; maxLen: number }): { len: number; phrase: string } {
  for (let len = Math.min(ps.maxLen, tokens.length - i); len >= 1; len--) {
    let phrase = tokens[i]!.w;
    for (let k = 1; k < len; k++) phrase += ' ' + tokens[i + k]!.w;
    if (ps.set.has(phrase)) return { len, phrase };
  }
  return { len: 0, phrase: '' };
}

const CONVERT_CACHE = new Map<string, number>();
/** Factor from `unitName` to the dimension's target unit, through mathjs (cached per unit). */
function toTarget(value: number, unitName: string, dimension: QuantityDimension): number {
  const key = `${unitName}>${dimension}`;
  let factor = CONVERT_CACHE.get(key);
  if (factor === undefined) {
    factor = mathUnit(1, unitName).toNumber(TARGET_UNIT[dimension]);
    CONVERT_CACHE.set(key, factor);
  }
  // round away float noise from unit factors (20 ft = 6.096 m exactly)
  return Math.round(value * factor * 1e6) / 1e6;
}

/**
 * Try to read a quantity starting at tokens[i]: [prefix] number [[unit] to
 * number] [unit] [suffix]. Returns null when no number sits where a quantity
 * would start.
 */
export function matchQuantity(tokens: Token[], i: number): { length: number; quantity: Quantity } | null {
  let j = i;
  let role: QuantityRole | undefined;
  // prefixes, longest first, at most two ("at" + "f")
  for (let guard = 0; guard < 2 && j < tokens.length && tokens[j]!.n === undefined; guard++) {
    const cands: Array<[ReturnType<typeof matchAt>, QuantityRole | undefined]> = [
      [matchAt(tokens, j, APERTURE_PRE), 'aperture'],
      [matchAt(tokens, j, HEIGHT_PRE), 'height'],
      [matchAt(tokens, j, DIST_PRE), 'distance'],
      [matchAt(tokens, j, FOCAL_PRE), 'focal'],
      [matchAt(tokens, j, DURATION_PRE), 'duration'],
      [matchAt(tokens, j, SPEED_PRE), 'speed'],
      [matchAt(tokens, j, GENERIC_PRE), undefined],
    ];
    let best: [ReturnType<typeof matchAt>, QuantityRole | undefined] | undefined;
    for (const c of cands) if (c[0].len > 0 && (!best || c[0].len > best[0].len)) best = c;
    if (!best) break;
    j += best[0].len;
    if (best[1] && (!role || best[1] === 'aperture')) role = best[1];
  }
  const first = tokens[j];
  if (!first || first.n === undefined) return null;
  const values = [first.n];
  j++;
  let unitPhrase: string | undefined;
  let u = matchAt(tokens, j, UNITS);
  if (u.len) { unitPhrase = u.phrase; j += u.len; }
  // range: "24 to 70 mm", "24 mm to 70 mm", "from 10 to 20 seconds"
  if (j + 1 < tokens.length + 1 && RANGE_WORDS.has(tokens[j]?.w ?? '') && tokens[j + 1]?.n !== undefined) {
    const second = tokens[j + 1]!.n!;
    let k = j + 2;
    const u2 = matchAt(tokens, k, UNITS);
    const rangeUnit = u2.len ? u2.phrase : unitPhrase;
    // "and" joins a range only with a unit on the far side ("between 2 and 3 metres")
    if (tokens[j]!.w !== 'and' || u2.len) {
      if (u2.len) k += u2.len;
      if (!unitPhrase || !u2.len || UNIT_PHRASES[unitPhrase]!.dimension === UNIT_PHRASES[u2.phrase]!.dimension) {
        values.push(second);
        unitPhrase = rangeUnit;
        j = k;
      }
    }
  }
  let suffix: string | undefined;
  const dim = unitPhrase ? UNIT_PHRASES[unitPhrase]!.dimension : undefined;
  if (dim === 'length') {
    const h = matchAt(tokens, j, HEIGHT_SUF), d = matchAt(tokens, j, DIST_SUF);
    if (h.len >= d.len && h.len) { role = 'height'; j += h.len; }
    else if (d.len) { role = 'distance'; j += d.len; }
  } else if (dim === 'focal') {
    const f = matchAt(tokens, j, FOCAL_SUF);
    j += f.len;
  } else if (dim === 'angle') {
    const a = matchAt(tokens, j, ANGLE_SUF);
    if (a.len) { suffix = a.phrase; j += a.len; }
  }
  const said = tokens.slice(i, j).map((t) => t.w).join(' ');
  if (role === 'aperture' && (!dim)) return { length: j - i, quantity: { role: 'aperture', values, said } };
  // "zoom 24 to 70", "on a 50": a bare number after a lens word is millimetres
  if (!dim) return { length: j - i, quantity: { role: role === 'focal' ? 'focal' : 'bare', values, said } };
  const unitName = UNIT_PHRASES[unitPhrase!]!.unit;
  const si = values.map((v) => toTarget(v, unitName, dim));
  const roleByDim: Record<QuantityDimension, QuantityRole> = { length: 'length', focal: 'focal', time: 'duration', speed: 'speed', angle: 'angle' };
  let finalRole: QuantityRole = roleByDim[dim];
  if (dim === 'length' && (role === 'height' || role === 'distance')) finalRole = role;
  return { length: j - i, quantity: { role: finalRole, values: si, said, ...(suffix ? { suffix } : {}) } };
}
