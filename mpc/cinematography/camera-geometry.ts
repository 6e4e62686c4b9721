/**
 * The camera as a function of the OCP state, with derivatives: camera centre
 * c = p + Rz(ψ)·m (stabilised mount offset m in the yaw-only body frame),
 * camera attitude Rz(ψ + γ)·Ry(θ) (core/frames.ts: gimbal yaw γ relative to
 * the heading, pitch θ < 0 looks down, roll stabilised to 0). A world point P
 * maps to the optical frame (x right, y down, z forward) as
 *
 *   d = P − c
 *   Z = cφcθ·dN + sφcθ·dE − sθ·dD      (forward)
 *   X = −sφ·dN + cφ·dE                  (right)
 *   Y = cφsθ·dN + sφsθ·dE + cθ·dD      (down),     φ = ψ + γ
 *
 * the same numbers as core/frames.ts worldToOptical with cameraPoseFromVehicle,
 * here with the Jacobian with respect to the geometry variables
 * q = (pN, pE, pD, ψ, θ, γ), which sit at GEOMETRY_STATE_INDEX in x.
 * Allocation-free after construction.
 */
import { X } from './layout.ts';

/** State indices of q = (pN, pE, pD, ψ, θ, γ). */
export const GEOMETRY_STATE_INDEX = [X.PN, X.PE, X.PD, X.YAW, X.GIMBAL_PITCH, X.GIMBAL_YAW] as const;
export const NQ = 6;

/** Depth below which image-space costs are evaluated at this depth (subject behind or at the lens). */
export const MIN_COST_DEPTH_M = 0.3;

export interface MountOffset {
  x: number;
  y: number;
  z: number;
}

export class CameraGeometry {
  /** camera centre, NED */
  readonly centre = new Float64Array(3);
  /** ∂c/∂ψ (∂c/∂p = I) */
  private readonly dcdYaw = new Float64Array(3);
  private cphi = 1;
  private sphi = 0;
  private cth = 1;
  private sth = 0;
  private readonly mount: MountOffset;

  /** optical coordinates of the last projected point */
  readonly optical = new Float64Array(3); // X, Y, Z
  /** ∂(X, Y, Z)/∂q of the last projected point, 3 × NQ row-major */
  readonly dOptical = new Float64Array(3 * NQ);

  constructor(mount: MountOffset) {
    this.mount = { x: mount.x, y: mount.y, z: mount.z };
  }

  /** Evaluate the camera pose for state x. */
  setState(x: Float64Array): void {
    const yaw = x[X.YAW], th = x[X.GIMBAL_PITCH], phi = yaw + x[X.GIMBAL_YAW];
    const cy = Math.cos(yaw), sy = Math.sin(yaw);
    const m = this.mount;
    this.centre[0] = x[X.PN] + cy * m.x - sy * m.y;
    this.centre[1] = x[X.PE] + sy * m.x + cy * m.y;
    this.centre[2] = x[X.PD] + m.z;
    this.dcdYaw[0] = -sy * m.x - cy * m.y;
    this.dcdYaw[1] = cy * m.x - sy * m.y;
    this.dcdYaw[2] = 0;
    this.cphi = Math.cos(phi);
    this.sphi = Math.sin(phi);
    this.cth = Math.cos(th);
    this.sth = Math.sin(th);
  }

  /**
   * Project the world point at `P[o..o+2]`: fills optical and dOptical.
   */
  project(P: Float64Array, o: number): void {
    const dN = P[o] - this.centre[0], dE = P[o + 1] - this.centre[1], dD = P[o + 2] - this.centre[2];
    const cf = this.cphi, sf = this.sphi, ct = this.cth, st = this.sth;
    // rows of ∂(X, Y, Z)/∂d
    const xN = -sf, xE = cf, xD = 0;
    const yN = cf * st, yE = sf * st, yD = ct;
    const zN = cf * ct, zE = sf * ct, zD = -st;
    this.optical[0] = xN * dN + xE * dE;
    this.optical[1] = yN * dN + yE * dE + yD * dD;
    this.optical[2] = zN * dN + zE * dE + zD * dD;
    // ∂/∂φ and ∂/∂θ of the rotation at fixed d
    const xPhi = -cf * dN - sf * dE;
    const yPhi = -sf * st * dN + cf * st * dE;
    const zPhi = -sf * ct * dN + cf * ct * dE;
    const yTh = cf * ct * dN + sf * ct * dE - st * dD;
    const zTh = -cf * st * dN - sf * st * dE - ct * dD;
    const g = this.dcdYaw;
    const J = this.dOptical;
    // d depends on p through −I and on ψ through −∂c/∂ψ
    J[0] = -xN; J[1] = -xE; J[2] = -xD;
    J[3] = xPhi - (xN * g[0] + xE * g[1] + xD * g[2]);
    J[4] = 0;
    J[5] = xPhi;
    J[6] = -yN; J[7] = -yE; J[8] = -yD;
    J[9] = yPhi - (yN * g[0] + yE * g[1] + yD * g[2]);
    J[10] = yTh;
    J[11] = yPhi;
    J[12] = -zN; J[13] = -zE; J[14] = -zD;
    J[15] = zPhi - (zN * g[0] + zE * g[1] + zD * g[2]);
    J[16] = zTh;
    J[17] = zPhi;
  }
}
