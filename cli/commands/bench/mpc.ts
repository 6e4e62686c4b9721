/**
 * `cinepilot bench mpc [--json]` — closed-loop RTI-SQP on the representative
 * camera-drone OCP (nx = 14, nu = 8, N = 40, Δt = 50 ms): step-time
 * percentiles, QP iterations, and the same QPs re-solved by HiGHS and SCS
 * in the same run with the time ratio. Figures, never pass/fail on timing.
 */
import { CinePilotError, EXIT_FAILED, EXIT_OK } from '../../../core/errors.ts';
import { OcpQp } from '../../../mpc/qp/ocp-qp.ts';
import { loadHighsReference, type ReferenceResult } from '../../../mpc/qp/reference-highs.ts';
import { loadScsReference } from '../../../mpc/qp/reference-scs.ts';
import { createRtiSolver, Rk4Integrator } from '../../../mpc/sqp/index.ts';
import { RtiSolver } from '../../../mpc/sqp/rti-solver.ts';
import {
  benchInitialState, benchParameters, BENCH_NP, BENCH_NU, BENCH_NX, createCameraDroneBenchModel,
} from '../../../mpc/sqp/models/camera-drone-bench.ts';
import { numberFlag, parseFlags } from '../../args.ts';
import { percentile, Progress, round } from './qp.ts';

const HELP = `usage: cinepilot bench mpc [--json] [--ticks T] [--N N] [--reference Q] [--warmup W] [--settle S]
       cinepilot bench mpc --scene NAME|FILE --spec FILE [--duration S] [--rate HZ] [--json]

Closed-loop real-time iteration on the bench camera-drone OCP (nx=${BENCH_NX},
nu=${BENCH_NU}, N=40, dt=50 ms; a subject walking a circle, a zoom schedule,
keep-out and altitude soft constraints): one prepare+feedback per tick, the
plant integrated with 4 RK4 sub-steps. Prints step-time p50/p99/max (ms),
QP iterations, and Q of the tick QPs re-solved by HiGHS (npm "highs") and
SCS (npm "scs-solver", eps 1e-7) with the median time ratio and the
objective agreement.

  --ticks T      measured control ticks (default 400 = 20 s)
  --N N          horizon (default 40)
  --reference Q  tick QPs to re-solve with HiGHS and SCS, evenly spaced (default 12; 0 = none)
  --warmup W     ticks of a first, separate closed loop so the JIT has compiled
                 everything (default 200)
  --settle S     ticks at the start of the measured loop left out of the
                 percentiles: the OCP's cold start from a hover guess (default
                 40 = 2 s); the first tick is reported on its own
  --json         one JSON object instead of the text report

With --scene and --spec: the real cinematography MPC (nx=15, nu=9, N=40,
14 soft rows per stage) flying that shot in the simulator exactly as
\`cinepilot validate\` does; every RTI step of the shot controller is timed
(wall and process CPU) and its QP iterations counted.

  --scene NAME|FILE  built-in scene (static-subject, runner, …) or a scene .json
  --spec FILE        the shot as a ShotSpec JSON file (e.g. test/solver/fixtures/orbit-shot.json)
  --duration S       simulated seconds (default: the spec's, else validate's default)
  --rate HZ          controller tick rate (default: validate's, 25)

Example: cinepilot bench mpc --json
         cinepilot bench mpc --scene static-subject --spec orbit.json --duration 9`;

const DT_S = 0.05;
const PLANT_SUBSTEPS = 4;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    ticks: { type: 'string' },
    N: { type: 'string' },
    reference: { type: 'string' },
    warmup: { type: 'string' },
    settle: { type: 'string' },
    scene: { type: 'string' },
    spec: { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string' },
  }, true);
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new CinePilotError('BAD_FLAG', `bench mpc: unexpected argument "${positionals[0]}".\n\n${HELP}`);
  const ticks = numberFlag('ticks', values.ticks, { min: 1, integer: true }) ?? 400;
  const N = numberFlag('N', values.N, { min: 2, max: 400, integer: true }) ?? 40;
  const nReference = numberFlag('reference', values.reference, { min: 0, integer: true }) ?? 12;
  const warmup = numberFlag('warmup', values.warmup, { min: 0, integer: true }) ?? 200;
  const settle = numberFlag('settle', values.settle, { min: 0, integer: true }) ?? 40;
  const json = values.json === true;
  if (values.scene !== undefined || values.spec !== undefined) {
    if (values.scene === undefined || values.spec === undefined) throw new CinePilotError('BAD_FLAG', `bench mpc: --scene and --spec go together.\n\n${HELP}`);
    return benchShot(values.scene, values.spec, numberFlag('duration', values.duration, { min: 0, exclusiveMin: true, max: 600 }), numberFlag('rate', values.rate, { min: 1, max: 200 }), json);
  }

  if (warmup > 0) closedLoop(N, warmup, 0, 0, null);
  const referenceTicks = new Set<number>();
  for (let i = 0; i < Math.min(nReference, ticks); i++) referenceTicks.add(Math.floor(((i + 0.5) * ticks) / Math.min(nReference, ticks)));
  const progress = json ? null : new Progress(ticks, 'ticks');
  const r = closedLoop(N, ticks, settle, 0, referenceTicks, progress);
  progress?.done();

  const references: ReferenceSummary[] = [];
  if (r.captured.length > 0) {
    references.push(compareWith('highs', await loadHighsReference(), r.captured));
    references.push(compareWith('scs', await loadScsReference(), r.captured));
  }

  const report = {
    problem: { nx: BENCH_NX, nu: BENCH_NU, N, dtS: DT_S, ticks, settleTicks: settle },
    coldStartMs: round(r.coldStartMs, 4),
    coldStartQpIterations: r.coldStartIterations,
    stepMsP50: round(percentile(r.stepMs, 0.5), 4),
    stepMsP99: round(percentile(r.stepMs, 0.99), 4),
    stepMsMax: round(Math.max(...r.stepMs), 4),
    stepCpuMsP50: round(percentile(r.stepCpuMs, 0.5), 4),
    stepCpuMsP99: round(percentile(r.stepCpuMs, 0.99), 4),
    cpuMsPerTickMean: round(r.cpuMsPerTick, 4),
    prepareMsP50: round(percentile(r.prepareMs, 0.5), 4),
    feedbackMsP50: round(percentile(r.feedbackMs, 0.5), 4),
    qpIterationsP50: percentile(r.iterations, 0.5),
    qpIterationsMax: Math.max(...r.iterations),
    qpNotSolved: r.notSolved,
    imageErrorP50: round(percentile(r.imageError, 0.5), 4),
    reference: references,
  };
  if (json) console.log(JSON.stringify(report));
  else {
    console.log(`RTI-SQP closed loop, nx=${BENCH_NX} nu=${BENCH_NU} N=${N} dt=${DT_S * 1000} ms, ${ticks} ticks after ${settle} settling ticks`);
    console.log(`  cold start (first tick, hover guess): ${report.coldStartMs} ms, ${report.coldStartQpIterations} QP iterations`);
    console.log(`  step (prepare+feedback) ms: p50 ${report.stepMsP50}  p99 ${report.stepMsP99}  max ${report.stepMsMax}`);
    console.log(`  step process CPU ms: p50 ${report.stepCpuMsP50}  p99 ${report.stepCpuMsP99} (less affected by other processes on a shared machine)`);
    console.log(`  prepare ms p50 ${report.prepareMsP50}, feedback ms p50 ${report.feedbackMsP50}; process CPU per tick (mean, incl. plant) ${report.cpuMsPerTickMean} ms`);
    console.log(`  QP iterations: p50 ${report.qpIterationsP50}, max ${report.qpIterationsMax}; QPs not solved: ${report.qpNotSolved}`);
    console.log(`  framing error (image, normalised) p50 ${report.imageErrorP50}`);
    for (const ref of report.reference) {
      console.log(`  ${ref.solver} on ${ref.qps} of the same QPs (${ref.solved} solved): p50 ${ref.qpMsP50} ms vs ours ${ref.oursQpMsP50} ms → ${ref.ratio}× ; max objective rel. difference ${ref.objectiveRelErrMax}`);
    }
  }
  return r.notSolved === ticks ? EXIT_FAILED : EXIT_OK;
}

interface ReferenceSummary {
  solver: string;
  qps: number;
  solved: number;
  /** reference median solve time on the QPs it solved */
  qpMsP50: number;
  /** our median QP time on the same QPs */
  oursQpMsP50: number;
  ratio: number;
  objectiveRelErrMax: number;
}

function compareWith(solver: string, solve: (qp: OcpQp) => ReferenceResult, captured: LoopResult['captured']): ReferenceSummary {
  const refMs: number[] = [];
  const oursMs: number[] = [];
  let objErr = 0;
  for (const c of captured) {
    const res = solve(c.qp);
    if (res.status !== 'solved') continue;
    refMs.push(res.solveMs);
    oursMs.push(c.qpMs);
    objErr = Math.max(objErr, Math.abs(res.objective - c.objective) / Math.max(1, Math.abs(res.objective)));
  }
  const qpMsP50 = percentile(refMs, 0.5);
  const oursQpMsP50 = percentile(oursMs, 0.5);
  return {
    solver, qps: captured.length, solved: refMs.length, qpMsP50: round(qpMsP50, 3), oursQpMsP50: round(oursQpMsP50, 4),
    ratio: round(qpMsP50 / oursQpMsP50, 1), objectiveRelErrMax: Number(objErr.toExponential(2)),
  };
}

interface LoopResult {
  stepMs: number[];
  /** process CPU time (user + system) of each step: on a shared machine wall time includes other processes' slices */
  stepCpuMs: number[];
  prepareMs: number[];
  feedbackMs: number[];
  iterations: number[];
  imageError: number[];
  notSolved: number;
  /** process CPU time of the whole loop (plant and bookkeeping included) / ticks */
  cpuMsPerTick: number;
  captured: Array<{ qp: OcpQp; objective: number; qpMs: number }>;
  /** the measured loop's first tick: the OCP's cold start from a hover guess (the JIT already warm) */
  coldStartMs: number;
  coldStartIterations: number;
}

function closedLoop(
  N: number, ticks: number, settle: number, t0S: number, capture: Set<number> | null, progress: Progress | null = null,
): LoopResult {
  const model = createCameraDroneBenchModel(N, DT_S);
  const rti = createRtiSolver(model);
  const plant = new Rk4Integrator(model);
  const p = new Float64Array(BENCH_NP);
  const x = benchInitialState();
  const xNext = new Float64Array(BENCH_NX);
  const u = new Float64Array(BENCH_NU);
  const res = new Float64Array(model.dims.ny);
  const setHorizon = (tS: number) => {
    for (let k = 0; k <= N; k++) rti.setParameters(k, benchParameters(tS + k * DT_S, p));
  };
  setHorizon(t0S);
  rti.setInitialState(x);
  rti.initialize(x);
  // results and QP copies allocated up front, so the garbage of the harness
  // does not land as collector pauses inside timed ticks
  const out: LoopResult = {
    stepMs: new Array<number>(ticks).fill(0), stepCpuMs: new Array<number>(ticks).fill(0),
    prepareMs: new Array<number>(ticks).fill(0), feedbackMs: new Array<number>(ticks).fill(0),
    iterations: new Array<number>(ticks).fill(0), imageError: new Array<number>(ticks).fill(0),
    notSolved: 0, cpuMsPerTick: 0, captured: [], coldStartMs: NaN, coldStartIterations: 0,
  };
  const src = rti.qpSolver.qp;
  const copies = Array.from({ length: capture?.size ?? 0 }, () => new OcpQp({ N: src.N, nx: src.nx, nu: src.nu, ns: src.ns, nsN: src.nsN }));
  let cpu0 = process.cpuUsage();
  for (let tick = -settle; tick < ticks; tick++) {
    if (tick === 0) cpu0 = process.cpuUsage();
    const tS = t0S + (tick + settle) * DT_S;
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    rti.prepare();
    rti.setInitialState(x);
    const info = rti.feedback();
    const stepMs = performance.now() - start;
    const cpuStep = process.cpuUsage(cpuStart);
    if (tick === -settle) {
      out.coldStartMs = stepMs;
      out.coldStartIterations = info.qpIterations;
    }
    if (tick >= 0) {
      out.stepMs[tick] = stepMs;
      out.stepCpuMs[tick] = (cpuStep.user + cpuStep.system) / 1000;
      out.prepareMs[tick] = info.prepareMs;
      out.feedbackMs[tick] = info.feedbackMs;
      out.iterations[tick] = info.qpIterations;
      if (info.status !== 'solved') out.notSolved++;
      if (capture?.has(tick)) {
        const copy = copies[out.captured.length];
        copy.copyFrom(src);
        out.captured.push({ qp: copy, objective: rti.qpSolver.info.objective, qpMs: rti.qpSolver.info.solveMs });
      }
    }
    rti.u(0, u);
    // plant: the same dynamics, finer integration
    benchParameters(tS, p);
    for (let s = 0; s < PLANT_SUBSTEPS; s++) {
      plant.integrate(DT_S / PLANT_SUBSTEPS, x, 0, u, 0, p, xNext, 0, null, 0, null, 0);
      x.set(xNext);
    }
    model.stageResidual(0, x, u, p, res, null, null);
    if (tick >= 0) out.imageError[tick] = Math.hypot(res[0], res[1]) / 8;
    rti.shift();
    setHorizon(tS + DT_S);
    if (tick >= 0) progress?.tick(tick + 1);
  }
  const cpu = process.cpuUsage(cpu0);
  out.cpuMsPerTick = (cpu.user + cpu.system) / 1000 / ticks;
  rti.dispose();
  return out;
}

/**
 * The cinematography MPC flying one shot in the simulator (validate's path):
 * RtiSolver.step is wrapped for the run to time each step (wall and process
 * CPU) and count its QP iterations, then restored.
 */
async function benchShot(scene: string, spec: string, durationS: number | undefined, controlRateHz: number | undefined, json: boolean): Promise<number> {
  const { validateOnce } = await import('../validate.ts');
  const stepMs: number[] = [];
  const cpuMs: number[] = [];
  const iterations: number[] = [];
  const proto = RtiSolver.prototype;
  const original = proto.step;
  proto.step = function timedStep(this: RtiSolver) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const info = original.call(this);
    stepMs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
    iterations.push(info.qpIterations);
    return info;
  };
  let metrics;
  try {
    ({ metrics } = await validateOnce({ scene, spec, durationS, seed: 1 }, { progress: !json, controlRateHz }));
  } finally {
    proto.step = original;
  }
  if (stepMs.length === 0) throw new CinePilotError('BAD_FLAG', 'bench mpc: that run made no RTI steps (was the controller the MPC?).');
  const hist: Record<string, number> = {};
  for (const it of iterations) hist[it] = (hist[it] ?? 0) + 1;
  const report = {
    scene, shotKind: metrics.shotKind, steps: stepMs.length,
    stepMsP50: round(percentile(stepMs, 0.5), 4), stepMsP99: round(percentile(stepMs, 0.99), 4),
    stepCpuMsP50: round(percentile(cpuMs, 0.5), 4), stepCpuMsP99: round(percentile(cpuMs, 0.99), 4),
    qpIterationsP50: percentile(iterations, 0.5), qpIterationsMean: round(iterations.reduce((a, b) => a + b, 0) / iterations.length, 2),
    qpIterationsMax: Math.max(...iterations), qpIterationsHistogram: hist,
    tickSolveMsP50: metrics.solveMsP50, tickSolveMsP99: metrics.solveMsP99,
    compositionErrorRms: metrics.compositionErrorRms, sizeErrorRmsPct: metrics.sizeErrorRmsPct, passed: metrics.passed,
  };
  if (json) console.log(JSON.stringify(report));
  else {
    console.log(`cinematography MPC, ${scene} / ${report.shotKind}: ${report.steps} RTI steps`);
    console.log(`  step ms: p50 ${report.stepMsP50}  p99 ${report.stepMsP99}; process CPU ms: p50 ${report.stepCpuMsP50}  p99 ${report.stepCpuMsP99}`);
    console.log(`  QP iterations: p50 ${report.qpIterationsP50}, mean ${report.qpIterationsMean}, max ${report.qpIterationsMax}  ${JSON.stringify(hist)}`);
    console.log(`  whole controller tick ms: p50 ${report.tickSolveMsP50}, p99 ${report.tickSolveMsP99}; shot ${report.passed ? 'passed' : 'failed'}`);
  }
  return EXIT_OK;
}
