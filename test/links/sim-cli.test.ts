/** `cinepilot sim --mavlink` as a separate process, flown by the MAVLink link over UDP. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { createVehicleLink } from '../../controller/links/factory.ts';
import { waitFor } from './helpers.ts';

describe('cinepilot sim --mavlink', () => {
  it('prints the URL it serves and a link in this process flies the drone there', async () => {
    const child = spawn(process.execPath, ['bin/cinepilot.mjs', 'sim', '--mavlink', 'udp://127.0.0.1:0', '--autopilot', 'ardupilot', '--duration', '4', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const served = JSON.parse(line) as { connectWith: string; autopilot: string; streamsHz: Record<string, number> };
      expect(served.connectWith).toMatch(/^mavlink:udp:\/\/127\.0\.0\.1:\d+$/);
      expect(served).toMatchObject({ autopilot: 'ardupilot', streamsHz: { HEARTBEAT: 1, LOCAL_POSITION_NED: 30 } });
      const link = await createVehicleLink(served.connectWith, { mavlink: { connectTimeoutS: 5 } });
      try {
        await link.connect();
        await waitFor(() => link.latestTelemetry() !== null, 3, 'telemetry from the sim process');
        expect(link.latestTelemetry()).toMatchObject({ armed: true, mode: 'hold', positionNedM: { x: expect.closeTo(9, 1), z: expect.closeTo(-4, 1) } });
        expect(await link.returnHome()).toEqual({ ok: true });
        await waitFor(() => link.latestTelemetry()!.mode === 'return', 2, 'RTL reported by the sim process');
      } finally {
        await link.close();
      }
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(0);
    } finally {
      child.kill();
    }
    expect(stderr.replace(/npm warn.*\n/g, '')).toBe('');
  }, 20_000);
});
