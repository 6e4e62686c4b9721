/**
 * The bridge to the offline recogniser (ground-station/speech/, Debian
 * pocketsphinx): one recogniser per set of subject names, reused across
 * utterances; where pocketsphinx is missing the studio still runs and the
 * speech route answers SPEECH_UNAVAILABLE with the install hint.
 *
 * Every recording also goes to the stop decode (speech/stop-spotter.ts), in
 * parallel with the shot recogniser. A heard stop phrase calls `onStop` as
 * soon as the stop decode answers, without waiting for the shot decode; a
 * shot transcript that parses to a stop calls it too when the stop decode
 * missed it.
 * Spoken stops are never previewed: the caller stops the vehicles.
 */
import { CinePilotError } from '../../core/errors.ts';
import type { ParseContext, ParseResult } from '../language/index.ts';
import { findPocketsphinx, hearShot, POCKETSPHINX_INSTALL_HINT, ShotRecogniser } from '../speech/recogniser.ts';
import { StopSpotter } from '../speech/stop-spotter.ts';
import { GroundStationError } from '../protocol/errors.ts';
import type { HeardStop } from '../studio-api.ts';

export interface Heard {
  transcript: string;
  confidence: number | null;
  result: ParseResult;
  /** the spoken stop acted on, if one was heard */
  stop: HeardStop | null;
}

let cached: { key: string; recogniser: ShotRecogniser; spotter: StopSpotter } | null = null;

/** Whether the server can recognise speech here. */
export function speechAvailable(): boolean {
  return findPocketsphinx() !== undefined;
}

function failed(err: unknown): GroundStationError {
  if (err instanceof GroundStationError) return err;
  const reason = err instanceof CinePilotError ? err.code : 'SPEECH_FAILED';
  return new GroundStationError('SPEECH_UNAVAILABLE', `speech recognition failed: ${(err as Error).message}`, { reason });
}

/**
 * Build both decoders for these subject names now, so the first recording
 * (perhaps a stop) does not wait for their models (≈ 0.1–0.3 s of blocking
 * work). A no-op without pocketsphinx or when they are built already.
 */
export function prepareSpeech(subjects: readonly string[]): void {
  if (!speechAvailable()) return;
  const key = [...subjects].sort().join(',');
  if (cached?.key === key) return;
  cached?.recogniser.dispose();
  cached?.spotter.dispose();
  // the stop decode competes with the same shot vocabulary, names included
  cached = { key, recogniser: new ShotRecogniser(subjects), spotter: new StopSpotter({ subjects }) };
}

export async function recogniseSpeech(wav: Buffer, context: ParseContext, onStop?: (heard: HeardStop) => Promise<unknown>): Promise<Heard> {
  if (!speechAvailable()) throw new GroundStationError('SPEECH_UNAVAILABLE', POCKETSPHINX_INSTALL_HINT);
  let stop: HeardStop | null = null;
  const act = async (heard: HeardStop): Promise<void> => {
    if (stop) return;
    stop = heard;
    await onStop?.(heard);
  };
  try {
    prepareSpeech(context.subjects);
    if (!cached) throw new GroundStationError('SPEECH_UNAVAILABLE', POCKETSPHINX_INSTALL_HINT);
    // the stop decode first: it is the safety-relevant one, and the faster (one warp, no N-best)
    const spotting = cached.spotter.spot(wav).then(async (d) => {
      if (d.stop) await act({ by: 'stop-decoder', heard: d.phrases.join(', ') });
    });
    const hearing = hearShot(wav, context, cached.recogniser);
    // a failed shot decode must not hide a stop the spotter heard, nor the other way round
    const [spotted, heard] = await Promise.allSettled([spotting, hearing]);
    if (heard.status === 'fulfilled' && heard.value.result.ok && heard.value.result.spec.kind === 'stop') {
      await act({ by: 'shot-recogniser', heard: heard.value.transcript });
    }
    if (heard.status === 'rejected') {
      if (!stop) throw heard.reason;
      const message = `the stop was heard and acted on, but the shot recogniser failed: ${(heard.reason as Error).message}`;
      return { transcript: '', confidence: null, result: { ok: false, error: { code: 'NOT_UNDERSTOOD', message } }, stop };
    }
    if (spotted.status === 'rejected') throw spotted.reason;
    return { transcript: heard.value.transcript, confidence: heard.value.confidence, result: heard.value.result, stop };
  } catch (err) {
    throw failed(err);
  }
}

/** Release the cached recogniser's and spotter's temporary files. */
export function disposeSpeech(): void {
  cached?.recogniser.dispose();
  cached?.spotter.dispose();
  cached = null;
}
