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

describe('subjects from a perception process', () => {
  it('estimates on the sender clock are mapped to the loop clock; the runtime tracks with them and notices when they stop', async () => {
    const { Runtime } = await import('../../controller/runtime.ts');
    const { VirtualClock } = await import('../../controller/loop/clock.ts');
    const { EstimateFeed } = await import('../../controller/loop/estimate-feed.ts');
    const { SimWorld } = await import('../../sim/world.ts');
    const { SimVehicleLink } = await import('../../sim/sim-vehicle-link.ts');
    const { loadScene } = await import('../../sim/scene-loader.ts');
    const { FollowTestController } = await import('./support/harness.ts');
    const world = new SimWorld(loadScene('runner'));
    const clock = new VirtualClock(0);
    const feed = new EstimateFeed(() => clock.nowS());
    const controller = new FollowTestController();
    controller.offsetNedM = { x: -8, y: -4, z: -5 };
    const runtime = new Runtime({ link: new SimVehicleLink(world), rig: world.rig, shotController: controller, subjects: feed, geofence: world.geofence, clock });
    const { server, client } = createInProcessBus();
    serveRuntimeOnBus(runtime, server, { subjectFeed: feed });
    const transitions: string[] = [];
    runtime.events$.subscribe((e) => e.kind === 'safety' && e.transition.region === 'autonomy' && transitions.push(e.transition.reason));
    await runtime.start();
    const PERCEPTION = { id: 'tracker-1', role: 'perception' as const };
    const SENDER_CLOCK_OFFSET_S = 5000; // the perception process started long before us
    let feeding = true;
    const sendEstimates = () =>
      client.request({
        who: PERCEPTION,
        command: {
          type: 'subjects', sentTimeS: world.timeS + SENDER_CLOCK_OFFSET_S,
          estimates: world.subjects.map((s, i) => ({
            id: i + 1, name: s.name, timestampS: world.timeS + SENDER_CLOCK_OFFSET_S - 0.05, // measured 50 ms before sending
            positionNedM: { ...s.state.positionNedM }, velocityNedMps: { ...s.state.velocityNedMps }, headingRad: s.state.headingRad,
            heightM: s.heightM, positionCovM2: [0.01, 0, 0, 0, 0.01, 0, 0, 0, 0],
          })),
        },
      });
    const run = async (seconds: number) => {
      for (let i = 0; i < seconds / 0.02; i++) {
        world.step(0.02);
        clock.advanceTo(world.timeS + 1e-9);
        if (feeding && i % 5 === 0) expect((await sendEstimates()).ok).toBe(true);
      }
    };
    await run(3);
    // the prediction matches the truth: the sender's clock was mapped onto ours
    const truth = world.subject('alice')!.state.positionNedM;
    const predicted = feed.predict('alice', clock.nowS())!;
    expect(Math.hypot(predicted.positionNedM.x - truth.x, predicted.positionNedM.y - truth.y)).toBeLessThan(0.6);
    expect(clock.nowS() - feed.lastMeasurementS()!).toBeLessThan(0.2);
    expect(runtime.submitShot({ kind: 'follow', subjects: ['alice'] }, { id: 'dp', role: 'dp' }).ok).toBe(true);
    await run(2);
    expect(runtime.supervisor.state).toBe('active');
    expect(runtime.snapshot().subjects.map((s) => s.name)).toEqual(['alice']);
    // only perception clients feed subjects, and they command nothing
    expect(await client.request({ who: { id: 'dp', role: 'dp' }, command: { type: 'subjects', sentTimeS: 0, estimates: [] } })).toMatchObject({ ok: false, code: 'ROLE_NOT_ALLOWED' });
    expect(await client.request({ who: PERCEPTION, command: { type: 'estop' } })).toMatchObject({ ok: false, code: 'ROLE_NOT_ALLOWED' });
    // the perception process goes quiet: framing on prediction, then a stop
    feeding = false;
    await run(5);
    expect(transitions).toEqual(['engaged', 'perception-stale', 'perception-timeout', 'vehicle-stopped']);
    expect(runtime.supervisor.state).toBe('hovering');
    await runtime.stop();
  });
});
