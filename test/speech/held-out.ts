/**
 * Held-out measurement for the speech recogniser (not part of the vitest
 * suite: ~1 min of decoding). Recogniser settings are chosen on this set,
 * not on the end-to-end test's 36 utterances, so the test stays an honest
 * check: the test's 18 commands in two other voices (en-us+f3, plain en-us),
 * and 18 other commands in the test's two voices. Prints misses and a
 * score per set and voice as JSON.
 *
 *   npx tsx test/speech/held-out.ts            # N-best + parse (as hearShot)
 *   npx tsx test/speech/held-out.ts --one-best # the decoder's best hypothesis only
 */
import { execFileSync } from 'node:child_process';
import { parseShot, type ParseContext } from '../../ground-station/language/index.ts';
import { ShotRecogniser } from '../../ground-station/speech/recogniser.ts';
import { E2E_COMMANDS, E2E_CONTEXT, E2E_VOICES, HELD_OUT_COMMANDS, HELD_OUT_VOICES } from './speech-commands.ts';

async function main(): Promise<void> {
  const oneBest = process.argv.includes('--one-best');
  const context: ParseContext = E2E_CONTEXT;
  const utterances = [
    ...HELD_OUT_VOICES.flatMap((v) => E2E_COMMANDS.map((text) => ({ set: 'test commands, other voices', text, ...v }))),
    ...E2E_VOICES.flatMap((v) => HELD_OUT_COMMANDS.map((text) => ({ set: 'other commands, test voices', text, ...v }))),
  ];
  const wavs = utterances.map((u) => execFileSync('espeak-ng', ['-v', u.voice, '-s', String(u.wordsPerMin), '--stdout', u.text], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 }));
  const recogniser = new ShotRecogniser(context.subjects);
  try {
    process.stderr.write(`held-out: decoding ${wavs.length} utterances …\n`);
    const heard = await recogniser.recogniseAll(wavs, oneBest ? {} : { accept: (t) => parseShot(t, context).ok });
    const score: Record<string, { exact: number; of: number }> = {};
    let exact = 0;
    heard.forEach((h, i) => {
      const u = utterances[i]!;
      const want = parseShot(u.text, context);
      if (!want.ok) throw new Error(`held-out command does not parse: "${u.text}"`);
      const got = parseShot(h.transcript, context);
      const ok = got.ok && JSON.stringify(got.spec) === JSON.stringify(want.spec);
      const key = `${u.set} (${u.voice})`;
      score[key] ??= { exact: 0, of: 0 };
      score[key].of++;
      if (ok) { score[key].exact++; exact++; } else console.log(`miss ${u.voice}: "${u.text}" → "${h.transcript}" (confidence ${h.confidence}, alternative ${h.alternative})`);
    });
    console.log(JSON.stringify({ exact, of: heard.length, score }, null, 1));
  } finally {
    recogniser.dispose();
  }
}

await main();
