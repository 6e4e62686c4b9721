/**
 * `cinepilot validate` — fly a shot in the simulator, headless and as fast as
 * the CPU allows, score it from ground truth against the shot kind's
 * tolerances, optionally write an HTML report; `--batch` runs many
 * scene/shot pairs on worker threads.
 *
 * The controller registry below is the one place that names the controllers
 * validate can fly (the cinematography engineer adds 'mpc' here and makes it
 * the default).
 */
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve, dirname, join, basename } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { Value } from '@sinclair/typebox/value';
import { parseFlags, numberFlag } from '../args.ts';
import { CinePilotError, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK } from '../../core/errors.ts';
import { ShotSpecSchema, type ShotSpec } from '../../core/shot-spec.ts';
import type { ShotController } from '../../core/shot-controller.ts';
import type { Rig } from '../../hardware-profiles/schema.ts';
import { type LoadedScene, loadScene } from '../../sim/scene-loader.ts';
import { runShot, type RunShotResult } from '../../sim/harness.ts';
import { BaselineShotController } from '../../sim/baseline-controller.ts';
import { createMpcShotController } from '../../controller/mpc-shot-controller.ts';
import { SimWorld } from '../../sim/world.ts';
import type { ShotMetrics } from '../../sim/metrics.ts';
import { noisyConstantVelocityPredictor, type PredictorFactory } from '../../sim/noisy-predictor.ts';
import { VirtualDetector } from '../../sim/virtual-detector.ts';
import { PerceptionPipeline } from '../../perception/pipeline.ts';
import { iou } from '../../perception/box.ts';

export interface ControllerContext {
  rig: Rig;
  scene: LoadedScene;
  spec: ShotSpec;
}

export interface ControllerEntry {
  summary: string;
  create(ctx: ControllerContext): Promise<ShotController>;
}

/** Background objects a shallow-DoF shot may keep soft (world positions resolved by a throw-away SimWorld). */
function sceneBackground(scene: LoadedScene): Array<{ name: string; positionNedM: { x: number; y: number; z: number } }> {
  return new SimWorld(scene).objects.filter((o) => o.role === 'background').map((o) => ({ name: o.name, positionNedM: o.positionNedM }));
}

/** Controllers `--controller` can name. */
export const CONTROLLERS: Record<string, ControllerEntry> = {
  mpc: {
    summary: 'joint pose + gimbal + lens MPC (RTI-SQP) flying the shot recipe (controller/mpc-shot-controller.ts)',
    create: async ({ rig, scene }) =>
      createMpcShotController({
        rig,
        geofence: scene.spec.geofence,
        background: sceneBackground(scene),
        // headless validation is deterministic: iteration-limited QPs, no wall-clock limit
        qpTimeLimitMs: Infinity,
      }),
  },
  baseline: {
    summary: 'hover at the start point, aim gimbal/yaw at the subject, zoom for the framing, focus on the subject',
    create: async ({ rig }) => new BaselineShotController({ rig }),
  },
};
export const DEFAULT_CONTROLLER = 'mpc';

/** Rate the virtual detector runs at in the loop, Hz (what the CPU allows a real one, DESIGN.md §7). */
export const VIRTUAL_DETECTION_RATE_HZ = 10;
/**
 * Subject filter acceleration σ in the loop, m/s². Perception's default
 * (0.7) suits people walking on a shot; validate's scenes also have people
 * who run, accelerate and cut corners (the runner: 2.5 m/s² starts, 3.5 m/s²
 * turns), which a walker's filter follows a few tenths of a metre late.
 */
export const IN_LOOP_SUBJECT_ACCEL_MPS2 = 1.5;
/** Overlap a track needs with a detection of a known subject before the operator "names" it. */
const NAMING_IOU = 0.5;

/**
 * Perception in the loop: the simulator's virtual detector (noise, misses,
 * false positives, occlusion, latency) at VIRTUAL_DETECTION_RATE_HZ feeds
 * perception's tracker and localiser; the controller sees its predictions.
 * Naming stands in for the operator saying "that one is alice": an unnamed
 * confirmed track that overlaps a detection of a scene subject gets that name
 * when nobody has it, or when the track that has it missed this detection
 * (it is coasting on prediction while the new one sees the person).
 */
export function virtualPerceptionPredictor(): PredictorFactory {
  return (world, seed) => {
    const detector = new VirtualDetector(world, seed);
    const pipeline = new PerceptionPipeline({ predictor: { filter: { accelSigmaMps2: IN_LOOP_SUBJECT_ACCEL_MPS2 } } });
    let lastCaptureS = -Infinity;
    return {
      update(nowS: number) {
        if (nowS - lastCaptureS >= 1 / VIRTUAL_DETECTION_RATE_HZ - 1e-9) {
          detector.capture();
          lastCaptureS = nowS;
        }
        for (const batch of detector.poll(nowS)) {
          // no focus cue: the lens focus is the controller's own command, set from this very
          // estimate, so feeding it back would let the estimate confirm itself
          const view = { pose: batch.camera.pose, lens: batch.camera.intrinsics };
          const { tracks } = pipeline.process(batch.timestampS, batch, view);
          for (const t of tracks) {
            if (t.name || t.framesSinceUpdate !== 0) continue;
            // the operator points again when the named track has lost the person (coasting or lost) and a fresh one has them
            let best = -1, bestIou = NAMING_IOU;
            batch.detections.forEach((d, i) => {
              const o = iou(t.bbox, d.bbox);
              if (batch.truthNames[i] && o > bestIou) [best, bestIou] = [i, o];
            });
            const name = best >= 0 ? batch.truthNames[best]! : null;
            const holder = name ? pipeline.tracker.trackIdOf(name) : null;
            const holderSeesThem = holder !== null && tracks.some((o) => o.id === holder && o.framesSinceUpdate === 0);
            if (name && !holderSeesThem) {
              try {
                pipeline.name(t.id, name);
              } catch {
                // not confirmed yet: name it on a later frame
              }
            }
          }
        }
      },
      predict: (name: string, timeS: number) => pipeline.subjects.predict(name, timeS),
      names: () => pipeline.subjects.names(),
    };
  };
}

/** Subject estimates `--perception` can choose. */
export const PERCEPTION_MODES: Record<string, { summary: string; factory: () => PredictorFactory }> = {
  'noisy-truth': { summary: 'delayed, noisy ground truth (sim/noisy-predictor.ts)', factory: () => noisyConstantVelocityPredictor() },
  'virtual-detector': { summary: 'virtual detector → perception tracker → localiser → predictor', factory: virtualPerceptionPredictor },
};
export const DEFAULT_PERCEPTION = 'noisy-truth';

/** Shot length when neither --duration nor the spec's durationS says, s. */
export const DEFAULT_DURATION_S = 20;
export const MAX_DURATION_S = 600;

const HELP = `usage: cinepilot validate --scene NAME|FILE (--shot "words" | --spec FILE) [options]
       cinepilot validate --batch FILE [--json]
       cinepilot validate --scene-schema      (print the scene file JSON Schema)

Fly a shot in the simulator headless, as fast as possible, and check its
metrics against the shot kind's tolerances (sim/tolerances.ts).

  --scene NAME|FILE   built-in scene (static-subject, two-actors, runner, crossing-occlusion) or a scene .json
  --shot "words"      the shot in words (shot language, e.g. "track alice from her left, full shot")
  --spec FILE         the shot as a ShotSpec JSON file
  --duration S        simulated seconds (default: the spec's durationS, else ${DEFAULT_DURATION_S}; ≤ ${MAX_DURATION_S})
  --seed N            random seed (integer, default 1)
  --controller NAME   ${Object.keys(CONTROLLERS).join(' | ')} (default ${DEFAULT_CONTROLLER})
  --rate HZ           controller tick rate (default 25)
  --perception MODE   subject estimates: ${Object.keys(PERCEPTION_MODES).join(' | ')} (default ${DEFAULT_PERCEPTION})
  --report DIR        write DIR/index.html (plots, rendered frames) and DIR/metrics.json, DIR/trace.json
  --json              print the metrics as one JSON object
  --batch FILE        JSON array of { "scene", "spec" | "shot", "durationS"?, "seed"?, "controller"?, "perception"? }:
                      runs them on worker threads and prints a table (JSON array with --json);
                      with --report DIR, one report per run in DIR/<index>-<scene>/

exit status: 0 tolerances hold, 1 they do not, 2 bad input`;

export interface ValidateJob {
  scene: string;
  spec?: ShotSpec | string;
  shot?: string;
  durationS?: number;
  seed?: number;
  controller?: string;
  /** subject estimates (PERCEPTION_MODES) */
  perception?: string;
  /** resolve relative scene/spec paths against this folder */
  baseDir?: string;
}

/** Words → ShotSpec through the shot-language parser, with the scene's subjects and the rig's limits as context. */
async function parseShotWords(words: string, scene: LoadedScene): Promise<ShotSpec> {
  const { parseShot } = await import('../../ground-station/language/index.ts');
  const { rig, spec } = scene;
  const result = parseShot(words, {
    subjects: spec.subjects.filter((s) => s.kind === 'person').map((s) => s.name),
    keepOutRadiusM: rig.safety.keepOutRadiusM,
    altitudeBandM: { min: spec.geofence.minAltitudeM, max: spec.geofence.maxAltitudeM },
    maxSpeedMps: rig.safety.maxSpeedMps,
    lens: { focalLengthMm: rig.lens.focalLengthMm, fNumber: rig.lens.fNumber },
  });
  if (!result.ok) {
    const allowed = result.error.allowed?.length ? ` Allowed: ${result.error.allowed.join(', ')}.` : '';
    throw new CinePilotError('SHOT_NOT_UNDERSTOOD', `--shot "${words}": ${result.error.message}${allowed}`);
  }
  return result.spec;
}

function readSpec(file: string): ShotSpec {
  if (!existsSync(file)) throw new CinePilotError('SPEC_NOT_FOUND', `--spec ${file}: no such file`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CinePilotError('SPEC_INVALID', `--spec ${file}: not valid JSON: ${(err as Error).message}`);
  }
  return checkSpec(doc, file);
}

function checkSpec(doc: unknown, source: string): ShotSpec {
  const errors = [...Value.Errors(ShotSpecSchema, doc)];
  if (errors.length) {
    const seen = new Set<string>();
    const lines = errors.filter((e) => !seen.has(e.path) && seen.add(e.path)).map((e) => `  ${e.path || '/'}: ${e.message}`);
    throw new CinePilotError('SPEC_INVALID', `${source}: not a valid ShotSpec:\n${lines.join('\n')}\nSee DESIGN.md §9 for the fields.`);
  }
  return doc as ShotSpec;
}

function checkSubjects(spec: ShotSpec, scene: LoadedScene): void {
  const people = scene.spec.subjects.filter((s) => s.kind === 'person').map((s) => s.name);
  const named = [...spec.subjects, spec.focusOn, spec.focusFrom].filter((n): n is string => !!n);
  const unknown = named.filter((n) => !people.includes(n));
  if (unknown.length) {
    throw new CinePilotError('SHOT_UNKNOWN_SUBJECT', `the shot names ${unknown.map((n) => `"${n}"`).join(', ')}, but scene "${scene.spec.name}" has: ${people.join(', ') || 'nobody'}`);
  }
}

export function controllerEntry(name: string): ControllerEntry {
  const entry = CONTROLLERS[name];
  if (!entry) throw new CinePilotError('BAD_FLAG', `--controller ${name}: unknown controller. Known: ${Object.keys(CONTROLLERS).join(', ')}`);
  return entry;
}

export interface PreparedRun {
  scene: LoadedScene;
  spec: ShotSpec;
  durationS: number;
  seed: number;
  controllerName: string;
  controller: ShotController;
  predictor: PredictorFactory;
}

/** Resolve a job's scene, spec and controller (throws CinePilotError on bad input). */
export async function prepareRun(job: ValidateJob): Promise<PreparedRun> {
  const base = job.baseDir ?? process.cwd();
  const sceneRef = job.scene.endsWith('.json') || job.scene.includes('/') ? resolve(base, job.scene) : job.scene;
  const scene = loadScene(sceneRef);
  let spec: ShotSpec;
  if (job.shot !== undefined) spec = await parseShotWords(job.shot, scene);
  else if (typeof job.spec === 'string') spec = readSpec(resolve(base, job.spec));
  else if (job.spec) spec = checkSpec(job.spec, 'spec');
  else throw new CinePilotError('BAD_FLAG', 'give the shot with --shot "words" or --spec FILE');
  checkSubjects(spec, scene);
  const controllerName = job.controller ?? DEFAULT_CONTROLLER;
  const controller = await controllerEntry(controllerName).create({ rig: scene.rig, scene, spec });
  const durationS = job.durationS ?? spec.durationS ?? DEFAULT_DURATION_S;
  const perception = PERCEPTION_MODES[job.perception ?? DEFAULT_PERCEPTION];
  if (!perception) throw new CinePilotError('BAD_FLAG', `--perception ${job.perception}: unknown. Known: ${Object.keys(PERCEPTION_MODES).join(', ')}`);
  return { scene, spec, durationS, seed: job.seed ?? 1, controllerName, controller, predictor: perception.factory() };
}

function progressBar(label: string): ((fraction: number, timeS: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (fraction, timeS) => {
    const width = 30, done = Math.round(fraction * width);
    process.stderr.write(`\r${label} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${(fraction * 100).toFixed(0).padStart(3)}%  t=${timeS.toFixed(1)} s`);
    if (fraction >= 1) process.stderr.write('\n');
  };
}

const fmt = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined ? '–' : x.toFixed(digits));

function printMetrics(m: ShotMetrics): void {
  const lines: Array<[string, string]> = [
    ['scene / shot', `${m.scene} / ${m.shotKind} (controller ${m.controller}, seed ${m.seed})`],
    ['duration', `${fmt(m.durationS, 2)} s simulated, ${fmt(m.realTimeFactor, (m.realTimeFactor ?? 0) < 10 ? 1 : 0)}× real time`],
    ['composition error', `rms ${fmt(m.compositionErrorRms, 4)}, max ${fmt(m.compositionErrorMax, 4)} (image units)`],
    ['size error', `max ${fmt(m.sizeErrorMaxPct, 2)} %, rms ${fmt(m.sizeErrorRmsPct, 2)} %`],
    ['in focus', `${fmt(m.inFocusFraction, 3)} of ticks ${Object.entries(m.inFocusBySubject).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`],
    ['focus reversals', String(m.focusReversals)],
    ['jerk rms', `${fmt(m.jerkRms, 2)} m/s³`],
    ['min person distance', `${fmt(m.minPersonDistanceM, 2)} m`],
    ['min obstacle dist.', `${fmt(m.minObstacleDistanceM, 2)} m`],
    ['geofence violations', `${m.geofenceViolations} (${fmt(m.geofenceViolationS, 2)} s outside)`],
    ['focal length', `${fmt(m.focalLengthMm.min, 1)} … ${fmt(m.focalLengthMm.max, 1)} mm (ratio ${fmt(m.focalRatio, 2)})`],
    ['solve time', `p50 ${fmt(m.solveMsP50, 3)} ms, p99 ${fmt(m.solveMsP99, 3)} ms`],
  ];
  for (const [k, v] of lines) console.log(`${k.padEnd(20)} ${v}`);
  console.log(m.passed ? 'PASSED' : `FAILED: ${m.failures.join('; ')}`);
}

/** One run end to end; `report` writes the HTML report there. */
export async function validateOnce(job: ValidateJob, opts: { report?: string; progress?: boolean; controlRateHz?: number } = {}): Promise<RunShotResult> {
  const run = await prepareRun(job);
  let capture: Awaited<ReturnType<typeof import('../../sim/report.ts').frameCapture>> | null = null;
  if (opts.report) capture = (await import('../../sim/report.ts')).frameCapture(run.durationS);
  const result = await runShot({
    scene: run.scene,
    spec: run.spec,
    controller: run.controller,
    controllerName: run.controllerName,
    durationS: run.durationS,
    seed: run.seed,
    controlRateHz: opts.controlRateHz,
    predictor: run.predictor,
    onProgress: opts.progress ? progressBar(`${run.scene.spec.name}/${run.spec.kind}`) : undefined,
    onTick: capture?.onTick,
  });
  if (opts.report && capture) {
    const { writeReport } = await import('../../sim/report.ts');
    writeReport(opts.report, result, capture.frames);
  }
  return result;
}

/**
 * Worker threads do not inherit tsx's loader and ignore `--import tsx` in
 * execArgv on Node 20, so each worker registers tsx itself and then loads
 * this module, whose bottom lines turn it into a batch worker.
 */
const WORKER_BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;

/** DIR/index.html: one row per run, linking to its report. */
function writeBatchIndex(dir: string, jobs: ValidateJob[], results: Array<ShotMetrics | { error: string }>): void {
  const esc = (x: string) => x.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const rows = results.map((r, i) => {
    const link = `${i}-${basename(jobs[i]!.scene, '.json')}/index.html`;
    if ('error' in r) return `<tr><td>${i}</td><td>${esc(jobs[i]!.scene)}</td><td colspan="6" class="fail">ERROR ${esc(r.error)}</td></tr>`;
    return `<tr><td><a href="${link}">${i}</a></td><td>${esc(r.scene)}</td><td>${esc(r.shotKind)}</td><td>${esc(r.controller)}</td><td>${fmt(r.compositionErrorRms, 4)}</td>` +
      `<td>${fmt(r.sizeErrorMaxPct, 1)}</td><td>${fmt(r.inFocusFraction, 3)}</td><td class="${r.passed ? 'pass' : 'fail'}">${r.passed ? 'pass' : esc(r.failures.join('; '))}</td></tr>`;
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><title>CinePilot validate batch</title>
<style>body{font-family:sans-serif;margin:20px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}.pass{color:#1a7f37}.fail{color:#c62828}</style></head>
<body><h1>Batch: ${results.filter((r) => 'passed' in r && r.passed).length}/${results.length} passed</h1><table>
<tr><th>#</th><th>scene</th><th>shot</th><th>controller</th><th>composition rms</th><th>size max %</th><th>in focus</th><th>result</th></tr>${rows.join('')}</table></body></html>`);
}

async function runBatch(file: string, json: boolean, reportDir?: string): Promise<number> {
  if (!existsSync(file)) throw new CinePilotError('BATCH_NOT_FOUND', `--batch ${file}: no such file`);
  let jobs: ValidateJob[];
  try {
    jobs = JSON.parse(readFileSync(file, 'utf8')) as ValidateJob[];
  } catch (err) {
    throw new CinePilotError('BATCH_INVALID', `--batch ${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(jobs) || jobs.length === 0) throw new CinePilotError('BATCH_INVALID', `--batch ${file}: must be a non-empty JSON array of { "scene", "spec" | "shot", … }`);
  jobs.forEach((j, i) => {
    if (!j || typeof j.scene !== 'string' || (j.spec === undefined && j.shot === undefined)) {
      throw new CinePilotError('BATCH_INVALID', `--batch ${file}: /${i}: each entry needs "scene" and "spec" (file or object) or "shot"`);
    }
  });
  const baseDir = dirname(resolve(file));
  // validate every entry before spending CPU on any
  for (const j of jobs) await prepareRun({ ...j, baseDir });

  const workers = Math.max(1, Math.min(jobs.length, availableParallelism()));
  const results: Array<ShotMetrics | { error: string }> = new Array(jobs.length);
  let next = 0, finished = 0;
  const tty = process.stderr.isTTY;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const w = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: { cinepilotValidateWorker: true } });
      try {
        while (next < jobs.length) {
          const i = next++;
          results[i] = await new Promise((res, rej) => {
            w.once('message', res);
            w.once('error', rej);
            const report = reportDir ? join(resolve(reportDir), `${i}-${basename(jobs[i]!.scene, '.json')}`) : undefined;
            w.postMessage({ job: { ...jobs[i], baseDir }, report });
          });
          finished++;
          if (tty) process.stderr.write(`\rbatch: ${finished}/${jobs.length} runs done`);
        }
      } finally {
        await w.terminate();
      }
    }),
  );
  if (tty) process.stderr.write('\n');
  const allPassed = results.every((r) => 'passed' in r && r.passed);
  if (reportDir) writeBatchIndex(resolve(reportDir), jobs, results);
  if (json) {
    console.log(JSON.stringify(results.map((r, i) => ({ job: jobs[i], ...('error' in r ? { error: r.error } : { metrics: r }) }))));
    return allPassed ? EXIT_OK : EXIT_FAILED;
  }
  const header = ['#', 'scene', 'shot', 'ctrl', 'seed', 'comp rms', 'size max%', 'in focus', 'min dist', 'rtf', 'result'];
  const rows = results.map((r, i) => {
    const j = jobs[i]!;
    if ('error' in r) return [String(i), j.scene, '?', j.controller ?? DEFAULT_CONTROLLER, String(j.seed ?? 1), '', '', '', '', '', `ERROR ${r.error}`];
    return [
      String(i), r.scene, r.shotKind, r.controller, String(r.seed), fmt(r.compositionErrorRms, 4), fmt(r.sizeErrorMaxPct, 1),
      fmt(r.inFocusFraction, 3), fmt(r.minPersonDistanceM, 2), fmt(r.realTimeFactor, (r.realTimeFactor ?? 0) < 10 ? 1 : 0), r.passed ? 'pass' : `FAIL ${r.failures.join('; ')}`,
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((x, c) => (c === cells.length - 1 ? x : x.padEnd(widths[c]!))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log(`${results.filter((r) => 'passed' in r && r.passed).length}/${results.length} passed`);
  return allPassed ? EXIT_OK : EXIT_FAILED;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    scene: { type: 'string' },
    shot: { type: 'string' },
    spec: { type: 'string' },
    duration: { type: 'string' },
    seed: { type: 'string' },
    controller: { type: 'string' },
    rate: { type: 'string' },
    perception: { type: 'string' },
    report: { type: 'string' },
    json: { type: 'boolean' },
    batch: { type: 'string' },
    'scene-schema': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, false);
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  if (values['scene-schema']) {
    const { SceneSchema } = await import('../../sim/scene-schema.ts');
    console.log(JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title: 'CinePilot scene', ...SceneSchema }, null, 2));
    return EXIT_OK;
  }
  if (values.batch) return runBatch(values.batch, !!values.json, values.report);
  if (!values.scene || (values.shot === undefined) === (values.spec === undefined)) {
    console.error(`cinepilot validate: give --scene and exactly one of --shot or --spec.\n\n${HELP}`);
    return EXIT_BAD_INPUT;
  }
  const durationS = numberFlag('duration', values.duration, { min: 0, exclusiveMin: true, max: MAX_DURATION_S });
  const seed = numberFlag('seed', values.seed, { min: 0, max: 2 ** 32 - 1, integer: true });
  const controlRateHz = numberFlag('rate', values.rate, { min: 1, max: 200 });
  if (values.controller) controllerEntry(values.controller);
  const { metrics } = await validateOnce(
    { scene: values.scene, shot: values.shot, spec: values.spec, durationS, seed, controller: values.controller, perception: values.perception },
    { report: values.report, progress: true, controlRateHz },
  );
  if (values.json) console.log(JSON.stringify(metrics));
  else printMetrics(metrics);
  if (values.report) console.error(`report: ${resolve(values.report, 'index.html')}`);
  return metrics.passed ? EXIT_OK : EXIT_FAILED;
}

// Batch worker: the same module, run on a worker thread.
if (!isMainThread && (workerData as { cinepilotValidateWorker?: boolean } | null)?.cinepilotValidateWorker) {
  parentPort!.on('message', ({ job, report }: { job: ValidateJob; report?: string }) => {
    validateOnce(job, { report }).then(
      ({ metrics }) => parentPort!.postMessage(metrics),
      (err: unknown) => parentPort!.postMessage({ error: (err as Error).message }),
    );
  });
}
