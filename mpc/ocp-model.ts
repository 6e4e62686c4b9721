/**
 * The description of a nonlinear optimal control problem that the RTI-SQP
 * solver (mpc/sqp/) solves and that the cinematography model
 * (mpc/cinematography/) provides — the seam between the two, acados-style:
 *
 *   min  Σ_{k=0}^{N-1} ½‖r_k(x_k, u_k, p_k)‖²  +  ½‖r_N(x_N, p_N)‖²
 *        + Σ_k Σ_i ( softL1_i · s_ki + ½ softL2_i · s_ki² )
 *   s.t. x_0 = x̂ (measured state)
 *        x_{k+1} = Φ(x_k, u_k, p_k)        RK4 of ẋ = f(x, u, p) over dtS
 *        lbu ≤ u_k ≤ ubu                    hard input bounds
 *        lbx ≤ x_k ≤ ubx   (k ≥ 1)          hard state bounds (±Infinity = none)
 *        h_k(x_k, u_k, p_k) ≤ s_k, s_k ≥ 0  soft constraints (always feasible)
 *
 * Residuals carry their weights (r = W^½ · error), so the Gauss-Newton
 * Hessian is JᵀJ. Time-varying references (a dolly zoom's focal-length
 * schedule, a subject's predicted path) go in the per-stage parameters p_k.
 *
 * Every callback writes into caller-owned arrays and must not allocate.
 * Jacobians are row-major; a null Jacobian argument means "not needed".
 */
export interface OcpDimensions {
  /** states */
  nx: number;
  /** controls */
  nu: number;
  /** parameters per stage */
  np: number;
  /** stage residuals */
  ny: number;
  /** terminal residuals */
  nyN: number;
  /** soft constraints per stage (0..N-1) */
  nh: number;
  /** soft constraints at the terminal stage */
  nhN: number;
  /** shooting intervals */
  N: number;
}

export interface OcpModel {
  readonly dims: OcpDimensions;
  /** shooting interval, s */
  readonly dtS: number;

  /** Hard bounds; arrays of length nu / nx, ±Infinity where unbounded. */
  readonly lbu: Float64Array;
  readonly ubu: Float64Array;
  readonly lbx: Float64Array;
  readonly ubx: Float64Array;

  /** Slack penalties per soft-constraint row (length nh, and nhN for the terminal stage). */
  readonly softL1: Float64Array;
  readonly softL2: Float64Array;
  readonly softL1N: Float64Array;
  readonly softL2N: Float64Array;

  /** ẋ = f(x, u, p); dfdx: nx × nx, dfdu: nx × nu. */
  dynamics(
    x: Float64Array, u: Float64Array, p: Float64Array,
    xdot: Float64Array, dfdx: Float64Array | null, dfdu: Float64Array | null,
  ): void;

  /** r_k(x, u, p); drdx: ny × nx, drdu: ny × nu. */
  stageResidual(
    k: number, x: Float64Array, u: Float64Array, p: Float64Array,
    r: Float64Array, drdx: Float64Array | null, drdu: Float64Array | null,
  ): void;

  /** r_N(x, p); drdx: nyN × nx. */
  terminalResidual(x: Float64Array, p: Float64Array, r: Float64Array, drdx: Float64Array | null): void;

  /** h_k(x, u, p) ≤ 0 (soft); dhdx: nh × nx, dhdu: nh × nu. Required when nh > 0. */
  stageConstraint?(
    k: number, x: Float64Array, u: Float64Array, p: Float64Array,
    h: Float64Array, dhdx: Float64Array | null, dhdu: Float64Array | null,
  ): void;

  /** h_N(x, p) ≤ 0 (soft); dhdx: nhN × nx. Required when nhN > 0. */
  terminalConstraint?(x: Float64Array, p: Float64Array, h: Float64Array, dhdx: Float64Array | null): void;
}
