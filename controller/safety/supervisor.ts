/**
 * The safety supervisor (DESIGN.md §11): an explicit state machine between
 * the shot controller and the vehicle link. The shot controller proposes,
 * the supervisor disposes: it decides each tick whether anything is sent at
 * all, replaces the proposal when the solver or perception fails, and passes
 * whatever it sends through the flight envelope (safety/envelope.ts). The
 * MPC has no path to the link that avoids it.
 *
 * Every transition carries a reason, the time the triggering condition had
 * lasted, and the link effects it asks for; the runtime executes the effects
 * and logs the transition.
 */
import type { ControlOutput, PlanSummary } from '../../core/shot-controller.ts';
import type { GimbalCommand, LensCommand, Setpoint, VehicleTelemetry } from '../../core/vehicle-link.ts';
import type { Rig } from '../../hardware-profiles/schema.ts';
import { type Vec3, vec3, clone, norm } from '../../core/vec3.ts';
import { CinePilotError } from '../../core/errors.ts';
import { type PersonObstacle, type SafetyEnvelope, interventionNames } from './envelope.ts';
import {
  type SafetyEffect, type SafetyReason, type SafetyState, type SafetyTransition, STREAMING_STATES,
} from './states.ts';

/** Telemetry older than this means the link is lost, s. */
export const DEFAULT_LINK_STALE_S = 0.3;
/** Subjects not updated for this long: keep framing on the prediction, s. */
export const DEFAULT_PERCEPTION_STALE_S = 0.5;
/** Subjects not updated for this long: stop and hover, s. */
export const DEFAULT_PERCEPTION_TIMEOUT_S = 2.0;
/** How long the shifted previous plan may stand in for a failed solver, s. */
export const DEFAULT_SOLVER_FALLBACK_S = 0.5;
/** Consecutive good solves before the solver is trusted again. */
export const DEFAULT_SOLVER_RECOVERY_TICKS = 3;
/** Below this speed a brake is complete, m/s. */
export const DEFAULT_STOPPED_SPEED_MPS = 0.3;
/** Setpoint ticks streamed before offboard is requested (PX4 wants a running stream first). */
export const OFFBOARD_PRESTREAM_TICKS = 3;

/**
 * Solver statuses that mean "do not use this output". A real-time iteration
 * cut short ('time-limit', 'max-iterations') is still a usable plan; a
 * controller that is already falling back or holding on its own says so
 * with a 'fallback:' / 'hold:' prefix (controller/mpc-shot-controller.ts).
 */
export const FAILED_SOLVER_STATUSES: ReadonlySet<string> = new Set([
  'numerical-error', 'infeasible', 'failed', 'error', 'diverged', 'nan',
]);
export const FAILED_SOLVER_STATUS_PREFIXES = ['fallback:', 'hold:', 'numerical-error:'] as const;

export function solverStatusFailed(status: string): boolean {
  return FAILED_SOLVER_STATUSES.has(status) || FAILED_SOLVER_STATUS_PREFIXES.some((p) => status.startsWith(p));
}

/** A solve slower than this many loop periods counts as an overrun (its output is more than a tick late). */
export const DEFAULT_SOLVER_BUDGET_PERIODS = 2;

export interface SupervisorSettings {
  linkStaleS: number;
  linkLossHoldS: number;
  linkLossAction: 'return' | 'land';
  perceptionStaleS: number;
  perceptionTimeoutS: number;
  solverFallbackS: number;
  solverRecoveryTicks: number;
  /** a solve slower than this is treated as a failure (overrun), ms */
  solverBudgetMs: number;
  lowBatteryFraction: number;
  stoppedSpeedMps: number;
}

export function supervisorSettingsFromRig(rig: Rig, periodS: number, overrides: Partial<SupervisorSettings> = {}): SupervisorSettings {
  const s: SupervisorSettings = {
    linkStaleS: DEFAULT_LINK_STALE_S,
    linkLossHoldS: rig.safety.linkLossHoldS,
    linkLossAction: rig.safety.linkLossAction,
    perceptionStaleS: DEFAULT_PERCEPTION_STALE_S,
    perceptionTimeoutS: DEFAULT_PERCEPTION_TIMEOUT_S,
    solverFallbackS: DEFAULT_SOLVER_FALLBACK_S,
    solverRecoveryTicks: DEFAULT_SOLVER_RECOVERY_TICKS,
    solverBudgetMs: DEFAULT_SOLVER_BUDGET_PERIODS * periodS * 1000,
    lowBatteryFraction: rig.safety.lowBatteryFraction,
    stoppedSpeedMps: DEFAULT_STOPPED_SPEED_MPS,
    ...overrides,
  };
  validateSupervisorSettings(s);
  return s;
}

export function validateSupervisorSettings(s: SupervisorSettings): void {
  const problems: string[] = [];
  const positive = ['linkStaleS', 'perceptionStaleS', 'perceptionTimeoutS', 'solverBudgetMs', 'stoppedSpeedMps'] as const;
  for (const k of positive) if (!(s[k] > 0)) problems.push(`${k} must be > 0 (got ${s[k]})`);
  for (const k of ['linkLossHoldS', 'solverFallbackS'] as const) if (!(s[k] >= 0)) problems.push(`${k} must be ≥ 0 (got ${s[k]})`);
  if (!(s.perceptionTimeoutS > s.perceptionStaleS)) problems.push('perceptionTimeoutS must exceed perceptionStaleS');
  if (!(Number.isInteger(s.solverRecoveryTicks) && s.solverRecoveryTicks >= 1)) problems.push('solverRecoveryTicks must be an integer ≥ 1');
  if (!(s.lowBatteryFraction >= 0 && s.lowBatteryFraction <= 1)) problems.push('lowBatteryFraction must be in 0…1');
  if (s.linkLossAction !== 'return' && s.linkLossAction !== 'land') problems.push('linkLossAction must be "return" or "land"');
  if (problems.length) throw new CinePilotError('SAFETY_BAD_SETTINGS', `safety settings: ${problems.join('; ')}.`);
}

/** Everything the supervisor looks at in one tick. */
export interface SafetyObservation {
  nowS: number;
  telemetry: VehicleTelemetry | null;
  /** seconds since the last message from the vehicle */
  linkAgeS: number;
  /** seconds since subjects were last updated; null when the shot needs no subjects */
  perceptionAgeS: number | null;
  /** the shot controller's proposal this tick, null when it was not run */
  control: ControlOutput | null;
  /** set when the shot controller threw */
  controlError: string | null;
  people: readonly PersonObstacle[];
}

/** What goes to the link this tick; null fields are not sent. */
export interface SafetyDecision {
  setpoint: Setpoint | null;
  gimbal: GimbalCommand | null;
  lens: LensCommand | null;
  /** INTERVENTION_* bit mask of the envelope this tick */
  interventions: number;
}

interface BrakePlan {
  startS: number;
  from: Vec3;
  /** unit direction of travel */
  dir: Vec3;
  speedMps: number;
  decelMps2: number;
  yawRad: number;
  stopPoint: Vec3;
}

export class SafetySupervisor {
  readonly settings: SupervisorSettings;
  readonly envelope: SafetyEnvelope;
  private current: SafetyState = 'standby';
  private sinceS = 0;
  private hoverCause: 'perception' | 'solver' | 'other' = 'other';
  private envelopeState = 'clear';
  private effects: SafetyEffect[] = [];
  private readonly listeners: Array<(t: SafetyTransition) => void> = [];
  private streamedTicks = 0;
  private offboardRequested = false;
  private goodStreak = 0;
  private lastGood: { tickS: number; output: ControlOutput } | null = null;
  private lastGimbal: GimbalCommand | null = null;
  private lastLens: LensCommand | null = null;
  private lastTelemetry: VehicleTelemetry | null = null;
  private brake: BrakePlan | null = null;
  private fallbackStartS = 0;

  constructor(settings: SupervisorSettings, envelope: SafetyEnvelope) {
    validateSupervisorSettings(settings);
    this.settings = settings;
    this.envelope = envelope;
  }

  get state(): SafetyState {
    return this.current;
  }

  /** Time the current state was entered, s. */
  get stateSinceS(): number {
    return this.sinceS;
  }

  get envelopeStatus(): string {
    return this.envelopeState;
  }

  /** True in states that stream setpoints (the shot controller's, or the supervisor's own). */
  get streaming(): boolean {
    return STREAMING_STATES.has(this.current);
  }

  /** True while the shot controller's output may reach the vehicle (possibly replaced). */
  get autonomous(): boolean {
    return this.current === 'active' || this.current === 'perception-hold' || this.current === 'plan-fallback';
  }

  onTransition(listener: (t: SafetyTransition) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Link effects asked for since the last call, in order. */
  takeEffects(): SafetyEffect[] {
    const out = this.effects;
    this.effects = [];
    return out;
  }

  // ---- commands (pilot / DP / runtime) -------------------------------------------------

  /** A shot was accepted: start streaming its setpoints. Refused in latched states. */
  engage(nowS: number, who?: string): { ok: true } | { ok: false; code: string; message: string } {
    switch (this.current) {
      case 'estop':
        return { ok: false, code: 'SAFETY_ESTOP', message: 'e-stop is latched; a pilot must re-arm (rearm) before autonomy can run.' };
      case 'pilot-override':
        return { ok: false, code: 'SAFETY_OVERRIDE', message: 'a pilot has control (override); autonomy resumes only when a pilot releases override and resumes.' };
      case 'returning':
      case 'landing':
        return { ok: false, code: 'SAFETY_VEHICLE_ACTION', message: `the vehicle is ${this.current}; a pilot must resume autonomy first.` };
      case 'link-hold':
        return { ok: false, code: 'SAFETY_LINK_LOST', message: 'the vehicle link is lost; wait for it to come back.' };
      case 'standby':
        this.transition(nowS, 'active', 'engaged', 'shot accepted: streaming setpoints, offboard requested', [], who);
        this.streamedTicks = 0;
        this.offboardRequested = false;
        return { ok: true };
      default:
        // Already streaming: a new shot from braking/hovering resumes autonomy.
        if (this.current === 'braking' || this.current === 'hovering') {
          this.transition(nowS, 'active', 'resumed', 'new shot accepted', [], who);
        }
        return { ok: true };
    }
  }

  /** Stop: autonomy off, the autopilot holds; nothing streamed afterwards. */
  stop(nowS: number, who?: string, detail = 'stop: autonomy off, autopilot holds'): void {
    if (this.current === 'standby' || this.current === 'estop' || this.current === 'pilot-override') return;
    this.transition(nowS, 'standby', 'stopped', detail, this.streaming ? ['hold'] : [], who);
  }

  /** E-stop from any pilot, any state: immediate autopilot hold, latched. */
  eStop(nowS: number, who?: string): void {
    if (this.current === 'estop') return;
    this.transition(nowS, 'estop', 'estop', 'e-stop: autopilot hold now, autonomy off until a pilot re-arms', ['hold'], who);
  }

  rearm(nowS: number, who?: string): { ok: true } | { ok: false; code: string; message: string } {
    if (this.current !== 'estop') return { ok: false, code: 'SAFETY_NOT_ESTOPPED', message: `nothing to re-arm: state is ${this.current}.` };
    this.transition(nowS, 'standby', 'rearmed', 'e-stop released by a pilot; autonomy stays off until a shot or resume', [], who);
    return { ok: true };
  }

  setPilotOverride(nowS: number, on: boolean, who?: string): void {
    if (on) {
      if (this.current === 'pilot-override') return;
      this.transition(nowS, 'pilot-override', 'override-on', 'pilot override: controller stops commanding, pilot flies', ['stop-offboard'], who);
    } else if (this.current === 'pilot-override') {
      this.transition(nowS, 'standby', 'override-off', 'pilot released override; autonomy resumes only when asked', [], who);
    }
  }

  /** Resume autonomy after standby/return/land (pilot's decision). */
  resume(nowS: number, who?: string): { ok: true } | { ok: false; code: string; message: string } {
    if (this.current === 'returning' || this.current === 'landing') {
      this.transition(nowS, 'standby', 'resumed', `pilot took the vehicle back from ${this.current}`, ['hold'], who);
    }
    return this.engage(nowS, who);
  }

  /** The runtime commanded a vehicle action (land / return): autonomy off. */
  vehicleAction(nowS: number, action: 'return' | 'land', who?: string): void {
    const to: SafetyState = action === 'return' ? 'returning' : 'landing';
    if (this.current === to) return;
    this.transition(nowS, to, 'vehicle-command', `${action} commanded`, [action], who);
  }

  // ---- the tick ---------------------------------------------------------------------------

  /** Run the watchdogs and decide what to send this tick. */
  step(obs: SafetyObservation): SafetyDecision {
    const t = obs.nowS;
    const s = this.settings;
    if (obs.telemetry && obs.linkAgeS <= s.linkStaleS) this.lastTelemetry = obs.telemetry;
    const tel = this.lastTelemetry;
    const solverOk = this.judgeSolver(obs);
    if (solverOk) {
      this.goodStreak++;
      this.lastGood = { tickS: t, output: obs.control! };
    } else this.goodStreak = 0;

    // Low battery: return, from any state in which autonomy or the supervisor commands.
    const battery = obs.telemetry?.batteryFraction;
    if (
      battery !== null && battery !== undefined && battery <= s.lowBatteryFraction &&
      (this.streaming || (this.current === 'standby' && obs.telemetry?.inAir))
    ) {
      this.transition(t, 'returning', 'low-battery', `battery ${(battery * 100).toFixed(0)} % ≤ ${(s.lowBatteryFraction * 100).toFixed(0)} %: returning home`, ['return']);
    }

    // Link watchdog.
    const linkLost = obs.linkAgeS > s.linkStaleS;
    if (this.current === 'link-hold') {
      if (!linkLost) {
        this.transition(t, 'active', 'link-restored', `telemetry back after ${(t - this.sinceS + s.linkStaleS).toFixed(2)} s`, ['start-offboard']);
      } else if (t - this.sinceS >= s.linkLossHoldS) {
        const to: SafetyState = s.linkLossAction === 'return' ? 'returning' : 'landing';
        this.transition(t, to, 'link-loss-timeout', `no telemetry for ${obs.linkAgeS.toFixed(2)} s (hold ${s.linkLossHoldS} s over): ${s.linkLossAction}`, [s.linkLossAction], undefined, obs.linkAgeS);
      }
    } else if (this.streaming && linkLost) {
      this.transition(t, 'link-hold', 'link-lost', `no telemetry for ${obs.linkAgeS.toFixed(2)} s: braking to a hold`, [], undefined, obs.linkAgeS);
      if (tel) this.brake = this.planBrake(t, tel);
    }

    if (this.streaming && this.current !== 'link-hold') {
      // Solver watchdog.
      if ((this.current === 'active' || this.current === 'perception-hold') && !solverOk) {
        this.fallbackStartS = t;
        this.transition(t, 'plan-fallback', 'solver-failed', `solver: ${obs.controlError ?? this.solverProblem(obs)}; flying the shifted previous plan`);
      } else if (this.current === 'plan-fallback') {
        if (this.goodStreak >= s.solverRecoveryTicks) {
          this.transition(t, 'active', 'solver-recovered', `${this.goodStreak} good solves in a row`);
        } else if (t - this.fallbackStartS >= s.solverFallbackS || !this.lastGood?.output.plan) {
          this.hoverCause = 'solver';
          this.transition(t, 'braking', 'fallback-exhausted', `solver failing for ${(t - this.fallbackStartS).toFixed(2)} s: braking to hover`, [], undefined, t - this.fallbackStartS);
          if (tel) this.brake = this.planBrake(t, tel);
        }
      } else if (this.current === 'hovering' && this.hoverCause === 'solver' && this.goodStreak >= s.solverRecoveryTicks) {
        this.transition(t, 'active', 'solver-recovered', `${this.goodStreak} good solves in a row`);
      }

      // Perception watchdog.
      const age = obs.perceptionAgeS;
      if (age !== null) {
        if (this.current === 'active' && age > s.perceptionStaleS) {
          this.transition(t, 'perception-hold', 'perception-stale', `subjects not updated for ${age.toFixed(2)} s: framing on prediction`, [], undefined, age);
        } else if (this.current === 'perception-hold' && age > s.perceptionTimeoutS) {
          this.hoverCause = 'perception';
          this.transition(t, 'braking', 'perception-timeout', `subjects not updated for ${age.toFixed(2)} s: braking to hover`, [], undefined, age);
          if (tel) this.brake = this.planBrake(t, tel);
        } else if ((this.current === 'perception-hold' || (this.current === 'hovering' && this.hoverCause === 'perception')) && age <= s.perceptionStaleS) {
          this.transition(t, 'active', 'perception-restored', `subjects updated ${age.toFixed(2)} s ago`);
        }
      }

      if (this.current === 'braking' && tel && norm(tel.velocityNedMps) < s.stoppedSpeedMps) {
        this.transition(t, 'hovering', 'vehicle-stopped', `speed ${norm(tel.velocityNedMps).toFixed(2)} m/s: hovering`);
      }
    }

    if (!this.streaming) {
      this.setEnvelopeState(t, 0);
      return { setpoint: null, gimbal: null, lens: null, interventions: 0 };
    }
    return this.compose(obs, solverOk, tel);
  }

  // ---- internals ---------------------------------------------------------------------------

  private compose(obs: SafetyObservation, solverOk: boolean, tel: VehicleTelemetry | null): SafetyDecision {
    const t = obs.nowS;
    let setpoint: Setpoint | null = null;
    let gimbal: GimbalCommand | null = this.lastGimbal;
    let lens: LensCommand | null = this.lastLens;
    const control = solverOk ? obs.control : null;
    if (control) {
      gimbal = control.gimbal;
      lens = control.lens;
    }
    switch (this.current) {
      case 'active':
      case 'perception-hold':
        setpoint = control ? control.setpoint : tel ? this.holdSetpoint(t, tel) : null;
        break;
      case 'plan-fallback': {
        const shifted = this.shiftedPlan(t);
        setpoint = shifted?.setpoint ?? (tel ? this.holdSetpoint(t, tel) : null);
        if (shifted?.lens) lens = shifted.lens;
        break;
      }
      case 'braking':
      case 'hovering':
      case 'link-hold':
        if (!this.brake && tel) this.brake = this.planBrake(t, tel);
        setpoint = this.brake ? this.brakeSetpoint(t, this.brake) : null;
        break;
      default:
        break;
    }
    let interventions = 0;
    // Nothing unfiltered ever leaves: without a vehicle state the envelope cannot judge a setpoint.
    if (!tel) setpoint = null;
    if (setpoint && tel) {
      const filtered = this.envelope.filter(setpoint, tel, obs.people);
      setpoint = filtered.setpoint;
      interventions = filtered.interventions;
    }
    this.setEnvelopeState(t, interventions);
    if (gimbal) this.lastGimbal = gimbal;
    if (lens) this.lastLens = lens;
    if (setpoint) {
      this.streamedTicks++;
      if (!this.offboardRequested && this.streamedTicks >= OFFBOARD_PRESTREAM_TICKS) {
        this.offboardRequested = true;
        this.effects.push('start-offboard');
      }
    }
    if (this.current !== 'braking' && this.current !== 'hovering' && this.current !== 'link-hold') this.brake = null;
    return { setpoint, gimbal, lens, interventions };
  }

  private judgeSolver(obs: SafetyObservation): boolean {
    return obs.control !== null && !obs.controlError && this.solverProblem(obs) === null;
  }

  private solverProblem(obs: SafetyObservation): string | null {
    const c = obs.control;
    if (!c) return 'no output';
    if (solverStatusFailed(c.diagnostics.status)) return `status ${c.diagnostics.status}`;
    if (c.diagnostics.solveMs > this.settings.solverBudgetMs) {
      return `overrun: ${c.diagnostics.solveMs.toFixed(1)} ms > budget ${this.settings.solverBudgetMs.toFixed(1)} ms`;
    }
    const sp = c.setpoint;
    const finite = (v?: Vec3) => !v || (Number.isFinite(v.x) && Number.isFinite(v.y) && Number.isFinite(v.z));
    if (!finite(sp.positionNedM) || !finite(sp.velocityNedMps) || !finite(sp.accelerationNedMps2)) return 'non-finite setpoint';
    if (!sp.positionNedM && !sp.velocityNedMps) return 'setpoint has neither position nor velocity';
    if (!Number.isFinite(c.gimbal.pitchRad) || !Number.isFinite(c.gimbal.yawRad)) return 'non-finite gimbal command';
    return null;
  }

  /** The last good plan, shifted to now; null when there is none or it has run out. */
  private shiftedPlan(nowS: number): { setpoint: Setpoint; lens: LensCommand | null } | null {
    const good = this.lastGood;
    const plan: PlanSummary | undefined = good?.output.plan;
    if (!good || !plan || plan.timeS.length < 2) return null;
    const tq = plan.timeS[0]! + (nowS - good.tickS);
    const n = plan.timeS.length;
    if (tq > plan.timeS[n - 1]!) return null;
    let k = 0;
    while (k < n - 2 && plan.timeS[k + 1]! < tq) k++;
    const t0 = plan.timeS[k]!, t1 = plan.timeS[k + 1]!;
    const dt = t1 - t0 || 1e-9;
    const a = Math.max(0, Math.min(1, (tq - t0) / dt));
    const p0 = plan.positionsNedM[k]!, p1 = plan.positionsNedM[k + 1]!;
    const lerp = (x: number, y: number) => x + (y - x) * a;
    const setpoint: Setpoint = {
      timestampS: nowS,
      positionNedM: vec3(lerp(p0.x, p1.x), lerp(p0.y, p1.y), lerp(p0.z, p1.z)),
      velocityNedMps: vec3((p1.x - p0.x) / dt, (p1.y - p0.y) / dt, (p1.z - p0.z) / dt),
    };
    if (good.output.setpoint.yawRad !== undefined) setpoint.yawRad = good.output.setpoint.yawRad;
    const lensAt = (arr: number[]) => (arr.length === n ? lerp(arr[k]!, arr[k + 1]!) : undefined);
    const lens: LensCommand = {};
    const f = lensAt(plan.focalLengthMm), s = lensAt(plan.focusDistanceM), N = lensAt(plan.fNumber);
    if (f !== undefined) lens.focalLengthMm = f;
    if (s !== undefined) lens.focusDistanceM = s;
    if (N !== undefined) lens.fNumber = N;
    return { setpoint, lens: Object.keys(lens).length ? lens : null };
  }

  private planBrake(nowS: number, tel: VehicleTelemetry): BrakePlan {
    const v = tel.velocityNedMps;
    const speed = norm(v);
    const decel = this.envelope.settings.brakeDecelMps2;
    const dir = speed > 1e-6 ? vec3(v.x / speed, v.y / speed, v.z / speed) : vec3();
    // Telemetry is a little old; extrapolate to now before braking.
    const ageS = Math.max(0, Math.min(0.5, nowS - tel.timestampS));
    const from = vec3(tel.positionNedM.x + v.x * ageS, tel.positionNedM.y + v.y * ageS, tel.positionNedM.z + v.z * ageS);
    const dist = (speed * speed) / (2 * decel);
    return {
      startS: nowS, from, dir, speedMps: speed, decelMps2: decel, yawRad: tel.yawRad,
      stopPoint: vec3(from.x + dir.x * dist, from.y + dir.y * dist, from.z + dir.z * dist),
    };
  }

  /** Constant-deceleration trajectory to the stop point, then the stop point. */
  private brakeSetpoint(nowS: number, b: BrakePlan): Setpoint {
    const tau = Math.min(Math.max(0, nowS - b.startS), b.speedMps / b.decelMps2);
    const speed = Math.max(0, b.speedMps - b.decelMps2 * tau);
    const along = b.speedMps * tau - 0.5 * b.decelMps2 * tau * tau;
    return {
      timestampS: nowS,
      positionNedM: vec3(b.from.x + b.dir.x * along, b.from.y + b.dir.y * along, b.from.z + b.dir.z * along),
      velocityNedMps: vec3(b.dir.x * speed, b.dir.y * speed, b.dir.z * speed),
      yawRad: b.yawRad,
    };
  }

  private holdSetpoint(nowS: number, tel: VehicleTelemetry): Setpoint {
    return { timestampS: nowS, positionNedM: clone(tel.positionNedM), velocityNedMps: vec3(), yawRad: tel.yawRad };
  }

  private setEnvelopeState(nowS: number, mask: number): void {
    const next = mask ? interventionNames(mask).join('+') : 'clear';
    if (next === this.envelopeState) return;
    const from = this.envelopeState;
    this.envelopeState = next;
    this.emit({
      atS: nowS, region: 'envelope', from, to: next, reason: 'envelope',
      detail: next === 'clear' ? 'envelope clear' : `envelope limiting the command: ${next}`, effects: [],
    });
  }

  private transition(
    nowS: number, to: SafetyState, reason: SafetyReason, detail: string,
    effects: SafetyEffect[] = [], who?: string, conditionAgeS?: number,
  ): void {
    const from = this.current;
    if (from === to) return;
    // Leaving the streaming states: the autopilot takes over; entering them from
    // a non-streaming state: offboard must be requested again after a pre-stream.
    if (STREAMING_STATES.has(to) && !STREAMING_STATES.has(from)) {
      this.streamedTicks = 0;
      this.offboardRequested = false;
    }
    if (to === 'hovering' || to === 'braking' || to === 'link-hold') {
      // keep the brake plan (set by the caller) for the continued stop
    } else this.brake = null;
    this.current = to;
    this.sinceS = nowS;
    this.effects.push(...effects);
    const record: SafetyTransition = { atS: nowS, region: 'autonomy', from, to, reason, detail, effects };
    if (who !== undefined) record.who = who;
    if (conditionAgeS !== undefined) record.conditionAgeS = conditionAgeS;
    this.emit(record);
  }

  private emit(record: SafetyTransition): void {
    for (const l of this.listeners) {
      try {
        l(record);
      } catch (err) {
        console.error('safety: transition listener failed:', err);
      }
    }
  }
}
