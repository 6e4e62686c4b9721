/**
 * The spoken stop: a dedicated decode of every recording, run beside the
 * shot recogniser, that asks one question — was this utterance a stop
 * phrase ("stop", "cut", "abort", "hold it", "hold position", "emergency
 * stop", or repeats of them)?
 *
 * Why a separate decode: in the shot recogniser's language model a stop is
 * one short sentence among thousands of shot phrasings, and a one-syllable
 * "stop" in an unusual voice loses to a likelier shot (en-us+f2's "stop"
 * came out as "dolly out", confidence 0.81: a spoken stop would have started
 * a pull-out). Here the same shot language model is trained with the stop
 * phrases weighed up (about a tenth of its sentences), so a stop competes
 * on equal terms with every shot word (the shot vocabulary is the garbage
 * model) and wins when the audio is closer to it; and only a transcript made
 * entirely of stop or hold phrases (STOP_WORDS) counts, so a shot that
 * merely contains "cut" or "hold" does not stop anything.
 *
 * Tried first and dropped (measured, docs/shot-language.md): pocketsphinx's
 * keyphrase search (`-kws`) — on espeak-ng's voices it caught 20% of spoken
 * stops at a threshold of 1e-5 and already fired on shot commands at 1e-10;
 * and a stop-grammar against phone-loop likelihood ratio — stops and short
 * shot commands overlapped too much.
 */
import { CinePilotError } from '../../core/errors.ts';
import { KIND_PHRASES } from '../language/vocabulary.ts';
import { ShotRecogniser, type PocketsphinxInstall } from './recogniser.ts';

/**
 * What stops the drone when said as a whole utterance (any of them, repeated
 * or one after another). Every word is in cmudict and in the shot grammar's
 * vocabulary or added here.
 */
export const STOP_PHRASES: readonly string[] = ['stop', 'cut', 'abort', 'hold it', 'hold position', 'emergency stop'];
/**
 * How many times each stop phrase is added to the decode's training
 * sentences (and a quarter as many times said twice): ≈ 1100 of ≈ 10000
 * sentences. Measured (stop-measure.ts, 336 stops, 100 + 264 commands):
 * 500 → 78.6% detected, 2 false stops in the speech corpus; 150 → 76.2%, 1
 * (strict rule, before STOP_FILLERS; with them 78.3%, still 1; with the
 * "abort" variant 80.1%, still 1).
 * Weighing is a trade: more stops heard, more short commands heard as one.
 */
export const STOP_PHRASE_REPEATS = 150;
/**
 * More pronunciations for the stop decode. "stop" with the /s/ lost (a soft
 * or distant sibilant; the model's filterbank ends at 6.8 kHz, where much of
 * an /s/ lies) and the /p/ unreleased or voiced sounds like "top", "dop" or
 * "dob" — en-us+f2's and f4's "stop" were heard as "dolly out" without these.
 * "abort" without its r, as British speakers say it (cmudict is American):
 * 23 → 29 of 48 "abort"s heard, no new false stop (stop-measure.ts).
 */
export const STOP_VARIANTS: Readonly<Record<string, readonly string[]>> = { stop: ['T AA P', 'D AA P', 'D AA B'], abort: ['AH B AO T'] };
/** Vocal-tract warps of the stop decode (see recogniser.ts VTLN_WARPS); the best-scoring warp's transcript is judged. */
export const STOP_WARPS: readonly number[] = [1];

/**
 * Everything that counts in a stop transcript: the stop phrases and every
 * phrase the shot parser reads as a stop or a hold ("kill it", "halt",
 * "hold", "freeze" …): the decode's model knows those too, and a "hold it"
 * heard as "kill it" is still a stop.
 */
export const STOP_WORDS: readonly string[] = [...new Set([
  ...STOP_PHRASES,
  ...Object.entries(KIND_PHRASES).filter(([, v]) => v.kind === 'stop' || v.kind === 'hold').map(([p]) => p),
])];

export interface StopDetection {
  /** whether the utterance was a stop phrase */
  stop: boolean;
  /** the stop phrases heard, in order ([] when not a stop) */
  phrases: string[];
  /** what the stop decode heard (lower case) */
  transcript: string;
  /** the decode's mean word posterior, 0..1 */
  confidence: number;
  /** seconds of audio */
  durationS: number;
  /** wall time of the decode, ms (per utterance when several were decoded together) */
  decodeMs: number;
}

export interface StopSpotterOptions {
  install?: PocketsphinxInstall;
  /** scene subject names (the shot vocabulary the stop competes with); default none */
  subjects?: readonly string[];
  phrases?: readonly string[];
  repeats?: number;
  warps?: readonly number[];
  /** extra pronunciations (CMU phones) of stop words; default STOP_VARIANTS */
  variants?: Readonly<Record<string, readonly string[]>>;
}

const PHRASE_RE = /^[a-z']+( [a-z']+)*$/;

/**
 * Words that may stand around stop phrases without making the utterance
 * something else ("okay stop", "stop the shot", "an emergency stop").
 */
export const STOP_FILLERS: ReadonlySet<string> = new Set(['a', 'an', 'and', 'so', 'okay', 'now', 'please', 'the', 'shot']);

/**
 * The stop phrases a transcript consists of, in order, or [] when a word is
 * neither part of one nor a filler, or there is no stop phrase at all
 * ("go wider cut" → [], "stop stop" → ["stop", "stop"], "stop the shot" →
 * ["stop"], "the shot" → []).
 */
export function stopPhrasesIn(transcript: string, phrases: readonly string[] = STOP_WORDS): string[] {
  const words = transcript.trim().split(/\s+/).filter(Boolean);
  const byLength = [...phrases].sort((a, b) => b.split(' ').length - a.split(' ').length);
  const out: string[] = [];
  for (let i = 0; i < words.length; ) {
    const hit = byLength.find((p) => {
      const pw = p.split(' ');
      return pw.every((w, k) => words[i + k] === w);
    });
    if (hit) {
      out.push(hit);
      i += hit.split(' ').length;
    } else if (STOP_FILLERS.has(words[i]!)) i++;
    else return [];
  }
  return out;
}

export class StopSpotter {
  readonly phrases: readonly string[];
  /** what a stop transcript may consist of: the phrases, plus the parser's stop and hold phrases */
  private readonly accepted: readonly string[];
  private readonly decoder: ShotRecogniser;
  private disposed = false;

  constructor(options: StopSpotterOptions = {}) {
    this.phrases = options.phrases ?? STOP_PHRASES;
    this.accepted = [...new Set([...this.phrases, ...STOP_WORDS])];
    const repeats = options.repeats ?? STOP_PHRASE_REPEATS;
    if (!this.phrases.length) throw new CinePilotError('BAD_SETTING', 'give at least one stop phrase.');
    for (const p of this.phrases) {
      if (!PHRASE_RE.test(p)) throw new CinePilotError('BAD_SETTING', `stop phrase "${p}" must be lower-case words separated by single spaces.`);
    }
    if (!(Number.isInteger(repeats) && repeats >= 1 && repeats <= 10_000)) {
      throw new CinePilotError('BAD_SETTING', `repeats must be a whole number in 1 … 10000 (got ${repeats}).`);
    }
    const extraSentences = this.phrases.flatMap((p) => [...Array<string>(repeats).fill(p), ...Array<string>(Math.ceil(repeats / 4)).fill(`${p} ${p}`)]);
    this.decoder = new ShotRecogniser(options.subjects ?? [], {
      ...(options.install ? { install: options.install } : {}),
      warps: options.warps ?? STOP_WARPS,
      extraSentences,
      extraVariants: options.variants ?? STOP_VARIANTS,
    });
    const unsayable = this.decoder.guessedWords.filter((w) => this.phrases.some((p) => p.split(' ').includes(w)));
    if (unsayable.length) {
      this.decoder.dispose();
      throw new CinePilotError('BAD_SETTING', `stop phrases use words without a pronunciation in cmudict: ${unsayable.join(', ')}; pick others.`);
    }
  }

  async spot(wav: Uint8Array): Promise<StopDetection> {
    return (await this.spotAll([wav]))[0]!;
  }

  /** Decode several utterances in one run per warp; results in input order. */
  async spotAll(wavs: readonly Uint8Array[]): Promise<StopDetection[]> {
    if (this.disposed) throw new CinePilotError('SPEECH_DISPOSED', 'this stop spotter was disposed; make a new one.');
    const heard = await this.decoder.recogniseAll(wavs);
    return heard.map((h) => {
      const phrases = stopPhrasesIn(h.transcript, this.accepted);
      return { stop: phrases.length > 0, phrases, transcript: h.transcript, confidence: h.confidence, durationS: h.durationS, decodeMs: h.decodeMs };
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.decoder.dispose();
  }
}
