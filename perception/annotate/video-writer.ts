/**
 * Encodes RGB24 frames to a video file with the bundled ffmpeg (H.264 in
 * MP4/MKV/MOV, MPEG-4 part 2 in AVI), honouring the pipe's back-pressure.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { extname } from 'node:path';
import { CinePilotError } from '../../core/errors.ts';
import type { RgbFrame } from '../../core/perception-types.ts';
import { ffmpegPath } from '../sources/ffmpeg.ts';

export class VideoWriter {
  private proc: ChildProcessByStdio<Writable, null, Readable> | null = null;
  private stderr = '';
  private exit: Promise<number | null> | null = null;

  constructor(readonly path: string, readonly width: number, readonly height: number, readonly fps: number) {
    if (!(fps > 0)) throw new CinePilotError('BAD_OUTPUT', `output frame rate must be > 0, got ${fps}.`);
  }

  async open(): Promise<void> {
    const ext = extname(this.path).toLowerCase();
    const codec = ext === '.avi' ? ['-c:v', 'mpeg4', '-q:v', '4'] : ext === '.webm' ? ['-c:v', 'libvpx', '-b:v', '2M'] : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p'];
    // odd sizes are not allowed with yuv420p: pad by one pixel
    const pad = this.width % 2 || this.height % 2 ? ['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2'] : [];
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${this.width}x${this.height}`, '-r', String(this.fps), '-i', 'pipe:0', ...pad, ...codec, this.path];
    const proc = spawn(await ffmpegPath(), args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.proc = proc;
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (c: string) => (this.stderr = (this.stderr + c).slice(-4000)));
    proc.stdin.on('error', () => {}); // reported through the exit code
    this.exit = new Promise((resolve) => proc.on('close', (code) => resolve(code)));
  }

  async write(frame: RgbFrame): Promise<void> {
    const proc = this.proc;
    if (!proc) throw new CinePilotError('OUTPUT_NOT_OPEN', 'VideoWriter.open() first.');
    if (proc.exitCode !== null) throw new CinePilotError('OUTPUT_FAILED', `${this.path}: ffmpeg stopped: ${this.stderr.trim()}`);
    if (!proc.stdin.write(frame.data)) await new Promise<void>((r) => proc.stdin.once('drain', () => r()));
  }

  async close(): Promise<void> {
    if (!this.proc) return;
    this.proc.stdin.end();
    const code = await this.exit;
    if (code !== 0) throw new CinePilotError('OUTPUT_FAILED', `${this.path}: ffmpeg could not write the video (exit ${code}): ${this.stderr.trim()}; check the folder exists and the extension is .mp4, .mkv, .mov, .avi or .webm.`);
  }
}
