/**
 * Shared by the corpus tests and `cinepilot bench parse`: the corpus files,
 * the context every entry is parsed in, and a tolerant spec comparison.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ShotSpec } from '../../core/shot-spec.ts';
import type { ParseContext } from '../../ground-station/language/index.ts';

/** `set: 'blind'` marks entries written before the parser was run on them. */
export interface CorpusEntry { text: string; spec: ShotSpec; subjects?: string[]; current?: ShotSpec; set?: 'blind' }
export interface RejectionEntry { text: string; code: string; mentions: string[]; subjects?: string[]; current?: ShotSpec; context?: Partial<ParseContext> }

/** Numbers in expected specs are written to 2–3 decimals (20 ft = 6.096 m); compare within this. */
export const NUMBER_TOLERANCE = 0.01;

/** The scene every corpus entry is parsed in unless it says otherwise: the default rig's 3 m keep-out, a 1–120 m band. */
export const CORPUS_CONTEXT: ParseContext = { subjects: ['Alice', 'Bob'], keepOutRadiusM: 3, altitudeBandM: { min: 1, max: 120 }, maxSpeedMps: 10 };

function readJsonl<T>(name: string): T[] {
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}
export const loadCorpus = (): CorpusEntry[] => readJsonl<CorpusEntry>('corpus.jsonl');
export const loadRejections = (): RejectionEntry[] => readJsonl<RejectionEntry>('rejections.jsonl');

export function contextFor(e: { subjects?: string[]; current?: ShotSpec; context?: Partial<ParseContext> }): ParseContext {
  return { ...CORPUS_CONTEXT, ...(e.subjects ? { subjects: e.subjects } : {}), ...(e.current ? { current: e.current } : {}), ...(e.context ?? {}) };
}

/** Deep equality with numbers compared within NUMBER_TOLERANCE; key order ignored. */
export function sameSpec(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= NUMBER_TOLERANCE;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameSpec(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameSpec((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}
