/**
 * `cinepilot hear FILE.wav` — a spoken shot command, recognised offline
 * (pocketsphinx), then parsed and checked like `cinepilot parse`.
 */
import { readFileSync } from 'node:fs';
import { parseFlags } from '../args.ts';
import { CinePilotError, EXIT_BAD_INPUT, EXIT_OK } from '../../core/errors.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { findPocketsphinx, hearShot, POCKETSPHINX_INSTALL_HINT, ShotRecogniser } from '../../ground-station/speech/recogniser.ts';
import { safetyContext, type ParseContext } from '../../ground-station/language/index.ts';

const HELP = `usage: cinepilot hear FILE.wav [--subjects alice,bob] [--json] [--grammar]

  FILE.wav     a spoken command: PCM or float WAV, any sample rate, mono or stereo
               (converted to 16 kHz mono here)
  --subjects   names of the subjects in the scene, comma-separated; they join the recogniser's vocabulary
  --json       one JSON object: transcript, confidence, durationS, decodeMs, result ({"ok","spec"} or {"ok":false,"error"})
  --grammar    decode with the JSGF grammar search instead of the grammar-trained n-gram model
               (slower and less accurate with Debian bookworm's pocketsphinx; see docs/shot-language.md)
  --rig        rig profile for the safety limits (default: the shipped rig)

Needs Debian's pocketsphinx and pocketsphinx-en-us (apt-get install pocketsphinx pocketsphinx-en-us).
Exit status: 0 recognised and parsed, 2 not understood, refused, or no recogniser installed.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    subjects: { type: 'string' },
    json: { type: 'boolean' },
    grammar: { type: 'boolean' },
    rig: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  if (positionals.length !== 1) {
    console.error(`cinepilot hear: give one WAV file.\n\n${HELP}`);
    return EXIT_BAD_INPUT;
  }
  const install = findPocketsphinx();
  if (!install) {
    console.error(`cinepilot hear: ${POCKETSPHINX_INSTALL_HINT}`);
    return EXIT_BAD_INPUT;
  }
  let wav: Buffer;
  try {
    wav = readFileSync(positionals[0]!);
  } catch (err) {
    throw new CinePilotError('BAD_FILE', `cannot read ${positionals[0]}: ${(err as Error).message}.`);
  }
  const rig = loadRig(values.rig);
  const subjects = values.subjects ? values.subjects.split(',').map((s) => s.trim()).filter(Boolean) : [];
  const context: ParseContext = { subjects, ...safetyContext(rig) };
  const recogniser = new ShotRecogniser(subjects, { install, mode: values.grammar ? 'jsgf' : 'lm' });
  try {
    if (process.stderr.isTTY && !values.json) process.stderr.write('cinepilot hear: recognising …\r');
    const heard = await hearShot(wav, context, recogniser);
    if (values.json) {
      console.log(JSON.stringify({ transcript: heard.transcript, confidence: heard.confidence, durationS: heard.durationS, decodeMs: heard.decodeMs, result: heard.result, ...(heard.guessedWords.length ? { guessedWords: heard.guessedWords } : {}) }));
    } else {
      console.log(`transcript: ${heard.transcript || '(nothing recognised)'}`);
      console.log(`confidence: ${heard.confidence}`);
      if (heard.result.ok) {
        console.log(JSON.stringify(heard.result.spec, null, 2));
        // e.g. "acted on the 3rd-best hypothesis": the operator should know how sure we were
        for (const note of heard.result.notes ?? []) console.log(`note: ${note}`);
      }
      else console.error(`cinepilot hear: ${heard.result.error.message}`);
      if (heard.guessedWords.length) console.error(`note: pronunciations guessed for ${heard.guessedWords.join(', ')}`);
    }
    return heard.result.ok ? EXIT_OK : EXIT_BAD_INPUT;
  } finally {
    recogniser.dispose();
  }
}
