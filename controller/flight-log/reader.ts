/**
 * Reads a flight log back: whole files and files cut short by a crash (the
 * stream reader stops at the last complete record). `summarizeFlightLog` is
 * what `cinepilot log summary` prints.
 */
import { createReadStream, existsSync } from 'node:fs';
import { McapStreamReader } from '@mcap/core';
import { CinePilotError } from '../../core/errors.ts';
import { FLIGHT_LOG_CHANNELS } from './channels.ts';

export interface FlightLogMessage {
  topic: string;
  logTimeNs: bigint;
  sequence: number;
  data: unknown;
}

export interface FlightLogReadResult {
  /** true when the file ends with a valid footer (closed cleanly) */
  complete: boolean;
  /** bytes at the end that did not form a whole record (a cut file) */
  trailingBytes: number;
  profile: string | null;
  messages: FlightLogMessage[];
  /** messages whose JSON did not parse (counted, skipped) */
  undecodable: number;
}

/** Stream `path` through the MCAP reader; `onMessage` sees each message in file order. */
export async function readFlightLog(path: string, onMessage?: (m: FlightLogMessage) => void): Promise<FlightLogReadResult> {
  if (!existsSync(path)) throw new CinePilotError('LOG_NOT_FOUND', `${path}: no such file. Give the path of an .mcap flight log.`);
  const reader = new McapStreamReader({ validateCrcs: true });
  const topics = new Map<number, string>();
  const decoder = new TextDecoder();
  const keep = !onMessage;
  const result: FlightLogReadResult = { complete: false, trailingBytes: 0, profile: null, messages: [], undecodable: 0 };
  const drain = (): void => {
    for (let record; (record = reader.nextRecord()); ) {
      switch (record.type) {
        case 'Header':
          result.profile = record.profile;
          break;
        case 'Channel':
          topics.set(record.id, record.topic);
          break;
        case 'Message': {
          let data: unknown;
          try {
            data = JSON.parse(decoder.decode(record.data));
          } catch {
            result.undecodable++;
            break;
          }
          const m: FlightLogMessage = { topic: topics.get(record.channelId) ?? `#${record.channelId}`, logTimeNs: record.logTime, sequence: record.sequence, data };
          if (keep) result.messages.push(m);
          else onMessage(m);
          break;
        }
        default:
          break;
      }
    }
  };
  try {
    for await (const chunk of createReadStream(path)) {
      reader.append(chunk as Buffer);
      drain();
    }
  } catch (err) {
    if (err instanceof CinePilotError) throw err;
    throw new CinePilotError('LOG_CORRUPT', `${path}: not a readable MCAP flight log (${(err as Error).message}).`);
  }
  result.complete = reader.done();
  result.trailingBytes = reader.bytesRemaining();
  return result;
}

export interface FlightLogSummary {
  path: string;
  complete: boolean;
  trailingBytes: number;
  durationS: number;
  startWallTime: string | null;
  messageCounts: Record<string, number>;
  commands: Array<{ atS: number; who: string; command: string; text?: string; accepted: boolean; reason?: string }>;
  safetyEvents: Array<{ atS: number; region: string; from: string; to: string; reason: string; detail: string }>;
  ticks: number;
  lastLoopStats: Record<string, unknown> | null;
}

export async function summarizeFlightLog(path: string): Promise<FlightLogSummary> {
  const counts: Record<string, number> = {};
  const commands: FlightLogSummary['commands'] = [];
  const safetyEvents: FlightLogSummary['safetyEvents'] = [];
  let first: bigint | null = null, last: bigint | null = null;
  let lastLoopStats: Record<string, unknown> | null = null;
  const r = await readFlightLog(path, (m) => {
    counts[m.topic] = (counts[m.topic] ?? 0) + 1;
    if (first === null || m.logTimeNs < first) first = m.logTimeNs;
    if (last === null || m.logTimeNs > last) last = m.logTimeNs;
    const d = m.data as Record<string, unknown>;
    if (m.topic === FLIGHT_LOG_CHANNELS.commands) {
      commands.push({
        atS: d.atS as number, who: d.who as string, command: d.command as string, accepted: d.accepted as boolean,
        ...(d.text !== undefined ? { text: d.text as string } : {}),
        ...(d.reason !== undefined ? { reason: d.reason as string } : {}),
      });
    } else if (m.topic === FLIGHT_LOG_CHANNELS.safety) {
      safetyEvents.push({ atS: d.atS as number, region: d.region as string, from: d.from as string, to: d.to as string, reason: d.reason as string, detail: d.detail as string });
    } else if (m.topic === FLIGHT_LOG_CHANNELS.loop) {
      lastLoopStats = d;
    }
  });
  return {
    path,
    complete: r.complete,
    trailingBytes: r.trailingBytes,
    durationS: first !== null && last !== null ? Number((last as bigint) - (first as bigint)) / 1e9 : 0,
    startWallTime: first !== null ? new Date(Number((first as bigint) / 1_000_000n)).toISOString() : null,
    messageCounts: counts,
    commands,
    safetyEvents,
    ticks: counts[FLIGHT_LOG_CHANNELS.tick] ?? 0,
    lastLoopStats,
  };
}
