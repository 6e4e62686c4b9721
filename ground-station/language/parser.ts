/**
 * The deterministic shot-language parser: the DP's words → a ShotSpec, or an
 * error that says what was not understood and what is allowed. Every word of
 * a command must be accounted for (a shot word, a subject, a quantity, or a
 * known filler): a command the parser half-understood is an error, never a
 * guess. The same input always gives the same output.
 */
import type { CameraAngle, Direction, Framing, ShotKind, ShotSpec, Side } from '../../core/shot-spec.ts';
import { SHOT_KINDS } from '../../core/shot-spec.ts';
import { tokenize, type Token } from './tokens.ts';
import { matchQuantity, type Quantity } from './quantities.ts';
import {
  ADJUSTMENT_PHRASES, ADJUSTMENT_SCALE_PHRASES, ANGLE_PHRASES, DEPTH_OF_FIELD_PHRASES, DIRECTION_PHRASES, FILLERS,
  FOCUS_ON_PHRASES, FRAMING_PHRASES, KIND_PHRASES, LEADING_FILLERS, OVERRIDING_KINDS, PEOPLE_WORDS, PRONOUNS,
  SIDE_PHRASES, SPEED_WORDS, SUBJECT_PREPOSITIONS, SUBJECTLESS_KINDS, UNSAFE_LEAD_PHRASES, type AdjustmentKind,
} from './vocabulary.ts';
import { applyAdjustments, type Adjustment } from './adjust.ts';
import { checkSpec, type ParseContext, type ParseError, type ParseResult, fail } from './validate.ts';

type Entry =
  | { t: 'kind'; kind: ShotKind; direction?: Direction }
  | { t: 'framing'; v: Framing }
  | { t: 'side'; v: Side }
  | { t: 'angle'; v: CameraAngle }
  | { t: 'direction'; v: Direction }
  | { t: 'dof'; v: 'shallow' | 'deep' }
  | { t: 'adjust'; v: AdjustmentKind }
  | { t: 'scale'; v: number }
  | { t: 'speed-word'; v: number }
  | { t: 'focus' }
  | { t: 'pronoun'; v: 'one' | 'all' }
  | { t: 'filler' };

/** Extra framing words said on set that are not abbreviations. */
const EXTRA_FRAMINGS: Record<string, Framing> = { close: 'close-up', tight: 'close-up', 'in close': 'close-up', 'tight on': 'close-up' };

interface PhraseTable {
  map: Map<string, Entry>;
  maxLen: number;
}

function buildTable(): PhraseTable {
  const map = new Map<string, Entry>();
  const add = (phrase: string, e: Entry) => {
    if (!map.has(phrase)) map.set(phrase, e);
  };
  // insertion order is priority when one phrase appears in two tables
  for (const [p, k] of Object.entries(KIND_PHRASES)) add(p, { t: 'kind', kind: k.kind, ...(k.direction ? { direction: k.direction } : {}) });
  for (const [p, v] of Object.entries(ADJUSTMENT_PHRASES)) add(p, { t: 'adjust', v });
  for (const [p, v] of Object.entries(DEPTH_OF_FIELD_PHRASES)) add(p, { t: 'dof', v });
  for (const [p, v] of Object.entries(FRAMING_PHRASES)) add(p, { t: 'framing', v });
  for (const [p, v] of Object.entries(EXTRA_FRAMINGS)) add(p, { t: 'framing', v });
  for (const [p, v] of Object.entries(SIDE_PHRASES)) add(p, { t: 'side', v });
  for (const [p, v] of Object.entries(ANGLE_PHRASES)) add(p, { t: 'angle', v });
  for (const [p, v] of Object.entries(DIRECTION_PHRASES)) add(p, { t: 'direction', v });
  for (const [p, v] of Object.entries(ADJUSTMENT_SCALE_PHRASES)) add(p, { t: 'scale', v });
  for (const [p, v] of Object.entries(SPEED_WORDS)) add(p, { t: 'speed-word', v });
  for (const p of FOCUS_ON_PHRASES) add(p, { t: 'focus' });
  for (const [p, v] of Object.entries(PRONOUNS)) add(p, { t: 'pronoun', v });
  for (const p of FILLERS) add(p, { t: 'filler' });
  let maxLen = 1;
  for (const k of map.keys()) maxLen = Math.max(maxLen, k.split(' ').length);
  return { map, maxLen };
}

const TABLE = buildTable();
const LEADING = new Set<string>(LEADING_FILLERS);
const LEADING_MAX = Math.max(...LEADING_FILLERS.map((p) => p.split(' ').length));
const UNSAFE_LEADS = new Set<string>(UNSAFE_LEAD_PHRASES);
const UNSAFE_MAX = Math.max(...UNSAFE_LEAD_PHRASES.map((p) => p.split(' ').length));
const PEOPLE = new Set<string>(PEOPLE_WORDS);
const PEOPLE_MAX = Math.max(...PEOPLE_WORDS.map((p) => p.split(' ').length));
const SUBJECT_PREPS = new Set<string>(SUBJECT_PREPOSITIONS);
const ARTICLES = new Set(['the', 'a', 'an', 'that', 'this', 'my', 'our']);
/** Single vocabulary words a recogniser may misspell by one letter. */
const FUZZY_VOCAB = [...TABLE.map.keys()].filter((k) => !k.includes(' ') && k.length >= 5 && TABLE.map.get(k)!.t !== 'filler');

function joinTokens(tokens: Token[], i: number, len: number): string {
  let s = tokens[i]!.w;
  for (let k = 1; k < len; k++) s += ' ' + tokens[i + k]!.w;
  return s;
}

function longestPhrase(tokens: Token[], i: number): { len: number; entry?: Entry } {
  for (let len = Math.min(TABLE.maxLen, tokens.length - i); len >= 1; len--) {
    const e = TABLE.map.get(joinTokens(tokens, i, len));
    if (e) return { len, entry: e };
  }
  return { len: 0 };
}

function longestIn(tokens: Token[], i: number, set: Set<string>, maxLen: number): number {
  for (let len = Math.min(maxLen, tokens.length - i); len >= 1; len--) if (set.has(joinTokens(tokens, i, len))) return len;
  return 0;
}

/** Levenshtein distance, bounded: returns limit+1 as soon as it is exceeded. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let k = 1; k <= b.length; k++) {
      const v = Math.min(prev[k]! + 1, cur[k - 1]! + 1, prev[k - 1]! + (a[i - 1] === b[k - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

function uniqueNear(word: string, candidates: readonly string[]): string | undefined {
  if (word.length < 4) return undefined;
  let hit: string | undefined;
  for (const c of candidates) {
    if (editDistance(word, c, 1) <= 1) {
      if (hit !== undefined && hit !== c) return undefined;
      hit = c;
    }
  }
  return hit;
}

interface Mention { name: string; prep: string; focus: boolean }

/** What one pass over the words found, before it becomes a ShotSpec. */
export interface Heard {
  kinds: Array<{ kind: ShotKind; direction?: Direction; said: string }>;
  framings: Framing[];
  sides: Side[];
  angles: CameraAngle[];
  directions: Direction[];
  dof: Array<'shallow' | 'deep'>;
  adjustments: Adjustment[];
  speedWords: number[];
  quantities: Quantity[];
  mentions: Mention[];
  notes: string[];
}

/** Split a known-name list into the lower-case form used in ShotSpecs. */
export function normaliseSubjects(subjects: readonly string[]): string[] {
  return [...new Set(subjects.map((s) => s.trim().toLowerCase()).filter(Boolean))];
}

function listOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** Scan the tokens; every token ends up in `heard` or in an error. */
function scan(tokens: Token[], ctx: ParseContext, known: string[]): { ok: true; heard: Heard } | { ok: false; error: ParseError } {
  const heard: Heard = { kinds: [], framings: [], sides: [], angles: [], directions: [], dof: [], adjustments: [], speedWords: [], quantities: [], mentions: [], notes: [] };
  const knownSet = new Set(known);
  const currentSubjects = ctx.current?.subjects ?? [];
  let leading = true;
  let pendingScale: number | undefined;
  let pendingFocus = false;
  const unknown: Array<{ word: string; prev: string; afterKind: boolean }> = [];
  let lastKindEnd = -1;

  const subjectAt = (i: number): string | undefined => {
    const w = tokens[i]?.w;
    if (!w) return undefined;
    if (knownSet.has(w)) return w;
    if (w.endsWith('s') && knownSet.has(w.slice(0, -1))) return w.slice(0, -1);
    return undefined;
  };
  const peopleAt = (i: number): number => {
    let j = i;
    if (tokens[j]?.w === 'the' && (subjectAt(j + 1) || PRONOUNS[tokens[j + 1]?.w ?? ''])) j++;
    if (subjectAt(j)) return j + 1 - i;
    const len = longestIn(tokens, j, PEOPLE, PEOPLE_MAX);
    return len ? j + len - i : 0;
  };

  for (let i = 0; i < tokens.length; ) {
    // 1. refusals first: "fly into the crowd", "through the people", "between alice and bob"
    const lead = longestIn(tokens, i, UNSAFE_LEADS, UNSAFE_MAX);
    if (lead) {
      const who = peopleAt(i + lead);
      if (who) {
        const said = joinTokens(tokens, i, lead + who);
        return fail('UNSAFE_REQUEST',
          `refused: "${said}" would fly the drone at or through people. The rig keeps at least ${ctx.keepOutRadiusM ?? 'its keep-out radius in'} m from every person; ` +
          `ask for a distance outside that, a height above them, or a flyover of the scene.`, ['a distance ≥ the keep-out radius', 'a height within the altitude band']);
      }
    }
    if (leading) {
      const lf = longestIn(tokens, i, LEADING, LEADING_MAX);
      const ph = longestPhrase(tokens, i);
      if (lf && lf >= ph.len) { i += lf; continue; }
      if (ph.entry?.t === 'filler' && ph.len >= 1) { i += ph.len; continue; }
      leading = false;
    }
    // over-the-shoulder past a named subject: "over bob's shoulder", "over alice's left shoulder"
    if (tokens[i]!.w === 'over' && subjectAt(i + 1)) {
      const lr = tokens[i + 2]?.w;
      const hasSide = lr === 'left' || lr === 'right';
      if (tokens[i + (hasSide ? 3 : 2)]?.w === 'shoulder') {
        heard.sides.push(lr === 'left' ? 'behind-left' : 'behind-right');
        i += hasSide ? 4 : 3;
        continue;
      }
    }
    const q = matchQuantity(tokens, i);
    const ph = longestPhrase(tokens, i);
    const subj = subjectAt(i);
    if (q && q.length >= ph.len) {
      heard.quantities.push(q.quantity);
      i += q.length;
      continue;
    }
    if (subj && (!ph.entry || ph.entry.t === 'filler' || ph.entry.t === 'pronoun' || ph.len === 1)) {
      const prev = tokens[i - 1]?.w ?? '';
      heard.mentions.push({ name: subj, prep: prev, focus: pendingFocus });
      pendingFocus = false;
      i += 1;
      continue;
    }
    if (ph.entry) {
      const e = ph.entry;
      const said = joinTokens(tokens, i, ph.len);
      switch (e.t) {
        case 'kind': heard.kinds.push({ kind: e.kind, ...(e.direction ? { direction: e.direction } : {}), said }); lastKindEnd = i + ph.len; break;
        case 'framing': heard.framings.push(e.v); break;
        case 'side': heard.sides.push(e.v); break;
        case 'angle': heard.angles.push(e.v); break;
        case 'direction': heard.directions.push(e.v); break;
        case 'dof': heard.dof.push(e.v); break;
        case 'adjust': heard.adjustments.push({ kind: e.v, scale: pendingScale ?? 1, said }); pendingScale = undefined; break;
        case 'scale': pendingScale = e.v; break;
        case 'speed-word': heard.speedWords.push(e.v); break;
        case 'focus': pendingFocus = true; break;
        case 'pronoun': {
          const prev = tokens[i - 1]?.w ?? '';
          if (e.v === 'all') {
            const names = currentSubjects.length ? currentSubjects : known;
            if (!names.length) return fail('UNKNOWN_SUBJECT', `"${said}": there is no current shot and no subject in the scene to refer to. Name the subjects.`, known);
            for (const name of names) heard.mentions.push({ name, prep: prev, focus: pendingFocus });
          } else {
            const pool = currentSubjects.length ? currentSubjects : known;
            if (pool.length !== 1) {
              if (!pool.length) return fail('UNKNOWN_SUBJECT', `"${said}": nobody is in the scene to refer to. Name a subject.`, known);
              return fail('AMBIGUOUS_SUBJECT', `"${said}" could be ${listOr(pool)}: which subject: ${listOr(pool)}?`, pool);
            }
            heard.mentions.push({ name: pool[0]!, prep: prev, focus: pendingFocus });
          }
          pendingFocus = false;
          break;
        }
        case 'filler': break;
      }
      i += ph.len;
      continue;
    }
    if (subj) {
      heard.mentions.push({ name: subj, prep: tokens[i - 1]?.w ?? '', focus: pendingFocus });
      pendingFocus = false;
      i += 1;
      continue;
    }
    // a word one letter away from exactly one known word (recogniser slip): take it, and say so
    const word = tokens[i]!.w;
    const near = tokens[i]!.n === undefined ? uniqueNear(word, [...known, ...FUZZY_VOCAB]) : undefined;
    if (near && near !== word) {
      heard.notes.push(`heard "${word}", took it as "${near}"`);
      tokens[i] = { w: near };
      continue;
    }
    // look back past articles: "follow the dog" names a subject as much as "follow dog"
    let back = i - 1;
    while (back >= 0 && ARTICLES.has(tokens[back]!.w)) back--;
    unknown.push({ word, prev: tokens[back]?.w ?? '', afterKind: lastKindEnd === back + 1 });
    i += 1;
  }

  if (unknown.length) {
    const nameLike = unknown.find((u) => u.afterKind || SUBJECT_PREPS.has(u.prev));
    if (nameLike && !/^\d/.test(nameLike.word)) {
      return fail('UNKNOWN_SUBJECT',
        known.length
          ? `"${nameLike.word}" is not a subject in the scene. Known subjects: ${known.join(', ')}.`
          : `"${nameLike.word}" is not a subject in the scene, and no subjects are known yet: name them first (--subjects alice,bob).`,
        known);
    }
    const words = unknown.map((u) => `"${u.word}"`).join(', ');
    return fail('NOT_UNDERSTOOD',
      `did not understand ${words}. Say a shot (${SHOT_KINDS.join(', ')}), a subject (${known.join(', ') || 'none known'}), ` +
      `a framing (wide, medium, close-up …), a side ("from her left"), an angle (low, high, overhead), or a value with its unit ("5 metres", "8 seconds", "85 mm", "f 2.8").`,
      [...SHOT_KINDS]);
  }
  return { ok: true, heard };
}

const MERGES: Array<[ShotKind, ShotKind, ShotKind]> = [
  ['crane', 'reveal', 'reveal'],
  ['track', 'profile', 'profile'],
  ['track', 'follow', 'follow'],
  ['track', 'lead', 'lead'],
  ['return-home', 'land', 'return-home'],
  ['establishing', 'flyover', 'flyover'],
  ['push-in', 'dolly-zoom', 'dolly-zoom'],
  ['pull-out', 'dolly-zoom', 'dolly-zoom'],
];

function resolveKind(kinds: Heard['kinds']): { kind?: ShotKind; direction?: Direction; error?: ParseError } {
  if (!kinds.length) return {};
  const overriding = kinds.find((k) => OVERRIDING_KINDS.has(k.kind));
  if (overriding) return { kind: overriding.kind };
  let set = [...new Set(kinds.map((k) => k.kind))];
  for (const [a, b, into] of MERGES) {
    if (set.includes(a) && set.includes(b)) set = [...set.filter((k) => k !== a && k !== b), into];
  }
  if (set.length > 1) {
    const said = kinds.map((k) => `"${k.said}"`).join(' and ');
    return { error: { code: 'CONFLICTING_SHOTS', message: `heard two shots, ${said}: one shot per command. Say them one after the other.`, allowed: [...SHOT_KINDS] } };
  }
  const direction = kinds.find((k) => k.direction)?.direction;
  return { kind: set[0], ...(direction ? { direction } : {}) };
}

function single<T>(items: T[], what: string, allowedAll: readonly string[]): { value?: T; error?: ParseError } {
  const uniq = [...new Set(items)];
  if (uniq.length > 1) return { error: { code: 'CONFLICTING_VALUES', message: `heard two ${what}s (${uniq.join(' and ')}): say one.`, allowed: [...allowedAll] } };
  return { value: uniq[0] };
}

/** Parse a command into a ShotSpec, checked against the schema and the safety limits in `context`. */
export function parseShot(text: string, context: ParseContext): ParseResult {
  const known = normaliseSubjects(context.subjects);
  const tokens = tokenize(text);
  if (!tokens.length) return fail('EMPTY', 'no words: say a shot, e.g. "track alice, medium shot, from her left".', [...SHOT_KINDS]);
  const scanned = scan(tokens, context, known);
  if (!scanned.ok) return scanned;
  return build(scanned.heard, context, known);
}

/** Turn what was heard into a spec: a new shot, or a change to the current one. */
function build(heard: Heard, ctx: ParseContext, known: string[]): ParseResult {
  const notes = [...heard.notes];
  const k = resolveKind(heard.kinds);
  if (k.error) return { ok: false, error: k.error };
  const framing = single(heard.framings, 'framing', []);
  const side = single(heard.sides, 'side', []);
  const angle = single(heard.angles, 'angle', []);
  const dof = single(heard.dof, 'depth of field', ['shallow', 'deep']);
  for (const r of [framing, side, angle, dof]) if (r.error) return { ok: false, error: r.error };

  const hasModifiers = heard.framings.length + heard.sides.length + heard.angles.length + heard.directions.length + heard.dof.length +
    heard.quantities.length + heard.speedWords.length > 0;
  const current = ctx.current;

  // no shot word: a change to the current shot, or a framing of someone ("close-up on bob" = track bob, close-up)
  let kind = k.kind;
  let base: Partial<ShotSpec> = {};
  if (!kind) {
    if (current && (hasModifiers || heard.adjustments.length || heard.mentions.length)) {
      kind = current.kind;
      base = structuredClone(current);
    } else if (heard.adjustments.length) {
      const said = heard.adjustments.map((a) => `"${a.said}"`).join(', ');
      return fail('NO_CURRENT_SHOT', `${said} changes the current shot, and there is none yet. Say a shot first, e.g. "track alice, medium shot".`, [...SHOT_KINDS]);
    } else if ((heard.framings.length || heard.angles.length) && (heard.mentions.length || known.length)) {
      kind = 'track';
      notes.push('no move was said: tracking the subject at that framing');
    } else {
      return fail('NO_SHOT', `no shot in that command. Say one of: ${SHOT_KINDS.join(', ')} (or a synonym such as "vertigo shot", "circle around", "pull back", "boom up").`, [...SHOT_KINDS]);
    }
  }
  // "stop" is the whole command whatever else was said with it: nothing else may ride on it
  if (kind === 'stop') return checkSpec({ kind: 'stop', subjects: [] }, ctx, notes);
  const spec: Partial<ShotSpec> & { kind: ShotKind } = { ...base, kind };
  if (k.kind && current && k.kind === current.kind && heard.adjustments.some((a) => a.kind === 'again')) Object.assign(spec, structuredClone(current));

  // subjects
  const focusMentions = heard.mentions.filter((m) => m.focus);
  const plain = heard.mentions.filter((m) => !m.focus);
  let names = [...new Set(plain.map((m) => m.name))];
  if (kind === 'rack-focus') {
    const r = rackFocus(heard.mentions, current, known);
    if ('error' in r) return { ok: false, error: r.error };
    spec.subjects = r.subjects;
    spec.focusFrom = r.from;
    spec.focusOn = r.to;
    if (r.note) notes.push(r.note);
  } else {
    if (kind === 'two-shot' && names.length < 2) {
      const others = known.filter((n) => !names.includes(n));
      if (names.length + others.length === 2) names = [...names, ...others];
      else if (!names.length && current && current.subjects.length >= 2) names = [...current.subjects];
      else {
        const options = others.length ? others : known;
        return fail('AMBIGUOUS_SUBJECT', names.length
          ? `a two-shot needs two subjects; with ${names[0]}, which one: ${listOr(options)}?`
          : `a two-shot needs two subjects: which two of ${listOr(options)}?`, options);
      }
    }
    if (names.length) spec.subjects = names;
    else if (!base.subjects) {
      if (SUBJECTLESS_KINDS.has(kind)) spec.subjects = [];
      else if (current && current.subjects.length) {
        spec.subjects = [...current.subjects];
        notes.push(`no subject said: keeping ${current.subjects.join(' and ')} from the current shot`);
      } else if (known.length === 1) {
        spec.subjects = [known[0]!];
        notes.push(`no subject said: ${known[0]} is the only one in the scene`);
      } else if (!known.length) {
        return fail('NO_SUBJECTS', `a ${kind} shot needs a subject and none is known in the scene. Name the subjects first (--subjects alice,bob).`, []);
      } else {
        return fail('AMBIGUOUS_SUBJECT', `which subject: ${listOr(known)}?`, known);
      }
    }
    if (focusMentions.length) {
      spec.focusOn = focusMentions[focusMentions.length - 1]!.name;
      if (!spec.subjects!.length) spec.subjects = [spec.focusOn];
    }
  }

  if (framing.value) spec.framing = framing.value;
  if (side.value) spec.side = side.value;
  if (angle.value) spec.angle = angle.value;
  if (dof.value) spec.depthOfField = dof.value;
  if (k.direction) spec.direction = k.direction;
  if (heard.directions.length) {
    const d = single(heard.directions, 'direction', ['clockwise', 'counterclockwise']);
    if (d.error) return { ok: false, error: d.error };
    spec.direction = d.value;
  }
  if (heard.speedWords.length) spec.speedMps = heard.speedWords[heard.speedWords.length - 1];

  const q = applyQuantities(spec, heard.quantities, notes);
  if (q) return { ok: false, error: q };

  let result: ShotSpec = spec as ShotSpec;
  if (heard.adjustments.length) {
    const adjusted = applyAdjustments(result, heard.adjustments, !k.kind);
    if (!adjusted.ok) return adjusted;
    result = adjusted.spec;
    notes.push(...(adjusted.notes ?? []));
  }
  return checkSpec(result, ctx, notes);
}

function rackFocus(mentions: Mention[], current: ShotSpec | undefined, known: string[]):
  { subjects: string[]; from: string; to: string; note?: string } | { error: ParseError } {
  const names = [...new Set(mentions.map((m) => m.name))];
  const fromM = mentions.find((m) => m.prep === 'from');
  const toM = [...mentions].reverse().find((m) => m.prep === 'to' || m.prep === 'onto' || m.prep === 'on' || m.focus);
  let from = fromM?.name;
  let to = toM?.name ?? (names.length >= 2 ? names[names.length - 1] : fromM ? undefined : names[0]);
  if (!from && names.length >= 2) from = names.find((n) => n !== to);
  let note: string | undefined;
  const otherThan = (x: string | undefined) => known.filter((n) => n !== x);
  if (!from) {
    const cur = current?.focusOn ?? current?.subjects[0];
    if (cur && cur !== to) { from = cur; note = `focus starts on ${cur}, where the current shot has it`; }
    else if (otherThan(to).length === 1) from = otherThan(to)[0];
    else return { error: { code: 'AMBIGUOUS_SUBJECT', message: `rack focus to ${to ?? '?'} from whom: ${listOr(otherThan(to))}?`, allowed: otherThan(to) } };
  }
  if (!to) {
    if (otherThan(from).length === 1) to = otherThan(from)[0];
    else return { error: { code: 'AMBIGUOUS_SUBJECT', message: `rack focus from ${from} to whom: ${listOr(otherThan(from))}?`, allowed: otherThan(from) } };
  }
  if (from === to) return { error: { code: 'AMBIGUOUS_SUBJECT', message: `rack focus needs two different subjects; heard only ${from}. Say "rack focus from ${from} to ${otherThan(from)[0] ?? 'someone else'}".`, allowed: otherThan(from) } };
  const ordered = names.length >= 2 ? names : [from!, to!];
  return { subjects: ordered, from: from!, to: to!, ...(note ? { note } : {}) };
}

/** Distances, heights, durations, speeds, focal lengths and apertures onto the spec. */
function applyQuantities(spec: Partial<ShotSpec> & { kind: ShotKind }, quantities: Quantity[], notes: string[]): ParseError | undefined {
  const seen = new Map<string, string>();
  const once = (field: string, said: string): ParseError | undefined => {
    const prev = seen.get(field);
    if (prev !== undefined) return { code: 'CONFLICTING_VALUES', message: `heard two values for ${field}: "${prev}" and "${said}". Say one.` };
    seen.set(field, said);
    return undefined;
  };
  for (const q of quantities) {
    const v = q.values;
    const last = v[v.length - 1]!;
    switch (q.role) {
      case 'length': case 'distance': case 'height': {
        // a bare length is a height for vertical moves and top shots, else a distance to the subject
        const asHeight = q.role === 'height' || (q.role === 'length' && (spec.kind === 'crane' || spec.kind === 'flyover' || spec.angle === 'overhead'));
        const field = asHeight ? 'heightM' : 'distanceM';
        const e = once(field, q.said);
        if (e) return e;
        if (v.length > 1) notes.push(`${field === 'heightM' ? 'height' : 'distance'} range "${q.said}": using the end value ${last} m`);
        spec[field] = last;
        break;
      }
      case 'duration': {
        const e = once('durationS', q.said);
        if (e) return e;
        spec.durationS = last;
        break;
      }
      case 'speed': {
        const e = once('speedMps', q.said);
        if (e) return e;
        spec.speedMps = Math.round(last * 1000) / 1000;
        break;
      }
      case 'focal': {
        const e = once('focalLengthMm', q.said);
        if (e) return e;
        spec.focalLengthMm = v.length > 1 ? { fromMm: v[0]!, toMm: last } : last;
        break;
      }
      case 'aperture': {
        const e = once('fNumber', q.said);
        if (e) return e;
        if (/^(at )?t\b/.test(q.said)) notes.push('T-stop taken as the f-number (the lens transmission loss is not modelled)');
        spec.fNumber = last;
        break;
      }
      case 'angle': {
        if (spec.kind === 'orbit') {
          notes.push(`orbit arc "${q.said}" is not part of the ShotSpec: the orbit runs for its duration or until stopped`);
          break;
        }
        const down = q.suffix && /down|above|high/.test(q.suffix);
        const up = q.suffix && /up|below|low/.test(q.suffix);
        if (!down && !up) {
          return { code: 'NOT_UNDERSTOOD', message: `"${q.said}": degrees of what? Say "30 degrees down" (looking down) or "20 degrees up", or an angle: eye level, high, low, overhead.`, allowed: ['eye-level', 'high', 'low', 'overhead'] };
        }
        const e = once('angle', q.said);
        if (e) return e;
        spec.angle = down ? (last >= 60 ? 'overhead' : last >= 10 ? 'high' : 'eye-level') : last >= 10 ? 'low' : 'eye-level';
        break;
      }
      case 'bare': {
        // "dolly zoom 24 to 70": a range on a dolly zoom can only be focal lengths
        if (spec.kind === 'dolly-zoom' && v.length === 2) {
          const e = once('focalLengthMm', q.said);
          if (e) return e;
          spec.focalLengthMm = { fromMm: v[0]!, toMm: v[1]! };
          notes.push(`"${q.said}" taken as focal lengths in mm`);
          break;
        }
        return {
          code: 'MISSING_UNIT',
          message: `"${q.said}" has no unit: say "${last} metres", "${last} feet", "${last} seconds", "${last} m/s", "${last} mm" or "f ${last}".`,
          allowed: ['metres', 'feet', 'seconds', 'm/s', 'km/h', 'mph', 'mm', 'f-number', 'degrees'],
        };
      }
    }
  }
  return undefined;
}
