/**
 * End to end in headless Chromium (Debian `chromium`, driven by
 * playwright-core): the real studio — simulator, controller runtime with the
 * default shot controller, shot language — behind the real server, and the
 * built web app. Screenshots go to test-artifacts/ground-station/.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { startStudioServer, type StudioServer } from '../../ground-station/launch.ts';
import { findPocketsphinx } from '../../ground-station/speech/recogniser.ts';
import { TOKEN_ENTRIES, TOKENS, waitFor } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const ARTIFACTS = resolve('test-artifacts/ground-station');

interface Sample {
  connection: string;
  position: [number, number, number] | null;
  compositionError: number | null;
  phase: string | null;
  safety: string | null;
  shotKind: string | null;
}

/** What the page itself knows (its store), read through the app's read-only debug hook. */
function sample(page: Page): Promise<Sample> {
  return page.evaluate(() => {
    const app = (window as unknown as { cinepilot: { connection: string; store: { vehicle: { positionNedM: [number, number, number]; shot: { compositionError: number | null; phase: string; spec: { kind: string } | null }; safety: { state: string } } | null } } }).cinepilot;
    const v = app.store.vehicle;
    return {
      connection: app.connection,
      position: v ? v.positionNedM : null,
      compositionError: v ? v.shot.compositionError : null,
      phase: v ? v.shot.phase : null,
      safety: v ? v.safety.state : null,
      shotKind: v?.shot.spec?.kind ?? null,
    };
  });
}

/** Pixel statistics of each WebGL canvas: how many distinct colours (a blank canvas has one). */
function canvasColours(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const id of ['set-view', 'camera-view']) {
      const gl = document.querySelector<HTMLCanvasElement>(`#${id} canvas.gl`)!;
      const c = document.createElement('canvas');
      c.width = gl.width;
      c.height = gl.height;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(gl, 0, 0);
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 7) colours.add((data[i]! >> 3) << 10 | (data[i + 1]! >> 3) << 5 | (data[i + 2]! >> 3));
      out[id] = colours.size;
    }
    return out;
  });
}

describe.skipIf(!hasChromium)(`ground station in headless Chromium${hasChromium ? '' : ' (skipped: Debian chromium is not installed at /usr/bin/chromium; apt-get install chromium)'}`, () => {
  let server: StudioServer;
  let browser: BrowserContext;
  const base = () => `http://127.0.0.1:${server.port}/`;
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const configDir = mkdtempSync(join(tmpdir(), 'cinepilot-e2e-'));
    writeFileSync(join(configDir, 'access.json'), JSON.stringify({ tokens: TOKEN_ENTRIES }));
    // Half speed: the simulator and the controller (on simulated time) slow down together, so
    // the MPC keeps its real-time budget on a 2-core CI machine that runs other suites too;
    // previews tick the MPC at 10 Hz to keep the suite short.
    server = await startStudioServer({ port: 0, host: '127.0.0.1', configDir, studio: { flightLogPath: null, simSpeed: 0.5, previewControlRateHz: 10 }, webOutDir: join(configDir, 'web') });
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'cinepilot-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 810 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads, renders the set and the camera view, previews and flies "track alice, medium shot", and e-stops from the keyboard', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base()}?token=${TOKENS.pilot}`);
    await waitForPage(page, async () => (await sample(page)).connection === 'open' && (await sample(page)).position !== null, 'the studio connection');
    // the token left the address bar once used
    expect(page.url()).not.toContain('token=');
    await page.waitForTimeout(1000);
    const colours = await canvasColours(page);
    expect(colours['set-view']).toBeGreaterThan(20);
    expect(colours['camera-view']).toBeGreaterThan(20);
    await shot(page, '1-loaded');

    await page.fill('#command', 'track alice, medium shot');
    await page.press('#command', 'Enter');
    await page.waitForSelector('#preview-result .kv', { timeout: 60_000 });
    expect(await page.textContent('#parsed')).toContain('"kind":"track"');
    expect(await page.textContent('#preview-result')).toContain('composition error');
    await shot(page, '2-previewed');

    const start = await sample(page);
    await page.click('#go');
    await waitForPage(page, async () => (await sample(page)).shotKind === 'track', 'the shot to start');
    // one round trip: the page samples its own state every 250 ms for 6 s
    const samples = await page.evaluate(async () => {
      const app = (window as unknown as { cinepilot: { store: { vehicle: { positionNedM: [number, number, number] } | null } } }).cinepilot;
      const out: Array<{ p: [number, number, number] }> = [];
      for (let i = 0; i < 24; i++) {
        await new Promise((r) => setTimeout(r, 250));
        out.push({ p: [...app.store.vehicle!.positionNedM] });
      }
      return out;
    });
    const moved = Math.max(...samples.map((s) => Math.hypot(s.p[0] - start.position![0], s.p[1] - start.position![1], s.p[2] - start.position![2])));
    await shot(page, '3-flying');
    expect(moved).toBeGreaterThan(0.5);
    // composition error falls, as the plot shows it: the page's own series since the shot's first targets
    const series = await page.evaluate(() => {
      const app = (window as unknown as { cinepilot: { store: { vehicle: { id: string } | null; history: Map<string, { composition: { t: number[]; v: number[] } }> } } }).cinepilot;
      const h = app.store.history.get(app.store.vehicle!.id)!.composition;
      return { t: [...h.t], v: [...h.v] };
    });
    const i0 = series.v.findIndex((v) => Number.isFinite(v));
    expect(i0).toBeGreaterThanOrEqual(0);
    const t0 = series.t[i0]!, tEnd = series.t[series.t.length - 1]!;
    const within = (a: number, b: number) => series.v.filter((v, i) => Number.isFinite(v) && series.t[i]! >= a && series.t[i]! <= b);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = within(t0, t0 + 0.5), last = within(tEnd - 0.5, tEnd);
    expect(first.length).toBeGreaterThan(0);
    expect(last.length).toBeGreaterThan(0);
    expect(mean(last)).toBeLessThan(0.5 * mean(first));

    await page.click('#set-view'); // focus out of the text box: Space is the e-stop key there
    await page.keyboard.press('Space');
    await waitForPage(page, async () => (await sample(page)).safety === 'estop', 'the e-stop');
    const stopped = await sample(page);
    expect(stopped.shotKind).toBeNull();
    const slot = [...server.studio.vehicles.values()][0]!;
    try {
      // the button repaints on the next animation frame after the state arrives
      await page.waitForSelector('#estop.engaged', { timeout: 10_000 });
      await shot(page, '4-estopped');
      expect(slot.runtime.supervisor.state).toBe('estop');
    } finally {
      await slot.runtime.rearm({ id: 'test', role: 'pilot' }); // the next test starts from a released e-stop
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  const canSpeak = existsSync('/usr/bin/espeak-ng') && findPocketsphinx() !== undefined;
  it.skipIf(!canSpeak)(`shows a spoken stop as "heard STOP → holding" in every open app${canSpeak ? '' : ' (skipped: needs Debian espeak-ng, pocketsphinx and pocketsphinx-en-us)'}`, async () => {
    const page = await browser.newPage();
    await page.goto(`${base()}?token=${TOKENS.pilot}`);
    await waitForPage(page, async () => (await sample(page)).connection === 'open' && (await sample(page)).position !== null, 'the studio connection');
    const post = (path: string, type: string, body: string | Uint8Array<ArrayBuffer>) =>
      fetch(`${base()}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.dp}`, 'content-type': type }, body });
    expect((await post('api/commands/go', 'application/json', JSON.stringify({ text: 'orbit alice at six metres' }))).status).toBe(200);
    await waitForPage(page, async () => (await sample(page)).shotKind === 'orbit', 'the shot to start');
    // the DP speaks into another device: this page learns of it from the server's event
    const wav = execFileSync('espeak-ng', ['-v', 'en-us+f2', '-s', '175', '--stdout', 'stop'], { stdio: ['ignore', 'pipe', 'ignore'] });
    expect((await post('api/speech', 'audio/wav', new Uint8Array(wav))).status).toBe(200);
    await page.waitForSelector('#speech-stop:not([hidden])', { timeout: 10_000 });
    expect(await page.textContent('#speech-stop')).toMatch(/heard STOP .*→ holding/);
    await waitForPage(page, async () => (await sample(page)).shotKind === null, 'the shot to end');
    await shot(page, '5-spoken-stop');
    await page.close();
  }, 60_000);

  it('a viewer sees the studio but cannot command it', async () => {
    const page = await browser.newPage();
    await page.goto(`${base()}?token=${TOKENS.viewer}`);
    await waitForPage(page, async () => (await sample(page)).connection === 'open', 'the viewer connection');
    await page.waitForSelector('#identity:has-text("viewer")');
    expect(await page.isDisabled('#go')).toBe(true);
    expect(await page.isDisabled('#command')).toBe(true);
    // the e-stop stays visible to everyone; the server refuses it for a viewer
    await page.keyboard.press('Escape');
    await page.waitForSelector('#parsed.error');
    expect(await page.textContent('#parsed')).toContain('FORBIDDEN_ROLE');
    const slot = [...server.studio.vehicles.values()][0]!;
    expect(slot.runtime.supervisor.state).not.toBe('estop');
    const direct = await page.evaluate(async (token) => (await fetch('/api/commands/go', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'track alice' }) })).status, TOKENS.viewer);
    expect(direct).toBe(403);
    await shot(page, '5-viewer');
    await page.close();
  }, 60_000);

  it('refuses a wrong token and says so plainly', async () => {
    const page = await browser.newPage();
    await page.goto(`${base()}?token=not-the-right-token-at-all`);
    await waitForPage(page, async () => (await sample(page)).connection === 'refused', 'the refusal');
    expect(await page.textContent('#connection')).toBe('access refused');
    expect(await page.isVisible('#banner')).toBe(true);
    expect(await page.textContent('#banner')).toMatch(/token not recognised/);
    await shot(page, '6-refused');
    await page.close();
  }, 60_000);
});

async function waitForPage(page: Page, probe: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!(await probe())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await page.waitForTimeout(100);
  }
}

void waitFor;
