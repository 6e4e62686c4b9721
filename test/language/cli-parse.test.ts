/**
 * `cinepilot parse` as a user runs it: a child process, exit codes, stdout.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/cinepilot.mjs', import.meta.url));
const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, [BIN, 'parse', ...args], { encoding: 'utf8', input, timeout: 30_000 });

describe('cinepilot parse', () => {
  it('prints the ShotSpec as JSON and exits 0', () => {
    const r = cli(['dolly zoom on Alice, 24 to 70 millimetres over eight seconds', '--subjects', 'alice,bob', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, spec: { kind: 'dolly-zoom', subjects: ['alice'], focalLengthMm: { fromMm: 24, toMm: 70 }, durationS: 8 } });
  });

  it('exits 2 with a message naming the unknown subject and the known ones', () => {
    const r = cli(['track carol', '--subjects', 'alice,bob']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('carol');
    expect(r.stderr).toContain('alice, bob');
  });

  // one process for the rest: each start of the CLI costs seconds on a loaded machine
  it('--batch writes one JSON line per stdin line: rig limits applied, --current adjusted, refusals included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinepilot-parse-'));
    const file = join(dir, 'current.json');
    writeFileSync(file, JSON.stringify({ kind: 'track', subjects: ['alice'], framing: 'medium', side: 'left' }));
    const input = ['orbit bob clockwise', '', 'fly into the crowd', 'rack focus from bob to alice', 'orbit alice at 1 metre', 'track alice on a 200 mm lens', 'a bit wider, other side'].join('\n');
    const r = cli(['--batch', '--subjects', 'alice,bob', '--current', file], input);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    expect(lines[0]).toEqual({ text: 'orbit bob clockwise', ok: true, spec: { kind: 'orbit', subjects: ['bob'], direction: 'clockwise' } });
    expect(lines[1]).toMatchObject({ text: 'fly into the crowd', ok: false, code: 'UNSAFE_REQUEST' });
    expect(typeof lines[1].error).toBe('string');
    expect(lines[2].spec).toMatchObject({ focusFrom: 'bob', focusOn: 'alice' });
    // the default rig: 3 m keep-out, 24–70 mm lens
    expect(lines[3]).toMatchObject({ ok: false, code: 'UNSAFE_DISTANCE' });
    expect(lines[3].error).toContain('3 m keep-out');
    expect(lines[4]).toMatchObject({ ok: false, code: 'OUT_OF_RANGE' });
    expect(lines[4].error).toContain('24 to 70 mm');
    expect(lines[5].spec).toEqual({ kind: 'track', subjects: ['alice'], framing: 'medium-wide', side: 'right' });
  });
});
