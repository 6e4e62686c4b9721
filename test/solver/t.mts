import { createRtiSolver } from '../../mpc/sqp/index.ts';
import { benchInitialState, benchParameters, createCameraDroneBenchModel } from '../../mpc/sqp/models/camera-drone-bench.ts';
const model = createCameraDroneBenchModel();
const tol = Number(process.env.TOL ?? 1e-6); const rti = createRtiSolver(model, { qp: { timing: false, tolComplementarity: tol, tolStationarity: tol, warmStartDual: process.env.WD === '1', warmSlack: Number(process.env.WS ?? 1e-2) }, timing: false });
const p = new Float64Array(8);
for (let k = 0; k <= 40; k++) rti.setParameters(k, benchParameters(k * 0.05, p));
const x0 = benchInitialState();
rti.setInitialState(x0); rti.initialize(x0);
const u0 = new Float64Array(8);
const c0 = process.cpuUsage(); let its = 0;
for (let i = 0; i < 400; i++) { rti.prepare(); rti.setInitialState(x0); its += rti.feedback().qpIterations; rti.u(0, u0); rti.shift(); }
const c = process.cpuUsage(c0); console.log('cpu ms/tick', c.user / 1000 / 400, 'iters', its / 400);
