/**
 * RTI-SQP for nonlinear OCPs described by an OcpModel (mpc/ocp-model.ts).
 *
 * Usage (one control tick at 20–50 Hz):
 *
 *   import { createRtiSolver } from '../sqp/index.ts';
 *   const rti = createRtiSolver(model, { qp: { timeLimitMs: 5 } });  // setup: allocates
 *   for (let k = 0; k <= model.dims.N; k++) rti.setParameters(k, paramsAt(k));
 *   rti.setInitialState(xMeasured);
 *   rti.initialize();                 // or initialize(xGuess, uGuess)
 *   // every tick:
 *   rti.prepare();                    // linearise + build QP (before the measurement)
 *   rti.setInitialState(xMeasured);   // the new measurement
 *   const info = rti.feedback();      // solve QP, take the step; info.status, info.qpIterations, …
 *   rti.u(0, uApply);                 // first control of the plan (x(k, out) for the plan)
 *   rti.shift();                      // warm start for the next tick
 *   for (let k = 0; k <= N; k++) rti.setParameters(k, paramsAt(k + 1)); // the new horizon
 *
 * step() = prepare() + feedback(). After setup nothing here allocates
 * (x()/u() allocate only when called without `out`).
 */
export {
  RtiSolver, createRtiSolver, validateModel, RTI_ERROR, DEFAULT_HESSIAN_REGULARIZATION, DEFAULT_RTI_QP_SETTINGS,
  type RtiInfo, type RtiSettings,
} from './rti-solver.ts';
export { Rk4Integrator } from './rk4.ts';
