/**
 * The last gate before a ShotSpec leaves the language layer: the schema
 * (core/shot-spec.ts) and the safety limits of the rig and the geofence.
 * Nothing moves until a spec has passed here (DESIGN.md §9, §11); the
 * controller's safety supervisor checks again, this is the early, explained
 * refusal.
 */
import { Value } from '@sinclair/typebox/value';
import { ShotSpecSchema, type ShotSpec } from '../../core/shot-spec.ts';
import type { Geofence } from '../../core/shot-controller.ts';
import type { Rig } from '../../hardware-profiles/schema.ts';

/** What the parser needs to know about the world it speaks for. */
export interface ParseContext {
  /** names of the subjects in the scene (any case) */
  subjects: readonly string[];
  /** the shot now running: pronouns and relative adjustments refer to it */
  current?: ShotSpec;
  /** rig safety: minimum camera-to-person distance, m (hardware-profiles rig `safety.keepOutRadiusM`) */
  keepOutRadiusM?: number;
  /** geofence altitude band above home, m (core/shot-controller.ts Geofence min/maxAltitudeM) */
  altitudeBandM?: { min: number; max: number };
  /** rig safety: fastest the shot may ask the aircraft to move, m/s (rig `safety.maxSpeedMps`) */
  maxSpeedMps?: number;
  /** the lens on the rig: requests outside its range are refused with the range */
  lens?: { focalLengthMm: { min: number; max: number }; fNumber: { min: number; max: number } };
}

/** Altitude band used when no geofence is given: ground clearance to the common 120 m legal ceiling, m. */
export const DEFAULT_ALTITUDE_BAND_M = { min: 1, max: 120 } as const;

/**
 * The safety part of a ParseContext from a loaded rig (keep-out radius, max
 * speed, lens range) and the geofence's altitude band (default
 * DEFAULT_ALTITUDE_BAND_M).
 */
export function safetyContext(rig: Pick<Rig, 'safety' | 'lens'>, geofence?: Pick<Geofence, 'minAltitudeM' | 'maxAltitudeM'>):
  Required<Pick<ParseContext, 'keepOutRadiusM' | 'altitudeBandM' | 'maxSpeedMps' | 'lens'>> {
  return {
    keepOutRadiusM: rig.safety.keepOutRadiusM,
    altitudeBandM: geofence ? { min: geofence.minAltitudeM, max: geofence.maxAltitudeM } : { ...DEFAULT_ALTITUDE_BAND_M },
    maxSpeedMps: rig.safety.maxSpeedMps,
    lens: { focalLengthMm: { ...rig.lens.focalLengthMm }, fNumber: { ...rig.lens.fNumber } },
  };
}

/**
 * Error codes (stable; documented in docs/shot-language.md):
 * EMPTY, NOT_UNDERSTOOD, NO_SHOT, NO_CURRENT_SHOT, CONFLICTING_SHOTS,
 * CONFLICTING_VALUES, MISSING_UNIT, UNKNOWN_SUBJECT, AMBIGUOUS_SUBJECT,
 * NO_SUBJECTS, ADJUSTMENT_LIMIT, UNSAFE_REQUEST, UNSAFE_DISTANCE,
 * UNSAFE_HEIGHT, UNSAFE_SPEED, OUT_OF_RANGE, LLM_FAILED, LOW_CONFIDENCE (speech).
 */
export type ParseErrorCode =
  | 'EMPTY' | 'NOT_UNDERSTOOD' | 'NO_SHOT' | 'NO_CURRENT_SHOT' | 'CONFLICTING_SHOTS' | 'CONFLICTING_VALUES' | 'MISSING_UNIT'
  | 'UNKNOWN_SUBJECT' | 'AMBIGUOUS_SUBJECT' | 'NO_SUBJECTS' | 'ADJUSTMENT_LIMIT' | 'UNSAFE_REQUEST' | 'UNSAFE_DISTANCE'
  | 'UNSAFE_HEIGHT' | 'UNSAFE_SPEED' | 'OUT_OF_RANGE' | 'LLM_FAILED' | 'LOW_CONFIDENCE';

export interface ParseError {
  code: ParseErrorCode;
  /** what was not understood or not allowed, and what to say instead */
  message: string;
  /** the options the user can pick from (subjects, kinds, units …) */
  allowed?: string[];
}

export type ParseResult =
  | { ok: true; spec: ShotSpec; notes?: string[] }
  | { ok: false; error: ParseError };

export function fail(code: ParseErrorCode, message: string, allowed?: readonly string[]): { ok: false; error: ParseError } {
  return { ok: false, error: { code, message, ...(allowed && allowed.length ? { allowed: [...allowed] } : {}) } };
}

const round = (x: number): number => Math.round(x * 100) / 100;

/** Drop undefined fields, check safety limits, then the schema. */
export function checkSpec(spec: ShotSpec, ctx: ParseContext, notes: string[] = []): ParseResult {
  const clean = Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as ShotSpec;
  const safety = checkSafety(clean, ctx);
  if (safety) return safety;
  if (!Value.Check(ShotSpecSchema, clean)) {
    const problems: string[] = [];
    for (const e of Value.Errors(ShotSpecSchema, clean)) {
      const field = e.path.replace(/^\//, '').replace(/\//g, '.');
      const line = `${field || 'spec'} = ${JSON.stringify(e.value)}: ${e.message.toLowerCase()}`;
      if (!problems.some((p) => p.startsWith(`${field || 'spec'} =`))) problems.push(line);
    }
    return fail('OUT_OF_RANGE', `the shot is outside what a ShotSpec allows: ${problems.join('; ')}.`, problems);
  }
  return notes.length ? { ok: true, spec: clean, notes } : { ok: true, spec: clean };
}

function checkSafety(spec: ShotSpec, ctx: ParseContext): { ok: false; error: ParseError } | undefined {
  if (ctx.keepOutRadiusM !== undefined && spec.distanceM !== undefined && spec.distanceM < ctx.keepOutRadiusM) {
    return fail('UNSAFE_DISTANCE',
      `refused: a distance of ${round(spec.distanceM)} m is inside the ${ctx.keepOutRadiusM} m keep-out radius around people. ` +
      `Ask for ${ctx.keepOutRadiusM} m or more, or a tighter framing/longer lens to look closer.`,
      [`distance ≥ ${ctx.keepOutRadiusM} m`]);
  }
  const band = ctx.altitudeBandM;
  if (band && spec.heightM !== undefined && (spec.heightM < band.min || spec.heightM > band.max)) {
    return fail('UNSAFE_HEIGHT',
      `refused: a height of ${round(spec.heightM)} m is outside the geofence altitude band of ${band.min}–${band.max} m. Ask for a height between ${band.min} and ${band.max} m.`,
      [`height ${band.min}–${band.max} m`]);
  }
  if (ctx.maxSpeedMps !== undefined && spec.speedMps !== undefined && spec.speedMps > ctx.maxSpeedMps) {
    return fail('UNSAFE_SPEED',
      `refused: a speed of ${round(spec.speedMps)} m/s is above the rig's limit of ${ctx.maxSpeedMps} m/s. Ask for ${ctx.maxSpeedMps} m/s or less.`,
      [`speed ≤ ${ctx.maxSpeedMps} m/s`]);
  }
  const lens = ctx.lens;
  if (lens && spec.focalLengthMm !== undefined) {
    const fs = typeof spec.focalLengthMm === 'number' ? [spec.focalLengthMm] : [spec.focalLengthMm.fromMm, spec.focalLengthMm.toMm];
    const bad = fs.find((f) => f < lens.focalLengthMm.min || f > lens.focalLengthMm.max);
    if (bad !== undefined) {
      return fail('OUT_OF_RANGE',
        `the lens on this rig zooms from ${lens.focalLengthMm.min} to ${lens.focalLengthMm.max} mm; ${bad} mm is outside it. Ask for a focal length in that range.`,
        [`focal length ${lens.focalLengthMm.min}–${lens.focalLengthMm.max} mm`]);
    }
  }
  if (lens && spec.fNumber !== undefined && (spec.fNumber < lens.fNumber.min || spec.fNumber > lens.fNumber.max)) {
    return fail('OUT_OF_RANGE',
      `the lens on this rig stops from f ${lens.fNumber.min} to f ${lens.fNumber.max}; f ${spec.fNumber} is outside it.`,
      [`f-number ${lens.fNumber.min}–${lens.fNumber.max}`]);
  }
  return undefined;
}
