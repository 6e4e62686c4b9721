/**
 * The OCP-QP file format of DESIGN.md §6, so anyone can replay QPs:
 *
 *   { "N", "nx", "nu", "x0": [nx], "stages": [ N+1 objects ] }
 *
 * stage k < N: A (nx×nx), B (nx×nu), b (nx), Q (nx×nx), R (nu×nu),
 * S (nu×nx, optional), q (nx), r (nu), lbx/ubx (nx, optional),
 * lbu/ubu (nu, optional); stage N: Q, q, lbx/ubx (optional). Row-major flat
 * arrays; a missing bound, null, or |v| ≥ 1e20 means "no bound". Bounds on
 * x₀ are ignored (x₀ is fixed). A file holds one problem or an array.
 *
 * The reader names the offending place: `problems[3].stages[7].A: expected
 * 16 numbers, got 15`.
 */
import { CinePilotError } from '../../core/errors.ts';
import { BOUND_INFINITY, OcpQp } from './ocp-qp.ts';

export const QP_FILE_ERROR = 'QP_FILE_INVALID';

const STAGE_REQUIRED = ['A', 'B', 'b', 'Q', 'R', 'q', 'r'] as const;
const STAGE_ALLOWED = new Set(['A', 'B', 'b', 'Q', 'R', 'S', 'q', 'r', 'lbx', 'ubx', 'lbu', 'ubu']);
const TERMINAL_REQUIRED = ['Q', 'q'] as const;
const TERMINAL_ALLOWED = new Set(['Q', 'q', 'lbx', 'ubx']);
const TOP_ALLOWED = new Set(['N', 'nx', 'nu', 'x0', 'stages']);

function fail(path: string, what: string): never {
  throw new CinePilotError(QP_FILE_ERROR, `${path}${path ? ': ' : ''}${what}`);
}

/** Parse the text of an OCP-QP file (one problem or an array). `source` prefixes messages. */
export function parseOcpQpFile(text: string, source = 'QP file'): OcpQp[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CinePilotError(QP_FILE_ERROR, `${source}: not valid JSON (${(err as Error).message}).`);
  }
  try {
    if (Array.isArray(doc)) {
      if (doc.length === 0) fail('', 'the file holds an empty array; expected at least one problem');
      return doc.map((p, i) => readProblem(p, `problems[${i}]`));
    }
    return [readProblem(doc, '')];
  } catch (err) {
    if (err instanceof CinePilotError) throw new CinePilotError(QP_FILE_ERROR, `${source}: ${err.message}`);
    throw err;
  }
}

function readProblem(doc: unknown, path: string): OcpQp {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail(path, 'expected an object { "N", "nx", "nu", "x0", "stages" }');
  const obj = doc as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!TOP_ALLOWED.has(key)) fail(at(key), `unknown field; allowed: ${[...TOP_ALLOWED].join(', ')}`);
  }
  for (const key of ['N', 'nx', 'nu'] as const) {
    const v = obj[key];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1)) fail(at(key), `expected an integer ≥ 1, got ${JSON.stringify(v)}`);
  }
  const N = obj.N as number;
  const nx = obj.nx as number;
  const nu = obj.nu as number;
  const stages = obj.stages;
  if (!Array.isArray(stages)) fail(at('stages'), `expected an array of N+1 = ${N + 1} stage objects`);
  if (stages.length !== N + 1) fail(at('stages'), `expected N+1 = ${N + 1} stages, got ${stages.length}`);
  if (obj.x0 === undefined) fail(at('x0'), `missing; expected ${nx} numbers`);
  const qp = new OcpQp({ N, nx, nu });
  rewrap(() => qp.updateX0(obj.x0 as ArrayLike<number>), at('x0'), 'x0');
  for (let k = 0; k <= N; k++) {
    const where = at(`stages[${k}]`);
    const st = stages[k];
    if (st === null || typeof st !== 'object' || Array.isArray(st)) fail(where, 'expected an object');
    const s = st as Record<string, unknown>;
    const last = k === N;
    const allowed = last ? TERMINAL_ALLOWED : STAGE_ALLOWED;
    for (const key of Object.keys(s)) {
      if (!allowed.has(key)) {
        fail(`${where}.${key}`, last ? `the terminal stage allows only ${[...allowed].join(', ')}` : `unknown field; allowed: ${[...allowed].join(', ')}`);
      }
    }
    for (const key of last ? TERMINAL_REQUIRED : STAGE_REQUIRED) {
      if (s[key] === undefined) fail(`${where}.${key}`, 'missing');
    }
    qp.updateStage(k, s as never, where);
  }
  return qp;
}

/** Re-label a field error raised by OcpQp with the file path. */
function rewrap(fn: () => void, path: string, internal: string): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof CinePilotError) throw new CinePilotError(QP_FILE_ERROR, err.message.replace(internal, path));
    throw err;
  }
}

const bound = (v: number): number | null => (Number.isFinite(v) && Math.abs(v) < BOUND_INFINITY ? v : null);

/** The JSON object of one problem (soft rows are not part of the §6 format and are dropped). */
export function ocpQpToJson(qp: OcpQp): object {
  const { N, nx, nu } = qp;
  const slice = (a: Float64Array, k: number, n: number) => Array.from(a.subarray(k * n, k * n + n));
  const bounds = (a: Float64Array, k: number, n: number) => slice(a, k, n).map(bound);
  const stages: object[] = [];
  for (let k = 0; k < N; k++) {
    stages.push({
      A: slice(qp.A, k, nx * nx), B: slice(qp.B, k, nx * nu), b: slice(qp.b, k, nx),
      Q: slice(qp.Q, k, nx * nx), R: slice(qp.R, k, nu * nu), S: slice(qp.S, k, nu * nx),
      q: slice(qp.q, k, nx), r: slice(qp.r, k, nu),
      lbx: bounds(qp.lbx, k, nx), ubx: bounds(qp.ubx, k, nx), lbu: bounds(qp.lbu, k, nu), ubu: bounds(qp.ubu, k, nu),
    });
  }
  stages.push({ Q: slice(qp.Q, N, nx * nx), q: slice(qp.q, N, nx), lbx: bounds(qp.lbx, N, nx), ubx: bounds(qp.ubx, N, nx) });
  return { N, nx, nu, x0: Array.from(qp.x0), stages };
}
