/**
 * One error type for everything a user (or a caller) can cause. `code` is a
 * stable, documented identifier (see each module's catalogue and README
 * "Errors"); `message` says what went wrong and what to do about it.
 */
export class CinePilotError extends Error {
  readonly code: string;
  readonly details?: unknown;

  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'CinePilotError';
    this.code = code;
    this.details = details;
  }
}

/** Exit codes shared by every CLI command. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1; // ran, but the result is a failure (e.g. tolerances not met)
export const EXIT_BAD_INPUT = 2; // bad flags, bad files, unknown names
