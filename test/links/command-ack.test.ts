/**
 * COMMAND_LONG / COMMAND_ACK handling against a scripted vehicle on a real
 * UDP socket: a vehicle that loses the first request, one that never
 * answers, one that answers IN_PROGRESS first, and one that refuses.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { common, minimal } from 'node-mavlink';
import { MavlinkDecoder, MavlinkEncoder } from '../../controller/links/mavlink/codec.ts';
import { createVehicleLink } from '../../controller/links/factory.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import type { VehicleLink } from '../../core/vehicle-link.ts';

type Reply = (cmd: common.CommandLong) => Array<{ result: number; delayS?: number }>;

/** A bare vehicle: heartbeats at 5 Hz, answers COMMAND_LONG per `reply`, records what it got. */
async function scriptedVehicle(reply: Reply) {
  const socket: Socket = createSocket('udp4');
  const enc = new MavlinkEncoder(1, 1);
  const dec = new MavlinkDecoder('datagram');
  const received: common.CommandLong[] = [];
  let peer: { address: string; port: number } | null = null;
  const send = (m: Parameters<MavlinkEncoder['encode']>[0]) => peer && socket.send(enc.encode(m), peer.port, peer.address);
  socket.on('message', (buf, r) => {
    peer = { address: r.address, port: r.port };
    dec.push(buf, (f) => {
      if (!(f.message instanceof common.CommandLong)) return;
      const cmd = f.message;
      received.push(cmd);
      for (const { result, delayS } of reply(cmd)) {
        setTimeout(() => {
          const ack = new common.CommandAck();
          ack.command = cmd.command;
          ack.result = result;
          ack.targetSystem = f.sysid;
          ack.targetComponent = f.compid;
          send(ack);
        }, (delayS ?? 0) * 1000);
      }
    });
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const hb = setInterval(() => {
    const h = new minimal.Heartbeat();
    h.type = minimal.MavType.QUADROTOR;
    h.autopilot = minimal.MavAutopilot.PX4;
    h.mavlinkVersion = 3;
    send(h);
  }, 200);
  return {
    url: `mavlink:udp://127.0.0.1:${socket.address().port}`,
    received,
    close: async () => {
      clearInterval(hb);
      await new Promise<void>((r) => socket.close(() => r()));
    },
  };
}

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function linkTo(reply: Reply, commandTimeoutS = 0.3) {
  const v = await scriptedVehicle(reply);
  open.push(v);
  const link: VehicleLink = await createVehicleLink(v.url, { lens: loadRig().lens, mavlink: { commandTimeoutS, commandAttempts: 3, requestStreams: false, connectTimeoutS: 3 } });
  open.push(link);
  await link.connect();
  return { v, link };
}

const ACCEPTED = common.MavResult.ACCEPTED;

describe('COMMAND_LONG with ACK, retries and timeouts', () => {
  it('retries a lost request with an increasing confirmation and succeeds on the second attempt', async () => {
    const { v, link } = await linkTo((cmd) => (cmd.confirmation === 0 ? [] : [{ result: ACCEPTED }]));
    expect(await link.arm()).toEqual({ ok: true });
    expect(v.received.map((c) => [c.command, c.confirmation, c._param1])).toEqual([[400, 0, 1], [400, 1, 1]]);
    expect(link.health().latencyMs).toBeNull(); // only first-attempt round trips count as latency
  });

  it('gives up after the configured attempts with COMMAND_TIMEOUT', async () => {
    const { v, link } = await linkTo(() => []);
    const r = await link.disarm();
    expect(r).toMatchObject({ ok: false, code: 'COMMAND_TIMEOUT' });
    expect((r as { message: string }).message).toMatch(/after 3 attempt\(s\) of 0.3 s/);
    expect(v.received).toHaveLength(3);
  });

  it('waits through IN_PROGRESS for the final result', async () => {
    // each IN_PROGRESS restarts the 0.5 s wait; the final answer comes 0.6 s after the request
    const { v, link } = await linkTo(() => [
      { result: common.MavResult.IN_PROGRESS, delayS: 0.2 },
      { result: common.MavResult.IN_PROGRESS, delayS: 0.4 },
      { result: ACCEPTED, delayS: 0.6 },
    ], 0.5);
    expect(await link.land()).toEqual({ ok: true });
    expect(v.received).toHaveLength(1);
    expect(link.health().latencyMs).toBeGreaterThan(500);
  });

  it('maps a refusal to a coded result with a hint', async () => {
    const { link } = await linkTo(() => [{ result: common.MavResult.DENIED }]);
    const r = await link.returnHome();
    expect(r).toMatchObject({ ok: false, code: 'COMMAND_DENIED' });
    expect((r as { message: string }).message).toMatch(/set mode return: the vehicle answered DENIED.*check mode/);
  });

  it('queues two commands with the same id so each gets its own ACK', async () => {
    const { v, link } = await linkTo(() => [{ result: ACCEPTED, delayS: 0.05 }]);
    const [a, b] = await Promise.all([link.arm(), link.disarm()]);
    expect(a).toEqual({ ok: true });
    expect(b).toEqual({ ok: true });
    expect(v.received.map((c) => c._param1)).toEqual([1, 0]);
  });
});
