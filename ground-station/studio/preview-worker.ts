/** Worker thread for previews: the main thread's control loop and state stream never wait on a preview. */
import { parentPort } from 'node:worker_threads';
import { CinePilotError } from '../../core/errors.ts';
import { type PreviewJob, simulatePreview } from './preview-sim.ts';

parentPort!.on('message', (msg: { id: number; job: PreviewJob }) => {
  simulatePreview(msg.job).then(
    (result) => parentPort!.postMessage({ id: msg.id, ok: true, result }),
    (err: unknown) => parentPort!.postMessage({
      id: msg.id, ok: false,
      code: err instanceof CinePilotError ? err.code : 'PREVIEW_FAILED',
      message: err instanceof Error ? err.message : String(err),
    }),
  );
});
