/**
 * Timing statistics of the loop over a sliding window: start jitter (how
 * late each tick started against its schedule) and tick duration. Samples go
 * into preallocated rings; percentiles are computed on request, never in the
 * tick.
 */
export const DEFAULT_STATS_WINDOW = 4096;

export interface LoopStats {
  rateHz: number;
  periodMs: number;
  ticks: number;
  /** ticks that started more than one period late or ran longer than one period */
  overruns: number;
  /** schedule slots skipped because the loop fell more than a period behind */
  skippedTicks: number;
  /** ticks whose step threw (the loop keeps running) */
  tickErrors: number;
  jitterP50Ms: number;
  jitterP99Ms: number;
  jitterMaxMs: number;
  durationP50Ms: number;
  durationP99Ms: number;
  durationMaxMs: number;
  /** ticks per second actually achieved over the run */
  achievedRateHz: number;
}

export class SampleRing {
  private readonly data: Float64Array;
  private count = 0;
  private next = 0;
  max = 0;

  constructor(capacity = DEFAULT_STATS_WINDOW) {
    this.data = new Float64Array(capacity);
  }

  push(value: number): void {
    this.data[this.next] = value;
    this.next = (this.next + 1) % this.data.length;
    if (this.count < this.data.length) this.count++;
    if (value > this.max) this.max = value;
  }

  /** p in [0, 1], nearest-rank on the window; 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const sorted = this.data.slice(0, this.count).sort();
    const rank = Math.min(this.count - 1, Math.max(0, Math.ceil(p * this.count) - 1));
    return sorted[rank]!;
  }

  reset(): void {
    this.count = 0;
    this.next = 0;
    this.max = 0;
  }
}
