/**
 * `cinepilot start` as a user runs it: a child process that prints the URL
 * with the pilot token (generated on first start, reused after), serves the
 * app and the API there, and shuts down cleanly on Ctrl-C (SIGINT).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve('bin/cinepilot.mjs');

function startCli(args: string[]): { url: Promise<string>; exit: Promise<{ code: number | null; stderr: string }>; kill: (s: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, [BIN, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  const url = new Promise<string>((res, rej) => {
    child.stdout.on('data', (d) => {
      stdout += String(d);
      const m = /http:\/\/\S+\?token=\S+/.exec(stdout);
      if (m) res(m[0]);
    });
    child.on('exit', () => rej(new Error(`exited before printing the URL: ${stderr}`)));
  });
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exit = new Promise<{ code: number | null; stderr: string }>((res) => child.on('exit', (code) => res({ code, stderr })));
  return { url, exit, kill: (s) => child.kill(s) };
}

describe('cinepilot start', () => {
  it('prints the URL with the pilot token, serves there, reuses the token, and stops cleanly on SIGINT', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'cinepilot-start-'));
    const args = ['--port', '0', '--config-dir', configDir, '--controller', 'baseline', '--no-flight-log'];
    const first = startCli(args);
    const url = await first.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    const token = url.split('token=')[1]!;
    expect(JSON.parse(readFileSync(join(configDir, 'access.json'), 'utf8')).tokens).toEqual([{ name: 'local pilot', role: 'pilot', token }]);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('CINE');
    const me = await fetch(new URL('/api/me', url), { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ role: 'pilot' });
    first.kill('SIGINT');
    const done = await first.exit;
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('stopped cleanly');

    // second start: same token, no new one generated
    const second = startCli(args);
    expect((await second.url).split('token=')[1]).toBe(token);
    second.kill('SIGTERM');
    const done2 = await second.exit;
    expect(done2).toMatchObject({ code: 0 });
    expect(done2.stderr).not.toContain('generated a pilot token');
  }, 90_000);

  it('refuses bad flags with exit code 2 and a message naming the flag', async () => {
    const r = startCli(['--port', '99999']);
    r.url.catch(() => undefined);
    const done = await r.exit;
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(/--port 99999/);
  }, 30_000);
});
