/**
 * The shot-language corpus: hand-written commands with the ShotSpec a DP
 * means by each (test/language/corpus.jsonl), and commands that must be
 * refused with a message naming the right thing (rejections.jsonl).
 */
import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { ShotSpecSchema } from '../../core/shot-spec.ts';
import { parseShot } from '../../ground-station/language/index.ts';
import { contextFor, loadCorpus, loadRejections, sameSpec } from './corpus-harness.ts';

/** The done-when bar of issue 8. */
const MIN_PASS_RATE = 0.97;

describe('shot-language corpus', () => {
  const corpus = loadCorpus();
  const rejections = loadRejections();

  it('has at least 300 commands to accept and 50 to refuse', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(rejections.length).toBeGreaterThanOrEqual(50);
  });

  it(`parses at least ${MIN_PASS_RATE * 100}% of the corpus into exactly the expected ShotSpec (numbers within 0.01)`, () => {
    const failures: string[] = [];
    for (const e of corpus) {
      const r = parseShot(e.text, contextFor(e));
      if (!(r.ok && sameSpec(r.spec, e.spec))) failures.push(`${e.text} → ${JSON.stringify(r.ok ? r.spec : r.error.code)}`);
    }
    const rate = 1 - failures.length / corpus.length;
    if (failures.length) console.warn(`corpus failures (${failures.length}/${corpus.length}):\n  ${failures.join('\n  ')}`);
    expect(rate).toBeGreaterThanOrEqual(MIN_PASS_RATE);
  });

  it('every expected spec in the corpus is itself a valid ShotSpec', () => {
    const bad = corpus.filter((e) => !Value.Check(ShotSpecSchema, e.spec)).map((e) => e.text);
    expect(bad).toEqual([]);
  });

  it('every accepted result validates against ShotSpecSchema', () => {
    for (const e of corpus) {
      const r = parseShot(e.text, contextFor(e));
      if (r.ok) expect(Value.Check(ShotSpecSchema, r.spec), e.text).toBe(true);
    }
  });

  it('is deterministic: the same words give the same result', () => {
    for (const e of corpus.slice(0, 60)) expect(parseShot(e.text, contextFor(e))).toEqual(parseShot(e.text, contextFor(e)));
  });

  describe('refuses with a message that names the problem and what is allowed', () => {
    for (const e of rejections) {
      it(`"${e.text}" → ${e.code} mentioning ${e.mentions.map((m) => `"${m}"`).join(', ')}`, () => {
        const r = parseShot(e.text, contextFor(e));
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.error.code).toBe(e.code);
        for (const m of e.mentions) expect(r.error.message.toLowerCase()).toContain(m.toLowerCase());
      });
    }
  });
});
