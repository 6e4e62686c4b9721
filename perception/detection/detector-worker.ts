/**
 * Worker-thread side of DetectorPool: one TfjsDetector (its own wasm
 * instance) per thread, so detection of several frames runs in parallel
 * while the main thread decodes, tracks and writes output.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RgbFrame } from '../../core/perception-types.ts';
import { TfjsDetector, type TfjsDetectorSettings } from './tfjs-detector.ts';

const port = parentPort!;
const detector = await TfjsDetector.create(workerData as TfjsDetectorSettings);
port.postMessage({ type: 'ready', capabilities: detector.capabilities() });
port.on('message', async (msg: { type: 'detect'; id: number; frame: RgbFrame } | { type: 'close' }) => {
  if (msg.type === 'close') {
    detector.dispose();
    port.close();
    return;
  }
  try {
    const batch = await detector.detect(msg.frame);
    const transfer = batch.detections.flatMap((d) => (d.appearance ? [d.appearance.buffer as ArrayBuffer] : []));
    port.postMessage({ type: 'result', id: msg.id, batch }, transfer);
  } catch (err) {
    port.postMessage({ type: 'error', id: msg.id, message: (err as Error).message, code: (err as { code?: string }).code });
  }
});
