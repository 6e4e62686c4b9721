/**
 * The optional LLM fallback against a local stand-in for an OpenAI-compatible
 * server (real HTTP on 127.0.0.1, ephemeral port): used only when the grammar
 * fails, and only when its answer validates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { llmConfigFromEnv, parseWithFallback, type LlmConfig } from '../../ground-station/language/llm.ts';

const ctx = { subjects: ['alice', 'bob'], keepOutRadiusM: 3, altitudeBandM: { min: 1, max: 120 } };

let server: Server;
let config: LlmConfig;
let nextReply = '';
const seen: Array<{ model: string; user: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const doc = JSON.parse(body) as { model: string; messages: Array<{ role: string; content: string }> };
      seen.push({ model: doc.model, user: doc.messages.find((m) => m.role === 'user')!.content });
      if (req.url !== '/v1/chat/completions') { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: nextReply }, finish_reason: 'stop' }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  config = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, model: 'test-model', timeoutMs: 5000 };
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('LLM fallback', () => {
  it('is off unless CINEPILOT_LLM_URL and CINEPILOT_LLM_MODEL are set', () => {
    expect(llmConfigFromEnv({})).toBeUndefined();
    expect(llmConfigFromEnv({ CINEPILOT_LLM_URL: 'http://127.0.0.1:1/v1', CINEPILOT_LLM_MODEL: 'm' })).toMatchObject({ model: 'm' });
  });

  it('is not asked when the grammar understands the words', async () => {
    const before = seen.length;
    const r = await parseWithFallback('orbit alice at 5 metres', ctx, config);
    expect(r).toMatchObject({ ok: true, spec: { kind: 'orbit', distanceM: 5 } });
    expect(seen.length).toBe(before);
  });

  it('maps free text the grammar does not know, when the answer validates', async () => {
    nextReply = '```json\n{"kind":"orbit","subjects":["alice"],"distanceM":6,"direction":"clockwise"}\n```';
    const r = await parseWithFallback('swing round alice like a carousel', ctx, config);
    expect(r).toMatchObject({ ok: true, spec: { kind: 'orbit', subjects: ['alice'], distanceM: 6 } });
    expect(seen[seen.length - 1]).toEqual({ model: 'test-model', user: 'swing round alice like a carousel' });
  });

  it('drops an answer that breaks the schema, names a stranger or breaks the keep-out radius', async () => {
    for (const reply of [
      '{"kind":"barrel-roll","subjects":["alice"]}',
      '{"kind":"orbit","subjects":["mallory"]}',
      '{"kind":"orbit","subjects":["alice"],"distanceM":1}',
      'sure! here is your shot',
    ]) {
      nextReply = reply;
      const r = await parseWithFallback('swing round alice like a carousel', ctx, config);
      expect(r.ok, reply).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('NOT_UNDERSTOOD');
    }
  });

  it('never overrules a refusal or a question back', async () => {
    nextReply = '{"kind":"flyover","subjects":[]}';
    const before = seen.length;
    expect(await parseWithFallback('fly into the crowd', ctx, config)).toMatchObject({ ok: false, error: { code: 'UNSAFE_REQUEST' } });
    expect(await parseWithFallback('track him', ctx, config)).toMatchObject({ ok: false, error: { code: 'AMBIGUOUS_SUBJECT' } });
    expect(seen.length).toBe(before);
  });

  it('an endpoint that is down leaves the grammar error, saying the endpoint did not answer', async () => {
    const r = await parseWithFallback('swing round alice', ctx, { url: 'http://127.0.0.1:9/v1', model: 'm', timeoutMs: 2000 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('did not answer');
  });
});
