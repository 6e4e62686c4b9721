/**
 * WAV in, 16 kHz mono 16-bit PCM out: what the pocketsphinx en-us model was
 * trained on. Reads PCM 8/16/24/32-bit, 32/64-bit float and
 * WAVE_FORMAT_EXTENSIBLE; mixes channels down; resamples with a windowed-sinc
 * low-pass so a 44.1/48 kHz microphone stream does not alias into the band.
 */
import { CinePilotError } from '../../core/errors.ts';

/** The recogniser's input rate, Hz. */
export const RECOGNISER_SAMPLE_RATE_HZ = 16000;
/** Half-width of the resampling kernel, in input samples at the cutoff (quality vs cost). */
export const RESAMPLE_HALF_TAPS = 16;

export interface PcmAudio {
  sampleRateHz: number;
  /** mono samples in [-1, 1] */
  samples: Float32Array;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

function badWav(why: string): CinePilotError {
  return new CinePilotError('BAD_AUDIO', `not a usable WAV file: ${why}. Give a PCM or float WAV (any rate, mono or stereo), e.g. from \`sox in.mp3 -r 16000 -c 1 out.wav\`.`);
}

/** Decode a WAV file buffer to mono float samples. */
export function decodeWav(buf: Uint8Array): PcmAudio {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (o: number) => String.fromCharCode(buf[o]!, buf[o + 1]!, buf[o + 2]!, buf[o + 3]!);
  if (buf.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw badWav('no RIFF/WAVE header');
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let data: { offset: number; length: number } | undefined;
  for (let o = 12; o + 8 <= buf.length; ) {
    const id = tag(o);
    const size = view.getUint32(o + 4, true);
    const body = o + 8;
    if (id === 'fmt ') {
      let format = view.getUint16(body, true);
      if (format === FORMAT_EXTENSIBLE && size >= 40) format = view.getUint16(body + 24, true);
      fmt = { format, channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      // streaming writers leave the size at 0 or 0xffffffff: take the rest of the file
      const length = size === 0 || size === 0xffffffff || body + size > buf.length ? buf.length - body : size;
      data = { offset: body, length };
      break;
    }
    o = body + size + (size & 1);
  }
  if (!fmt) throw badWav('no fmt chunk');
  if (!data) throw badWav('no data chunk');
  const { format, channels, rate, bits } = fmt;
  if (channels < 1 || rate < 1000) throw badWav(`${channels} channels at ${rate} Hz`);
  const bytes = bits / 8;
  if (!((format === FORMAT_PCM && [8, 16, 24, 32].includes(bits)) || (format === FORMAT_FLOAT && (bits === 32 || bits === 64)))) {
    throw badWav(`sample format ${format} with ${bits} bits is not supported`);
  }
  const frames = Math.floor(data.length / (bytes * channels));
  const samples = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let acc = 0;
    for (let c = 0; c < channels; c++) {
      const o = data.offset + (f * channels + c) * bytes;
      let v: number;
      if (format === FORMAT_FLOAT) v = bits === 32 ? view.getFloat32(o, true) : view.getFloat64(o, true);
      else if (bits === 8) v = (view.getUint8(o) - 128) / 128;
      else if (bits === 16) v = view.getInt16(o, true) / 32768;
      else if (bits === 24) v = (((view.getUint8(o + 2) << 24) | (view.getUint8(o + 1) << 16) | (view.getUint8(o) << 8)) >> 8) / 8388608;
      else v = view.getInt32(o, true) / 2147483648;
      acc += v;
    }
    samples[f] = acc / channels;
  }
  return { sampleRateHz: rate, samples };
}

/**
 * Band-limited resampling: each output sample is a Hann-windowed sinc sum
 * over the input, with the cutoff at the lower Nyquist frequency.
 */
export function resample(input: Float32Array, fromHz: number, toHz: number): Float32Array {
  if (fromHz === toHz) return input;
  const ratio = toHz / fromHz;
  const cutoff = Math.min(1, ratio); // of the input Nyquist
  const out = new Float32Array(Math.floor(input.length * ratio));
  const half = Math.ceil(RESAMPLE_HALF_TAPS / cutoff);
  for (let n = 0; n < out.length; n++) {
    const t = n / ratio; // position in input samples
    const centre = Math.floor(t);
    let acc = 0;
    let wsum = 0;
    for (let k = centre - half + 1; k <= centre + half; k++) {
      if (k < 0 || k >= input.length) continue;
      const x = (t - k) * cutoff;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const win = 0.5 + 0.5 * Math.cos((Math.PI * (t - k)) / (half + 1));
      const w = sinc * win;
      acc += input[k]! * w;
      wsum += w;
    }
    out[n] = wsum > 0 ? acc / wsum : 0;
  }
  return out;
}

/** 16-bit PCM mono WAV bytes. */
export function encodeWav16(samples: Float32Array, sampleRateHz: number): Buffer {
  const buf = Buffer.alloc(44 + samples.length * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + samples.length * 2, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(FORMAT_PCM, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(sampleRateHz, 24);
  buf.writeUInt32LE(sampleRateHz * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    buf.writeInt16LE(Math.round(v * 32767), 44 + i * 2);
  }
  return buf;
}

/** Frame length for the speech/silence decision, s. */
export const TRIM_FRAME_S = 0.01;
/** A frame is speech when its RMS exceeds this fraction of the loudest frame's RMS. */
export const TRIM_THRESHOLD_FRACTION = 0.05;
/** Silence kept before the first and after the last speech frame, s. */
export const TRIM_PADDING_S = 0.15;

/**
 * Cut leading and trailing silence (keeping a little padding). With filler
 * words off, the grammar search has nothing to spend long silences on but
 * shot words, so a long tail of silence turns into invented words.
 */
export function trimSilence(samples: Float32Array, sampleRateHz: number): Float32Array {
  const frame = Math.max(1, Math.round(TRIM_FRAME_S * sampleRateHz));
  const frames = Math.floor(samples.length / frame);
  if (frames < 3) return samples;
  const rms = new Float64Array(frames);
  let peak = 0;
  for (let f = 0; f < frames; f++) {
    let acc = 0;
    for (let i = f * frame; i < (f + 1) * frame; i++) acc += samples[i]! * samples[i]!;
    rms[f] = Math.sqrt(acc / frame);
    if (rms[f]! > peak) peak = rms[f]!;
  }
  if (peak === 0) return samples;
  const threshold = peak * TRIM_THRESHOLD_FRACTION;
  let first = 0;
  while (first < frames && rms[first]! < threshold) first++;
  let last = frames - 1;
  while (last > first && rms[last]! < threshold) last--;
  const pad = Math.round(TRIM_PADDING_S * sampleRateHz);
  return samples.subarray(Math.max(0, first * frame - pad), Math.min(samples.length, (last + 1) * frame + pad));
}

/** Any WAV → 16 kHz mono 16-bit WAV bytes for the recogniser, silence trimmed; also its duration. */
export function toRecogniserWav(wav: Uint8Array): { wav: Buffer; durationS: number } {
  const audio = decodeWav(wav);
  const samples = trimSilence(resample(audio.samples, audio.sampleRateHz, RECOGNISER_SAMPLE_RATE_HZ), RECOGNISER_SAMPLE_RATE_HZ);
  return { wav: encodeWav16(samples, RECOGNISER_SAMPLE_RATE_HZ), durationS: samples.length / RECOGNISER_SAMPLE_RATE_HZ };
}
