/** A token bucket: at most `max` takes per `windowMs`, refilled continuously. */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(private readonly max: number, private readonly windowMs: number, private readonly nowMs: () => number = () => performance.now()) {
    this.tokens = max;
    this.lastMs = nowMs();
  }

  take(): boolean {
    const now = this.nowMs();
    this.tokens = Math.min(this.max, this.tokens + ((now - this.lastMs) * this.max) / this.windowMs);
    this.lastMs = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
