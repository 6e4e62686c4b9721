/**
 * Allocation probe, run as a child process by alloc.test.ts
 * (`node --import tsx test/solver/alloc-probe.ts`), prints JSON.
 *
 * After a warm-up (so the JIT has optimised the hot path — interpreted code
 * boxes doubles), V8's sampling heap profiler (HeapProfiler.startSampling,
 * one sample per 32 allocated bytes on average) records every JS allocation
 * with its stack while solve()/RTI steps run. Any allocation made by a frame
 * in mpc/ is reported with bytes and stack; the expected figure is 0.
 */
import { Session } from 'node:inspector/promises';
import { createQpSolver, randomControlQp } from '../../mpc/qp/index.ts';
import { createRtiSolver } from '../../mpc/sqp/index.ts';
import { benchInitialState, benchParameters, createCameraDroneBenchModel } from '../../mpc/sqp/models/camera-drone-bench.ts';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

// TurboFan compiles on a background thread: on the shared 2-core machine 150
// warm-up calls sometimes left a hot function (direction, factorize) still in
// baseline code, whose boxed doubles read as allocations; 500 is steady state.
const WARMUP_CALLS = Number(process.env.WARMUP_CALLS ?? 500);
const session = new Session();
session.connect();

async function measure(label: string, calls: number, fn: () => void) {
  for (let i = 0; i < WARMUP_CALLS; i++) fn();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 32 });
  for (let i = 0; i < calls; i++) fn();
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
  let bytes = 0;
  const where: string[] = [];
  const walk = (n: ProfileNode, inSolver: boolean, stack: string) => {
    const here = n.callFrame.url.includes('/mpc/');
    const frame = `${n.callFrame.functionName || '(anonymous)'}@${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
    const under = inSolver || here;
    const st = here ? `${stack} > ${frame}` : stack;
    if (under && n.selfSize > 0) {
      bytes += n.selfSize;
      where.push(`${n.selfSize} B at ${st}`);
    }
    for (const c of n.children) walk(c, under, st);
  };
  walk(profile.head, false, '');
  return { label, calls, sampledBytes: bytes, bytesPerCall: bytes / calls, where: where.slice(0, 5) };
}

const dims = { N: 40, nx: 14, nu: 8 };
const qpSolver = createQpSolver(dims, { timing: false });
qpSolver.qp.copyFrom(randomControlQp({ ...dims, seed: 3 }));
const model = createCameraDroneBenchModel();
const rti = createRtiSolver(model, { qp: { timing: false }, timing: false });
const p = new Float64Array(8);
for (let k = 0; k <= 40; k++) rti.setParameters(k, benchParameters(k * 0.05, p));
const x0 = benchInitialState();
rti.setInitialState(x0);
rti.initialize(x0);
const u0 = new Float64Array(8);
const results = [];
results.push(await measure('qp.solve (control class, N=40, nx=14, nu=8)', 200, () => { qpSolver.solve(); }));
results.push(await measure('rti prepare + feedback + u(0, out) + shift (bench model, soft constraints)', 200, () => {
  rti.prepare();
  rti.setInitialState(x0);
  rti.feedback();
  rti.u(0, u0);
  rti.shift();
}));
const softSolver = createQpSolver({ ...dims, ns: 2, nsN: 2 }, { timing: false });
softSolver.qp.copyFrom(rti.qpSolver.qp);
results.push(await measure('qp.solve (with soft rows)', 200, () => { softSolver.solve(); }));
session.disconnect();
console.log(JSON.stringify(results));
