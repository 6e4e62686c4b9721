/**
 * "Simulate first": fly a shot ahead of time in a copy of the set, starting
 * from where the drone is now, and score it with the simulator's metrics.
 *
 * The copy: the same scene and seed, with the drone placed at its current
 * pose (position, heading, gimbal, lens) hovering, stepped forward to the
 * live simulated time. Subjects and wind are scripted or seeded, independent
 * of the drone, so the copy's people are exactly where the live ones are.
 * Then the shot is flown closed loop at the control rate by the harness's own
 * tick sequence (flyShot; runShot uses it from a scene's start), traced with
 * buildTrace, and scored by sim/metrics.ts.
 */
import { CinePilotError } from '../../core/errors.ts';
import type { ShotSpec } from '../../core/shot-spec.ts';
import { monotonicS, radToDeg } from '../../core/units.ts';
import type { VehicleTelemetry } from '../../core/vehicle-link.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { type LoadedScene, loadScene } from '../../sim/scene-loader.ts';
import { SimWorld } from '../../sim/world.ts';
import { SimVehicleLink } from '../../sim/sim-vehicle-link.ts';
import { noisyConstantVelocityPredictor } from '../../sim/noisy-predictor.ts';
import { computeMetrics } from '../../sim/metrics.ts';
import { buildTrace, flyShot } from '../../sim/harness.ts';
import { CONTROLLERS } from '../../cli/commands/validate.ts';
import { liveShotController } from './live-controller.ts';
import type { PreviewResult } from '../protocol/state.ts';

/** Length of a preview for open-ended shots (no durationS), s. */
export const DEFAULT_PREVIEW_S = 8;
export const MAX_PREVIEW_S = 60;
/** History the subject predictor gets before the shot starts, s. */
const PREDICTOR_PRIME_S = 2;
/** Points of the camera path sent to the client. */
const PATH_POINTS_MAX = 400;

export interface PreviewJob {
  vehicleId: string;
  /** LoadedScene.source: 'builtin:<name>' or a file path */
  scene: string;
  /** rig file path */
  rig: string;
  seed: number;
  physicsRateHz: number;
  /** live simulated time to start from, s */
  atS: number;
  telemetry: VehicleTelemetry;
  controller: string;
  /** the studio's simulator speed: the previewed controller gets the same budgets */
  simSpeed: number;
  /** controller ticks per simulated second in the preview */
  controlRateHz: number;
  /** the spec in the simulator's subject names */
  spec: ShotSpec;
  /** the spec as the DP gave it (returned unchanged) */
  shownSpec: ShotSpec;
}

function sceneFromHere(job: PreviewJob): LoadedScene {
  const base = loadScene(job.scene.startsWith('builtin:') ? job.scene.slice('builtin:'.length) : job.scene);
  const rig = base.rig.path === job.rig ? base.rig : loadRig(job.rig);
  const t = job.telemetry;
  return {
    ...base,
    rig,
    spec: {
      ...base.spec,
      drone: {
        positionNeM: [t.positionNedM.x, t.positionNedM.y],
        altitudeM: Math.max(0, -t.positionNedM.z),
        yawDeg: radToDeg(t.yawRad),
        gimbalPitchDeg: radToDeg(t.gimbal.pitchRad),
        lens: { focalLengthMm: t.lens.focalLengthMm, fNumber: t.lens.fNumber, focusDistanceM: t.lens.focusDistanceM },
      },
    },
  };
}

export async function simulatePreview(job: PreviewJob): Promise<PreviewResult> {
  const wallStart = monotonicS();
  if (!job.telemetry.inAir) throw new CinePilotError('PREVIEW_NOT_FLYING', 'the vehicle is not flying: take off first, then preview');
  if (!CONTROLLERS[job.controller]) throw new CinePilotError('PREVIEW_NO_CONTROLLER', `controller "${job.controller}" is not registered`);
  const scene = sceneFromHere(job);
  const world = new SimWorld(scene, { seed: job.seed, physicsRateHz: job.physicsRateHz });
  const link = new SimVehicleLink(world);
  await link.connect();
  const predictor = noisyConstantVelocityPredictor()(world, job.seed);
  const dt = 1 / job.controlRateHz;
  world.step(Math.max(0, job.atS - PREDICTOR_PRIME_S));
  while (world.timeS < job.atS - 1e-9) {
    predictor.update(world.timeS);
    world.step(Math.min(dt, job.atS - world.timeS));
  }

  // The controller as it flies live (real-time budgets included), so the preview shows what Go will do.
  const controller = await liveShotController(job.controller, scene.rig, scene, world, job.simSpeed);
  const durationS = Math.min(job.spec.durationS ?? DEFAULT_PREVIEW_S, MAX_PREVIEW_S);
  const { shotStartS, ticks } = await flyShot({
    world, link, predictor, controller, spec: job.spec, controlRateHz: job.controlRateHz, durationS,
    offboardRefusedCode: 'PREVIEW_OFFBOARD_REFUSED',
  });
  predictor.dispose?.();
  await link.close();

  const trace = buildTrace(world, job.spec, shotStartS, job.controller, job.controlRateHz, ticks, monotonicS() - wallStart);
  const metrics = computeMetrics(trace);
  const every = Math.max(1, Math.ceil(ticks.length / PATH_POINTS_MAX));
  const sampled = ticks.filter((_, i) => i % every === 0 || i === ticks.length - 1);
  const subjectPathsNedM: Record<string, Array<[number, number, number]>> = {};
  for (const t of sampled) {
    for (const s of t.subjects) (subjectPathsNedM[s.name] ??= []).push([s.positionNedM.x, s.positionNedM.y, s.positionNedM.z]);
  }
  return {
    vehicleId: job.vehicleId,
    spec: job.shownSpec,
    simulatedS: durationS,
    computeMs: (monotonicS() - wallStart) * 1000,
    pathNedM: sampled.map((t) => [t.camera.positionNedM.x, t.camera.positionNedM.y, t.camera.positionNedM.z]),
    subjectPathsNedM,
    metrics: metrics as unknown as Record<string, unknown>,
    passed: metrics.passed,
    failures: metrics.failures,
  };
}
