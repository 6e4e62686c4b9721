/**
 * `cinepilot controller --link URL` — the controller runtime as its own
 * process: real-time loop, safety supervisor, flight log, and (with --bus)
 * the ZeroMQ bus a ground station or script talks to. With `--link sim` it
 * flies the in-process simulator in real time. `cinepilot fly` is this with
 * the gates for a real aircraft (see fly.ts).
 */
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseFlags, numberFlag, type Options } from '../args.ts';
import { CinePilotError, EXIT_BAD_INPUT, EXIT_OK } from '../../core/errors.ts';
import type { Geofence, ShotController } from '../../core/shot-controller.ts';
import type { VehicleLink } from '../../core/vehicle-link.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import type { Rig } from '../../hardware-profiles/schema.ts';
import { Runtime, type RuntimeSnapshot } from '../../controller/runtime.ts';
import { DEFAULT_RATE_HZ } from '../../controller/loop/control-loop.ts';
import { type LoopClock, MonotonicClock } from '../../controller/loop/clock.ts';
import { EstimateFeed } from '../../controller/loop/estimate-feed.ts';
import { NO_SUBJECTS, type SubjectSource } from '../../controller/loop/subject-source.ts';
import { validateGeofence } from '../../controller/safety/geofence.ts';
import { envelopeSettingsFromRig } from '../../controller/safety/envelope.ts';
import { DEFAULT_PERCEPTION_STALE_S, DEFAULT_PERCEPTION_TIMEOUT_S, type SupervisorSettings } from '../../controller/safety/supervisor.ts';
import { FlightLogWriter } from '../../controller/flight-log/writer.ts';
import { ZmqBusServer, DEFAULT_BUS_PORT, parseBusUrl } from '../../controller/bus/zmq.ts';
import { serveRuntimeOnBus } from '../../controller/bus/runtime-bridge.ts';
import { radToDeg } from '../../core/units.ts';

export const CONTROLLER_FLAGS = {
  link: { type: 'string' },
  rig: { type: 'string' },
  bus: { type: 'string' },
  'bus-allow-remote': { type: 'boolean' },
  geofence: { type: 'string' },
  log: { type: 'string' },
  'no-log': { type: 'boolean' },
  controller: { type: 'string' },
  rate: { type: 'string' },
  scene: { type: 'string' },
  duration: { type: 'string' },
  'perception-stale': { type: 'string' },
  'perception-timeout': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies Options;

export const SHOT_CONTROLLERS = ['mpc', 'baseline'] as const;

const HELP = `usage: cinepilot controller --link URL [--rig FILE|NAME] [--bus tcp://127.0.0.1:PORT] [options]

Runs the controller (50 Hz loop, safety supervisor, flight log) against a vehicle link.
Prints one JSON line on stdout (link, bus endpoints, log path), then a status line per
second on stderr. Ctrl-C (or --duration) stops it: autonomy off, the autopilot holds.

  --link URL          sim | mavlink:udp://:14540 | mavlink:tcp://127.0.0.1:5760 |
                      mavlink:serial:///dev/ttyACM0:921600 | mavsdk://127.0.0.1:50051
  --rig FILE|NAME     hardware rig (default x500-fullframe-24-70, or the scene's rig with --link sim);
                      its safety block sets keep-out, speed cap, link-loss hold/action, low-battery limit
  --bus URL           serve the ZeroMQ bus: state PUB on PORT, commands REP on PORT+1
                      (e.g. tcp://127.0.0.1:${DEFAULT_BUS_PORT}; port 0 picks free ports). With a real link,
                      subjects come from a perception client on the bus (role perception, 'subjects')
  --bus-allow-remote  allow binding a non-loopback address (trusted networks only)
  --geofence FILE     JSON { "polygonNeM": [[n,e],…], "minAltitudeM", "maxAltitudeM" } (metres from home);
                      with --link sim the scene's fence is the default
  --log FILE          flight log (MCAP); default .cinepilot/logs/controller-<time>.mcap
  --no-log            no flight log
  --controller NAME   ${SHOT_CONTROLLERS.join(' | ')} (default mpc)
  --rate HZ           loop rate (default ${DEFAULT_RATE_HZ})
  --scene NAME|FILE   scene for --link sim (default static-subject)
  --duration S        stop after S seconds
  --perception-stale S    subjects older than S seconds: keep framing on the prediction
                          (perception-hold; default ${DEFAULT_PERCEPTION_STALE_S}). Raise it to the measured age of
                          a slow perception client (cinepilot perceive prints it)
  --perception-timeout S  older than S seconds: brake and hover (default ${DEFAULT_PERCEPTION_TIMEOUT_S}; > --perception-stale)
  --quiet             no status lines`;

export interface ControllerProcessOptions {
  linkUrl: string;
  rig: Rig;
  geofence: Geofence | null;
  controller: (typeof SHOT_CONTROLLERS)[number];
  rateHz: number;
  logPath: string | null;
  busUrl: string | null;
  busAllowRemote: boolean;
  scene?: string;
  requireGeofenceToArm: boolean;
  requirePilotToArm: boolean;
  /** false when --rig was not given: a sim link then flies its scene's rig */
  rigExplicit?: boolean;
  /** supervisor overrides from the flags (perception staleness) */
  safety?: Partial<SupervisorSettings>;
}

export interface ControllerProcess {
  runtime: Runtime;
  link: VehicleLink;
  bus: ZmqBusServer | null;
  logPath: string | null;
  stop(): Promise<void>;
}

/** Read and check a geofence file; the message names every problem. */
export function loadGeofence(file: string, rig: Rig): Geofence {
  const path = resolve(file);
  if (!existsSync(path)) throw new CinePilotError('GEOFENCE_NOT_FOUND', `--geofence ${file}: no such file.`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CinePilotError('GEOFENCE_INVALID', `--geofence ${file}: not valid JSON (${(err as Error).message}).`);
  }
  const fence = doc as Geofence;
  if (!fence || typeof fence !== 'object') throw new CinePilotError('GEOFENCE_INVALID', `--geofence ${file}: expected an object { "polygonNeM", "minAltitudeM", "maxAltitudeM" }.`);
  validateGeofence(fence, envelopeSettingsFromRig(rig).fenceMarginM);
  return { polygonNeM: fence.polygonNeM.map(([n, e]) => [n, e] as [number, number]), minAltitudeM: fence.minAltitudeM, maxAltitudeM: fence.maxAltitudeM };
}

/** Compose link, shot controller, subjects, runtime, log and bus, and start them. */
export async function startControllerProcess(o: ControllerProcessOptions): Promise<ControllerProcess> {
  const { createVehicleLink } = await import('../../controller/links/factory.ts');
  let rig = o.rig;
  let subjects: SubjectSource = NO_SUBJECTS;
  let clock: LoopClock | undefined;
  let geofence = o.geofence;
  let stopSim: (() => void) | null = null;
  let subjectFeed: EstimateFeed | null = null;
  let link: VehicleLink;
  let background: Array<{ name: string; positionNedM: { x: number; y: number; z: number } }> = [];
  if (o.linkUrl === 'sim' || o.linkUrl.startsWith('sim:')) {
    // The in-process simulator in real time; the loop runs on simulated time so
    // controller, predictor and telemetry share one time base.
    const [{ SimWorld }, { SimVehicleLink }, { loadScene }, { RealtimeRunner }, { noisyConstantVelocityPredictor }, { SimTimeClock }] = await Promise.all([
      import('../../sim/world.ts'), import('../../sim/sim-vehicle-link.ts'), import('../../sim/scene-loader.ts'),
      import('../../sim/realtime.ts'), import('../../sim/noisy-predictor.ts'), import('../../sim/sim-time-clock.ts'),
    ]);
    const scene = loadScene(o.scene ?? 'static-subject');
    const world = new SimWorld(o.rigExplicit === false ? scene : { ...scene, rig: o.rig });
    rig = world.rig;
    link = new SimVehicleLink(world);
    subjects = noisyConstantVelocityPredictor()(world, 1);
    geofence ??= world.geofence;
    background = world.objects.filter((x) => x.role === 'background').map((x) => ({ name: x.name, positionNedM: x.positionNedM }));
    const runner = new RealtimeRunner(world);
    const simClock = new SimTimeClock(world);
    clock = simClock;
    runner.start();
    stopSim = () => {
      runner.stop();
      simClock.dispose();
    };
  } else {
    link = await createVehicleLink(o.linkUrl, { rig });
    // Subjects come from a perception process over the bus (role perception, `subjects` requests).
    const loopClock = new MonotonicClock();
    clock = loopClock;
    subjectFeed = new EstimateFeed(() => loopClock.nowS());
    subjects = subjectFeed;
  }

  let shotController: ShotController;
  if (o.controller === 'mpc') {
    const { createMpcShotController } = await import('../../controller/mpc-shot-controller.ts');
    shotController = createMpcShotController({ rig, geofence, background });
  } else {
    const { BaselineShotController } = await import('../../sim/baseline-controller.ts');
    shotController = new BaselineShotController({ rig });
  }

  let flightLog: FlightLogWriter | null = null;
  if (o.logPath) {
    mkdirSync(dirname(resolve(o.logPath)), { recursive: true });
    flightLog = await FlightLogWriter.open(o.logPath);
  }
  const runtime = new Runtime({
    link, rig, shotController, subjects, geofence, rateHz: o.rateHz, flightLog,
    requireGeofenceToArm: o.requireGeofenceToArm, requirePilotToArm: o.requirePilotToArm,
    ...(o.safety ? { safety: o.safety } : {}),
    ...(clock ? { clock } : {}),
  });
  let bus: ZmqBusServer | null = null;
  try {
    if (o.busUrl) {
      bus = await ZmqBusServer.bind(o.busUrl, { allowRemote: o.busAllowRemote });
      serveRuntimeOnBus(runtime, bus, { subjectFeed });
    }
    await runtime.start();
  } catch (err) {
    await bus?.close();
    await flightLog?.close();
    stopSim?.();
    throw err;
  }
  let stopped = false;
  return {
    runtime, link, bus, logPath: o.logPath,
    async stop() {
      if (stopped) return;
      stopped = true;
      await runtime.stop();
      await bus?.close();
      await link.close();
      stopSim?.();
    },
  };
}

export function statusLine(s: RuntimeSnapshot): string {
  const v = s.vehicle;
  const pos = v ? `NED ${v.positionNedM.x.toFixed(1)},${v.positionNedM.y.toFixed(1)},${v.positionNedM.z.toFixed(1)} m ${v.mode}` : 'no telemetry';
  const lens = v ? ` ${v.lens.focalLengthMm.toFixed(0)} mm f/${v.lens.fNumber.toFixed(1)} gimbal ${radToDeg(v.gimbal.pitchRad).toFixed(0)}°` : '';
  return `t=${s.timeS.toFixed(1)}s safety ${s.safety.state}${s.safety.envelope !== 'clear' ? ` (${s.safety.envelope})` : ''} | ${pos}${lens} | ` +
    `shot ${s.shot.shot?.kind ?? '-'} ${s.shot.phase} | loop ${s.loop.achievedRateHz.toFixed(1)} Hz jitter p99 ${s.loop.jitterP99Ms.toFixed(2)} ms overruns ${s.loop.overruns} | ` +
    `link age ${Number.isFinite(s.link.lastMessageAgeS) ? s.link.lastMessageAgeS.toFixed(2) : '∞'} s | pilots ${s.pilots.length}`;
}

/** Same folder as the studio's logs (cinepilot start): .cinepilot/logs under the working directory. */
export function defaultLogPath(prefix: string): string {
  return resolve('.cinepilot', 'logs', `${prefix}-${new Date().toISOString().replace(/[:.]/g, '-')}.mcap`);
}

/** Parse the flags shared by `controller` and `fly`. */
export function controllerOptionsFromFlags(values: Record<string, string | boolean | undefined>, defaults: { prefix: string; busUrl: string | null; requireGates: boolean }): ControllerProcessOptions & { durationS?: number; quiet: boolean } {
  const str = (k: string) => values[k] as string | undefined;
  const linkUrl = str('link');
  if (!linkUrl) throw new CinePilotError('BAD_FLAG', `--link URL is required (e.g. --link sim, --link mavlink:udp://:14540). Use --help for the forms.`);
  const rig = loadRig(str('rig'));
  const controller = (str('controller') ?? 'mpc') as ControllerProcessOptions['controller'];
  if (!SHOT_CONTROLLERS.includes(controller)) throw new CinePilotError('BAD_FLAG', `--controller ${controller}: must be one of ${SHOT_CONTROLLERS.join(', ')}.`);
  const rateHz = numberFlag('rate', str('rate'), { min: 1, max: 200 }) ?? DEFAULT_RATE_HZ;
  const durationS = numberFlag('duration', str('duration'), { min: 0, exclusiveMin: true });
  const geofenceFile = str('geofence');
  const busUrl = str('bus') ?? defaults.busUrl;
  const perceptionStaleS = numberFlag('perception-stale', str('perception-stale'), { min: 0, exclusiveMin: true, max: 30 });
  const perceptionTimeoutS = numberFlag('perception-timeout', str('perception-timeout'), { min: 0, exclusiveMin: true, max: 60 });
  const safety: Partial<SupervisorSettings> = {
    ...(perceptionStaleS !== undefined ? { perceptionStaleS } : {}),
    ...(perceptionTimeoutS !== undefined ? { perceptionTimeoutS } : {}),
  };
  const staleS = perceptionStaleS ?? DEFAULT_PERCEPTION_STALE_S;
  const timeoutS = perceptionTimeoutS ?? DEFAULT_PERCEPTION_TIMEOUT_S;
  if (!(timeoutS > staleS)) {
    throw new CinePilotError('BAD_FLAG', `--perception-timeout ${timeoutS} must exceed --perception-stale ${staleS} (hold on the prediction first, then brake).`);
  }
  if (busUrl) parseBusUrl(busUrl, { allowRemote: Boolean(values['bus-allow-remote']) }); // bad URLs fail before anything starts
  return {
    linkUrl, rig, rigExplicit: str('rig') !== undefined, controller, rateHz,
    geofence: geofenceFile ? loadGeofence(geofenceFile, rig) : null,
    logPath: values['no-log'] ? null : (str('log') ?? defaultLogPath(defaults.prefix)),
    busUrl,
    busAllowRemote: Boolean(values['bus-allow-remote']),
    ...(str('scene') ? { scene: str('scene')! } : {}),
    requireGeofenceToArm: defaults.requireGates,
    requirePilotToArm: defaults.requireGates,
    ...(Object.keys(safety).length > 0 ? { safety } : {}),
    ...(durationS !== undefined ? { durationS } : {}),
    quiet: Boolean(values.quiet),
  };
}

/** Run until Ctrl-C / SIGTERM or the duration, printing status; then stop cleanly. */
export async function runUntilStopped(proc: ControllerProcess, durationS: number | undefined, quiet: boolean, extraStatus: () => string = () => ''): Promise<void> {
  await new Promise<void>((resolveDone) => {
    const status = setInterval(() => {
      if (!quiet) process.stderr.write(statusLine(proc.runtime.snapshot()) + extraStatus() + '\n');
    }, 1000);
    const finish = () => {
      clearInterval(status);
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      if (timer) clearTimeout(timer);
      resolveDone();
    };
    const timer = durationS !== undefined ? setTimeout(finish, durationS * 1000) : null;
    process.on('SIGINT', finish);
    process.on('SIGTERM', finish);
  });
  await proc.stop();
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, CONTROLLER_FLAGS, false);
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  if (!values.link) {
    console.error(`cinepilot controller: --link URL is required.\n\n${HELP}`);
    return EXIT_BAD_INPUT;
  }
  const opts = controllerOptionsFromFlags(values, { prefix: 'controller', busUrl: null, requireGates: false });
  const proc = await startControllerProcess(opts);
  console.log(JSON.stringify({
    link: proc.link.endpoint, linkKind: proc.link.kind, rig: proc.runtime.rig.name, controller: opts.controller, rateHz: opts.rateHz,
    bus: proc.bus?.endpoints ?? null, log: proc.logPath, geofence: proc.runtime.geofence,
  }));
  await runUntilStopped(proc, opts.durationS, opts.quiet);
  if (proc.logPath) process.stderr.write(`flight log: ${proc.logPath} (cinepilot log summary ${proc.logPath})\n`);
  return EXIT_OK;
}
