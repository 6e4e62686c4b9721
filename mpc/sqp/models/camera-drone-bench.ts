/**
 * A representative camera-drone OCP for `cinepilot bench mpc` — sized like
 * the cinematography problem (nx = 14, nu = 8, N = 40, Δt = 50 ms) so the
 * solver's speed can be measured on its own. Not the production model (that
 * is mpc/cinematography/); this one is a fixed, self-contained workload.
 *
 * State (14): p (3, NED m), v (3, m/s), yaw ψ, yaw rate, gimbal pitch θ,
 *   gimbal pitch rate, focal length f (mm), its rate (mm/s), focus (dioptres),
 *   f-number.
 * Control (8): acceleration a (3, m/s²), yaw accel, gimbal pitch accel,
 *   zoom accel (mm/s²), focus rate (dpt/s), iris rate (1/s).
 * Dynamics: ṗ = v, v̇ = a − c_d·‖v‖_ε·v (quadratic drag, ‖v‖_ε = √(v·v + ε²)),
 *   double integrators for yaw, gimbal pitch and zoom, single for focus, iris.
 * Parameters (8): subject position s (3), image target (u*, v*), distance
 *   target ρ*, focal length target f*, f-number target N*.
 * Residuals (nonlinear): pinhole image position of the subject vs target,
 *   camera-subject distance, focus − 1/distance (dioptres), zoom and iris vs
 *   targets, velocity and rates, controls. Soft constraints: keep-out sphere
 *   around the subject, minimum altitude.
 */
import type { OcpModel } from '../../ocp-model.ts';

export const BENCH_NX = 14;
export const BENCH_NU = 8;
export const BENCH_NP = 8;
const NX = BENCH_NX;
const NU = BENCH_NU;

const SENSOR_WIDTH_MM = 36;
const SENSOR_HEIGHT_MM = 24;
const DRAG_PER_M = 0.05;
const DRAG_EPS_MPS = 0.1;
const KEEP_OUT_M = 2.5;
const MIN_ALTITUDE_M = 1.5;
const MIN_DEPTH_M = 0.2; // guards the projection when the subject is behind the camera

const W_IMG = 8;
const W_DIST = 1;
const W_FOCUS = 2;
const W_ZOOM = 0.2;
const W_IRIS = 0.5;
const W_VEL = 0.3;
const W_RATE = 0.5;
const W_ZOOM_RATE = 0.02;
const W_U = [0.3, 0.3, 0.3, 0.3, 0.3, 0.01, 0.3, 0.3];
const TERMINAL_SCALE = 3;

const NY_FRAMING = 6; // image u, v, distance, focus, zoom, iris

/**
 * Framing residuals (6 rows) and their Jacobian w.r.t. x (6 × nx, rows at
 * `row` of r/J with row stride nx) scaled by `scale`.
 */
function framing(x: Float64Array, p: Float64Array, scale: number, r: Float64Array, J: Float64Array | null): void {
  const dx = p[0] - x[0], dy = p[1] - x[1], dz = p[2] - x[2];
  const psi = x[6], th = x[8], f = x[10];
  const cp = Math.cos(psi), sp = Math.sin(psi), ct = Math.cos(th), st = Math.sin(th);
  // camera axes in NED: forward, right, down (optical z, x, y)
  const fx = ct * cp, fy = ct * sp, fz = -st;
  const rx = -sp, ry = cp;
  const dnx = st * cp, dny = st * sp, dnz = ct;
  const xc = dx * rx + dy * ry;
  const yc = dx * dnx + dy * dny + dz * dnz;
  const zcRaw = dx * fx + dy * fy + dz * fz;
  const zc = zcRaw > MIN_DEPTH_M ? zcRaw : MIN_DEPTH_M;
  const zcActive = zcRaw > MIN_DEPTH_M ? 1 : 0;
  const ku = f / SENSOR_WIDTH_MM;
  const kv = f / SENSOR_HEIGHT_MM;
  const rho = Math.sqrt(dx * dx + dy * dy + dz * dz);
  const wI = scale * W_IMG;
  r[0] = wI * (0.5 + (ku * xc) / zc - p[3]);
  r[1] = wI * (0.5 + (kv * yc) / zc - p[4]);
  r[2] = scale * W_DIST * (rho - p[5]);
  r[3] = scale * W_FOCUS * (x[12] - 1 / rho);
  r[4] = scale * W_ZOOM * (f - p[6]);
  r[5] = scale * W_IRIS * (x[13] - p[7]);
  if (!J) return;
  J.fill(0, 0, NY_FRAMING * NX);
  // ∂(xc, yc, zc)/∂p = −(right, down, forward); ∂/∂ψ and ∂/∂θ from the rotated axes
  const xcPsi = -dx * cp - dy * sp;
  const ycPsi = -dx * st * sp + dy * st * cp;
  const zcPsi = (-dx * ct * sp + dy * ct * cp) * zcActive;
  const ycTh = zcRaw;
  const zcTh = -yc * zcActive;
  const inv = 1 / zc;
  const inv2 = inv * inv;
  // rows 0, 1 w.r.t. p: ∂xc/∂p = −right, ∂yc/∂p = −down, ∂zc/∂p = −forward (0 when clamped)
  const zpx = -fx * zcActive, zpy = -fy * zcActive, zpz = -fz * zcActive;
  J[0] = wI * ku * (-rx * inv - xc * zpx * inv2);
  J[1] = wI * ku * (-ry * inv - xc * zpy * inv2);
  J[2] = wI * ku * (-xc * zpz * inv2);
  J[NX + 0] = wI * kv * (-dnx * inv - yc * zpx * inv2);
  J[NX + 1] = wI * kv * (-dny * inv - yc * zpy * inv2);
  J[NX + 2] = wI * kv * (-dnz * inv - yc * zpz * inv2);
  J[0 * NX + 6] = wI * ku * (xcPsi * inv - xc * zcPsi * inv2);
  J[1 * NX + 6] = wI * kv * (ycPsi * inv - yc * zcPsi * inv2);
  J[0 * NX + 8] = wI * ku * (-xc * zcTh * inv2);
  J[1 * NX + 8] = wI * kv * (ycTh * inv - yc * zcTh * inv2);
  J[0 * NX + 10] = (wI * xc * inv) / SENSOR_WIDTH_MM;
  J[1 * NX + 10] = (wI * yc * inv) / SENSOR_HEIGHT_MM;
  const rho3 = rho * rho * rho;
  const wd = (-scale * W_DIST) / rho;
  const wf = (-scale * W_FOCUS) / rho3;
  J[2 * NX + 0] = wd * dx;
  J[2 * NX + 1] = wd * dy;
  J[2 * NX + 2] = wd * dz;
  J[3 * NX + 0] = wf * dx;
  J[3 * NX + 1] = wf * dy;
  J[3 * NX + 2] = wf * dz;
  J[3 * NX + 12] = scale * W_FOCUS;
  J[4 * NX + 10] = scale * W_ZOOM;
  J[5 * NX + 13] = scale * W_IRIS;
}

function softConstraints(x: Float64Array, p: Float64Array, h: Float64Array, dhdx: Float64Array | null): void {
  const dx = x[0] - p[0], dy = x[1] - p[1], dz = x[2] - p[2];
  h[0] = KEEP_OUT_M * KEEP_OUT_M - (dx * dx + dy * dy + dz * dz);
  h[1] = x[2] + MIN_ALTITUDE_M; // altitude −z ≥ MIN_ALTITUDE_M
  if (dhdx) {
    dhdx.fill(0, 0, 2 * NX);
    dhdx[0] = -2 * dx;
    dhdx[1] = -2 * dy;
    dhdx[2] = -2 * dz;
    dhdx[NX + 2] = 1;
  }
}

export function createCameraDroneBenchModel(N = 40, dtS = 0.05): OcpModel {
  const inf = Infinity;
  const framingJ = new Float64Array(NY_FRAMING * NX);
  const framingR = new Float64Array(NY_FRAMING);
  return {
    dims: { nx: NX, nu: NU, np: BENCH_NP, ny: NY_FRAMING + 3 + 3 + NU, nyN: NY_FRAMING + 3, nh: 2, nhN: 2, N },
    dtS,
    lbu: Float64Array.from([-4, -4, -4, -3, -3, -100, -2, -1]),
    ubu: Float64Array.from([4, 4, 4, 3, 3, 100, 2, 1]),
    lbx: Float64Array.from([-inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -Math.PI / 2, -inf, 24, -inf, 0, 1.4]),
    ubx: Float64Array.from([inf, inf, inf, inf, inf, inf, inf, inf, 0.35, inf, 120, inf, 10, 16]),
    softL1: Float64Array.from([50, 50]),
    softL2: Float64Array.from([500, 500]),
    softL1N: Float64Array.from([50, 50]),
    softL2N: Float64Array.from([500, 500]),

    dynamics(x, u, _p, xdot, dfdx, dfdu) {
      const vx = x[3], vy = x[4], vz = x[5];
      const n = Math.sqrt(vx * vx + vy * vy + vz * vz + DRAG_EPS_MPS * DRAG_EPS_MPS);
      xdot[0] = vx;
      xdot[1] = vy;
      xdot[2] = vz;
      xdot[3] = u[0] - DRAG_PER_M * n * vx;
      xdot[4] = u[1] - DRAG_PER_M * n * vy;
      xdot[5] = u[2] - DRAG_PER_M * n * vz;
      xdot[6] = x[7];
      xdot[7] = u[3];
      xdot[8] = x[9];
      xdot[9] = u[4];
      xdot[10] = x[11];
      xdot[11] = u[5];
      xdot[12] = u[6];
      xdot[13] = u[7];
      if (dfdx) {
        dfdx.fill(0);
        dfdx[0 * NX + 3] = 1;
        dfdx[1 * NX + 4] = 1;
        dfdx[2 * NX + 5] = 1;
        // ∂(n v)/∂v = n I + v vᵀ / n
        for (let i = 0; i < 3; i++) {
          const vi = x[3 + i];
          for (let j = 0; j < 3; j++) dfdx[(3 + i) * NX + 3 + j] = -DRAG_PER_M * ((i === j ? n : 0) + (vi * x[3 + j]) / n);
        }
        dfdx[6 * NX + 7] = 1;
        dfdx[8 * NX + 9] = 1;
        dfdx[10 * NX + 11] = 1;
      }
      if (dfdu) {
        dfdu.fill(0);
        dfdu[3 * NU + 0] = 1;
        dfdu[4 * NU + 1] = 1;
        dfdu[5 * NU + 2] = 1;
        dfdu[7 * NU + 3] = 1;
        dfdu[9 * NU + 4] = 1;
        dfdu[11 * NU + 5] = 1;
        dfdu[12 * NU + 6] = 1;
        dfdu[13 * NU + 7] = 1;
      }
    },

    stageResidual(_k, x, u, p, r, drdx, drdu) {
      framing(x, p, 1, framingR, drdx ? framingJ : null);
      for (let i = 0; i < NY_FRAMING; i++) r[i] = framingR[i];
      let row = NY_FRAMING;
      for (let i = 0; i < 3; i++) r[row + i] = W_VEL * x[3 + i];
      row += 3;
      r[row] = W_RATE * x[7];
      r[row + 1] = W_RATE * x[9];
      r[row + 2] = W_ZOOM_RATE * x[11];
      row += 3;
      for (let j = 0; j < NU; j++) r[row + j] = W_U[j] * u[j];
      if (drdx) {
        drdx.fill(0);
        drdx.set(framingJ, 0);
        for (let i = 0; i < 3; i++) drdx[(NY_FRAMING + i) * NX + 3 + i] = W_VEL;
        drdx[(NY_FRAMING + 3) * NX + 7] = W_RATE;
        drdx[(NY_FRAMING + 4) * NX + 9] = W_RATE;
        drdx[(NY_FRAMING + 5) * NX + 11] = W_ZOOM_RATE;
      }
      if (drdu) {
        drdu.fill(0);
        for (let j = 0; j < NU; j++) drdu[(NY_FRAMING + 6 + j) * NU + j] = W_U[j];
      }
    },

    terminalResidual(x, p, r, drdx) {
      framing(x, p, TERMINAL_SCALE, framingR, drdx ? framingJ : null);
      for (let i = 0; i < NY_FRAMING; i++) r[i] = framingR[i];
      for (let i = 0; i < 3; i++) r[NY_FRAMING + i] = TERMINAL_SCALE * W_VEL * x[3 + i];
      if (drdx) {
        drdx.fill(0);
        drdx.set(framingJ, 0);
        for (let i = 0; i < 3; i++) drdx[(NY_FRAMING + i) * NX + 3 + i] = TERMINAL_SCALE * W_VEL;
      }
    },

    stageConstraint(_k, x, _u, p, h, dhdx, dhdu) {
      softConstraints(x, p, h, dhdx);
      if (dhdu) dhdu.fill(0, 0, 2 * NU);
    },

    terminalConstraint(x, p, h, dhdx) {
      softConstraints(x, p, h, dhdx);
    },
  };
}

/**
 * The bench scenario's parameters at time tS: a subject walking a circle of
 * 6 m radius at 1.2 m/s, framed on the left third, distance 6 m, and a slow
 * zoom between 35 and 70 mm (a dolly-zoom-like schedule), f/2.8.
 */
export function benchParameters(tS: number, out: Float64Array): Float64Array {
  const radiusM = 6;
  const omega = 1.2 / radiusM;
  out[0] = radiusM * Math.cos(omega * tS);
  out[1] = radiusM * Math.sin(omega * tS);
  out[2] = -0.9; // chest height
  out[3] = 1 / 3;
  out[4] = 0.5;
  out[5] = 6;
  out[6] = 52.5 + 17.5 * Math.sin(0.3 * tS);
  out[7] = 2.8;
  return out;
}

/** A start state behind and above the subject's start, lens at 35 mm, f/4, focus 1/6 dpt. */
export function benchInitialState(): Float64Array {
  const x = new Float64Array(NX);
  x[0] = 0;
  x[1] = 0;
  x[2] = -3;
  x[6] = 0;
  x[8] = -0.2;
  x[10] = 35;
  x[12] = 1 / 6;
  x[13] = 4;
  return x;
}
