/**
 * POST /api/speech: a WAV recording from the microphone button (browsers
 * without their own speech recognition) → offline recogniser → transcript and
 * parse. dp role or above; audit-logged like a command.
 *
 * A spoken stop is not sent back for preview: the moment the studio hears
 * one, every vehicle gets the `stop` command (what the Stop button sends:
 * autonomy off, the autopilot holds position) through the same dispatcher as
 * typed commands, audit-logged with via "speech" and what was heard. Not the
 * e-stop: that latches until a pilot releases it, and a stop heard in error
 * should cost a hover, not a pilot's intervention.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { roleAtLeast } from '../../protocol/commands.ts';
import { GroundStationError, toErrorBody } from '../../protocol/errors.ts';
import type { HeardStop, SpokenStopOutcome, Studio } from '../../studio-api.ts';
import type { AccessControl, Principal } from '../access.ts';
import type { AuditLog } from '../audit.ts';
import type { CommandDispatcher } from '../dispatch.ts';
import { authenticateHook } from '../http-auth.ts';

export interface SpeechOptions {
  studio: Studio;
  access: AccessControl;
  audit: AuditLog;
  dispatcher: CommandDispatcher;
}

/** `stop` to every vehicle, each on its own (one refusing must not keep the others moving). */
async function stopEveryVehicle(studio: Studio, dispatcher: CommandDispatcher, who: Principal, heard: HeardStop): Promise<SpokenStopOutcome> {
  const said = `"${heard.heard}" (${heard.by === 'stop-decoder' ? 'stop decoder' : 'shot recogniser'})`;
  const vehicles = await Promise.all(studio.state().vehicles.map(async ({ id }) => {
    try {
      const r = (await dispatcher.dispatch('stop', { vehicleId: id }, who, 'speech', said)) as { message?: string };
      return { vehicleId: id, ok: true, message: r?.message ?? 'stopped' };
    } catch (err) {
      return { vehicleId: id, ok: false, message: (err as Error).message };
    }
  }));
  return { ...heard, vehicles };
}

/** ~60 s of 16 kHz 16-bit mono, or ~12 s at 44.1 kHz stereo. */
export const MAX_SPEECH_BYTES = 2 * 1024 * 1024;
const WAV_TYPES = ['audio/wav', 'audio/wave', 'audio/x-wav', 'audio/vnd.wave'];

export const speechPlugin: FastifyPluginAsync<SpeechOptions> = async (app: FastifyInstance, opts) => {
  app.addContentTypeParser(WAV_TYPES, { parseAs: 'buffer', bodyLimit: MAX_SPEECH_BYTES }, (_req, body, done) => done(null, body));
  app.post('/api/speech', { preValidation: authenticateHook(opts.access), bodyLimit: MAX_SPEECH_BYTES }, async (req) => {
    const who = req.principal!;
    const base = { role: who.role, who: who.name, via: 'rest' as const, command: 'speech' };
    try {
      if (!roleAtLeast(who.role, 'dp')) throw new GroundStationError('FORBIDDEN_ROLE', `speech commands need the dp role; you are signed in as ${who.role}`);
      const body = req.body;
      if (!Buffer.isBuffer(body)) throw new GroundStationError('UNSUPPORTED_MEDIA', `send the recording as ${WAV_TYPES[0]}`);
      if (body.length < 44 || body.toString('ascii', 0, 4) !== 'RIFF' || body.toString('ascii', 8, 12) !== 'WAVE') {
        throw new GroundStationError('UNSUPPORTED_MEDIA', 'the body is not a WAV file (RIFF/WAVE header missing)');
      }
      const stopping: { outcome: Promise<SpokenStopOutcome> | null } = { outcome: null };
      const result = await opts.studio.recognise(body, who, (heard) => (stopping.outcome ??= stopEveryVehicle(opts.studio, opts.dispatcher, who, heard)));
      const stop = stopping.outcome ? await stopping.outcome : undefined;
      opts.audit.record({ ...base, params: { bytes: body.length, transcript: result.transcript, ...(stop ? { stop: stop.heard, stopBy: stop.by } : {}) }, ok: true });
      return stop ? { ...result, stop } : result;
    } catch (err) {
      const e = toErrorBody(err, 'SPEECH_UNAVAILABLE');
      opts.audit.record({ ...base, params: null, ok: false, code: e.code, message: e.message });
      throw err instanceof GroundStationError ? err : new GroundStationError(e.code, e.message, e.details);
    }
  });
};
