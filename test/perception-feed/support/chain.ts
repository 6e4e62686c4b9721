/**
 * The whole chain for a real aircraft, with the simulator standing in for
 * the aircraft and its camera, every part a real process or socket:
 *
 *   SITL (MAVLink/UDP, this process) ◄──► `cinepilot controller --link mavlink:…` (child, ZeroMQ bus)
 *   renderer → ffmpeg → UDP MPEG-TS ───► `cinepilot perceive` (child) ──subjects──► controller bus
 *                                          ▲ telemetry (bus state) ───────────────┘
 *   this process as the DP on the bus: waits for "alice", asks for the shot, compares the
 *   controller's subject estimates with the simulator's truth, then stops perceive and
 *   watches the stale-perception watchdog.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { startSitl } from '../../../sim/sitl/start.ts';
import { ZmqBusClient, type BusEndpoints } from '../../../controller/bus/zmq.ts';
import type { RuntimeSnapshot } from '../../../controller/runtime.ts';
import { ClockMapping } from '../../../controller/perception-feed/pose-history.ts';
import { openFrameSource } from '../../../perception/sources/ffmpeg-source.ts';
import type { ShotSpec } from '../../../core/shot-spec.ts';
import { loadPersonSprite, readFrameCode, SimCameraStream } from './sim-camera.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = resolve(ROOT, 'bin/cinepilot.mjs');
export const WALK_AWAY_SCENE = resolve(import.meta.dirname, '../fixtures/walk-away.json');
/** alice starts walking at this world time (the scene's startDelayS) */
export const WALK_START_S = 24;

export interface ChainOptions {
  controller: 'mpc' | 'baseline';
  rateHz: number;
  /** fly until this world time */
  untilWorldS: number;
  spec: ShotSpec;
  /** called with every camera frame sent (debugging) */
  onCameraFrame?: (rgb: Uint8Array, width: number, height: number, n: number, worldS: number) => void;
  /** extra flags for perceive (e.g. --workers 2) */
  perceiveArgs?: string[];
  /** camera picture width (default 480) */
  cameraWidthPx?: number;
  /** camera frame rate (default 25) */
  cameraFps?: number;
  log?: (line: string) => void;
}

export interface ChainResult {
  shotAccepted: boolean;
  shotReply: string;
  namedAtWorldS: number | null;
  shotAtWorldS: number | null;
  /** the subjects the controller knew before perceive started (null: no state received) */
  subjectsBeforePerception: string[] | null;
  /** per controller state message during the shot: |estimate − truth| horizontally, m */
  errorsM: number[];
  /** the same split by whether alice stood (before WALK_START_S) or walked */
  standingErrorsM: number[];
  walkingErrorsM: number[];
  /** same, split along / across the line of sight from the drone */
  alongM: number[];
  acrossM: number[];
  /** world time, estimate and truth (n, e), safety state, camera pitch and yaw: one row per state message during the shot */
  timeline: Array<[number, number, number, number, number, string, number, number]>;
  droneTravelledM: number;
  subjectTravelledM: number;
  minDistanceM: number;
  safetyStatesDuringShot: Record<string, number>;
  staleAfterStopS: number | null;
  /** safety state when perceive was stopped, and the states seen in the 5 s after */
  stateAtStop: string | null;
  statesAfterStop: string[];
  staleReason: string | null;
  videoLatencyMs: number;
  perceiveSummary: Record<string, unknown> | null;
  perceiveExit: number | null;
  perceiveStderr: string;
  /** perceive's stdout lines (per-frame JSON with --json, then the summary) */
  perceiveLines: string[];
  controllerStderr: string;
  renderMsP50: number;
}

interface Child {
  proc: ChildProcess;
  firstLine: Promise<string>;
  lines: string[];
  stderr: () => string;
  exited: Promise<number | null>;
}

function startCli(args: string[]): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => { err = (err + d.toString()).slice(-20000); });
  const lines: string[] = [];
  const rl = createInterface({ input: proc.stdout! });
  const firstLine = new Promise<string>((res, rej) => {
    rl.on('line', (l) => { lines.push(l); if (lines.length === 1) res(l); });
    proc.once('exit', (code) => rej(new Error(`${args[0]} exited (${code}) before printing: ${err.slice(-2000)}`)));
  });
  firstLine.catch(() => undefined);
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  return { proc, firstLine, lines, stderr: () => err, exited };
}

async function stopChild(c: Child | null, graceMs = 8000): Promise<number | null> {
  if (!c || c.proc.exitCode !== null || c.proc.signalCode !== null) return c?.proc.exitCode ?? null;
  c.proc.kill('SIGTERM');
  const t = setTimeout(() => c.proc.kill('SIGKILL'), graceMs);
  const code = await c.exited;
  clearTimeout(t);
  return code;
}

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stream's capture → decoded delay, read from the frame numbers drawn into the picture. */
export async function measureStreamLatencyMs(url: string, cam: SimCameraStream, frames = 30): Promise<number> {
  const src = openFrameSource(url, { openTimeoutS: 15 });
  await src.open();
  const lat: number[] = [];
  try {
    for (let i = 0; i < frames; i++) {
      const f = await src.next();
      if (!f) break;
      const n = readFrameCode(f.data, f.width, f.height);
      const sent = cam.sentAtMs[n];
      if (sent !== undefined) lat.push(performance.timeOrigin + f.arrivalS * 1000 - sent);
    }
  } finally {
    await src.close();
  }
  // the first frames carry the opening delay; the steady state is the link's latency
  const steady = lat.slice(Math.floor(lat.length / 2)).sort((a, b) => a - b);
  return steady[steady.length >> 1] ?? NaN;
}

export async function runChain(o: ChainOptions): Promise<ChainResult> {
  const log = o.log ?? (() => undefined);
  const sprite = await loadPersonSprite();
  const sitl = await startSitl({ scene: WALK_AWAY_SCENE, seed: 1 });
  const world = sitl.world;
  // truth on simulated time, sampled every physics step
  const truth: Array<{ t: number; n: number; e: number }> = [];
  const offStep = world.onStep((w) => {
    const p = w.subjects[0]!.state.positionNedM;
    if (!truth.length || w.timeS - truth[truth.length - 1]!.t >= 0.01) truth.push({ t: w.timeS, n: p.x, e: p.y });
  });
  const truthAt = (t: number) => {
    let i = truth.length - 1;
    while (i > 0 && truth[i]!.t > t) i--;
    const a = truth[i]!, b = truth[Math.min(truth.length - 1, i + 1)]!;
    const w = b.t > a.t ? Math.min(1, Math.max(0, (t - a.t) / (b.t - a.t))) : 0;
    return { n: a.n + (b.n - a.n) * w, e: a.e + (b.e - a.e) * w };
  };
  let controller: Child | null = null, perceive: Child | null = null;
  let cam: SimCameraStream | null = null;
  let bus: ZmqBusClient | null = null;
  const result: ChainResult = {
    shotAccepted: false, shotReply: '', subjectsBeforePerception: null, standingErrorsM: [], walkingErrorsM: [], stateAtStop: null, statesAfterStop: [], namedAtWorldS: null, shotAtWorldS: null, errorsM: [], alongM: [], acrossM: [], timeline: [],
    droneTravelledM: 0, subjectTravelledM: 0, minDistanceM: Infinity, safetyStatesDuringShot: {}, staleAfterStopS: null, staleReason: null,
    videoLatencyMs: NaN, perceiveSummary: null, perceiveExit: null, perceiveStderr: '', perceiveLines: [], controllerStderr: '', renderMsP50: NaN,
  };
  try {
    controller = startCli(['controller', '--link', sitl.url, '--bus', 'tcp://127.0.0.1:0', '--controller', o.controller, '--rate', String(o.rateHz), '--no-log', '--quiet']);
    const banner = JSON.parse(await controller.firstLine) as { bus: BusEndpoints };
    log(`controller up: bus ${banner.bus.state} / ${banner.bus.command} at world t=${world.timeS.toFixed(1)} s`);
    bus = ZmqBusClient.connect(banner.bus);
    // controller clock → simulated time, by the smallest delay seen (same method as perceive's)
    const toWorld = new ClockMapping();
    let last: RuntimeSnapshot | null = null;
    let shotOn = false;
    let prevDrone: { x: number; y: number } | null = null, prevSubject: { n: number; e: number } | null = null;
    const events: Array<{ atWorldS: number; to: string; reason: string }> = [];
    bus.events$.subscribe((e) => {
      const ev = e as { kind: string; transition?: { to: string; reason: string } };
      if (ev.kind === 'safety' && ev.transition) {
        events.push({ atWorldS: world.timeS, to: ev.transition.to, reason: ev.transition.reason });
        log(`safety → ${ev.transition.to} (${ev.transition.reason}) at world t=${world.timeS.toFixed(1)} s`);
      } else if (ev.kind !== 'safety') log(`event ${JSON.stringify(e).slice(0, 300)}`);
    });
    bus.state$.subscribe((raw) => {
      const s = raw as RuntimeSnapshot;
      toWorld.observe(s.timeS, world.timeS);
      last = s;
      const alice = s.subjects?.find((x) => x.name === 'alice');
      if (alice && result.namedAtWorldS === null) result.namedAtWorldS = world.timeS;
      if (!shotOn || !alice || !s.vehicle) return;
      result.safetyStatesDuringShot[s.safety.state] = (result.safetyStatesDuringShot[s.safety.state] ?? 0) + 1;
      const tw = toWorld.toLocal(s.timeS);
      const tr = truthAt(tw);
      const dn = alice.positionNedM.x - tr.n, de = alice.positionNedM.y - tr.e;
      result.errorsM.push(Math.hypot(dn, de));
      (tw < WALK_START_S ? result.standingErrorsM : result.walkingErrorsM).push(Math.hypot(dn, de));
      result.timeline.push([tw, alice.positionNedM.x, alice.positionNedM.y, tr.n, tr.e, s.safety.state, s.vehicle.gimbal.pitchRad, s.vehicle.gimbal.yawRad + s.vehicle.yawRad]);
      const d = s.vehicle.positionNedM;
      const ln = tr.n - d.x, le = tr.e - d.y, range = Math.hypot(ln, le) || 1;
      result.alongM.push((dn * ln + de * le) / range);
      result.acrossM.push((-dn * le + de * ln) / range);
      result.minDistanceM = Math.min(result.minDistanceM, Math.hypot(range, d.z));
      if (prevDrone) result.droneTravelledM += Math.hypot(d.x - prevDrone.x, d.y - prevDrone.y);
      if (prevSubject) result.subjectTravelledM += Math.hypot(tr.n - prevSubject.n, tr.e - prevSubject.e);
      prevDrone = { x: d.x, y: d.y };
      prevSubject = tr;
    });

    // without perception the controller knows nobody
    for (let i = 0; i < 50 && !last; i++) await sleep(100);
    result.subjectsBeforePerception = (last as RuntimeSnapshot | null)?.subjects.map((x) => x.name) ?? null;
    const port = await freeUdpPort();
    const url = `udp://127.0.0.1:${port}`;
    cam = new SimCameraStream(world, {
      url, sprite, fps: o.cameraFps ?? 25, widthPx: o.cameraWidthPx ?? 480,
      ...(o.onCameraFrame ? { onFrame: (rgb: Uint8Array, w: number, h: number, n: number) => o.onCameraFrame!(rgb, w, h, n, world.timeS) } : {}),
    });
    await cam.start();
    result.videoLatencyMs = await measureStreamLatencyMs(url, cam);
    log(`video stream ${url}: capture → decoded ${result.videoLatencyMs.toFixed(0)} ms (frame numbers in the picture)`);
    perceive = startCli(['perceive', '--source', url, '--bus', banner.bus.state, '--bus-command', banner.bus.command, '--name', 'alice@0,0', '--video-latency-ms', result.videoLatencyMs.toFixed(0), '--timeout', '15', '--quiet', ...(o.perceiveArgs ?? [])]);
    perceive.exited.then((code) => log(`perceive exited ${code}`));

    // the DP: wait for alice to be named on the controller's side, then ask for the shot
    for (let i = 0; i < 600 && result.namedAtWorldS === null && perceive.proc.exitCode === null; i++) await sleep(100);
    if (result.namedAtWorldS === null) throw new Error(`alice never reached the controller (world t=${world.timeS.toFixed(1)} s); perceive said: ${perceive.stderr().slice(-3000)}`);
    log(`alice named and on the controller's bus at world t=${result.namedAtWorldS.toFixed(1)} s`);
    const reply = await bus.request({ who: { id: 'dp', role: 'dp' }, command: { type: 'shot', spec: o.spec, text: 'track alice' } }, 5000);
    result.shotAccepted = reply.ok;
    result.shotReply = reply.ok ? 'ok' : `${reply.code}: ${reply.message}`;
    if (!reply.ok) throw new Error(`shot refused: ${result.shotReply}`);
    result.shotAtWorldS = world.timeS;
    shotOn = true;
    while (world.timeS < o.untilWorldS && perceive.proc.exitCode === null) await sleep(200);
    shotOn = false;

    // perception stops: the controller's watchdog must see it
    const stopWorldS = world.timeS;
    result.stateAtStop = (last as RuntimeSnapshot | null)?.safety.state ?? null;
    const after = bus.state$.subscribe((raw) => result.statesAfterStop.push((raw as RuntimeSnapshot).safety.state));
    result.perceiveExit = await stopChild(perceive);
    const line = perceive.lines.find((l) => l.includes('"summary"'));
    result.perceiveSummary = line ? JSON.parse(line) : null;
    for (let i = 0; i < 100; i++) {
      const stale = events.find((e) => e.atWorldS >= stopWorldS && (e.reason === 'perception-stale' || e.reason === 'perception-timeout'));
      if (stale) {
        result.staleAfterStopS = stale.atWorldS - stopWorldS;
        result.staleReason = `${stale.reason} → ${stale.to}`;
        break;
      }
      await sleep(100);
    }
    while (world.timeS < stopWorldS + 5) await sleep(100);
    after.unsubscribe();
    result.renderMsP50 = [...cam.renderMs].sort((a, b) => a - b)[cam.renderMs.length >> 1] ?? NaN;
    return result;
  } finally {
    offStep();
    result.perceiveStderr = perceive?.stderr() ?? '';
    result.perceiveLines = perceive?.lines ?? [];
    await stopChild(perceive);
    await cam?.stop();
    await bus?.close();
    await stopChild(controller);
    result.controllerStderr = controller?.stderr() ?? '';
    await sitl.close();
  }
}

export const rms = (xs: number[]): number => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / Math.max(1, xs.length));
export const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
export const median = (xs: number[]): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};
