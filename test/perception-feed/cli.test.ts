/**
 * `cinepilot perceive` fails clearly, never silently: bad flags, no bus, a
 * controller that takes its subjects elsewhere, a bus without telemetry, a
 * controller with telemetry but no video. Each is a real process against
 * real sockets (the controller against the simulator's MAVLink endpoint).
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ffmpegPath } from '../../perception/sources/ffmpeg.ts';
import { ZmqBusServer, type BusEndpoints } from '../../controller/bus/zmq.ts';
import { startSitl } from '../../sim/sitl/start.ts';
import { freeUdpPort } from './support/chain.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/cinepilot.mjs');

function cli(args: string[], timeoutMs = 40_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => { clearTimeout(t); res({ code, stdout, stderr }); });
  });
}

/** `cinepilot controller` as a child; resolves with its bus endpoints. */
async function controller(link: string): Promise<{ bus: BusEndpoints; stop: () => Promise<void> }> {
  const p = spawn(process.execPath, [BIN, 'controller', '--link', link, '--bus', 'tcp://127.0.0.1:0', '--controller', 'baseline', '--no-log', '--quiet'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const line = await new Promise<string>((res, rej) => {
    createInterface({ input: p.stdout }).once('line', res);
    p.once('exit', (c) => rej(new Error(`controller exited ${c}: ${err}`)));
  });
  const exited = new Promise((r) => p.once('exit', r));
  return {
    bus: (JSON.parse(line) as { bus: BusEndpoints }).bus,
    stop: async () => { p.kill('SIGTERM'); await exited; },
  };
}

describe('cinepilot perceive: clear failures', () => {
  it('--help, and flags that cannot work', async () => {
    const help = await cli(['perceive', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--source URI[\s\S]*--bus URL[\s\S]*--name RULE[\s\S]*--video-latency-ms/);
    const noSource = await cli(['perceive', '--bus', 'tcp://127.0.0.1:5570']);
    expect(noSource.code).toBe(2);
    expect(noSource.stderr).toMatch(/--source URI is required/);
    const badName = await cli(['perceive', '--source', 'udp://127.0.0.1:5600', '--name', 'alice', '--name', 'bob']);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/only one bare NAME/);
  }, 60_000);

  it('no controller on the bus: exit 2 naming the address and what to start', async () => {
    const port = await freeUdpPort(); // nothing listens on this TCP port either, almost surely
    const r = await cli(['perceive', '--source', 'udp://127.0.0.1:5600', '--bus', `tcp://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`no controller answered on tcp://127.0.0.1:${port + 1}.*Start \`cinepilot controller`));
  }, 60_000);

  it('a bus that answers but publishes no telemetry: exit 2, the camera pose cannot be known', async () => {
    const server = await ZmqBusServer.bind('tcp://127.0.0.1:0');
    server.onRequest(() => ({ ok: true }));
    try {
      const r = await cli(['perceive', '--source', 'udp://127.0.0.1:5600', '--bus', server.endpoints!.state, '--bus-command', server.endpoints!.command, '--timeout', '2']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/published no vehicle telemetry within 2 s.*camera pose comes from that telemetry/);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('a controller flying the in-process simulator takes no subjects from outside: exit 2', async () => {
    const c = await controller('sim');
    try {
      const r = await cli(['perceive', '--source', 'udp://127.0.0.1:5600', '--bus', c.bus.state, '--bus-command', c.bus.command]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/refuses subject estimates: SUBJECTS_NOT_ACCEPTED/);
    } finally {
      await c.stop();
    }
  }, 60_000);

  it('controller and telemetry fine, no video on the port: exit 2 with the stream timeout', async () => {
    const sitl = await startSitl({ seed: 1 });
    const c = await controller(sitl.url);
    try {
      const port = await freeUdpPort();
      const r = await cli(['perceive', '--source', `udp://127.0.0.1:${port}`, '--bus', c.bus.state, '--bus-command', c.bus.command, '--timeout', '3']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/telemetry flowing/); // it got that far
      expect(r.stderr).toMatch(new RegExp(`udp://127.0.0.1:${port}: no video arrived within 3 s`));
    } finally {
      await c.stop();
      await sitl.close();
    }
  }, 60_000);

  it('telemetry stops while running (the aircraft link is gone): exit 1, nothing more is published', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perceive-'));
    const video = join(dir, 'clip.avi');
    const made = spawn(await ffmpegPath(), ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-t', '60', '-c:v', 'mpeg4', video]);
    await new Promise((r) => made.once('exit', r));
    const sitl = await startSitl({ seed: 1 });
    const c = await controller(sitl.url);
    try {
      const p = spawn(process.execPath, [BIN, 'perceive', '--source', video, '--bus', c.bus.state, '--bus-command', c.bus.command, '--telemetry-lost', '1.5'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '', out = '';
      p.stdout.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((r) => p.once('exit', r));
      // once it is publishing, the aircraft goes away
      await new Promise<void>((res, rej) => {
        p.stderr.on('data', (d) => { err += d; if (/published [1-9]/.test(err)) res(); });
        p.once('exit', () => rej(new Error(`perceive exited early: ${err}`)));
      });
      await sitl.close();
      const code = await exited;
      expect(code).toBe(1);
      expect(err).toMatch(/no vehicle telemetry from the controller for \d+\.\d s \(limit 1.5 s\)/);
      const summary = JSON.parse(out.trim().split('\n').pop()!) as { published: number; failure: string };
      expect(summary.published).toBeGreaterThan(0);
      expect(summary.failure).toMatch(/camera pose is unknown/);
    } finally {
      await c.stop();
      await sitl.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
