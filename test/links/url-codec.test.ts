import { describe, expect, it } from 'vitest';
import { common, minimal } from 'node-mavlink';
import { parseLinkUrl, parseMavlinkEndpoint } from '../../controller/links/url.ts';
import { createVehicleLink } from '../../controller/links/factory.ts';
import { MavlinkDecoder, MavlinkEncoder, type MavlinkFrame, paramExtReal32String, readParamExtReal32 } from '../../controller/links/mavlink/codec.ts';
import { decodeMode, px4CustomMode, wireModeFor } from '../../controller/links/mavlink/modes.ts';
import { focalLengthFromZoomLevel, focusDistanceFromLevel, focusLevelPercent, zoomLevelPercent } from '../../controller/links/mavlink/lens-levels.ts';
import { setpointTypeMask } from '../../controller/links/mavlink/mavlink-link.ts';
import { loadProfile, loadRig, resolveProfilePath } from '../../hardware-profiles/loader.ts';
import type { LinkProfile } from '../../hardware-profiles/schema.ts';
import type { FlightMode } from '../../core/vehicle-link.ts';

describe('link URLs', () => {
  it('parses every documented form', () => {
    expect(parseLinkUrl('sim')).toEqual({ kind: 'sim' });
    expect(parseLinkUrl('mavlink:udp://:14540')).toMatchObject({ kind: 'mavlink', endpoint: { transport: 'udp-listen', host: '0.0.0.0', port: 14540 } });
    expect(parseLinkUrl('mavlink:udpin://127.0.0.1:14550')).toMatchObject({ endpoint: { transport: 'udp-listen', host: '127.0.0.1', port: 14550 } });
    expect(parseLinkUrl('mavlink:udp://127.0.0.1:14540')).toMatchObject({ endpoint: { transport: 'udp-connect', host: '127.0.0.1', port: 14540 } });
    expect(parseLinkUrl('mavlink:udpout://10.0.0.5:14550')).toMatchObject({ endpoint: { transport: 'udp-connect', host: '10.0.0.5', port: 14550 } });
    expect(parseLinkUrl('mavlink:tcp://127.0.0.1:5760')).toMatchObject({ endpoint: { transport: 'tcp', host: '127.0.0.1', port: 5760 } });
    expect(parseLinkUrl('mavlink:serial:///dev/ttyACM0:921600')).toMatchObject({ endpoint: { transport: 'serial', path: '/dev/ttyACM0', baudRate: 921600 } });
    expect(parseLinkUrl('mavlink:serial:///dev/ttyUSB0')).toMatchObject({ endpoint: { transport: 'serial', path: '/dev/ttyUSB0', baudRate: 57600 } });
    expect(parseLinkUrl('mavsdk://10.0.0.2:50051')).toEqual({ kind: 'mavsdk', grpcAddress: '10.0.0.2:50051', url: 'mavsdk://10.0.0.2:50051' });
    expect(parseLinkUrl('mavsdk:localhost')).toMatchObject({ grpcAddress: 'localhost:50051' });
    expect(parseLinkUrl('mavlink:udp://[::1]:14540')).toMatchObject({ endpoint: { transport: 'udp-connect', host: '::1', port: 14540 } });
  });

  it('reads ids and firmware from the query', () => {
    expect(parseLinkUrl('mavlink:udp://:14540?sysid=200&compid=191&target=2&autopilot=ardupilot')).toMatchObject({
      options: { systemId: 200, componentId: 191, targetSystemId: 2, autopilot: 'ardupilot' },
    });
  });

  it.each([
    ['mavlink:udp://:99999', /port "99999"/],
    ['mavlink:udp://127.0.0.1', /not HOST:PORT/],
    ['mavlink:ws://x:1', /unknown MAVLink transport "ws"/],
    ['mavlink:udp://:14540?sysid=0', /sysid=0 must be an integer 1…255/],
    ['mavlink:udp://:14540?color=red', /unknown option \?color=/],
    ['mavlink:serial://ttyACM0', /absolute device path/],
    ['px4://1.2.3.4', /unknown link kind/],
    ['', /unknown link kind/],
  ])('rejects %s with a message that lists the accepted forms', (url, why) => {
    let err: unknown;
    try {
      parseLinkUrl(url);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'LINK_URL_INVALID' });
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toContain('mavlink:serial:///dev/ttyACM0:921600');
    expect((err as Error).message).toContain('mavsdk://127.0.0.1:50051');
  });

  it('allows port 0 only where a server asks for an ephemeral port', () => {
    expect(() => parseLinkUrl('mavlink:udp://127.0.0.1:0')).toThrow(/port "0"/);
    expect(parseMavlinkEndpoint('udp://127.0.0.1:0', true).endpoint).toMatchObject({ port: 0 });
  });

  it('the factory builds the right implementation and rejects incomplete profiles', async () => {
    const lens = loadRig().lens;
    expect((await createVehicleLink('mavlink:udp://:14540', { lens })).kind).toBe('mavlink');
    expect((await createVehicleLink('mavsdk://127.0.0.1:50051', { lens })).kind).toBe('mavsdk');
    expect((await createVehicleLink('sim')).kind).toBe('sim');
    const viaProfile = await createVehicleLink({ type: 'link', name: 'p', kind: 'mavlink', url: 'mavlink:tcp://127.0.0.1:5760', systemId: 250, autopilot: 'ardupilot' }, { lens });
    expect(viaProfile.endpoint).toBe('mavlink:tcp://127.0.0.1:5760');
    expect((viaProfile as unknown as { settings: { systemId: number; autopilot: string } }).settings).toMatchObject({ systemId: 250, autopilot: 'ardupilot' });
    const shipped = await createVehicleLink(loadProfile<LinkProfile>(resolveProfilePath('serial'), 'link'), { lens });
    expect((shipped as unknown as { settings: { role: string; componentId: number } }).settings).toMatchObject({ role: 'onboard', componentId: 191 });
    expect(shipped.endpoint).toBe('mavlink:serial:///dev/ttyACM0:921600');
    await expect(createVehicleLink({ type: 'link', name: 'nourl', kind: 'mavlink' })).rejects.toMatchObject({ code: 'LINK_PROFILE_INCOMPLETE' });
    await expect(createVehicleLink({ type: 'link', name: 'noaddr', kind: 'mavsdk' })).rejects.toThrow(/grpcAddress/);
    await expect(createVehicleLink('mavlink:bogus')).rejects.toMatchObject({ code: 'LINK_URL_INVALID' });
  });
});

describe('MAVLink framing', () => {
  const enc = new MavlinkEncoder(1, 1);
  const heartbeat = (customMode: number) => {
    const hb = new minimal.Heartbeat();
    hb.type = minimal.MavType.QUADROTOR;
    hb.autopilot = minimal.MavAutopilot.PX4;
    hb.customMode = customMode;
    hb.mavlinkVersion = 3;
    return enc.encode(hb);
  };
  const decodeAll = (d: MavlinkDecoder, ...chunks: Buffer[]) => {
    const out: MavlinkFrame[] = [];
    for (const c of chunks) d.push(c, (f) => out.push(f));
    return out;
  };

  it('round-trips messages, including MAVLink 2 zero-trimmed payloads and several frames per datagram', () => {
    const lp = new common.LocalPositionNed();
    lp.timeBootMs = 1234; lp.x = 1.5; lp.y = -2.25; lp.z = -10; lp.vx = 0.5; lp.vy = 0; lp.vz = 0;
    const zeros = new common.LocalPositionNed(); // all zero: payload trimmed to nothing
    const d = new MavlinkDecoder('datagram');
    const frames = decodeAll(d, Buffer.concat([enc.encode(lp), enc.encode(zeros), heartbeat(px4CustomMode(6))]));
    expect(frames.map((f) => f.msgid)).toEqual([32, 32, 0]);
    expect(frames[0]!.message).toMatchObject({ timeBootMs: 1234, x: 1.5, y: -2.25, z: -10, vx: 0.5 });
    expect(frames[1]!.message).toMatchObject({ x: 0, y: 0, z: 0 });
    expect(frames[2]!).toMatchObject({ sysid: 1, compid: 1 });
    expect(d.stats).toMatchObject({ frames: 3, crcErrors: 0, unknownMessages: 0, garbage: 0 });
  });

  it('counts a corrupted CRC, an unknown message id and garbage, and still finds the frame after them', () => {
    const good = heartbeat(0);
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 1]! ^= 0xff;
    const unknown = Buffer.from(good);
    unknown.writeUIntLE(0xabcdef, 7, 3); // msgid no dialect defines
    const d = new MavlinkDecoder('datagram');
    const frames = decodeAll(d, Buffer.concat([Buffer.from([1, 2, 3]), badCrc, unknown, good]));
    expect(frames).toHaveLength(1);
    expect(d.stats.crcErrors).toBeGreaterThanOrEqual(1);
    expect(d.stats.unknownMessages).toBeGreaterThanOrEqual(1);
    expect(d.stats.garbage).toBeGreaterThanOrEqual(1);
  });

  it('datagram mode drops a truncated frame; stream mode joins a frame split across chunks', () => {
    const good = heartbeat(0);
    const dg = new MavlinkDecoder('datagram');
    expect(decodeAll(dg, good.subarray(0, 7), good)).toHaveLength(1);
    expect(dg.stats.garbage).toBe(1);
    const st = new MavlinkDecoder('stream');
    expect(decodeAll(st, good.subarray(0, 7), good.subarray(7), good.subarray(0, 3), good.subarray(3))).toHaveLength(2);
    expect(st.stats.garbage).toBe(0);
  });

  it('carries a REAL32 camera parameter as raw bytes, zero bytes included', () => {
    const m = new common.ParamExtSet();
    m.targetSystem = 1; m.targetComponent = 100; m.paramId = 'CAM_APERTURE'; m.paramType = common.MavParamExtType.REAL32;
    m.paramValue = paramExtReal32String(2); // 2.0f = 00 00 00 40
    const frames = decodeAll(new MavlinkDecoder('datagram'), enc.encode(m));
    expect(readParamExtReal32(frames[0]!.payload, common.ParamExtSet)).toBe(2);
    expect((frames[0]!.message as common.ParamExtSet).paramId).toBe('CAM_APERTURE');
  });
});

describe('wire conventions', () => {
  it('type_mask ignores exactly the parts a setpoint leaves out', () => {
    const T = common.PositionTargetTypemask;
    expect(setpointTypeMask({ timestampS: 0, positionNedM: { x: 0, y: 0, z: 0 }, velocityNedMps: { x: 0, y: 0, z: 0 }, accelerationNedMps2: { x: 0, y: 0, z: 0 }, yawRad: 0 })).toBe(T.YAW_RATE_IGNORE);
    expect(setpointTypeMask({ timestampS: 0, velocityNedMps: { x: 1, y: 0, z: 0 }, yawRateRadps: 0.1 })).toBe(
      T.X_IGNORE | T.Y_IGNORE | T.Z_IGNORE | T.AX_IGNORE | T.AY_IGNORE | T.AZ_IGNORE | T.YAW_IGNORE,
    );
    expect(setpointTypeMask({ timestampS: 0 })).toBe(0b110111111111);
  });

  it('PX4 and ArduPilot modes survive encode → decode, with PX4 main/sub packed in bits 16–31', () => {
    expect(px4CustomMode(4, 3)).toBe(0x03040000); // AUTO.LOITER
    const modes: FlightMode[] = ['offboard', 'hold', 'land', 'return', 'takeoff', 'mission', 'position', 'altitude', 'manual'];
    for (const m of modes) {
      const px4 = wireModeFor('px4', m)!;
      expect(decodeMode('px4', px4CustomMode(px4.customMode, px4.subMode))).toBe(m);
    }
    for (const m of modes.filter((x) => x !== 'takeoff')) expect(decodeMode('ardupilot', wireModeFor('ardupilot', m)!.customMode)).toBe(m);
    expect(wireModeFor('ardupilot', 'offboard')!.customMode).toBe(4); // GUIDED
    expect(decodeMode('px4', 0xdead0000)).toBe('unknown');
  });

  it('zoom and focus percentages map back to millimetres and metres', () => {
    const lens = loadRig().lens; // 24–70 mm
    expect(zoomLevelPercent(47, lens)).toBeCloseTo(50, 9);
    for (const mm of [24, 35, 50, 70]) expect(focalLengthFromZoomLevel(zoomLevelPercent(mm, lens), lens)).toBeCloseTo(mm, 9);
    for (const m of [lens.focusDistanceM.min, 1, 3.3, 12, 80]) expect(focusDistanceFromLevel(focusLevelPercent(m, lens), lens)).toBeCloseTo(m, 6);
    expect(focusLevelPercent(lens.focusDistanceM.min, lens)).toBe(0);
  });
});
