/**
 * Compare an OcpModel's analytic Jacobians with central finite differences at
 * one point — the check every model author should run in a test
 * (wrong Jacobians make RTI converge slowly or to the wrong point).
 * Allocates; not for the control path.
 */
import type { OcpModel } from '../ocp-model.ts';

export interface DerivativeErrors {
  /** max |analytic − FD| / max(1, |analytic|) per callback */
  dynamics: number;
  stageResidual: number;
  terminalResidual: number;
  stageConstraint: number;
  terminalConstraint: number;
  /** worst of the above */
  worst: number;
  /** where the worst entry is, e.g. "stageResidual ∂r[3]/∂x[10]" */
  where: string;
}

export function checkModelDerivatives(
  model: OcpModel, x: ArrayLike<number>, u: ArrayLike<number>, p: ArrayLike<number>, k = 0, epsilon = 1e-6,
): DerivativeErrors {
  const { nx, nu, ny, nyN, nh, nhN } = model.dims;
  const out: DerivativeErrors = { dynamics: 0, stageResidual: 0, terminalResidual: 0, stageConstraint: 0, terminalConstraint: 0, worst: 0, where: '' };
  const X = Float64Array.from(x);
  const U = Float64Array.from(u);
  const P = Float64Array.from(p);
  type Eval = (x: Float64Array, u: Float64Array, val: Float64Array, jx: Float64Array | null, ju: Float64Array | null) => void;
  const check = (name: Exclude<keyof DerivativeErrors, 'worst' | 'where'>, m: number, withU: boolean, f: Eval) => {
    if (m === 0) return;
    const jx = new Float64Array(m * nx);
    const ju = new Float64Array(m * nu);
    const val = new Float64Array(m);
    f(X, U, val, jx, withU ? ju : null);
    const plus = new Float64Array(m);
    const minus = new Float64Array(m);
    const n = withU ? nx + nu : nx;
    for (let j = 0; j < n; j++) {
      const xp = X.slice(), xm = X.slice(), up = U.slice(), um = U.slice();
      if (j < nx) { xp[j] += epsilon; xm[j] -= epsilon; } else { up[j - nx] += epsilon; um[j - nx] -= epsilon; }
      f(xp, up, plus, null, null);
      f(xm, um, minus, null, null);
      for (let i = 0; i < m; i++) {
        const fd = (plus[i] - minus[i]) / (2 * epsilon);
        const an = j < nx ? jx[i * nx + j] : ju[i * nu + j - nx];
        const err = Math.abs(fd - an) / Math.max(1, Math.abs(an));
        if (err > out[name]) out[name] = err;
        if (err > out.worst) {
          out.worst = err;
          out.where = `${name} ∂[${i}]/∂${j < nx ? `x[${j}]` : `u[${j - nx}]`}`;
        }
      }
    }
  };
  check('dynamics', nx, true, (x, u, v, jx, ju) => model.dynamics(x, u, P, v, jx, ju));
  check('stageResidual', ny, true, (x, u, v, jx, ju) => model.stageResidual(k, x, u, P, v, jx, ju));
  check('terminalResidual', nyN, false, (x, _u, v, jx) => model.terminalResidual(x, P, v, jx));
  if (model.stageConstraint) check('stageConstraint', nh, true, (x, u, v, jx, ju) => model.stageConstraint!(k, x, u, P, v, jx, ju));
  if (model.terminalConstraint) check('terminalConstraint', nhN, false, (x, _u, v, jx) => model.terminalConstraint!(x, P, v, jx));
  return out;
}
