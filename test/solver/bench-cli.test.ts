/**
 * `cinepilot bench qp` and `cinepilot bench mpc` as separate processes: the
 * output formats the issue fixes, exit codes, and the closed loop's own
 * figures. Times are printed, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = 'bin/cinepilot.mjs';
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cinepilot-bench-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cinepilot bench qp', () => {
  it('prints one JSON line per problem and a summary line', () => {
    const r = run(['bench', 'qp', 'test/solver/fixtures/control-small.json', '--json']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const summary = lines.pop();
    expect(summary).toMatchObject({ summary: true, problems: 5, solved: 5 });
    for (const k of ['solveMsP50', 'solveMsP99', 'solveMsMax']) expect(typeof summary[k]).toBe('number');
    lines.forEach((l, i) => {
      expect(l.index).toBe(i);
      expect(l.status).toBe('solved');
      expect(Number.isFinite(l.objective)).toBe(true);
      expect(l.u0).toHaveLength(2);
      expect(l.iterations).toBeGreaterThan(0);
    });
  });

  it('names the problem and field of a malformed file and exits 2', () => {
    const problems = JSON.parse(readFileSync('test/solver/fixtures/control-small.json', 'utf8'));
    problems[3].stages[7].A.pop();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(problems));
    const r = run(['bench', 'qp', bad, '--json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/problems\[3\]\.stages\[7\]\.A/);
  });
});

describe('cinepilot bench mpc', () => {
  it('reports the closed loop, the cold start apart, and the reference solvers on the same QPs', () => {
    const r = run(['bench', 'mpc', '--json', '--ticks', '30', '--warmup', '0', '--settle', '10', '--reference', '2']);
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.problem).toMatchObject({ nx: 14, nu: 8, N: 40, ticks: 30, settleTicks: 10 });
    expect(rep.qpNotSolved).toBe(0);
    // warm-started ticks of the steady loop need one or two IPM iterations;
    // the cold start from a hover guess more
    expect(rep.qpIterationsP50).toBeLessThanOrEqual(2);
    expect(rep.coldStartQpIterations).toBeGreaterThan(rep.qpIterationsP50);
    expect(rep.imageErrorP50).toBeLessThan(0.05);
    const scs = rep.reference.find((x: { solver: string }) => x.solver === 'scs');
    expect(scs).toMatchObject({ qps: 2, solved: 2 });
    expect(scs.objectiveRelErrMax).toBeLessThan(1e-3);
  });
});
