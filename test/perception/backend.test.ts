/**
 * Back-end selection. Native TensorFlow (@tensorflow/tfjs-node[-gpu]) is
 * optional: its install downloads libtensorflow, so it is detected at run
 * time; without it, asking for it explicitly is a clear error and `auto`
 * falls back to wasm.
 */
import { describe, expect, it } from 'vitest';
import { isInstalled, loadTf } from '../../perception/detection/tf-backend.ts';
import { createDetector } from '../../perception/detection/tfjs-detector.ts';

const nativePkg = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].find(isInstalled);

describe('TensorFlow.js back-end', () => {
  it.skipIf(nativePkg !== undefined)('without native TensorFlow installed, --backend tensorflow says how to get it', async () => {
    await expect(loadTf('tensorflow')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/npm install @tensorflow\/tfjs-node/) });
  });

  it('rejects an unknown back-end name, listing the choices', () => {
    expect(() => loadTf('cuda' as never)).toThrow(/auto, tensorflow, wasm, cpu/);
  });

  it.skipIf(nativePkg === undefined)(
    `runs the people detector on native TensorFlow${nativePkg ? ` (${nativePkg})` : ' (SKIPPED: neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed)'}`,
    async () => {
      const det = await createDetector({ backend: 'tensorflow' });
      expect(det.capabilities().backend).toMatch(/^tensorflow/);
      const batch = await det.detect({ index: 0, timestampS: 0, width: 64, height: 48, data: new Uint8Array(64 * 48 * 3) });
      expect(batch.detections.filter((d) => d.score > 0.5)).toEqual([]);
      det.dispose();
    },
  );

  it('auto picks native TensorFlow when installed, else wasm with local .wasm files', async () => {
    const rt = await loadTf('auto');
    expect(rt.backend).toBe(nativePkg ? 'tensorflow' : 'wasm');
    expect(rt.description).toMatch(nativePkg ? /tensorflow/ : /^wasm \((SIMD|no SIMD), \d+ threads?\)$/);
  });
});
