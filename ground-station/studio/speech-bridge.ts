/**
 * The bridge to the offline recogniser (ground-station/speech/, Debian
 * pocketsphinx): one recogniser per set of subject names, reused across
 * utterances; where pocketsphinx is missing the studio still runs and the
 * speech route answers SPEECH_UNAVAILABLE with the install hint.
 */
import { CinePilotError } from '../../core/errors.ts';
import type { ParseContext, ParseResult } from '../language/index.ts';
import { findPocketsphinx, hearShot, POCKETSPHINX_INSTALL_HINT, ShotRecogniser } from '../speech/recogniser.ts';
import { GroundStationError } from '../protocol/errors.ts';

export interface Heard {
  transcript: string;
  confidence: number | null;
  result: ParseResult;
}

let cached: { key: string; recogniser: ShotRecogniser } | null = null;

/** Whether the server can recognise speech here. */
export function speechAvailable(): boolean {
  return findPocketsphinx() !== undefined;
}

export async function recogniseSpeech(wav: Buffer, context: ParseContext): Promise<Heard> {
  if (!speechAvailable()) throw new GroundStationError('SPEECH_UNAVAILABLE', POCKETSPHINX_INSTALL_HINT);
  const key = [...context.subjects].sort().join(',');
  try {
    if (cached?.key !== key) {
      cached?.recogniser.dispose();
      cached = { key, recogniser: new ShotRecogniser(context.subjects) };
    }
    const heard = await hearShot(wav, context, cached.recogniser);
    return { transcript: heard.transcript, confidence: heard.confidence, result: heard.result };
  } catch (err) {
    if (err instanceof GroundStationError) throw err;
    const reason = err instanceof CinePilotError ? err.code : 'SPEECH_FAILED';
    throw new GroundStationError('SPEECH_UNAVAILABLE', `speech recognition failed: ${(err as Error).message}`, { reason });
  }
}

/** Release the cached recogniser's temporary files. */
export function disposeSpeech(): void {
  cached?.recogniser.dispose();
  cached = null;
}
