/**
 * Bounded hand-over between a producer (ffmpeg's pipe, a renderer) and a
 * consumer that may be slower. Two policies:
 * - 'drop-oldest' (live sources): when full, the oldest waiting frame is
 *   discarded and counted, so the consumer always gets the freshest picture
 *   and latency never grows;
 * - 'pause-producer' (files): when full, the producer is asked to pause, so
 *   no frame of a recording is lost and memory stays bounded.
 */
import type { RgbFrame } from '../../core/perception-types.ts';

export type OverflowPolicy = 'drop-oldest' | 'pause-producer';

export const DEFAULT_QUEUE_CAPACITY = 2;

export class FrameQueue {
  private readonly frames: RgbFrame[] = [];
  private waiter: { resolve: (f: RgbFrame | null) => void; reject: (e: Error) => void } | null = null;
  private ended = false;
  private failure: Error | null = null;
  dropped = 0;

  constructor(
    readonly capacity: number,
    readonly policy: OverflowPolicy,
    /** called with true when the producer should pause, false when it may resume */
    private readonly onPressure: (paused: boolean) => void = () => {},
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`FrameQueue capacity must be an integer ≥ 1, got ${capacity}`);
  }

  get length(): number {
    return this.frames.length;
  }

  push(frame: RgbFrame): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(frame);
      return;
    }
    if (this.frames.length >= this.capacity) {
      if (this.policy === 'drop-oldest') {
        this.frames.shift();
        this.dropped++;
      }
    }
    this.frames.push(frame);
    if (this.policy === 'pause-producer' && this.frames.length >= this.capacity) this.onPressure(true);
  }

  /** The producer has no more frames. */
  end(): void {
    this.ended = true;
    if (this.waiter && this.frames.length === 0) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(null);
    }
  }

  /** The producer failed: pending and later `next()` calls reject (after queued frames are consumed). */
  fail(err: Error): void {
    this.failure ??= err;
    if (this.waiter && this.frames.length === 0) {
      const w = this.waiter;
      this.waiter = null;
      w.reject(err);
    }
  }

  next(): Promise<RgbFrame | null> {
    const f = this.frames.shift();
    if (f) {
      if (this.policy === 'pause-producer' && this.frames.length < this.capacity) this.onPressure(false);
      return Promise.resolve(f);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(null);
    if (this.waiter) return Promise.reject(new Error('FrameQueue.next() called again before the previous call resolved'));
    this.onPressure(false);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }
}
