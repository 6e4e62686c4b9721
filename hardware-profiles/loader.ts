/**
 * Loads and validates hardware profiles. Every problem is reported with its
 * JSON path (`/axes/pitch/maxDeg`), not just the first one, so a user can fix
 * a file in one go.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, resolve, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { CinePilotError } from '../core/errors.ts';
import { PROFILE_SCHEMAS, type ProfileType, type Rig, type RigFile } from './schema.ts';

export const PROFILES_DIR = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_RIG_NAME = 'x500-fullframe-24-70';

export interface ProfileProblem {
  /** JSON pointer inside the file, '' for the whole document */
  path: string;
  message: string;
}

/** Thrown by loaders; `problems` lists every issue found. */
export class ProfileError extends CinePilotError {
  readonly file: string;
  readonly problems: ProfileProblem[];
  constructor(file: string, problems: ProfileProblem[]) {
    super(
      'PROFILE_INVALID',
      `${file}: ${problems.length} problem(s):\n` + problems.map((p) => `  ${p.path || '/'}: ${p.message}`).join('\n'),
      problems,
    );
    this.file = file;
    this.problems = problems;
  }
}

const RANGE_PAIRS: Record<string, Array<[string, string]>> = {
  gimbal: [['/axes/pitch/minDeg', '/axes/pitch/maxDeg'], ['/axes/yaw/minDeg', '/axes/yaw/maxDeg'], ['/axes/roll/minDeg', '/axes/roll/maxDeg']],
  lens: [['/focalLengthMm/min', '/focalLengthMm/max'], ['/fNumber/min', '/fNumber/max'], ['/focusDistanceM/min', '/focusDistanceM/max']],
};

function pointerGet(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const part of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Validate a parsed profile document; returns every problem (empty = valid). */
export function validateProfile(doc: unknown, expected?: ProfileType): ProfileProblem[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return [{ path: '', message: 'a profile must be a JSON object' }];
  }
  const type = (doc as { type?: unknown }).type;
  if (typeof type !== 'string' || !(type in PROFILE_SCHEMAS)) {
    return [{ path: '/type', message: `must be one of ${Object.keys(PROFILE_SCHEMAS).join(', ')} (got ${JSON.stringify(type)})` }];
  }
  if (expected && type !== expected) {
    return [{ path: '/type', message: `expected a ${expected} profile here, got ${type}` }];
  }
  const schema = PROFILE_SCHEMAS[type as ProfileType];
  const problems: ProfileProblem[] = [];
  for (const e of Value.Errors(schema, doc)) {
    // TypeBox reports a union failure once per branch; keep the first per path.
    if (problems.some((p) => p.path === e.path)) continue;
    problems.push({ path: e.path, message: e.message });
  }
  for (const [minPath, maxPath] of RANGE_PAIRS[type] ?? []) {
    const lo = pointerGet(doc, minPath), hi = pointerGet(doc, maxPath);
    if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) {
      problems.push({ path: minPath, message: `min (${lo}) is greater than max (${hi}) at ${maxPath}` });
    }
  }
  return problems;
}

function readJson(file: string): unknown {
  if (!existsSync(file)) {
    throw new CinePilotError('PROFILE_NOT_FOUND', `${file}: no such profile file. List the shipped ones with \`cinepilot profiles list\`.`);
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ProfileError(file, [{ path: '', message: `not valid JSON: ${(err as Error).message}` }]);
  }
}

/** Load and validate one profile file. */
export function loadProfile<T = unknown>(file: string, expected?: ProfileType): T {
  const doc = readJson(file);
  const problems = validateProfile(doc, expected);
  if (problems.length) throw new ProfileError(file, problems);
  return doc as T;
}

/** Every shipped profile file, grouped by folder. */
export function listShippedProfiles(): Array<{ type: string; name: string; file: string }> {
  const out: Array<{ type: string; name: string; file: string }> = [];
  for (const folder of ['airframes', 'gimbals', 'cameras', 'lenses', 'links', 'rigs']) {
    const dir = join(PROFILES_DIR, folder);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
      out.push({ type: folder.replace(/s$/, '').replace(/lense$/, 'lens'), name: basename(f, '.json'), file: join(dir, f) });
    }
  }
  return out;
}

/** Resolve a profile by file path or by shipped name (`x500-quad`, `x500-fullframe-24-70`). */
export function resolveProfilePath(nameOrPath: string): string {
  if (nameOrPath.endsWith('.json') || nameOrPath.includes('/')) return resolve(nameOrPath);
  const hit = listShippedProfiles().find((p) => p.name === nameOrPath);
  if (!hit) {
    const names = listShippedProfiles().map((p) => p.name).join(', ');
    throw new CinePilotError('PROFILE_NOT_FOUND', `no shipped profile named "${nameOrPath}". Known: ${names}. Or pass a path to a .json file.`);
  }
  return hit.file;
}

/**
 * Load a rig and every profile it references. Problems in referenced files
 * are reported with the referenced file's name and the path inside it.
 */
export function loadRig(nameOrPath: string = DEFAULT_RIG_NAME): Rig {
  const file = resolveProfilePath(nameOrPath);
  const rig = loadProfile<RigFile>(file, 'rig');
  const base = dirname(file);
  const part = <T>(ref: string, type: ProfileType): T => loadProfile<T>(resolve(base, ref), type);
  return {
    name: rig.name,
    path: file,
    airframe: part(rig.airframe, 'airframe'),
    gimbal: part(rig.gimbal, 'gimbal'),
    camera: part(rig.camera, 'camera'),
    lens: part(rig.lens, 'lens'),
    link: part(rig.link, 'link'),
    safety: rig.safety,
  };
}
