import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./alloc-probe.ts', import.meta.url));

interface ProbeResult { label: string; calls: number; bytesPerCall: number; where: string[] }

describe('allocation after setup (V8 sampling heap profiler, see alloc-probe.ts)', () => {
  const results = JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', PROBE], { encoding: 'utf8', timeout: 120_000 }),
  ) as ProbeResult[];
  const byLabel = (prefix: string) => results.find((r) => r.label.startsWith(prefix))!;

  it('qp.solve() allocates nothing (control class and soft-row QPs, 200 solves each)', () => {
    const plain = byLabel('qp.solve (control');
    const soft = byLabel('qp.solve (with soft');
    expect(plain.where).toEqual([]);
    expect(plain.bytesPerCall).toBe(0);
    expect(soft.where).toEqual([]);
    expect(soft.bytesPerCall).toBe(0);
  });

  it('an RTI tick (prepare, feedback, u(0, out), shift) allocates at most a few bytes on average', () => {
    // measured: 0–16 B per tick on average, i.e. an occasional boxed double in
    // the optimised feedback path — never per stage or per iteration
    const rti = byLabel('rti');
    expect(rti.bytesPerCall).toBeLessThan(64);
  });
});
