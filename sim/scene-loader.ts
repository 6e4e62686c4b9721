/**
 * Loads scenes: built-in ones by name (sim/scenes/<name>.json) or any file by
 * path. Every problem is reported with its JSON path (`/subjects/0/motion/
 * waypoints/2/speedMps`), all at once, so a user can fix a file in one go.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { CinePilotError } from '../core/errors.ts';
import { loadRig, resolveProfilePath, DEFAULT_RIG_NAME } from '../hardware-profiles/loader.ts';
import type { Rig } from '../hardware-profiles/schema.ts';
import { SceneSchema, type SceneSpec } from './scene-schema.ts';
import { pointInPolygonNe } from './geofence.ts';

export const BUILTIN_SCENES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scenes');

export interface SceneProblem {
  /** JSON pointer inside the scene document, '' for the whole document */
  path: string;
  message: string;
}

export class SceneError extends CinePilotError {
  readonly problems: SceneProblem[];
  constructor(source: string, problems: SceneProblem[]) {
    super(
      'SCENE_INVALID',
      `${source}: ${problems.length} problem(s):\n` + problems.map((p) => `  ${p.path || '/'}: ${p.message}`).join('\n') +
        '\nThe scene format is described in docs/simulator.md ("Scene files").',
      problems,
    );
    this.problems = problems;
  }
}

/** A validated scene with its rig loaded. */
export interface LoadedScene {
  spec: SceneSpec;
  /** file it came from, or 'builtin:<name>' */
  source: string;
  rig: Rig;
}

export function listBuiltinScenes(): string[] {
  return readdirSync(BUILTIN_SCENES_DIR).filter((f) => f.endsWith('.json')).map((f) => basename(f, '.json')).sort();
}

/**
 * Schema errors, descending into discriminated unions (objects with a literal
 * `type`) so the message points at the field inside the branch the user meant,
 * not at "expected union value" on the parent.
 */
function schemaProblems(schema: TSchema, doc: unknown, prefix: string, out: SceneProblem[]): void {
  for (const e of Value.Errors(schema, doc)) {
    const path = prefix + e.path;
    if (out.some((p) => p.path === path || path.startsWith(p.path + '/'))) continue;
    const branches = (e.schema as { anyOf?: TSchema[] }).anyOf;
    const value = e.value as { type?: unknown } | null;
    if (branches && value && typeof value === 'object' && !Array.isArray(value)) {
      const typeOf = (b: TSchema): unknown => (b as unknown as { properties?: { type?: { const?: unknown } } }).properties?.type?.const;
      const types = branches.map(typeOf).filter((t) => t !== undefined);
      if (types.length === branches.length) {
        const branch = branches.find((b) => typeOf(b) === value.type);
        if (!branch) out.push({ path: `${path}/type`, message: `must be one of ${types.map((t) => JSON.stringify(t)).join(', ')} (got ${JSON.stringify(value.type)})` });
        else schemaProblems(branch, value, path, out);
        continue;
      }
    }
    out.push({ path, message: e.message });
  }
}

/** Checks a schema cannot express: names, references, geometry. */
function semanticProblems(scene: SceneSpec): SceneProblem[] {
  const problems: SceneProblem[] = [];
  const names = new Map<string, string>();
  scene.subjects.forEach((s, i) => {
    if (names.has(s.name)) problems.push({ path: `/subjects/${i}/name`, message: `"${s.name}" is already used at ${names.get(s.name)}; names must be unique` });
    else names.set(s.name, `/subjects/${i}`);
    if (s.kind === 'prop' && !s.shape) problems.push({ path: `/subjects/${i}/shape`, message: 'a prop needs a shape ({ "type": "box", "sizeM": [l, w, h] } or { "type": "cylinder", … })' });
  });
  (scene.objects ?? []).forEach((o, i) => {
    if (names.has(o.name)) problems.push({ path: `/objects/${i}/name`, message: `"${o.name}" is already used at ${names.get(o.name)}; names must be unique` });
    else names.set(o.name, `/objects/${i}`);
    if (!o.positionNeM === !o.relativeTo) problems.push({ path: `/objects/${i}`, message: 'give exactly one of positionNeM or relativeTo' });
    if (o.relativeTo && !scene.subjects.some((s) => s.name === o.relativeTo!.subject)) {
      problems.push({ path: `/objects/${i}/relativeTo/subject`, message: `no subject named "${o.relativeTo.subject}" (subjects: ${scene.subjects.map((s) => s.name).join(', ') || 'none'})` });
    }
  });
  const subjectNames = scene.subjects.map((s) => s.name);
  scene.subjects.forEach((s, i) => {
    if (s.motion.type === 'follow') {
      if (!subjectNames.includes(s.motion.leader)) problems.push({ path: `/subjects/${i}/motion/leader`, message: `no subject named "${s.motion.leader}" (subjects: ${subjectNames.join(', ')})` });
      // a formation must end at a subject that moves on its own
      const seen = new Set<string>([s.name]);
      let leader: string | undefined = s.motion.leader;
      while (leader) {
        if (seen.has(leader)) {
          problems.push({ path: `/subjects/${i}/motion/leader`, message: `follow chain loops back (${[...seen, leader].join(' → ')})` });
          break;
        }
        seen.add(leader);
        const l = scene.subjects.find((x) => x.name === leader);
        leader = l?.motion.type === 'follow' ? l.motion.leader : undefined;
      }
    }
    if (s.motion.type === 'random-walk' && s.motion.pauseS && s.motion.pauseS[0] > s.motion.pauseS[1]) {
      problems.push({ path: `/subjects/${i}/motion/pauseS`, message: 'min pause is greater than max pause' });
    }
  });
  const g = scene.geofence;
  if (g.minAltitudeM >= g.maxAltitudeM) problems.push({ path: '/geofence/minAltitudeM', message: `must be below maxAltitudeM (${g.maxAltitudeM})` });
  const [dn, de] = scene.drone.positionNeM;
  if (!pointInPolygonNe(dn, de, g.polygonNeM)) problems.push({ path: '/drone/positionNeM', message: 'the drone starts outside the geofence polygon' });
  if (scene.drone.altitudeM > 0 && (scene.drone.altitudeM < g.minAltitudeM || scene.drone.altitudeM > g.maxAltitudeM)) {
    problems.push({ path: '/drone/altitudeM', message: `must be 0 (on the ground) or inside the geofence altitude band ${g.minAltitudeM}…${g.maxAltitudeM} m` });
  }
  if (scene.drone.lookAt && !subjectNames.includes(scene.drone.lookAt)) {
    problems.push({ path: '/drone/lookAt', message: `no subject named "${scene.drone.lookAt}" (subjects: ${subjectNames.join(', ')})` });
  }
  return problems;
}

/** Every problem in a parsed scene document (empty = valid). */
export function validateScene(doc: unknown): SceneProblem[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return [{ path: '', message: 'a scene must be a JSON object' }];
  const problems: SceneProblem[] = [];
  schemaProblems(SceneSchema, doc, '', problems);
  if (problems.length) return problems;
  return semanticProblems(doc as SceneSpec);
}

/** Validate a scene document and load its rig (`rigBaseDir` resolves a relative rig path). */
export function sceneFromDocument(doc: unknown, source: string, rigBaseDir = process.cwd()): LoadedScene {
  const problems = validateScene(doc);
  if (problems.length) throw new SceneError(source, problems);
  const spec = doc as SceneSpec;
  const rigRef = spec.rig ?? DEFAULT_RIG_NAME;
  const rigPath = rigRef.endsWith('.json') || rigRef.includes('/') ? resolve(rigBaseDir, rigRef) : resolveProfilePath(rigRef);
  return { spec, source, rig: loadRig(rigPath) };
}

/** Load a built-in scene by name or a scene file by path. */
export function loadScene(nameOrPath: string): LoadedScene {
  const isPath = nameOrPath.endsWith('.json') || nameOrPath.includes('/');
  const file = isPath ? resolve(nameOrPath) : join(BUILTIN_SCENES_DIR, `${nameOrPath}.json`);
  if (!existsSync(file)) {
    throw new CinePilotError(
      'SCENE_NOT_FOUND',
      isPath ? `${file}: no such scene file.` : `no built-in scene named "${nameOrPath}". Built-in scenes: ${listBuiltinScenes().join(', ')}; or pass a path to a .json scene file.`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SceneError(file, [{ path: '', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  return sceneFromDocument(doc, isPath ? file : `builtin:${nameOrPath}`, dirname(file));
}
