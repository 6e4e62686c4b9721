/**
 * Detection on worker threads: N TfjsDetectors, each on its own thread and
 * wasm instance, fed round-robin by the least busy. On a 2-core machine two
 * workers detect two frames at once while the main thread tracks; results
 * come back as promises the caller awaits in frame order.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CinePilotError } from '../../core/errors.ts';
import type { DetectionBatch, RgbFrame } from '../../core/perception-types.ts';
import type { Detector, DetectorCapabilities } from './detector.ts';
import type { TfjsDetectorSettings } from './tfjs-detector.ts';

/**
 * Worker threads do not inherit tsx's loader (and Node 20 ignores
 * `--import tsx` in a worker's execArgv), so the worker registers tsx's ESM
 * hooks itself before importing the TypeScript worker module.
 */
function workerBootstrap(): string {
  const require = createRequire(import.meta.url);
  // tsx/esm/api resolves to its CommonJS build through require; the ESM build sits beside it
  const tsxApi = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./detector-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
}

interface Pending {
  resolve: (b: DetectionBatch) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: number;
}

export class DetectorPool implements Detector {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private caps!: DetectorCapabilities; // as one worker reports them

  private constructor() {}

  static async create(workers: number, settings: TfjsDetectorSettings = {}): Promise<DetectorPool> {
    if (!(Number.isInteger(workers) && workers >= 1 && workers <= 16)) throw new CinePilotError('BAD_DETECTOR_SETTING', `detector workers must be an integer 1 … 16, got ${workers}.`);
    const pool = new DetectorPool();
    await Promise.all(Array.from({ length: workers }, () => pool.spawn(settings)));
    return pool;
  }

  private spawn(settings: TfjsDetectorSettings): Promise<void> {
    const worker = new Worker(workerBootstrap(), { eval: true, workerData: settings });
    const slot: Slot = { worker, busy: 0 };
    this.slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (msg: { type: string; id?: number; batch?: DetectionBatch; capabilities?: DetectorCapabilities; message?: string; code?: string }) => {
        if (msg.type === 'ready') {
          this.caps = msg.capabilities!;
          resolve();
          return;
        }
        const p = this.pending.get(msg.id!);
        if (!p) return;
        this.pending.delete(msg.id!);
        slot.busy--;
        if (msg.type === 'result') p.resolve(msg.batch!);
        else p.reject(new CinePilotError(msg.code ?? 'DETECTOR_FAILED', msg.message ?? 'detector worker failed'));
      });
      worker.on('error', (err) => {
        reject(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
    });
  }

  capabilities(): DetectorCapabilities {
    return { ...this.caps, backend: `${this.caps.backend} × ${this.slots.length} worker threads` };
  }

  /** Detect on the least busy worker. The frame's pixels are copied, so the caller may keep drawing on it. */
  detect(frame: RgbFrame): Promise<DetectionBatch> {
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ type: 'detect', id, frame });
    });
  }

  dispose(): void {
    for (const s of this.slots) void s.worker.terminate();
    this.slots.length = 0;
  }
}
