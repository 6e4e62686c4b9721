/**
 * The ground-station server driven in-process with fastify's inject, in front
 * of a real studio (simulator + controller runtime + shot language).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPocketsphinx } from '../../ground-station/speech/recogniser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ERROR_CATALOGUE } from '../../ground-station/protocol/errors.ts';
import { COMMAND_TYPES, MAX_COMMAND_BYTES } from '../../ground-station/protocol/commands.ts';
import { StateMessageSchema } from '../../ground-station/protocol/state.ts';
import { DEFAULT_RATE_LIMIT_MAX } from '../../ground-station/server/server.ts';
import { bearer, startTestStation, TOKENS, waitFor, type TestStation } from './helpers.ts';

let t: TestStation;
beforeAll(async () => {
  t = await startTestStation();
});
afterAll(async () => {
  await t?.close();
});

const post = (path: string, token: string | null, body: unknown) =>
  t.station.app.inject({ method: 'POST', url: path, headers: { ...(token ? bearer(token) : {}), 'content-type': 'application/json' }, payload: JSON.stringify(body) });

describe('ground-station server (inject)', () => {
  it('answers health without a token and sets security headers', async () => {
    const r = await t.station.app.inject({ method: 'GET', url: '/api/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ ok: true });
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    expect(r.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('refuses a missing token (AUTH_MISSING) and a wrong one (AUTH_INVALID) with 401', async () => {
    const missing = await t.station.app.inject({ method: 'GET', url: '/api/state' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error.code).toBe('AUTH_MISSING');
    const wrong = await t.station.app.inject({ method: 'GET', url: '/api/state', headers: bearer('not-a-real-token-at-all') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('AUTH_INVALID');
    const wrongQuery = await t.station.app.inject({ method: 'GET', url: '/api/me?token=nope' });
    expect(wrongQuery.json().error.code).toBe('AUTH_INVALID');
  });

  it('tells each role who it is and which commands it may send', async () => {
    const me = (tok: string) => t.station.app.inject({ method: 'GET', url: '/api/me', headers: bearer(tok) }).then((r) => r.json());
    expect(await me(TOKENS.viewer)).toMatchObject({ role: 'viewer', commands: [] });
    const dp = await me(TOKENS.dp);
    expect(dp.commands).toContain('go');
    expect(dp.commands).not.toContain('arm');
    expect((await me(TOKENS.pilot)).commands).toEqual(COMMAND_TYPES);
  });

  it('streams a state snapshot that validates against the published schema', async () => {
    await waitFor(() => t.studio.state().subjects.length > 0, 5000, 'subjects in the state');
    const r = await t.station.app.inject({ method: 'GET', url: '/api/state', headers: bearer(TOKENS.viewer) });
    const check = TypeCompiler.Compile(StateMessageSchema);
    const body = r.json();
    expect([...check.Errors(body)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
    expect(body.vehicles.map((v: { id: string }) => v.id)).toEqual(['drone-1']);
    expect(body.subjects.map((s: { name: string }) => s.name).sort()).toEqual(['alice', 'bob']);
  });

  it('refuses every command from a viewer (FORBIDDEN_ROLE, 403) and audit-logs the refusal with the role', async () => {
    const r = await post('/api/commands/go', TOKENS.viewer, { text: 'track alice, medium shot' });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('FORBIDDEN_ROLE');
    const e = await post('/api/commands/e-stop', TOKENS.viewer, {});
    expect(e.json().error.code).toBe('FORBIDDEN_ROLE');
    const lines = t.audit().filter((a) => a.role === 'viewer');
    expect(lines.map((a) => [a.command, a.ok, a.code])).toEqual([['go', false, 'FORBIDDEN_ROLE'], ['e-stop', false, 'FORBIDDEN_ROLE']]);
    expect(t.studio.vehicles.get('drone-1')!.runtime.snapshot().shot.shot).toBeNull();
  });

  it('lets a dp parse words into a ShotSpec, and explains words it does not understand', async () => {
    const ok = await post('/api/commands/parse', TOKENS.dp, { text: 'track alice, medium shot' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().result.spec).toEqual({ kind: 'track', subjects: ['alice'], framing: 'medium' });
    const bad = await post('/api/commands/parse', TOKENS.dp, { text: 'track carol' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('SHOT_PARSE_FAILED');
    expect(bad.json().error.message).toMatch(/alice/);
  });

  it('validates fields against the command schema (SCHEMA_INVALID names the path)', async () => {
    const wrongType = await post('/api/commands/go', TOKENS.dp, { text: 42 });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error.code).toBe('SCHEMA_INVALID');
    expect(wrongType.json().error.details.problems[0].path).toBe('/text');
    const extra = await post('/api/commands/hold', TOKENS.dp, { vehicleId: 'drone-1', speed: 3 });
    expect(extra.json().error.code).toBe('SCHEMA_INVALID');
    const badSpec = await post('/api/commands/go', TOKENS.dp, { spec: { kind: 'teleport', subjects: [] } });
    expect(badSpec.json().error.code).toBe('SCHEMA_INVALID');
    const both = await post('/api/commands/go', TOKENS.dp, { text: 'hold', spec: { kind: 'hold', subjects: [] } });
    expect(both.json().error.code).toBe('SCHEMA_INVALID');
  });

  it('maps transport problems to the catalogue: bad JSON, oversized body, unknown route, unknown vehicle', async () => {
    const badJson = await t.station.app.inject({ method: 'POST', url: '/api/commands/hold', headers: { ...bearer(TOKENS.dp), 'content-type': 'application/json' }, payload: '{"oops' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe('BAD_MESSAGE');
    const big = await post('/api/commands/parse', TOKENS.dp, { text: 'x'.repeat(MAX_COMMAND_BYTES + 10) });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('MESSAGE_TOO_LARGE');
    const nowhere = await post('/api/commands/teleport', TOKENS.pilot, {});
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json().error.code).toBe('NOT_FOUND');
    const vehicle = await post('/api/commands/hold', TOKENS.dp, { vehicleId: 'drone-9' });
    expect(vehicle.statusCode).toBe(404);
    expect(vehicle.json().error.code).toBe('UNKNOWN_VEHICLE');
  });

  it('flies a shot for a dp, audit-logs it with the role, and holds / stops on command', async () => {
    const go = await post('/api/commands/go', TOKENS.dp, { text: 'track alice, medium shot' });
    expect(go.statusCode).toBe(200);
    expect(go.json().result.spec).toEqual({ kind: 'track', subjects: ['alice'], framing: 'medium' });
    const slot = t.studio.vehicles.get('drone-1')!;
    await waitFor(() => slot.runtime.snapshot().shot.shot?.kind === 'track' && slot.setpoints > 0, 5000, 'setpoints for the shot');
    expect(t.studio.state().vehicles[0]!.shot.text).toBe('track alice, medium shot');
    const entry = t.audit().find((a) => a.command === 'go' && a.ok);
    expect(entry).toMatchObject({ role: 'dp', who: 'test dp', via: 'rest', params: { text: 'track alice, medium shot' } });
    expect((await post('/api/commands/stop', TOKENS.dp, {})).statusCode).toBe(200);
    await waitFor(() => slot.runtime.snapshot().shot.shot === null, 5000, 'the shot to end');
  });

  it('rate-limits command bursts per token (RATE_LIMITED, 429) but never the e-stop', async () => {
    const codes: number[] = [];
    for (let i = 0; i < DEFAULT_RATE_LIMIT_MAX + 5; i++) codes.push((await post('/api/commands/parse', TOKENS.pilot, { text: 'hold' })).statusCode);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(5);
    const limited = await post('/api/commands/parse', TOKENS.pilot, { text: 'hold' });
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    const estop = await post('/api/commands/e-stop', TOKENS.pilot, {});
    expect(estop.statusCode).toBe(200);
    const slot = t.studio.vehicles.get('drone-1')!;
    expect(slot.runtime.supervisor.state).toBe('estop');
    // motion is refused while the e-stop is latched, with the catalogue's code
    await new Promise((r) => setTimeout(r, 1100));
    const go = await post('/api/commands/go', TOKENS.dp, { text: 'track alice, medium shot' });
    expect(go.json().error.code).toBe('E_STOP_ACTIVE');
    expect((await post('/api/commands/release-e-stop', TOKENS.pilot, {})).statusCode).toBe(200);
    expect(slot.runtime.supervisor.state).not.toBe('estop');
  });

  it('accepts speech only as WAV from a dp or pilot', async () => {
    const notWav = await t.station.app.inject({ method: 'POST', url: '/api/speech', headers: { ...bearer(TOKENS.dp), 'content-type': 'audio/wav' }, payload: Buffer.from('hello there, not a wav file at all') });
    expect(notWav.statusCode).toBe(415);
    expect(notWav.json().error.code).toBe('UNSUPPORTED_MEDIA');
    const text = await t.station.app.inject({ method: 'POST', url: '/api/speech', headers: { ...bearer(TOKENS.dp), 'content-type': 'text/plain' }, payload: 'track alice' });
    expect(text.json().error.code).toBe('UNSUPPORTED_MEDIA');
    const viewer = await t.station.app.inject({ method: 'POST', url: '/api/speech', headers: { ...bearer(TOKENS.viewer), 'content-type': 'audio/wav' }, payload: Buffer.alloc(100) });
    expect(viewer.json().error.code).toBe('FORBIDDEN_ROLE');
  });

  const canSpeak = existsSync('/usr/bin/espeak-ng') && findPocketsphinx() !== undefined;
  it.skipIf(!canSpeak)(`recognises a spoken shot posted as WAV${canSpeak ? '' : ' (skipped: needs Debian espeak-ng, pocketsphinx and pocketsphinx-en-us)'}`, async () => {
    const wavFile = join(mkdtempSync(join(tmpdir(), 'cinepilot-speech-')), 'shot.wav');
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '140', '-w', wavFile, 'track alice, medium shot']);
    const r = await t.station.app.inject({ method: 'POST', url: '/api/speech', headers: { ...bearer(TOKENS.dp), 'content-type': 'audio/wav' }, payload: readFileSync(wavFile) });
    // The route's contract (recognition accuracy is the speech module's own test):
    // a transcript, a confidence, and the parse of exactly that transcript.
    expect(r.statusCode).toBe(200);
    const body = r.json() as { transcript: string; confidence: number; parse: { ok: boolean; spec?: unknown; error?: string } };
    expect(body.transcript.length).toBeGreaterThan(0);
    expect(body.confidence).toBeGreaterThanOrEqual(0);
    const direct = await post('/api/commands/parse', TOKENS.dp, { text: body.transcript });
    expect(body.parse.ok).toBe(direct.statusCode === 200);
    if (body.parse.ok) expect(body.parse.spec).toEqual(direct.json().result.spec);
    expect(t.audit().find((a) => a.command === 'speech' && a.ok)).toMatchObject({ role: 'dp' });
  });

  it('publishes an error catalogue that docs/ground-station.md documents code for code', async () => {
    const r = await t.station.app.inject({ method: 'GET', url: '/api/errors' });
    const codes = Object.keys(r.json().errors);
    expect(codes.sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
    const doc = readFileSync(new URL('../../docs/ground-station.md', import.meta.url), 'utf8');
    const undocumented = codes.filter((c) => !doc.includes(`\`${c}\``));
    expect(undocumented).toEqual([]);
  });
});
