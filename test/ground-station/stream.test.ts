/**
 * The WebSocket over a real socket: authentication at the upgrade, the
 * hello + state stream, commands with acks and catalogued errors, and a fuzz
 * run — malformed, random and oversized messages are each answered with an
 * error while another client keeps receiving state frames and the fuzzing
 * client itself stays usable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import WebSocket from 'ws';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { HelloMessageSchema, StateMessageSchema } from '../../ground-station/protocol/state.ts';
import { ErrorMessageSchema, MAX_COMMAND_BYTES } from '../../ground-station/protocol/commands.ts';
import { MAX_WS_FRAME_BYTES } from '../../ground-station/server/server.ts';
import { startTestStation, TOKENS, waitFor, type TestStation } from './helpers.ts';

let t: TestStation;
let base: string;
beforeAll(async () => {
  // A high limit: the fuzz run sends hundreds of messages on purpose.
  t = await startTestStation({}, { rateLimitMax: 100_000, videoSource: 'testsrc' });
  await t.station.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.station.app.server.address();
  base = `ws://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/ws`;
});
afterAll(async () => {
  await t?.close();
});

interface Client {
  ws: WebSocket;
  messages: Array<Record<string, unknown>>;
  closed: { code: number } | null;
  next(type: string, from?: number): Promise<Record<string, unknown>>;
}

function connect(token: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}?token=${encodeURIComponent(token)}`);
    const c: Client = {
      ws, messages: [], closed: null,
      next: (type, from = 0) => waitFor(() => c.messages.slice(from).find((m) => m.type === type), 5000, `a "${type}" message`),
    };
    ws.on('message', (data) => c.messages.push(JSON.parse(String(data))));
    ws.on('close', (code) => (c.closed = { code }));
    ws.on('open', () => resolve(c));
    ws.on('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { statusCode: res.statusCode })));
    ws.on('error', reject);
  });
}

/** Send and wait for the reply that echoes `id` (or, for id-less garbage, the next error). */
async function request(c: Client, payload: string | Buffer, id: string | null): Promise<Record<string, unknown>> {
  const from = c.messages.length;
  c.ws.send(payload);
  return waitFor(() => c.messages.slice(from).find((m) => (m.type === 'ack' || m.type === 'error' || m.type === 'pong') && (id === null || m.id === id)), 5000, `a reply to ${String(payload).slice(0, 40)}`, 2);
}

describe('live video relay (ffmpeg test pattern as the aircraft stream)', () => {
  it('serves MJPEG parts with JPEG frames to an authenticated viewer, and nothing without a token', async () => {
    const http = base.replace('ws://', 'http://').replace(/\/ws$/, '/api/video');
    expect((await fetch(http)).status).toBe(401);
    const ctrl = new AbortController();
    const res = await fetch(`${http}?token=${TOKENS.viewer}`, { signal: ctrl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('multipart/x-mixed-replace; boundary=ffmpeg');
    const reader = res.body!.getReader();
    let bytes = Buffer.alloc(0);
    while (bytes.length < 64 * 1024) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes = Buffer.concat([bytes, Buffer.from(value)]);
      const soi = bytes.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
      if (soi > 0 && bytes.indexOf(Buffer.from([0xff, 0xd9]), soi) > soi) break;
    }
    ctrl.abort();
    expect(bytes.subarray(0, 8).toString('ascii')).toBe('--ffmpeg');
    expect(bytes.toString('latin1')).toContain('Content-type: image/jpeg');
    const soi = bytes.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
    expect(soi).toBeGreaterThan(0);
    expect(bytes.indexOf(Buffer.from([0xff, 0xd9]), soi)).toBeGreaterThan(soi);
  });
});

describe('ground-station WebSocket (real socket)', () => {
  it('refuses the upgrade for a wrong or missing token (401) and accepts a valid one with a hello', async () => {
    await expect(connect('wrong-token-wrong-token')).rejects.toMatchObject({ statusCode: 401 });
    await expect(connect('')).rejects.toMatchObject({ statusCode: 401 });
    const c = await connect(TOKENS.viewer);
    const hello = await c.next('hello');
    expect([...TypeCompiler.Compile(HelloMessageSchema).Errors(hello)].map((e) => e.path + ' ' + e.message)).toEqual([]);
    expect(hello).toMatchObject({ role: 'viewer', commands: [], video: { url: '/api/video' } });
    expect((hello.scene as { subjectNames: string[] }).subjectNames).toEqual(['alice', 'bob']);
    c.ws.close();
  });

  it('streams state frames that validate against the schema, in sequence', async () => {
    const c = await connect(TOKENS.viewer);
    await waitFor(() => c.messages.filter((m) => m.type === 'state').length >= 5, 5000, 'five state frames');
    const states = c.messages.filter((m) => m.type === 'state');
    const check = TypeCompiler.Compile(StateMessageSchema);
    for (const s of states) expect([...check.Errors(s)].map((e) => e.path + ' ' + e.message)).toEqual([]);
    const seqs = states.map((s) => s.seq as number);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
    c.ws.close();
  });

  it('acks commands from a dp with the correlation id, and refuses a viewer with FORBIDDEN_ROLE', async () => {
    const dp = await connect(TOKENS.dp);
    await dp.next('hello');
    const ack = await request(dp, JSON.stringify({ type: 'parse', id: 'p1', text: 'orbit bob clockwise' }), 'p1');
    expect(ack).toMatchObject({ type: 'ack', id: 'p1', command: 'parse', result: { spec: { kind: 'orbit', subjects: ['bob'], direction: 'clockwise' } } });
    const viewer = await connect(TOKENS.viewer);
    await viewer.next('hello');
    const err = await request(viewer, JSON.stringify({ type: 'hold', id: 'h1' }), 'h1');
    expect(err).toMatchObject({ type: 'error', id: 'h1', command: 'hold', code: 'FORBIDDEN_ROLE' });
    const audit = t.audit().find((a) => a.command === 'hold' && a.role === 'viewer');
    expect(audit).toMatchObject({ ok: false, code: 'FORBIDDEN_ROLE', via: 'ws' });
    dp.ws.close();
    viewer.ws.close();
  });

  it('tells every client the new names when a subject is renamed', async () => {
    const viewer = await connect(TOKENS.viewer);
    await viewer.next('hello');
    const dp = await connect(TOKENS.dp);
    await dp.next('hello');
    const id = t.studio.state().subjects.find((s) => s.name === 'bob')!.id;
    const from = viewer.messages.length;
    const ack = await request(dp, JSON.stringify({ type: 'name-subject', id: 'n1', subjectId: id, name: 'robert' }), 'n1');
    expect(ack).toMatchObject({ type: 'ack', result: { from: 'bob', to: 'robert' } });
    const scene = await viewer.next('scene', from);
    expect((scene.scene as { subjectNames: string[] }).subjectNames).toEqual(['alice', 'robert']);
    expect((scene.shotLibrary as Array<{ text: string }>).some((e) => e.text.includes('robert'))).toBe(true);
    await request(dp, JSON.stringify({ type: 'name-subject', id: 'n2', subjectId: id, name: 'bob' }), 'n2');
    viewer.ws.close();
    dp.ws.close();
  });

  it('counts an open pilot page as a connected pilot for the controller, until it closes', async () => {
    const runtime = t.studio.vehicles.get('drone-1')!.runtime;
    const dp = await connect(TOKENS.dp);
    await dp.next('hello');
    const pilot = await connect(TOKENS.pilot);
    await pilot.next('hello');
    await waitFor(() => runtime.snapshot().pilots.includes('test pilot'), 3000, 'the pilot to be registered');
    expect(runtime.snapshot().pilots).toEqual(['test pilot']);
    pilot.ws.close();
    await waitFor(() => runtime.snapshot().pilots.length === 0, 3000, 'the pilot to be released');
    dp.ws.close();
  });

  it('answers malformed, random and oversized messages with errors while another client keeps its stream', async () => {
    const watcher = await connect(TOKENS.viewer);
    await watcher.next('state');
    const fuzzer = await connect(TOKENS.pilot);
    await fuzzer.next('hello');
    const errorCheck = TypeCompiler.Compile(ErrorMessageSchema);
    const expectError = async (payload: string | Buffer, code: string) => {
      const r = await request(fuzzer, payload, null);
      expect([...errorCheck.Errors(r)]).toEqual([]);
      expect(r.code).toBe(code);
    };
    await expectError('not json at all', 'BAD_MESSAGE');
    await expectError('[1,2,3]', 'BAD_MESSAGE');
    await expectError('{"id":"x"}', 'BAD_MESSAGE');
    await expectError('null', 'BAD_MESSAGE');
    await expectError(Buffer.from([0xde, 0xad, 0xbe, 0xef]), 'BAD_MESSAGE');
    await expectError(JSON.stringify({ type: 'teleport' }), 'UNKNOWN_COMMAND');
    await expectError(JSON.stringify({ type: 'takeoff', altitudeM: 'high' }), 'SCHEMA_INVALID');
    await expectError(JSON.stringify({ type: 'go', spec: { kind: 'track', subjects: ['ALICE!'] } }), 'SCHEMA_INVALID');
    await expectError(JSON.stringify({ type: 'parse', text: 'x'.repeat(MAX_COMMAND_BYTES) }), 'MESSAGE_TOO_LARGE');

    // Random JSON values and random text: every one gets exactly an error back, nothing crashes.
    const framesBefore = watcher.messages.filter((m) => m.type === 'state').length;
    const arbitrary = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc.record({ type: fc.constantFrom('go', 'preview', 'hold', 'takeoff', 'name-subject', 'override', 'e-stop-now', ''), id: fc.string({ maxLength: 10 }), text: fc.anything() }).map((o) => JSON.stringify(o)),
    );
    const samples = fc.sample(arbitrary, { numRuns: 150, seed: 7 });
    let replies = 0;
    for (const s of samples) {
      const r = await request(fuzzer, s, null);
      expect(['ack', 'error']).toContain(r.type);
      replies++;
    }
    expect(replies).toBe(samples.length);
    // Another client kept receiving state frames throughout.
    expect(watcher.messages.filter((m) => m.type === 'state').length).toBeGreaterThan(framesBefore);

    // A frame beyond the socket limit closes that socket (1009) and only that socket.
    const big = await connect(TOKENS.pilot);
    big.ws.send(Buffer.alloc(MAX_WS_FRAME_BYTES + 1, 0x20));
    await waitFor(() => big.closed, 5000, 'the oversized client to be closed');
    expect(big.closed!.code).toBe(1009);
    const before = watcher.messages.length;
    await waitFor(() => watcher.messages.length > before + 2, 5000, 'more frames for the watcher');
    const pong = await request(fuzzer, JSON.stringify({ type: 'ping', id: 'still-alive' }), 'still-alive');
    expect(pong).toMatchObject({ type: 'pong', id: 'still-alive' });
    expect(watcher.closed).toBeNull();
    watcher.ws.close();
    fuzzer.ws.close();
  });
});
