/**
 * When to run the detector. Fixed: every K-th frame. Auto: as often as the
 * CPU allows while the whole chain keeps up with the source's frame rate —
 * K = ⌈t_detect / (1/fps − t_other)⌉ from running means of the detector's
 * time and the rest of a frame's work, so a loaded machine detects less
 * often instead of falling behind (tracks still update every frame).
 */
export const MAX_AUTO_DETECT_EVERY = 10;
/** Weight of the newest sample in the running means. */
const EMA_ALPHA = 0.2;

export class DetectScheduler {
  private detectMs = 0;
  private otherMs = 0;
  private sinceDetect = Infinity;
  private every: number;
  private framesSeen = 0;
  private detections = 0;

  constructor(readonly mode: number | 'auto', readonly targetFps: number) {
    if (mode !== 'auto' && !(Number.isInteger(mode) && mode >= 1)) throw new RangeError(`detect every must be an integer ≥ 1 or 'auto', got ${mode}`);
    if (!(targetFps > 0)) throw new RangeError(`target fps must be > 0, got ${targetFps}`);
    this.every = mode === 'auto' ? 1 : mode;
  }

  /** Should this frame go through the detector? Call once per frame. */
  next(): boolean {
    this.framesSeen++;
    const run = this.sinceDetect >= this.every;
    if (run) {
      this.sinceDetect = 1;
      this.detections++;
    } else this.sinceDetect++;
    return run;
  }

  /** Report how long the detector took on a detection frame, ms. */
  recordDetect(ms: number): void {
    this.detectMs = this.detectMs ? (1 - EMA_ALPHA) * this.detectMs + EMA_ALPHA * ms : ms;
    this.adapt();
  }

  /** Report the rest of a frame's work (decode hand-over, tracking, output), ms. */
  recordOther(ms: number): void {
    this.otherMs = this.otherMs ? (1 - EMA_ALPHA) * this.otherMs + EMA_ALPHA * ms : ms;
  }

  private adapt(): void {
    if (this.mode !== 'auto') return;
    const budget = 1000 / this.targetFps - this.otherMs;
    this.every = budget <= 0 ? MAX_AUTO_DETECT_EVERY : Math.min(MAX_AUTO_DETECT_EVERY, Math.max(1, Math.ceil(this.detectMs / budget)));
  }

  /** Current K. */
  get detectEvery(): number {
    return this.every;
  }

  /** Frames per detection so far (= K when fixed). */
  get meanDetectEvery(): number {
    return this.detections ? this.framesSeen / this.detections : this.every;
  }
}
