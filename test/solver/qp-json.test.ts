import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CinePilotError } from '../../core/errors.ts';
import { randomControlQp } from '../../mpc/qp/index.ts';
import { ocpQpToJson, parseOcpQpFile, QP_FILE_ERROR } from '../../mpc/qp/json.ts';
import { run as benchQp } from '../../cli/commands/bench/qp.ts';

const FIXTURE = new URL('./fixtures/control-small.json', import.meta.url).pathname;

function problem(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(ocpQpToJson(randomControlQp({ N: 4, nx: 3, nu: 2, seed: 11 }))));
}

function errorOf(text: string): string {
  try {
    parseOcpQpFile(text, 'f.json');
  } catch (err) {
    expect(err).toBeInstanceOf(CinePilotError);
    expect((err as CinePilotError).code).toBe(QP_FILE_ERROR);
    return (err as Error).message;
  }
  return 'no error';
}

describe('OCP-QP JSON format (DESIGN.md §6)', () => {
  it('round-trips a problem exactly, with null for missing bounds', () => {
    const qp = randomControlQp({ N: 4, nx: 3, nu: 2, seed: 11 });
    qp.ubu[1] = Infinity;
    const [back] = parseOcpQpFile(JSON.stringify(ocpQpToJson(qp)));
    for (const f of ['A', 'B', 'b', 'Q', 'R', 'S', 'q', 'r', 'lbu', 'ubu', 'x0'] as const) expect(Array.from(back![f])).toEqual(Array.from(qp[f]));
    for (let k = 1; k <= 4; k++) expect(Array.from(back!.lbx.subarray(k * 3, k * 3 + 3))).toEqual(Array.from(qp.lbx.subarray(k * 3, k * 3 + 3)));
    expect(JSON.stringify(ocpQpToJson(qp))).toContain('null');
  });

  it('reads arrays of problems, optional S and bounds, ±1e20 as no bound', () => {
    const p = problem();
    const stages = p.stages as Array<Record<string, unknown>>;
    delete stages[0]!.S;
    delete stages[1]!.lbu;
    stages[2]!.ubx = [1e20, 1e21, 2];
    const qps = parseOcpQpFile(JSON.stringify([p, problem()]));
    expect(qps).toHaveLength(2);
    expect(qps[0]!.ubx[2 * 3]).toBe(Infinity);
    expect(qps[0]!.ubx[2 * 3 + 2]).toBe(2);
    expect(qps[0]!.lbu[2]).toBe(-Infinity);
  });

  it('rejects malformed files with the path of the problem', () => {
    const short = [problem(), problem(), problem(), problem()];
    ((short[3]!.stages as Array<Record<string, number[]>>)[2]!).A!.pop();
    expect(errorOf(JSON.stringify(short))).toBe('f.json: problems[3].stages[2].A: expected 9 numbers, got 8.');
    const p = problem();
    ((p.stages as Array<Record<string, unknown>>)[1]!).q = [1, 'x', 3];
    expect(errorOf(JSON.stringify(p))).toMatch(/^f\.json: stages\[1\]\.q\[1\]: expected a finite number, got "x"/);
    const inf = JSON.stringify(problem()).replace('"b":[0,0,0]', '"b":[0,1e400,0]');
    expect(errorOf(inf)).toMatch(/stages\[0\]\.b\[1\]: expected a finite number/);
    const missing = problem();
    delete ((missing.stages as Array<Record<string, unknown>>)[0]!).B;
    expect(errorOf(JSON.stringify(missing))).toBe('f.json: stages[0].B: missing');
    const typo = problem();
    ((typo.stages as Array<Record<string, unknown>>)[4]!).R = [1];
    expect(errorOf(JSON.stringify(typo))).toMatch(/stages\[4\]\.R: the terminal stage allows only Q, q, lbx, ubx/);
    const stages = problem();
    (stages.stages as unknown[]).pop();
    expect(errorOf(JSON.stringify(stages))).toBe('f.json: stages: expected N+1 = 5 stages, got 4');
    expect(errorOf(JSON.stringify({ ...problem(), nx: 2.5 }))).toMatch(/^f\.json: nx: expected an integer ≥ 1/);
    expect(errorOf(JSON.stringify({ ...problem(), x0: [1] }))).toBe('f.json: x0: expected 3 numbers, got 1.');
    expect(errorOf('{"N": 1,')).toMatch(/not valid JSON/);
  });
});

describe('cinepilot bench qp', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints one JSON line per problem and a summary; exit 0 when all are solved', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s));
    const code = await benchQp([FIXTURE, '--json', '--warmup', '1']);
    expect(code).toBe(0);
    const rows = lines.map((l) => JSON.parse(l));
    const n = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown[]).length;
    expect(rows).toHaveLength(n + 1);
    expect(Object.keys(rows[0])).toEqual(['index', 'status', 'iterations', 'objective', 'u0', 'solveMs']);
    expect(rows[n]).toMatchObject({ summary: true, problems: n, solved: n });
    expect(Object.keys(rows[n])).toEqual(['summary', 'problems', 'solved', 'solveMsP50', 'solveMsP99', 'solveMsMax']);
  });

  it('rejects a missing file and bad flags with exit-2 errors', async () => {
    await expect(benchQp(['/nonexistent.json'])).rejects.toThrow(/cannot read/);
    await expect(benchQp([FIXTURE, '--repeat', '0'])).rejects.toThrow(/--repeat 0/);
    await expect(benchQp([])).rejects.toThrow(/expected one FILE/);
  });
});
