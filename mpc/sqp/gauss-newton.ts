/**
 * The Gauss-Newton blocks of one stage from its residual r (ny) and the
 * Jacobians J_x (ny × nx) and J_u (ny × nu):
 *   Q = J_xᵀJ_x,  S = J_uᵀJ_x,  R = J_uᵀJ_u,  q = J_xᵀr,  r = J_uᵀr.
 * A cinematography residual row touches a few states (an image coordinate:
 * position, yaw, pitch, focal length; a rate: one), so the products run over
 * each row's nonzeros, and over the upper triangles of Q and R only (the
 * lower ones are mirrored). The terms are added in the same row order as a
 * dense JᵀJ, so the result rounds identically. Allocation-free after setup.
 */
export class GaussNewtonBlocks {
  private readonly xIdx: Int32Array;
  private readonly xVal: Float64Array;
  private readonly uIdx: Int32Array;
  private readonly uVal: Float64Array;

  constructor(private readonly nx: number, private readonly nu: number) {
    this.xIdx = new Int32Array(nx);
    this.xVal = new Float64Array(nx);
    this.uIdx = new Int32Array(nu);
    this.uVal = new Float64Array(nu);
  }

  /**
   * Write the blocks of ny residual rows (row-major Jacobians at offset 0).
   * Ju null (a terminal stage): only Q and q, and S, R, rv are not touched.
   */
  build(
    ny: number, res: Float64Array, Jx: Float64Array, Ju: Float64Array | null,
    Q: Float64Array, qOff: number, S: Float64Array, sOff: number, R: Float64Array, rOff: number,
    qv: Float64Array, qvOff: number, rv: Float64Array, rvOff: number,
  ): void {
    const { nx, nu, xIdx, xVal, uIdx, uVal } = this;
    Q.fill(0, qOff, qOff + nx * nx);
    qv.fill(0, qvOff, qvOff + nx);
    if (Ju !== null) {
      S.fill(0, sOff, sOff + nu * nx);
      R.fill(0, rOff, rOff + nu * nu);
      rv.fill(0, rvOff, rvOff + nu);
    }
    for (let l = 0; l < ny; l++) {
      let cx = 0;
      const jl = l * nx;
      for (let j = 0; j < nx; j++) {
        const v = Jx[jl + j];
        if (v !== 0) {
          xIdx[cx] = j;
          xVal[cx] = v;
          cx++;
        }
      }
      let cu = 0;
      if (Ju !== null) {
        const ul = l * nu;
        for (let j = 0; j < nu; j++) {
          const v = Ju[ul + j];
          if (v !== 0) {
            uIdx[cu] = j;
            uVal[cu] = v;
            cu++;
          }
        }
      }
      const rl = res[l];
      for (let a = 0; a < cx; a++) {
        const va = xVal[a];
        const row = qOff + xIdx[a] * nx;
        qv[qvOff + xIdx[a]] += va * rl;
        for (let b = a; b < cx; b++) Q[row + xIdx[b]] += va * xVal[b];
      }
      for (let a = 0; a < cu; a++) {
        const va = uVal[a];
        rv[rvOff + uIdx[a]] += va * rl;
        const srow = sOff + uIdx[a] * nx;
        for (let b = 0; b < cx; b++) S[srow + xIdx[b]] += va * xVal[b];
        const rrow = rOff + uIdx[a] * nu;
        for (let b = a; b < cu; b++) R[rrow + uIdx[b]] += va * uVal[b];
      }
    }
    mirrorUpper(Q, qOff, nx);
    if (Ju !== null) mirrorUpper(R, rOff, nu);
  }
}

/** Copy the upper triangle of the n×n block at off onto its lower triangle. */
function mirrorUpper(M: Float64Array, off: number, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) M[off + j * n + i] = M[off + i * n + j];
  }
}
