/**
 * A quadrotor point-to-point OCP — the test problem of the RTI-SQP (not the
 * cinematography model, which lives in mpc/cinematography/).
 *
 * State (9): p (3, NED m), v (3, m/s), roll φ, pitch θ, yaw ψ (rad, ZYX).
 * Control (4): mass-normalised collective thrust T (m/s²), body rates
 * φ̇, θ̇, ψ̇ (rad/s, Euler-rate approximation).
 *   ṗ = v,  v̇ = g·e_z − T·R(φ, θ, ψ)·e_z,  (φ̇, θ̇, ψ̇) = ω
 * with R·e_z = [cψsθcφ + sψsφ, sψsθcφ − cψsφ, cθcφ] (third column of Rz·Ry·Rx).
 * Parameters (3): the target position. Residuals weight position error,
 * velocity, attitude, thrust − g and body rates; one soft constraint keeps
 * the drone outside a sphere (an obstacle), r² − ‖p − c‖² ≤ 0.
 */
import { GRAVITY_MPS2 } from '../../../core/units.ts';
import type { OcpModel } from '../../ocp-model.ts';

export interface QuadrotorOptions {
  N?: number;
  dtS?: number;
  /** obstacle centre (NED m) and radius (m); radius 0 disables it */
  obstacleCentre?: readonly [number, number, number];
  obstacleRadiusM?: number;
}

const W_POS = 3;
const W_VEL = 0.5;
const W_ATT = 1;
const W_THRUST = 0.3;
const W_RATE = 0.3;
const W_POS_N = 10;
const W_VEL_N = 3;
const MAX_THRUST_MPS2 = 2 * GRAVITY_MPS2;
const MAX_RATE_RADPS = 2;
const MAX_TILT_RAD = 0.6;

export function createQuadrotorModel(options: QuadrotorOptions = {}): OcpModel {
  const N = options.N ?? 30;
  const dtS = options.dtS ?? 0.1;
  const centre = options.obstacleCentre ?? [0, 0, 0];
  const radius = options.obstacleRadiusM ?? 0;
  const nh = radius > 0 ? 1 : 0;
  const g = GRAVITY_MPS2;
  return {
    dims: { nx: 9, nu: 4, np: 3, ny: 13, nyN: 6, nh, nhN: 0, N },
    dtS,
    lbu: Float64Array.from([0, -MAX_RATE_RADPS, -MAX_RATE_RADPS, -MAX_RATE_RADPS]),
    ubu: Float64Array.from([MAX_THRUST_MPS2, MAX_RATE_RADPS, MAX_RATE_RADPS, MAX_RATE_RADPS]),
    lbx: Float64Array.from([-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -MAX_TILT_RAD, -MAX_TILT_RAD, -Infinity]),
    ubx: Float64Array.from([Infinity, Infinity, Infinity, Infinity, Infinity, Infinity, MAX_TILT_RAD, MAX_TILT_RAD, Infinity]),
    softL1: new Float64Array(nh).fill(100),
    softL2: new Float64Array(nh).fill(1000),
    softL1N: new Float64Array(0),
    softL2N: new Float64Array(0),

    dynamics(x, u, _p, xdot, dfdx, dfdu) {
      const phi = x[6], th = x[7], psi = x[8];
      const T = u[0];
      const cf = Math.cos(phi), sf = Math.sin(phi), ct = Math.cos(th), st = Math.sin(th), cp = Math.cos(psi), sp = Math.sin(psi);
      const ex = cp * st * cf + sp * sf;
      const ey = sp * st * cf - cp * sf;
      const ez = ct * cf;
      xdot[0] = x[3];
      xdot[1] = x[4];
      xdot[2] = x[5];
      xdot[3] = -T * ex;
      xdot[4] = -T * ey;
      xdot[5] = g - T * ez;
      xdot[6] = u[1];
      xdot[7] = u[2];
      xdot[8] = u[3];
      if (dfdx) {
        dfdx.fill(0);
        dfdx[0 * 9 + 3] = 1;
        dfdx[1 * 9 + 4] = 1;
        dfdx[2 * 9 + 5] = 1;
        // ∂(R e_z)/∂(φ, θ, ψ)
        dfdx[3 * 9 + 6] = -T * (-cp * st * sf + sp * cf);
        dfdx[3 * 9 + 7] = -T * (cp * ct * cf);
        dfdx[3 * 9 + 8] = -T * (-sp * st * cf + cp * sf);
        dfdx[4 * 9 + 6] = -T * (-sp * st * sf - cp * cf);
        dfdx[4 * 9 + 7] = -T * (sp * ct * cf);
        dfdx[4 * 9 + 8] = -T * (cp * st * cf + sp * sf);
        dfdx[5 * 9 + 6] = -T * (-ct * sf);
        dfdx[5 * 9 + 7] = -T * (-st * cf);
      }
      if (dfdu) {
        dfdu.fill(0);
        dfdu[3 * 4 + 0] = -ex;
        dfdu[4 * 4 + 0] = -ey;
        dfdu[5 * 4 + 0] = -ez;
        dfdu[6 * 4 + 1] = 1;
        dfdu[7 * 4 + 2] = 1;
        dfdu[8 * 4 + 3] = 1;
      }
    },

    stageResidual(_k, x, u, p, r, drdx, drdu) {
      for (let i = 0; i < 3; i++) r[i] = W_POS * (x[i] - p[i]);
      for (let i = 0; i < 3; i++) r[3 + i] = W_VEL * x[3 + i];
      for (let i = 0; i < 3; i++) r[6 + i] = W_ATT * x[6 + i];
      r[9] = W_THRUST * (u[0] - g);
      for (let i = 0; i < 3; i++) r[10 + i] = W_RATE * u[1 + i];
      if (drdx) {
        drdx.fill(0);
        for (let i = 0; i < 3; i++) drdx[i * 9 + i] = W_POS;
        for (let i = 0; i < 3; i++) drdx[(3 + i) * 9 + 3 + i] = W_VEL;
        for (let i = 0; i < 3; i++) drdx[(6 + i) * 9 + 6 + i] = W_ATT;
      }
      if (drdu) {
        drdu.fill(0);
        drdu[9 * 4 + 0] = W_THRUST;
        for (let i = 0; i < 3; i++) drdu[(10 + i) * 4 + 1 + i] = W_RATE;
      }
    },

    terminalResidual(x, p, r, drdx) {
      for (let i = 0; i < 3; i++) r[i] = W_POS_N * (x[i] - p[i]);
      for (let i = 0; i < 3; i++) r[3 + i] = W_VEL_N * x[3 + i];
      if (drdx) {
        drdx.fill(0);
        for (let i = 0; i < 3; i++) drdx[i * 9 + i] = W_POS_N;
        for (let i = 0; i < 3; i++) drdx[(3 + i) * 9 + 3 + i] = W_VEL_N;
      }
    },

    stageConstraint(_k, x, _u, _p, h, dhdx, dhdu) {
      let d2 = 0;
      for (let i = 0; i < 3; i++) d2 += (x[i] - centre[i]) ** 2;
      h[0] = radius * radius - d2;
      if (dhdx) {
        dhdx.fill(0, 0, 9);
        for (let i = 0; i < 3; i++) dhdx[i] = -2 * (x[i] - centre[i]);
      }
      if (dhdu) dhdu.fill(0, 0, 4);
    },
  };
}
