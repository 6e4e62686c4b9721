/**
 * Fuzz: ≥ 100,000 random and mutated MAVLink frames into the vehicle link and
 * into the SITL endpoint (fed to their byte handlers directly, the way the
 * socket would), then a shorter burst over the real UDP sockets. Nothing may
 * throw, the dropped counters must grow, and both sides must still work.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { common, minimal, type MavLinkData } from 'node-mavlink';
import { MavlinkEncoder, paramExtReal32String } from '../../controller/links/mavlink/codec.ts';
import { createVehicleLink } from '../../controller/links/factory.ts';
import type { MavlinkVehicleLink } from '../../controller/links/mavlink/mavlink-link.ts';
import { startSitl, type SitlHandle } from '../../sim/sitl/start.ts';
import { sleep, waitFor } from './helpers.ts';

const FRAMES = 100_000;
const SOCKET_BURST = 5_000;

/** xorshift32: reproducible frames for a reproducible test. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 0x100000000;
  };
  return { next, int: (n: number) => Math.floor(next() * n), byte: () => Math.floor(next() * 256) };
}

function corpus(): MavLinkData[] {
  const hb = new minimal.Heartbeat();
  hb.type = minimal.MavType.QUADROTOR; hb.autopilot = minimal.MavAutopilot.PX4; hb.mavlinkVersion = 3;
  const lp = new common.LocalPositionNed();
  lp.x = 1; lp.y = 2; lp.z = -3; lp.vx = 0.1;
  const att = new common.Attitude();
  att.yaw = 1;
  const cmd = new common.CommandLong();
  cmd.targetSystem = 1; cmd.targetComponent = 1; cmd.command = common.MavCmd.DO_SET_MODE; cmd._param1 = 1; cmd._param2 = 4; cmd._param3 = 3;
  const sp = new common.SetPositionTargetLocalNed();
  sp.targetSystem = 1; sp.targetComponent = 1; sp.coordinateFrame = common.MavFrame.LOCAL_NED; sp.x = 1; sp.z = -4;
  const gim = new common.GimbalManagerSetAttitude();
  gim.targetSystem = 1; gim.targetComponent = 1; gim.q = [1, 0, 0, 0];
  const cam = new common.CameraSettings();
  cam.zoomLevel = 40; cam.focusLevel = 60;
  const pes = new common.ParamExtSet();
  pes.targetSystem = 1; pes.targetComponent = 100; pes.paramId = 'CAM_APERTURE'; pes.paramType = common.MavParamExtType.REAL32; pes.paramValue = paramExtReal32String(4);
  const ack = new common.CommandAck();
  ack.command = common.MavCmd.COMPONENT_ARM_DISARM; ack.result = common.MavResult.ACCEPTED;
  const gas = new common.GimbalDeviceAttitudeStatus();
  gas.q = [1, 0, 0, 0];
  return [hb, lp, att, cmd, sp, gim, cam, pes, ack, gas, new common.SysStatus(), new common.GlobalPositionInt()];
}

/**
 * Frame classes: random bytes; valid frames with 1–4 mutations (bit flips,
 * overwritten bytes, truncation, appended junk, rewritten length/msgid);
 * valid frames from a foreign system; valid frames for another target; valid
 * frames whose fields are random (CRC right, content nonsense).
 */
function* fuzzFrames(seed: number, n: number): Generator<Buffer> {
  const r = rng(seed);
  const messages = corpus();
  const own = new MavlinkEncoder(1, 1);
  const foreign = new MavlinkEncoder(77, 1);
  for (let i = 0; i < n; i++) {
    const kind = r.int(10);
    const m = messages[r.int(messages.length)]!;
    if (kind < 3) {
      const b = Buffer.alloc(1 + r.int(300));
      for (let j = 0; j < b.length; j++) b[j] = r.int(4) === 0 ? 0xfd : r.byte();
      yield b;
    } else if (kind < 7) {
      let b = Buffer.from(own.encode(m));
      for (let k = 1 + r.int(4); k > 0; k--) {
        switch (r.int(6)) {
          case 0: b[r.int(b.length)]! ^= 1 << r.int(8); break;
          case 1: b[r.int(b.length)] = r.byte(); break;
          case 2: b = b.subarray(0, r.int(b.length)); break;
          case 3: b = Buffer.concat([b, Buffer.from(Array.from({ length: 1 + r.int(40) }, r.byte))]); break;
          case 4: if (b.length > 1) b[1] = r.byte(); break;
          case 5: if (b.length > 9) b.writeUIntLE(r.int(0x1000000), 7, 3); break;
        }
        if (b.length === 0) break;
      }
      yield b;
    } else if (kind === 7) {
      yield foreign.encode(m);
    } else if (kind === 8) {
      const c = Object.assign(Object.create(Object.getPrototypeOf(m)), m) as MavLinkData & { targetSystem?: number };
      if ('targetSystem' in c) c.targetSystem = 2 + r.int(200);
      yield own.encode(c);
    } else {
      // correct CRC, random payload: decoded garbage the handlers must survive
      const clazz = m.constructor as unknown as { FIELDS: Array<{ name: string; type: string; length: number }> };
      const c = Object.create(Object.getPrototypeOf(m)) as Record<string, unknown>;
      for (const f of clazz.FIELDS) {
        const rnd = () => (r.int(8) === 0 ? NaN : (r.next() - 0.5) * 10 ** r.int(12));
        if (f.type.startsWith('char')) c[f.name] = String.fromCharCode(...Array.from({ length: r.int(f.length + 1) }, () => 1 + r.int(255)));
        else if (f.type.endsWith('[]')) c[f.name] = Array.from({ length: f.length }, () => (f.type.startsWith('float') ? rnd() : r.byte()));
        else if (f.type === 'float' || f.type === 'double') c[f.name] = rnd();
        else c[f.name] = f.type.includes('64') ? BigInt(r.int(1e9)) : r.int(f.type.includes('8') ? 256 : f.type.includes('16') ? 65536 : 0x7fffffff);
        if (f.name === 'targetSystem') c[f.name] = r.int(3) === 0 ? 0 : 1;
      }
      try {
        yield own.encode(c as unknown as MavLinkData);
      } catch {
        yield Buffer.from([0xfd, r.byte()]);
      }
    }
  }
}

describe('fuzz: random and mutated MAVLink frames', () => {
  let sitl: SitlHandle;
  let link: MavlinkVehicleLink;

  beforeAll(async () => {
    sitl = await startSitl();
    link = (await createVehicleLink(sitl.url, { rig: sitl.world.rig, mavlink: { connectTimeoutS: 5 } })) as MavlinkVehicleLink;
    await link.connect();
    await waitFor(() => link.latestTelemetry() !== null, 3, 'telemetry');
  });

  afterAll(async () => {
    await link?.close();
    await sitl?.close();
  });

  it(`${FRAMES.toLocaleString('en')} frames into the link and the SITL handler: no crash, every bad frame counted, both still work`, async () => {
    const linkDropped0 = link.health().messagesDropped;
    const sitlDropped0 = sitl.endpoint.stats().dropped;
    const t0 = performance.now();
    let bytes = 0;
    let i = 0;
    for (const frame of fuzzFrames(0xc1e, FRAMES)) {
      bytes += frame.length;
      link.ingest(frame, sitl.url.replace('mavlink:udp://', ''));
      // A peer that does not exist as a socket: replies to it go nowhere.
      sitl.endpoint.ingest(frame, '127.0.0.1:9');
      // Let the real sockets breathe so the genuine stream keeps flowing.
      if (++i % 5000 === 0) await new Promise((r) => setImmediate(r));
    }
    const seconds = (performance.now() - t0) / 1000;
    const linkDropped = link.health().messagesDropped - linkDropped0;
    const sitlDropped = sitl.endpoint.stats().dropped - sitlDropped0;
    console.log(`fuzz: ${FRAMES} frames (${(bytes / 1e6).toFixed(1)} MB) through link + SITL in ${seconds.toFixed(2)} s ` +
      `(${Math.round(FRAMES / seconds)} frames/s); link dropped ${linkDropped}, SITL dropped ${sitlDropped}`);
    // Random bytes (30 %) and mutated frames (40 %) are nearly all rejected;
    // foreign-system (10 %) and other-target (10 %) frames always are.
    expect(linkDropped).toBeGreaterThan(0.5 * FRAMES);
    expect(sitlDropped).toBeGreaterThan(0.4 * FRAMES);

    // Afterwards: genuine telemetry still flows and decodes, commands still work.
    const before = link.latestTelemetry()!.timestampS;
    await waitFor(() => link.latestTelemetry()!.timestampS > before + 0.2, 3, 'fresh telemetry after the fuzz');
    // fuzzed mode changes may have landed or moved the vehicle: command it back and check it obeys
    expect(await link.hold()).toEqual({ ok: true });
    await waitFor(() => link.latestTelemetry()!.mode === 'hold', 2, 'HOLD after the fuzz');
    expect(link.health().connected).toBe(true);
    const truth = sitl.world.telemetry();
    await sleep(0.1);
    expect(link.latestTelemetry()!.positionNedM.x).toBeCloseTo(truth.positionNedM.x, 0);
  }, 60_000);

  it(`${SOCKET_BURST.toLocaleString('en')} fuzzed datagrams over real UDP sockets to both sides`, async () => {
    const attacker = createSocket('udp4');
    await new Promise<void>((r) => attacker.bind(0, '127.0.0.1', r));
    const linkPort = link.localPort()!;
    const linkDropped0 = link.health().messagesDropped;
    const sitlDropped0 = sitl.endpoint.stats().dropped;
    let i = 0;
    for (const frame of fuzzFrames(0xbeef, SOCKET_BURST)) {
      attacker.send(frame, i % 2 ? sitl.port : linkPort, '127.0.0.1');
      if (++i % 250 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await sleep(0.5);
    await new Promise<void>((r) => attacker.close(() => r()));
    const linkDropped = link.health().messagesDropped - linkDropped0;
    const sitlDropped = sitl.endpoint.stats().dropped - sitlDropped0;
    console.log(`fuzz over UDP: ${SOCKET_BURST} datagrams; link dropped ${linkDropped}, SITL dropped ${sitlDropped}`);
    expect(linkDropped).toBeGreaterThan(0.25 * SOCKET_BURST);
    expect(sitlDropped).toBeGreaterThan(0.2 * SOCKET_BURST);
    const before = link.latestTelemetry()!.timestampS;
    await waitFor(() => link.latestTelemetry()!.timestampS > before + 0.2, 3, 'fresh telemetry after the burst');
    expect(await link.hold()).toEqual({ ok: true });
    expect(link.health().connected).toBe(true);
  }, 30_000);
});
