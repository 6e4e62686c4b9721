/**
 * Spoken-stop measurement (not part of the vitest suite: a few minutes of
 * decoding). Prints JSON.
 *
 *   npx tsx test/speech/stop-measure.ts           # the stop decoder as shipped: detection per voice, speed, noise and
 *                                                 # phrase; false stops on the held-out normal commands (8 voices) and
 *                                                 # on the tuning commands (example-commands.txt, voices in turn)
 *   npx tsx test/speech/stop-measure.ts --repeats 300 --warps 0.92,1,1.08 [--no-tuning]   # other settings
 *   npx tsx test/speech/stop-measure.ts --latency [--trials N]
 *                                                 # real server + studio (sim, baseline controller): a drone flying a shot,
 *                                                 # a spoken stop posted as WAV; time from the end of the upload to the stop
 *                                                 # command reaching the vehicle, and to the HTTP answer (shot decode included)
 */
import { StopSpotter, STOP_PHRASE_REPEATS, STOP_PHRASES, STOP_WARPS, type StopDetection } from '../../ground-station/speech/stop-spotter.ts';
import { bearer, startTestStation, TOKENS, waitFor } from '../ground-station/helpers.ts';
import { E2E_CONTEXT } from './speech-commands.ts';
import { NOISE_SNR_DB, normalCommandUtterances, speak, speechCorpusUtterances, stopUtterances, tuningCommandUtterances, type Utterance } from './stop-corpus.ts';


function log(line: string): void {
  process.stderr.write(`stop-measure: ${line}\n`);
}

async function spot(spotter: StopSpotter, sets: Record<string, Utterance[]>): Promise<Record<string, StopDetection[]>> {
  const out: Record<string, StopDetection[]> = {};
  for (const [name, utts] of Object.entries(sets)) out[name] = await spotter.spotAll(utts.map((u) => u.wav));
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function latency(trials: number): Promise<void> {
  const t = await startTestStation();
  try {
    await t.station.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = t.station.app.server.address();
    const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const slot = t.studio.vehicles.get('drone-1')!;
    let stoppedAt = 0;
    t.station.dispatcher.onCommand((e) => { if (e.type === 'stop' && e.heard && e.ok) stoppedAt = performance.now(); });
    await waitFor(() => t.studio.state().subjects.length > 0, 5000, 'subjects');
    const voices = ['en-us+f2', 'en-us+m1', 'en-gb', 'en-us+m3'];
    const rows: Array<{ voice: string; audioS: number; toStopMs: number; toAnswerMs: number; by: string }> = [];
    for (let i = 0; i < trials; i++) {
      const voice = voices[i % voices.length]!;
      const wav = speak('stop', voice, 175);
      await fetch(`${base}/api/commands/go`, { method: 'POST', headers: { ...bearer(TOKENS.dp), 'content-type': 'application/json' }, body: JSON.stringify({ text: 'orbit alice at six metres' }) });
      await waitFor(() => slot.runtime.supervisor.state === 'active', 5000, 'the shot flying');
      stoppedAt = 0;
      const t0 = performance.now();
      const r = await fetch(`${base}/api/speech`, { method: 'POST', headers: { ...bearer(TOKENS.dp), 'content-type': 'audio/wav' }, body: new Uint8Array(wav) });
      const answeredAt = performance.now();
      const body = (await r.json()) as { stop?: { by: string } };
      rows.push({ voice, audioS: +((wav.length - 44) / 2 / 22050).toFixed(2), toStopMs: stoppedAt ? Math.round(stoppedAt - t0) : -1, toAnswerMs: Math.round(answeredAt - t0), by: body.stop?.by ?? 'none' });
      log(`trial ${i + 1}/${trials}: ${JSON.stringify(rows.at(-1))}`);
    }
    const stops = rows.filter((r) => r.toStopMs >= 0).map((r) => r.toStopMs);
    console.log(JSON.stringify({
      trials, stopped: stops.length,
      uploadToStopMs: { median: median(stops), max: Math.max(...stops) },
      uploadToAnswerMs: { median: median(rows.map((r) => r.toAnswerMs)), max: Math.max(...rows.map((r) => r.toAnswerMs)) },
      rows,
    }, null, 1));
  } finally {
    await t.close();
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--latency')) {
    const i = process.argv.indexOf('--trials');
    return latency(i > 0 ? Number(process.argv[i + 1]) : 12);
  }
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const repeats = arg('--repeats') ? Number(arg('--repeats')) : STOP_PHRASE_REPEATS;
  const warps = arg('--warps') ? arg('--warps')!.split(',').map(Number) : STOP_WARPS;
  const withTuning = !process.argv.includes('--no-tuning');
  log('synthesising the corpus (espeak-ng, sox) …');
  const sets: Record<string, Utterance[]> = { positives: stopUtterances({ noisy: true }), corpus: speechCorpusUtterances(), normal: normalCommandUtterances(), ...(withTuning ? { tuning: tuningCommandUtterances() } : {}) };
  log(`${sets.positives!.length} stop utterances, ${sets.normal!.length} held-out commands${withTuning ? `, ${sets.tuning!.length} tuning commands` : ''}; decoding (repeats ${repeats}, warps ${warps.join(',')}) …`);
  const spotter = new StopSpotter({ subjects: E2E_CONTEXT.subjects, repeats, warps });
  try {
    const r = await spot(spotter, sets);
    const pos = sets.positives!;
    const by = (key: (u: Utterance) => string) => {
      const out: Record<string, string> = {};
      const acc: Record<string, [number, number]> = {};
      pos.forEach((u, i) => {
        const a = (acc[key(u)] ??= [0, 0]);
        a[1]++;
        if (r.positives![i]!.stop) a[0]++;
      });
      for (const [k, [d, n]] of Object.entries(acc)) out[k] = `${d}/${n} (${((100 * d) / n).toFixed(0)}%)`;
      return out;
    };
    const misses = pos.flatMap((u, i) => (r.positives![i]!.stop ? [] : [`${u.voice} ${u.wordsPerMin} wpm${u.noisy ? ' noisy' : ''}: "${u.text}" → "${r.positives![i]!.transcript}"`]));
    const falseStops = (name: string) => (sets[name] ?? []).flatMap((u, i) => (r[name]![i]!.stop ? [`${u.voice}: "${u.text}" → "${r[name]![i]!.transcript}" (${r[name]![i]!.confidence})`] : []));
    // confidences of the detections, for judging a confidence floor
    const confidences = Object.fromEntries(Object.entries(r).map(([name, ds]) => [name, ds.filter((d) => d.stop).map((d) => d.confidence).sort((a, b) => a - b)]));
    const detected = r.positives!.filter((d) => d.stop).length;
    console.log(JSON.stringify({
      phrases: STOP_PHRASES, repeats, warps,
      detection: `${detected}/${pos.length} (${((100 * detected) / pos.length).toFixed(1)}%)`,
      byVoice: by((u) => u.voice), bySpeed: by((u) => `${u.wordsPerMin} wpm`), byNoise: by((u) => (u.noisy ? `pink noise ${NOISE_SNR_DB} dB SNR` : 'clean')), byPhrase: by((u) => u.text),
      falseStopsSpeechCorpus: { count: falseStops('corpus').length, of: sets.corpus!.length, which: falseStops('corpus') },
      falseStopsNormal8Voices: { count: falseStops('normal').length, of: sets.normal!.length, which: falseStops('normal') },
      ...(withTuning ? { falseStopsTuning: { count: falseStops('tuning').length, of: sets.tuning!.length, which: falseStops('tuning') } } : {}),
      decodeMsPerUtteranceBatched: r.positives![0]!.decodeMs,
      misses,
      confidences,
    }, null, 1));
  } finally {
    spotter.dispose();
  }
}

await main();
