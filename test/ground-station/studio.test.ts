/**
 * The studio's own pieces: shot library words mean what the chips fly, the
 * preview starts from the live state in a copy of the set without touching
 * the live world, subject naming, the simulated-time clock, the one NED →
 * Three.js conversion, and token storage.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Matrix3, Vector3 } from 'three';
import { parseShot } from '../../ground-station/language/index.ts';
import { shotLibrary } from '../../ground-station/studio/shot-library.ts';
import { nedToThree } from '../../ground-station/web/src/ned.ts';
import { AccessControl, loadOrCreateAccess } from '../../ground-station/server/access.ts';
import { GroundStationError } from '../../ground-station/protocol/errors.ts';
import { FLYABLE_SHOT_KINDS } from '../../core/shot-spec.ts';
import { createStudio, type LiveStudio } from '../../ground-station/studio.ts';
import { DEFAULT_PREVIEW_S } from '../../ground-station/studio/preview-sim.ts';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { SimWorld } from '../../sim/world.ts';
import { SimVehicleLink } from '../../sim/sim-vehicle-link.ts';
import { RealtimeRunner } from '../../sim/realtime.ts';
import { BaselineShotController } from '../../sim/baseline-controller.ts';
import { Runtime } from '../../controller/runtime.ts';
import { SimTimeClock } from '../../sim/sim-time-clock.ts';
import { StateMessageSchema, type PreviewResult } from '../../ground-station/protocol/state.ts';
import { waitFor } from './helpers.ts';

describe('shot library', () => {
  const library = shotLibrary(['alice', 'bob']);
  it('offers one entry per flyable shot kind', () => {
    expect(new Set(library.map((e) => e.kind))).toEqual(new Set(FLYABLE_SHOT_KINDS));
  });
  it.each(library.map((e) => [e.label, e] as const))('%s: the words parse to the spec the chip flies', (_label, entry) => {
    const r = parseShot(entry.text, { subjects: ['alice', 'bob'] });
    expect(r.ok ? r.spec : r.error).toEqual(entry.spec);
  });
});

describe('NED → Three.js', () => {
  it('is the proper rotation north → −z, east → +x, down → −y (lengths and handedness kept)', () => {
    const n = nedToThree(1, 0, 0), e = nedToThree(0, 1, 0), d = nedToThree(0, 0, 1);
    expect(n.toArray()).toEqual([0, -0, -1]);
    expect(e.toArray()).toEqual([1, -0, -0]);
    expect(d.toArray()).toEqual([0, -1, -0]);
    const m = new Matrix3().set(n.x, e.x, d.x, n.y, e.y, d.y, n.z, e.z, d.z);
    expect(m.determinant()).toBeCloseTo(1, 12);
    const p = nedToThree(3, -4, -12, new Vector3());
    expect(p.length()).toBeCloseTo(13, 12);
    expect(p.y).toBe(12); // 12 m above home
  });
});

describe('access tokens', () => {
  it('generates a pilot token once, stores it owner-only, and authenticates by role', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinepilot-access-'));
    const first = loadOrCreateAccess(dir);
    expect(first.generatedPilotToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    const second = loadOrCreateAccess(dir);
    expect(second.generatedPilotToken).toBeNull();
    expect(second.tokens).toEqual(first.tokens);
    const access = new AccessControl(second.tokens);
    expect(access.authenticate(first.generatedPilotToken)).toEqual({ role: 'pilot', name: 'local pilot' });
    expect(() => access.authenticate('x'.repeat(32))).toThrowError(expect.objectContaining({ code: 'AUTH_INVALID' }));
    expect(() => access.authenticate(undefined)).toThrowError(expect.objectContaining({ code: 'AUTH_MISSING' }));
  });
  it('refuses a malformed access file with a message that says what to fix, never overwriting it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinepilot-access-'));
    const file = join(dir, 'access.json');
    writeFileSync(file, JSON.stringify({ tokens: [{ name: 'x', role: 'admin', token: 'short' }] }));
    expect(() => loadOrCreateAccess(dir)).toThrowError(/role|token/);
    expect(JSON.parse(readFileSync(file, 'utf8')).tokens[0].role).toBe('admin');
  });
});

describe('studio (real simulator + controller runtime)', () => {
  let studio: LiveStudio;
  const pilot = { role: 'pilot' as const, name: 'test pilot' };
  beforeAll(async () => {
    studio = await createStudio({ controller: 'baseline', flightLogPath: null });
    await waitFor(() => studio.state().subjects.length === 2, 5000, 'subjects');
  });
  afterAll(async () => {
    await studio?.close();
  });

  it('runs the controller on simulated time: the runtime clock follows the world', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const snap = [...studio.vehicles.values()][0]!.runtime.snapshot();
    expect(Math.abs(snap.timeS - studio.world!.timeS)).toBeLessThan(0.1);
    expect(snap.tick).toBeGreaterThan(3);
  });

  it('previews a shot from where the drone is now, in a copy of the set, leaving the live world alone', async () => {
    const before = studio.world!.vehicle.state.positionNedM;
    const liveBefore = { ...before };
    const alice = { ...studio.world!.subject('alice')!.state.positionNedM };
    const r = (await studio.execute('preview', { text: 'track alice, medium shot' }, pilot)) as PreviewResult;
    const cam = studio.state().vehicles[0]!.cameraNedM;
    // the preview's camera starts at the live camera (the drone hovered while the preview ran)
    expect(Math.hypot(r.pathNedM[0]![0] - cam[0], r.pathNedM[0]![1] - cam[1], r.pathNedM[0]![2] - cam[2])).toBeLessThan(0.05);
    // the copy's alice starts where the live alice was when the preview was asked for
    // (the scene is deterministic; ≤ one physics step of her walk, 1.5 m/s × 2.5 ms, apart)
    const a0 = r.subjectPathsNedM.alice![0]!;
    expect(Math.hypot(a0[0] - alice.x, a0[1] - alice.y)).toBeLessThan(0.01);
    expect(r.simulatedS).toBe(DEFAULT_PREVIEW_S);
    expect(typeof r.metrics.compositionErrorRms).toBe('number');
    expect(r.spec).toEqual({ kind: 'track', subjects: ['alice'], framing: 'medium' });
    const after = studio.world!.vehicle.state.positionNedM;
    expect(Math.hypot(after.x - liveBefore.x, after.y - liveBefore.y, after.z - liveBefore.z)).toBeLessThan(0.05);
    expect([...studio.vehicles.values()][0]!.runtime.snapshot().shot.shot).toBeNull();
  });

  it('names a subject: the new name is what the state shows and what shots use', async () => {
    const id = studio.state().subjects.find((s) => s.name === 'bob')!.id;
    await studio.execute('name-subject', { subjectId: id, name: 'robert' }, pilot);
    await waitFor(() => studio.state().subjects.some((s) => s.name === 'robert'), 3000, 'the new name in the state');
    expect(studio.state().subjects.find((s) => s.name === 'robert')!.id).toBe(id);
    expect(studio.scene.subjectNames).toContain('robert');
    const parsed = (await studio.execute('parse', { text: 'track robert, wide shot' }, pilot)) as { spec: unknown };
    expect(parsed.spec).toMatchObject({ kind: 'track', subjects: ['robert'] });
    await expect(studio.execute('name-subject', { subjectId: id, name: 'alice' }, pilot)).rejects.toBeInstanceOf(GroundStationError);
    await expect(studio.execute('name-subject', { subjectId: 99, name: 'zed' }, pilot)).rejects.toMatchObject({ code: 'UNKNOWN_SUBJECT' });
    await studio.execute('name-subject', { subjectId: id, name: 'bob' }, pilot);
  });
});

describe('multi-drone state model', () => {
  it('lists every vehicle by id, routes commands by vehicleId, and e-stops them all when none is named', async () => {
    const studio = await createStudio({ controller: 'baseline', flightLogPath: null });
    // a second aircraft in its own copy of the set, flown by its own runtime
    const world2 = new SimWorld(studio.loadedScene, { seed: 2 });
    const link2 = new SimVehicleLink(world2, { vehicleId: 2 });
    const runner2 = new RealtimeRunner(world2);
    const runtime2 = new Runtime({ link: link2, rig: studio.rig, shotController: new BaselineShotController({ rig: studio.rig }), subjects: studio.subjects, geofence: world2.geofence, clock: new SimTimeClock(world2), rateHz: 25 });
    studio.addVehicle({ id: 'drone-2', label: 'drone-2 (sim)', link: link2, runtime: runtime2, controllerKind: 'baseline' });
    runner2.start();
    await runtime2.start();
    try {
      await waitFor(() => studio.state().vehicles.length === 2 && studio.state().subjects.length === 2, 5000, 'two vehicles');
      const state = { type: 'state', seq: 0, ...studio.state() };
      expect([...TypeCompiler.Compile(StateMessageSchema).Errors(state)].map((e) => e.path + ' ' + e.message)).toEqual([]);
      expect(state.vehicles.map((v) => v.id)).toEqual(['drone-1', 'drone-2']);
      const pilot = { role: 'pilot' as const, name: 'test pilot' };
      await studio.execute('go', { text: 'track bob, wide shot', vehicleId: 'drone-2' }, pilot);
      expect(runtime2.snapshot().shot.shot?.subjects).toEqual(['bob']);
      expect(studio.vehicles.get('drone-1')!.runtime.snapshot().shot.shot).toBeNull();
      await expect(studio.execute('hold', { vehicleId: 'drone-3' }, pilot)).rejects.toMatchObject({ code: 'UNKNOWN_VEHICLE' });
      const r = (await studio.execute('e-stop', {}, pilot)) as { vehicles: string[] };
      expect(r.vehicles).toEqual(['drone-1', 'drone-2']);
      expect(studio.vehicles.get('drone-1')!.runtime.supervisor.state).toBe('estop');
      expect(runtime2.supervisor.state).toBe('estop');
    } finally {
      runner2.stop();
      await studio.close();
    }
  });
});
