/**
 * The MAVSDK link over real gRPC (loopback, ephemeral port) against the
 * in-repo mavsdk_server stand-in that forwards to the simulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createVehicleLink } from '../../controller/links/factory.ts';
import type { MavsdkVehicleLink } from '../../controller/links/mavsdk/mavsdk-link.ts';
import { startMavsdkSitl, type MavsdkSitlHandle } from '../../sim/sitl/start.ts';
import { groundScene, sleep, waitFor } from './helpers.ts';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function pair(scene?: ReturnType<typeof groundScene>): Promise<{ sim: MavsdkSitlHandle; link: MavsdkVehicleLink }> {
  const sim = await startMavsdkSitl(scene ? { scene } : {});
  open.push(sim);
  const link = (await createVehicleLink(sim.url, { rig: sim.world.rig, mavsdk: { connectTimeoutS: 5 } })) as MavsdkVehicleLink;
  open.push(link);
  await link.connect();
  await waitFor(() => link.latestTelemetry()?.global !== undefined && link.latestTelemetry()!.mode !== 'unknown', 3, 'telemetry over gRPC');
  return { sim, link };
}

describe('MAVSDK link ↔ in-repo gRPC server (simulator behind it)', () => {
  it('streams telemetry that matches the simulated vehicle', async () => {
    const { sim, link } = await pair();
    await sleep(0.2);
    const got = link.latestTelemetry()!, truth = sim.world.telemetry();
    expect(got.positionNedM.x).toBeCloseTo(truth.positionNedM.x, 2);
    expect(got.positionNedM.z).toBeCloseTo(truth.positionNedM.z, 2);
    expect(got.yawRad).toBeCloseTo(truth.yawRad, 3);
    expect(got.gimbal.pitchRad).toBeCloseTo(truth.gimbal.pitchRad, 3);
    expect(got.gimbal.yawRad).toBeCloseTo(truth.gimbal.yawRad, 3);
    expect(got.lens.fNumber).toBeCloseTo(truth.lens.fNumber, 5);
    expect(got).toMatchObject({ armed: true, inAir: true, mode: 'hold' });
    expect(got.global!.latDeg).toBeCloseTo(truth.global!.latDeg, 6);
    expect(link.health()).toMatchObject({ connected: true, messagesDropped: 0 });
  });

  it('arms, takes off, refuses offboard before a setpoint, then flies position + velocity setpoints', async () => {
    const { link } = await pair(groundScene());
    expect(link.latestTelemetry()).toMatchObject({ armed: false, inAir: false });
    expect(await link.arm()).toEqual({ ok: true });
    expect(await link.takeoff(2.5)).toEqual({ ok: true });
    await waitFor(() => link.latestTelemetry()!.positionNedM.z < -2.2, 10, 'climb to 2.5 m');
    expect(await link.startOffboard()).toMatchObject({ ok: false, code: 'MAVSDK_NO_SETPOINT_SET' });
    const target = { x: -2, y: 1.5, z: -2.5 };
    link.sendSetpoint({ timestampS: 0, positionNedM: target, velocityNedMps: { x: 0, y: 0, z: 0 }, yawRad: -0.4 });
    await sleep(0.1);
    // the server re-sends the last setpoint at 20 Hz, as mavsdk_server does
    expect(await link.startOffboard()).toEqual({ ok: true });
    await waitFor(() => {
      const p = link.latestTelemetry()!.positionNedM;
      return Math.hypot(p.x - target.x, p.y - target.y, p.z - target.z) < 0.3;
    }, 12, 'vehicle within 0.3 m of the setpoint');
    expect(link.latestTelemetry()!.yawRad).toBeCloseTo(-0.4, 1);
    expect(link.latestTelemetry()!.mode).toBe('offboard');
    expect(await link.stopOffboard()).toEqual({ ok: true });
    await waitFor(() => link.latestTelemetry()!.mode === 'hold', 2, 'hold after stop');
    expect(await link.returnHome()).toEqual({ ok: true });
    await waitFor(() => link.latestTelemetry()!.mode === 'return', 2, 'return');
  }, 40_000);

  it('gimbal and zoom/focus/aperture reach the commanded values; bad values are refused and reported', async () => {
    const { sim, link } = await pair();
    link.setGimbal({ pitchRad: -0.7, yawRad: -0.25 });
    link.setLens({ focalLengthMm: 35, focusDistanceM: 4, fNumber: 5.6 });
    await waitFor(() => {
      const t = sim.world.telemetry();
      return Math.abs(t.gimbal.pitchRad + 0.7) < 0.005 && Math.abs(t.gimbal.yawRad + 0.25) < 0.005 &&
        Math.abs(t.lens.focalLengthMm - 35) < 0.05 && Math.abs(t.lens.focusDistanceM - 4) < 0.01 && Math.abs(t.lens.fNumber - 5.6) < 0.01;
    }, 8, 'simulated gimbal and lens at the commanded values');
    await sleep(0.2);
    const got = link.latestTelemetry()!;
    expect(got.gimbal.pitchRad).toBeCloseTo(-0.7, 2);
    expect(got.gimbal.yawRad).toBeCloseTo(-0.25, 2);
    expect(got.lens).toMatchObject({ focalLengthMm: 35, focusDistanceM: 4 });
    expect(got.lens.fNumber).toBeCloseTo(5.6, 5);
    expect(link.lastBackgroundError).toBeNull();
    link.setLens({ fNumber: 99 });
    await waitFor(() => link.lastBackgroundError !== null, 3, 'refusal of f/99');
    expect(link.lastBackgroundError).toMatchObject({ code: 'MAVSDK_WRONG_ARGUMENT' });
  }, 20_000);

  it('connect() names mavsdk_server when nothing listens', async () => {
    const link = await createVehicleLink('mavsdk://127.0.0.1:9', { mavsdk: { connectTimeoutS: 0.3 } });
    await expect(link.connect()).rejects.toMatchObject({ code: 'LINK_NO_MAVSDK_SERVER', message: expect.stringMatching(/mavsdk_server/) });
  });
});
