/**
 * TensorFlow.js back-end selection, done once per process. Native
 * TensorFlow (`@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`) is
 * used when the user installed it — its install downloads libtensorflow, so it
 * stays optional and is found at run time; otherwise the WebAssembly back-end,
 * with its .wasm files loaded from node_modules (never fetched).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CinePilotError } from '../../core/errors.ts';

export type Tf = typeof import('@tensorflow/tfjs');
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export interface TfRuntime {
  tf: Tf;
  /** tfjs back-end name in use: 'tensorflow' | 'wasm' | 'cpu' */
  backend: string;
  /** one line for start-up logs, e.g. "wasm (SIMD, 1 thread)" */
  description: string;
}

let runtime: Promise<TfRuntime> | null = null;
let runtimePreference: BackendPreference | null = null;

const require = createRequire(import.meta.url);

/** Whether a package can be resolved from here, without loading it. */
export function isInstalled(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

async function tryNative(): Promise<TfRuntime | null> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    if (!isInstalled(pkg)) continue;
    try {
      const tf = (await import(pkg)) as Tf;
      await tf.setBackend('tensorflow');
      await tf.ready();
      return { tf, backend: 'tensorflow', description: `tensorflow (native, ${pkg})` };
    } catch (err) {
      process.emitWarning(`${pkg} is installed but failed to load (${(err as Error).message}); falling back to wasm.`);
    }
  }
  return null;
}

async function loadWasm(tf: Tf): Promise<TfRuntime> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
  wasm.setWasmPaths(dist);
  if (!(await tf.setBackend('wasm'))) throw new CinePilotError('BACKEND_UNAVAILABLE', 'the tfjs wasm back-end failed to start; check that @tensorflow/tfjs-backend-wasm is installed.');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = wasm.getThreadsCount();
  return { tf, backend: 'wasm', description: `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'})` };
}

async function select(preference: BackendPreference): Promise<TfRuntime> {
  if (preference === 'auto' || preference === 'tensorflow') {
    const native = await tryNative();
    if (native) return native;
    if (preference === 'tensorflow') {
      throw new CinePilotError('BACKEND_UNAVAILABLE', 'native TensorFlow is not installed; `npm install @tensorflow/tfjs-node` (or -gpu) or use --backend wasm.');
    }
  }
  const tf = (await import('@tensorflow/tfjs')) as Tf;
  if (preference === 'cpu') {
    await tf.setBackend('cpu');
    await tf.ready();
    return { tf, backend: 'cpu', description: 'cpu (pure JavaScript, slow; for debugging)' };
  }
  return loadWasm(tf);
}

/** The process-wide TensorFlow.js runtime; the first call decides the back-end. */
export function loadTf(preference: BackendPreference = 'auto'): Promise<TfRuntime> {
  if (!BACKEND_PREFERENCES.includes(preference)) {
    throw new CinePilotError('BAD_BACKEND', `unknown back-end "${preference}"; use one of ${BACKEND_PREFERENCES.join(', ')}.`);
  }
  if (runtime && runtimePreference !== preference && preference !== 'auto') {
    return runtime.then((r) => {
      if (preference !== r.backend) throw new CinePilotError('BACKEND_CONFLICT', `TensorFlow.js already runs on ${r.backend} in this process; cannot switch to ${preference}.`);
      return r;
    });
  }
  if (!runtime) {
    runtimePreference = preference;
    runtime = select(preference);
    runtime.catch(() => {
      runtime = null;
    });
  }
  return runtime;
}
