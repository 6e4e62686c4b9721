import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RIG_NAME, ProfileError, listShippedProfiles, loadProfile, loadRig, validateProfile } from './loader.ts';

describe('hardware profiles', () => {
  it('every shipped profile validates, and every shipped rig resolves all its parts', () => {
    const all = listShippedProfiles();
    expect(all.length).toBeGreaterThanOrEqual(12);
    for (const p of all) {
      expect(() => loadProfile(p.file), p.file).not.toThrow();
      if (p.type === 'rig') expect(() => loadRig(p.file), p.file).not.toThrow();
    }
  });

  it('the default rig is an X500-class quad with a 3-axis gimbal and a full-frame zoom covering 24–70 mm', () => {
    const rig = loadRig();
    expect(rig.name).toBe(DEFAULT_RIG_NAME);
    expect(rig.airframe.name).toMatch(/x500/);
    expect(rig.camera.sensorWidthMm).toBeGreaterThan(34);
    expect(rig.lens.focalLengthMm.min).toBeLessThanOrEqual(24);
    expect(rig.lens.focalLengthMm.max).toBeGreaterThanOrEqual(70);
    for (const axis of ['pitch', 'yaw', 'roll'] as const) expect(rig.gimbal.axes[axis].maxRateDegps).toBeGreaterThan(0);
  });

  it('reports a wrong type, a missing field and min > max, each with its JSON path', () => {
    const lens = JSON.parse(JSON.stringify(loadProfile(listShippedProfiles().find((p) => p.name === 'cine-zoom-24-70')!.file)));
    lens.fNumber.min = 'wide open';
    delete lens.motors.focus;
    lens.focalLengthMm = { min: 70, max: 24 };
    const problems = validateProfile(lens);
    const paths = problems.map((p) => p.path);
    expect(paths).toContain('/fNumber/min');
    expect(paths).toContain('/motors/focus');
    expect(paths).toContain('/focalLengthMm/min');
    expect(problems.find((p) => p.path === '/focalLengthMm/min')!.message).toMatch(/greater than max/);
  });

  it('rejects an unknown profile type and a non-object document', () => {
    expect(validateProfile({ type: 'propeller' })[0]!.path).toBe('/type');
    expect(validateProfile([1, 2])[0]!.message).toMatch(/JSON object/);
  });

  it('a rig whose referenced lens is broken fails with the lens file and the path inside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinepilot-rig-'));
    mkdirSync(join(dir, 'parts'));
    const shipped = (name: string) => listShippedProfiles().find((p) => p.name === name)!.file;
    const rig = loadProfile<Record<string, unknown>>(shipped(DEFAULT_RIG_NAME));
    const badLens = { ...loadProfile<Record<string, unknown>>(shipped('cine-zoom-24-70')), fNumber: { min: 0.2, max: 22 } };
    writeFileSync(join(dir, 'parts', 'lens.json'), JSON.stringify(badLens));
    writeFileSync(join(dir, 'rig.json'), JSON.stringify({
      ...rig,
      airframe: shipped('x500-quad'), gimbal: shipped('three-axis-payload'), camera: shipped('full-frame-cinema'),
      link: shipped('sim'), lens: 'parts/lens.json',
    }));
    try {
      loadRig(join(dir, 'rig.json'));
      expect.unreachable('loadRig should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(ProfileError);
      expect((err as ProfileError).file).toMatch(/parts\/lens\.json$/);
      expect((err as ProfileError).problems[0]!.path).toBe('/fNumber/min');
    }
  });

  it('a missing file names the file and says how to list profiles', () => {
    expect(() => loadRig('/nonexistent/rig.json')).toThrow(/cinepilot profiles list/);
    expect(() => loadRig('no-such-rig')).toThrow(/Known: .*x500-fullframe-24-70/);
  });
});
