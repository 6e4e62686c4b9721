/**
 * OCP-QP: the stage-wise QP (ocp-qp.ts), its Riccati interior-point solver
 * (ipm-solver.ts), settings, the JSON file format (json.ts) and a generator of
 * random "control"-class problems. See docs/solver.md.
 */
export { OcpQp, QP_ERROR, BOUND_INFINITY, checkDims, type OcpQpDims, type OcpQpStageInput } from './ocp-qp.ts';
export { OcpQpSolver, createQpSolver, type QpInfo, type QpSolution, type QpStatus } from './ipm-solver.ts';
export {
  DEFAULT_QP_SETTINGS, DEFAULT_MAX_ITERATIONS, DEFAULT_TIME_LIMIT_MS, resolveQpSettings, type QpSettings,
} from './settings.ts';
export { randomControlQp, seededRandom } from './random-control.ts';
