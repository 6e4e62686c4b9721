/**
 * A JSGF grammar for pocketsphinx, generated from the parser's vocabulary
 * (ground-station/language/vocabulary.ts) and the subject names in the scene,
 * plus the pronunciation dictionary it needs. The grammar is a sequence of
 * clauses (a shot, a subject, a framing, a quantity …) in any order, so every
 * phrasing the parser accepts can be said, and a pause that splits an
 * utterance leaves each part still inside the grammar.
 */
import { readFileSync } from 'node:fs';
import {
  ADJUSTMENT_PHRASES, ADJUSTMENT_SCALE_PHRASES, ANGLE_PHRASES, DEPTH_OF_FIELD_PHRASES, DIRECTION_PHRASES, FRAMING_PHRASES,
  KIND_PHRASES, NUMBER_TENS, NUMBER_UNITS, SIDE_PHRASES, SPEED_WORDS,
} from '../language/vocabulary.ts';
import { guessPronunciation } from './pronounce.ts';

/** Where Debian's pocketsphinx-en-us puts the model and its dictionary. */
export const DEBIAN_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
export const DEBIAN_HMM_DIR = `${DEBIAN_MODEL_DIR}/en-us`;
export const DEBIAN_DICT = `${DEBIAN_MODEL_DIR}/cmudict-en-us.dict`;

/** Pronunciations (CMU phones) for shot words missing from cmudict-en-us. */
export const EXTRA_PRONUNCIATIONS: Record<string, string> = {
  zolly: 'Z AA L IY',
  flyover: 'F L AY OW V ER',
  anticlockwise: 'AE N T IY K L AA K W AY Z',
  establisher: 'IH S T AE B L IH SH ER',
  eyeline: 'AY L AY N',
  bokeh: 'B OW K EY',
  closeup: 'K L OW S AH P',
  overfly: 'OW V ER F L AY',
  counterclockwise: 'K AW N T ER K L AA K W AY Z',
};

/** Abbreviations said letter by letter; the parser joins the letters back. */
const SPELLED: Record<string, string> = { ecu: 'e c u', mcu: 'm c u', rth: 'r t h', xcu: 'x c u', mws: 'm w s', ews: 'e w s' };

/** Words spoken around commands (a small set: every optional word costs accuracy). */
const LEAD_FILLERS = ['okay', 'alright', 'right', 'so', 'now', 'and now', 'lets do', 'lets', 'give me', 'can you give me', 'can we get', 'i want', 'go for', 'do', 'okay lets do'];
const UNIT_WORDS = [
  'metres', 'metre', 'feet', 'foot', 'yards', 'millimetres', 'millimetre', 'mil', 'seconds', 'second', 'minutes', 'minute',
  'degrees', 'metres per second', 'metres a second', 'kilometres per hour', 'miles per hour',
];
const SIDE_BASES = ['front', 'back', 'left', 'right', 'front left', 'front right', 'back left', 'back right', 'rear', 'left side', 'right side'];

/** "2 shot" → "two shot"; abbreviations → letters. */
function spoken(phrase: string): string {
  return phrase
    .split(' ')
    .map((w) => SPELLED[w] ?? (w === '2' ? 'two' : w))
    .join(' ');
}

const WORD_RE = /^[a-z][a-z']*$/;

/**
 * Alternatives for a rule: phrases whose every word can be pronounced
 * (cmudict or EXTRA_PRONUNCIATIONS); abbreviations nobody says aloud drop out.
 */
function alternatives(phrases: Iterable<string>, dict: Map<string, string[]>): string {
  const sayable = (p: string) => p.split(' ').every((w) => WORD_RE.test(w) && (dict.has(w) || EXTRA_PRONUNCIATIONS[w] !== undefined));
  const uniq = [...new Set([...phrases].map(spoken).filter(sayable))].sort();
  return uniq.join(' | ');
}

/** Subject names that can go into a grammar (lower-case words). */
function subjectWords(subjects: readonly string[]): string[] {
  return [...new Set(subjects.map((s) => s.trim().toLowerCase()).filter((s) => WORD_RE.test(s)))];
}

/**
 * The JSGF grammar for these subjects: [lead-in] then a shot with its
 * modifiers, a change to the current shot, or a framing of a subject.
 * Numbers cover 0–999 with decimals ("two point eight") and halves.
 */
export function buildJsgf(subjects: readonly string[], dict: Map<string, string[]> = loadCmudict()): string {
  const names = subjectWords(subjects);
  const alt = (phrases: Iterable<string>) => alternatives(phrases, dict);
  const digits = Object.keys(NUMBER_UNITS).filter((w) => NUMBER_UNITS[w]! >= 1 && NUMBER_UNITS[w]! < 10);
  const teens = Object.keys(NUMBER_UNITS).filter((w) => NUMBER_UNITS[w]! >= 10);
  const tens = Object.keys(NUMBER_TENS);
  const people = names.length ? names.join(' | ') : 'him';
  return [
    '#JSGF V1.0;',
    'grammar cinepilot;',
    '',
    'public <command> = [<lead>] (<shot> | <change>) [please];',
    `<lead> = ${alt(LEAD_FILLERS)};`,
    '<shot> = [a | an | the] <kind> [<who>] <modifier>* | [a | an] <framing> [shot] (on | of) <who> <modifier>*;',
    '<change> = <adjust> ([and] <adjust>)* <modifier>* | [now] <modifier>+;',
    '<modifier> = [and | with] ([a | an | to a | to an | in a] <framing> [shot] | <side> | <angle> | <dof> | <direction> | <quantity> | <speed> | <focus> <who>);',
    `<who> = [on | of | around | at | to | from | with] <subject> [[and | to] <subject>];`,
    `<subject> = ${people} | him | her | them | both of them;`,
    `<kind> = ${alt(Object.keys(KIND_PHRASES))};`,
    `<framing> = ${alt(Object.keys(FRAMING_PHRASES))};`,
    `<side> = [from | on | to] [the | his | her | their] (${alt(SIDE_BASES)}) | from behind | in front | over (his | her | their) [left | right] shoulder;`,
    `<angle> = ${alt(Object.keys(ANGLE_PHRASES))};`,
    `<dof> = ${alt(Object.keys(DEPTH_OF_FIELD_PHRASES))};`,
    `<direction> = ${alt(Object.keys(DIRECTION_PHRASES))};`,
    `<adjust> = [${alt(Object.keys(ADJUSTMENT_SCALE_PHRASES))}] (${alt(Object.keys(ADJUSTMENT_PHRASES))});`,
    `<speed> = ${alt(Object.keys(SPEED_WORDS))};`,
    `<focus> = focus on | focus to | rack focus to;`,
    '<quantity> = [at | over | for | in | from | to | at a height of | with a radius of] <number> [[<unit>] to <number>] <unit> [high | up | away | back | above the ground | lens | down | radius]',
    '           | [at] (f | t | f stop | aperture) <number> | <number> to <number>;',
    `<unit> = ${alt(UNIT_WORDS)};`,
    '<number> = <whole> [point <digit>] | <whole> and a half | half a;',
    '<whole> = <below100> | [a | <digit>] hundred [[and] <below100>];',
    `<below100> = <digit> | ${teens.join(' | ')} | (${tens.join(' | ')}) [<digit>];`,
    `<digit> = ${digits.join(' | ')};`,
    '',
  ].join('\n');
}

/** Every word the grammar can produce. */
export function grammarWords(jsgf: string): string[] {
  const body = jsgf.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('grammar'));
  const words = new Set<string>();
  for (const line of body) {
    const rhs = line.slice(line.indexOf('=') + 1).replace(/<[^>]+>/g, ' ').replace(/[|()[\];+*]/g, ' ');
    for (const w of rhs.split(/\s+/)) if (WORD_RE.test(w)) words.add(w);
  }
  return [...words].sort();
}

let cmudict: Map<string, string[]> | undefined;
let cmudictPath: string | undefined;

/** The pronunciations of cmudict-en-us (word → variants), read once per process. */
export function loadCmudict(path = DEBIAN_DICT): Map<string, string[]> {
  if (cmudict && cmudictPath === path) return cmudict;
  const map = new Map<string, string[]>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const head = line.slice(0, sp);
    const word = head.replace(/\(\d+\)$/, '');
    const phones = line.slice(sp + 1).trim();
    const list = map.get(word);
    if (list) list.push(phones);
    else map.set(word, [phones]);
  }
  cmudict = map;
  cmudictPath = path;
  return map;
}

/**
 * The dictionary for a grammar: cmudict entries for its words, hand-written
 * ones for shot words cmudict lacks, letter-to-sound guesses for the rest
 * (listed in `guessed`, typically unusual subject names).
 */
export function buildDictionary(words: readonly string[], dict: Map<string, string[]> = loadCmudict()): { text: string; guessed: string[] } {
  const out: string[] = [];
  const guessed: string[] = [];
  for (const w of words) {
    const variants = dict.get(w) ?? (EXTRA_PRONUNCIATIONS[w] ? [EXTRA_PRONUNCIATIONS[w]!] : undefined);
    if (variants) {
      variants.forEach((p, i) => out.push(`${i ? `${w}(${i + 1})` : w} ${p}`));
    } else {
      guessed.push(w);
      out.push(`${w} ${guessPronunciation(w)}`);
    }
  }
  return { text: out.join('\n') + '\n', guessed };
}
