/**
 * Framing vocabulary shared by the shot recipes (what the MPC aims for) and
 * the simulator's metrics (what was achieved). Sizes are expressed as the
 * image height of a *whole standing person* (head top to feet) as a fraction
 * of the frame height, whether or not the feet are in frame: that quantity is
 * smooth for the optimiser and measurable from ground truth.
 */
import type { Framing } from './shot-spec.ts';

/** Points on a person, as a fraction of their height above the ground. */
export const PERSON_POINT_HEIGHT_FRACTION = {
  headTop: 1.0,
  /** eye line */
  head: 0.93,
  /** mid-chest */
  torso: 0.72,
  /** hips */
  hips: 0.53,
  feet: 0,
} as const;
export type PersonPoint = keyof typeof PERSON_POINT_HEIGHT_FRACTION;

/**
 * Full-body image height / frame height per framing. Close framings exceed 1
 * (the body extends beyond the frame): a medium shot shows from the waist up,
 * so the whole body would span about 1.6 frame heights.
 */
export const FRAMING_PERSON_HEIGHT_FRACTION: Record<Framing, number> = {
  'extreme-wide': 0.12,
  wide: 0.35,
  full: 0.8,
  'medium-wide': 1.15,
  medium: 1.6,
  'medium-close-up': 2.4,
  'close-up': 4.0,
  'extreme-close-up': 8.0,
};

/** Default standing height of a person when perception has no better estimate, m. */
export const DEFAULT_PERSON_HEIGHT_M = 1.75;

/** Headroom above the head top for framings that show the whole body. */
export const FULL_BODY_HEADROOM = 0.1;

/**
 * Where the eye line sits vertically (normalised v, 0 = top) for a framing:
 * on the upper third line for medium and tighter shots; for wider shots the
 * body is placed with a fixed headroom (or centred if it is small).
 */
export function eyeLineV(framing: Framing): number {
  const h = FRAMING_PERSON_HEIGHT_FRACTION[framing];
  const headToEyes = (PERSON_POINT_HEIGHT_FRACTION.headTop - PERSON_POINT_HEIGHT_FRACTION.head) * h;
  if (h >= 1.15) return 1 / 3;
  if (h >= 0.5) return FULL_BODY_HEADROOM + headToEyes;
  // small in frame: centre the body vertically
  return 0.5 - h / 2 + headToEyes;
}
