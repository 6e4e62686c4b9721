/**
 * Where the ffmpeg binary is (the one shipped inside @ffmpeg-installer/ffmpeg,
 * so no system package is needed) and how to read what it says on stderr.
 */
import { CinePilotError } from '../../core/errors.ts';

let cachedPath: string | null = null;

export async function ffmpegPath(): Promise<string> {
  if (cachedPath) return cachedPath;
  try {
    const mod = (await import('@ffmpeg-installer/ffmpeg')) as { path?: string; default?: { path: string } };
    cachedPath = mod.default?.path ?? mod.path ?? null;
  } catch {
    cachedPath = null;
  }
  if (!cachedPath) {
    throw new CinePilotError('FFMPEG_MISSING', 'the ffmpeg binary from @ffmpeg-installer/ffmpeg is not installed; run `npm install`.');
  }
  return cachedPath;
}

/** What ffmpeg announced about the decoded output stream. */
export interface FfmpegStreamInfo {
  width: number;
  height: number;
  fps: number | null;
  /** input codec name as ffmpeg reports it, e.g. 'msmpeg4v3', 'h264' */
  codec: string | null;
  durationS: number | null;
}

/** Parses the "Output #0 … Stream … Video: rawvideo …, WxH, …" block; null until it is complete. */
export function parseOutputStream(stderr: string): FfmpegStreamInfo | null {
  const out = stderr.indexOf('Output #0');
  if (out < 0) return null;
  const line = /Stream #\d+:\d+.*?: Video: rawvideo[^\n]*\n/.exec(stderr.slice(out));
  if (!line) return null;
  const size = /, (\d+)x(\d+)/.exec(line[0]);
  if (!size) return null;
  const fps = /([\d.]+) fps/.exec(line[0]) ?? /([\d.]+) tbr/.exec(line[0]);
  const input = stderr.slice(0, out);
  const codec = /Stream #\d+:\d+[^\n]*?: Video: ([\w-]+)/.exec(input);
  const dur = /Duration: (\d+):(\d+):([\d.]+)/.exec(input);
  return {
    width: Number(size[1]),
    height: Number(size[2]),
    fps: fps ? Number(fps[1]) : null,
    codec: codec ? codec[1]! : null,
    durationS: dur ? Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]) : null,
  };
}

/**
 * Turns ffmpeg's complaint into an error that says what to do. `uri` is what
 * the user gave; `stderr` is everything ffmpeg printed.
 */
export function classifyFfmpegFailure(uri: string, stderr: string, exitCode: number | null): CinePilotError {
  const tail = stderr.trim().split('\n').slice(-3).join(' | ');
  const codec = /Decoder \(codec ([\w-]+)\) not found/.exec(stderr);
  if (codec) {
    const fourcc = /Video: \w+ \((\w{4}) \//.exec(stderr);
    return new CinePilotError(
      'SOURCE_UNSUPPORTED_CODEC',
      `${uri}: ffmpeg has no decoder for this video (codec ${codec[1]}${fourcc ? `, FourCC ${fourcc[1]}` : ''}); re-encode it, e.g. \`ffmpeg -i IN -c:v libx264 out.mp4\`.`,
      { stderr: tail },
    );
  }
  if (/No such file or directory/.test(stderr)) {
    return new CinePilotError('SOURCE_NOT_FOUND', `${uri}: no such file or device; check the path.`, { stderr: tail });
  }
  if (/Connection refused|Connection timed out|Network is unreachable|No route to host|Server returned|method DESCRIBE failed|Name or service not known/.test(stderr)) {
    return new CinePilotError('SOURCE_UNREACHABLE', `${uri}: the stream could not be reached (${tail}); check the address, port and that the sender is running.`, { stderr: tail });
  }
  if (/does not contain any stream|matches no streams|Output file #0 does not contain/.test(stderr)) {
    return new CinePilotError('SOURCE_NO_VIDEO', `${uri}: contains no video stream; give a video file or stream.`, { stderr: tail });
  }
  if (/Invalid data found when processing input|could not find codec parameters|Unknown input format/.test(stderr)) {
    return new CinePilotError('SOURCE_UNSUPPORTED_FORMAT', `${uri}: ffmpeg cannot read this as video (${tail}); check it is a video file or stream in a format ffmpeg reads.`, { stderr: tail });
  }
  return new CinePilotError('SOURCE_FAILED', `${uri}: ffmpeg stopped (exit ${exitCode}): ${tail}`, { stderr: tail });
}
