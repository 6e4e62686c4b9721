/**
 * Fuzz: 100,000+ random and mutated messages into both edges of the ZeroMQ
 * bus (the controller's command socket and a client's state subscription),
 * sent from a separate process while a Runtime ticks at 50 Hz on the real clock
 * against the simulator. Nothing may crash, every malformed message is
 * counted, the controller keeps answering and its loop keeps ticking.
 */
import { describe, it, expect } from 'vitest';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Runtime } from '../../controller/runtime.ts';
import { ZmqBusClient, ZmqBusServer } from '../../controller/bus/zmq.ts';
import { serveRuntimeOnBus } from '../../controller/bus/runtime-bridge.ts';
import { SimWorld } from '../../sim/world.ts';
import { SimVehicleLink } from '../../sim/sim-vehicle-link.ts';
import { RealtimeRunner } from '../../sim/realtime.ts';
import { loadScene } from '../../sim/scene-loader.ts';
import { FollowTestController } from './support/harness.ts';
import { NO_SUBJECTS } from '../../controller/loop/subject-source.ts';

const COMMAND_MESSAGES = 60_000;
const STATE_MESSAGES = 50_000;

interface FuzzResult { replies: number; ok: number; malformed: number; stateSent: number; stateSubscribed: number }

describe('bus fuzz', () => {
  it(`${COMMAND_MESSAGES + STATE_MESSAGES} random and mutated messages: no crash, counted drops, the loop keeps ticking`, async () => {
    const world = new SimWorld(loadScene('static-subject'));
    const link = new SimVehicleLink(world);
    const runner = new RealtimeRunner(world);
    const runtime = new Runtime({ link, rig: world.rig, shotController: new FollowTestController(), subjects: NO_SUBJECTS, geofence: world.geofence, rateHz: 50 });
    const server = await ZmqBusServer.bind('tcp://127.0.0.1:0');
    serveRuntimeOnBus(runtime, server);
    const settings = { commandEndpoint: server.endpoints!.command, commandMessages: COMMAND_MESSAGES, stateMessages: STATE_MESSAGES, seed: 20261121, window: 400 };
    const worker = fork(fileURLToPath(new URL('./support/bus-fuzzer.ts', import.meta.url)), [JSON.stringify(settings)], { stdio: 'inherit', execArgv: ['--import', 'tsx'] });
    let client: ZmqBusClient | null = null;
    try {
      runner.start();
      await runtime.start();
      const pubEndpoint = await new Promise<string>((res, rej) => {
        worker.once('error', rej);
        worker.once('message', (m: { endpoint: string }) => res(m.endpoint));
      });
      client = ZmqBusClient.connect({ state: pubEndpoint, command: server.endpoints!.command }, { receiveHighWaterMark: 0 });
      while (client.stats().received === 0) await new Promise((res) => setTimeout(res, 10));
      const probes = client.stats().received;
      runtime.loop.resetStats();
      const t0 = performance.now();
      const done = new Promise<FuzzResult>((res, rej) => {
        worker.on('error', rej);
        worker.on('exit', (code) => rej(new Error(`fuzzer process exited early (code ${code})`)));
        worker.on('message', (m: { type: string } & FuzzResult) => m.type === 'done' && res(m));
      });
      worker.send('go');
      const result = await done;
      // drain what is still in flight to the subscriber
      for (let i = 0; i < 300 && client.stats().received - probes < result.stateSubscribed; i++) await new Promise((res) => setTimeout(res, 10));
      const totalS = (performance.now() - t0) / 1000;
      const loop = runtime.loop.stats();
      const ss = server.stats(), cs = client.stats();
      const stateReceived = cs.received - probes;
      console.log(
        `fuzz: ${COMMAND_MESSAGES} command messages (${result.ok} ok, ${result.malformed} malformed), server drops ${JSON.stringify(ss.droppedByReason)}; ` +
          `${result.stateSubscribed} state/event messages on subscribed topics, client received ${stateReceived}, drops ${JSON.stringify(cs.droppedByReason)}; ` +
          `loop over ${totalS.toFixed(1)} s: ${loop.ticks} ticks (${(loop.ticks / totalS).toFixed(1)} Hz), ${loop.skippedTicks} skipped, ` +
          `jitter p50 ${loop.jitterP50Ms.toFixed(2)} / p99 ${loop.jitterP99Ms.toFixed(2)} ms, overruns ${loop.overruns}, errors ${loop.tickErrors}`,
      );
      // every command message got exactly one reply; the malformed ones were counted by reason and refused
      expect(result.replies).toBe(COMMAND_MESSAGES);
      expect(ss.received).toBe(COMMAND_MESSAGES);
      expect(ss.dropped).toBe(result.malformed);
      expect(ss.dropped).toBeGreaterThan(COMMAND_MESSAGES * 0.5);
      expect(ss.accepted).toBeGreaterThan(500);
      for (const reason of ['not-json', 'schema', 'frames', 'not-utf8'] as const) expect(ss.droppedByReason[reason]).toBeGreaterThan(0);
      // the subscriber saw every message on its topics (unbounded HWM on loopback) and dropped the junk
      expect(stateReceived).toBeGreaterThanOrEqual(result.stateSubscribed); // (+ a late probe or two)
      expect(cs.received).toBe(cs.accepted + cs.dropped);
      expect(cs.dropped).toBeGreaterThan(result.stateSubscribed * 0.3);
      // the controller still answers, and its loop kept ticking without errors
      expect((await client.request({ who: { id: 'dp', role: 'dp' }, command: { type: 'snapshot' } })).ok).toBe(true);
      expect(loop.tickErrors).toBe(0);
      expect(loop.ticks + loop.skippedTicks).toBeGreaterThanOrEqual(Math.floor(50 * totalS) - 2);
      expect(loop.ticks).toBeGreaterThan(0.5 * 50 * totalS);
    } finally {
      if (worker.connected) worker.send('close');
      await new Promise((res) => (worker.exitCode !== null ? res(null) : worker.once('exit', res)));
      await client?.close();
      await runtime.stop();
      runner.stop();
      await server.close();
    }
  }, 120_000);
});
