/**
 * `cinepilot bench qp FILE [--json]` — solve every OCP-QP in FILE (DESIGN.md
 * §6 format) with the Riccati IPM and print per-problem results and a
 * summary; `--generate FILE` writes random "control"-class problems.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { CinePilotError, EXIT_FAILED, EXIT_OK } from '../../../core/errors.ts';
import { createQpSolver, randomControlQp, type OcpQpSolver } from '../../../mpc/qp/index.ts';
import { ocpQpToJson, parseOcpQpFile } from '../../../mpc/qp/json.ts';
import { numberFlag, parseFlags } from '../../args.ts';

const HELP = `usage: cinepilot bench qp FILE [--json] [--repeat R] [--max-iterations M] [--time-limit-ms T]
       cinepilot bench qp --generate FILE [--count C] [--N N] [--nx NX] [--nu NU] [--seed S]

Solves every OCP-QP in FILE (one problem or an array, the JSON format of
DESIGN.md §6 / docs/solver.md) with the Riccati interior-point solver.

  --json              one JSON line per problem
                      {"index","status","iterations","objective","u0","solveMs"}
                      and a summary line {"summary":true,"problems","solved",
                      "solveMsP50","solveMsP99","solveMsMax"}; a table otherwise
  --repeat R          solve each problem R times, report the median time (default 1)
  --warmup W          untimed solves of the first problem first, so the JIT has
                      compiled the solver before timing starts (default 30)
  --max-iterations M  interior-point iteration limit (default 50)
  --time-limit-ms T   per-solve time limit (default none)
  --generate FILE     write C random OSQP "control"-class problems to FILE instead
  --count C           problems to generate (default 10)
  --N, --nx, --nu     their sizes (default 40, 14, 8)
  --seed S            first seed (default 1); problem i uses seed S+i

Exit 0 when every problem is solved, 1 otherwise, 2 on a bad file or flag.
Example: cinepilot bench qp test/solver/fixtures/control-small.json --json`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    repeat: { type: 'string' },
    warmup: { type: 'string' },
    'max-iterations': { type: 'string' },
    'time-limit-ms': { type: 'string' },
    generate: { type: 'string' },
    count: { type: 'string' },
    N: { type: 'string' },
    nx: { type: 'string' },
    nu: { type: 'string' },
    seed: { type: 'string' },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  if (values.generate !== undefined) return generate(values.generate, values);
  if (positionals.length !== 1) {
    throw new CinePilotError('BAD_FLAG', `bench qp: expected one FILE of OCP-QPs, got ${positionals.length}.\n\n${HELP}`);
  }
  const file = positionals[0]!;
  const repeat = numberFlag('repeat', values.repeat, { min: 1, integer: true }) ?? 1;
  const warmup = numberFlag('warmup', values.warmup, { min: 0, integer: true }) ?? DEFAULT_WARMUP_SOLVES;
  const maxIterations = numberFlag('max-iterations', values['max-iterations'], { min: 1, integer: true });
  const timeLimitMs = numberFlag('time-limit-ms', values['time-limit-ms'], { min: 0, exclusiveMin: true });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CinePilotError('FILE_NOT_FOUND', `bench qp: cannot read ${file} (${(err as NodeJS.ErrnoException).code}). Give the path of an OCP-QP JSON file.`);
  }
  const problems = parseOcpQpFile(text, file);
  const json = values.json === true;
  const progress = new Progress(problems.length);
  const times: number[] = [];
  let solved = 0;
  const solvers = new Map<string, OcpQpSolver>();
  const settings = { ...(maxIterations ? { maxIterations } : {}), ...(timeLimitMs ? { timeLimitMs } : {}) };
  if (problems.length > 0 && warmup > 0) {
    const first = problems[0]!;
    const w = createQpSolver({ N: first.N, nx: first.nx, nu: first.nu }, settings);
    w.qp.copyFrom(first);
    for (let i = 0; i < warmup; i++) w.solve();
    w.dispose();
  }
  if (!json) console.log(tableRow(['#', 'N', 'nx', 'nu', 'status', 'iters', 'objective', 'solve ms', 'u0']));
  for (let i = 0; i < problems.length; i++) {
    const qp = problems[i]!;
    const key = `${qp.N}/${qp.nx}/${qp.nu}`;
    let solver = solvers.get(key);
    if (!solver) {
      solver = createQpSolver({ N: qp.N, nx: qp.nx, nu: qp.nu }, settings);
      solvers.set(key, solver);
    }
    solver.qp.copyFrom(qp);
    const runs: number[] = [];
    for (let r = 0; r < repeat; r++) runs.push(solver.solve().solveMs);
    const info = solver.info;
    const solveMs = percentile(runs, 0.5);
    times.push(solveMs);
    if (info.status === 'solved') solved++;
    const u0 = Array.from(solver.solution.u.subarray(0, qp.nu));
    if (json) {
      console.log(JSON.stringify({ index: i, status: info.status, iterations: info.iterations, objective: finiteOrNull(info.objective), u0, solveMs: round(solveMs, 4) }));
    } else {
      console.log(tableRow([String(i), String(qp.N), String(qp.nx), String(qp.nu), info.status, String(info.iterations),
        info.objective.toPrecision(10), solveMs.toFixed(3), `[${u0.slice(0, 4).map((v) => v.toPrecision(4)).join(', ')}${qp.nu > 4 ? ', …' : ''}]`]));
    }
    progress.tick(i + 1);
  }
  progress.done();
  for (const s of solvers.values()) s.dispose();
  const summary = {
    summary: true, problems: problems.length, solved,
    solveMsP50: round(percentile(times, 0.5), 4), solveMsP99: round(percentile(times, 0.99), 4), solveMsMax: round(Math.max(...times), 4),
  };
  if (json) console.log(JSON.stringify(summary));
  else console.log(`\n${solved}/${problems.length} solved; solve ms p50 ${summary.solveMsP50}, p99 ${summary.solveMsP99}, max ${summary.solveMsMax}`);
  return solved === problems.length ? EXIT_OK : EXIT_FAILED;
}

function generate(file: string, values: Record<string, string | boolean | undefined>): number {
  const count = numberFlag('count', values.count as string | undefined, { min: 1, integer: true }) ?? 10;
  const N = numberFlag('N', values.N as string | undefined, { min: 1, integer: true }) ?? 40;
  const nx = numberFlag('nx', values.nx as string | undefined, { min: 1, integer: true }) ?? 14;
  const nu = numberFlag('nu', values.nu as string | undefined, { min: 1, integer: true }) ?? 8;
  const seed = numberFlag('seed', values.seed as string | undefined, { integer: true }) ?? 1;
  const problems: object[] = [];
  for (let i = 0; i < count; i++) problems.push(ocpQpToJson(randomControlQp({ N, nx, nu, seed: seed + i })));
  writeFileSync(file, JSON.stringify(count === 1 ? problems[0] : problems));
  console.error(`wrote ${count} control-class OCP-QP${count === 1 ? '' : 's'} (N=${N}, nx=${nx}, nu=${nu}, seeds ${seed}..${seed + count - 1}) to ${file}`);
  return EXIT_OK;
}

const DEFAULT_WARMUP_SOLVES = 30;

/** Linear-interpolated percentile of unsorted samples (p in [0, 1]). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const round = (v: number, digits: number): number => Number(v.toFixed(digits));
const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
const WIDTHS = [5, 4, 4, 4, 16, 6, 18, 9, 0];
const tableRow = (cells: string[]): string => cells.map((c, i) => (WIDTHS[i] ? c.padStart(WIDTHS[i]!) : `  ${c}`)).join(' ');

/** Progress on stderr for runs longer than a second (a live line on a terminal). */
export class Progress {
  private readonly start = performance.now();
  private last = 0;
  constructor(private readonly total: number, private readonly label = 'solved') {}
  tick(done: number): void {
    const now = performance.now();
    if (now - this.start < 1000 || now - this.last < (process.stderr.isTTY ? 200 : 5000)) return;
    this.last = now;
    const line = `${this.label} ${done}/${this.total} (${((now - this.start) / 1000).toFixed(1)} s)`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
    else process.stderr.write(`${line}\n`);
  }
  done(): void {
    if (this.last > 0 && process.stderr.isTTY) process.stderr.write('\n');
  }
}

