/**
 * The ground station's error catalogue: every error a client can receive,
 * over REST (`{ error: { code, message, details? } }` with the HTTP status
 * below) or over the WebSocket (`{ type: 'error', code, message, … }`).
 * docs/ground-station.md lists the same table for users.
 */
import { CinePilotError } from '../../core/errors.ts';

export const ERROR_CATALOGUE = {
  AUTH_MISSING: { status: 401, meaning: 'no access token given: open the URL printed by `cinepilot start` (it carries ?token=…) or send "Authorization: Bearer TOKEN"' },
  AUTH_INVALID: { status: 401, meaning: 'the token is not one of the configured tokens: ask the pilot for the URL with a valid token' },
  FORBIDDEN_ROLE: { status: 403, meaning: 'your role may not issue this command (viewer: none; dp: shot commands and stops; pilot: everything)' },
  BAD_MESSAGE: { status: 400, meaning: 'the message is not a JSON object with a string "type"' },
  MESSAGE_TOO_LARGE: { status: 413, meaning: 'the message is larger than the limit (16 KiB for commands); send smaller messages' },
  UNKNOWN_COMMAND: { status: 400, meaning: 'the "type" names no command; the message lists the known commands' },
  SCHEMA_INVALID: { status: 400, meaning: 'fields are missing, extra or of the wrong type; details lists each JSON path and what is expected' },
  RATE_LIMITED: { status: 429, meaning: 'too many commands in a short time; wait a moment (e-stop is never rate limited)' },
  SHOT_PARSE_FAILED: { status: 422, meaning: 'the words were not understood as a shot; the message says what was not understood and what is allowed' },
  SHOT_REJECTED: { status: 422, meaning: 'the shot is valid but cannot be flown now (unknown subject, unsafe distance, …); details.reason carries the controller\'s code' },
  UNKNOWN_VEHICLE: { status: 404, meaning: 'no vehicle with that id; the state stream lists the vehicles' },
  UNKNOWN_SUBJECT: { status: 404, meaning: 'no subject with that id or name; the state stream lists the subjects' },
  COMMAND_FAILED: { status: 409, meaning: 'the vehicle or controller refused the command (e.g. takeoff while disarmed); details.reason carries its code' },
  E_STOP_ACTIVE: { status: 409, meaning: 'the e-stop is engaged: nothing moves until a pilot releases it (release-e-stop)' },
  PREVIEW_FAILED: { status: 500, meaning: 'the preview simulation failed; the message says why' },
  SPEECH_UNAVAILABLE: { status: 503, meaning: 'no offline speech recogniser here; install Debian pocketsphinx and pocketsphinx-en-us, or use a browser with speech recognition' },
  UNSUPPORTED_MEDIA: { status: 415, meaning: 'the request body has the wrong content type (speech: audio/wav, commands: application/json)' },
  NOT_FOUND: { status: 404, meaning: 'no such route' },
  INTERNAL: { status: 500, meaning: 'an unexpected server error; it is logged; the server keeps running' },
} as const;

export type GroundErrorCode = keyof typeof ERROR_CATALOGUE;

/** A catalogued error; `details` is serialised to the client as is. */
export class GroundStationError extends CinePilotError {
  declare readonly code: GroundErrorCode;
  constructor(code: GroundErrorCode, message: string, details?: unknown) {
    super(code, message, details);
    this.name = 'GroundStationError';
  }
  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
}

export interface ErrorBody {
  code: GroundErrorCode;
  message: string;
  details?: unknown;
}

/**
 * Any thrown value → a catalogued error body. CinePilotErrors from the
 * language parser or the controller keep their own code in details.reason.
 */
export function toErrorBody(err: unknown, fallback: GroundErrorCode = 'INTERNAL'): ErrorBody {
  if (err instanceof GroundStationError) {
    return err.details === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, details: err.details };
  }
  if (err instanceof CinePilotError) {
    return { code: fallback, message: err.message, details: { reason: err.code } };
  }
  return { code: 'INTERNAL', message: 'internal error; see the server log' };
}
