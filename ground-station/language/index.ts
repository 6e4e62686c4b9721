/**
 * Shot language: the DP's words → a validated ShotSpec (DESIGN.md §9).
 * The ground station, `cinepilot parse` and `cinepilot validate --shot` import
 * from here.
 */
import type { ShotSpec } from '../../core/shot-spec.ts';
import { parseShot } from './parser.ts';
import type { ParseContext, ParseResult } from './validate.ts';

export { parseShot, normaliseSubjects } from './parser.ts';
export { checkSpec, safetyContext, DEFAULT_ALTITUDE_BAND_M, type ParseContext, type ParseError, type ParseErrorCode, type ParseResult } from './validate.ts';
export { tokenize, normaliseText } from './tokens.ts';

/**
 * A relative change to the running shot ("a bit wider", "closer", "other
 * side", "again"); also accepts a full new command. Subjects default to the
 * current shot's.
 */
export function adjustShot(current: ShotSpec, text: string, context: Omit<ParseContext, 'current'> = { subjects: current.subjects }): ParseResult {
  return parseShot(text, { ...context, current });
}
