/**
 * The serial transport end to end: link → pseudo-terminal → (python bridge) →
 * TCP → SITL endpoint. Needs python3 for the pty; skipped with a message otherwise.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createVehicleLink } from '../../controller/links/factory.ts';
import { startSitl } from '../../sim/sitl/start.ts';
import { waitFor } from './helpers.ts';

const hasPython = spawnSync('python3', ['-c', 'import pty, tty'], { stdio: 'ignore' }).status === 0;
const BRIDGE = fileURLToPath(new URL('./support/pty-bridge.py', import.meta.url));

describe('MAVLink over a serial port', () => {
  it.skipIf(!hasPython)('(needs python3 for a pseudo-terminal) links to the SITL through a pty at 921600 baud: telemetry and commands', async () => {
    const sitl = await startSitl({ serve: 'tcp://127.0.0.1:0' });
    const bridge = spawn('python3', [BRIDGE, '127.0.0.1', String(sitl.port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [path] = (await once(createInterface({ input: bridge.stdout! }), 'line')) as [string];
      expect(path).toMatch(/^\/dev\//);
      const link = await createVehicleLink(`mavlink:serial://${path}:921600`, { rig: sitl.world.rig, mavlink: { connectTimeoutS: 5 } });
      try {
        await link.connect();
        await waitFor(() => link.latestTelemetry() !== null, 3, 'telemetry over the serial port');
        expect(link.latestTelemetry()!.positionNedM.z).toBeCloseTo(sitl.world.telemetry().positionNedM.z, 1);
        expect(await link.returnHome()).toEqual({ ok: true });
        await waitFor(() => link.latestTelemetry()!.mode === 'return', 2, 'RTL over serial');
        expect(link.health().messagesDropped).toBe(0);
      } finally {
        await link.close();
      }
    } finally {
      bridge.kill();
      await sitl.close();
    }
  }, 20_000);

  it('a missing device fails with a message that says what to check', async () => {
    const link = await createVehicleLink('mavlink:serial:///dev/cinepilot-no-such-port:57600');
    await expect(link.connect()).rejects.toMatchObject({ code: 'LINK_OPEN_FAILED', message: expect.stringMatching(/device path.*dialout/) });
  });
});
