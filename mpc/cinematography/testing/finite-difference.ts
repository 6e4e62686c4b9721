/**
 * Test helpers: central finite differences of a vector function, and a
 * random but well-posed cinematography stage (subjects in front of the
 * camera, lens inside its range) to check analytic Jacobians against.
 */
import { NP, NU, NX, P, SLOT, SUBJECT_SLOTS, KEEP_OUT_SLOTS, FENCE_EDGE_SLOTS, X, U, stopsFromFNumber } from '../layout.ts';

/** Row-major m × n Jacobian of f: Rⁿ → Rᵐ at z by central differences with step h·max(1, |z_j|). */
export function centralDifferenceJacobian(
  f: (z: Float64Array, out: Float64Array) => void, z: Float64Array, m: number, h = 1e-6,
): Float64Array {
  const n = z.length;
  const J = new Float64Array(m * n);
  const plus = new Float64Array(m), minus = new Float64Array(m);
  const zz = Float64Array.from(z);
  for (let j = 0; j < n; j++) {
    const step = h * Math.max(1, Math.abs(z[j]));
    zz[j] = z[j] + step;
    f(zz, plus);
    zz[j] = z[j] - step;
    f(zz, minus);
    zz[j] = z[j];
    for (let i = 0; i < m; i++) J[i * n + j] = (plus[i] - minus[i]) / (2 * step);
  }
  return J;
}

/** Largest |A − B| / (1 + |B|) over entries, with the index where it occurs. */
export function maxRelativeError(A: Float64Array, B: Float64Array): { error: number; index: number } {
  let error = 0, index = -1;
  for (let i = 0; i < A.length; i++) {
    const e = Math.abs(A[i] - B[i]) / (1 + Math.abs(B[i]));
    if (e > error) {
      error = e;
      index = i;
    }
  }
  return { error, index };
}

export { seededRandom } from '../../qp/random-control.ts';

/** A random stage: camera near the origin looking roughly at subjects 4–12 m away, every term active. */
export function randomStage(rand: () => number): { x: Float64Array; u: Float64Array; p: Float64Array } {
  const r = (lo: number, hi: number) => lo + (hi - lo) * rand();
  const x = new Float64Array(NX), u = new Float64Array(NU), p = new Float64Array(NP);
  x[X.PN] = r(-2, 2); x[X.PE] = r(-2, 2); x[X.PD] = r(-6, -1.5);
  for (let i = 0; i < 3; i++) {
    x[X.VN + i] = r(-3, 3);
    x[X.AN + i] = r(-2, 2);
  }
  const yaw = r(-Math.PI, Math.PI);
  x[X.YAW] = yaw;
  x[X.GIMBAL_YAW] = r(-0.3, 0.3);
  x[X.GIMBAL_PITCH] = r(-0.5, 0.1);
  x[X.FOCAL_MM] = r(24, 70);
  x[X.FOCUS_DPT] = r(0.05, 0.3);
  x[X.IRIS_STOPS] = stopsFromFNumber(r(2.8, 11));
  for (let i = 0; i < NU; i++) u[i] = r(-1, 1);
  u[U.ZOOM_RATE] = r(-10, 10);
  const look = yaw + x[X.GIMBAL_YAW];
  for (let s = 0; s < SUBJECT_SLOTS; s++) {
    const o = P.slot(s);
    const dist = r(4, 12), off = r(-0.25, 0.25);
    const n = x[X.PN] + dist * Math.cos(look + off), e = x[X.PE] + dist * Math.sin(look + off);
    const h = r(1.5, 1.9);
    p[o + SLOT.EYE] = n; p[o + SLOT.EYE + 1] = e; p[o + SLOT.EYE + 2] = -0.93 * h;
    p[o + SLOT.FEET] = n; p[o + SLOT.FEET + 1] = e; p[o + SLOT.FEET + 2] = 0;
    p[o + SLOT.TOP] = n; p[o + SLOT.TOP + 1] = e; p[o + SLOT.TOP + 2] = -h;
    p[o + SLOT.U_TARGET] = r(0.3, 0.7);
    p[o + SLOT.V_TARGET] = r(0.3, 0.5);
    p[o + SLOT.SIZE_TARGET] = r(0.3, 1.6);
    p[o + SLOT.W_COMPOSITION] = r(1, 20);
    p[o + SLOT.W_SIZE] = r(1, 5);
    p[o + SLOT.W_FOCUS] = r(1, 10);
    p[o + SLOT.IN_BAND] = 1;
  }
  for (let i = 0; i < 3; i++) {
    p[P.POS_REF + i] = r(-5, 5);
    p[P.VEL_REF + i] = r(-2, 2);
  }
  p[P.W_POS_NE] = r(0.1, 2); p[P.W_POS_D] = r(0.1, 2); p[P.W_VEL] = r(0.1, 1);
  p[P.FOCAL_REF_MM] = r(24, 70); p[P.W_FOCAL] = r(0, 1);
  p[P.FOCUS_REF_DPT] = r(0.05, 0.3); p[P.W_FOCUS_REF] = r(0, 5);
  p[P.IRIS_REF_STOPS] = r(3, 6); p[P.W_IRIS] = r(0, 1);
  p[P.W_GIMBAL_YAW] = r(0, 2);
  p[P.BAND_MARGIN] = 0.8;
  p[P.BACKGROUND_INV_M] = 1 / r(25, 40);
  p[P.DEFOCUS] = 1;
  for (let j = 0; j < KEEP_OUT_SLOTS; j++) {
    const o = P.keepOut(j);
    p[o] = r(-5, 5); p[o + 1] = r(-5, 5); p[o + 2] = r(-1.5, 0); p[o + 3] = r(2, 4);
  }
  for (let j = 0; j < FENCE_EDGE_SLOTS; j++) {
    const o = P.fenceEdge(j), a = r(-Math.PI, Math.PI);
    p[o] = Math.cos(a); p[o + 1] = Math.sin(a); p[o + 2] = r(20, 60);
  }
  p[P.MIN_ALT_M] = 1; p[P.MAX_ALT_M] = 60;
  return { x, u, p };
}
