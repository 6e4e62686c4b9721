/**
 * The MAVLink link against the simulator's MAVLink autopilot endpoint, over
 * real loopback sockets (ephemeral ports), in real time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createVehicleLink } from '../../controller/links/factory.ts';
import { MavlinkVehicleLink, mavlinkLinkSettings } from '../../controller/links/mavlink/mavlink-link.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { startSitl, type SitlHandle } from '../../sim/sitl/start.ts';
import type { VehicleLink } from '../../core/vehicle-link.ts';
import { groundScene, sleep, waitFor } from './helpers.ts';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function pair(opts: Parameters<typeof startSitl>[0] = {}, linkOpts: Parameters<typeof createVehicleLink>[1] = {}): Promise<{ sitl: SitlHandle; link: MavlinkVehicleLink }> {
  const sitl = await startSitl(opts);
  open.push(sitl);
  const link = (await createVehicleLink(sitl.url, { rig: sitl.world.rig, ...linkOpts, mavlink: { connectTimeoutS: 5, ...linkOpts.mavlink } })) as MavlinkVehicleLink;
  open.push(link);
  await link.connect();
  return { sitl, link };
}

/** Stream setpoints at 20 Hz, as the controller does, until stopped. */
function stream(link: VehicleLink, sp: Parameters<VehicleLink['sendSetpoint']>[0]): () => void {
  link.sendSetpoint(sp);
  const t = setInterval(() => link.sendSetpoint(sp), 50);
  return () => clearInterval(t);
}

describe('MAVLink link ↔ SITL endpoint over UDP', () => {
  it('decodes telemetry that matches the simulated vehicle (position, attitude, gimbal, lens, mode, battery, geodetic)', async () => {
    const { sitl, link } = await pair();
    await waitFor(() => (link.latestTelemetry()?.global !== undefined), 3, 'telemetry with a global position');
    await sleep(0.3); // let the aperture and camera streams arrive too
    const got = link.latestTelemetry()!;
    const truth = sitl.world.telemetry();
    // Streams are 30–50 Hz and the drone hovers: float32 and age ≤ 0.1 s of hovering.
    expect(got.positionNedM.x).toBeCloseTo(truth.positionNedM.x, 2);
    expect(got.positionNedM.z).toBeCloseTo(truth.positionNedM.z, 2);
    expect(got.yawRad).toBeCloseTo(truth.yawRad, 4);
    expect(got.gimbal.pitchRad).toBeCloseTo(truth.gimbal.pitchRad, 4);
    expect(got.lens.focalLengthMm).toBeCloseTo(truth.lens.focalLengthMm, 3);
    expect(got.lens.focusDistanceM).toBeCloseTo(truth.lens.focusDistanceM, 3);
    expect(got.lens.fNumber).toBeCloseTo(truth.lens.fNumber, 5);
    expect(got).toMatchObject({ vehicleId: 1, armed: true, inAir: true, mode: 'hold' });
    expect(got.global!.latDeg).toBeCloseTo(truth.global!.latDeg, 6);
    expect(got.global!.altAmslM).toBeCloseTo(truth.global!.altAmslM, 2);
    expect(got.batteryFraction).toBeCloseTo(truth.batteryFraction!, 2);
    expect(got.batteryVoltageV).toBe(truth.batteryVoltageV); // the sim does not model voltage: null on both
    // the link asked for its stream rates with SET_MESSAGE_INTERVAL and the autopilot honoured them
    expect(sitl.endpoint.streamRates()).toMatchObject({ LOCAL_POSITION_NED: 50, ATTITUDE: 50, GLOBAL_POSITION_INT: 10, GIMBAL_DEVICE_ATTITUDE_STATUS: 20, SYS_STATUS: 2, EXTENDED_SYS_STATE: 5 });
    expect(link.firmware()).toBe('px4');
    const h = link.health();
    expect(h).toMatchObject({ connected: true, messagesDropped: 0 });
    expect(h.messagesReceived).toBeGreaterThan(10);
    expect(h.lastMessageAgeS).toBeLessThan(0.5);
  });

  it('arms, takes off, refuses offboard without a setpoint stream, flies offboard toward streamed setpoints, fails safe to hold when the stream stops', async () => {
    const { sitl, link } = await pair({ scene: groundScene() });
    await waitFor(() => link.latestTelemetry() !== null, 3, 'telemetry');
    expect(link.latestTelemetry()).toMatchObject({ armed: false, inAir: false });
    expect(await link.arm()).toEqual({ ok: true });
    await waitFor(() => link.latestTelemetry()!.armed, 2, 'armed in HEARTBEAT');
    expect(await link.takeoff(3)).toEqual({ ok: true });
    await waitFor(() => link.latestTelemetry()!.positionNedM.z < -2.7, 10, 'climb to 3 m');
    expect(link.latestTelemetry()!.inAir).toBe(true);

    const refused = await link.startOffboard();
    expect(refused).toMatchObject({ ok: false, code: 'OFFBOARD_NO_SETPOINT_STREAM' });

    const target = { x: 2, y: 1, z: -3 };
    const stop = stream(link, { timestampS: 0, positionNedM: target, velocityNedMps: { x: 0, y: 0, z: 0 }, yawRad: 0.5 });
    await sleep(0.2);
    expect(await link.startOffboard()).toEqual({ ok: true });
    await waitFor(() => link.latestTelemetry()!.mode === 'offboard', 2, 'OFFBOARD in HEARTBEAT');
    await waitFor(() => {
      const p = link.latestTelemetry()!.positionNedM;
      return Math.hypot(p.x - target.x, p.y - target.y, p.z - target.z) < 0.3;
    }, 12, 'vehicle within 0.3 m of the offboard setpoint');
    expect(link.latestTelemetry()!.yawRad).toBeCloseTo(0.5, 1);
    stop();
    // PX4 rule in the sim's autopilot: 0.5 s without setpoints → hold.
    await waitFor(() => link.latestTelemetry()!.mode === 'hold', 3, 'fail-safe to hold');
    expect(sitl.world.autopilot.events.some((e) => e.kind === 'offboard-loss')).toBe(true);

    expect(await link.land()).toEqual({ ok: true });
    await waitFor(() => link.latestTelemetry()!.mode === 'land', 2, 'LAND mode');
  }, 40_000);

  it('velocity and acceleration feed-forward reach the vehicle (velocity-only setpoints move it)', async () => {
    const { sitl, link } = await pair();
    await waitFor(() => link.latestTelemetry() !== null, 3, 'telemetry');
    const start = { ...link.latestTelemetry()!.positionNedM };
    const stop = stream(link, { timestampS: 0, velocityNedMps: { x: 0, y: 1.5, z: 0 }, accelerationNedMps2: { x: 0, y: 0.25, z: 0 }, yawRateRadps: 0 });
    await sleep(0.15);
    expect(await link.startOffboard()).toEqual({ ok: true });
    await waitFor(() => link.latestTelemetry()!.positionNedM.y - start.y > 1.5, 5, 'moved 1.5 m east');
    stop();
    const t = link.latestTelemetry()!;
    expect(t.velocityNedMps.y).toBeCloseTo(1.5, 0);
    expect(Math.abs(t.positionNedM.x - start.x)).toBeLessThan(0.3);
    expect(Math.abs(t.positionNedM.z - start.z)).toBeLessThan(0.3);
    // what the autopilot decoded: velocity + acceleration feed-forward, no position, no yaw angle
    const sp = sitl.endpoint.lastSetpoint!;
    expect(sp.velocityNedMps).toEqual({ x: 0, y: 1.5, z: 0 });
    expect(sp.accelerationNedMps2).toEqual({ x: 0, y: 0.25, z: 0 });
    expect(sp.positionNedM).toBeUndefined();
    expect(sp.yawRad).toBeUndefined();
    expect(sp.yawRateRadps).toBe(0);
  }, 20_000);

  it('gimbal (manager v2, SET_ATTITUDE and SET_PITCHYAW) and zoom/focus/aperture (camera v2, both aperture paths) reach the commanded values', async () => {
    const variants = [{ apertureVia: 'param-ext', gimbalMessage: 'attitude' }, { apertureVia: 'digicam', gimbalMessage: 'pitchyaw' }] as const;
    for (const { apertureVia, gimbalMessage } of variants) {
      const { sitl, link } = await pair({}, { mavlink: { apertureVia, gimbalMessage } });
      await waitFor(() => link.latestTelemetry() !== null, 3, 'telemetry');
      const cmd = { pitchRad: -0.6, yawRad: 0.3 };
      link.setGimbal(cmd);
      link.setLens({ focalLengthMm: 50, focusDistanceM: 6, fNumber: 4 });
      const t = setInterval(() => link.setGimbal(cmd), 50);
      try {
        await waitFor(() => {
          const g = link.latestTelemetry()!;
          return Math.abs(g.gimbal.pitchRad - cmd.pitchRad) < 0.005 && Math.abs(g.gimbal.yawRad - cmd.yawRad) < 0.005 &&
            Math.abs(g.lens.focalLengthMm - 50) < 0.05 && Math.abs(g.lens.focusDistanceM - 6) < 0.01 && Math.abs(g.lens.fNumber - 4) < 0.01;
        }, 8, `gimbal and lens at the commanded values (aperture via ${apertureVia}, gimbal via ${gimbalMessage})`);
      } finally {
        clearInterval(t);
      }
      // the sim itself agrees, and the link took primary gimbal control
      expect(sitl.world.telemetry().lens.fNumber).toBeCloseTo(4, 2);
      expect(link.lastBackgroundError).toBeNull();
      while (open.length) await open.pop()!.close();
    }
  }, 30_000);

  it('an out-of-range lens command is refused by the camera and reported', async () => {
    const { link } = await pair();
    await waitFor(() => link.latestTelemetry() !== null, 3, 'telemetry');
    link.setLens({ focalLengthMm: 500 });
    await waitFor(() => link.lastBackgroundError !== null, 3, 'camera refusal');
    expect(link.lastBackgroundError).toMatchObject({ code: 'COMMAND_DENIED' });
    expect(link.latestTelemetry()!.lens.focalLengthMm).toBeCloseTo(24, 3);
  });

  it('ArduPilot: decodes Copter modes, takes off from GUIDED with a relative altitude, follows GUIDED setpoints, drives the lens the AP_Camera way', async () => {
    const { link } = await pair({ scene: groundScene(), autopilot: 'ardupilot' });
    await waitFor(() => link.latestTelemetry() !== null, 3, 'telemetry');
    expect(link.firmware()).toBe('ardupilot');
    expect(await link.arm()).toEqual({ ok: true });
    expect(await link.takeoff(2)).toEqual({ ok: true });
    await waitFor(() => link.latestTelemetry()!.positionNedM.z < -1.8, 10, 'climb to 2 m');
    expect(link.latestTelemetry()!.mode).toBe('offboard'); // GUIDED
    const stop = stream(link, { timestampS: 0, positionNedM: { x: 1.5, y: 0, z: -2 } });
    expect(await link.startOffboard()).toEqual({ ok: true });
    await waitFor(() => link.latestTelemetry()!.positionNedM.x > 1.2, 8, 'GUIDED position target reached');
    stop();
    // ArduPilot's AP_Camera: zoom/focus as a percentage, aperture by DO_DIGICAM_CONFIGURE, via the autopilot
    link.setLens({ focalLengthMm: 60, focusDistanceM: 2.5, fNumber: 8 });
    await waitFor(() => {
      const l = link.latestTelemetry()!.lens;
      return Math.abs(l.focalLengthMm - 60) < 0.05 && Math.abs(l.focusDistanceM - 2.5) < 0.01 && Math.abs(l.fNumber - 8) < 0.01;
    }, 8, 'lens at 60 mm, 2.5 m, f/8 through the autopilot');
    expect(link.lastBackgroundError).toBeNull();
    expect(await link.returnHome()).toEqual({ ok: true });
    await waitFor(() => link.latestTelemetry()!.mode === 'return', 2, 'RTL');
  }, 40_000);

  it('works over TCP too, and reports the link lost when the vehicle goes silent', async () => {
    const { sitl, link } = await pair({ serve: 'tcp://127.0.0.1:0' }, { mavlink: { heartbeatTimeoutS: 0.5 } });
    expect(sitl.url).toMatch(/^mavlink:tcp:\/\/127\.0\.0\.1:\d+$/);
    await waitFor(() => link.latestTelemetry() !== null, 3, 'telemetry over TCP');
    expect(await link.hold()).toEqual({ ok: true });
    await sitl.close();
    await waitFor(() => !link.health().connected, 3, 'connected → false after the heartbeat timeout');
    const r = await link.arm();
    expect(r).toMatchObject({ ok: false, code: 'NOT_CONNECTED' });
  }, 20_000);

  it('listen mode: the vehicle pushes to our port unasked (PX4 SITL style) and the link answers to where it came from', async () => {
    const link = new MavlinkVehicleLink(mavlinkLinkSettings({ transport: 'udp-listen', host: '127.0.0.1', port: 0 }, loadRig().lens, { connectTimeoutS: 5 }));
    open.push(link);
    const connected = link.connect();
    await waitFor(() => link.localPort() !== null, 2, 'the link bound its port');
    const sitl = await startSitl({ serve: `udpout://127.0.0.1:${link.localPort()}` });
    open.push(sitl);
    expect(sitl.url).toBe(`mavlink:udpin://127.0.0.1:${link.localPort()}`);
    await connected;
    await waitFor(() => link.latestTelemetry() !== null, 3, 'pushed telemetry');
    expect(await link.hold()).toEqual({ ok: true }); // the ACK proves the vehicle heard us back
    expect(sitl.endpoint.stats().peers).toBe(1);
  });

  it('connect() fails with a clear error when nothing answers', async () => {
    const link = await createVehicleLink('mavlink:udp://127.0.0.1:9', { mavlink: { connectTimeoutS: 0.3 } });
    await expect(link.connect()).rejects.toMatchObject({ code: 'LINK_NO_HEARTBEAT', message: expect.stringMatching(/no autopilot HEARTBEAT within 0.3 s/) });
  });
});
