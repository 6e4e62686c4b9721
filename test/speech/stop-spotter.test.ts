/**
 * The spoken stop: the stop-phrase spotter's detection rate over voices,
 * speeds and noise; no false stop on the held-out normal commands; and end
 * to end, a spoken "stop" posted as WAV to the real ground-station server
 * (the microphone button's path) puts a flying simulated drone into hold.
 * Needs espeak-ng, sox, pocketsphinx and pocketsphinx-en-us; each test skips
 * with the reason when one is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { findPocketsphinx } from '../../ground-station/speech/recogniser.ts';
import { StopSpotter, stopPhrasesIn } from '../../ground-station/speech/stop-spotter.ts';
import type { SpeechResult } from '../../ground-station/studio-api.ts';
import { bearer, startTestStation, TOKENS, waitFor, type TestStation } from '../ground-station/helpers.ts';
import { speak, speechCorpusUtterances, stopUtterances, STOP_VOICES, type Utterance } from './stop-corpus.ts';
import { E2E_CONTEXT } from './speech-commands.ts';

const onPath = (name: string) => ['/usr/bin', '/usr/local/bin'].some((d) => existsSync(`${d}/${name}`));
const HAVE_ESPEAK = onPath('espeak-ng');
const HAVE_SOX = onPath('sox');
const HAVE_SPHINX = findPocketsphinx() !== undefined;
const missing = (...what: Array<[boolean, string]>) => what.filter(([have]) => !have).map(([, name]) => name);
const skipReason = (names: string[]) => (names.length ? ` (SKIPPED: ${names.join(', ')} not installed; apt-get install espeak-ng sox pocketsphinx pocketsphinx-en-us)` : '');
const MISSING_SPOT = missing([HAVE_ESPEAK, 'espeak-ng'], [HAVE_SOX, 'sox'], [HAVE_SPHINX, 'pocketsphinx + pocketsphinx-en-us']);
const MISSING_E2E = missing([HAVE_ESPEAK, 'espeak-ng'], [HAVE_SPHINX, 'pocketsphinx + pocketsphinx-en-us']);

/**
 * The bar for the 168 stop utterances below. Measured 129/168 (76.8%); the
 * decode is deterministic (espeak-ng, sox -R, pocketsphinx), the bar leaves
 * 8 utterances (4.8 points) for other package versions. The full grid (336
 * utterances, 8 voices × 3 speeds × clean/noisy): stop-measure.ts, 80.1%.
 */
const MIN_DETECTION_RATE = 0.72;
/**
 * False stops allowed in the normal corpus (100 utterances). The goal is 0;
 * measured 1 ("closer" in en-us+f3 → "hold it"): a false stop costs a hover.
 */
const MAX_FALSE_STOPS = 1;

describe('stop decoder', () => {
  it('counts a transcript as a stop only when it is made of stop phrases (and fillers)', () => {
    expect(stopPhrasesIn('stop')).toEqual(['stop']);
    expect(stopPhrasesIn('stop stop')).toEqual(['stop', 'stop']);
    expect(stopPhrasesIn('hold it cut')).toEqual(['hold it', 'cut']);
    expect(stopPhrasesIn('emergency stop')).toEqual(['emergency stop']);
    expect(stopPhrasesIn('go wider cut')).toEqual([]);
    expect(stopPhrasesIn('hold focus on alice')).toEqual([]);
    expect(stopPhrasesIn('kill it')).toEqual(['kill it']);
    expect(stopPhrasesIn('')).toEqual([]);
    expect(stopPhrasesIn('okay stop the shot')).toEqual(['stop']);
    expect(stopPhrasesIn('the shot')).toEqual([]);
  });

  it.skipIf(!HAVE_SPHINX)('refuses bad settings with what to do', () => {
    expect(() => new StopSpotter({ phrases: ['Stop!'] })).toThrow(/lower-case words/);
    expect(() => new StopSpotter({ repeats: 0 })).toThrow(/repeats must be/);
    expect(() => new StopSpotter({ phrases: ['zzzqx'] })).toThrow(/without a pronunciation/);
  });

  it.skipIf(MISSING_SPOT.length > 0)(`hears at least ${MIN_DETECTION_RATE * 100}% of spoken stops over ${STOP_VOICES.length} voices (140 and 210 wpm clean, 175 wpm in pink noise)${skipReason(MISSING_SPOT)}`, async () => {
    // calm and hurried clean, normal pace in noise: 8 voices × 7 phrases × 3
    const utterances = [...stopUtterances({ speeds: [140, 210] }), ...stopUtterances({ speeds: [175], noisy: true }).filter((u) => u.noisy)];
    const spotter = new StopSpotter({ subjects: E2E_CONTEXT.subjects });
    try {
      const found = await spotter.spotAll(utterances.map((u) => u.wav));
      const misses = utterances.filter((_, i) => !found[i]!.stop).map((u) => `${u.voice} ${u.wordsPerMin} wpm${u.noisy ? ' noisy' : ''}: "${u.text}"`);
      const rate = 1 - misses.length / utterances.length;
      console.log(`stop spotter: ${utterances.length - misses.length}/${utterances.length} detected (${(rate * 100).toFixed(1)}%)${misses.length ? `; missed:\n  ${misses.join('\n  ')}` : ''}`);
      expect(rate).toBeGreaterThanOrEqual(MIN_DETECTION_RATE);
      // the hazard that started this: en-us+f2's "stop" (the shot recogniser heard "dolly out")
      expect((await spotter.spot(speak('stop', 'en-us+f2', 175))).stop).toBe(true);
    } finally {
      spotter.dispose();
    }
  });

  it.skipIf(MISSING_E2E.length > 0)(`at most ${MAX_FALSE_STOPS} false stop in the speech tests' normal command corpus (end-to-end and held-out commands in their voices)${skipReason(MISSING_E2E)}`, async () => {
    const utterances: Utterance[] = speechCorpusUtterances();
    const spotter = new StopSpotter({ subjects: E2E_CONTEXT.subjects });
    try {
      const found = await spotter.spotAll(utterances.map((u) => u.wav));
      const falseStops = utterances.flatMap((u, i) => (found[i]!.stop ? [`${u.voice}: "${u.text}" → ${found[i]!.phrases.join(', ')}`] : []));
      console.log(`stop spotter: ${falseStops.length} false stops in ${utterances.length} normal commands${falseStops.length ? `:\n  ${falseStops.join('\n  ')}` : ''}`);
      // Measured: 1 of 100 (en-us+f3 "closer" heard as "hold it"), the one the bar allows; see docs/shot-language.md.
      expect(falseStops.length).toBeLessThanOrEqual(MAX_FALSE_STOPS);
    } finally {
      spotter.dispose();
    }
  });
});

describe('spoken stop through the ground-station server', () => {
  let t: TestStation | undefined;
  beforeAll(async () => {
    if (MISSING_E2E.length === 0) t = await startTestStation();
  });
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(MISSING_E2E.length > 0)(`a spoken "stop" (en-us+f2) posted as WAV puts the flying drone into hold at once, audit-logged with what was heard${skipReason(MISSING_E2E)}`, async () => {
    const station = t!;
    await station.station.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = station.station.app.server.address();
    const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const slot = station.studio.vehicles.get('drone-1')!;
    await waitFor(() => station.studio.state().subjects.length > 0 && station.studio.state().vehicles[0]?.inAir, 5000, 'a flying drone and subjects');
    const go = await fetch(`${base}/api/commands/go`, { method: 'POST', headers: { ...bearer(TOKENS.dp), 'content-type': 'application/json' }, body: JSON.stringify({ text: 'orbit alice at six metres' }) });
    expect(go.status).toBe(200);
    await waitFor(() => slot.runtime.supervisor.state === 'active' && slot.setpoints > 0, 5000, 'the shot flying');

    const r = await fetch(`${base}/api/speech`, { method: 'POST', headers: { ...bearer(TOKENS.dp), 'content-type': 'audio/wav' }, body: new Uint8Array(speak('stop', 'en-us+f2', 175)) });
    expect(r.status).toBe(200);
    const body = (await r.json()) as SpeechResult;
    // acted on, not handed back for preview
    expect(body.stop).toMatchObject({ by: 'stop-decoder', vehicles: [{ vehicleId: 'drone-1', ok: true }] });
    expect(body.stop!.heard).toBe('stop');
    // the Stop button's effect: no shot, autonomy off (standby), the autopilot told to hold
    expect(slot.runtime.snapshot().shot.shot).toBeNull();
    expect(slot.runtime.supervisor.state).toBe('standby');
    await waitFor(() => /hold|loiter/i.test(station.studio.state().vehicles[0]!.mode), 5000, 'the autopilot in hold');
    const speed = Math.hypot(...station.studio.state().vehicles[0]!.velocityNedMps);
    await waitFor(() => Math.hypot(...station.studio.state().vehicles[0]!.velocityNedMps) < 0.5, 10_000, `the drone to come to a hover (speed ${speed.toFixed(2)} m/s when the stop was heard)`);
    const stopEntry = station.audit().find((a) => a.command === 'stop' && a.via === 'speech');
    expect(stopEntry).toMatchObject({ role: 'dp', who: 'test dp', ok: true, params: { vehicleId: 'drone-1' } });
    expect(stopEntry!.heard).toMatch(/stop decoder/);
    expect(station.audit().find((a) => a.command === 'speech' && a.ok)?.params).toMatchObject({ stopBy: 'stop-decoder' });
  });

  it.skipIf(MISSING_E2E.length > 0)(`a spoken shot is still only recognised, never flown, and stops nothing${skipReason(MISSING_E2E)}`, async () => {
    const station = t!;
    const r = await station.station.app.inject({ method: 'POST', url: '/api/speech', headers: { ...bearer(TOKENS.dp), 'content-type': 'audio/wav' }, payload: speak('track alice from the front full shot', 'en-us+m1', 150) });
    expect(r.statusCode).toBe(200);
    const body = r.json() as SpeechResult;
    expect(body.stop).toBeUndefined();
    expect(body.parse.ok).toBe(true);
    expect(station.audit().filter((a) => a.command === 'stop')).toHaveLength(1);
    expect(station.audit().filter((a) => a.command === 'go')).toHaveLength(1);
  });
});


