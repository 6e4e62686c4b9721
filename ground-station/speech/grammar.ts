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
import { seededRandom } from '../../core/random.ts';

export { seededRandom };

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

/**
 * A grammar as data: a phrase (words separated by spaces), a sequence, a
 * choice, an optional part, one-or-more repetitions, or a reference to a
 * named rule. Serialised to JSGF for pocketsphinx's grammar search, and
 * sampled to train the n-gram model of its language-model search.
 */
export type GrammarNode = string | { seq: GrammarNode[] } | { alt: GrammarNode[] } | { opt: GrammarNode } | { rep: GrammarNode } | { ref: string };
export interface ShotGrammar {
  /** rule name → body; `command` is the public start rule */
  rules: Map<string, GrammarNode>;
}

const seq = (...items: GrammarNode[]): GrammarNode => ({ seq: items });
const alt = (...items: GrammarNode[]): GrammarNode => ({ alt: items });
const opt = (item: GrammarNode): GrammarNode => ({ opt: item });
const rep = (item: GrammarNode): GrammarNode => ({ rep: item });
const ref = (name: string): GrammarNode => ({ ref: name });

/** "2 shot" → "two shot"; abbreviations → letters. */
function spoken(phrase: string): string {
  return phrase
    .split(' ')
    .map((w) => SPELLED[w] ?? (w === '2' ? 'two' : w))
    .join(' ');
}

const WORD_RE = /^[a-z][a-z']*$/;

/** Subject names that can go into a grammar (lower-case words). */
export function subjectWords(subjects: readonly string[]): string[] {
  return [...new Set(subjects.map((s) => s.trim().toLowerCase()).filter((s) => WORD_RE.test(s)))];
}

/**
 * The shot grammar for these subjects: [lead-in] then a shot with its
 * modifiers, a change to the current shot, or a framing of a subject.
 * Phrases come from the parser's vocabulary; those with a word that cannot
 * be pronounced (cmudict or EXTRA_PRONUNCIATIONS) drop out. Numbers: 1–99,
 * decimals ("two point eight"), halves, hundreds.
 */
export function buildGrammar(subjects: readonly string[], dict: Map<string, string[]> = loadCmudict()): ShotGrammar {
  const sayable = (p: string) => p.split(' ').every((w) => WORD_RE.test(w) && (dict.has(w) || EXTRA_PRONUNCIATIONS[w] !== undefined));
  const choice = (phrases: Iterable<string>): GrammarNode => alt(...[...new Set([...phrases].map(spoken).filter(sayable))].sort());
  const names = subjectWords(subjects);
  const digits = Object.keys(NUMBER_UNITS).filter((w) => NUMBER_UNITS[w]! >= 1 && NUMBER_UNITS[w]! < 10);
  const teens = Object.keys(NUMBER_UNITS).filter((w) => NUMBER_UNITS[w]! >= 10);
  const tens = Object.keys(NUMBER_TENS);
  const rules = new Map<string, GrammarNode>([
    ['command', seq(opt(ref('lead')), alt(ref('shot'), ref('change')), opt('please'))],
    ['lead', choice(LEAD_FILLERS)],
    ['shot', alt(
      seq(opt(alt('a', 'an', 'the')), ref('kind'), opt(ref('who')), opt(rep(ref('modifier')))),
      seq(opt(alt('a', 'an')), ref('framing'), opt('shot'), alt('on', 'of'), ref('who'), opt(rep(ref('modifier')))),
    )],
    ['change', alt(seq(rep(seq(opt('and'), ref('adjust'))), opt(rep(ref('modifier')))), seq(opt('now'), rep(ref('modifier'))))],
    ['modifier', seq(opt(alt('and', 'with')), alt(
      seq(opt(alt('a', 'an', 'to a', 'to an', 'in a')), ref('framing'), opt('shot')),
      ref('side'), ref('angle'), ref('dof'), ref('direction'), ref('quantity'), ref('speed'), seq(ref('focus'), ref('who')),
    ))],
    ['who', seq(opt(alt('on', 'of', 'around', 'at', 'to', 'from', 'with')), ref('subject'), opt(seq(alt('and', 'to'), ref('subject'))))],
    ['subject', alt(...(names.length ? names : ['him']), 'him', 'her', 'them', 'both of them')],
    ['kind', choice(Object.keys(KIND_PHRASES))],
    ['framing', choice(Object.keys(FRAMING_PHRASES))],
    ['side', alt(
      seq(opt(alt('from', 'on', 'to')), opt(alt('the', 'his', 'her', 'their')), choice(SIDE_BASES)),
      'from behind', 'in front', seq('over', alt('his', 'her', 'their'), opt(alt('left', 'right')), 'shoulder'),
    )],
    ['angle', choice(Object.keys(ANGLE_PHRASES))],
    ['dof', choice(Object.keys(DEPTH_OF_FIELD_PHRASES))],
    ['direction', choice(Object.keys(DIRECTION_PHRASES))],
    ['adjust', seq(opt(choice(Object.keys(ADJUSTMENT_SCALE_PHRASES))), choice(Object.keys(ADJUSTMENT_PHRASES)))],
    ['speed', choice(Object.keys(SPEED_WORDS))],
    ['focus', alt('focus on', 'focus to', 'rack focus to')],
    ['quantity', alt(
      seq(opt(alt('at', 'over', 'for', 'in', 'from', 'to', 'at a height of', 'with a radius of')), ref('number'), opt(seq(opt(ref('unit')), 'to', ref('number'))), ref('unit'),
        opt(alt('high', 'up', 'away', 'back', 'above the ground', 'lens', 'down', 'radius'))),
      seq(opt('at'), alt('f', 't', 'f stop', 'aperture'), ref('number')),
    )],
    ['unit', choice(UNIT_WORDS)],
    ['number', alt(seq(ref('whole'), opt(seq('point', ref('digit')))), seq(ref('whole'), 'and a half'), 'half a')],
    ['whole', alt(ref('below100'), seq(alt('a', ref('digit')), 'hundred', opt(seq(opt('and'), ref('below100')))))],
    ['below100', alt(ref('digit'), ...teens, seq(alt(...tens), opt(ref('digit'))))],
    ['digit', alt(...digits)],
  ]);
  return { rules };
}

function nodeToJsgf(n: GrammarNode, top = false): string {
  if (typeof n === 'string') return n;
  if ('ref' in n) return `<${n.ref}>`;
  if ('opt' in n) return `[${nodeToJsgf(n.opt, true)}]`;
  if ('rep' in n) return `(${nodeToJsgf(n.rep, true)})+`;
  if ('seq' in n) return n.seq.map((x) => nodeToJsgf(x)).join(' ');
  const body = n.alt.map((x) => nodeToJsgf(x, true)).join(' | ');
  return top ? body : `(${body})`;
}

/** The grammar in JSGF (V1.0), `command` public. */
export function toJsgf(g: ShotGrammar): string {
  const lines = ['#JSGF V1.0;', 'grammar cinepilot;', ''];
  for (const [name, body] of g.rules) lines.push(`${name === 'command' ? 'public ' : ''}<${name}> = ${nodeToJsgf(body, true)};`);
  return lines.join('\n') + '\n';
}

/** JSGF text for these subjects (see buildGrammar). */
export function buildJsgf(subjects: readonly string[], dict: Map<string, string[]> = loadCmudict()): string {
  return toJsgf(buildGrammar(subjects, dict));
}

/** Probability an optional part is said, and that a repetition goes on. */
const SAMPLE_OPTIONAL_P = 0.35;
const SAMPLE_REPEAT_P = 0.4;

/** One random sentence of the grammar (for training the n-gram model). */
export function sampleSentence(g: ShotGrammar, random: () => number, start = 'command'): string {
  const out: string[] = [];
  const walk = (n: GrammarNode, depth: number): void => {
    if (depth > 40) return;
    if (typeof n === 'string') { out.push(n); return; }
    if ('ref' in n) { walk(g.rules.get(n.ref)!, depth + 1); return; }
    if ('opt' in n) { if (random() < SAMPLE_OPTIONAL_P) walk(n.opt, depth + 1); return; }
    if ('rep' in n) { do walk(n.rep, depth + 1); while (random() < SAMPLE_REPEAT_P); return; }
    if ('seq' in n) { for (const x of n.seq) walk(x, depth + 1); return; }
    walk(n.alt[Math.floor(random() * n.alt.length)]!, depth + 1);
  };
  walk(ref(start), 0);
  return out.join(' ');
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
