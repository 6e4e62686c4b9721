/**
 * `cinepilot parse` — words → ShotSpec, checked against the schema and the
 * rig's safety limits. One command from the arguments, or one per stdin line
 * with --batch (one JSON line out per line in).
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Value } from '@sinclair/typebox/value';
import { parseFlags, numberFlag } from '../args.ts';
import { CinePilotError, EXIT_BAD_INPUT, EXIT_OK } from '../../core/errors.ts';
import { ShotSpecSchema, type ShotSpec } from '../../core/shot-spec.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { parseShot, safetyContext, DEFAULT_ALTITUDE_BAND_M, type ParseContext, type ParseResult } from '../../ground-station/language/index.ts';
import { llmConfigFromEnv, parseWithFallback } from '../../ground-station/language/llm.ts';

const HELP = `usage: cinepilot parse "WORDS" [--subjects alice,bob] [--current spec.json] [--json]
       cinepilot parse --batch [--subjects alice,bob] < commands.txt

  WORDS          the command as said or typed, e.g. "dolly zoom on alice, 24 to 70 mm over eight seconds"
  --subjects     names of the subjects in the scene, comma-separated (case-insensitive)
  --current      a ShotSpec JSON file: the shot now running (for "closer", "other side", "him/her")
  --json         print the result as one JSON object ({"ok", "spec", "notes"} or {"ok": false, "error"})
  --batch        read one command per stdin line; write one JSON line each:
                 {"text","ok":true,"spec":{…}} or {"text","ok":false,"error":"…","code":"…"}
  --rig          rig profile for the safety limits (keep-out radius, max speed, lens range); default ships
  --keep-out-m   override the rig's keep-out radius around people, m
  --min-alt-m    geofence altitude band, lower edge, m (default ${DEFAULT_ALTITUDE_BAND_M.min})
  --max-alt-m    geofence altitude band, upper edge, m (default ${DEFAULT_ALTITUDE_BAND_M.max})
  --llm          when the grammar fails, ask the OpenAI-compatible endpoint in CINEPILOT_LLM_URL
                 (model CINEPILOT_LLM_MODEL); its answer is used only if it validates

Exit status: 0 parsed (always 0 with --batch), 2 not understood or refused (the message says why and what is allowed).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    subjects: { type: 'string' },
    current: { type: 'string' },
    json: { type: 'boolean' },
    batch: { type: 'boolean' },
    rig: { type: 'string' },
    'keep-out-m': { type: 'string' },
    'min-alt-m': { type: 'string' },
    'max-alt-m': { type: 'string' },
    llm: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  const context = buildContext(values);
  const llm = values.llm ? llmConfigFromEnv() : undefined;
  if (values.llm && !llm) {
    throw new CinePilotError('LLM_NOT_CONFIGURED', '--llm needs CINEPILOT_LLM_URL (an OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1) and CINEPILOT_LLM_MODEL.');
  }
  const parse = (text: string): Promise<ParseResult> => (llm ? parseWithFallback(text, context, llm) : Promise.resolve(parseShot(text, context)));

  if (values.batch) {
    if (positionals.length) throw new CinePilotError('BAD_FLAG', '--batch reads commands from stdin; do not also give WORDS.');
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      const text = line.trim();
      if (!text) continue;
      const r = await parse(text);
      process.stdout.write(JSON.stringify(r.ok
        ? { text, ok: true, spec: r.spec, ...(r.notes ? { notes: r.notes } : {}) }
        : { text, ok: false, error: r.error.message, code: r.error.code }) + '\n');
    }
    return EXIT_OK;
  }

  const text = positionals.join(' ').trim();
  if (!text) {
    console.error(`cinepilot parse: give the command in quotes.\n\n${HELP}`);
    return EXIT_BAD_INPUT;
  }
  const r = await parse(text);
  if (values.json) {
    console.log(JSON.stringify(r));
    return r.ok ? EXIT_OK : EXIT_BAD_INPUT;
  }
  if (!r.ok) {
    console.error(`cinepilot parse: ${r.error.message}${r.error.allowed ? `\n  allowed: ${r.error.allowed.join(', ')}` : ''}`);
    return EXIT_BAD_INPUT;
  }
  console.log(JSON.stringify(r.spec, null, 2));
  for (const n of r.notes ?? []) console.error(`note: ${n}`);
  return EXIT_OK;
}

function buildContext(values: Record<string, string | boolean | undefined>): ParseContext {
  const rig = loadRig(typeof values.rig === 'string' ? values.rig : undefined);
  const keepOut = numberFlag('keep-out-m', values['keep-out-m'] as string | undefined, { min: 0 });
  const minAlt = numberFlag('min-alt-m', values['min-alt-m'] as string | undefined, { min: 0 }) ?? DEFAULT_ALTITUDE_BAND_M.min;
  const maxAlt = numberFlag('max-alt-m', values['max-alt-m'] as string | undefined, { min: 0 }) ?? DEFAULT_ALTITUDE_BAND_M.max;
  if (minAlt >= maxAlt) throw new CinePilotError('BAD_FLAG', `--min-alt-m ${minAlt} must be below --max-alt-m ${maxAlt}.`);
  const subjects = typeof values.subjects === 'string' ? values.subjects.split(',').map((s) => s.trim()).filter(Boolean) : [];
  for (const s of subjects) {
    if (!/^[a-z][a-z0-9_]*$/i.test(s)) throw new CinePilotError('BAD_FLAG', `--subjects: "${s}" is not a usable name; use letters, digits and _ starting with a letter.`);
  }
  const safety = safetyContext(rig, { minAltitudeM: minAlt, maxAltitudeM: maxAlt });
  return {
    subjects,
    ...(typeof values.current === 'string' ? { current: readCurrent(values.current) } : {}),
    ...safety,
    keepOutRadiusM: keepOut ?? safety.keepOutRadiusM,
  };
}

function readCurrent(file: string): ShotSpec {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CinePilotError('BAD_FILE', `--current ${file}: cannot read a JSON ShotSpec (${(err as Error).message}).`);
  }
  if (!Value.Check(ShotSpecSchema, doc)) {
    const first = [...Value.Errors(ShotSpecSchema, doc)].slice(0, 3).map((e) => `${e.path || '/'}: ${e.message}`).join('; ');
    throw new CinePilotError('BAD_FILE', `--current ${file}: not a valid ShotSpec (${first}).`);
  }
  return doc;
}
