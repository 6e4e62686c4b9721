/**
 * The fixed-rate scheduler of the controller. Tick k is due at
 * t0 + k·period on the loop's clock (drift-free: lateness never accumulates
 * the way chained setInterval/setTimeout delays do). A tick that starts more
 * than a full period late skips the missed slots instead of bursting to catch
 * up, because stale control outputs are worse than missing ones; skips and
 * long ticks are counted as overruns. The step itself must not wait on I/O:
 * everything it sends is fire-and-forget.
 */
import { type CancelTimer, type LoopClock } from './clock.ts';
import { type LoopStats, SampleRing } from './loop-stats.ts';
import { CinePilotError } from '../../core/errors.ts';

export const DEFAULT_RATE_HZ = 50;
export const MAX_RATE_HZ = 1000;

export interface TickInfo {
  /** index of the schedule slot this tick serves */
  index: number;
  /** when the tick was due, s (loop clock) */
  scheduledS: number;
  /** when it started, s (loop clock) */
  nowS: number;
  periodS: number;
}

export type TickStep = (tick: TickInfo) => void;

export function validateRateHz(rateHz: number): number {
  if (!Number.isFinite(rateHz) || rateHz <= 0 || rateHz > MAX_RATE_HZ) {
    throw new CinePilotError('LOOP_BAD_RATE', `loop rate ${rateHz} Hz: must be > 0 and ≤ ${MAX_RATE_HZ} Hz.`);
  }
  return rateHz;
}

export class ControlLoop {
  readonly rateHz: number;
  readonly periodS: number;
  private readonly clock: LoopClock;
  private readonly step: TickStep;
  private readonly onError: (err: unknown) => void;
  private cancel: CancelTimer | null = null;
  private startS = 0;
  private nextIndex = 0;
  private ticks = 0;
  private overruns = 0;
  private skipped = 0;
  private tickErrors = 0;
  private lastTickS = 0;
  /** start of the statistics window (resetStats moves it; the schedule stays anchored at startS) */
  private statsSinceS = 0;
  private firstTickS: number | null = null;
  private readonly jitterMs = new SampleRing();
  private readonly durationMs = new SampleRing();

  constructor(clock: LoopClock, step: TickStep, options: { rateHz?: number; onError?: (err: unknown) => void } = {}) {
    this.clock = clock;
    this.step = step;
    this.rateHz = validateRateHz(options.rateHz ?? DEFAULT_RATE_HZ);
    this.periodS = 1 / this.rateHz;
    this.onError = options.onError ?? ((err) => console.error('control loop: tick failed:', err));
  }

  get running(): boolean {
    return this.cancel !== null;
  }

  /** Start ticking; the first tick is due now. */
  start(): void {
    if (this.cancel) return;
    this.startS = this.clock.nowS();
    this.statsSinceS = this.startS;
    this.lastTickS = this.startS;
    this.firstTickS = null;
    this.nextIndex = 0;
    this.arm();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }

  stats(): LoopStats {
    const first = this.firstTickS ?? this.statsSinceS;
    const elapsedS = this.lastTickS - first;
    return {
      rateHz: this.rateHz,
      periodMs: this.periodS * 1000,
      ticks: this.ticks,
      overruns: this.overruns,
      skippedTicks: this.skipped,
      tickErrors: this.tickErrors,
      jitterP50Ms: this.jitterMs.percentile(0.5),
      jitterP99Ms: this.jitterMs.percentile(0.99),
      jitterMaxMs: this.jitterMs.max,
      durationP50Ms: this.durationMs.percentile(0.5),
      durationP99Ms: this.durationMs.percentile(0.99),
      durationMaxMs: this.durationMs.max,
      achievedRateHz: elapsedS > 0 && this.ticks > 1 ? (this.ticks - 1) / elapsedS : 0,
    };
  }

  /** Start a new statistics window (the tick schedule is not touched). */
  resetStats(): void {
    this.ticks = 0;
    this.overruns = 0;
    this.skipped = 0;
    this.tickErrors = 0;
    this.jitterMs.reset();
    this.durationMs.reset();
    this.statsSinceS = this.clock.nowS();
    this.lastTickS = this.statsSinceS;
    this.firstTickS = null;
  }

  private arm(): void {
    this.cancel = this.clock.setTimer(this.startS + this.nextIndex * this.periodS, this.run);
  }

  private readonly run = (): void => {
    if (!this.cancel) return;
    const index = this.nextIndex;
    const scheduledS = this.startS + index * this.periodS;
    const nowS = this.clock.nowS();
    const lateS = nowS - scheduledS;
    try {
      this.step({ index, scheduledS, nowS, periodS: this.periodS });
    } catch (err) {
      this.tickErrors++;
      this.onError(err);
    }
    const endS = this.clock.nowS();
    const durationS = endS - nowS;
    this.ticks++;
    this.firstTickS ??= nowS;
    this.lastTickS = nowS;
    this.jitterMs.push(Math.max(0, lateS) * 1000);
    this.durationMs.push(durationS * 1000);
    if (lateS > this.periodS || durationS > this.periodS) this.overruns++;
    // Next slot: the one after this, unless we are already past it.
    let next = index + 1;
    const behind = Math.floor((endS - this.startS) / this.periodS);
    if (behind > next) {
      this.skipped += behind - next;
      next = behind;
    }
    this.nextIndex = next;
    // stop() from inside the step clears `cancel`; only re-arm while running.
    if (this.cancel !== null) this.arm();
  };
}
