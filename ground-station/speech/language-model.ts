/**
 * A trigram language model (ARPA text) for pocketsphinx's n-gram search,
 * trained on sentences sampled from the shot grammar plus the written
 * command corpus in spoken form. Why not the grammar search directly: the
 * FSG search of Debian bookworm's pocketsphinx (5prealpha) returns paths
 * that score worse than ones the grammar allows, or no result at all, on
 * grammars the size of the shot vocabulary (measured: 9 of 28 synthetic
 * commands exact with JSGF, see docs/shot-language.md); its n-gram search is
 * the well-trodden path. The JSGF grammar stays available (`mode: 'jsgf'`).
 *
 * Smoothing: absolute discounting with back-off (Ney et al. 1994), the
 * back-off weights normalised so each history's distribution sums to 1.
 */
import { normaliseText } from '../language/tokens.ts';
import { NUMBER_TENS, NUMBER_UNITS } from '../language/vocabulary.ts';
import { sampleSentence, type ShotGrammar } from './grammar.ts';
import { seededRandom } from '../../core/random.ts';

/** Discount subtracted from every seen n-gram count. */
export const LM_DISCOUNT = 0.5;
/** Sentences sampled from the grammar for training. */
export const LM_GRAMMAR_SAMPLES = 2000;
/** Times each hand-written corpus sentence is counted (natural phrasing outweighs random samples). */
export const LM_CORPUS_WEIGHT = 20;
export const LM_SEED = 20240607;

const UNITS_BY_VALUE = Object.fromEntries(Object.entries(NUMBER_UNITS).filter(([w]) => w !== 'oh' && w !== 'nought').map(([w, v]) => [v, w]));
const TENS_BY_VALUE = Object.fromEntries(Object.entries(NUMBER_TENS).map(([w, v]) => [v, w]));

/** 24 → "twenty four", 2.8 → "two point eight", 120 → "one hundred and twenty". */
export function sayNumber(x: number): string {
  const whole = Math.trunc(x);
  const sayWhole = (n: number): string => {
    if (n < 20) return UNITS_BY_VALUE[n]!;
    if (n < 100) return TENS_BY_VALUE[n - (n % 10)]! + (n % 10 ? ` ${UNITS_BY_VALUE[n % 10]}` : '');
    if (n < 1000) return `${UNITS_BY_VALUE[Math.floor(n / 100)]} hundred${n % 100 ? ` and ${sayWhole(n % 100)}` : ''}`;
    return `${sayWhole(Math.floor(n / 1000))} thousand${n % 1000 ? ` ${sayWhole(n % 1000)}` : ''}`;
  };
  const frac = String(x).split('.')[1];
  return sayWhole(whole) + (frac ? ` point ${[...frac].map((d) => UNITS_BY_VALUE[Number(d)]).join(' ')}` : '');
}

const SPOKEN_ABBREVIATIONS: Record<string, string> = {
  mm: 'millimetres', m: 'metres', s: 'seconds', sec: 'seconds', secs: 'seconds', min: 'minutes', ft: 'feet', cm: 'centimetres',
  mps: 'metres per second', kmh: 'kilometres per hour', kph: 'kilometres per hour', mph: 'miles per hour', deg: 'degrees',
};

/** Written command → the words a person would say ("85mm, f/2.8" → "eighty five millimetres f two point eight"). */
export function spokenForm(text: string): string {
  return normaliseText(text)
    .split(' ')
    .filter((w) => w && w !== ',')
    .map((w) => (/^\d+(\.\d+)?$/.test(w) ? sayNumber(Number(w)) : SPOKEN_ABBREVIATIONS[w] ?? w))
    .join(' ');
}

/** Training sentences: grammar samples plus the corpus sentences whose words can all be pronounced. */
export function trainingSentences(grammar: ShotGrammar, corpus: readonly string[], canSay: (word: string) => boolean): string[] {
  const random = seededRandom(LM_SEED);
  const out: string[] = [];
  for (let i = 0; i < LM_GRAMMAR_SAMPLES; i++) out.push(sampleSentence(grammar, random));
  for (const text of corpus) {
    const s = spokenForm(text);
    if (s && s.split(' ').every(canSay)) for (let k = 0; k < LM_CORPUS_WEIGHT; k++) out.push(s);
  }
  return out;
}

const log10 = (p: number): string => (p > 0 ? Math.log10(p).toFixed(4) : '-99');

/** ARPA trigram model of the sentences (each wrapped in <s> … </s>). */
export function buildArpa(sentences: readonly string[]): { arpa: string; words: string[] } {
  const c1 = new Map<string, number>();
  const c2 = new Map<string, number>();
  const c3 = new Map<string, number>();
  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const s of sentences) {
    const w = ['<s>', ...s.split(' ').filter(Boolean), '</s>'];
    for (let i = 0; i < w.length; i++) {
      inc(c1, w[i]!);
      if (i >= 1) inc(c2, `${w[i - 1]} ${w[i]}`);
      if (i >= 2) inc(c3, `${w[i - 2]} ${w[i - 1]} ${w[i]}`);
    }
  }
  // history totals and seen continuations
  const hist2 = new Map<string, number>();
  const hist3 = new Map<string, number>();
  for (const [k, c] of c2) hist2.set(k.slice(0, k.indexOf(' ')), (hist2.get(k.slice(0, k.indexOf(' '))) ?? 0) + c);
  for (const [k, c] of c3) hist3.set(k.slice(0, k.lastIndexOf(' ')), (hist3.get(k.slice(0, k.lastIndexOf(' '))) ?? 0) + c);

  let total = 0;
  for (const [w, c] of c1) if (w !== '<s>') total += c;
  const p1 = new Map<string, number>();
  for (const [w, c] of c1) p1.set(w, w === '<s>' ? 0 : c / total);

  const p2 = new Map<string, number>();
  for (const [k, c] of c2) p2.set(k, (c - LM_DISCOUNT) / hist2.get(k.slice(0, k.indexOf(' ')))!);
  // back-off weight of a history h: the discounted mass, spread over words not seen after h
  const bo1 = new Map<string, number>();
  {
    const seenP = new Map<string, number>();
    const seenLower = new Map<string, number>();
    for (const [k, p] of p2) {
      const h = k.slice(0, k.indexOf(' '));
      const w = k.slice(k.indexOf(' ') + 1);
      seenP.set(h, (seenP.get(h) ?? 0) + p);
      seenLower.set(h, (seenLower.get(h) ?? 0) + p1.get(w)!);
    }
    for (const h of hist2.keys()) bo1.set(h, (1 - seenP.get(h)!) / Math.max(1e-12, 1 - seenLower.get(h)!));
  }
  const bigramProb = (h: string, w: string): number => p2.get(`${h} ${w}`) ?? (bo1.get(h) ?? 1) * p1.get(w)!;

  const p3 = new Map<string, number>();
  for (const [k, c] of c3) p3.set(k, (c - LM_DISCOUNT) / hist3.get(k.slice(0, k.lastIndexOf(' ')))!);
  const bo2 = new Map<string, number>();
  {
    const seenP = new Map<string, number>();
    const seenLower = new Map<string, number>();
    for (const [k, p] of p3) {
      const parts = k.split(' ');
      const h = `${parts[0]} ${parts[1]}`;
      seenP.set(h, (seenP.get(h) ?? 0) + p);
      seenLower.set(h, (seenLower.get(h) ?? 0) + bigramProb(parts[1]!, parts[2]!));
    }
    for (const h of hist3.keys()) bo2.set(h, (1 - seenP.get(h)!) / Math.max(1e-12, 1 - seenLower.get(h)!));
  }

  const lines = ['\\data\\', `ngram 1=${c1.size}`, `ngram 2=${c2.size}`, `ngram 3=${c3.size}`, '', '\\1-grams:'];
  for (const w of [...c1.keys()].sort()) lines.push(`${log10(p1.get(w)!)} ${w} ${log10(bo1.get(w) ?? 1)}`);
  lines.push('', '\\2-grams:');
  for (const k of [...c2.keys()].sort()) lines.push(`${log10(p2.get(k)!)} ${k} ${log10(bo2.get(k) ?? 1)}`);
  lines.push('', '\\3-grams:');
  for (const k of [...c3.keys()].sort()) lines.push(`${log10(p3.get(k)!)} ${k}`);
  lines.push('', '\\end\\', '');
  return { arpa: lines.join('\n'), words: [...c1.keys()].filter((w) => w !== '<s>' && w !== '</s>').sort() };
}
