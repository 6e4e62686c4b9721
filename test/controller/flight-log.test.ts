/**
 * Flight log: what the runtime writes reads back with @mcap/core's own
 * readers (indexed reader statistics and the stream reader agree with the
 * writer's counts); a file left behind by a crash reads up to its last flush
 * (≤ 1 s lost); a file cut at any byte never throws.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McapIndexedReader, McapStreamReader } from '@mcap/core';
import { FlightLogWriter } from '../../controller/flight-log/writer.ts';
import { readFlightLog, summarizeFlightLog } from '../../controller/flight-log/reader.ts';
import { FLIGHT_LOG_CHANNELS } from '../../controller/flight-log/channels.ts';
import { createSimHarness, DP, PILOT } from './support/harness.ts';
import { vec3 } from '../../core/vec3.ts';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cinepilot-log-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function indexedReader(path: string) {
  const fh = await open(path, 'r');
  const size = BigInt((await fh.stat()).size);
  const reader = await McapIndexedReader.Initialize({
    readable: {
      size: async () => size,
      read: async (offset: bigint, length: bigint) => {
        const buf = new Uint8Array(Number(length));
        await fh.read(buf, 0, Number(length), Number(offset));
        return buf;
      },
    },
  });
  return { reader, close: () => fh.close() };
}

describe('flight log round trip', () => {
  it('a flown shot with commands and safety events: counts match across writer, indexed reader and stream reader', async () => {
    const path = join(dir, 'flight.mcap');
    const log = await FlightLogWriter.open(path);
    const h = await createSimHarness({ runtime: { flightLog: log } });
    h.controller.offsetNedM = vec3(9, 0, -4);
    await h.run(0.2);
    h.runtime.submitShot({ kind: 'track', subjects: ['alice'], framing: 'medium' }, DP, 'track alice, medium shot');
    h.runtime.submitShot({ kind: 'track', subjects: ['nobody'], distanceM: 1 }, DP, 'track nobody at one metre');
    await h.run(2);
    h.runtime.eStop(PILOT);
    await h.run(0.5);
    await h.runtime.stop(); // closes the log
    const written = log.stats();

    const { reader, close } = await indexedReader(path);
    try {
      const stats = reader.statistics!;
      expect(Number(stats.messageCount)).toBe(written.messages);
      const byTopic: Record<string, number> = {};
      for (const [id, n] of stats.channelMessageCounts) byTopic[reader.channelsById.get(id)!.topic] = Number(n);
      for (const [channel, n] of Object.entries(written.messagesByChannel)) {
        expect(byTopic[FLIGHT_LOG_CHANNELS[channel as keyof typeof FLIGHT_LOG_CHANNELS]]).toBe(n);
      }
      // messages found through the chunk and message indexes, in time order
      let viaIndex = 0;
      let lastNs = 0n;
      for await (const m of reader.readMessages()) {
        expect(m.logTime >= lastNs).toBe(true);
        lastNs = m.logTime;
        viaIndex++;
      }
      expect(viaIndex).toBe(written.messages);
      expect(reader.chunkIndexes.length).toBe(written.flushes);
      for (const ch of reader.channelsById.values()) {
        expect(ch.messageEncoding).toBe('json');
        expect(reader.schemasById.get(ch.schemaId)!.encoding).toBe('jsonschema');
      }
    } finally {
      await close();
    }

    const back = await readFlightLog(path);
    expect(back.complete).toBe(true);
    expect(back.messages.length).toBe(written.messages);
    const ticks = back.messages.filter((m) => m.topic === FLIGHT_LOG_CHANNELS.tick);
    expect(ticks.length).toBe(136); // ticks at t = 0 … 2.7 s, 50 Hz
    const commands = back.messages.filter((m) => m.topic === FLIGHT_LOG_CHANNELS.commands).map((m) => m.data as Record<string, unknown>);
    expect(commands.map((c) => [c.command, c.accepted])).toEqual([['shot', true], ['shot', false], ['estop', true]]);
    expect(commands[0]).toMatchObject({ who: 'dp-1', role: 'dp', text: 'track alice, medium shot', spec: { kind: 'track', subjects: ['alice'], framing: 'medium' } });
    expect(commands[1]).toMatchObject({ code: 'SHOT_INSIDE_KEEP_OUT' });
    const safety = back.messages.filter((m) => m.topic === FLIGHT_LOG_CHANNELS.safety).map((m) => m.data as Record<string, unknown>);
    expect(safety.filter((s) => s.region === 'autonomy').map((s) => s.to)).toEqual(['active', 'estop']); // stop() leaves a latched e-stop latched

    const summary = await summarizeFlightLog(path);
    expect(summary.complete).toBe(true);
    expect(summary.ticks).toBe(136);
    expect(summary.durationS).toBeCloseTo(2.7, 6);
    expect(summary.commands).toHaveLength(3);
    expect(summary.safetyEvents.some((e) => e.reason === 'estop')).toBe(true);
  });
});

describe('crash safety', () => {
  it('a crash loses at most the last flush interval; a file cut at any byte reads its whole records', async () => {
    const path = join(dir, 'crash.mcap');
    const log = await FlightLogWriter.open(path, { flushIntervalS: 0.5 });
    // 4.3 s of 50 Hz ticks, then the process "dies" (no summary, no footer)
    let lastTimeS = 0;
    for (let k = 0; k <= 215; k++) {
      lastTimeS = k * 0.02;
      log.write('tick', lastTimeS, { timeS: lastTimeS, tick: k });
      if (k % 50 === 0) await new Promise((r) => setImmediate(r)); // let queued flushes reach the file
    }
    await new Promise((r) => setTimeout(r, 50));
    await log.abandon();
    const back = await readFlightLog(path);
    expect(back.complete).toBe(false);
    const ticks = back.messages.filter((m) => m.topic === FLIGHT_LOG_CHANNELS.tick).map((m) => (m.data as { timeS: number }).timeS);
    expect(ticks.length).toBeGreaterThan(0);
    expect(lastTimeS - Math.max(...ticks)).toBeLessThanOrEqual(1.0);
    // ticks present are a gap-free prefix
    ticks.forEach((t, i) => expect(t).toBeCloseTo(i * 0.02, 9));

    // cut the complete flight log from above at many offsets: never throws, always a prefix
    const full = readFileSync(join(dir, 'flight.mcap'));
    const cut = join(dir, 'cut.mcap');
    let previous = 0;
    for (const fraction of [0.05, 0.2, 0.37, 0.5, 0.77, 0.99]) {
      writeFileSync(cut, full.subarray(0, Math.floor(full.length * fraction)));
      const r = await readFlightLog(cut);
      expect(r.complete).toBe(false);
      expect(r.messages.length).toBeGreaterThanOrEqual(previous);
      previous = r.messages.length;
    }
    expect(statSync(cut).size).toBeLessThan(full.length);
    // the stream reader itself agrees a cut file is not done
    const sr = new McapStreamReader();
    sr.append(full.subarray(0, full.length - 10));
    while (sr.nextRecord());
    expect(sr.done()).toBe(false);
  });

  it('refuses a flush interval over one second, saying why', async () => {
    await expect(FlightLogWriter.open(join(dir, 'x.mcap'), { flushIntervalS: 2 })).rejects.toThrow(/at most one second/);
  });
});
