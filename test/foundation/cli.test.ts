import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/cinepilot.mjs', ...args], { encoding: 'utf8', cwd: process.cwd() });

describe('cinepilot optics (CLI)', () => {
  it('prints hyperfocal, near, far and horizontal FoV as JSON for the issue example', () => {
    const r = cli('optics', '--focal-mm', '50', '--f-number', '2.8', '--focus-m', '3', '--coc-mm', '0.03', '--sensor-width-mm', '36', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.hyperfocalM).toBeCloseTo(29.8119, 3);
    expect(out.nearM).toBeCloseTo(2.72946, 4);
    expect(out.farM).toBeCloseTo(3.33008, 4);
    expect(out.hfovDeg).toBeCloseTo(39.5978, 3);
  });

  it('prints farM null beyond the hyperfocal distance', () => {
    const r = cli('optics', '--focal-mm', '24', '--f-number', '11', '--focus-m', '5', '--json');
    expect(JSON.parse(r.stdout).farM).toBeNull();
  });

  it.each([
    [['--focal-mm', '-50', '--f-number', '2.8', '--focus-m', '3'], /--focal-mm -50: must be > 0/],
    [['--focal-mm', '50', '--f-number', '0.5', '--focus-m', '3'], /--f-number 0.5: must be ≥ 0.7/],
    [['--focal-mm', '50', '--f-number', '2.8', '--focus-m', '0'], /--focus-m 0: must be > 0/],
    [['--focal-mm', '50', '--f-number', '2.8'], /missing --focus-m/],
  ])('rejects bad values with exit 2 naming the flag and range: %j', (args, message) => {
    const r = cli('optics', ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('takes defaults from a rig profile and lets flags override them', () => {
    const r = cli('optics', '--profile', 'x500-fullframe-24-70', '--focus-m', '5', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.hfovDeg).toBeCloseTo((2 * Math.atan(35.6 / 48) * 180) / Math.PI, 6); // 24 mm on 35.6 mm
  });
});

describe('cinepilot profiles (CLI)', () => {
  it('lists the shipped profiles', () => {
    const r = cli('profiles', 'list', '--json');
    expect(r.status).toBe(0);
    const names = JSON.parse(r.stdout).map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['x500-quad', 'alta-x-heavy-lift', 'siyi-zr30', 'x500-fullframe-24-70']));
  });

  it('validate exits 2 and prints the JSON path of each problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinepilot-prof-'));
    const file = join(dir, 'bad-airframe.json');
    writeFileSync(file, JSON.stringify({ type: 'airframe', name: 'bad', massKg: 'heavy' }));
    const r = cli('profiles', 'validate', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\/massKg: Expected number/);
    expect(r.stderr).toMatch(/\/maxTiltDeg: Expected required property/);
  });

  it('show resolves a rig with all its parts', () => {
    const r = cli('profiles', 'show', 'alta-x-cinema', '--json');
    expect(r.status).toBe(0);
    const rig = JSON.parse(r.stdout);
    expect(rig.airframe.name).toBe('alta-x-heavy-lift');
    expect(rig.lens.focalLengthMm).toEqual({ min: 28, max: 100 });
  });
});

describe('cinepilot (dispatcher)', () => {
  it('an unknown command exits 2 and lists the commands', () => {
    const r = cli('fly-to-the-moon');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command/);
    expect(r.stderr).toMatch(/optics/);
  });
});
