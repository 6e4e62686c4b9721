/**
 * Real-time runner: steps a SimWorld from the wall clock (optionally sped up)
 * so the studio (`npm start`) and the MAVLink SITL endpoint see a vehicle
 * that lives in real time. Headless validation does not use this; it steps
 * the world itself as fast as it can.
 */
import { monotonicS } from '../core/units.ts';
import type { SimWorld } from './world.ts';

export const DEFAULT_REALTIME_TICK_HZ = 100;
/** A stalled event loop is not made up for beyond this much simulated time per tick, s. */
const MAX_CATCH_UP_S = 0.25;

export class RealtimeRunner {
  private timer: NodeJS.Timeout | null = null;
  private lastWallS = 0;

  constructor(readonly world: SimWorld, readonly options: { tickHz?: number; speed?: number } = {}) {}

  start(): void {
    if (this.timer) return;
    this.lastWallS = monotonicS();
    const periodMs = 1000 / (this.options.tickHz ?? DEFAULT_REALTIME_TICK_HZ);
    this.timer = setInterval(() => {
      const now = monotonicS();
      const dt = Math.min((now - this.lastWallS) * (this.options.speed ?? 1), MAX_CATCH_UP_S);
      this.lastWallS = now;
      this.world.step(dt);
    }, periodMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get running(): boolean {
    return this.timer !== null;
  }
}
