/**
 * How the MPC reads a subject's position uncertainty.
 *
 * Which uncertainty: the predictor's covariance at a stage time is an
 * open-loop prediction (perception's constant-velocity filter, driven by a
 * subject's possible accelerations, reports 0.35 m now and 3.4 m two seconds
 * ahead for the runner). The controller never flies that open loop: it
 * re-plans every tick on an estimate that perception refreshes at ≥ 10 Hz
 * (DESIGN.md §7), so the stage it reaches 2 s from now is flown on an
 * estimate about as good as today's. Padding the keep-out and capping the zoom
 * by the open-loop growth made the plan hold back and zoom out for errors it
 * will never have to live with (the runner track flown on perception:
 * keep-out 3.9 m now but 7 m at the horizon's end, zoom capped at 24 mm from
 * 1 s ahead, so the drone kept 4.2 m off at 55 mm and framed her 40 % small).
 * Planning therefore takes a subject's uncertainty at no more than
 * UNCERTAINTY_HORIZON_S past the plan's first stage: what the estimate holds
 * now (including its growth since the last detection, so a subject that is
 * not seen still widens tick by tick) plus one detection interval.
 *
 * Which direction: a monocular estimate is far surer across the line of
 * sight than along it, so each consumer projects the covariance onto the
 * direction it cares about: the keep-out onto subject → drone (which is the
 * line of sight, so its pad stays the range error), the zoom cap across the
 * line of sight, the aperture along it.
 */

/**
 * Seconds past the plan's first stage up to which a subject's predicted
 * uncertainty grows: one detection interval at perception's minimum rate
 * (10 Hz), after which the estimate the controller re-plans on is fresh again.
 */
export const UNCERTAINTY_HORIZON_S = 0.1;

/** The time at which to read a subject's uncertainty for a stage at `stageTimeS` of a plan whose first stage is at `planStartS`. */
export function uncertaintyTimeS(stageTimeS: number, planStartS: number): number {
  return Math.min(stageTimeS, planStartS + UNCERTAINTY_HORIZON_S);
}

/**
 * 1-σ of a horizontal position error along the direction (dirN, dirE) (any
 * length; zero means the worst direction), from its north-east covariance
 * [a b; b d] (m²), m.
 */
export function sigmaAlongM(a: number, b: number, d: number, dirN: number, dirE: number): number {
  const len2 = dirN * dirN + dirE * dirE;
  // no direction: the worst one (the larger eigenvalue)
  if (!(len2 > 0)) return Math.sqrt(Math.max((a + d) / 2 + Math.hypot((a - d) / 2, b), 0));
  const v = (a * dirN * dirN + 2 * b * dirN * dirE + d * dirE * dirE) / len2;
  return Math.sqrt(Math.max(v, 0));
}
