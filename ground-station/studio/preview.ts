/**
 * Runs previews on one long-lived worker thread (started on first use, so a
 * studio that never previews never pays for it), one at a time in arrival
 * order, each with a time limit.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { GroundStationError } from '../protocol/errors.ts';
import type { PreviewResult } from '../protocol/state.ts';
import type { PreviewJob } from './preview-sim.ts';

/** A preview taking longer than this is abandoned (and the worker restarted), ms. */
export const PREVIEW_TIMEOUT_MS = 60_000;

/**
 * The worker registers tsx itself before importing the TypeScript worker
 * module (execArgv '--import tsx' is not honoured by workers on every Node 20).
 */
function workerBootstrap(): string {
  let tsxApi: string;
  try {
    tsxApi = import.meta.resolve('tsx/esm/api');
  } catch {
    // runners without import.meta.resolve (vitest): the ESM entry sits beside the CJS one
    tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  }
  const entry = new URL('./preview-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
}

type Reply = { id: number; ok: true; result: PreviewResult } | { id: number; ok: false; code: string; message: string };

export class PreviewRunner {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: PreviewResult) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(workerBootstrap(), { eval: true });
    w.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      clearTimeout(p.timer);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new GroundStationError(reply.code === 'PREVIEW_NOT_FLYING' || reply.code.startsWith('SHOT_') ? 'SHOT_REJECTED' : 'PREVIEW_FAILED', reply.message, { reason: reply.code }));
    });
    w.on('error', (err) => this.failAll(`preview worker failed: ${err.message}`));
    w.on('exit', () => {
      if (this.worker === w) this.worker = null;
      this.failAll('preview worker stopped');
    });
    w.unref();
    this.worker = w;
    return w;
  }

  private failAll(message: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new GroundStationError('PREVIEW_FAILED', message));
      this.pending.delete(id);
    }
  }

  run(job: PreviewJob): Promise<PreviewResult> {
    const w = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new GroundStationError('PREVIEW_FAILED', `the preview took longer than ${PREVIEW_TIMEOUT_MS / 1000} s and was abandoned`));
        void this.worker?.terminate();
      }, PREVIEW_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      w.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    this.failAll('studio closing');
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
