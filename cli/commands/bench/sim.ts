/**
 * `cinepilot bench sim` — real-time factor of the headless simulator with the
 * baseline (trivial) controller: simulated seconds per wall-clock second, for
 * physics at 400 Hz and the controller at 25 Hz, no rendering. Prints the
 * median over repeats; never passes or fails on timing.
 */
import { parseFlags, numberFlag } from '../../args.ts';
import { EXIT_OK } from '../../../core/errors.ts';
import { loadScene } from '../../../sim/scene-loader.ts';
import { DEFAULT_CONTROL_RATE_HZ, runShot } from '../../../sim/harness.ts';
import { DEFAULT_PHYSICS_RATE_HZ } from '../../../sim/world.ts';
import { BaselineShotController } from '../../../sim/baseline-controller.ts';

const HELP = `usage: cinepilot bench sim [--scene NAME|FILE] [--duration S] [--repeats N] [--json]

  --scene     scene to fly (default runner)
  --duration  simulated seconds per run (default 60)
  --repeats   runs; the median is reported (default 5)
  --json      one JSON object: realTimeFactorMedian, realTimeFactorMin, realTimeFactorMax, runs`;

/** The target for the headless sim with a trivial controller. */
export const TARGET_REAL_TIME_FACTOR = 50;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    scene: { type: 'string' },
    duration: { type: 'string' },
    repeats: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, false);
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  const durationS = numberFlag('duration', values.duration, { min: 1, max: 3600 }) ?? 60;
  const repeats = numberFlag('repeats', values.repeats, { min: 1, max: 100, integer: true }) ?? 5;
  const scene = loadScene(values.scene ?? 'runner');
  const subject = scene.spec.subjects.find((s) => s.kind === 'person')?.name;
  const factors: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const { metrics } = await runShot({
      scene, spec: { kind: 'track', subjects: subject ? [subject] : [], framing: 'full' },
      controller: new BaselineShotController({ rig: scene.rig }), controllerName: 'baseline', durationS, seed: i + 1,
    });
    factors.push(metrics.realTimeFactor ?? 0);
    if (process.stderr.isTTY) process.stderr.write(`\rbench sim: run ${i + 1}/${repeats}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const sorted = factors.slice().sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const result = { scene: scene.spec.name, durationS, repeats, physicsRateHz: DEFAULT_PHYSICS_RATE_HZ, controlRateHz: DEFAULT_CONTROL_RATE_HZ, realTimeFactorMedian: median, realTimeFactorMin: sorted[0]!, realTimeFactorMax: sorted[sorted.length - 1]!, targetRealTimeFactor: TARGET_REAL_TIME_FACTOR };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`headless sim, ${scene.spec.name}, ${durationS} s × ${repeats}, physics ${DEFAULT_PHYSICS_RATE_HZ} Hz, baseline controller ${DEFAULT_CONTROL_RATE_HZ} Hz`);
    console.log(`  real-time factor  median ${median.toFixed(0)}×  (min ${sorted[0]!.toFixed(0)}×, max ${sorted[sorted.length - 1]!.toFixed(0)}×; target ≥ ${TARGET_REAL_TIME_FACTOR}×)`);
  }
  return EXIT_OK;
}
