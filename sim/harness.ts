/**
 * Closed-loop shot harness: a scene, a ShotSpec and a ShotController in; a
 * trace and its metrics out. The world steps at its physics rate; the
 * controller ticks at `controlRateHz` through the in-process SimVehicleLink,
 * exactly as the real-time loop would drive a real vehicle; subject estimates
 * come from a predictor (default: delayed, noisy ground truth; perception's
 * tracker plugs in through `predictor`). Headless and as fast as the CPU goes.
 */
import type { ShotController, ControlOutput } from '../core/shot-controller.ts';
import type { ShotSpec } from '../core/shot-spec.ts';
import { CinePilotError } from '../core/errors.ts';
import { clone } from '../core/vec3.ts';
import { monotonicS } from '../core/units.ts';
import { type LoadedScene, loadScene } from './scene-loader.ts';
import { SimWorld } from './world.ts';
import { SimVehicleLink } from './sim-vehicle-link.ts';
import { type PredictorFactory, type SimSubjectPredictor, noisyConstantVelocityPredictor } from './noisy-predictor.ts';
import { computeMetrics, type ShotMetrics } from './metrics.ts';
import type { ShotTolerances } from './tolerances.ts';
import type { ShotTrace, TraceTick } from './trace.ts';

export const DEFAULT_CONTROL_RATE_HZ = 25;
export const MIN_CONTROL_RATE_HZ = 1;
export const MAX_CONTROL_RATE_HZ = 200;
/** Takeoff altitude when a scene starts the drone on the ground, m. */
export const DEFAULT_TAKEOFF_ALTITUDE_M = 4;
/** Longest a takeoff may take before the run is abandoned, s. */
const MAX_TAKEOFF_S = 30;

export interface TickInfo {
  world: SimWorld;
  tickIndex: number;
  timeS: number;
  output: ControlOutput;
}

export interface RunShotOptions {
  /** a loaded scene, or a built-in scene name / scene file path */
  scene: LoadedScene | string;
  spec: ShotSpec;
  controller: ShotController;
  /** name recorded in the trace (e.g. 'baseline', 'mpc') */
  controllerName?: string;
  /** simulated seconds of shot to fly */
  durationS: number;
  seed?: number;
  controlRateHz?: number;
  physicsRateHz?: number;
  /** builds the subject predictor the controller sees; default NoisyConstantVelocityPredictor */
  predictor?: PredictorFactory;
  warmUpS?: number;
  tolerances?: Partial<ShotTolerances>;
  /** 0..1 progress, at most ~100 calls per run */
  onProgress?: (fraction: number, timeS: number) => void;
  /** after each controller tick, before the world steps (frame capture, live views); its time is left out of the real-time factor */
  onTick?: (info: TickInfo) => void;
}

export interface RunShotResult {
  trace: ShotTrace;
  metrics: ShotMetrics;
}

export async function runShot(options: RunShotOptions): Promise<RunShotResult> {
  const rate = options.controlRateHz ?? DEFAULT_CONTROL_RATE_HZ;
  if (!(rate >= MIN_CONTROL_RATE_HZ && rate <= MAX_CONTROL_RATE_HZ)) {
    throw new CinePilotError('SIM_BAD_OPTION', `controlRateHz ${rate}: must be within ${MIN_CONTROL_RATE_HZ}…${MAX_CONTROL_RATE_HZ} Hz (20–50 is typical)`);
  }
  if (!(options.durationS > 0) || !Number.isFinite(options.durationS)) {
    throw new CinePilotError('SIM_BAD_OPTION', `durationS ${options.durationS}: must be a finite number > 0`);
  }
  const scene = typeof options.scene === 'string' ? loadScene(options.scene) : options.scene;
  const seed = options.seed ?? 1;
  const world = new SimWorld(scene, { seed, physicsRateHz: options.physicsRateHz });
  const link = new SimVehicleLink(world);
  await link.connect();
  const predictor = (options.predictor ?? noisyConstantVelocityPredictor())(world, seed);
  const dt = 1 / rate;
  const wallStart = monotonicS();

  // a scene that starts on the ground: take off first (not part of the shot)
  if (!link.latestTelemetry()!.inAir) {
    await link.arm();
    const r = await link.takeoff(DEFAULT_TAKEOFF_ALTITUDE_M);
    if (!r.ok) throw new CinePilotError('SIM_TAKEOFF_FAILED', r.message);
    while (world.autopilot.mode === 'takeoff' && world.timeS < MAX_TAKEOFF_S) world.step(dt);
  }

  const { shotStartS, ticks, hookS } = await flyShot({
    world, link, predictor, controller: options.controller, spec: options.spec, controlRateHz: rate,
    durationS: options.durationS, onTick: options.onTick, onProgress: options.onProgress,
  });
  const wallS = monotonicS() - wallStart - hookS;
  predictor.dispose?.();
  await link.close();

  const trace = buildTrace(world, options.spec, shotStartS, options.controllerName ?? options.controller.constructor.name, rate, ticks, wallS);
  return { trace, metrics: computeMetrics(trace, { warmUpS: options.warmUpS, tolerances: options.tolerances }) };
}

export interface FlyShotOptions {
  /** a world already in the air, with its link connected and its predictor built */
  world: SimWorld;
  link: SimVehicleLink;
  predictor: SimSubjectPredictor;
  controller: ShotController;
  spec: ShotSpec;
  controlRateHz: number;
  durationS: number;
  onTick?: RunShotOptions['onTick'];
  onProgress?: RunShotOptions['onProgress'];
  /** error code when the autopilot refuses offboard (default SIM_OFFBOARD_REFUSED) */
  offboardRefusedCode?: string;
}

/**
 * The closed-loop tick sequence itself: set the shot now, then every control
 * period predictor → controller → link (offboard from the first setpoint) →
 * recordTick → world step. Shared by runShot and the ground station's
 * preview, which prepares its world differently (from the live vehicle's
 * state). `hookS` is the wall time spent in onTick.
 */
export async function flyShot(o: FlyShotOptions): Promise<{ shotStartS: number; ticks: TraceTick[]; hookS: number }> {
  const { world, link, predictor, controller } = o;
  const dt = 1 / o.controlRateHz;
  const shotStartS = world.timeS;
  controller.setShot(o.spec, shotStartS);
  const ticks: TraceTick[] = [];
  const nTicks = Math.round(o.durationS * o.controlRateHz) + 1;
  const progressEvery = Math.max(1, Math.floor(nTicks / 100));
  let offboard = false;
  let hookS = 0;
  for (let k = 0; k < nTicks; k++) {
    const timeS = world.timeS;
    predictor.update(timeS);
    const telemetry = link.latestTelemetry()!;
    const output = controller.tick({ timeS, telemetry, subjects: predictor });
    link.sendSetpoint(output.setpoint);
    link.setGimbal(output.gimbal);
    link.setLens(output.lens);
    if (!offboard) {
      const r = await link.startOffboard();
      if (!r.ok) throw new CinePilotError(o.offboardRefusedCode ?? 'SIM_OFFBOARD_REFUSED', r.message);
      offboard = true;
    }
    ticks.push(recordTick(world, output, timeS));
    if (o.onTick) {
      // time spent in the hook (frame rendering, live views) is not simulation time
      const hookStart = monotonicS();
      o.onTick({ world, tickIndex: k, timeS, output });
      hookS += monotonicS() - hookStart;
    }
    if (o.onProgress && (k % progressEvery === 0 || k === nTicks - 1)) o.onProgress((k + 1) / nTicks, timeS - shotStartS);
    if (k < nTicks - 1) world.step(dt);
  }
  return { shotStartS, ticks, hookS };
}

/** What a trace keeps of a controller's output each tick. */
export type TickOutput = Pick<ControlOutput, 'targets'> & { diagnostics: Pick<ControlOutput['diagnostics'], 'solveMs' | 'status'> };

/**
 * One tick of ground truth plus what the controller asked for — shared by the
 * headless harness and anything else that flies the world (the controller
 * runtime over a link, the ground station's preview).
 */
export function recordTick(world: SimWorld, output: TickOutput, timeS: number): TraceTick {
  const v = world.vehicle.state;
  const props = world.subjects.filter((s) => s.kind === 'prop');
  return {
    timeS,
    drone: {
      positionNedM: clone(v.positionNedM),
      velocityNedMps: clone(v.velocityNedMps),
      accelerationNedMps2: clone(v.accelerationNedMps2),
      yawRad: v.yawRad,
      rollRad: v.rollRad,
      pitchRad: v.pitchRad,
    },
    camera: world.cameraPose(),
    gimbal: { ...world.gimbal.angles },
    lens: { ...world.lens.state },
    subjects: world.subjects
      .filter((s) => s.kind === 'person')
      .map((s) => ({ name: s.name, positionNedM: clone(s.state.positionNedM), velocityNedMps: clone(s.state.velocityNedMps), headingRad: s.state.headingRad, heightM: s.heightM })),
    props: props.length ? props.map((s) => ({ name: s.name, positionNedM: clone(s.state.positionNedM) })) : undefined,
    targets: output.targets ? structuredClone(output.targets) : null,
    solveMs: output.diagnostics.solveMs,
    status: output.diagnostics.status,
    mode: world.autopilot.mode,
  };
}

/** A ShotTrace from recorded ticks (those before `shotStartS` are dropped), ready for computeMetrics. */
export function buildTrace(
  world: SimWorld, spec: ShotSpec, shotStartS: number, controller: string, controlRateHz: number, ticks: TraceTick[], wallS: number,
): ShotTrace {
  const rig = world.rig;
  const shotTicks = ticks.filter((t) => t.timeS >= shotStartS - 1e-9);
  return {
    scene: world.scene.spec.name,
    spec,
    seed: world.seed,
    controller,
    physicsRateHz: world.physicsRateHz,
    controlRateHz,
    shotStartS,
    wallS,
    camera: {
      sensorWidthMm: rig.camera.sensorWidthMm, sensorHeightMm: rig.camera.sensorHeightMm, cocMm: rig.camera.cocMm,
      imageWidthPx: rig.camera.imageWidthPx, imageHeightPx: rig.camera.imageHeightPx,
    },
    keepOutRadiusM: rig.safety.keepOutRadiusM,
    airframeRadiusM: rig.airframe.radiusM,
    obstacles: [
      ...world.objects.map((o) => ({ name: o.name, shape: o.shape, positionNedM: clone(o.positionNedM), yawRad: o.yawRad, moving: false })),
      ...world.subjects.filter((s) => s.kind === 'prop').map((s) => ({
        name: s.name, shape: s.shape!, yawRad: s.state.headingRad, moving: true,
        positionNedM: clone(shotTicks[0]?.props?.find((p) => p.name === s.name)?.positionNedM ?? s.state.positionNedM),
      })),
    ],
    geofence: world.geofence,
    ticks: shotTicks,
    events: world.autopilot.events.slice(),
  };
}
