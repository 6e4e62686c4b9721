/**
 * The microphone button: the browser's own speech recognition where it
 * exists; otherwise record 16 kHz mono PCM with Web Audio, wrap it as WAV and
 * let the server's offline recogniser transcribe it (POST /api/speech).
 */
const TARGET_RATE_HZ = 16000;
const MAX_RECORD_S = 8;

type Recognition = {
  lang: string; interimResults: boolean; maxAlternatives: number;
  onresult: ((e: { results: ArrayLike<ArrayLike<{ transcript: string; confidence: number }>> }) => void) | null;
  onerror: ((e: { error: string }) => void) | null;
  onend: (() => void) | null;
  start(): void; stop(): void;
};

export interface MicrophoneHandlers {
  /** a transcript from the browser recogniser */
  transcript(text: string): void;
  /** a WAV recording for the server */
  recording(wav: Blob): void;
  status(text: string, error?: boolean): void;
}

export class Microphone {
  private busy = false;
  private stopRecording: (() => void) | null = null;

  constructor(private readonly button: HTMLButtonElement, private readonly handlers: MicrophoneHandlers) {
    button.addEventListener('click', () => void this.toggle());
  }

  private get browserRecognition(): (new () => Recognition) | null {
    const w = window as unknown as { SpeechRecognition?: new () => Recognition; webkitSpeechRecognition?: new () => Recognition };
    return w.SpeechRecognition ?? w.webkitSpeechRecognition ?? null;
  }

  private async toggle(): Promise<void> {
    if (this.stopRecording) {
      this.stopRecording();
      return;
    }
    if (this.busy) return;
    const Rec = this.browserRecognition;
    if (Rec) return this.recogniseInBrowser(Rec);
    return this.record();
  }

  private recogniseInBrowser(Rec: new () => Recognition): void {
    const rec = new Rec();
    rec.lang = 'en-US';
    rec.interimResults = false;
    rec.maxAlternatives = 1;
    this.busy = true;
    this.button.classList.add('recording');
    this.handlers.status('listening (browser speech recognition)…');
    rec.onresult = (e) => {
      const best = e.results[0]?.[0];
      if (best) this.handlers.transcript(best.transcript);
    };
    rec.onerror = (e) => this.handlers.status(`speech recognition: ${e.error}`, true);
    rec.onend = () => {
      this.busy = false;
      this.button.classList.remove('recording');
    };
    rec.start();
  }

  private async record(): Promise<void> {
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1 } });
    } catch (err) {
      this.handlers.status(`microphone unavailable: ${(err as Error).message}`, true);
      return;
    }
    const ctx = new AudioContext();
    const source = ctx.createMediaStreamSource(stream);
    // ScriptProcessor is deprecated but needs no separate worklet file; it is plenty for a few seconds of speech.
    const proc = ctx.createScriptProcessor(4096, 1, 1);
    const chunks: Float32Array[] = [];
    proc.onaudioprocess = (e) => chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
    source.connect(proc);
    proc.connect(ctx.destination);
    this.button.classList.add('recording');
    this.handlers.status(`recording… click the microphone again to send (max ${MAX_RECORD_S} s)`);
    const timer = window.setTimeout(() => this.stopRecording?.(), MAX_RECORD_S * 1000);
    this.stopRecording = () => {
      window.clearTimeout(timer);
      this.stopRecording = null;
      proc.disconnect();
      source.disconnect();
      stream.getTracks().forEach((t) => t.stop());
      this.button.classList.remove('recording');
      const rate = ctx.sampleRate;
      void ctx.close();
      this.handlers.recording(encodeWav(resample(concat(chunks), rate, TARGET_RATE_HZ), TARGET_RATE_HZ));
    };
  }
}

function concat(chunks: Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let k = 0;
  for (const c of chunks) {
    out.set(c, k);
    k += c.length;
  }
  return out;
}

/** Linear-interpolation resampling (speech band only; the recogniser wants 16 kHz). */
function resample(x: Float32Array, fromHz: number, toHz: number): Float32Array {
  if (fromHz === toHz) return x;
  const n = Math.floor((x.length * toHz) / fromHz);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = (i * fromHz) / toHz, i0 = Math.floor(t), a = t - i0;
    y[i] = (x[i0] ?? 0) * (1 - a) + (x[i0 + 1] ?? x[i0] ?? 0) * a;
  }
  return y;
}

/** 16-bit PCM mono WAV. */
export function encodeWav(samples: Float32Array, rateHz: number): Blob {
  const buf = new ArrayBuffer(44 + samples.length * 2);
  const dv = new DataView(buf);
  const str = (o: number, s: string) => { for (let i = 0; i < s.length; i++) dv.setUint8(o + i, s.charCodeAt(i)); };
  str(0, 'RIFF');
  dv.setUint32(4, 36 + samples.length * 2, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, 1, true);
  dv.setUint16(22, 1, true);
  dv.setUint32(24, rateHz, true);
  dv.setUint32(28, rateHz * 2, true);
  dv.setUint16(32, 2, true);
  dv.setUint16(34, 16, true);
  str(36, 'data');
  dv.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) dv.setInt16(44 + i * 2, Math.max(-1, Math.min(1, samples[i]!)) * 0x7fff, true);
  return new Blob([buf], { type: 'audio/wav' });
}
