/**
 * Append-only MCAP flight log, JSON messages with JSON schemas, so it opens
 * in Foxglove. Built on @mcap/core's record and chunk builders rather than
 * its McapWriter because the log closes a chunk on *time*: every
 * `flushIntervalS` (default 0.5 s, at most 1 s) of log time or wall time the
 * open chunk, with its message indexes, is handed to the OS. A crash
 * therefore loses at most one interval, and a file cut anywhere reads back
 * up to its last whole chunk (McapWriter only closes chunks by size and, when
 * unchunked, keeps every message in memory until the end). On close the
 * summary (schemas, channels, statistics, chunk indexes) and footer make the
 * file indexed like any other MCAP. Writes are asynchronous: the control loop
 * never waits on the disk.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { McapChunkBuilder, McapRecordBuilder, Opcode, type McapTypes } from '@mcap/core';
import { CinePilotError } from '../../core/errors.ts';
import { FLIGHT_LOG_CHANNELS, FLIGHT_LOG_SCHEMAS, type FlightLogChannel } from './channels.ts';

export const DEFAULT_FLUSH_INTERVAL_S = 0.5;
/** A chunk is also closed when it grows past this many bytes. */
export const MAX_CHUNK_BYTES = 1024 * 1024;
export const FLIGHT_LOG_PROFILE = 'cinepilot';
export const FLIGHT_LOG_LIBRARY = 'cinepilot-controller';

/** Ordered asynchronous appends to one file; tracks the offset records will land at. */
class FileAppender {
  private chain: Promise<void> = Promise.resolve();
  offset = 0n;
  bytesFlushed = 0;
  flushes = 0;
  error: Error | null = null;

  constructor(private readonly file: FileHandle) {}

  /** Queue a copy of `bytes`; returns the file offset they start at. */
  append(bytes: Uint8Array): bigint {
    const at = this.offset;
    if (bytes.byteLength === 0) return at;
    const data = Buffer.from(bytes); // the builders reuse their buffers
    this.offset += BigInt(data.byteLength);
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
    return at;
  }

  settled(): Promise<void> {
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
  private readonly file: FileHandle;
  private readonly out: FileAppender;
  private readonly records = new McapRecordBuilder();
  private readonly chunk = new McapChunkBuilder({ useMessageIndex: true });
  private readonly schemas: McapTypes.Schema[] = [];
  private readonly channels: McapTypes.Channel[] = [];
  private readonly channelIds = new Map<FlightLogChannel, number>();
  private readonly chunkIndexes: McapTypes.ChunkIndex[] = [];
  private readonly channelCounts = new Map<number, bigint>();
  private readonly flushIntervalS: number;
  private readonly originWallNs: bigint;
  private originS: number | null;
  private chunkOpenedS: number | null = null;
  private firstLogTime: bigint | null = null;
  private lastLogTime = 0n;
  private readonly timer: NodeJS.Timeout;
  private sequence = 0;
  private chunkCount = 0;
  private closed = false;
  private readonly counts: Record<string, number> = {};
  private dropped = 0;
  private readonly encoder = new TextEncoder();

  private constructor(path: string, file: FileHandle, options: FlightLogOptions) {
    this.path = path;
    this.file = file;
    this.out = new FileAppender(file);
    this.flushIntervalS = options.flushIntervalS ?? DEFAULT_FLUSH_INTERVAL_S;
    if (!(this.flushIntervalS > 0 && this.flushIntervalS <= 1)) {
      throw new CinePilotError('LOG_BAD_OPTION', `flushIntervalS ${this.flushIntervalS}: must be > 0 and ≤ 1 s (a crash may lose at most one second).`);
    }
    this.originWallNs = options.originWallNs ?? BigInt(Date.now()) * 1_000_000n;
    this.originS = options.originS ?? null;
    // Wall-clock flush too, for when log time stands still (virtual clock, idle loop).
    this.timer = setInterval(() => this.flush(), this.flushIntervalS * 1000);
    this.timer.unref();
  }

  /** Create (truncate) `path` and write the MCAP header, schemas and channels. */
  static async open(path: string, options: FlightLogOptions = {}): Promise<FlightLogWriter> {
    if (options.flushIntervalS !== undefined && !(options.flushIntervalS > 0 && options.flushIntervalS <= 1)) {
      throw new CinePilotError('LOG_BAD_OPTION', `flushIntervalS ${options.flushIntervalS}: must be > 0 and ≤ 1 s (a crash may lose at most one second).`);
    }
    let file: FileHandle;
    try {
      file = await open(path, 'w');
    } catch (err) {
      throw new CinePilotError('LOG_CANNOT_OPEN', `cannot create flight log ${path}: ${(err as Error).message}. Choose a writable path.`);
    }
    const log = new FlightLogWriter(path, file, options);
    const r = log.records;
    r.writeMagic();
    r.writeHeader({ profile: FLIGHT_LOG_PROFILE, library: FLIGHT_LOG_LIBRARY });
    let id = 1;
    for (const key of Object.keys(FLIGHT_LOG_CHANNELS) as FlightLogChannel[]) {
      const { name, schema } = FLIGHT_LOG_SCHEMAS[key];
      const s: McapTypes.Schema = { id, name, encoding: 'jsonschema', data: log.encoder.encode(JSON.stringify(schema)) };
      const c: McapTypes.Channel = { id, schemaId: id, topic: FLIGHT_LOG_CHANNELS[key], messageEncoding: 'json', metadata: new Map() };
      r.writeSchema(s);
      r.writeChannel(c);
      log.schemas.push(s);
      log.channels.push(c);
      log.channelIds.set(key, id);
      id++;
    }
    log.out.append(r.buffer);
    r.reset();
    await log.out.settled();
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
      data = this.encoder.encode(JSON.stringify(message));
    } catch {
      this.dropped++;
      return;
    }
    this.originS ??= timeS;
    const logTime = this.originWallNs + BigInt(Math.round((timeS - this.originS) * 1e9));
    const channelId = this.channelIds.get(channel)!;
    this.chunk.addMessage({ channelId, sequence: this.sequence++, logTime, publishTime: logTime, data });
    this.channelCounts.set(channelId, (this.channelCounts.get(channelId) ?? 0n) + 1n);
    this.counts[channel] = (this.counts[channel] ?? 0) + 1;
    if (this.firstLogTime === null || logTime < this.firstLogTime) this.firstLogTime = logTime;
    if (logTime > this.lastLogTime) this.lastLogTime = logTime;
    this.chunkOpenedS ??= timeS;
    if (timeS - this.chunkOpenedS >= this.flushIntervalS || this.chunk.byteLength >= MAX_CHUNK_BYTES) this.flush();
  }

  /** Close the open chunk and hand it to the OS (asynchronously). */
  flush(): void {
    if (this.chunk.numMessages === 0) return;
    const r = this.records;
    const records = this.chunk.buffer;
    const chunkRecord: McapTypes.Chunk = {
      messageStartTime: this.chunk.messageStartTime,
      messageEndTime: this.chunk.messageEndTime,
      uncompressedSize: BigInt(records.byteLength),
      uncompressedCrc: 0, // 0 = not computed (MCAP spec)
      compression: '',
      records,
    };
    const chunkLength = r.writeChunk(chunkRecord);
    const chunkStartOffset = this.out.append(r.buffer);
    r.reset();
    const messageIndexOffsets = new Map<number, bigint>();
    let messageIndexLength = 0n;
    const indexStart = this.out.offset;
    for (const index of this.chunk.indices) {
      messageIndexOffsets.set(index.channelId, indexStart + messageIndexLength);
      messageIndexLength += r.writeMessageIndex(index);
    }
    this.out.append(r.buffer);
    r.reset();
    this.chunkIndexes.push({
      messageStartTime: chunkRecord.messageStartTime,
      messageEndTime: chunkRecord.messageEndTime,
      chunkStartOffset, chunkLength, messageIndexOffsets, messageIndexLength,
      compression: '', compressedSize: chunkRecord.uncompressedSize, uncompressedSize: chunkRecord.uncompressedSize,
    });
    this.chunkCount++;
    this.chunk.reset();
    this.chunkOpenedS = null;
  }

  /** Resolves once everything flushed so far is in the file. */
  settled(): Promise<void> {
    return this.out.settled();
  }

  stats(): FlightLogStats {
    return {
      path: this.path,
      messages: this.sequence,
      messagesByChannel: { ...this.counts },
      bytesFlushed: this.out.bytesFlushed,
      flushes: this.chunkCount,
      dropped: this.dropped,
    };
  }

  /** Write the last chunk, the summary and the footer, and close the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.flush();
    const r = this.records;
    r.writeDataEnd({ dataSectionCrc: 0 });
    this.out.append(r.buffer);
    r.reset();
    const summaryStart = this.out.offset;
    const groups: McapTypes.SummaryOffset[] = [];
    const group = (groupOpcode: Opcode, write: () => void) => {
      const groupStart = this.out.offset;
      write();
      const groupLength = BigInt(r.length);
      this.out.append(r.buffer);
      r.reset();
      if (groupLength > 0n) groups.push({ groupOpcode, groupStart, groupLength });
    };
    group(Opcode.SCHEMA, () => this.schemas.forEach((s) => r.writeSchema(s)));
    group(Opcode.CHANNEL, () => this.channels.forEach((c) => r.writeChannel(c)));
    group(Opcode.STATISTICS, () => r.writeStatistics({
      messageCount: BigInt(this.sequence), schemaCount: this.schemas.length, channelCount: this.channels.length,
      attachmentCount: 0, metadataCount: 0, chunkCount: this.chunkCount,
      messageStartTime: this.firstLogTime ?? 0n, messageEndTime: this.lastLogTime, channelMessageCounts: this.channelCounts,
    }));
    group(Opcode.CHUNK_INDEX, () => this.chunkIndexes.forEach((c) => r.writeChunkIndex(c)));
    const summaryOffsetStart = this.out.offset;
    for (const g of groups) r.writeSummaryOffset(g);
    r.writeFooter({ summaryStart, summaryOffsetStart, summaryCrc: 0 });
    r.writeMagic();
    this.out.append(r.buffer);
    r.reset();
    await this.out.settled();
    await this.file.close();
    if (this.out.error) throw new CinePilotError('LOG_WRITE_FAILED', `flight log ${this.path}: ${this.out.error.message}`);
  }

  /**
   * Stop without the last chunk, summary or footer (what a crash leaves
   * behind); for tests of crash recovery. Everything flushed stays readable.
   */
  async abandon(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.out.settled();
    await this.file.close();
  }
}
