import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegPath } from '../../perception/sources/ffmpeg.ts';
import { classifySource, openFrameSource } from '../../perception/sources/ffmpeg-source.ts';
import { FrameQueue } from '../../perception/sources/frame-queue.ts';
import type { RgbFrame } from '../../core/perception-types.ts';

let dir: string;
let ff: string;
let video: string; // 40 frames, 160×120, 10 fps, mpeg4 in AVI

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cinepilot-src-'));
  ff = await ffmpegPath();
  video = join(dir, 'test.avi');
  execFileSync(ff, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '4', '-c:v', 'mpeg4', '-vtag', 'XVID', video]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('file source', () => {
  it('decodes every frame of a file at its native size with media timestamps', async () => {
    const src = openFrameSource(video);
    const info = await src.open();
    expect(info).toMatchObject({ kind: 'file', width: 160, height: 120, fps: 10, frameCount: 40 });
    const frames: RgbFrame[] = [];
    for (let f = await src.next(); f; f = await src.next()) frames.push(f);
    await src.close();
    expect(frames.length).toBe(40);
    expect(src.droppedFrames).toBe(0);
    expect(frames[0]!.data.length).toBe(160 * 120 * 3);
    expect(frames[39]!.timestampS - frames[0]!.timestampS).toBeCloseTo(3.9, 9);
    // testsrc is mostly bright colour bars: a decoding slip would show as a black or garbage frame
    const mean = frames[0]!.data.reduce((a, b) => a + b, 0) / frames[0]!.data.length;
    expect(mean).toBeGreaterThan(60);
  });

  it('scales when asked and pauses the decoder instead of dropping when the consumer is slow', async () => {
    const src = openFrameSource(video, { width: 80, height: 60, queueCapacity: 2 });
    expect(await src.open()).toMatchObject({ width: 80, height: 60 });
    let n = 0;
    for (let f = await src.next(); f; f = await src.next()) {
      n++;
      if (n < 5) await new Promise((r) => setTimeout(r, 50));
    }
    await src.close();
    expect(n).toBe(40);
    expect(src.droppedFrames).toBe(0);
  });

  it('says a missing file is missing', async () => {
    await expect(openFrameSource(join(dir, 'nope.mp4')).open()).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });

  it('names the codec when ffmpeg has no decoder for it', async () => {
    const bad = join(dir, 'bad-codec.avi');
    writeFileSync(bad, Buffer.from(readFileSync(video).toString('latin1').replaceAll('XVID', 'QQQQ'), 'latin1'));
    const err = await openFrameSource(bad).open().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SOURCE_UNSUPPORTED_CODEC' });
    expect((err as Error).message).toMatch(/QQQQ/);
  });

  it('rejects a file with no video and a file that is not media', async () => {
    const wav = join(dir, 'tone.wav');
    execFileSync(ff, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '0.5', wav]);
    await expect(openFrameSource(wav).open()).rejects.toMatchObject({ code: 'SOURCE_NO_VIDEO' });
    const junk = join(dir, 'junk.mp4');
    writeFileSync(junk, Buffer.alloc(5000, 7));
    await expect(openFrameSource(junk).open()).rejects.toMatchObject({ code: 'SOURCE_UNSUPPORTED_FORMAT' });
  });
});

describe('live sources', () => {
  it('classifies URIs', () => {
    expect(classifySource('rtsp://10.0.0.2:8554/live')).toBe('rtsp');
    expect(classifySource('udp://127.0.0.1:5600')).toBe('udp');
    expect(classifySource('rtp://0.0.0.0:5004')).toBe('rtp');
    expect(classifySource('stream.sdp')).toBe('rtp');
    expect(classifySource('/dev/video0')).toBe('v4l2');
    expect(classifySource('clip.mp4')).toBe('file');
  });

  it('times out on a UDP port where nobody is sending', async () => {
    const port = await freeUdpPort();
    const t0 = performance.now();
    await expect(openFrameSource(`udp://127.0.0.1:${port}`, { openTimeoutS: 1.5 }).open()).rejects.toMatchObject({ code: 'SOURCE_TIMEOUT' });
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('receives MPEG-TS over real UDP from an ffmpeg sender, keeping only the newest frames for a slow consumer', async () => {
    const port = await freeUdpPort();
    const src = openFrameSource(`udp://127.0.0.1:${port}`, { openTimeoutS: 15, queueCapacity: 1 });
    const opening = src.open();
    // a sender at the clip's real rate (10 fps), looping so it outlasts the consumer
    const sender = spawn(ff, ['-v', 'error', '-re', '-stream_loop', '3', '-i', video, '-c:v', 'mpeg2video', '-q:v', '5', '-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`], { stdio: 'ignore' });
    try {
      const info = await opening;
      expect(info).toMatchObject({ kind: 'udp', width: 160, height: 120 });
      let received = 0;
      let lastIndex = -1;
      // slow consumer: 250 ms per frame while frames arrive every 100 ms
      for (let i = 0; i < 8; i++) {
        const f = await src.next();
        if (!f) break;
        expect(f.index).toBeGreaterThan(lastIndex);
        lastIndex = f.index;
        received++;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(received).toBe(8);
      // the consumer saw 8 frames while more were decoded: the rest were dropped, counted, never queued
      expect(src.droppedFrames).toBeGreaterThan(5);
      expect(lastIndex + 1 - received).toBeLessThanOrEqual(src.droppedFrames + 1);
    } finally {
      sender.kill('SIGKILL');
      await src.close();
    }
  });
});

describe('RTP source', () => {
  it('receives RTP (MPEG-4) described by an SDP file from an ffmpeg sender', async () => {
    const port = 2 * Math.floor((await freeUdpPort()) / 2); // RTP wants an even port (RTCP on the next)
    const sdp = join(dir, 'stream.sdp');
    const sender = spawn(ff, ['-v', 'error', '-re', '-stream_loop', '3', '-i', video, '-c:v', 'mpeg4', '-an', '-f', 'rtp', '-sdp_file', sdp, `rtp://127.0.0.1:${port}`], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50 && !existsSync(sdp); i++) await new Promise((r) => setTimeout(r, 100));
      const src = openFrameSource(sdp, { openTimeoutS: 15 });
      try {
        expect(await src.open()).toMatchObject({ kind: 'rtp', width: 160, height: 120 });
        const f = await src.next();
        expect(f!.data.length).toBe(160 * 120 * 3);
      } finally {
        await src.close();
      }
    } finally {
      sender.kill('SIGKILL');
    }
  });
});

describe('FrameQueue', () => {
  const frame = (index: number): RgbFrame => ({ index, timestampS: index, width: 1, height: 1, data: new Uint8Array(3) });
  it('drop-oldest keeps the newest frames and counts the rest', async () => {
    const q = new FrameQueue(2, 'drop-oldest');
    for (let i = 0; i < 10; i++) q.push(frame(i));
    expect(q.dropped).toBe(8);
    expect((await q.next())!.index).toBe(8);
    expect((await q.next())!.index).toBe(9);
    q.end();
    expect(await q.next()).toBeNull();
  });
  it('pause-producer asks the producer to pause when full and resume when drained', async () => {
    const events: boolean[] = [];
    const q = new FrameQueue(2, 'pause-producer', (p) => events.push(p));
    q.push(frame(0));
    q.push(frame(1));
    expect(events.at(-1)).toBe(true);
    await q.next();
    expect(events.at(-1)).toBe(false);
    expect(q.dropped).toBe(0);
  });
});
