/**
 * The bridge to the offline recogniser in ground-station/speech/ (owned by
 * the shot-language engineer): loaded on demand, so the studio runs where
 * that module or Debian's pocketsphinx is missing and says so plainly
 * (SPEECH_UNAVAILABLE) instead of failing at start.
 */
import { existsSync } from 'node:fs';
import { GroundStationError } from '../protocol/errors.ts';

const SPEECH_MODULE = new URL('../speech/index.ts', import.meta.url);

interface Heard {
  transcript: string;
  confidence: number | null;
}

type Recognise = (wav: Buffer, options: { subjects: string[] }) => Promise<unknown>;
type Availability = () => boolean | { ok: boolean; message?: string } | Promise<boolean | { ok: boolean; message?: string }>;

let loaded: { recognise: Recognise | null; available: Availability | null } | null = null;

async function load(): Promise<NonNullable<typeof loaded>> {
  if (loaded) return loaded;
  if (!existsSync(SPEECH_MODULE)) return (loaded = { recognise: null, available: null });
  const mod = (await import(SPEECH_MODULE.href)) as Record<string, unknown>;
  const pick = <T>(...names: string[]): T | null => (names.map((n) => mod[n]).find((f) => typeof f === 'function') as T | undefined) ?? null;
  return (loaded = {
    recognise: pick<Recognise>('recognise', 'recognize', 'recogniseWav', 'recognizeWav'),
    available: pick<Availability>('speechAvailable', 'isAvailable', 'recogniserAvailable', 'available'),
  });
}

/** Whether the server can recognise speech here (module present and, if it says, its recogniser installed). */
export async function probeSpeech(): Promise<boolean> {
  const m = await load();
  if (!m.recognise) return false;
  if (!m.available) return true;
  try {
    const a = await m.available();
    return typeof a === 'boolean' ? a : a.ok;
  } catch {
    return false;
  }
}

export async function recogniseSpeech(wav: Buffer, subjects: string[]): Promise<Heard> {
  const m = await load();
  if (!m.recognise) {
    throw new GroundStationError('SPEECH_UNAVAILABLE', 'no offline speech recogniser in this build; use a browser with speech recognition (Chrome) or type the shot');
  }
  let r: unknown;
  try {
    r = await m.recognise(wav, { subjects });
  } catch (err) {
    throw new GroundStationError('SPEECH_UNAVAILABLE', `speech recognition failed: ${(err as Error).message}`);
  }
  const o = (r ?? {}) as { transcript?: unknown; text?: unknown; hypothesis?: unknown; confidence?: unknown };
  const transcript = [o.transcript, o.text, o.hypothesis].find((t) => typeof t === 'string') as string | undefined;
  if (transcript === undefined) throw new GroundStationError('SPEECH_UNAVAILABLE', 'the recogniser returned no transcript');
  return { transcript, confidence: typeof o.confidence === 'number' ? o.confidence : null };
}
