/**
 * Frame sources decoded by ffmpeg: video files, RTSP, RTP (SDP), UDP MPEG-TS
 * (a drone's video downlink) and V4L2 webcams. ffmpeg writes raw RGB24 to a
 * pipe; frames are cut from the byte stream and handed over through a bounded
 * FrameQueue (drop-oldest for live sources, pause-producer for files).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { CinePilotError } from '../../core/errors.ts';
import type { FrameSource, FrameSourceInfo, RgbFrame } from '../../core/perception-types.ts';
import { monotonicS } from '../../core/units.ts';
import { classifyFfmpegFailure, ffmpegPath, parseOutputStream } from './ffmpeg.ts';
import { DEFAULT_QUEUE_CAPACITY, FrameQueue, type OverflowPolicy } from './frame-queue.ts';

export type SourceKind = 'file' | 'rtsp' | 'rtp' | 'udp' | 'v4l2';

/** A decoded frame with the times the pipeline needs besides the capture stamp. */
export interface SourceFrame extends RgbFrame {
  /** monotonic time the last byte of this frame left the decoder, s */
  arrivalS: number;
  /** position in the stream (files: index / fps; live: since the first frame), s */
  mediaTimeS: number;
}

export interface FfmpegSourceSettings {
  uri: string;
  /** inferred from the URI when absent */
  kind?: SourceKind;
  /** scale the output (both or neither); native size when absent */
  width?: number;
  height?: number;
  /** V4L2: frame rate to request from the camera */
  fps?: number;
  /** default: 'pause-producer' for files, 'drop-oldest' for live sources and files read in real time */
  overflow?: OverflowPolicy;
  queueCapacity?: number;
  /** no stream information within this time → SOURCE_TIMEOUT */
  openTimeoutS?: number;
  /** live sources: no frame within this time → SOURCE_TIMEOUT on next() */
  stallTimeoutS?: number;
  /** RTSP transport; TCP survives lossy links better */
  rtspTransport?: 'tcp' | 'udp';
  /** files: decode at the file's frame rate instead of as fast as possible */
  realtime?: boolean;
}

export const DEFAULT_OPEN_TIMEOUT_S = 10;
export const DEFAULT_STALL_TIMEOUT_S = 5;
/** Files keep a few decoded frames ahead so decoding overlaps detection. */
export const DEFAULT_FILE_QUEUE_CAPACITY = 4;

export function classifySource(uri: string): SourceKind {
  if (/^rtsps?:\/\//i.test(uri)) return 'rtsp';
  if (/^rtp:\/\//i.test(uri) || /\.sdp$/i.test(uri)) return 'rtp';
  if (/^(udp|srt|tcp):\/\//i.test(uri)) return 'udp';
  if (/^v4l2:\/\//i.test(uri) || /^\/dev\/video\d+$/.test(uri)) return 'v4l2';
  return 'file';
}

function inputArgs(s: Required<Pick<FfmpegSourceSettings, 'uri'>> & FfmpegSourceSettings, kind: SourceKind): string[] {
  const lowLatency = ['-fflags', 'nobuffer', '-flags', 'low_delay'];
  switch (kind) {
    case 'file':
      return [...(s.realtime ? ['-re'] : []), '-i', s.uri];
    case 'rtsp':
      return [...lowLatency, '-rtsp_transport', s.rtspTransport ?? 'tcp', '-i', s.uri];
    case 'rtp':
      return [...lowLatency, '-protocol_whitelist', 'file,udp,rtp', '-i', s.uri];
    case 'udp':
      // MPEG-TS carries no global header: a short probe gets the picture size sooner
      return [...lowLatency, '-probesize', '500000', '-analyzeduration', '1000000', '-i', s.uri];
    case 'v4l2': {
      const dev = s.uri.replace(/^v4l2:\/\//i, '');
      return ['-f', 'v4l2', ...(s.fps ? ['-framerate', String(s.fps)] : []), ...(s.width && s.height ? ['-video_size', `${s.width}x${s.height}`] : []), '-i', dev];
    }
  }
}

function validate(s: FfmpegSourceSettings): void {
  if (!s.uri) throw new CinePilotError('BAD_SOURCE', 'no source given; pass a video file, rtsp://, rtp://, udp:// URL or /dev/videoN.');
  if ((s.width === undefined) !== (s.height === undefined)) throw new CinePilotError('BAD_SOURCE', 'give both width and height to scale a source, or neither.');
  for (const [k, v] of Object.entries({ width: s.width, height: s.height, fps: s.fps, openTimeoutS: s.openTimeoutS, stallTimeoutS: s.stallTimeoutS })) {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new CinePilotError('BAD_SOURCE', `${k} must be > 0, got ${v}.`);
  }
  if (s.width !== undefined && (s.width % 2 || s.height! % 2)) throw new CinePilotError('BAD_SOURCE', `scaled size ${s.width}×${s.height} must be even in both directions.`);
}

export class FfmpegFrameSource implements FrameSource {
  readonly settings: FfmpegSourceSettings;
  readonly kind: SourceKind;
  private proc: ChildProcessByStdio<null, Readable, Readable> | null = null;
  private queue: FrameQueue | null = null;
  private stderr = '';
  private info: FrameSourceInfo | null = null;
  private frameBytes = 0;
  private current: Uint8Array | null = null;
  private filled = 0;
  private index = 0;
  private firstArrivalS = 0;
  private closing = false;
  private stallTimer: NodeJS.Timeout | null = null;

  constructor(settings: FfmpegSourceSettings) {
    validate(settings);
    this.settings = settings;
    this.kind = settings.kind ?? classifySource(settings.uri);
  }

  get droppedFrames(): number {
    return this.queue?.dropped ?? 0;
  }

  async open(): Promise<FrameSourceInfo> {
    if (this.info) return this.info;
    const s = this.settings;
    if (this.kind === 'file') {
      if (!existsSync(s.uri)) throw new CinePilotError('SOURCE_NOT_FOUND', `${s.uri}: no such file; check the path.`);
      if (statSync(s.uri).isDirectory()) throw new CinePilotError('SOURCE_NOT_FOUND', `${s.uri} is a directory; give a video file.`);
    }
    const live = this.kind !== 'file';
    const scale = s.width && s.height && this.kind !== 'v4l2' ? ['-vf', `scale=${s.width}:${s.height}`] : [];
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'info', ...inputArgs(s, this.kind), '-map', '0:v:0', '-an', ...scale, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
    const proc = spawn(await ffmpegPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    // a file read in real time stands in for a live feed: it drops what the consumer cannot take
    const dropping = live || s.realtime === true;
    const policy = s.overflow ?? (dropping ? 'drop-oldest' : 'pause-producer');
    const capacity = s.queueCapacity ?? (dropping ? DEFAULT_QUEUE_CAPACITY : DEFAULT_FILE_QUEUE_CAPACITY);
    this.queue = new FrameQueue(capacity, policy, (paused) => (paused ? proc.stdout.pause() : proc.stdout.resume()));

    const openTimeoutS = s.openTimeoutS ?? DEFAULT_OPEN_TIMEOUT_S;
    return new Promise<FrameSourceInfo>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        this.kill();
        reject(new CinePilotError('SOURCE_TIMEOUT', `${s.uri}: no video arrived within ${openTimeoutS} s; check that the sender is streaming to this address and port.`));
      }, openTimeoutS * 1000);
      proc.stderr.setEncoding('utf8');
      proc.stderr.on('data', (chunk: string) => {
        // keep the head (stream description) and a bounded tail (errors)
        this.stderr = this.stderr.length < 65536 ? this.stderr + chunk : this.stderr.slice(0, 32768) + this.stderr.slice(-16384) + chunk;
        if (settled || this.info) return;
        const stream = parseOutputStream(this.stderr);
        if (!stream) return;
        settled = true;
        clearTimeout(timer);
        const fps = stream.fps;
        this.info = {
          kind: this.kind,
          uri: s.uri,
          width: stream.width,
          height: stream.height,
          fps,
          frameCount: !live && stream.durationS !== null && fps ? Math.round(stream.durationS * fps) : null,
        };
        this.frameBytes = stream.width * stream.height * 3;
        resolve(this.info);
      });
      proc.stdout.on('data', (chunk: Buffer) => this.onBytes(chunk));
      proc.on('error', (err) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(new CinePilotError('FFMPEG_MISSING', `could not start ffmpeg: ${err.message}; run \`npm install\`.`));
        }
      });
      proc.on('close', (code) => {
        clearTimeout(timer);
        this.clearStall();
        if (!settled) {
          settled = true;
          reject(classifyFfmpegFailure(s.uri, this.stderr, code));
          return;
        }
        if (this.closing || code === 0) this.queue!.end();
        else if (this.index === 0 || live) this.queue!.fail(classifyFfmpegFailure(s.uri, this.stderr, code));
        else this.queue!.end();
      });
      if (live) this.armStall();
    });
  }

  private armStall(): void {
    this.clearStall();
    const stallS = this.settings.stallTimeoutS ?? DEFAULT_STALL_TIMEOUT_S;
    this.stallTimer = setTimeout(() => {
      if (!this.info) return; // the open timeout covers this phase
      this.queue?.fail(new CinePilotError('SOURCE_TIMEOUT', `${this.settings.uri}: no frame for ${stallS} s; the stream stopped.`));
      this.kill();
    }, stallS * 1000);
    this.stallTimer.unref();
  }

  private clearStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }

  private onBytes(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.current) {
        this.current = new Uint8Array(this.frameBytes);
        this.filled = 0;
      }
      const n = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      this.current.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.frameBytes) this.emit(this.current);
    }
  }

  private emit(data: Uint8Array): void {
    this.current = null;
    const info = this.info!;
    const arrivalS = monotonicS();
    if (this.index === 0) this.firstArrivalS = arrivalS;
    const live = this.kind !== 'file';
    const mediaTimeS = live || !info.fps ? arrivalS - this.firstArrivalS : this.index / info.fps;
    const frame: SourceFrame = {
      index: this.index++,
      // a file's frames were captured at its frame rate; a live frame's best capture stamp is its arrival
      timestampS: live ? arrivalS : this.firstArrivalS + mediaTimeS,
      width: info.width,
      height: info.height,
      data,
      arrivalS,
      mediaTimeS,
    };
    if (live) this.armStall();
    this.queue!.push(frame);
  }

  /** Next frame (the newest for live sources), or null at the end of a file. */
  next(): Promise<SourceFrame | null> {
    if (!this.queue) return Promise.reject(new CinePilotError('SOURCE_NOT_OPEN', 'call open() before next().'));
    return this.queue.next() as Promise<SourceFrame | null>;
  }

  private kill(): void {
    if (this.proc && this.proc.exitCode === null && !this.proc.killed) this.proc.kill('SIGKILL');
  }

  async close(): Promise<void> {
    this.closing = true;
    this.clearStall();
    const proc = this.proc;
    if (!proc) return;
    if (proc.exitCode === null && proc.signalCode === null) {
      const closed = new Promise<void>((r) => proc.once('close', () => r()));
      proc.kill('SIGKILL');
      await closed;
    }
    this.queue?.end();
  }
}

/** A frame source for a file path, rtsp://, rtp:// or .sdp, udp://, or /dev/videoN (v4l2://). */
export function openFrameSource(uri: string, settings: Omit<FfmpegSourceSettings, 'uri'> = {}): FfmpegFrameSource {
  return new FfmpegFrameSource({ ...settings, uri });
}
