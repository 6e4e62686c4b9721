/**
 * `cinepilot perceive --source URI --bus tcp://HOST:PORT --name alice` —
 * perception for a real aircraft: the drone's camera stream through the
 * detector, tracker and ground-plane localiser, with the camera pose taken
 * from the controller's telemetry on its bus, published back to the
 * controller as role `perception` (controller/perception-feed/).
 */
import { availableParallelism } from 'node:os';
import { numberFlag, parseFlags } from '../args.ts';
import { CinePilotError, EXIT_OK } from '../../core/errors.ts';
import { monotonicS } from '../../core/units.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { DEFAULT_BUS_PORT, parseBusUrl } from '../../controller/bus/zmq.ts';
import { parseNameRules, DEFAULT_NAME_RADIUS_M } from '../../controller/perception-feed/naming.ts';
import {
  DEFAULT_BUS_LOST_S, DEFAULT_TELEMETRY_LOST_S, DEFAULT_TELEMETRY_WAIT_S, DEFAULT_VIDEO_LATENCY_S,
  PerceptionClient, summariseLatency, type PendingFrame,
} from '../../controller/perception-feed/perception-client.ts';
import { DEFAULT_MAX_EXTRAPOLATION_S } from '../../controller/perception-feed/pose-history.ts';
import { BACKEND_PREFERENCES, type BackendPreference } from '../../perception/detection/tf-backend.ts';
import { DEFAULT_TRACKER_SETTINGS } from '../../perception/tracking/tracker.ts';
import type { Detector } from '../../perception/detection/detector.ts';

/**
 * Detect on every frame the detector is free for: the controller's
 * stale-perception watchdog judges the age of the newest *measurement*, and a
 * frame that was only predicted adds none. Frames that arrive while the
 * detector works are dropped by the live source (it keeps the newest).
 */
export const DEFAULT_PERCEIVE_DETECT_EVERY = 1;
/** One detector thread keeps the main thread free for the bus and telemetry; 0 detects on the main thread. */
export const DEFAULT_PERCEIVE_WORKERS = availableParallelism() >= 2 ? 1 : 0;

const HELP = `usage: cinepilot perceive --source URI --bus tcp://HOST:PORT [--name NAME]… [options]

Runs perception on the drone's camera stream and publishes named 3D subjects to a running
controller (\`cinepilot controller\` / \`fly\` with --bus) as role perception, one 'subjects'
message per processed frame. The camera pose of each frame comes from the vehicle telemetry the
controller publishes on the same bus (position, attitude, gimbal, focal length), interpolated at
the frame's capture time = arrival − --video-latency-ms.

  --source URI          the camera stream: udp://0.0.0.0:5600 (MPEG-TS), rtsp://…, rtp://… or file.sdp,
                        /dev/videoN (V4L2), or a video file (tests; read in real time)
  --bus URL             the controller's bus, tcp://HOST:PORT (state on PORT, commands on PORT+1;
                        default tcp://127.0.0.1:${DEFAULT_BUS_PORT}, what \`cinepilot fly\` serves)
  --bus-command URL     the command socket when it is not PORT+1 (a controller started with --bus …:0
                        prints both endpoints: pass its "state" as --bus and "command" here)
  --name RULE           who is who (repeatable): NAME (the most prominent person; re-given if lost),
                        NAME@N,E (the person nearest the ground point N,E m from home, within --name-radius),
                        ID=NAME (track id as \`cinepilot track\` shows it)
  --rig FILE|NAME       rig whose camera sensor and gimbal mount are used (default: the default rig;
                        must be the aircraft's)
  --video-latency-ms MS capture → decoded frame delay of the video link (default ${DEFAULT_VIDEO_LATENCY_S * 1000});
                        calibrate it: a wrong value shifts every estimate along the drone's motion
  --detect-every K|auto run the detector on every K-th processed frame (default ${DEFAULT_PERCEIVE_DETECT_EVERY}: every frame the detector
                        is free for, the freshest measurements; frames arriving meanwhile are dropped). auto: every
                        frame is tracked and published, detection as often as keeps up with the frame rate
  --workers N           detector threads, each detecting its own frame while earlier ones are finished in
                        order (0 = main thread; default ${DEFAULT_PERCEIVE_WORKERS}; more only with spare cores)
  --backend B           ${BACKEND_PREFERENCES.join(' | ')} (default auto)
  --person-score S      detector score that confirms and starts tracks (tracker first pass ${DEFAULT_TRACKER_SETTINGS.highScore},
                        birth ${DEFAULT_TRACKER_SETTINGS.birthScore}); lower it only for footage the detector scores low
  --name-radius M       how far from its mark a NAME@N,E person may be (default ${DEFAULT_NAME_RADIUS_M} m)
  --timeout S           seconds to wait for the stream (default 10) and for telemetry (default ${DEFAULT_TELEMETRY_WAIT_S})
  --telemetry-lost S    stop when telemetry is older than this while running (default ${DEFAULT_TELEMETRY_LOST_S})
  --bus-lost S          stop when the controller acknowledges nothing for this long (default ${DEFAULT_BUS_LOST_S})
  --max-extrapolation S longest pose extrapolation past the newest telemetry (default ${DEFAULT_MAX_EXTRAPOLATION_S} s)
  --duration S          stop after S seconds; --max-frames N after N frames
  --json                one JSON line per frame on stdout: {"frame","captureS","localised","detected","tracks":[…],"subjects":[…]}
  --quiet               no status lines

Prints a summary JSON line on stdout at the end (frames, published, latency frame→bus p50/p95,
CPU per frame). Exits 2 when the bus, the telemetry or the stream is missing at start, 1 when one of
them is lost while running (the controller's stale-perception watchdog then holds the shot).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    source: { type: 'string' },
    bus: { type: 'string' },
    'bus-command': { type: 'string' },
    name: { type: 'string', multiple: true },
    rig: { type: 'string' },
    'video-latency-ms': { type: 'string' },
    'detect-every': { type: 'string' },
    workers: { type: 'string' },
    backend: { type: 'string' },
    'person-score': { type: 'string' },
    'name-radius': { type: 'string' },
    timeout: { type: 'string' },
    'telemetry-lost': { type: 'string' },
    'bus-lost': { type: 'string' },
    'max-extrapolation': { type: 'string' },
    duration: { type: 'string' },
    'max-frames': { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, false);
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  if (positionals.length) throw new CinePilotError('BAD_FLAG', `unexpected argument ${positionals[0]}; the stream goes in --source.\n\n${HELP}`);
  if (!values.source) throw new CinePilotError('BAD_FLAG', `--source URI is required (e.g. --source udp://0.0.0.0:5600). Use --help for the forms.`);
  const busUrl = values.bus ?? `tcp://127.0.0.1:${DEFAULT_BUS_PORT}`;
  // a client may reach a controller on another machine; the controller decides what it binds
  const endpoints = parseBusUrl(busUrl, { allowRemote: true });
  if (endpoints.state.endsWith(':*')) throw new CinePilotError('BAD_FLAG', `--bus ${busUrl}: give the controller's actual port (its start-up line prints the bus endpoints), not 0.`);
  if (values['bus-command']) {
    const cmd = parseBusUrl(values['bus-command'], { allowRemote: true });
    if (cmd.state.endsWith(':*')) throw new CinePilotError('BAD_FLAG', `--bus-command ${values['bus-command']}: give the controller's actual command port, not 0.`);
    endpoints.command = cmd.state;
  }
  const names = parseNameRules(values.name ?? []);
  const rig = loadRig(values.rig);
  const videoLatencyS = (numberFlag('video-latency-ms', values['video-latency-ms'], { min: 0, max: 5000 }) ?? DEFAULT_VIDEO_LATENCY_S * 1000) / 1000;
  const detectEvery = values['detect-every'] === undefined ? DEFAULT_PERCEIVE_DETECT_EVERY : values['detect-every'] === 'auto' ? 'auto' as const : numberFlag('detect-every', values['detect-every'], { min: 1, max: 100, integer: true })!;
  const workers = numberFlag('workers', values.workers, { min: 0, max: 16, integer: true }) ?? DEFAULT_PERCEIVE_WORKERS;
  const backend = (values.backend ?? 'auto') as BackendPreference;
  if (!BACKEND_PREFERENCES.includes(backend)) throw new CinePilotError('BAD_FLAG', `--backend ${values.backend}: use one of ${BACKEND_PREFERENCES.join(', ')}.`);
  const personScore = numberFlag('person-score', values['person-score'], { min: 0, max: 1, exclusiveMin: true });
  const nameRadiusM = numberFlag('name-radius', values['name-radius'], { min: 0, exclusiveMin: true });
  const timeoutS = numberFlag('timeout', values.timeout, { min: 0, exclusiveMin: true });
  const telemetryLostS = numberFlag('telemetry-lost', values['telemetry-lost'], { min: 0, exclusiveMin: true });
  const busLostS = numberFlag('bus-lost', values['bus-lost'], { min: 0, exclusiveMin: true });
  const maxExtrapolationS = numberFlag('max-extrapolation', values['max-extrapolation'], { min: 0 });
  const durationS = numberFlag('duration', values.duration, { min: 0, exclusiveMin: true });
  const maxFrames = numberFlag('max-frames', values['max-frames'], { min: 1, integer: true }) ?? Infinity;
  const log = values.quiet ? () => undefined : (line: string) => process.stderr.write(line + '\n');

  const client = new PerceptionClient({
    bus: endpoints, clientId: `perceive-${process.pid}`, rig, names, videoLatencyS, detectEvery,
    telemetryWaitS: timeoutS ?? DEFAULT_TELEMETRY_WAIT_S, telemetryLostS, busLostS, maxExtrapolationS, nameRadiusM,
    ...(personScore !== undefined ? { tracker: { highScore: personScore, birthScore: personScore, lowScore: Math.min(DEFAULT_TRACKER_SETTINGS.lowScore, personScore) } } : {}),
    log: (line) => process.stderr.write(line + '\n'),
  });
  let detector: Detector | null = null;
  const [{ openFrameSource }, { DetectorPool }, { createDetector }] = await Promise.all([
    import('../../perception/sources/ffmpeg-source.ts'), import('../../perception/detection/detector-pool.ts'), import('../../perception/detection/tfjs-detector.ts'),
  ]);
  // detecting every frame it can, the chain wants the newest frame each time, not the older of two queued
  const source = openFrameSource(values.source, { openTimeoutS: timeoutS, realtime: true, ...(detectEvery === 1 ? { queueCapacity: 1 } : {}) });
  let stopping = false;
  // closing the source wakes a loop waiting for the next frame (next() resolves null)
  const stop = () => { stopping = true; void source.close().catch(() => undefined); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let exitCode = EXIT_OK;
  let failure: string | null = null;
  const t0 = monotonicS();
  let cpu0 = process.cpuUsage();
  let firstFrameS: number | null = null;
  try {
    // cheapest first: the bus and its telemetry, then the stream, then the models
    await client.connect();
    log(`perceive: controller on ${endpoints.command} accepts subjects; telemetry flowing (clock offset ${(client.clock.offsetS ?? 0).toFixed(4)} s)`);
    const info = await source.open();
    const loadStart = monotonicS();
    const settings = { backend };
    detector = workers > 0 ? await DetectorPool.create(workers, settings) : await createDetector(settings);
    const caps = detector.capabilities();
    client.attachDetector(detector, info, workers);
    log(`perceive: ${info.kind} ${info.width}×${info.height}${info.fps ? ` @ ${info.fps} fps` : ''}; detector ${caps.models.join(' + ')} on ${caps.backend} ` +
      `(${(monotonicS() - loadStart).toFixed(1)} s to load); names wanted: ${names.map((n) => n.name).join(', ') || '(none: subjects go out as #id)'}; video latency ${videoLatencyS * 1000} ms`);
    let lastStatusS = monotonicS();
    // up to `workers` frames detecting at once; finished in frame order
    const inFlight: PendingFrame[] = [];
    let eof = false;
    const slots = Math.max(1, workers);
    while (!stopping && client.stats.frames < maxFrames && (durationS === undefined || monotonicS() - t0 < durationS)) {
      while (!eof && !stopping && inFlight.length < slots) {
        const frame = await source.next();
        if (!frame) {
          eof = true;
          break;
        }
        if (firstFrameS === null) {
          firstFrameS = monotonicS();
          cpu0 = process.cpuUsage();
        }
        const p = client.begin(frame);
        inFlight.push(p);
        if (!p.detection) break; // a tracking-only frame is finished at once
      }
      const pending = inFlight.shift();
      if (!pending) {
        if (eof && !stopping) {
          failure = `the stream ended (${values.source})`;
          exitCode = 1;
        }
        break;
      }
      const r = await client.complete(pending);
      if (values.json) {
        process.stdout.write(JSON.stringify({
          frame: r.frame, captureS: round(r.captureS, 4), localised: r.localised, detected: r.detected,
          tracks: r.tracks.map((t) => ({ id: t.id, ...(t.name ? { name: t.name } : {}), bbox: t.bbox.map((v) => round(v, 1)), score: round(t.score, 3), fresh: t.framesSinceUpdate === 0 })),
          subjects: r.subjects.map((s) => ({ id: s.id, ...(s.name ? { name: s.name } : {}), n: round(s.positionNedM.x, 3), e: round(s.positionNedM.y, 3), sigmaM: round(Math.sqrt((s.positionCovM2[0]! + s.positionCovM2[4]!) / 2), 3) })),
        }) + '\n');
      }
      if (!values.quiet && monotonicS() - lastStatusS >= 1) {
        lastStatusS = monotonicS();
        const st = client.stats, lat = summariseLatency(st.frameToBusMs.slice(-50));
        const shown = r.subjects.slice(0, 4).map((s) => `${s.name ?? `#${s.id}`} ${s.positionNedM.x.toFixed(1)},${s.positionNedM.y.toFixed(1)}`).join(' ');
        process.stderr.write(`perceive: ${st.frames} frames (${st.framesWithoutPose} without pose, ${source.droppedFrames} dropped) | published ${st.published} | ` +
          `frame→bus p50 ${lat.p50.toFixed(0)} ms | subjects ${shown || '-'}${client.namer.waiting().length ? ` | waiting to name ${client.namer.waiting().join(', ')}` : ''}\n`);
      }
    }
    // detections still running when stopped are awaited so the workers shut down cleanly
    await Promise.allSettled(inFlight.map((p) => p.detection));
  } catch (err) {
    if (!(err instanceof CinePilotError)) throw err;
    // lost while running: exit 1; missing at the start: exit 2 (the CLI's bad-input code)
    if (firstFrameS === null) {
      await shutdown();
      throw err;
    }
    failure = err.message;
    exitCode = 1;
  }
  await shutdown();
  const st = client.stats;
  const cpu = process.cpuUsage(cpu0);
  const lat = summariseLatency(st.frameToBusMs);
  const frames = st.frames;
  const elapsedS = firstFrameS === null ? 0 : monotonicS() - firstFrameS;
  process.stdout.write(JSON.stringify({
    summary: true, frames, framesLocalised: st.framesLocalised, framesWithoutPose: st.framesWithoutPose, droppedFrames: st.droppedFrames,
    detections: st.detections, published: st.published, busTimeouts: st.busTimeouts, fps: round(frames / Math.max(1e-6, elapsedS), 2),
    frameToBusMsP50: round(lat.p50, 1), frameToBusMsP95: round(lat.p95, 1), frameToBusMsMax: round(lat.max, 1),
    captureToBusMsP50: round(lat.p50 + videoLatencyS * 1000, 1),
    measurementAgeMsP50: round(summariseLatency(st.measurementAgeMs).p50, 1), measurementAgeMsP95: round(summariseLatency(st.measurementAgeMs).p95, 1),
    extrapolatedMsP95: round(summariseLatency(st.extrapolatedS).p95 * 1000, 1),
    cpuMsPerFrame: round((cpu.user + cpu.system) / 1000 / Math.max(1, frames), 1), cpuCores: round((cpu.user + cpu.system) / 1e6 / Math.max(1e-6, elapsedS), 2),
    clockOffsetS: st.clockOffsetS, telemetrySamples: st.telemetrySamples, videoLatencyMs: videoLatencyS * 1000,
    ...(failure ? { failure } : {}),
  }) + '\n');
  if (failure) process.stderr.write(`cinepilot perceive: ${failure}\n`);
  return exitCode;

  async function shutdown(): Promise<void> {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    client.stats.droppedFrames = source.droppedFrames;
    await source.close().catch(() => undefined);
    detector?.dispose();
    await client.close();
  }
}

const round = (x: number, digits: number): number => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);
