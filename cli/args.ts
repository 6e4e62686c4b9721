/**
 * Flag parsing shared by every command: node's util.parseArgs plus number
 * checks that name the flag and the allowed range (exit code 2 on misuse).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CinePilotError } from '../core/errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = true) {
  // `--focal-mm -5` is a user giving a negative number, not a missing value:
  // glue it to its flag so the range check can name the flag and the range.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    const opt = a.startsWith('--') ? options[a.slice(2)] : undefined;
    if (opt?.type === 'string' && next !== undefined && /^-\d|^-\.\d|^-Infinity$/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new CinePilotError('BAD_FLAG', `${(err as Error).message}. Use --help to list the options.`);
  }
}

/**
 * Parse a numeric flag value and check it against [min, max] (exclusive where
 * asked). The message names the flag and the allowed range.
 */
export function numberFlag(
  name: string,
  raw: string | undefined,
  range: { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean } = {},
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const lo = range.min === undefined ? '' : `${range.exclusiveMin ? '>' : '≥'} ${range.min}`;
  const hi = range.max === undefined ? '' : `≤ ${range.max}`;
  const allowed = [lo, hi].filter(Boolean).join(' and ') || 'a finite number';
  const bad =
    !Number.isFinite(value) ||
    (range.integer && !Number.isInteger(value)) ||
    (range.min !== undefined && (range.exclusiveMin ? value <= range.min : value < range.min)) ||
    (range.max !== undefined && value > range.max);
  if (bad) {
    throw new CinePilotError('BAD_FLAG', `--${name} ${raw}: must be ${range.integer ? 'an integer ' : ''}${allowed}.`);
  }
  return value;
}
