/**
 * WAV decoding, band-limited resampling and dither, checked against
 * signals with known content (pure tones, silence).
 */
import { describe, expect, it } from 'vitest';
import { addDither, decodeWav, encodeWav16, resample, toRecogniserWav, RECOGNISER_SAMPLE_RATE_HZ } from '../../ground-station/speech/wav.ts';

function tone(freqHz: number, rateHz: number, seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(rateHz * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freqHz * i) / rateHz);
  return out;
}
/** Amplitude of one frequency by correlation (a single DFT bin), ignoring the edges. */
function amplitudeAt(x: Float32Array, freqHz: number, rateHz: number): number {
  let re = 0, im = 0;
  const a = Math.floor(x.length * 0.1), b = Math.floor(x.length * 0.9);
  for (let i = a; i < b; i++) {
    re += x[i]! * Math.cos((2 * Math.PI * freqHz * i) / rateHz);
    im += x[i]! * Math.sin((2 * Math.PI * freqHz * i) / rateHz);
  }
  return (2 * Math.hypot(re, im)) / (b - a);
}

function stereoFloatWav(left: Float32Array, right: Float32Array, rateHz: number): Buffer {
  const buf = Buffer.alloc(44 + left.length * 8);
  buf.write('RIFF', 0, 'ascii'); buf.writeUInt32LE(36 + left.length * 8, 4); buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16); buf.writeUInt16LE(3, 20); buf.writeUInt16LE(2, 22); buf.writeUInt32LE(rateHz, 24);
  buf.writeUInt32LE(rateHz * 8, 28); buf.writeUInt16LE(8, 32); buf.writeUInt16LE(32, 34);
  buf.write('data', 36, 'ascii'); buf.writeUInt32LE(left.length * 8, 40);
  for (let i = 0; i < left.length; i++) { buf.writeFloatLE(left[i]!, 44 + i * 8); buf.writeFloatLE(right[i]!, 48 + i * 8); }
  return buf;
}

describe('WAV and resampling', () => {
  it('16-bit PCM round-trips within one quantisation step', () => {
    const x = tone(440, 16000, 0.1);
    const back = decodeWav(encodeWav16(x, 16000));
    expect(back.sampleRateHz).toBe(16000);
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(back.samples[i]! - x[i]!));
    expect(worst).toBeLessThanOrEqual(1 / 32767);
  });

  it('stereo float WAV is mixed down to the mean of the channels', () => {
    const l = new Float32Array([0.5, -0.5, 0.25]), r = new Float32Array([0.1, 0.1, -0.25]);
    expect([...decodeWav(stereoFloatWav(l, r, 48000)).samples].map((v) => +v.toFixed(6))).toEqual([0.3, -0.2, 0]);
  });

  it('44.1 kHz → 16 kHz keeps a 1 kHz tone (amplitude within 1%) and removes a 10 kHz one (> 40 dB down, no alias at 6 kHz)', () => {
    const pass = resample(tone(1000, 44100, 0.5), 44100, 16000);
    expect(pass.length).toBe(8000);
    expect(amplitudeAt(pass, 1000, 16000)).toBeCloseTo(0.5, 2);
    const stop = resample(tone(10000, 44100, 0.5), 44100, 16000);
    expect(amplitudeAt(stop, 6000, 16000)).toBeLessThan(0.005);
  });

  it('dither is ±1 LSB, reproducible, and leaves no run of exact zeros', () => {
    const a = addDither(new Float32Array(1000)), b = addDither(new Float32Array(1000));
    expect(a).toEqual(b);
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(1 / 32768);
    expect(a.filter((v) => v === 0).length).toBeLessThan(5);
  });

  it('a non-WAV file is refused with what to do', () => {
    expect(() => decodeWav(Buffer.from('hello world, not audio'))).toThrow(/not a usable WAV file.*sox/);
  });

  it('any WAV becomes 16 kHz mono for the recogniser', () => {
    const { wav } = toRecogniserWav(stereoFloatWav(tone(500, 48000, 0.3), tone(500, 48000, 0.3), 48000));
    expect(decodeWav(wav).sampleRateHz).toBe(RECOGNISER_SAMPLE_RATE_HZ);
  });
});
