/**
 * The controller CLIs as separate processes: `cinepilot controller` served
 * over the ZeroMQ bus and driven by a client in this process; `cinepilot fly`
 * refusing to start without a geofence and to arm without a pilot;
 * `cinepilot log summary` on what they wrote; `cinepilot bench loop`.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ZmqBusClient, type BusEndpoints } from '../../controller/bus/zmq.ts';

const BIN = 'bin/cinepilot.mjs';
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cinepilot-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Start a CLI process and wait for its first stdout line (the JSON banner). */
async function startCli(args: string[]): Promise<{ child: ChildProcess; banner: { bus: BusEndpoints; log: string }; exited: Promise<number | null>; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const line = await new Promise<string>((res, rej) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', res);
    child.once('exit', (code) => rej(new Error(`exited ${code} before its banner: ${err}`)));
  });
  return { child, banner: JSON.parse(line), exited, stderr: () => err };
}

async function until<T>(fn: () => Promise<T | null>, maxMs: number): Promise<T | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < maxMs) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

describe('cinepilot controller over the bus (separate process)', () => {
  it('takes a shot and an e-stop from a bus client; the flight log records both; stops on SIGINT', async () => {
    const log = join(dir, 'controller.mcap');
    const { child, banner, exited } = await startCli(['controller', '--link', 'sim', '--controller', 'baseline', '--bus', 'tcp://127.0.0.1:0', '--log', log, '--quiet', '--duration', '60']);
    const client = ZmqBusClient.connect(banner.bus);
    try {
      const DP = { id: 'dp-cli', role: 'dp' as const }, PILOT = { id: 'pilot-cli', role: 'pilot' as const };
      const shot = await client.request({ who: DP, command: { type: 'shot', spec: { kind: 'track', subjects: ['alice'] }, text: 'track alice' } }, 5000);
      expect(shot).toMatchObject({ ok: true });
      const active = await until(async () => {
        const r = await client.request({ who: DP, command: { type: 'snapshot' } }, 5000);
        return (r.snapshot as { safety: { state: string } } | undefined)?.safety.state === 'active' ? r : null;
      }, 5000);
      expect(active).not.toBeNull();
      await new Promise((r) => setTimeout(r, 1000)); // fly the shot for a second
      expect((await client.request({ who: PILOT, command: { type: 'estop' } }, 5000)).ok).toBe(true);
      const snap = await client.request({ who: DP, command: { type: 'snapshot' } }, 5000);
      expect((snap.snapshot as { safety: { state: string } }).safety.state).toBe('estop');
    } finally {
      await client.close();
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    const summary = spawnSync(process.execPath, [BIN, 'log', 'summary', log, '--json'], { encoding: 'utf8' });
    expect(summary.status).toBe(0);
    const s = JSON.parse(summary.stdout) as { complete: boolean; ticks: number; commands: Array<{ command: string; accepted: boolean; who: string }>; safetyEvents: Array<{ to: string; region: string }> };
    expect(s.complete).toBe(true);
    expect(s.ticks).toBeGreaterThan(10);
    expect(s.commands.map((c) => [c.command, c.accepted, c.who])).toEqual([['shot', true, 'dp-cli'], ['estop', true, 'pilot-cli']]);
    expect(s.safetyEvents.filter((e) => e.region === 'autonomy').map((e) => e.to)).toEqual(['active', 'estop']);
    const text = spawnSync(process.execPath, [BIN, 'log', 'summary', log], { encoding: 'utf8' });
    expect(text.stdout).toMatch(/standby → active \(engaged\)/);
    expect(text.stdout).toMatch(/estop/);
  }, 60_000);
});

describe('cinepilot fly gates', () => {
  it('will not start without a geofence, and says what is missing', () => {
    const r = spawnSync(process.execPath, [BIN, 'fly', '--rig', 'x500-fullframe-24-70', '--link', 'sim'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--geofence FILE/);
    const bad = join(dir, 'bad-fence.json');
    writeFileSync(bad, JSON.stringify({ polygonNeM: [[10, 10], [20, 10], [20, 20]], minAltitudeM: 1, maxAltitudeM: 30 }));
    const r2 = spawnSync(process.execPath, [BIN, 'fly', '--rig', 'x500-fullframe-24-70', '--link', 'sim', '--geofence', bad], { encoding: 'utf8' });
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/home \(0, 0\) must lie inside/);
  });

  it('refuses to arm until a pilot is connected over the bus, then arms', async () => {
    const fence = join(dir, 'fence.json');
    writeFileSync(fence, JSON.stringify({ polygonNeM: [[-50, -50], [50, -50], [50, 50], [-50, 50]], minAltitudeM: 1, maxAltitudeM: 30 }));
    const { child, banner, exited } = await startCli(['fly', '--rig', 'x500-fullframe-24-70', '--link', 'sim', '--geofence', fence, '--controller', 'baseline', '--bus', 'tcp://127.0.0.1:0', '--log', join(dir, 'fly.mcap'), '--quiet', '--duration', '60']);
    const client = ZmqBusClient.connect(banner.bus);
    try {
      const PILOT = { id: 'pilot-1', role: 'pilot' as const };
      const refused = await client.request({ who: PILOT, command: { type: 'arm' } }, 5000);
      expect(refused).toMatchObject({ ok: false, code: 'ARM_REFUSED' });
      expect(refused.message).toMatch(/no pilot connected/);
      expect((await client.request({ who: PILOT, command: { type: 'hello' } }, 5000)).ok).toBe(true);
      expect(await client.request({ who: PILOT, command: { type: 'arm' } }, 5000)).toMatchObject({ ok: true });
    } finally {
      await client.close();
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});

describe('cinepilot log and bench loop', () => {
  it('--perception-stale / --perception-timeout reach the supervisor settings; a timeout not above the stale limit exits 2', async () => {
    const { controllerOptionsFromFlags } = await import('../../cli/commands/controller.ts');
    const o = controllerOptionsFromFlags({ link: 'sim', 'perception-stale': '1.2', 'perception-timeout': '3' }, { prefix: 't', busUrl: null, requireGates: false });
    expect(o.safety).toEqual({ perceptionStaleS: 1.2, perceptionTimeoutS: 3 });
    expect(controllerOptionsFromFlags({ link: 'sim' }, { prefix: 't', busUrl: null, requireGates: false }).safety).toBeUndefined();
    const r = spawnSync(process.execPath, [BIN, 'controller', '--link', 'sim', '--perception-stale', '2.5', '--duration', '0.1'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--perception-timeout 2 must exceed --perception-stale 2.5/);
  });

  it('log summary on a missing file exits 2 with a hint', () => {
    const r = spawnSync(process.execPath, [BIN, 'log', 'summary', join(dir, 'nope.mcap')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no such file/);
  });

  it('bench loop --json reports jitter percentiles and overruns', () => {
    const r = spawnSync(process.execPath, [BIN, 'bench', 'loop', '--step', 'empty', '--duration', '0.5', '--rate', '100', '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, number>;
    expect(s.rateHz).toBe(100);
    expect(s.ticks).toBeGreaterThan(10);
    for (const k of ['jitterP50Ms', 'jitterP99Ms', 'jitterMaxMs', 'overruns', 'skippedTicks']) expect(typeof s[k]).toBe('number');
    expect(s.jitterP99Ms).toBeGreaterThanOrEqual(s.jitterP50Ms);
  }, 30_000);
});
