/**
 * `cinepilot bench loop` — how well the real-time loop keeps its schedule on
 * this machine: start jitter (how late each tick begins) and tick duration,
 * p50/p99/max, overruns and skipped slots. By default each tick is the full
 * runtime tick (simulated vehicle in real time, subject predictor, shot
 * controller, safety supervisor, link sends, flight log); `--step empty`
 * measures the scheduler alone. Prints figures; never passes or fails on them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags, numberFlag } from '../../args.ts';
import { CinePilotError, EXIT_OK } from '../../../core/errors.ts';
import { ControlLoop, DEFAULT_RATE_HZ } from '../../../controller/loop/control-loop.ts';
import { MonotonicClock } from '../../../controller/loop/clock.ts';
import type { LoopStats } from '../../../controller/loop/loop-stats.ts';
import { Runtime } from '../../../controller/runtime.ts';
import { FlightLogWriter } from '../../../controller/flight-log/writer.ts';
import type { ShotController } from '../../../core/shot-controller.ts';

const HELP = `usage: cinepilot bench loop [--rate HZ] [--duration S] [--step runtime|empty] [--controller baseline|mpc] [--json]

  --rate HZ          loop rate (default ${DEFAULT_RATE_HZ})
  --duration S       measured seconds (default 10), after a 1 s warm-up
  --step KIND        runtime: the full controller tick against the real-time simulator flying
                     "track alice" (default); empty: the scheduler alone
  --controller NAME  shot controller for --step runtime: baseline (default) or mpc
  --json             one JSON object: the loop statistics and the settings`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    rate: { type: 'string' },
    duration: { type: 'string' },
    step: { type: 'string' },
    controller: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, false);
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  const rateHz = numberFlag('rate', values.rate, { min: 1, max: 1000 }) ?? DEFAULT_RATE_HZ;
  const durationS = numberFlag('duration', values.duration, { min: 0, exclusiveMin: true, max: 3600 }) ?? 10;
  const step = values.step ?? 'runtime';
  if (step !== 'runtime' && step !== 'empty') throw new CinePilotError('BAD_FLAG', `--step ${step}: must be runtime or empty.`);
  const controllerName = values.controller ?? 'baseline';
  if (controllerName !== 'baseline' && controllerName !== 'mpc') throw new CinePilotError('BAD_FLAG', `--controller ${controllerName}: must be baseline or mpc.`);

  const clock = new MonotonicClock();
  let statsOf: () => LoopStats;
  let reset: () => void;
  let teardown: () => Promise<void>;
  let describe = 'scheduler only (empty step)';
  if (step === 'empty') {
    const loop = new ControlLoop(clock, () => {}, { rateHz });
    loop.start();
    statsOf = () => loop.stats();
    reset = () => loop.resetStats();
    teardown = async () => loop.stop();
  } else {
    const [{ SimWorld }, { SimVehicleLink }, { loadScene }, { RealtimeRunner }, { noisyConstantVelocityPredictor }] = await Promise.all([
      import('../../../sim/world.ts'), import('../../../sim/sim-vehicle-link.ts'), import('../../../sim/scene-loader.ts'),
      import('../../../sim/realtime.ts'), import('../../../sim/noisy-predictor.ts'),
    ]);
    const world = new SimWorld(loadScene('static-subject'));
    const link = new SimVehicleLink(world);
    let shotController: ShotController;
    if (controllerName === 'mpc') {
      const { createMpcShotController } = await import('../../../controller/mpc-shot-controller.ts');
      shotController = createMpcShotController({ rig: world.rig, geofence: world.geofence });
    } else {
      const { BaselineShotController } = await import('../../../sim/baseline-controller.ts');
      shotController = new BaselineShotController({ rig: world.rig });
    }
    const dir = mkdtempSync(join(tmpdir(), 'cinepilot-bench-loop-'));
    const flightLog = await FlightLogWriter.open(join(dir, 'bench.mcap'));
    const runner = new RealtimeRunner(world);
    const runtime = new Runtime({
      link, rig: world.rig, shotController, subjects: noisyConstantVelocityPredictor()(world, 1), geofence: world.geofence,
      clock, rateHz, flightLog,
    });
    runner.start();
    await runtime.start();
    await new Promise((r) => setTimeout(r, 200));
    const r = runtime.submitShot({ kind: 'track', subjects: ['alice'] }, { id: 'bench', role: 'system' }, 'track alice');
    if (!r.ok) throw new CinePilotError('BENCH_SETUP', `could not start the bench shot: ${r.message}`);
    describe = `full runtime tick: ${controllerName} controller flying "track alice", real-time simulator link, safety supervisor, flight log`;
    statsOf = () => runtime.loop.stats();
    reset = () => runtime.loop.resetStats();
    teardown = async () => {
      await runtime.stop();
      runner.stop();
      await link.close();
      rmSync(dir, { recursive: true, force: true });
    };
  }

  await new Promise((r) => setTimeout(r, 1000)); // warm-up: JIT, first solves, module loading
  reset();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const progress = setInterval(() => {
      const s = statsOf();
      const el = (performance.now() - t0) / 1000;
      process.stderr.write(`\rbench loop: ${el.toFixed(0)}/${durationS} s, ${s.ticks} ticks, jitter p99 ${s.jitterP99Ms.toFixed(2)} ms, overruns ${s.overruns}   `);
    }, 1000);
    setTimeout(() => {
      clearInterval(progress);
      process.stderr.write('\n');
      resolve();
    }, durationS * 1000);
  });
  const stats = statsOf();
  await teardown();

  if (values.json) {
    console.log(JSON.stringify({ ...stats, durationS, step, controller: step === "runtime" ? controllerName : null }));
    return EXIT_OK;
  }
  const f = (x: number) => x.toFixed(2).padStart(7);
  console.log([
    `loop at ${rateHz} Hz for ${durationS} s — ${describe}`,
    `  ticks ${stats.ticks} (${stats.achievedRateHz.toFixed(2)} Hz achieved), overruns ${stats.overruns}, skipped slots ${stats.skippedTicks}, tick errors ${stats.tickErrors}`,
    `  start jitter,  ms: p50 ${f(stats.jitterP50Ms)}  p99 ${f(stats.jitterP99Ms)}  max ${f(stats.jitterMaxMs)}`,
    `  tick duration, ms: p50 ${f(stats.durationP50Ms)}  p99 ${f(stats.durationP99Ms)}  max ${f(stats.durationMaxMs)}`,
  ].join('\n'));
  return EXIT_OK;
}
