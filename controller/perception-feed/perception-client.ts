/**
 * The perception client for a real aircraft: camera stream → detector →
 * tracker → ground-plane localisation (camera pose from the controller's
 * telemetry) → named SubjectEstimates → the controller's bus as role
 * `perception`, one `subjects` message per processed frame.
 *
 * Timing: a frame was captured `videoLatencyS` before ffmpeg handed it over
 * (sensor → encoder → radio → decoder; a property of the video link that
 * must be calibrated, see docs/controller.md). Its capture time on this
 * process's clock picks the camera pose from the telemetry history
 * (pose-history.ts), and is the timestamp of the tracker step, so the
 * estimates carry capture time. `subjects` messages say when they were sent
 * on the same clock; the controller's EstimateFeed maps them onto its loop.
 *
 * Failing loudly: no bus reply, no telemetry or no video at start-up are
 * CinePilotErrors naming what to check. While running, telemetry older than
 * `telemetryLostS`, `busLostS` of unanswered requests, or a stalled stream
 * end the run with an error; frames whose pose is unknown are not localised
 * and nothing is published for them, so the controller's stale-perception
 * watchdog sees perception stop rather than receive guesses.
 */
import { CinePilotError } from '../../core/errors.ts';
import type { DetectionBatch, ImageTrack, RgbFrame, SubjectEstimate } from '../../core/perception-types.ts';
import type { RuntimeSnapshot } from '../runtime.ts';
import type { Rig } from '../../hardware-profiles/schema.ts';
import { monotonicS } from '../../core/units.ts';
import { ZmqBusClient, type BusEndpoints } from '../bus/zmq.ts';
import type { BusReply } from '../bus/messages.ts';
import type { Detector } from '../../perception/detection/detector.ts';
import type { FrameSourceInfo } from '../../core/perception-types.ts';
import type { SourceFrame } from '../../perception/sources/ffmpeg-source.ts';
import { PerceptionPipeline } from '../../perception/pipeline.ts';
import type { TrackerSettings } from '../../perception/tracking/tracker.ts';
import { ClockMapping, PoseHistory } from './pose-history.ts';
import { type NameEvent, type NameRule, SubjectNamer } from './naming.ts';

export const DEFAULT_VIDEO_LATENCY_S = 0.15;
export const DEFAULT_TELEMETRY_WAIT_S = 5;
export const DEFAULT_TELEMETRY_LOST_S = 2;
export const DEFAULT_BUS_LOST_S = 3;
export const DEFAULT_BUS_REPLY_MS = 1000;
/** The bus schema takes at most this many estimates per message. */
export const MAX_ESTIMATES_PER_MESSAGE = 64;

/** A frame source as the client needs it: ffmpeg's (SourceFrame) or anything that stamps arrival. */
export interface ArrivingFrameSource {
  open(): Promise<FrameSourceInfo>;
  next(): Promise<SourceFrame | null>;
  readonly droppedFrames: number;
  close(): Promise<void>;
}

export interface PerceptionClientOptions {
  bus: BusEndpoints;
  clientId: string;
  rig: Pick<Rig, 'camera' | 'gimbal'>;
  names: NameRule[];
  videoLatencyS?: number;
  telemetryWaitS?: number;
  telemetryLostS?: number;
  busLostS?: number;
  maxExtrapolationS?: number;
  detectEvery?: number | 'auto';
  tracker?: Partial<TrackerSettings>;
  nameRadiusM?: number;
  log?: (line: string) => void;
}

export interface PendingFrame {
  frame: SourceFrame;
  captureS: number;
  startedS: number;
  detection: Promise<DetectionBatch> | null;
}

export interface FrameReport {
  frame: number;
  captureS: number;
  localised: boolean;
  detected: boolean;
  subjects: SubjectEstimate[];
  /** the tracker's confirmed tracks this frame */
  tracks: ImageTrack[];
  named: NameEvent[];
}

export interface PerceptionClientStats {
  frames: number;
  framesLocalised: number;
  framesWithoutPose: number;
  detections: number;
  published: number;
  refused: number;
  busTimeouts: number;
  droppedFrames: number;
  /** frame handed over by the decoder → the controller acknowledged its subjects, ms */
  frameToBusMs: number[];
  /** age of the newest measurement in a message when the controller acknowledged it, ms (what its stale-perception watchdog sees) */
  measurementAgeMs: number[];
  /** how far past the newest telemetry sample poses were extrapolated, s */
  extrapolatedS: number[];
  clockOffsetS: number | null;
  telemetrySamples: number;
}

const percentile = (xs: number[], p: number): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

export function summariseLatency(xs: number[]): { p50: number; p95: number; max: number } {
  return { p50: percentile(xs, 50), p95: percentile(xs, 95), max: xs.length ? Math.max(...xs) : NaN };
}

export class PerceptionClient {
  readonly clock = new ClockMapping();
  readonly poses: PoseHistory;
  readonly namer: SubjectNamer;
  readonly stats: PerceptionClientStats = {
    frames: 0, framesLocalised: 0, framesWithoutPose: 0, detections: 0, published: 0, refused: 0, busTimeouts: 0, droppedFrames: 0,
    frameToBusMs: [], measurementAgeMs: [], extrapolatedS: [], clockOffsetS: null, telemetrySamples: 0,
  };
  private bus: ZmqBusClient | null = null;
  private pipeline: PerceptionPipeline | null = null;
  private detector: Detector | null = null;
  private workers = 1;
  private lastTelemetryLocalS: number | null = null;
  private inFlight = false;
  private queued: { estimates: SubjectEstimate[]; arrivalS: number } | null = null;
  /** when the oldest request not yet acknowledged went out (null: all acknowledged) */
  private unackedSinceS: number | null = null;
  private fatal: CinePilotError | null = null;
  private poseGapSinceS: number | null = null;
  private readonly log: (line: string) => void;
  private readonly who: { id: string; role: 'perception' };

  constructor(private readonly options: PerceptionClientOptions) {
    this.poses = new PoseHistory(options.rig, { maxExtrapolationS: options.maxExtrapolationS });
    this.namer = new SubjectNamer(options.names, { radiusM: options.nameRadiusM });
    this.log = options.log ?? (() => undefined);
    this.who = { id: options.clientId, role: 'perception' };
  }

  /** Connect to the controller's bus and wait for its telemetry; throws a CinePilotError saying what is missing. */
  async connect(): Promise<void> {
    const bus = ZmqBusClient.connect(this.options.bus);
    this.bus = bus;
    bus.state$.subscribe((s) => this.onState(s as RuntimeSnapshot, monotonicS()));
    const hello = await bus.request({ who: this.who, command: { type: 'hello' } }, DEFAULT_BUS_REPLY_MS * 3);
    if (!hello.ok) {
      throw new CinePilotError('BUS_UNREACHABLE', `no controller answered on ${this.options.bus.command} (${hello.code}: ${hello.message}). Start \`cinepilot controller --link … --bus ${this.options.bus.state}\` (or fly) first, or fix --bus.`);
    }
    // an empty batch tells whether this controller takes subjects at all
    const probe = await bus.request({ who: this.who, command: { type: 'subjects', sentTimeS: monotonicS(), estimates: [] } }, DEFAULT_BUS_REPLY_MS * 3);
    if (!probe.ok) throw new CinePilotError(probe.code === 'SUBJECTS_NOT_ACCEPTED' ? 'BUS_SUBJECTS_REFUSED' : 'BUS_REFUSED', `the controller refuses subject estimates: ${probe.code}: ${probe.message}`);
    const waitS = this.options.telemetryWaitS ?? DEFAULT_TELEMETRY_WAIT_S;
    const startS = monotonicS();
    while (this.poses.size < 2 && monotonicS() - startS < waitS) await new Promise((r) => setTimeout(r, 50));
    if (this.poses.size < 2) {
      throw new CinePilotError('TELEMETRY_MISSING', `the controller on ${this.options.bus.state} published no vehicle telemetry within ${waitS} s ` +
        `(${this.stats.telemetrySamples} samples). Is its vehicle link connected (status line "link age")? The camera pose comes from that telemetry.`);
    }
  }

  private onState(s: RuntimeSnapshot, arrivalS: number): void {
    if (typeof s.timeS !== 'number') return;
    this.clock.observe(s.timeS, arrivalS);
    this.stats.clockOffsetS = this.clock.offsetS;
    const v = s.vehicle;
    if (!v || typeof v.timestampS !== 'number' || !v.positionNedM || !v.gimbal || !v.lens) return;
    // a snapshot repeats the last telemetry when the vehicle went quiet: only a new sample counts as telemetry
    if (this.poses.lastRemoteTimestampS !== null && v.timestampS <= this.poses.lastRemoteTimestampS) return;
    this.stats.telemetrySamples++;
    this.poses.push(v, this.clock);
    this.lastTelemetryLocalS = arrivalS;
  }

  /** Build the pipeline around a detector (owned by the caller); `workers` detections may run at once. */
  attachDetector(detector: Detector, info: FrameSourceInfo, workers = 1): void {
    this.detector = detector;
    this.workers = Math.max(1, workers);
    this.pipeline = new PerceptionPipeline({ tracker: this.options.tracker, detectEvery: this.options.detectEvery ?? 'auto', targetFps: info.fps ?? 10 });
  }

  /**
   * First half of a frame: stamp its capture time and start its detection
   * now (when the schedule says so), so several frames can be detecting on
   * separate workers while earlier ones are finished in order.
   */
  begin(frame: SourceFrame): PendingFrame {
    if (this.fatal) throw this.fatal;
    if (!this.pipeline || !this.detector) throw new Error('PerceptionClient.begin before attachDetector');
    this.checkHealth();
    const captureS = frame.arrivalS - (this.options.videoLatencyS ?? DEFAULT_VIDEO_LATENCY_S);
    const stamped: RgbFrame = { index: frame.index, timestampS: captureS, width: frame.width, height: frame.height, data: frame.data };
    const detection = this.pipeline.scheduler.next() ? this.detector.detect(stamped) : null;
    return { frame, captureS, startedS: monotonicS(), detection };
  }

  /** Second half, in frame order: pose at capture time, track, localise, name, publish. */
  async complete(p: PendingFrame): Promise<FrameReport> {
    const pipeline = this.pipeline!;
    const { frame, captureS } = p;
    let batch: DetectionBatch | null = null;
    if (p.detection) {
      batch = await p.detection;
      // with W detections in parallel one costs the chain about 1/W of its wall time
      pipeline.scheduler.recordDetect(((monotonicS() - p.startedS) * 1000) / this.workers);
    }
    const otherStartS = monotonicS();
    // looked up now, after the detection: telemetry from after the capture has arrived, so this interpolates
    const lookup = this.poses.viewAt(captureS);
    this.stats.frames++;
    if (!lookup.ok) {
      // no pose: keep the image tracker going, localise nothing, publish nothing
      this.stats.framesWithoutPose++;
      pipeline.resetCameraMotion();
      if (this.poseGapSinceS === null) {
        this.poseGapSinceS = frame.arrivalS;
        this.log(`perceive: no camera pose for frame ${frame.index} (${lookup.reason}, ${Number.isFinite(lookup.ageS) ? `${lookup.ageS.toFixed(2)} s` : 'no samples'}); not publishing until telemetry catches up`);
      }
      const step = pipeline.process(captureS, batch, undefined, frame.width, frame.height);
      pipeline.scheduler.recordOther((monotonicS() - otherStartS) * 1000);
      return { frame: frame.index, captureS, localised: false, detected: batch !== null, subjects: [], tracks: step.tracks, named: this.namer.apply(captureS, step.tracks, [], pipeline) };
    }
    if (this.poseGapSinceS !== null) {
      this.log(`perceive: camera pose back after ${(frame.arrivalS - this.poseGapSinceS).toFixed(2)} s`);
      this.poseGapSinceS = null;
    }
    this.stats.extrapolatedS.push(lookup.extrapolatedS);
    const step = pipeline.process(captureS, batch, lookup.view, frame.width, frame.height);
    if (batch) this.stats.detections++;
    this.stats.framesLocalised++;
    const named = this.namer.apply(captureS, step.tracks, step.subjects, pipeline);
    for (const n of named) this.log(`perceive: track ${n.trackId} is now "${n.name}" (${n.rule} rule)`);
    const estimates = step.subjects.slice(0, MAX_ESTIMATES_PER_MESSAGE);
    this.publish(estimates, frame.arrivalS);
    pipeline.scheduler.recordOther((monotonicS() - otherStartS) * 1000);
    return { frame: frame.index, captureS, localised: true, detected: batch !== null, subjects: estimates, tracks: step.tracks, named };
  }

  /** Both halves at once (one frame at a time). */
  async processFrame(frame: SourceFrame): Promise<FrameReport> {
    return this.complete(this.begin(frame));
  }

  private checkHealth(): void {
    const nowS = monotonicS();
    const lostS = this.options.telemetryLostS ?? DEFAULT_TELEMETRY_LOST_S;
    if (this.lastTelemetryLocalS === null || nowS - this.lastTelemetryLocalS > lostS) {
      throw new CinePilotError('TELEMETRY_LOST', `no vehicle telemetry from the controller for ${this.lastTelemetryLocalS === null ? 'ever' : `${(nowS - this.lastTelemetryLocalS).toFixed(1)} s`} ` +
        `(limit ${lostS} s): the camera pose is unknown, perception stopped. Check the controller process and its vehicle link.`);
    }
    const busLostS = this.options.busLostS ?? DEFAULT_BUS_LOST_S;
    if (this.unackedSinceS !== null && nowS - this.unackedSinceS > busLostS) {
      throw new CinePilotError('BUS_LOST', `the controller has not acknowledged subjects for ${(nowS - this.unackedSinceS).toFixed(1)} s (limit ${busLostS} s); perception stopped. Is the controller still running?`);
    }
  }

  /** Newest estimates win: one request in flight, a newer batch replaces one still waiting. */
  private publish(estimates: SubjectEstimate[], arrivalS: number): void {
    if (this.inFlight) {
      this.queued = { estimates, arrivalS };
      return;
    }
    this.inFlight = true;
    void this.send(estimates, arrivalS);
  }

  private async send(estimates: SubjectEstimate[], arrivalS: number): Promise<void> {
    let next: { estimates: SubjectEstimate[]; arrivalS: number } | null = { estimates, arrivalS };
    while (next && this.bus) {
      const { estimates: e, arrivalS: a } = next;
      next = null;
      this.unackedSinceS ??= monotonicS();
      const reply: BusReply = await this.bus.request({ who: this.who, command: { type: 'subjects', sentTimeS: monotonicS(), estimates: e } }, DEFAULT_BUS_REPLY_MS);
      const doneS = monotonicS();
      if (reply.ok) {
        this.stats.published++;
        this.stats.frameToBusMs.push((doneS - a) * 1000);
        let newest = -Infinity;
        for (const x of e) newest = Math.max(newest, x.timestampS);
        if (e.length) this.stats.measurementAgeMs.push((doneS - newest) * 1000);
        this.unackedSinceS = null;
      } else if (reply.code === 'BUS_TIMEOUT') {
        this.stats.busTimeouts++;
      } else {
        this.stats.refused++;
        this.fatal = new CinePilotError('BUS_REFUSED', `the controller refused subject estimates: ${reply.code}: ${reply.message}`);
      }
      next = this.queued;
      this.queued = null;
    }
    this.inFlight = false;
  }

  async close(): Promise<void> {
    const bus = this.bus;
    this.bus = null;
    // let the last request finish (bounded by its timeout) before the socket goes
    for (let i = 0; i < 40 && this.inFlight; i++) await new Promise((r) => setTimeout(r, 25));
    await bus?.close();
  }
}
