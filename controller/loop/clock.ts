/**
 * Clocks the control loop runs against. The real clock is the monotonic
 * clock (DESIGN.md §3); the virtual clock only moves when a test or the
 * simulator advances it, so a run is deterministic and as fast as the CPU.
 */
import { monotonicS } from '../../core/units.ts';

export type CancelTimer = () => void;

export interface LoopClock {
  /** 'monotonic' | 'virtual' */
  readonly kind: string;
  nowS(): number;
  /** Run `fn` once at absolute time `atS` (as soon as possible if that has passed). */
  setTimer(atS: number, fn: () => void): CancelTimer;
}

/**
 * Last stretch before a deadline that the real clock waits with
 * setImmediate instead of setTimeout: Node's timers fire up to ~1 ms late,
 * and a 50 Hz loop should start within a fraction of that. The cost is a
 * little CPU per tick (the event loop keeps serving I/O between checks).
 */
export const DEFAULT_SPIN_MARGIN_S = 0.0015;

export class MonotonicClock implements LoopClock {
  readonly kind = 'monotonic';
  private readonly spinMarginS: number;

  constructor(options: { spinMarginS?: number } = {}) {
    this.spinMarginS = options.spinMarginS ?? DEFAULT_SPIN_MARGIN_S;
  }

  nowS(): number {
    return monotonicS();
  }

  setTimer(atS: number, fn: () => void): CancelTimer {
    let cancelled = false;
    let timeout: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const check = (): void => {
      timeout = undefined;
      immediate = undefined;
      if (cancelled) return;
      const remainingS = atS - monotonicS();
      if (remainingS <= 0) fn();
      else if (remainingS > this.spinMarginS) timeout = setTimeout(check, (remainingS - this.spinMarginS) * 1000);
      else immediate = setImmediate(check);
    };
    // Never call fn synchronously: the caller may still be storing the cancel handle.
    immediate = setImmediate(check);
    return () => {
      cancelled = true;
      if (timeout) clearTimeout(timeout);
      if (immediate) clearImmediate(immediate);
    };
  }
}

interface VirtualTimer {
  atS: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Time moves only through advance()/advanceTo(); due timers run in time
 * order (ties in the order they were set), each seeing nowS() = its own
 * deadline, so a loop ticking on it has zero jitter by construction.
 */
export class VirtualClock implements LoopClock {
  readonly kind = 'virtual';
  private timeS: number;
  private seq = 0;
  private timers: VirtualTimer[] = [];

  constructor(startS = 0) {
    this.timeS = startS;
  }

  nowS(): number {
    return this.timeS;
  }

  setTimer(atS: number, fn: () => void): CancelTimer {
    const timer: VirtualTimer = { atS: Math.max(atS, this.timeS), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Move time forward by `dtS`, running every timer that falls due. */
  advance(dtS: number): void {
    if (!(dtS >= 0)) throw new RangeError(`VirtualClock.advance: dtS must be ≥ 0 (got ${dtS})`);
    this.advanceTo(this.timeS + dtS);
  }

  advanceTo(targetS: number): void {
    for (;;) {
      const next = this.nextDue(targetS);
      if (!next) break;
      this.timeS = next.atS;
      next.fn();
    }
    if (targetS > this.timeS) this.timeS = targetS;
  }

  /** Timers still waiting (not cancelled). */
  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  private nextDue(targetS: number): VirtualTimer | null {
    let best = -1;
    for (let i = 0; i < this.timers.length; i++) {
      const t = this.timers[i]!;
      if (t.cancelled || t.atS > targetS) continue;
      const b = best < 0 ? undefined : this.timers[best]!;
      if (!b || t.atS < b.atS || (t.atS === b.atS && t.seq < b.seq)) best = i;
    }
    if (best < 0) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      return null;
    }
    const [timer] = this.timers.splice(best, 1);
    return timer!;
  }
}
