/**
 * The control loop's schedule: drift-free on a virtual clock (tick k at
 * exactly k·period however long the steps take), missed slots skipped and
 * counted rather than burst, a throwing step counted without stopping the
 * loop. One short run on the real clock checks it ticks and reports stats
 * (no timing assertions: the machine is shared).
 */
import { describe, it, expect } from 'vitest';
import { ControlLoop, type TickInfo } from '../../controller/loop/control-loop.ts';
import { MonotonicClock, VirtualClock } from '../../controller/loop/clock.ts';
import { SampleRing } from '../../controller/loop/loop-stats.ts';

describe('virtual clock', () => {
  it('runs timers in time order, ties in the order set, each at its own time', () => {
    const c = new VirtualClock(10);
    const seen: string[] = [];
    c.setTimer(12, () => seen.push(`b@${c.nowS()}`));
    c.setTimer(11, () => seen.push(`a@${c.nowS()}`));
    c.setTimer(12, () => seen.push(`c@${c.nowS()}`));
    const cancel = c.setTimer(11.5, () => seen.push('never'));
    cancel();
    c.advance(5);
    expect(seen).toEqual(['a@11', 'b@12', 'c@12']);
    expect(c.nowS()).toBe(15);
    expect(() => c.advance(-1)).toThrow(RangeError);
  });
});

describe('control loop on a virtual clock', () => {
  it('ticks at k·period exactly, without drift, for 10 000 ticks', () => {
    const clock = new VirtualClock(3);
    const ticks: TickInfo[] = [];
    const loop = new ControlLoop(clock, (t) => ticks.push(t), { rateHz: 50 });
    loop.start();
    for (let i = 0; i < 10_000; i++) clock.advance(0.02);
    loop.stop();
    expect(ticks.length).toBe(10_001); // t = 3 … 3 + 200 s inclusive
    for (let k = 0; k < ticks.length; k += 997) {
      expect(ticks[k]!.index).toBe(k);
      expect(ticks[k]!.scheduledS).toBeCloseTo(3 + k * 0.02, 9);
      expect(ticks[k]!.nowS).toBeCloseTo(ticks[k]!.scheduledS, 9);
    }
    const s = loop.stats();
    expect(s).toMatchObject({ ticks: 10_001, overruns: 0, skippedTicks: 0, jitterMaxMs: 0 });
    expect(s.achievedRateHz).toBeCloseTo(50, 6);
  });

  it('a step that takes 2.5 periods skips the slots more than a period late, counts an overrun, stays on the grid', () => {
    const clock = new VirtualClock(0);
    const ticks: TickInfo[] = [];
    const loop = new ControlLoop(clock, (t) => {
      ticks.push(t);
      if (t.index === 5) clock.advanceTo(t.nowS + 0.05); // 50 ms of work at 50 Hz: 0.10 → 0.15
    }, { rateHz: 50 });
    loop.start();
    clock.advance(0.3);
    const s = loop.stats();
    expect(s.overruns).toBe(1);
    // slot 6 (0.12) is 30 ms late at 0.15: skipped; slot 7 (0.14) is 10 ms late: run at once
    expect(s.skippedTicks).toBe(1);
    const after = ticks.filter((t) => t.index > 5);
    expect(after[0]!.index).toBe(7);
    expect(after[0]!.nowS).toBeCloseTo(0.15, 9);
    expect(after[1]!.index).toBe(8);
    expect(after[1]!.nowS).toBeCloseTo(0.16, 9); // back on the original grid
    expect(s.jitterMaxMs).toBeCloseTo(10, 6);
  });

  it('a throwing step is counted and the loop keeps ticking', () => {
    const clock = new VirtualClock(0);
    let n = 0;
    const errors: unknown[] = [];
    const loop = new ControlLoop(clock, (t) => {
      n++;
      if (t.index % 10 === 3) throw new Error('boom');
    }, { rateHz: 100, onError: (e) => errors.push(e) });
    loop.start();
    clock.advance(1);
    expect(n).toBe(101);
    expect(loop.stats().tickErrors).toBe(10);
    expect(errors).toHaveLength(10);
  });

  it('rejects rates it cannot run, saying what is allowed', () => {
    expect(() => new ControlLoop(new VirtualClock(), () => {}, { rateHz: 0 })).toThrow(/> 0 and ≤ 1000/);
    expect(() => new ControlLoop(new VirtualClock(), () => {}, { rateHz: Number.NaN })).toThrow(/LOOP|rate/);
  });

  it('stop() inside a step stops the loop', () => {
    const clock = new VirtualClock(0);
    let n = 0;
    const loop: ControlLoop = new ControlLoop(clock, () => {
      if (++n === 3) loop.stop();
    }, { rateHz: 50 });
    loop.start();
    clock.advance(1);
    expect(n).toBe(3);
    expect(loop.running).toBe(false);
  });
});

describe('sample ring percentiles', () => {
  it('nearest-rank percentiles over the window', () => {
    const r = new SampleRing(100);
    for (let i = 1; i <= 250; i++) r.push(i); // window keeps 151..250
    expect(r.percentile(0.5)).toBe(200);
    expect(r.percentile(0.99)).toBe(249);
    expect(r.percentile(1)).toBe(250);
    expect(r.max).toBe(250);
  });
});

describe('control loop on the monotonic clock', () => {
  it('ticks on the real clock and reports its own jitter and overruns', async () => {
    const loop = new ControlLoop(new MonotonicClock(), () => {}, { rateHz: 100 });
    loop.start();
    await new Promise((r) => setTimeout(r, 300));
    loop.stop();
    const s = loop.stats();
    expect(s.ticks).toBeGreaterThan(5);
    expect(s.jitterP50Ms).toBeGreaterThanOrEqual(0);
    expect(s.jitterP99Ms).toBeGreaterThanOrEqual(s.jitterP50Ms);
    expect(s.ticks + s.skippedTicks).toBeGreaterThanOrEqual(25);
  });
});
