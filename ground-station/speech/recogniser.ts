/**
 * Offline speech recognition of shot commands with Debian's pocketsphinx
 * (`pocketsphinx_batch`, 5prealpha on bookworm) and the
 * pocketsphinx-en-us model, constrained to the shot vocabulary and the
 * current subject names: by default through a trigram model trained on the
 * shot grammar (language-model.ts says why), or by the JSGF grammar itself
 * (`mode: 'jsgf'`). Audio: any WAV, converted here to 16 kHz mono.
 *
 * Confidence: the mean posterior probability of the recognised words in the
 * decoder's word lattice (n-gram mode); in JSGF mode, where the decoder
 * reports no posteriors, the grammar decode's acoustic score per frame
 * against an unconstrained phone-loop decode of the same audio.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CinePilotError } from '../../core/errors.ts';
import { parseShot, type ParseContext, type ParseResult } from '../language/index.ts';
import { buildDictionary, buildGrammar, toJsgf, grammarWords, loadCmudict, subjectWords, DEBIAN_DICT, DEBIAN_HMM_DIR, DEBIAN_MODEL_DIR, EXTRA_PRONUNCIATIONS } from './grammar.ts';
import { buildArpa, trainingSentences } from './language-model.ts';
import { toRecogniserWav, WAV_HEADER_BYTES } from './wav.ts';

export const POCKETSPHINX_INSTALL_HINT =
  'offline speech needs Debian\'s pocketsphinx and its US English model: apt-get install pocketsphinx pocketsphinx-en-us ' +
  '(or point CINEPILOT_POCKETSPHINX_BIN / _HMM / _DICT at another install).';

/**
 * Grammar-search settings. The FSG search's default beams prune the path to
 * the grammar's final state on long commands ("final result does not match
 * the grammar"); these wider beams keep it. Filler (silence/noise) insertion
 * is off: with it, pauses between words swallow short words ("from her left").
 */
export const JSGF_DECODER_ARGS: readonly string[] = ['-fsgusefiller', 'no', '-beam', '1e-80', '-pbeam', '1e-80', '-wbeam', '1e-60'];
export type RecogniserMode = 'lm' | 'jsgf';
/**
 * N-gram search settings: a language weight above the model's default 6.5
 * leans on the shot vocabulary harder. Chosen on the held-out set
 * (test/speech/held-out.ts: 72 utterances, other commands and voices than
 * the end-to-end test) with the 2000-sample model and silence padding:
 * lw 7 / 8 / 10 / 12 → 55 / 57 / 54 / 53 of 72 exact.
 */
export const LM_DECODER_ARGS: readonly string[] = ['-lw', '8'];
/**
 * Vocal-tract length normalisation: each utterance is decoded with these
 * frequency warps and the best-scoring result kept, so a voice far from the
 * model's average (a high female voice, a deep male one) is met halfway.
 */
export const VTLN_WARPS: readonly number[] = [0.92, 1, 1.08];
/**
 * N-best hypotheses read per warp. When the best-scoring transcript is not a
 * command (the caller's `accept`, typically "it parses to a valid shot"),
 * the next ones are tried in score order: a hypothesis that parses is far
 * more likely right than one that does not.
 */
export const NBEST_SIZE = 30;
/** Per-frame score gap (log-base-1.0001 units) at which confidence falls to 1/e. */
export const CONFIDENCE_SCALE = 40;
/** Give up on a decoder run after this long plus DECODE_TIMEOUT_PER_UTTERANCE_MS per utterance, ms (generous: shared CPUs). */
export const DECODE_TIMEOUT_MS = 30_000;
export const DECODE_TIMEOUT_PER_UTTERANCE_MS = 10_000;

export interface PocketsphinxInstall {
  binary: string;
  hmmDir: string;
  dictPath: string;
  /** phone language model for the confidence pass (optional) */
  phoneLmPath?: string;
}

export interface Recognition {
  /** the words recognised, lower-case, fillers removed */
  transcript: string;
  /** 0..1, see the module comment */
  confidence: number;
  /** seconds of audio */
  durationS: number;
  /** wall time of the decode, ms */
  decodeMs: number;
  /** grammar words whose pronunciation was guessed (not in cmudict) */
  guessedWords: string[];
  /**
   * 0 when the transcript is the decoder's best-scoring hypothesis; n > 0 when
   * that one was not accepted and this is the n-th alternative (N-best list
   * order, best warp first) that was. The confidence is still the best
   * hypothesis's, so an alternative is reported no surer than that.
   */
  alternative: number;
}

export interface RecogniseOptions {
  /**
   * Whether a transcript is a usable command (e.g. parses to a valid shot);
   * without it the best-scoring hypothesis is always taken.
   */
  accept?: (transcript: string) => boolean;
}

/** Hypothesis words → transcript: lower case, no fillers, silences, sentence marks or variant numbers. */
function cleanTranscript(text: string): string {
  return text.split(/\s+/).filter((w) => w && !/^[<[]/.test(w)).map((w) => w.replace(/\(\d+\)$/, '')).join(' ');
}

/** A pocketsphinx N-best file: one "words score" line per hypothesis, best first; duplicates dropped. */
function readNbest(path: string): string[] {
  if (!existsSync(path)) return [];
  const out: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^(.*?)\s+-?\d+\s*$/.exec(line);
    if (!m) continue;
    const t = cleanTranscript(m[1]!);
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

export interface HeardShot extends Recognition {
  result: ParseResult;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/** The installed recogniser and model, or undefined when either is missing. */
export function findPocketsphinx(env: NodeJS.ProcessEnv = process.env): PocketsphinxInstall | undefined {
  // pocketsphinx_batch, not _continuous: the continuous tool's live voice-activity
  // segmentation and live CMN cut short commands ("land now" → "r"); batch
  // decodes the whole utterance with its own mean (synthetic test: see docs)
  const binary = env.CINEPILOT_POCKETSPHINX_BIN ?? onPath('pocketsphinx_batch');
  const hmmDir = env.CINEPILOT_POCKETSPHINX_HMM ?? DEBIAN_HMM_DIR;
  const dictPath = env.CINEPILOT_POCKETSPHINX_DICT ?? DEBIAN_DICT;
  if (!binary || !existsSync(binary) || !existsSync(join(hmmDir, 'mdef')) || !existsSync(dictPath)) return undefined;
  const phoneLm = join(env.CINEPILOT_POCKETSPHINX_HMM ? join(hmmDir, '..') : DEBIAN_MODEL_DIR, 'en-us-phone.lm.bin');
  return { binary, hmmDir, dictPath, ...(existsSync(phoneLm) ? { phoneLmPath: phoneLm } : {}) };
}

/** Run a pocketsphinx tool; a non-zero exit still resolves (its log is usable), a failed start or timeout rejects. */
export function runDecoder(binary: string, args: string[], utterances = 1): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const timeout = DECODE_TIMEOUT_MS + DECODE_TIMEOUT_PER_UTTERANCE_MS * utterances;
    execFile(binary, args, { timeout, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      // a non-zero exit still leaves a usable log; a failed start or a timeout does not
      if (err && (typeof (err as NodeJS.ErrnoException).code === 'string' || (err as { killed?: boolean }).killed)) {
        reject(new CinePilotError('SPEECH_FAILED', `${binary} failed: ${err.message}. ${POCKETSPHINX_INSTALL_HINT}`));
      } else resolve({ stdout, stderr });
    });
  });
}

/** Sum of acoustic scores and the frame count from pocketsphinx's backtrace tables. */
export function backtraceScore(log: string): { ascr: number; frames: number } | undefined {
  let ascr = 0;
  let frames = 0;
  let any = false;
  for (const line of log.split('\n')) {
    const m = /^(\S+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s*$/.exec(line);
    if (!m) continue;
    any = true;
    ascr += Number(m[5]);
    frames = Math.max(frames, Number(m[3]) + 1);
  }
  return any ? { ascr, frames } : undefined;
}

/** pocketsphinx_batch's log, cut into one piece per utterance id ("Decoding 'u3'"). */
export function splitLogByUtterance(log: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = log.split(/INFO: batch\.c\(\d+\): Decoding '/);
  for (const part of parts.slice(1)) {
    const id = part.slice(0, part.indexOf("'"));
    out.set(id, part);
  }
  return out;
}

/** Mean lattice posterior of the words (not silences or fillers) in pocketsphinx's backtrace tables. */
function meanWordPosterior(log: string): number {
  let sum = 0;
  let n = 0;
  for (const line of log.split('\n')) {
    const m = /^(\S+)\s+-?\d+\s+-?\d+\s+([\d.]+)\s+-?\d+\s+-?\d+\s+-?\d+\s*$/.exec(line);
    if (!m || /^(<|\[|\(NULL)/.test(m[1]!)) continue;
    sum += Number(m[2]);
    n++;
  }
  return n ? sum / n : 0;
}

const EXAMPLES_FILE = new URL('./example-commands.txt', import.meta.url);
const EXAMPLE_NAMES = ['alice', 'bob', 'charlie'];
/** Example phrasings with their placeholder names swapped for the scene's (cycled). */
function exampleCommands(names: readonly string[]): string[] {
  const lines = readFileSync(EXAMPLES_FILE, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  if (!names.length) return lines.filter((l) => !EXAMPLE_NAMES.some((n) => new RegExp(`\\b${n}\\b`, 'i').test(l)));
  return lines.map((l) => l.replace(/\b(alice|bob|charlie)\b/gi, (m) => names[EXAMPLE_NAMES.indexOf(m.toLowerCase()) % names.length]!));
}

/**
 * Write utterances as 16 kHz WAVs plus a control file into `dir`, for one
 * pocketsphinx_batch run: the utterance ids (u0, u1 … in input order), their
 * durations (s, as given) and the decoder arguments that read them.
 */
export function writeBatch(dir: string, wavs: readonly Uint8Array[], install: PocketsphinxInstall): { ids: string[]; durations: number[]; args: string[] } {
  const ids = wavs.map((_, i) => `u${i}`);
  const durations = wavs.map((w, i) => {
    const { wav: pcm, durationS } = toRecogniserWav(w);
    writeFileSync(join(dir, `${ids[i]}.wav`), pcm);
    return durationS;
  });
  writeFileSync(join(dir, 'ctl'), ids.join('\n') + '\n');
  const args = ['-adcin', 'yes', '-cepdir', dir, '-cepext', '.wav', '-adchdr', String(WAV_HEADER_BYTES), '-ctl', join(dir, 'ctl'), '-hmm', install.hmmDir];
  return { ids, durations, args };
}

/**
 * A recogniser for one set of subject names: the grammar and dictionary are
 * written once to a private temp folder; `dispose()` removes it.
 */
export class ShotRecogniser {
  readonly install: PocketsphinxInstall;
  readonly subjects: readonly string[];
  readonly mode: RecogniserMode;
  readonly guessedWords: string[];
  private readonly dir: string;
  private readonly searchArgs: string[];
  private readonly warps: readonly number[];
  private disposed = false;

  /**
   * `extraSentences`: more training sentences for the n-gram model (said as
   * written, lower case), e.g. the stop decoder's stop phrases, repeated to
   * weigh them.
   */
  constructor(subjects: readonly string[], options: { install?: PocketsphinxInstall; mode?: RecogniserMode; decoderArgs?: readonly string[]; warps?: readonly number[]; extraSentences?: readonly string[]; extraVariants?: Readonly<Record<string, readonly string[]>> } = {}) {
    const install = options.install ?? findPocketsphinx();
    if (!install) throw new CinePilotError('SPEECH_UNAVAILABLE', POCKETSPHINX_INSTALL_HINT);
    this.install = install;
    this.subjects = subjects;
    this.mode = options.mode ?? 'lm';
    // the grammar search is slow enough (wide beams) that it gets one warp unless asked
    this.warps = options.warps ?? (this.mode === 'lm' ? VTLN_WARPS : [1]);
    if (!this.warps.length || this.warps.some((w) => !(w >= 0.7 && w <= 1.3))) {
      throw new CinePilotError('BAD_SETTING', `warps must be frequency-warp factors in 0.7 … 1.3 (got ${this.warps.join(', ')}).`);
    }
    const cmu = loadCmudict(install.dictPath);
    const grammar = buildGrammar(subjects, cmu);
    this.dir = mkdtempSync(join(tmpdir(), 'cinepilot-speech-'));
    const dictPath = join(this.dir, 'shot.dict');
    let words: string[];
    if (this.mode === 'jsgf') {
      const jsgf = toJsgf(grammar);
      words = grammarWords(jsgf);
      writeFileSync(join(this.dir, 'shot.gram'), jsgf);
      this.searchArgs = ['-jsgf', join(this.dir, 'shot.gram'), ...(options.decoderArgs ?? JSGF_DECODER_ARGS)];
    } else {
      const names = subjectWords(subjects);
      const canSay = (w: string) => cmu.has(w) || EXTRA_PRONUNCIATIONS[w] !== undefined || names.includes(w);
      const lm = buildArpa([...trainingSentences(grammar, exampleCommands(names), canSay), ...(options.extraSentences ?? [])]);
      words = lm.words;
      writeFileSync(join(this.dir, 'shot.arpa'), lm.arpa);
      this.searchArgs = ['-lm', join(this.dir, 'shot.arpa'), ...(options.decoderArgs ?? LM_DECODER_ARGS)];
    }
    const dict = buildDictionary(words, cmu);
    this.guessedWords = dict.guessed;
    // more pronunciations of words already in the dictionary (numbered after cmudict's own)
    const variants = Object.entries(options.extraVariants ?? {}).filter(([w]) => words.includes(w)).flatMap(([w, list]) =>
      list.map((phones, i) => `${w}(${(cmu.get(w)?.length ?? 1) + i + 1}) ${phones}`));
    writeFileSync(dictPath, dict.text + (variants.length ? variants.join('\n') + '\n' : ''));
    this.searchArgs.push('-dict', dictPath);
  }

  /** Recognise one utterance from WAV bytes (any rate, mono or stereo). */
  async recognise(wav: Uint8Array, options: RecogniseOptions = {}): Promise<Recognition> {
    return (await this.recogniseAll([wav], options))[0]!;
  }

  /**
   * Recognise several utterances in one decoder run (the model loads once).
   * Results are in input order.
   */
  async recogniseAll(wavs: readonly Uint8Array[], options: RecogniseOptions = {}): Promise<Recognition[]> {
    if (this.disposed) throw new CinePilotError('SPEECH_DISPOSED', 'this recogniser was disposed; make a new one.');
    const t0 = performance.now();
    const run_ = `run-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const audioDir = join(this.dir, run_);
    mkdirSync(audioDir);
    try {
      const { ids, durations, args: batchArgs } = writeBatch(audioDir, wavs, this.install);
      const common = [...batchArgs, '-backtrace', 'yes'];
      // one decode per vocal-tract warp; per utterance the best-scoring one wins (maximum-likelihood VTLN)
      const decodes = await Promise.all(this.warps.map(async (warp, k) => {
        const hypPath = join(audioDir, `hyp${k}`);
        const warpArgs = warp === 1 ? [] : ['-warp_type', 'inverse_linear', '-warp_params', String(warp)];
        // N-best lists come from the n-gram search's lattice (the grammar search writes none)
        const nbestDir = join(audioDir, `nbest${k}`);
        const nbestArgs = options.accept && this.mode === 'lm' ? (mkdirSync(nbestDir), ['-nbest', String(NBEST_SIZE), '-nbestdir', nbestDir]) : [];
        const out = await runDecoder(this.install.binary, [...common, '-hyp', hypPath, ...warpArgs, ...nbestArgs, ...this.searchArgs], wavs.length);
        const hyps = new Map<string, { text: string; score: number }>();
        if (existsSync(hypPath)) {
          for (const line of readFileSync(hypPath, 'utf8').split('\n')) {
            const m = /^(.*?)\s*\((u\d+)\s+(-?\d+)\)\s*$/.exec(line);
            if (m) hyps.set(m[2]!, { text: m[1]!, score: Number(m[3]) });
          }
        }
        return { hyps, logs: splitLogByUtterance(out.stderr), nbestDir: nbestArgs.length ? nbestDir : undefined };
      }));
      const phone = this.mode === 'jsgf' && this.install.phoneLmPath
        ? await runDecoder(this.install.binary, [...common, '-hyp', join(audioDir, 'phones'), '-allphone', this.install.phoneLmPath, '-allphone_ci', 'yes'], wavs.length)
        : undefined;
      const best = (id: string) => {
        // warps by their best hypothesis's score, best first
        const ranked = [...decodes].sort((a, b) => (b.hyps.get(id)?.score ?? -Infinity) - (a.hyps.get(id)?.score ?? -Infinity));
        const pick = ranked[0]!;
        const top = cleanTranscript(pick.hyps.get(id)?.text ?? '');
        let transcript = top;
        let alternative = 0;
        if (options.accept && !options.accept(top)) {
          // the warps' own best hypotheses first, then each warp's N-best list in turn
          const candidates = [...ranked.map((d) => cleanTranscript(d.hyps.get(id)?.text ?? '')), ...ranked.flatMap((d) => (d.nbestDir ? readNbest(join(d.nbestDir, `${id}.hyp`)) : []))];
          const seen = new Set<string>([top]);
          let rank = 0;
          for (const c of candidates) {
            if (!c || seen.has(c)) continue;
            seen.add(c);
            rank++;
            if (options.accept(c)) {
              transcript = c;
              alternative = rank;
              break;
            }
          }
        }
        return { transcript, alternative, log: pick.logs.get(id) ?? '' };
      };
      const phoneLogs = phone ? splitLogByUtterance(phone.stderr) : undefined;
      const decodeMs = Math.round((performance.now() - t0) / wavs.length);
      return ids.map((id, i) => {
        const { transcript, alternative, log } = best(id);
        let confidence = 0;
        if (transcript && this.mode === 'lm') confidence = meanWordPosterior(log);
        else if (transcript) {
          const gs = backtraceScore(log);
          const ps = phoneLogs ? backtraceScore(phoneLogs.get(id) ?? '') : undefined;
          confidence = gs && ps && gs.frames > 0 ? Math.exp(-Math.max(0, (ps.ascr - gs.ascr) / gs.frames) / CONFIDENCE_SCALE) : 0.5;
        }
        return { transcript, confidence: Math.round(confidence * 1000) / 1000, durationS: durations[i]!, decodeMs, guessedWords: this.guessedWords, alternative };
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
 * Below this confidence a recognised command is not acted on (the DP is
 * asked to say it again), except "stop": a false stop is safe, a missed one
 * is not. Synthetic test set: the one wrong result below it ("stop" heard as
 * "closer", 0.08) and no right one (lowest right: 0.39).
 */
export const MIN_CONFIDENCE = 0.25;

/**
 * For the ground station: microphone audio (a WAV buffer) → transcript,
 * confidence and the parsed, validated shot. Pass a recogniser to reuse its
 * grammar across utterances; otherwise one is made for `context.subjects`.
 */
export async function hearShot(wav: Uint8Array, context: ParseContext, recogniser?: ShotRecogniser): Promise<HeardShot> {
  const rec = recogniser ?? new ShotRecogniser(context.subjects);
  try {
    const r = await rec.recognise(wav, { accept: (t) => parseShot(t, context).ok });
    let result: ParseResult = r.transcript
      ? parseShot(r.transcript, context)
      : { ok: false, error: { code: 'NOT_UNDERSTOOD', message: 'nothing in the recording matched the shot vocabulary. Speak a command close to the microphone, e.g. "track alice, medium shot".' } };
    if (result.ok && r.alternative > 0) {
      // say so: the UI should show what was understood before a moving shot runs on a second guess
      result = { ...result, notes: [...(result.notes ?? []), `recogniser's best guess did not parse; this is N-best alternative ${r.alternative}`] };
    }
    if (result.ok && result.spec.kind !== 'stop' && r.confidence < MIN_CONFIDENCE) {
      result = { ok: false, error: { code: 'LOW_CONFIDENCE', message: `heard "${r.transcript}" but not clearly (confidence ${r.confidence}); say it again.` } };
    }
    return { ...r, result };
  } finally {
    if (!recogniser) rec.dispose();
  }
}
