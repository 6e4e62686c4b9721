/**
 * The spoken-stop measurement corpus, shared by the test
 * (stop-spotter.test.ts) and the measurement script (stop-measure.ts):
 * stop phrases in several espeak-ng voices and speeds, clean and with
 * pink noise from sox; and the normal shot commands that must never stop.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseShot } from '../../ground-station/language/index.ts';
import { spokenForm } from '../../ground-station/speech/language-model.ts';
import { decodeWav, encodeWav16 } from '../../ground-station/speech/wav.ts';
import { E2E_COMMANDS, E2E_CONTEXT, E2E_VOICES, HELD_OUT_COMMANDS, HELD_OUT_VOICES } from './speech-commands.ts';

/** US and British voices, male and female. */
export const STOP_VOICES = ['en-us+m1', 'en-us+f2', 'en-us+m3', 'en-us+f4', 'en-gb', 'en-gb+f3', 'en-gb-x-rp+m2', 'en-gb-scotland+f1'] as const;
/** Calm, normal and hurried (words per minute). */
export const STOP_SPEEDS_WPM = [140, 175, 210] as const;
/** What a DP says to stop (the spotter's phrases, plus "stop stop"). */
export const SPOKEN_STOPS = ['stop', 'stop stop', 'cut', 'abort', 'hold it', 'hold position', 'emergency stop'] as const;
/** Pink noise level for the noisy copies, dB below the speech. */
export const NOISE_SNR_DB = 15;

export interface Utterance {
  text: string;
  voice: string;
  wordsPerMin: number;
  noisy: boolean;
  wav: Buffer;
}

export function speak(text: string, voice: string, wordsPerMin: number): Buffer {
  return execFileSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMin), '--stdout', text], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
}

let noiseBank: Float32Array | null = null;
let noiseRateHz = 0;
/** 30 s of pink noise from sox (-R: the same every run), read once. */
function pinkNoise(rateHz: number): Float32Array {
  if (noiseBank && noiseRateHz === rateHz) return noiseBank;
  const wav = execFileSync('sox', ['-R', '-n', '-t', 'wav', '-r', String(rateHz), '-c', '1', '-b', '16', '-', 'synth', '30', 'pinknoise'], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  noiseBank = decodeWav(wav).samples;
  noiseRateHz = rateHz;
  return noiseBank;
}

/** RMS of the samples louder than -50 dBFS (the speech, not the gaps). */
function speechRms(x: Float32Array): number {
  let sum = 0;
  let n = 0;
  for (const v of x) if (Math.abs(v) > 0.003) { sum += v * v; n++; }
  return n ? Math.sqrt(sum / n) : 0;
}

/** The utterance with sox's pink noise added at `snrDb` below its speech level; `offset` picks the noise slice. */
export function withNoise(wav: Buffer, snrDb: number, offset: number): Buffer {
  const { samples, sampleRateHz } = decodeWav(wav);
  const noise = pinkNoise(sampleRateHz);
  const noiseRms = Math.sqrt(noise.reduce((a, v) => a + v * v, 0) / noise.length);
  const gain = (speechRms(samples) / 10 ** (snrDb / 20)) / noiseRms;
  const out = new Float32Array(samples.length);
  const start = (offset * 7919) % Math.max(1, noise.length - samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! + gain * noise[(start + i) % noise.length]!;
  return encodeWav16(out, sampleRateHz);
}

/** Whether the parser reads these words as a stop or hold (a spotted stop is then right, not a false alarm). */
export function meansStop(text: string): boolean {
  const r = parseShot(text, E2E_CONTEXT);
  return r.ok && (r.spec.kind === 'stop' || r.spec.kind === 'hold');
}

/** Every stop phrase in every voice and speed, clean and (with `noisy`) again with noise. */
export function stopUtterances(options: { voices?: readonly string[]; speeds?: readonly number[]; phrases?: readonly string[]; noisy?: boolean } = {}): Utterance[] {
  const out: Utterance[] = [];
  for (const voice of options.voices ?? STOP_VOICES) {
    for (const wordsPerMin of options.speeds ?? STOP_SPEEDS_WPM) {
      for (const text of options.phrases ?? SPOKEN_STOPS) {
        const wav = speak(text, voice, wordsPerMin);
        out.push({ text, voice, wordsPerMin, noisy: false, wav });
        if (options.noisy) out.push({ text, voice, wordsPerMin, noisy: true, wav: withNoise(wav, NOISE_SNR_DB, out.length) });
      }
    }
  }
  return out;
}

/**
 * The normal command corpus exactly as the speech tests speak it: the
 * end-to-end commands in the test's voices and the held-out voices, the
 * held-out commands in the test's voices (test/speech/held-out.ts), less
 * the ones that mean stop or hold. None of these may stop the drone.
 */
export function speechCorpusUtterances(): Utterance[] {
  const pairs = [
    ...[...E2E_VOICES, ...HELD_OUT_VOICES].flatMap((v) => E2E_COMMANDS.map((text) => ({ text, ...v }))),
    ...E2E_VOICES.flatMap((v) => HELD_OUT_COMMANDS.map((text) => ({ text, ...v }))),
  ].filter((p) => !meansStop(p.text));
  return pairs.map(({ text, voice, wordsPerMin }) => ({ text, voice, wordsPerMin, noisy: false, wav: speak(text, voice, wordsPerMin) }));
}

/**
 * The held-out normal commands (never used to tune the spotter): the speech
 * tests' commands, less those that mean stop or hold, each in every voice.
 */
export function normalCommandUtterances(voices: readonly string[] = STOP_VOICES, wordsPerMin = 175): Utterance[] {
  const texts = [...E2E_COMMANDS, ...HELD_OUT_COMMANDS].filter((t) => !meansStop(t));
  return voices.flatMap((voice) => texts.map((text) => ({ text, voice, wordsPerMin, noisy: false, wav: speak(text, voice, wordsPerMin) })));
}

/**
 * The tuning negatives: the recogniser's example phrasings (spoken form, no
 * stop or hold commands), each in one voice, the voices taken in turn.
 */
export function tuningCommandUtterances(voices: readonly string[] = STOP_VOICES, wordsPerMin = 175): Utterance[] {
  const file = new URL('../../ground-station/speech/example-commands.txt', import.meta.url);
  const texts = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')).map(spokenForm).filter((t) => t && !meansStop(t));
  return texts.map((text, i) => {
    const voice = voices[i % voices.length]!;
    return { text, voice, wordsPerMin, noisy: false, wav: speak(text, voice, wordsPerMin) };
  });
}
