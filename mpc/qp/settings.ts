/**
 * Settings of the OCP-QP interior-point solver: every default has a name,
 * validation happens once here, and the message lists what is allowed.
 */
import { CinePilotError } from '../../core/errors.ts';
import { QP_ERROR } from './ocp-qp.ts';

export const DEFAULT_MAX_ITERATIONS = 50;
/** No time limit by default; the RTI sets one from its tick budget. */
export const DEFAULT_TIME_LIMIT_MS = Infinity;
export const DEFAULT_TOL_STATIONARITY = 1e-8;
export const DEFAULT_TOL_EQUALITY = 1e-8;
export const DEFAULT_TOL_INEQUALITY = 1e-8;
export const DEFAULT_TOL_COMPLEMENTARITY = 1e-8;
/** Fraction-to-the-boundary τ: steps stop at τ of the way to t = 0 or λ = 0. */
export const DEFAULT_STEP_FRACTION = 0.995;
/**
 * Mehrotra's step heuristic: the blocking slack/multiplier pair ends the step
 * with γ_f times the mean complementarity (instead of τ of the way to zero).
 */
export const DEFAULT_BLOCKING_COMPLEMENTARITY = 0.01;
/** Initial slack floor (cold start: t = max(slack of the start point, this)). */
export const DEFAULT_INITIAL_SLACK = 1;
/** Warm start keeps the previous primal point but floors slacks at this. */
export const DEFAULT_WARM_SLACK = 1e-2;
/** Added to the reduced Hessian R̃ₖ diagonal so a PSD (not PD) R still factors. */
export const DEFAULT_REGULARIZATION = 1e-12;
/** A multiplier beyond this while the primal residual stays up means "infeasible". */
export const DEFAULT_INFEASIBILITY_DUAL_BOUND = 1e10;

export interface QpSettings {
  /** interior-point iterations before status max-iterations */
  maxIterations: number;
  /** wall-clock budget of one solve(), ms (Infinity = none) */
  timeLimitMs: number;
  /** ‖∇L‖∞ tolerance, relative to max(1, ‖q‖∞, ‖r‖∞) */
  tolStationarity: number;
  /** ‖Aₖxₖ + Bₖuₖ + bₖ − xₖ₊₁‖∞ tolerance */
  tolEquality: number;
  /** ‖t − (slack of the inequalities)‖∞ tolerance */
  tolInequality: number;
  /**
   * mean complementarity μ = tᵀλ / m tolerance, relative to max(1, ‖q‖∞, ‖r‖∞)
   * like stationarity (t∘λ carries the cost's units: scaling the cost by c
   * scales λ by c, and the solution must not move)
   */
  tolComplementarity: number;
  /** start from the previous solution's primal point */
  warmStart: boolean;
  /** start from the previous solution's multipliers λ (floored at warmSlack); see shiftWarmStart() */
  warmStartDual: boolean;
  /** fraction-to-the-boundary τ: the least share of the way to the boundary a blocked step takes */
  stepFraction: number;
  /** γ_f of Mehrotra's step heuristic (0 < γ_f < 1; smaller = nearer the boundary) */
  blockingComplementarity: number;
  initialSlack: number;
  warmSlack: number;
  regularization: number;
  infeasibilityDualBound: number;
  /** scan the data for NaN before each solve (throws QP_NON_FINITE_DATA) */
  checkData: boolean;
  /** measure info.solveMs (two clock reads; Node boxes each, ~18 B — off for a zero-allocation solve) */
  timing: boolean;
}

export const DEFAULT_QP_SETTINGS: Readonly<QpSettings> = Object.freeze({
  maxIterations: DEFAULT_MAX_ITERATIONS,
  timeLimitMs: DEFAULT_TIME_LIMIT_MS,
  tolStationarity: DEFAULT_TOL_STATIONARITY,
  tolEquality: DEFAULT_TOL_EQUALITY,
  tolInequality: DEFAULT_TOL_INEQUALITY,
  tolComplementarity: DEFAULT_TOL_COMPLEMENTARITY,
  warmStart: false,
  warmStartDual: false,
  stepFraction: DEFAULT_STEP_FRACTION,
  blockingComplementarity: DEFAULT_BLOCKING_COMPLEMENTARITY,
  initialSlack: DEFAULT_INITIAL_SLACK,
  warmSlack: DEFAULT_WARM_SLACK,
  regularization: DEFAULT_REGULARIZATION,
  infeasibilityDualBound: DEFAULT_INFEASIBILITY_DUAL_BOUND,
  checkData: true,
  timing: true,
});

type Rule = { kind: 'int' | 'pos' | 'nonneg' | 'fraction' | 'bool' | 'posOrInf'; text: string };
const RULES: Record<keyof QpSettings, Rule> = {
  maxIterations: { kind: 'int', text: 'an integer ≥ 1' },
  timeLimitMs: { kind: 'posOrInf', text: 'a number > 0 (Infinity = no limit)' },
  tolStationarity: { kind: 'pos', text: 'a number > 0' },
  tolEquality: { kind: 'pos', text: 'a number > 0' },
  tolInequality: { kind: 'pos', text: 'a number > 0' },
  tolComplementarity: { kind: 'pos', text: 'a number > 0' },
  warmStart: { kind: 'bool', text: 'true or false' },
  warmStartDual: { kind: 'bool', text: 'true or false' },
  stepFraction: { kind: 'fraction', text: 'a number in (0, 1)' },
  blockingComplementarity: { kind: 'fraction', text: 'a number in (0, 1)' },
  initialSlack: { kind: 'pos', text: 'a number > 0' },
  warmSlack: { kind: 'pos', text: 'a number > 0' },
  regularization: { kind: 'nonneg', text: 'a number ≥ 0' },
  infeasibilityDualBound: { kind: 'pos', text: 'a number > 0' },
  checkData: { kind: 'bool', text: 'true or false' },
  timing: { kind: 'bool', text: 'true or false' },
};

/** Merge `partial` over `base` and validate; throws QP_BAD_SETTINGS naming the setting. */
export function resolveQpSettings(partial: Partial<QpSettings> = {}, base: Readonly<QpSettings> = DEFAULT_QP_SETTINGS): QpSettings {
  const out = { ...base } as QpSettings;
  for (const [key, value] of Object.entries(partial)) {
    const rule = RULES[key as keyof QpSettings];
    if (!rule) {
      throw new CinePilotError(QP_ERROR.badSettings, `unknown QP setting "${key}"; allowed: ${Object.keys(RULES).join(', ')}.`);
    }
    if (value === undefined) continue;
    const v = value as number | boolean;
    const ok =
      rule.kind === 'bool' ? typeof v === 'boolean'
      : typeof v !== 'number' || Number.isNaN(v) ? false
      : rule.kind === 'int' ? Number.isInteger(v) && v >= 1
      : rule.kind === 'pos' ? Number.isFinite(v) && v > 0
      : rule.kind === 'posOrInf' ? v > 0
      : rule.kind === 'nonneg' ? Number.isFinite(v) && v >= 0
      : v > 0 && v < 1;
    if (!ok) throw new CinePilotError(QP_ERROR.badSettings, `QP setting ${key} = ${String(v)}: must be ${rule.text}.`);
    (out as unknown as Record<string, number | boolean>)[key] = v;
  }
  return out;
}
