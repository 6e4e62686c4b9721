/**
 * The safety supervisor's vocabulary: states, the reason for every
 * transition, the side effects a transition asks of the vehicle link, and the
 * record that goes to the flight log.
 */

/**
 * autonomy states. Only `active`, `perception-hold`, `plan-fallback`,
 * `braking`, `hovering` and `link-hold` stream setpoints; in every other
 * state the controller commands nothing and the autopilot's own mode
 * (hold, return, land, manual) is in charge.
 */
export const SAFETY_STATES = [
  'standby', 'active', 'perception-hold', 'plan-fallback', 'braking', 'hovering', 'link-hold',
  'returning', 'landing', 'estop', 'pilot-override',
] as const;
export type SafetyState = (typeof SAFETY_STATES)[number];

export const STREAMING_STATES: ReadonlySet<SafetyState> = new Set<SafetyState>([
  'active', 'perception-hold', 'plan-fallback', 'braking', 'hovering', 'link-hold',
]);

export type SafetyReason =
  | 'engaged' | 'stopped' | 'resumed'
  | 'link-lost' | 'link-restored' | 'link-loss-timeout'
  | 'perception-stale' | 'perception-restored' | 'perception-timeout'
  | 'solver-failed' | 'solver-recovered' | 'fallback-exhausted'
  | 'vehicle-stopped' | 'low-battery'
  | 'estop' | 'rearmed' | 'override-on' | 'override-off'
  | 'landed' | 'vehicle-command'
  | 'envelope';

/** What a transition asks the runtime to do on the vehicle link, once. */
export type SafetyEffect = 'hold' | 'return' | 'land' | 'start-offboard' | 'stop-offboard';

export interface SafetyTransition {
  /** monotonic time of the transition, s */
  atS: number;
  /** 'autonomy' for the state machine, 'envelope' for geofence/keep-out/speed interventions */
  region: 'autonomy' | 'envelope';
  from: string;
  to: string;
  reason: SafetyReason;
  /** one line a person can read */
  detail: string;
  /** who asked, for pilot/DP commands */
  who?: string;
  /** how long the triggering condition had lasted when the supervisor reacted, s */
  conditionAgeS?: number;
  effects: SafetyEffect[];
}
