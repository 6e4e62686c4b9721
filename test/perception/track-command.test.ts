/**
 * `cinepilot track`: JSON-lines contract, summary line, annotated video, and
 * errors a user can cause.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../cli/commands/track.ts';
import { ffmpegPath } from '../../perception/sources/ffmpeg.ts';
import { openFrameSource } from '../../perception/sources/ffmpeg-source.ts';

const VIDEO = fileURLToPath(new URL('../../../shared/data/vtest.avi', import.meta.url));
let dir: string;

async function capture(argv: string[]): Promise<{ code: number; lines: unknown[] }> {
  const chunks: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const log = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const code = await run(argv);
    return { code, lines: chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
  } finally {
    out.mockRestore();
    err.mockRestore();
    log.mockRestore();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cinepilot-track-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cinepilot track', () => {
  it('prints one JSON line per frame and a summary, and writes the annotated video', async () => {
    const clip = join(dir, 'clip.mp4');
    execFileSync(await ffmpegPath(), ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-t', '1', '-pix_fmt', 'yuv420p', clip]);
    const out = join(dir, 'annotated.mp4');
    const { code, lines } = await capture([clip, '--json', '--out', out, '--detect-every', '2']);
    expect(code).toBe(0);
    expect(lines).toHaveLength(11);
    lines.slice(0, 10).forEach((l, i) => expect(l).toMatchObject({ frame: i, timeS: i / 10, tracks: expect.any(Array) }));
    expect(lines[10]).toMatchObject({ summary: true, frames: 10, fps: expect.any(Number), latencyMsP50: expect.any(Number), latencyMsP95: expect.any(Number), tracks: expect.any(Number), detectEvery: 2 });
    const written = openFrameSource(out);
    expect(await written.open()).toMatchObject({ width: 320, height: 240, frameCount: 10 });
    await written.close();
  });

  it('rejects a missing source and bad flags with a message saying what to do', async () => {
    await expect(capture([join(dir, 'nope.avi')])).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    await expect(capture(['x.avi', '--detect-every', '0'])).rejects.toThrow(/--detect-every 0: must be an integer ≥ 1/);
    await expect(capture(['x.avi', '--name', 'alice'])).rejects.toThrow(/ID=NAME/);
    await expect(capture([])).rejects.toThrow(/exactly one SOURCE/);
  });

  it.skipIf(!existsSync(VIDEO))(`tracks people on every frame of vtest.avi, applies --name, same tracks with and without worker threads${existsSync(VIDEO) ? '' : ' (SKIPPED: ../shared/data/vtest.avi is absent)'}`, async () => {
    const out = join(dir, 'vtest.mp4');
    const { lines } = await capture([VIDEO, '--json', '--max-frames', '12', '--detect-every', '3', '--name', '1=Alice', '--out', out, '--workers', '2']);
    // detection on two worker threads gives exactly what detection on the main thread gives
    const inProcess = await capture([VIDEO, '--json', '--max-frames', '12', '--detect-every', '3', '--name', '1=Alice', '--workers', '0']);
    expect(lines.slice(0, -1)).toEqual(inProcess.lines.slice(0, -1));
    const frames = lines.slice(0, -1) as Array<{ tracks: Array<{ id: number; bbox: number[]; name?: string }> }>;
    expect(frames).toHaveLength(12);
    // people found on the first frame are tracked at once; tracks are reported on every frame, detected or not
    for (const f of frames) expect(f.tracks.length).toBeGreaterThanOrEqual(2);
    expect(frames.at(-1)!.tracks.find((t) => t.id === 1)?.name).toBe('alice');
    expect(statSync(out).size).toBeGreaterThan(10_000);
  });
});
