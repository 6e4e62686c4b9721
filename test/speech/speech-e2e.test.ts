/**
 * Speech end to end: commands spoken by espeak-ng in two voices and speeds
 * → 16 kHz mono → pocketsphinx (shot vocabulary) → parser → ShotSpec,
 * compared with the ShotSpec of the written command. Needs the Debian
 * packages espeak-ng, pocketsphinx and pocketsphinx-en-us; skips with the
 * reason when one is missing.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseShot, type ParseContext } from '../../ground-station/language/index.ts';
import { findPocketsphinx, hearShot, ShotRecogniser } from '../../ground-station/speech/recogniser.ts';
import { E2E_COMMANDS, E2E_CONTEXT, E2E_VOICES } from './speech-commands.ts';

const BIN = fileURLToPath(new URL('../../bin/cinepilot.mjs', import.meta.url));
const HAVE_ESPEAK = ['/usr/bin/espeak-ng', '/usr/local/bin/espeak-ng'].some(existsSync);
const HAVE_SPHINX = findPocketsphinx() !== undefined;
const MISSING = [!HAVE_ESPEAK && 'espeak-ng', !HAVE_SPHINX && 'pocketsphinx + pocketsphinx-en-us'].filter(Boolean).join(' and ');
const SKIP_REASON = MISSING ? ` (SKIPPED: ${MISSING} not installed; apt-get install espeak-ng pocketsphinx pocketsphinx-en-us)` : '';

const VOICES = E2E_VOICES;
const COMMANDS = E2E_COMMANDS;
/**
 * Issue 8's bar. Measured 33 of 36 (92%) with N-best + parse, the
 * 2000-sample model, 0.15 s silence padding and lw 8 — settings chosen on
 * the held-out set (test/speech/held-out.ts), not on these utterances.
 */
const MIN_EXACT_FRACTION = 0.9;
const context: ParseContext = E2E_CONTEXT;

function speak(text: string, voice: string, wordsPerMin: number): Buffer {
  return execFileSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMin), '--stdout', text], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
}

describe('speech end to end', () => {
  it.skipIf(!HAVE_ESPEAK || !HAVE_SPHINX)(`espeak-ng → pocketsphinx → ShotSpec: at least ${MIN_EXACT_FRACTION * 100}% of ${COMMANDS.length * VOICES.length} utterances exact${SKIP_REASON}`, async () => {
    const utterances = VOICES.flatMap(({ voice, wordsPerMin }) => COMMANDS.map((text) => ({ text, voice, wav: speak(text, voice, wordsPerMin) })));
    const recogniser = new ShotRecogniser(context.subjects);
    try {
      const t0 = performance.now();
      // as hearShot does: the first hypothesis (best, then N-best) that parses to a valid shot
      const heard = await recogniser.recogniseAll(utterances.map((u) => u.wav), { accept: (t) => parseShot(t, context).ok });
      const elapsedS = (performance.now() - t0) / 1000;
      let exact = 0;
      const misses: string[] = [];
      heard.forEach((h, i) => {
        const want = parseShot(utterances[i]!.text, context);
        const got = parseShot(h.transcript, context);
        expect(want.ok, utterances[i]!.text).toBe(true);
        if (want.ok && got.ok && JSON.stringify(got.spec) === JSON.stringify(want.spec)) exact++;
        else misses.push(`${utterances[i]!.voice}: "${utterances[i]!.text}" → "${h.transcript}" (confidence ${h.confidence}, alternative ${h.alternative})`);
      });
      console.log(`speech e2e: ${exact}/${heard.length} exact, ${elapsedS.toFixed(1)} s for ${heard.length} utterances${misses.length ? `; misses:\n  ${misses.join('\n  ')}` : ''}`);
      expect(exact / heard.length).toBeGreaterThanOrEqual(MIN_EXACT_FRACTION);
    } finally {
      recogniser.dispose();
    }
  });

  it.skipIf(!HAVE_ESPEAK || !HAVE_SPHINX)(`hearShot takes a 22.05 kHz WAV buffer (as a browser would send) and returns transcript, confidence and the spec${SKIP_REASON}`, async () => {
    const r = await hearShot(speak('orbit alice at six metres clockwise', 'en-us+f2', 175), context);
    expect(r.transcript).toBe('orbit alice at six metres clockwise');
    expect(r.confidence).toBeGreaterThan(0.5);
    expect(r.confidence).toBeLessThanOrEqual(1);
    expect(r.result).toEqual({ ok: true, spec: { kind: 'orbit', subjects: ['alice'], direction: 'clockwise', distanceM: 6 } });
  });

  it.skipIf(!HAVE_ESPEAK || !HAVE_SPHINX)(`cinepilot hear FILE.wav --json prints transcript, confidence and the parse result${SKIP_REASON}`, () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cinepilot-hear-')), 'cmd.wav');
    writeFileSync(file, speak('rack focus from bob to alice', 'en-us+m1', 150));
    const r = spawnSync(process.execPath, [BIN, 'hear', file, '--subjects', 'alice,bob', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.transcript).toBe('rack focus from bob to alice');
    expect(out.result.spec).toEqual({ kind: 'rack-focus', subjects: ['bob', 'alice'], focusFrom: 'bob', focusOn: 'alice' });
  });

  it('without pocketsphinx, cinepilot hear says how to install it and exits 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'hear', '/nonexistent.wav'], {
      encoding: 'utf8', timeout: 60_000, env: { ...process.env, CINEPILOT_POCKETSPHINX_BIN: '/nonexistent/pocketsphinx_batch' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('apt-get install pocketsphinx pocketsphinx-en-us');
  });
});
