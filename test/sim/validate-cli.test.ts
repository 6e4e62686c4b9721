import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
// the baseline controller is named explicitly: these tests are about the harness, not about whichever controller is the default
const cli = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/cinepilot.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('cinepilot validate (end to end)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinepilot-validate-'));
  const hold = join(dir, 'hold.json');
  writeFileSync(hold, JSON.stringify({ kind: 'hold', subjects: ['alice'] }));

  it('flies a short shot, prints JSON metrics, writes the HTML report with frames, exits 0 when tolerances hold', () => {
    const report = join(dir, 'report');
    const r = cli(['validate', '--scene', 'static-subject', '--spec', hold, '--controller', 'baseline', '--duration', '3', '--json', '--report', report]);
    expect(r.stderr).not.toMatch(/Error/);
    const m = JSON.parse(r.stdout);
    expect(m).toMatchObject({ scene: 'static-subject', shotKind: 'hold', controller: 'baseline', passed: true, failures: [] });
    expect(m.durationS).toBeCloseTo(3, 9);
    for (const key of ['realTimeFactor', 'compositionErrorRms', 'inFocusFraction', 'focusReversals', 'jerkRms', 'minPersonDistanceM', 'geofenceViolations', 'solveMsP50', 'solveMsP99']) {
      expect(m).toHaveProperty(key);
    }
    expect(r.status).toBe(0);
    const html = readFileSync(join(report, 'index.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('frame-1.png');
    expect(existsSync(join(report, 'frame-4.png'))).toBe(true);
    expect(JSON.parse(readFileSync(join(report, 'metrics.json'), 'utf8')).passed).toBe(true);
  });

  it('exits 1 and names the failed tolerance when the shot misses', () => {
    const dolly = join(dir, 'dolly.json');
    writeFileSync(dolly, JSON.stringify({ kind: 'dolly-zoom', subjects: ['alice'], framing: 'full', focalLengthMm: { fromMm: 24, toMm: 70 }, durationS: 3 }));
    const r = cli(['validate', '--scene', 'static-subject', '--spec', dolly, '--controller', 'baseline']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAILED: .*sizeErrorMaxPct/);
  });

  it('exits 2 with a helpful message on bad input', async () => {
    const unknownScene = cli(['validate', '--scene', 'beach', '--spec', hold]);
    expect(unknownScene.status).toBe(2);
    expect(unknownScene.stderr).toContain('static-subject');
    // the rest in-process: the command throws CinePilotError, which cli/main.ts turns into exit 2
    const { run } = await import('../../cli/commands/validate.ts');
    const badSpecFile = join(dir, 'bad.json');
    writeFileSync(badSpecFile, JSON.stringify({ kind: 'moonwalk', subjects: ['alice'] }));
    await expect(run(['--scene', 'static-subject', '--spec', badSpecFile])).rejects.toMatchObject({ code: 'SPEC_INVALID', message: expect.stringContaining('/kind') });
    const nobody = join(dir, 'nobody.json');
    writeFileSync(nobody, JSON.stringify({ kind: 'track', subjects: ['zed'] }));
    await expect(run(['--scene', 'static-subject', '--spec', nobody])).rejects.toMatchObject({ code: 'SHOT_UNKNOWN_SUBJECT', message: expect.stringContaining('"zed"') });
    await expect(run(['--scene', 'static-subject', '--spec', hold, '--duration', '-1'])).rejects.toMatchObject({ code: 'BAD_FLAG' });
    await expect(run(['--scene', 'static-subject', '--shot', 'moonwalk around zed'])).rejects.toMatchObject({ code: 'SHOT_NOT_UNDERSTOOD' });
    await expect(run(['--scene', 'static-subject', '--spec', hold, '--controller', 'pilot'])).rejects.toMatchObject({ message: expect.stringContaining('baseline') });
    const stderr = console.error;
    console.error = () => {};
    try {
      expect(await run(['--scene', 'static-subject'])).toBe(2);
    } finally {
      console.error = stderr;
    }
  });

  it('turns --shot words into a ShotSpec through the shot language, with the scene\'s subjects', async () => {
    const { prepareRun } = await import('../../cli/commands/validate.ts');
    const run = await prepareRun({ scene: 'runner', shot: 'track alice, full shot', controller: 'baseline' });
    expect(run.spec).toMatchObject({ kind: 'track', subjects: ['alice'], framing: 'full' });
    expect(run.controllerName).toBe('baseline');
  });

  it('runs perception in the loop: virtual detector → tracker → localiser → predictor keeps the runner framed', async () => {
    const { prepareRun } = await import('../../cli/commands/validate.ts');
    const { runShot } = await import('../../sim/harness.ts');
    const run = await prepareRun({ scene: 'runner', spec: { kind: 'track', subjects: ['alice'] }, controller: 'baseline', perception: 'virtual-detector', durationS: 8 });
    const { metrics } = await runShot({ ...run, controllerName: run.controllerName });
    expect(metrics.targetsFraction).toBeGreaterThan(0.9); // the tracker named and kept alice
    expect(metrics.compositionErrorRms!).toBeLessThan(0.03);
    await expect(prepareRun({ scene: 'runner', shot: 'track alice', perception: 'psychic' })).rejects.toMatchObject({ code: 'BAD_FLAG' });
  });

  it('runs a batch on worker threads and prints a table', () => {
    const batch = join(dir, 'batch.json');
    writeFileSync(batch, JSON.stringify([
      { scene: 'static-subject', spec: 'hold.json', durationS: 2, controller: 'baseline' },
      { scene: 'runner', spec: { kind: 'track', subjects: ['alice'] }, durationS: 2, seed: 2, controller: 'baseline' },
    ]));
    const reports = join(dir, 'batch-reports');
    const r = cli(['validate', '--batch', batch, '--report', reports]);
    expect(readFileSync(join(reports, 'index.html'), 'utf8')).toContain('0-static-subject/index.html');
    expect(existsSync(join(reports, '1-runner', 'index.html'))).toBe(true);
    expect(r.stdout).toMatch(/static-subject\s+hold/);
    expect(r.stdout).toMatch(/runner\s+track/);
    expect(r.stdout).toMatch(/2\/2 passed|1\/2 passed|0\/2 passed/);
    expect([0, 1]).toContain(r.status);
    rmSync(dir, { recursive: true, force: true });
  });
});
