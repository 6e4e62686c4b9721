/**
 * Text → tokens: lower-case words and numbers. Typed text ("f/2.8", "85mm",
 * "24-70mm", "m/s") and recogniser text ("f two point eight", "eighty five
 * mil", "m c u") end up as the same token sequence, so the grammar only has to
 * know one spelling of each thing.
 */
import { NUMBER_HOMOPHONES, NUMBER_TENS, NUMBER_UNITS, WORD_HOMOPHONES } from './vocabulary.ts';

export interface Token {
  /** the word, or the number in decimal for numeric tokens */
  w: string;
  /** numeric value when the token is a number */
  n?: number;
}

/** Lower-case, split glued units and numbers, drop punctuation. */
export function normaliseText(text: string): string {
  let s = text.toLowerCase().normalize('NFKC');
  s = s.replace(/[\u2018\u2019\u02bc`]/g, "'").replace(/[\u2013\u2014]/g, '-').replace(/°/g, ' deg ');
  s = s.replace(/\bm\s*\/\s*s\b/g, ' mps ').replace(/\bkm\s*\/\s*h(r)?\b/g, ' kmh ').replace(/\bmi\s*\/\s*h\b/g, ' mph ').replace(/\bft\s*\/\s*s\b/g, ' fps ');
  // f/2.8, f2.8, T2.8, f-2.8 → "f 2.8"
  s = s.replace(/\b([ft])\s*[/-]?\s*(\d+(?:\.\d+)?)\b/g, ' $1 $2 ');
  // 24-70mm, 24–70 → "24 to 70"
  s = s.replace(/(\d)\s*-\s*(\d)/g, '$1 to $2');
  // 85mm, 8s, 3m → "85 mm"
  s = s.replace(/(\d)([a-z])/g, '$1 $2');
  s = s.replace(/&/g, ' and ');
  // apostrophes: "let's" → "lets", "bird's" → "birds", "alice's" → "alices" (the parser strips a possessive s from names)
  s = s.replace(/'/g, '');
  // keep decimal points inside numbers, everything else that is not a letter or digit separates words
  // clause punctuation ends a number ("seventy, five seconds" is 70 then 5 s)
  s = s.replace(/(\d)\.(\d)/g, '$1\u0000$2').replace(/[,;:.!?]+/g, ' , ').replace(/[^a-z0-9\u0000,]+/g, ' ').replace(/\u0000/g, '.');
  s = s.replace(/\s+/g, ' ').replace(/^[ ,]+|[ ,]+$/g, '');
  return s.trim();
}

const DIGIT_WORDS: Record<string, number> = { ...NUMBER_UNITS };

/**
 * Read a spoken or written number starting at words[i]. Handles digits
 * ("2.8"), cardinals up to the thousands ("one hundred and twenty", "twenty
 * four", "twenty-four"), decimals ("two point eight", "one point five"),
 * halves and quarters ("two and a half", "half"), and the recogniser's
 * homophones ("ate", "twenty for").
 */
function readNumber(words: string[], i: number): { value: number; length: number } | null {
  const w = words[i]!;
  if (/^\d+(\.\d+)?$/.test(w)) {
    let value = Number(w), length = 1;
    const frac = readFraction(words, i + 1);
    if (frac) { value += frac.value; length += frac.length; }
    return { value, length };
  }
  if (w === 'half' && words[i + 1] !== 'of') return { value: 0.5, length: 1 };
  if (w === 'a' && words[i + 1] === 'half' && words[i + 2] !== 'of') return { value: 0.5, length: 2 };
  if (w === 'a' && words[i + 1] === 'quarter') return { value: 0.25, length: 2 };
  if (w === 'a' && words[i + 1] === 'hundred') return readNumber(['one', ...words.slice(i + 1)], 0);
  const card = readCardinal(words, i);
  if (!card) return null;
  let { value, length } = card;
  // "two point eight", "one point two five"
  if (words[i + length] === 'point' || words[i + length] === 'dot') {
    let digits = '';
    let j = i + length + 1;
    while (j < words.length && (DIGIT_WORDS[words[j]!] ?? -1) >= 0 && DIGIT_WORDS[words[j]!]! < 10) {
      digits += String(DIGIT_WORDS[words[j]!]);
      j++;
    }
    if (!digits && j < words.length && /^\d+$/.test(words[j]!)) { digits = words[j]!; j++; }
    if (digits) {
      value = Number(`${value}.${digits}`);
      length = j - i;
    }
  }
  const frac = readFraction(words, i + length);
  if (frac) { value += frac.value; length += frac.length; }
  return { value, length };
}

/** "and a half", "and a quarter", "and three quarters" after a whole number. */
function readFraction(words: string[], j: number): { value: number; length: number } | null {
  if (words[j] !== 'and') return null;
  if (words[j + 1] === 'a' && words[j + 2] === 'half') return { value: 0.5, length: 3 };
  if (words[j + 1] === 'a' && words[j + 2] === 'quarter') return { value: 0.25, length: 3 };
  if (words[j + 1] === 'three' && words[j + 2] === 'quarters') return { value: 0.75, length: 3 };
  if (words[j + 1] === 'half') return { value: 0.5, length: 2 };
  return null;
}

function readCardinal(words: string[], i: number): { value: number; length: number } | null {
  let j = i;
  let total = 0;
  let current = 0;
  let any = false;
  while (j < words.length) {
    const w = words[j]!;
    const fresh = !any || (current % 100 === 0 && current > 0) || (current === 0 && total > 0);
    const tens = NUMBER_TENS[w] ?? (w === 'fourty' ? 40 : undefined);
    if (tens !== undefined && fresh) {
      current += tens;
      any = true;
      j++;
      // "twenty four"; "twenty for" is the recogniser hearing the homophone
      const next = words[j];
      const u = next === 'for' && !isNumberWord(words[j + 1]) ? 4 : next === undefined ? undefined : DIGIT_WORDS[next];
      if (u !== undefined && u > 0 && u < 10) { current += u; j++; }
      continue;
    }
    const unit = DIGIT_WORDS[w] ?? NUMBER_HOMOPHONES[w];
    if (unit !== undefined && fresh && !(any && w === 'oh')) {
      current += unit;
      any = true;
      j++;
      continue;
    }
    if (w === 'hundred' && any && current > 0 && current < 100) {
      current *= 100;
      j++;
      if (words[j] === 'and' && (DIGIT_WORDS[words[j + 1]!] !== undefined || NUMBER_TENS[words[j + 1]!] !== undefined)) j++;
      continue;
    }
    if (w === 'thousand' && any && current > 0 && current < 1000) {
      total += current * 1000;
      current = 0;
      j++;
      continue;
    }
    break;
  }
  if (!any) return null;
  return { value: total + current, length: j - i };
}

function isNumberWord(w: string | undefined): boolean {
  return w !== undefined && (DIGIT_WORDS[w] !== undefined || NUMBER_TENS[w] !== undefined || /^\d/.test(w));
}

/** Runs of single letters spelt out by a recogniser ("m c u", "r t h") become one word. */
function joinSpelledLetters(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (/^[b-hj-z]$/.test(words[i]!) && /^[b-hj-z]$/.test(words[i + 1] ?? '')) {
      let j = i;
      let acc = '';
      while (j < words.length && /^[b-hj-z]$/.test(words[j]!)) acc += words[j++];
      out.push(acc);
      i = j - 1;
    } else out.push(words[i]!);
  }
  return out;
}

/** Normalised text → tokens, number words folded into numeric tokens. */
export function tokenize(text: string): Token[] {
  const norm = normaliseText(text);
  if (!norm) return [];
  const words = joinSpelledLetters(norm.split(' ').map((w) => WORD_HOMOPHONES[w] ?? w));
  const tokens: Token[] = [];
  for (let i = 0; i < words.length; ) {
    const w = words[i]!;
    if (w === ',') { i++; continue; }
    // "one" on its own is a pronoun ("a wide one"), not a number; "a" needs "half"/"quarter"/"hundred"
    const num = readNumber(words, i);
    if (num && !(w === 'one' && num.length === 1 && !isUnitAhead(words, i + 1)) && !(w === 'oh' && num.length === 1)) {
      tokens.push({ w: String(num.value), n: num.value });
      i += num.length;
      // "half a minute": the "a" belongs to the number
      if (w === 'half' && words[i] === 'a') i++;
      continue;
    }
    tokens.push({ w });
    i++;
  }
  return tokens;
}

const UNIT_START = new Set(['m', 'meter', 'meters', 'metre', 'metres', 'feet', 'foot', 'ft', 'mm', 'millimetre', 'millimetres', 'millimeter', 'millimeters', 'mil', 'mill', 'second', 'seconds', 's', 'sec', 'secs', 'minute', 'minutes', 'min', 'degree', 'degrees', 'mps', 'kmh', 'mph', 'and', 'point', 'to', 'yard', 'yards']);
function isUnitAhead(words: string[], j: number): boolean {
  return UNIT_START.has(words[j] ?? '');
}
