/**
 * `cinepilot bench parse` — shot-language parse latency over the corpus
 * (test/language/corpus.jsonl and rejections.jsonl): p50/p99/max per command.
 * Prints figures; never passes or fails on timing.
 */
import { parseFlags, numberFlag } from '../../args.ts';
import { EXIT_OK } from '../../../core/errors.ts';
import { parseShot } from '../../../ground-station/language/index.ts';
import { contextFor, loadCorpus, loadRejections } from '../../../test/language/corpus-harness.ts';

/** Untimed passes before measuring. */
const WARMUP_ROUNDS = 3;

const HELP = `usage: cinepilot bench parse [--rounds N] [--json]

  Parses every command of the shot-language corpus (accepted and refused) N times
  (default 20) after three warm-up rounds and prints the per-command latency.
  --rounds  timed passes over the corpus (1 … 1000)
  --json    one JSON object: commands, samples, p50Ms, p99Ms, maxMs, meanMs`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { rounds: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, false);
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  const rounds = numberFlag('rounds', values.rounds, { min: 1, max: 1000, integer: true }) ?? 20;
  const cases = [...loadCorpus(), ...loadRejections()].map((e) => ({ text: e.text, ctx: contextFor(e) }));
  // warm-up: JIT of every path and the mathjs unit cache
  for (let r = 0; r < WARMUP_ROUNDS; r++) for (const c of cases) parseShot(c.text, c.ctx);
  const samples = new Float64Array(cases.length * rounds);
  let k = 0;
  for (let r = 0; r < rounds; r++) {
    if (process.stderr.isTTY) process.stderr.write(`\rbench parse: round ${r + 1}/${rounds}`);
    for (const c of cases) {
      const t0 = performance.now();
      parseShot(c.text, c.ctx);
      samples[k++] = performance.now() - t0;
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  samples.sort();
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
  const result = {
    commands: cases.length,
    samples: samples.length,
    p50Ms: +q(0.5).toFixed(4),
    p99Ms: +q(0.99).toFixed(4),
    maxMs: +samples[samples.length - 1]!.toFixed(4),
    meanMs: +(samples.reduce((a, b) => a + b, 0) / samples.length).toFixed(4),
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`shot-language parse latency over ${result.commands} commands × ${rounds} rounds (${result.samples} samples)`);
    console.log(`  p50 ${result.p50Ms} ms   p99 ${result.p99Ms} ms   max ${result.maxMs} ms   mean ${result.meanMs} ms   (target p99 ≤ 5 ms)`);
  }
  return EXIT_OK;
}
