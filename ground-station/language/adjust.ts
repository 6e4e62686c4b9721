/**
 * Relative adjustments to the current shot: "closer", "a bit wider",
 * "slower", "more headroom", "other side", "lower", "shallower", "again".
 * Each step has a named size; "a bit" halves it, "much" doubles it. The
 * result goes through the same schema and safety checks as a new shot.
 */
import type { Direction, ShotSpec } from '../../core/shot-spec.ts';
import { FULL_BODY_HEADROOM } from '../../core/framing.ts';
import { ANGLE_ORDER, FRAMING_ORDER, OTHER_SIDE, type AdjustmentKind } from './vocabulary.ts';
import type { ParseError } from './validate.ts';

export interface Adjustment {
  kind: AdjustmentKind;
  /** 0.5 for "a bit", 1 plain, 2 for "much" */
  scale: number;
  /** the words as said */
  said: string;
}

/** "closer" shortens the distance by this fraction (×0.75); "further" undoes exactly that step. */
export const DISTANCE_STEP_FRACTION = 0.25;
/** "slower"/"faster" change the speed (or the duration) by this fraction. */
export const SPEED_STEP_FRACTION = 0.25;
/** "higher"/"lower" change the height by this much, m. */
export const HEIGHT_STEP_M = 1;
/** "more headroom" adds this fraction of the frame height above the head. */
export const HEADROOM_STEP = 0.05;
/** "shallower"/"deeper" open/close the iris by this many stops. */
export const APERTURE_STEP_STOPS = 1;
/** Speed assumed when the current shot has none and the DP says "faster"/"slower", m/s. */
export const DEFAULT_SPEED_MPS = 2;
/** Duration assumed when the current shot has none and the DP says "longer"/"shorter", s. */
export const DEFAULT_DURATION_S = 10;
/** Framing assumed when the current shot has none and the DP says "wider"/"tighter". */
export const DEFAULT_FRAMING = 'medium' as const;

const FLIP_DIRECTION: Record<Direction, Direction> = { clockwise: 'counterclockwise', counterclockwise: 'clockwise', up: 'down', down: 'up', in: 'out', out: 'in' };

const r2 = (x: number): number => Math.round(x * 100) / 100;
const r1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * Apply adjustments in the order said. `onCurrent` is true when they change
 * the running shot (no new shot word), which is what makes "again" meaningful.
 */
export function applyAdjustments(spec: ShotSpec, adjustments: Adjustment[], onCurrent: boolean):
  { ok: true; spec: ShotSpec; notes?: string[] } | { ok: false; error: ParseError } {
  const s: ShotSpec = structuredClone(spec);
  const notes: string[] = [];
  for (const a of adjustments) {
    const e = applyOne(s, a, notes, onCurrent);
    if (e) return { ok: false, error: e };
  }
  return notes.length ? { ok: true, spec: s, notes } : { ok: true, spec: s };
}

function framingStep(s: ShotSpec, a: Adjustment, towardsTight: boolean, notes: string[]): ParseError | undefined {
  const from = s.framing ?? DEFAULT_FRAMING;
  if (!s.framing) notes.push(`no framing set: "${a.said}" starts from ${DEFAULT_FRAMING}`);
  const steps = a.scale >= 2 ? 2 : 1;
  const idx = FRAMING_ORDER.indexOf(from) + (towardsTight ? steps : -steps);
  if (idx < 0 || idx >= FRAMING_ORDER.length) {
    const edge = towardsTight ? FRAMING_ORDER[FRAMING_ORDER.length - 1] : FRAMING_ORDER[0];
    if (from === edge) {
      return { code: 'ADJUSTMENT_LIMIT', message: `"${a.said}": the shot is already ${from}, the ${towardsTight ? 'tightest' : 'widest'} framing. Change the distance or the lens instead ("5 metres", "35 mm").`, allowed: [...FRAMING_ORDER] };
    }
  }
  s.framing = FRAMING_ORDER[Math.max(0, Math.min(FRAMING_ORDER.length - 1, idx))];
  return undefined;
}

function applyOne(s: ShotSpec, a: Adjustment, notes: string[], onCurrent: boolean): ParseError | undefined {
  const shrink = 1 - DISTANCE_STEP_FRACTION * Math.min(a.scale, 2);
  switch (a.kind) {
    case 'closer':
      if (s.distanceM !== undefined) s.distanceM = r2(s.distanceM * shrink);
      else return framingStep(s, a, true, notes);
      return undefined;
    case 'further':
      if (s.distanceM !== undefined) s.distanceM = r2(s.distanceM / shrink);
      else return framingStep(s, a, false, notes);
      return undefined;
    case 'tighter': return framingStep(s, a, true, notes);
    case 'wider': return framingStep(s, a, false, notes);
    case 'slower': case 'faster': {
      const f = 1 - SPEED_STEP_FRACTION * Math.min(a.scale, 2);
      const slower = a.kind === 'slower';
      if (s.speedMps !== undefined) s.speedMps = r2(slower ? s.speedMps * f : s.speedMps / f);
      else if (s.durationS !== undefined) s.durationS = r2(slower ? s.durationS / f : s.durationS * f);
      else {
        s.speedMps = r2(slower ? DEFAULT_SPEED_MPS * f : DEFAULT_SPEED_MPS / f);
        notes.push(`no speed or duration set: "${a.said}" starts from ${DEFAULT_SPEED_MPS} m/s`);
      }
      return undefined;
    }
    case 'longer': case 'shorter': {
      const f = 1 - SPEED_STEP_FRACTION * Math.min(a.scale, 2);
      const base = s.durationS ?? DEFAULT_DURATION_S;
      if (s.durationS === undefined) notes.push(`no duration set: "${a.said}" starts from ${DEFAULT_DURATION_S} s`);
      s.durationS = r2(a.kind === 'longer' ? base / f : base * f);
      return undefined;
    }
    case 'more-headroom': case 'less-headroom': {
      const base = s.headroom ?? FULL_BODY_HEADROOM;
      const next = base + (a.kind === 'more-headroom' ? 1 : -1) * HEADROOM_STEP * a.scale;
      s.headroom = r2(Math.max(0, Math.min(0.5, next)));
      return undefined;
    }
    case 'other-side':
      if (s.side) { s.side = OTHER_SIDE[s.side]; return undefined; }
      if (s.kind === 'orbit' && s.direction) { s.direction = FLIP_DIRECTION[s.direction]; return undefined; }
      return { code: 'ADJUSTMENT_LIMIT', message: `"${a.said}": the current shot has no side set, so there is no other side. Say which: "from her left", "from his right", "from behind".`, allowed: ['front', 'behind', 'left', 'right', 'front-left', 'front-right', 'behind-left', 'behind-right'] };
    case 'other-way':
      if (s.direction) { s.direction = FLIP_DIRECTION[s.direction]; return undefined; }
      return { code: 'ADJUSTMENT_LIMIT', message: `"${a.said}": the current shot has no direction set. Say "clockwise" or "counterclockwise".`, allowed: ['clockwise', 'counterclockwise'] };
    case 'lower': case 'higher': {
      const up = a.kind === 'higher';
      if (s.heightM !== undefined) {
        s.heightM = r2(s.heightM + (up ? 1 : -1) * HEIGHT_STEP_M * a.scale);
        return undefined;
      }
      const idx = ANGLE_ORDER.indexOf(s.angle ?? 'eye-level') + (up ? 1 : -1);
      if (idx < 0 || idx >= ANGLE_ORDER.length) {
        return { code: 'ADJUSTMENT_LIMIT', message: `"${a.said}": the angle is already ${s.angle}. Give a height instead ("at 3 metres high").`, allowed: [...ANGLE_ORDER] };
      }
      s.angle = ANGLE_ORDER[idx];
      return undefined;
    }
    case 'shallower': case 'deeper': {
      const open = a.kind === 'shallower';
      if (s.fNumber !== undefined) {
        const factor = Math.SQRT2 ** (APERTURE_STEP_STOPS * a.scale);
        s.fNumber = r1(open ? s.fNumber / factor : s.fNumber * factor);
      }
      s.depthOfField = open ? 'shallow' : 'deep';
      return undefined;
    }
    case 'again':
      if (!onCurrent) notes.push('"again": the shot as said');
      return undefined;
  }
}

