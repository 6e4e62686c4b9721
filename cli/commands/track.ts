/**
 * `cinepilot track SOURCE` — detect and track people in a video file or a
 * live stream, print tracks as JSON lines, optionally write an annotated video.
 */
import { availableParallelism } from 'node:os';
import { numberFlag, parseFlags } from '../args.ts';
import { CinePilotError, EXIT_OK } from '../../core/errors.ts';
import type { DetectionBatch, ImageTrack } from '../../core/perception-types.ts';
import { monotonicS } from '../../core/units.ts';
import { drawTracks } from '../../perception/annotate/draw.ts';
import { VideoWriter } from '../../perception/annotate/video-writer.ts';
import { DetectScheduler } from '../../perception/detection/detect-scheduler.ts';
import { DetectorPool } from '../../perception/detection/detector-pool.ts';
import { BACKEND_PREFERENCES, type BackendPreference } from '../../perception/detection/tf-backend.ts';
import { createDetector, DEFAULT_MIN_SCORE, type InputFit } from '../../perception/detection/tfjs-detector.ts';
import { openFrameSource, type SourceFrame } from '../../perception/sources/ffmpeg-source.ts';
import { MultiObjectTracker } from '../../perception/tracking/tracker.ts';

/** CenterNet costs ~180 ms on one wasm thread: every 3rd frame keeps a 10 fps stream real time on 2 cores. */
export const DEFAULT_DETECT_EVERY = 3;
/** One wasm detector per core, up to two (the main thread and ffmpeg need the rest); 0 = in-process. */
export const DEFAULT_WORKERS = availableParallelism() >= 2 ? 2 : 0;
/** Frame rate assumed for --detect-every auto when a stream does not say. */
const DEFAULT_LIVE_FPS = 10;

const HELP = `usage: cinepilot track SOURCE [--json] [--out annotated.mp4] [--detect-every K] [options]

  SOURCE            video file, rtsp://…, rtp://… or file.sdp, udp://host:port (MPEG-TS), /dev/videoN
  --json            one JSON line per frame: {"frame","timeS","tracks":[{"id","bbox":[x,y,w,h],"score","name"?}]},
                    then {"summary":true,"frames","fps","latencyMsP50","latencyMsP95","tracks",…}
  --out FILE        write the video with boxes, ids and names (.mp4/.mkv/.mov: H.264, .avi: MPEG-4, .webm: VP8)
  --detect-every K  run the detector on every K-th frame, track on all (integer ≥ 1, default ${DEFAULT_DETECT_EVERY});
                    auto: as often as the CPU allows while keeping up with the source's frame rate
  --max-frames N    stop after N frames
  --name ID=NAME    name a track when it appears ("--name 3=alice"); repeatable
  --workers N       detector worker threads, each detecting its own frames in parallel (0 = on the main thread;
                    default ${DEFAULT_WORKERS}, from the CPU count)
  --backend B       ${BACKEND_PREFERENCES.join(' | ')} (default auto: native TensorFlow if installed, else wasm)
  --min-score S     lowest person score passed to the tracker (default ${DEFAULT_MIN_SCORE})
  --fit F           stretch | letterbox: how frames map to the 512×512 detector input (default stretch)
  --keypoints N     body keypoints (MoveNet) for the N largest people (default 0)
  --faces N         faces/eyes (BlazeFace) for the N largest people (default 0)
  --realtime        read files at their frame rate, as if live (drops frames the tracker cannot keep up with)
  --timeout S       live sources: seconds to wait for the stream (default 10)

Progress goes to stderr; exit 2 on a bad source or flags.`;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    json: { type: 'boolean' },
    out: { type: 'string' },
    'detect-every': { type: 'string' },
    'max-frames': { type: 'string' },
    name: { type: 'string', multiple: true },
    backend: { type: 'string' },
    'min-score': { type: 'string' },
    fit: { type: 'string' },
    keypoints: { type: 'string' },
    faces: { type: 'string' },
    realtime: { type: 'boolean' },
    timeout: { type: 'string' },
    workers: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new CinePilotError('BAD_FLAG', `give exactly one SOURCE (got ${positionals.length}).\n\n${HELP}`);
  const uri = positionals[0]!;
  const detectEvery = values['detect-every'] === 'auto' ? 'auto' : numberFlag('detect-every', values['detect-every'], { min: 1, max: 1000, integer: true }) ?? DEFAULT_DETECT_EVERY;
  const maxFrames = numberFlag('max-frames', values['max-frames'], { min: 1, integer: true }) ?? Infinity;
  const minScore = numberFlag('min-score', values['min-score'], { min: 0, max: 1 });
  const poseMaxPeople = numberFlag('keypoints', values.keypoints, { min: 0, max: 32, integer: true }) ?? 0;
  const faceMaxPeople = numberFlag('faces', values.faces, { min: 0, max: 32, integer: true }) ?? 0;
  const openTimeoutS = numberFlag('timeout', values.timeout, { min: 0, exclusiveMin: true });
  const workers = numberFlag('workers', values.workers, { min: 0, max: 16, integer: true }) ?? DEFAULT_WORKERS;
  const backend = (values.backend ?? 'auto') as BackendPreference;
  if (!BACKEND_PREFERENCES.includes(backend)) throw new CinePilotError('BAD_FLAG', `--backend ${values.backend}: use one of ${BACKEND_PREFERENCES.join(', ')}.`);
  const fit = (values.fit ?? 'stretch') as InputFit;
  if (fit !== 'stretch' && fit !== 'letterbox') throw new CinePilotError('BAD_FLAG', `--fit ${values.fit}: use stretch or letterbox.`);
  const pendingNames = new Map<number, string>();
  for (const n of values.name ?? []) {
    const m = /^(\d+)=(.+)$/.exec(n);
    if (!m) throw new CinePilotError('BAD_FLAG', `--name ${n}: write it as ID=NAME, e.g. --name 3=alice.`);
    pendingNames.set(Number(m[1]), m[2]!);
  }

  const source = openFrameSource(uri, { realtime: values.realtime, openTimeoutS });
  const info = await source.open();
  let writer: VideoWriter | null = null;
  try {
    const loadStart = monotonicS();
    const detectorSettings = { backend, minScore, fit, poseMaxPeople, faceMaxPeople };
    const detector = workers > 0 ? await DetectorPool.create(workers, detectorSettings) : await createDetector(detectorSettings);
    const caps = detector.capabilities();
    console.error(
      `track: ${info.kind} ${info.width}×${info.height}${info.fps ? ` @ ${info.fps} fps` : ''}${info.frameCount ? `, ${info.frameCount} frames` : ''}; ` +
        `detector ${caps.models.join(' + ')} on ${caps.backend} (loaded in ${(monotonicS() - loadStart).toFixed(1)} s), ${detectEvery === 'auto' ? 'detection rate adapted to keep up' : `every ${detectEvery} frame${detectEvery > 1 ? 's' : ''}`}`,
    );
    if (values.out) {
      writer = new VideoWriter(values.out, info.width, info.height, info.fps ?? 25);
      await writer.open();
    }
    const tracker = new MultiObjectTracker();
    const scheduler = new DetectScheduler(detectEvery, info.fps ?? DEFAULT_LIVE_FPS);
    const latenciesMs: number[] = [];
    const detectMs: number[] = [];
    const ids = new Set<number>();
    const total = Math.min(info.frameCount ?? Infinity, maxFrames);
    // stderr: a live bar on a terminal, a line every 10 % otherwise (stdout stays clean JSON)
    const showProgress = Number.isFinite(total);
    let frames = 0;
    let firstS = 0;
    let firstCpu = process.cpuUsage();
    let lastProgress = -1;
    // Frames are read ahead and their detections started at once, so several
    // detector workers run in parallel; tracks are still produced in frame order.
    const ahead: Array<{ frame: SourceFrame; startS: number; submittedS: number; detection: Promise<DetectionBatch> | null }> = [];
    let framesRead = 0;
    let eof = false;
    for (;;) {
      const maxAhead = Math.max(1, workers) * scheduler.detectEvery + 1;
      while (!eof && ahead.length < maxAhead && framesRead < maxFrames) {
        const requestS = monotonicS();
        const next = await source.next();
        if (!next) {
          eof = true;
          break;
        }
        if (framesRead++ === 0) {
          firstS = monotonicS();
          firstCpu = process.cpuUsage();
        }
        const submittedS = monotonicS();
        ahead.push({ frame: next, startS: Math.max(next.arrivalS, requestS), submittedS, detection: scheduler.next() ? detector.detect(next) : null });
      }
      const item = ahead.shift();
      if (!item) break;
      const { frame } = item;
      const frameStartS = monotonicS();
      let batch: DetectionBatch | null = null;
      let frameDetectMs = 0;
      if (item.detection) {
        batch = await item.detection;
        frameDetectMs = (monotonicS() - frameStartS) * 1000;
        const detectWallMs = (monotonicS() - item.submittedS) * 1000;
        detectMs.push(detectWallMs);
        // with W workers in parallel a detection costs the pipeline about 1/W of its wall time
        scheduler.recordDetect(detectWallMs / Math.max(1, workers));
      }
      const tracks: ImageTrack[] = tracker.step(frame.timestampS, batch);
      for (const t of tracks) {
        const want = pendingNames.get(t.id);
        if (want !== undefined) {
          tracker.nameTrack(t.id, want);
          t.name = want.trim().toLowerCase();
          pendingNames.delete(t.id);
        }
        ids.add(t.id);
      }
      // latency: from the moment the frame was both decoded and wanted, to its tracks
      latenciesMs.push((monotonicS() - item.startS) * 1000);
      if (values.json) {
        const line = {
          frame: frame.index,
          timeS: round(frame.mediaTimeS, 4),
          tracks: tracks.map((t) => ({ id: t.id, bbox: t.bbox.map((v) => round(v, 1)), score: round(t.score, 3), ...(t.name ? { name: t.name } : {}) })),
        };
        process.stdout.write(JSON.stringify(line) + '\n');
      }
      if (writer) {
        drawTracks(frame, tracks.map((t) => ({ id: t.id, bbox: t.bbox, name: t.name, predicted: t.framesSinceUpdate > 0 })));
        await writer.write(frame);
      }
      scheduler.recordOther((monotonicS() - frameStartS) * 1000 - frameDetectMs);
      frames++;
      if (showProgress) {
        const pct = Math.floor((100 * frames) / total);
        if (pct !== lastProgress && (process.stderr.isTTY || pct % 10 === 0)) {
          lastProgress = pct;
          const width = 30, filled = Math.round((width * frames) / total);
          const fps = frames / Math.max(1e-6, monotonicS() - firstS);
          const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${frames}/${total} ${fps.toFixed(1)} fps, ${tracks.length} tracks`;
          process.stderr.write(process.stderr.isTTY ? `\r${bar}` : `${bar}\n`);
        }
      }
    }
    const elapsedS = monotonicS() - firstS;
    const cpu = process.cpuUsage(firstCpu);
    if (showProgress && process.stderr.isTTY) process.stderr.write('\n');
    detector.dispose();
    if (writer) await writer.close();
    writer = null;
    latenciesMs.sort((a, b) => a - b);
    detectMs.sort((a, b) => a - b);
    const summary = {
      summary: true,
      frames,
      fps: round(frames / Math.max(elapsedS, 1e-9), 2),
      latencyMsP50: round(percentile(latenciesMs, 50), 1),
      latencyMsP95: round(percentile(latenciesMs, 95), 1),
      tracks: ids.size,
      detectMsP50: round(percentile(detectMs, 50), 1),
      // this process's CPU per frame (decoding runs in ffmpeg, beside it): what sets the fps on an idle machine
      cpuMsPerFrame: round((cpu.user + cpu.system) / 1000 / Math.max(frames, 1), 1),
      detectEvery: detectEvery === 'auto' ? round(scheduler.meanDetectEvery, 2) : detectEvery,
      droppedFrames: source.droppedFrames,
      backend: caps.backend,
    };
    if (values.json) process.stdout.write(JSON.stringify(summary) + '\n');
    else {
      console.log(`${frames} frames in ${elapsedS.toFixed(1)} s: ${summary.fps} fps end to end; latency p50 ${summary.latencyMsP50} ms, p95 ${summary.latencyMsP95} ms`);
      console.log(`${ids.size} tracks; detector ${summary.detectMsP50} ms per run (every ${summary.detectEvery} frames); ${summary.cpuMsPerFrame} ms CPU per frame; ${summary.droppedFrames} frames dropped`);
      if (values.out) console.log(`annotated video: ${values.out}`);
    }
    return EXIT_OK;
  } finally {
    await source.close();
    if (writer) await writer.close().catch(() => {});
  }
}
