/**
 * Spoken-stop measurement (not part of the vitest suite: a few minutes of
 * decoding). Prints JSON.
 *
 *   npx tsx test/speech/stop-measure.ts           # the spotter as shipped: detection per voice, speed and noise;
 *                                                 # false stops on the tuning and the held-out normal commands
 *   npx tsx test/speech/stop-measure.ts --sweep   # per phrase, detections and false stops at each threshold
 *                                                 # (how STOP_PHRASES' thresholds were chosen)
 */
import { StopSpotter, STOP_PHRASES, type StopDetection } from '../../ground-station/speech/stop-spotter.ts';
import { normalCommandUtterances, stopUtterances, tuningCommandUtterances, type Utterance } from './stop-corpus.ts';

const SWEEP_THRESHOLDS = [1e-5, 1e-10, 1e-15, 1e-20, 1e-25, 1e-30, 1e-40];

function log(line: string): void {
  process.stderr.write(`stop-measure: ${line}\n`);
}

async function spot(spotter: StopSpotter, sets: Record<string, Utterance[]>): Promise<Record<string, StopDetection[]>> {
  const out: Record<string, StopDetection[]> = {};
  for (const [name, utts] of Object.entries(sets)) out[name] = await spotter.spotAll(utts.map((u) => u.wav));
  return out;
}

async function main(): Promise<void> {
  const sweep = process.argv.includes('--sweep');
  log('synthesising the corpus (espeak-ng, sox) …');
  const sets = { positives: stopUtterances({ noisy: true }), tuning: tuningCommandUtterances(), normal: normalCommandUtterances() };
  log(`${sets.positives.length} stop utterances, ${sets.tuning.length} tuning commands, ${sets.normal.length} held-out commands`);
  if (sweep) {
    const table: Record<string, Record<string, { detected: number; of: number; falseTuning: number; falseNormal: number }>> = {};
    for (const threshold of SWEEP_THRESHOLDS) {
      log(`threshold ${threshold.toExponential()} …`);
      const spotter = new StopSpotter({ phrases: STOP_PHRASES.map((p) => ({ phrase: p.phrase, threshold })) });
      try {
        const r = await spot(spotter, sets);
        for (const p of STOP_PHRASES) {
          const row = (table[p.phrase] ??= {});
          row[threshold.toExponential()] = {
            // any stop utterance this phrase catches (a "stop stop" caught as "stop" counts)
            detected: r.positives!.filter((d) => d.phrases.includes(p.phrase)).length,
            of: sets.positives.length,
            falseTuning: r.tuning!.filter((d) => d.phrases.includes(p.phrase)).length,
            falseNormal: r.normal!.filter((d) => d.phrases.includes(p.phrase)).length,
          };
        }
        // which positives each phrase alone would miss, for choosing the combination
        const caught = r.positives!.map((d) => d.phrases.join('|'));
        console.log(JSON.stringify({ threshold, caught }));
      } finally {
        spotter.dispose();
      }
    }
    console.log(JSON.stringify(table, null, 1));
    return;
  }
  const spotter = new StopSpotter();
  try {
    const r = await spot(spotter, sets);
    const by = (key: (u: Utterance) => string) => {
      const out: Record<string, { detected: number; of: number }> = {};
      sets.positives.forEach((u, i) => {
        const k = key(u);
        out[k] ??= { detected: 0, of: 0 };
        out[k].of++;
        if (r.positives![i]!.stop) out[k].detected++;
      });
      return out;
    };
    const misses = sets.positives.filter((_, i) => !r.positives![i]!.stop).map((u) => `${u.voice} ${u.wordsPerMin} wpm${u.noisy ? ' noisy' : ''}: "${u.text}"`);
    const falseStops = (name: 'tuning' | 'normal') => sets[name].flatMap((u, i) => (r[name]![i]!.stop ? [`${u.voice}: "${u.text}" → ${r[name]![i]!.phrases.join(', ')}`] : []));
    const detected = r.positives!.filter((d) => d.stop).length;
    const ms = (ds: StopDetection[]) => ds.map((d) => d.decodeMs);
    console.log(JSON.stringify({
      phrases: STOP_PHRASES,
      detection: { detected, of: sets.positives.length, rate: +(detected / sets.positives.length).toFixed(3) },
      byVoice: by((u) => u.voice), bySpeed: by((u) => String(u.wordsPerMin)), byNoise: by((u) => (u.noisy ? 'pink noise' : 'clean')), byPhrase: by((u) => u.text),
      misses,
      falseStopsTuning: { count: falseStops('tuning').length, of: sets.tuning.length, which: falseStops('tuning') },
      falseStopsNormal: { count: falseStops('normal').length, of: sets.normal.length, which: falseStops('normal') },
      decodeMsPerUtteranceBatched: Math.max(...ms(r.positives!)),
    }, null, 1));
  } finally {
    spotter.dispose();
  }
}

await main();
