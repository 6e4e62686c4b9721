/**
 * Live video for the camera view: GET /api/video relays the aircraft's
 * video (any input ffmpeg reads — rtsp://, udp://, srt://, http://, a file —
 * or `testsrc`, ffmpeg's test pattern) to the browser as an MJPEG stream
 * (multipart/x-mixed-replace), which an <img> shows without plugins. One
 * ffmpeg per viewer, killed when the viewer goes; at most MAX_VIDEO_CLIENTS.
 * The binary is the one inside @ffmpeg-installer/ffmpeg.
 */
import { spawn } from 'node:child_process';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { ffmpegPath } from '../../../perception/sources/ffmpeg.ts';
import { GroundStationError } from '../../protocol/errors.ts';
import type { AccessControl } from '../access.ts';
import { authenticateHook } from '../http-auth.ts';

export const MAX_VIDEO_CLIENTS = 4;
export const VIDEO_FPS = 15;
export const VIDEO_WIDTH_PX = 960;
/** JPEG quality scale of ffmpeg's mjpeg encoder: 2 (best) … 31 (worst). */
const JPEG_QUALITY = 6;
export const TEST_PATTERN_SOURCE = 'testsrc';

export interface VideoOptions {
  access: AccessControl;
  /** ffmpeg input URL or path, or 'testsrc' */
  source: string;
}

/** ffmpeg arguments that read `source` and write MJPEG parts to stdout. */
export function ffmpegVideoArgs(source: string): string[] {
  const input =
    source === TEST_PATTERN_SOURCE ? ['-re', '-f', 'lavfi', '-i', `testsrc=size=${VIDEO_WIDTH_PX}x540:rate=${VIDEO_FPS}`]
    : source.startsWith('rtsp://') ? ['-rtsp_transport', 'tcp', '-i', source]
    : /^[a-z]+:\/\//.test(source) ? ['-fflags', 'nobuffer', '-i', source]
    : ['-re', '-stream_loop', '-1', '-i', source]; // a file: play it in real time, looping
  return ['-hide_banner', '-loglevel', 'error', ...input, '-an', '-vf', `scale=${VIDEO_WIDTH_PX}:-2`, '-r', String(VIDEO_FPS), '-f', 'mpjpeg', '-q:v', String(JPEG_QUALITY), '-'];
}

export const videoPlugin: FastifyPluginAsync<VideoOptions> = async (app: FastifyInstance, opts) => {
  const binary = await ffmpegPath();
  let clients = 0;
  const children = new Set<ReturnType<typeof spawn>>();
  app.addHook('onClose', async () => {
    for (const c of children) c.kill('SIGKILL');
  });
  app.get('/api/video', { preValidation: authenticateHook(opts.access) }, async (_req, reply) => {
    if (clients >= MAX_VIDEO_CLIENTS) throw new GroundStationError('RATE_LIMITED', `at most ${MAX_VIDEO_CLIENTS} video viewers at once; close another camera view`);
    clients++;
    const child = spawn(binary, ffmpegVideoArgs(opts.source), { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + String(d)).slice(-2000)));
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clients--;
      children.delete(child);
      child.kill('SIGKILL');
    };
    child.on('exit', (code) => {
      if (code && !ended) app.log.warn(`video source ${opts.source}: ffmpeg exited ${code}: ${stderr.trim()}`);
      end();
      reply.raw.end();
    });
    // An endless response: written by hand (hijacked), so closing the server
    // never waits for it and a viewer leaving stops its ffmpeg at once.
    reply.hijack();
    reply.raw.on('close', end);
    reply.raw.writeHead(200, {
      'content-type': 'multipart/x-mixed-replace; boundary=ffmpeg',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    child.stdout.pipe(reply.raw);
  });
};
