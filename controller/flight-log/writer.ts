/**
 * Append-only MCAP flight log (@mcap/core), JSON messages with JSON schemas
 * so it opens in Foxglove. Messages are written unchunked: each record is
 * complete on its own, so a file cut anywhere (a crash, a pulled battery)
 * reads back up to its last whole record. Records are gathered in memory and
 * handed to the OS at least every `flushIntervalS` (default 0.5 s) of log
 * time and of wall time, so a crash loses at most that much. Writes are
 * asynchronous: the control loop never waits on the disk.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { McapWriter, type IWritable } from '@mcap/core';
import { CinePilotError } from '../../core/errors.ts';
import { FLIGHT_LOG_CHANNELS, FLIGHT_LOG_SCHEMAS, type FlightLogChannel } from './channels.ts';

export const DEFAULT_FLUSH_INTERVAL_S = 0.5;
export const FLIGHT_LOG_PROFILE = 'cinepilot';
export const FLIGHT_LOG_LIBRARY = 'cinepilot-controller';

/** Byte sink the MCAP writer writes into: a buffer handed to the file on flush. */
class BufferedFileSink implements IWritable {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private offset = 0n;
  private chain: Promise<void> = Promise.resolve();
  bytesFlushed = 0;
  flushes = 0;
  error: Error | null = null;

  constructor(private readonly file: FileHandle) {}

  write(buffer: Uint8Array): Promise<void> {
    // The writer reuses its buffer after this returns: copy.
    this.pending.push(buffer.slice());
    this.pendingBytes += buffer.byteLength;
    this.offset += BigInt(buffer.byteLength);
    return Promise.resolve();
  }

  position(): bigint {
    return this.offset;
  }

  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Hand everything buffered to the OS (in order); resolves when written. */
  flush(): Promise<void> {
    if (this.pendingBytes === 0) return this.chain;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.chain = this.chain.then(async () => {
      try {
        let written = 0;
        while (written < data.byteLength) {
          const r = await this.file.write(data, written, data.byteLength - written);
          written += r.bytesWritten;
        }
        this.bytesFlushed += written;
        this.flushes++;
      } catch (err) {
        this.error ??= err as Error;
      }
    });
    return this.chain;
  }
}

export interface FlightLogStats {
  path: string;
  messages: number;
  messagesByChannel: Record<string, number>;
  bytesFlushed: number;
  flushes: number;
  /** messages that could not be serialised (dropped, counted) */
  dropped: number;
}

export interface FlightLogOptions {
  flushIntervalS?: number;
  /** wall-clock epoch (ns) that log time `originS` maps to; default: now */
  originWallNs?: bigint;
  /** log time (monotonic s) that corresponds to originWallNs; default: first message */
  originS?: number;
}

export class FlightLogWriter {
  readonly path: string;
  private readonly writer: McapWriter;
  private readonly sink: BufferedFileSink;
  private readonly file: FileHandle;
  private readonly channelIds = new Map<FlightLogChannel, number>();
  private readonly flushIntervalS: number;
  private readonly originWallNs: bigint;
  private originS: number | null;
  private queue: Promise<void> = Promise.resolve();
  private lastFlushLogS = -Infinity;
  private readonly timer: NodeJS.Timeout;
  private sequence = 0;
  private closed = false;
  private readonly counts: Record<string, number> = {};
  private dropped = 0;

  private constructor(path: string, file: FileHandle, options: FlightLogOptions) {
    this.path = path;
    this.file = file;
    this.sink = new BufferedFileSink(file);
    this.writer = new McapWriter({ writable: this.sink, useChunks: false, useStatistics: true, useSummaryOffsets: true });
    this.flushIntervalS = options.flushIntervalS ?? DEFAULT_FLUSH_INTERVAL_S;
    if (!(this.flushIntervalS > 0 && this.flushIntervalS <= 1)) {
      throw new CinePilotError('LOG_BAD_OPTION', `flushIntervalS ${this.flushIntervalS}: must be > 0 and ≤ 1 s (a crash may lose at most one second).`);
    }
    this.originWallNs = options.originWallNs ?? BigInt(Date.now()) * 1_000_000n;
    this.originS = options.originS ?? null;
    // Wall-clock flush too, for when log time stands still (virtual clock, idle loop).
    this.timer = setInterval(() => void this.flush(), this.flushIntervalS * 1000);
    this.timer.unref();
  }

  /** Create (truncate) `path` and write the MCAP header, schemas and channels. */
  static async open(path: string, options: FlightLogOptions = {}): Promise<FlightLogWriter> {
    let file: FileHandle;
    try {
      file = await open(path, 'w');
    } catch (err) {
      throw new CinePilotError('LOG_CANNOT_OPEN', `cannot create flight log ${path}: ${(err as Error).message}. Choose a writable path.`);
    }
    const log = new FlightLogWriter(path, file, options);
    await log.writer.start({ profile: FLIGHT_LOG_PROFILE, library: FLIGHT_LOG_LIBRARY });
    for (const key of Object.keys(FLIGHT_LOG_CHANNELS) as FlightLogChannel[]) {
      const { name, schema } = FLIGHT_LOG_SCHEMAS[key];
      const schemaId = await log.writer.registerSchema({ name, encoding: 'jsonschema', data: new TextEncoder().encode(JSON.stringify(schema)) });
      const channelId = await log.writer.registerChannel({ topic: FLIGHT_LOG_CHANNELS[key], schemaId, messageEncoding: 'json', metadata: new Map() });
      log.channelIds.set(key, channelId);
    }
    await log.sink.flush();
    return log;
  }

  /**
   * Append one message at log time `timeS` (monotonic s). Never throws and
   * never waits: serialisation problems are counted as dropped.
   */
  write(channel: FlightLogChannel, timeS: number, message: unknown): void {
    if (this.closed) return;
    let data: Uint8Array;
    try {
      data = new TextEncoder().encode(JSON.stringify(message));
    } catch {
      this.dropped++;
      return;
    }
    this.originS ??= timeS;
    const logTime = this.originWallNs + BigInt(Math.round((timeS - this.originS) * 1e9));
    const channelId = this.channelIds.get(channel)!;
    const sequence = this.sequence++;
    this.counts[channel] = (this.counts[channel] ?? 0) + 1;
    this.queue = this.queue.then(() => this.writer.addMessage({ channelId, sequence, logTime, publishTime: logTime, data }));
    if (timeS - this.lastFlushLogS >= this.flushIntervalS) {
      this.lastFlushLogS = timeS;
      void this.flush();
    }
  }

  /** Hand everything written so far to the OS; resolves once it is in the file. */
  async flush(): Promise<void> {
    await this.queue;
    await this.sink.flush();
  }

  stats(): FlightLogStats {
    return {
      path: this.path,
      messages: this.sequence,
      messagesByChannel: { ...this.counts },
      bytesFlushed: this.sink.bytesFlushed,
      flushes: this.sink.flushes,
      dropped: this.dropped,
    };
  }

  /** Write the summary and footer and close the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.queue;
    await this.writer.end();
    await this.sink.flush();
    await this.file.close();
    if (this.sink.error) throw new CinePilotError('LOG_WRITE_FAILED', `flight log ${this.path}: ${this.sink.error.message}`);
  }

  /**
   * Stop without writing the summary (what a crash leaves behind); for tests
   * of crash recovery. Everything flushed so far stays readable.
   */
  async abandon(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.file.close();
  }
}
