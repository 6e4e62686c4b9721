/**
 * The bus: the in-process and ZeroMQ transports carry the same requests and
 * state to and from a Runtime; the edge drops malformed messages with a
 * counted reason; only loopback is bound by default.
 */
import { describe, it, expect } from 'vitest';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { createSimHarness, PILOT } from './support/harness.ts';
import { createInProcessBus } from '../../controller/bus/in-process.ts';
import { ZmqBusClient, ZmqBusServer, parseBusUrl } from '../../controller/bus/zmq.ts';
import { serveRuntimeOnBus, PILOT_LEASE_S } from '../../controller/bus/runtime-bridge.ts';
import { BusRequestSchema, decodeMessage, emptyBusStats, MAX_MESSAGE_BYTES } from '../../controller/bus/messages.ts';

const DP_WHO = { id: 'dp-remote', role: 'dp' as const };
const PILOT_WHO = { id: 'pilot-remote', role: 'pilot' as const };

describe('edge codec', () => {
  it('counts each kind of malformed message by reason and accepts valid ones', () => {
    const stats = emptyBusStats();
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    expect(decodeMessage(BusRequestSchema, new Uint8Array(MAX_MESSAGE_BYTES + 1), stats)).toMatchObject({ ok: false, reason: 'too-large' });
    expect(decodeMessage(BusRequestSchema, new Uint8Array([0xff, 0xfe, 0x00]), stats)).toMatchObject({ ok: false, reason: 'not-utf8' });
    expect(decodeMessage(BusRequestSchema, new TextEncoder().encode('{"who":'), stats)).toMatchObject({ ok: false, reason: 'not-json' });
    expect(decodeMessage(BusRequestSchema, enc({ who: DP_WHO, command: { type: 'launch-missiles' } }), stats)).toMatchObject({ ok: false, reason: 'schema' });
    expect(decodeMessage(BusRequestSchema, enc({ who: { id: 'x', role: 'system' }, command: { type: 'estop' } }), stats)).toMatchObject({ ok: false, reason: 'schema' });
    expect(decodeMessage(BusRequestSchema, enc({ who: DP_WHO, command: { type: 'shot', spec: { kind: 'track', subjects: ['Alice!'] } } }), stats)).toMatchObject({ ok: false, reason: 'schema' });
    expect(decodeMessage(BusRequestSchema, enc({ who: DP_WHO, command: { type: 'shot', spec: { kind: 'track', subjects: ['alice'] }, text: 'track alice' } }), stats).ok).toBe(true);
    expect(stats).toMatchObject({ received: 7, accepted: 1, dropped: 6, droppedByReason: { 'too-large': 1, 'not-utf8': 1, 'not-json': 1, schema: 3, frames: 0 } });
  });

  it('binds loopback only unless told otherwise, and says how to change it', () => {
    expect(parseBusUrl('tcp://127.0.0.1:6000')).toEqual({ state: 'tcp://127.0.0.1:6000', command: 'tcp://127.0.0.1:6001' });
    expect(parseBusUrl('tcp://localhost:0')).toEqual({ state: 'tcp://127.0.0.1:*', command: 'tcp://127.0.0.1:*' });
    expect(() => parseBusUrl('tcp://0.0.0.0:6000')).toThrow(/--bus-allow-remote/);
    expect(parseBusUrl('tcp://0.0.0.0:6000', { allowRemote: true }).state).toBe('tcp://0.0.0.0:6000');
    expect(() => parseBusUrl('udp://127.0.0.1:1')).toThrow(/tcp:\/\/HOST:PORT/);
  });
});

describe('in-process bus', () => {
  it('carries shots, e-stop and snapshots; state at 10 Hz of loop time', async () => {
    const h = await createSimHarness();
    const { server, client } = createInProcessBus();
    serveRuntimeOnBus(h.runtime, server);
    const states = firstValueFrom(client.state$.pipe(take(10), toArray()));
    await h.run(1.0);
    const got = (await states) as Array<{ timeS: number }>;
    const dts = got.slice(1).map((s, i) => s.timeS - got[i]!.timeS);
    for (const dt of dts) expect(dt).toBeCloseTo(0.1, 6);
    h.controller.offsetNedM = { x: 9, y: 0, z: -4 };
    const r = await client.request({ id: 'a1', who: DP_WHO, command: { type: 'shot', spec: { kind: 'track', subjects: ['alice'] }, text: 'track alice' } });
    expect(r).toMatchObject({ id: 'a1', ok: true });
    const bad = await client.request({ who: DP_WHO, command: { type: 'shot', spec: { kind: 'warp', subjects: [] } } } as never);
    expect(bad).toMatchObject({ ok: false, code: 'BUS_MALFORMED' });
    expect(server.stats().droppedByReason.schema).toBe(1);
    await h.run(0.5);
    expect((await client.request({ who: PILOT_WHO, command: { type: 'estop' } })).ok).toBe(true);
    const snap = await client.request({ who: { id: 'v', role: 'viewer' }, command: { type: 'snapshot' } });
    expect((snap.snapshot as { safety: { state: string } }).safety.state).toBe('estop');
    expect(await client.request({ who: { id: 'v', role: 'viewer' }, command: { type: 'estop' } })).toMatchObject({ ok: false, code: 'ROLE_NOT_ALLOWED' });
    await h.runtime.stop();
  });

  it('a pilot counts as connected while it renews its hello lease', async () => {
    const h = await createSimHarness();
    const { server, client } = createInProcessBus();
    const bridge = serveRuntimeOnBus(h.runtime, server);
    await client.request({ who: PILOT_WHO, command: { type: 'hello' } });
    await h.run(0.1);
    expect(h.runtime.snapshot().pilots).toEqual([PILOT_WHO.id]);
    await h.run(PILOT_LEASE_S + 0.5);
    expect(h.runtime.snapshot().pilots).toEqual([]);
    expect(bridge.pilots()).toEqual([]);
    await h.runtime.stop();
  });
});

describe('zeromq bus', () => {
  it('same API over real sockets on ephemeral loopback ports', async () => {
    const h = await createSimHarness();
    const server = await ZmqBusServer.bind('tcp://127.0.0.1:0');
    const client = ZmqBusClient.connect(server.endpoints!);
    try {
      serveRuntimeOnBus(h.runtime, server);
      expect(server.endpoints!.state).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      const hello = await client.request({ who: PILOT, command: { type: 'hello' } } as never);
      expect(hello.ok).toBe(true);
      // state arrives once the subscription is up (PUB/SUB joins late): keep ticking until it does
      const firstState = firstValueFrom(client.state$.pipe(filter(Boolean)));
      let received = false;
      void firstState.then(() => (received = true));
      for (let i = 0; i < 200 && !received; i++) {
        await h.run(0.1);
        await new Promise((r) => setTimeout(r, 5));
      }
      const s = (await firstState) as { safety: { state: string }; pilots: string[] };
      expect(s.safety.state).toBe('standby');
      expect(s.pilots).toEqual([PILOT.id]);
      const r = await client.request({ who: DP_WHO, command: { type: 'stop' } });
      expect(r.ok).toBe(true);
      expect(server.stats().accepted).toBe(2);
    } finally {
      await client.close();
      await server.close();
      await h.runtime.stop();
    }
  });
});
