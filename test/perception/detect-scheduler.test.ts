import { describe, expect, it } from 'vitest';
import { DetectScheduler, MAX_AUTO_DETECT_EVERY } from '../../perception/detection/detect-scheduler.ts';

function simulate(s: DetectScheduler, detectMs: number, otherMs: number, frames: number): boolean[] {
  const pattern: boolean[] = [];
  for (let i = 0; i < frames; i++) {
    const run = s.next();
    pattern.push(run);
    if (run) s.recordDetect(detectMs);
    s.recordOther(otherMs);
  }
  return pattern;
}

describe('DetectScheduler', () => {
  it('fixed K detects on frames 0, K, 2K, …', () => {
    const p = simulate(new DetectScheduler(3, 10), 180, 5, 9);
    expect(p).toEqual([true, false, false, true, false, false, true, false, false]);
  });

  it('auto keeps the chain within the frame budget: K = ⌈detect / (1/fps − other)⌉', () => {
    // 10 fps → 100 ms a frame; 5 ms other work leaves 95 ms: 180 ms detection → every 2nd frame
    const fast = new DetectScheduler('auto', 10);
    simulate(fast, 180, 5, 60);
    expect(fast.detectEvery).toBe(2);
    expect(fast.meanDetectEvery).toBeGreaterThan(1.8);
    // a loaded machine: 650 ms detection → every 7th frame
    const loaded = new DetectScheduler('auto', 10);
    simulate(loaded, 650, 5, 60);
    expect(loaded.detectEvery).toBe(7);
    // slower than the frame budget even without detection: detect as rarely as allowed
    const hopeless = new DetectScheduler('auto', 10);
    simulate(hopeless, 200, 120, 30);
    expect(hopeless.detectEvery).toBe(MAX_AUTO_DETECT_EVERY);
  });

  it('rejects nonsense', () => {
    expect(() => new DetectScheduler(0, 10)).toThrow(/≥ 1/);
    expect(() => new DetectScheduler('auto', 0)).toThrow(/fps/);
  });
});
