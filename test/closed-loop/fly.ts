/**
 * Closed-loop helper for the tests: resolves a scene/spec exactly as
 * `cinepilot validate` does (prepareRun: scene loader, spec checks, the
 * controller registry's 'mpc' entry) and flies it with the simulator's
 * harness, recording the controller's shot phase each tick.
 */
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ShotSpec } from '../../core/shot-spec.ts';
import type { ShotPhase } from '../../core/shot-controller.ts';
import { prepareRun } from '../../cli/commands/validate.ts';
import { runShot, type RunShotResult } from '../../sim/harness.ts';
import type { PredictorFactory } from '../../sim/noisy-predictor.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

/** A scene of this test folder (test/closed-loop/scenes/NAME.json). */
export const testScene = (name: string): string => resolve(HERE, 'scenes', `${name}.json`);

export interface FlyResult extends RunShotResult {
  /** controller phase per tick, aligned with trace.ticks */
  phases: ShotPhase[];
}

export async function fly(
  scene: string, spec: ShotSpec, durationS: number,
  options: { predictor?: PredictorFactory; perception?: string; seed?: number } = {},
): Promise<FlyResult> {
  const run = await prepareRun({ scene, spec, durationS, seed: options.seed, controller: 'mpc', perception: options.perception });
  const phases: ShotPhase[] = [];
  const result = await runShot({
    scene: run.scene, spec: run.spec, controller: run.controller, controllerName: run.controllerName,
    durationS: run.durationS, seed: run.seed, predictor: options.predictor ?? run.predictor,
    onTick: () => phases.push(run.controller.status().phase),
  });
  return { ...result, phases };
}

/** Closed-loop runs take seconds each on a loaded 2-core machine. */
export const CLOSED_LOOP_TIMEOUT_MS = 300_000;
