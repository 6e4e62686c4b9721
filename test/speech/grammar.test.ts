/**
 * The recogniser's vocabulary: JSGF grammar, pronunciations, the trigram
 * model trained from it. Uses Debian's cmudict when pocketsphinx-en-us is
 * installed, a small stand-in dictionary otherwise.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { buildDictionary, buildGrammar, buildJsgf, grammarWords, loadCmudict, sampleSentence, seededRandom, DEBIAN_DICT } from '../../ground-station/speech/grammar.ts';
import { buildArpa, sayNumber, spokenForm } from '../../ground-station/speech/language-model.ts';
import { guessPronunciation } from '../../ground-station/speech/pronounce.ts';
import { parseShot } from '../../ground-station/language/index.ts';

const HAVE_CMUDICT = existsSync(DEBIAN_DICT);

describe('grammar', () => {
  it.skipIf(!HAVE_CMUDICT)('names the scene\'s subjects and every word has a pronunciation (needs pocketsphinx-en-us)', () => {
    const jsgf = buildJsgf(['Alice', 'Xandru']);
    expect(jsgf).toMatch(/^#JSGF V1\.0;/);
    expect(jsgf).toMatch(/<subject> = \(?alice \| xandru/);
    const dict = buildDictionary(grammarWords(jsgf));
    expect(dict.guessed).toEqual(['xandru']);
    expect(dict.text).toContain('xandru K S AE N D R AH');
    expect(dict.text).toMatch(/^dolly D AA L IY$/m);
  });

  it.skipIf(!HAVE_CMUDICT)('the parser understands at least 97% of sentences sampled from the grammar (needs pocketsphinx-en-us)', () => {
    const g = buildGrammar(['alice', 'bob'], loadCmudict());
    const random = seededRandom(7);
    let notUnderstood = 0;
    const n = 400;
    for (let i = 0; i < n; i++) {
      const r = parseShot(sampleSentence(g, random), { subjects: ['alice', 'bob'], current: { kind: 'track', subjects: ['alice'] } });
      if (!r.ok && r.error.code === 'NOT_UNDERSTOOD') notUnderstood++;
    }
    expect(notUnderstood / n).toBeLessThan(0.03);
  });

  it('letter-to-sound guesses for names cmudict lacks', () => {
    expect(guessPronunciation('zed')).toBe('Z EH D');
    expect(guessPronunciation('shona')).toBe('SH AA N AE');
  });
});

describe('language model', () => {
  it('says numbers and units the way a person does', () => {
    expect(sayNumber(24)).toBe('twenty four');
    expect(sayNumber(2.8)).toBe('two point eight');
    expect(sayNumber(120)).toBe('one hundred and twenty');
    expect(spokenForm('dolly zoom on Alice, 24-70mm, f/2.8')).toBe('dolly zoom on alice twenty four to seventy millimetres f two point eight');
  });

  // ARPA stores log10 to 4 decimals: each probability carries a relative error up to ~1e-4
  it('every history\'s next-word distribution sums to 1 within the file\'s rounding (recomputed from the ARPA text)', () => {
    const { arpa, words } = buildArpa(['track alice', 'track bob from his left', 'orbit alice', 'orbit bob clockwise', 'track alice medium shot', 'stop']);
    const p1 = new Map<string, [number, number]>();
    const p2 = new Map<string, [number, number]>();
    const p3 = new Map<string, number>();
    let section = 0;
    for (const line of arpa.split('\n')) {
      const m = /^\\(\d)-grams:/.exec(line);
      if (m) { section = Number(m[1]); continue; }
      const f = line.split(' ');
      if (section === 1 && f.length === 3) p1.set(f[1]!, [10 ** Number(f[0]), 10 ** Number(f[2])]);
      if (section === 2 && f.length === 4) p2.set(`${f[1]} ${f[2]}`, [10 ** Number(f[0]), 10 ** Number(f[3])]);
      if (section === 3 && f.length === 4) p3.set(`${f[1]} ${f[2]} ${f[3]}`, 10 ** Number(f[0]));
    }
    const vocab = [...words, '</s>'];
    const bigram = (h: string, w: string) => p2.get(`${h} ${w}`)?.[0] ?? (p1.get(h)?.[1] ?? 1) * p1.get(w)![0];
    const trigram = (u: string, v: string, w: string) => p3.get(`${u} ${v} ${w}`) ?? (p2.get(`${u} ${v}`)?.[1] ?? 1) * bigram(v, w);
    for (const h of ['<s>', 'track', 'alice', 'bob']) expect(vocab.reduce((a, w) => a + bigram(h, w), 0)).toBeCloseTo(1, 3);
    for (const [u, v] of [['<s>', 'track'], ['track', 'alice'], ['<s>', 'orbit']]) expect(vocab.reduce((a, w) => a + trigram(u!, v!, w), 0)).toBeCloseTo(1, 3);
  });
});
