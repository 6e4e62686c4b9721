/**
 * A loop clock on simulated time, for running the controller against a
 * simulator that lives in real time (sim/realtime.ts steps it from the wall
 * clock). The controller, the subject predictor and the telemetry then share
 * one time base: nowS() is the world's time, interpolated between the
 * runner's steps with the wall clock and never going backwards; timers are
 * scheduled on the monotonic clock at the corresponding wall time.
 */
import { monotonicS } from '../core/units.ts';
import { type CancelTimer, type LoopClock, MonotonicClock } from '../controller/loop/clock.ts';
import type { SimWorld } from './world.ts';

/** Interpolation never runs further ahead of the last step than this, s (a stalled runner stalls the clock). */
const MAX_INTERPOLATION_S = 0.05;

export class SimTimeClock implements LoopClock {
  readonly kind = 'sim';
  private readonly wall = new MonotonicClock();
  private stepWorldS: number;
  private stepWallS = monotonicS();
  private lastReturnedS = -Infinity;
  private readonly unsubscribe: () => void;

  /** `speed`: simulated seconds per wall second (the RealtimeRunner's speed). */
  constructor(world: SimWorld, private readonly speed = 1) {
    this.stepWorldS = world.timeS;
    this.unsubscribe = world.onStep((w) => {
      this.stepWorldS = w.timeS;
      this.stepWallS = monotonicS();
    });
  }

  nowS(): number {
    const t = this.stepWorldS + Math.min((monotonicS() - this.stepWallS) * this.speed, MAX_INTERPOLATION_S);
    this.lastReturnedS = Math.max(this.lastReturnedS, t);
    return this.lastReturnedS;
  }

  /**
   * Always asynchronous, even when atS has passed: a caller that arms a timer
   * and then records its cancel handle must get the handle before `fn` runs.
   */
  setTimer(atS: number, fn: () => void): CancelTimer {
    const wallAtS = monotonicS() + (atS - this.nowS()) / this.speed;
    let cancelled = false;
    let cancelWall: CancelTimer | null = null;
    const immediate = setImmediate(() => {
      if (!cancelled) cancelWall = this.wall.setTimer(wallAtS, fn);
    });
    return () => {
      cancelled = true;
      clearImmediate(immediate);
      cancelWall?.();
    };
  }

  dispose(): void {
    this.unsubscribe();
  }
}
