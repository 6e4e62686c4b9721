/**
 * The spoken stop: a keyword spotter for a few stop phrases, run on the same
 * audio beside the shot recogniser but independent of it.
 *
 * Why a separate path: the shot recogniser's language model knows hundreds
 * of words, and a one-syllable "stop" in an unusual voice loses to a likelier
 * shot phrase (en-us+f2's "stop" came out as "dolly out", confidence 0.81).
 * A keyphrase search (pocketsphinx's `-kws`) asks a narrower question: does
 * this stretch of audio match the phrase better, by a set likelihood ratio,
 * than a free phone loop? It answers whatever else was said around it, in
 * about 0.05 × real time, so the stop can act before the full decode ends.
 *
 * Thresholds: per phrase, the ratio p(phrase)/p(phone loop) a match must
 * reach (pocketsphinx's `/1e-N/` syntax). Chosen on a tuning set (shot
 * phrasings from example-commands.txt as negatives, the phrases in several
 * voices and speeds as positives; `test/speech/stop-measure.ts`), so that no
 * tuning command fires and as many spoken stops as possible do.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CinePilotError } from '../../core/errors.ts';
import { loadCmudict } from './grammar.ts';
import { findPocketsphinx, POCKETSPHINX_INSTALL_HINT, runDecoder, writeBatch, type PocketsphinxInstall } from './recogniser.ts';

export interface StopPhrase {
  /** lower-case words, each in cmudict */
  phrase: string;
  /** likelihood ratio against the phone loop a match must reach (smaller: more detections, more false stops) */
  threshold: number;
}

/**
 * The phrases that stop the drone when spoken, with their tuned thresholds.
 * Longer phrases get lower thresholds: their ratio is a product over more
 * phones. "stop stop" is covered by "stop" (the spotter finds every match).
 */
export const STOP_PHRASES: readonly StopPhrase[] = [
  { phrase: 'stop', threshold: 1e-10 },
  { phrase: 'cut', threshold: 1e-10 },
  { phrase: 'abort', threshold: 1e-15 },
  { phrase: 'hold it', threshold: 1e-20 },
  { phrase: 'hold position', threshold: 1e-25 },
  { phrase: 'emergency stop', threshold: 1e-25 },
];

/**
 * Vocal-tract warps the spotter decodes with (one decoder run each, in
 * parallel); a phrase found at any of them counts.
 */
export const STOP_WARPS: readonly number[] = [1];

export interface StopDetection {
  /** whether any stop phrase was heard */
  stop: boolean;
  /** the phrases heard, in the order the decoder reported them, without repeats */
  phrases: string[];
  /** seconds of audio */
  durationS: number;
  /** wall time of the spotting run, ms (per utterance when several were spotted together) */
  decodeMs: number;
}

export interface StopSpotterOptions {
  install?: PocketsphinxInstall;
  phrases?: readonly StopPhrase[];
  warps?: readonly number[];
}

const PHRASE_RE = /^[a-z']+( [a-z']+)*$/;

/** The keyphrase file pocketsphinx reads: one `phrase /threshold/` per line. */
export function keyphraseFile(phrases: readonly StopPhrase[]): string {
  return phrases.map((p) => `${p.phrase} /${p.threshold.toExponential()}/`).join('\n') + '\n';
}

export class StopSpotter {
  readonly install: PocketsphinxInstall;
  readonly phrases: readonly StopPhrase[];
  readonly warps: readonly number[];
  private readonly dir: string;
  private readonly searchArgs: string[];
  private disposed = false;

  constructor(options: StopSpotterOptions = {}) {
    const install = options.install ?? findPocketsphinx();
    if (!install) throw new CinePilotError('SPEECH_UNAVAILABLE', POCKETSPHINX_INSTALL_HINT);
    this.install = install;
    this.phrases = options.phrases ?? STOP_PHRASES;
    this.warps = options.warps ?? STOP_WARPS;
    if (!this.phrases.length) throw new CinePilotError('BAD_SETTING', 'give at least one stop phrase.');
    for (const p of this.phrases) {
      if (!PHRASE_RE.test(p.phrase)) throw new CinePilotError('BAD_SETTING', `stop phrase "${p.phrase}" must be lower-case words separated by single spaces.`);
      if (!(p.threshold > 0 && p.threshold <= 1)) throw new CinePilotError('BAD_SETTING', `stop phrase "${p.phrase}": threshold must be in (0, 1], e.g. 1e-20 (got ${p.threshold}).`);
    }
    if (!this.warps.length || this.warps.some((w) => !(w >= 0.7 && w <= 1.3))) {
      throw new CinePilotError('BAD_SETTING', `warps must be frequency-warp factors in 0.7 … 1.3 (got ${this.warps.join(', ')}).`);
    }
    const cmu = loadCmudict(install.dictPath);
    const words = [...new Set(this.phrases.flatMap((p) => p.phrase.split(' ')))];
    const unknown = words.filter((w) => !cmu.has(w));
    if (unknown.length) throw new CinePilotError('BAD_SETTING', `stop phrases use words without a pronunciation in ${install.dictPath}: ${unknown.join(', ')}; pick others.`);
    this.dir = mkdtempSync(join(tmpdir(), 'cinepilot-stop-'));
    const dict = words.flatMap((w) => cmu.get(w)!.map((phones, i) => `${i ? `${w}(${i + 1})` : w} ${phones}`));
    writeFileSync(join(this.dir, 'stop.dict'), dict.join('\n') + '\n');
    writeFileSync(join(this.dir, 'stop.kws'), keyphraseFile(this.phrases));
    this.searchArgs = ['-kws', join(this.dir, 'stop.kws'), '-dict', join(this.dir, 'stop.dict')];
  }

  async spot(wav: Uint8Array): Promise<StopDetection> {
    return (await this.spotAll([wav]))[0]!;
  }

  /** Spot several utterances in one decoder run per warp; results in input order. */
  async spotAll(wavs: readonly Uint8Array[]): Promise<StopDetection[]> {
    if (this.disposed) throw new CinePilotError('SPEECH_DISPOSED', 'this stop spotter was disposed; make a new one.');
    const t0 = performance.now();
    const audioDir = join(this.dir, `run-${process.pid}-${Math.random().toString(36).slice(2)}`);
    mkdirSync(audioDir);
    try {
      const { ids, durations, args } = writeBatch(audioDir, wavs, this.install);
      const perWarp = await Promise.all(this.warps.map(async (warp, k) => {
        const hypPath = join(audioDir, `hyp${k}`);
        const warpArgs = warp === 1 ? [] : ['-warp_type', 'inverse_linear', '-warp_params', String(warp)];
        await runDecoder(this.install.binary, [...args, '-hyp', hypPath, ...warpArgs, ...this.searchArgs], wavs.length);
        return readKeyphraseHyps(hypPath, this.phrases);
      }));
      const decodeMs = Math.round((performance.now() - t0) / wavs.length);
      return ids.map((id, i) => {
        const phrases = [...new Set(perWarp.flatMap((m) => m.get(id) ?? []))];
        return { stop: phrases.length > 0, phrases, durationS: durations[i]!, decodeMs };
      });
    } finally {
      rmSync(audioDir, { recursive: true, force: true });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A keyphrase run's hypothesis file: per utterance the phrases detected,
 * separated by two spaces ("cut  stop  (u3 0)"). Multi-word phrases are
 * matched whole against the known phrases, longest first.
 */
function readKeyphraseHyps(path: string, phrases: readonly StopPhrase[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!existsSync(path)) return out;
  const known = [...phrases.map((p) => p.phrase)].sort((a, b) => b.length - a.length);
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^(.*?)\s*\((u\d+)\s+-?\d+\)\s*$/.exec(line);
    if (!m) continue;
    const found: string[] = [];
    let rest = ` ${m[1]!.trim().replace(/\s+/g, ' ')} `;
    for (const p of known) {
      if (rest.includes(` ${p} `)) {
        found.push(p);
        rest = rest.split(` ${p} `).join(' ');
      }
    }
    out.set(m[2]!, found);
  }
  return out;
}
