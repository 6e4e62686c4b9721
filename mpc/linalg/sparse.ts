/**
 * Row-compressed copies of small, mostly-zero dense blocks and the products
 * the Riccati solver needs with them. A dynamics Jacobian of a model built
 * from integrator chains (position ← velocity ← acceleration, lens and gimbal
 * axes) has ~10 % nonzeros (the cinematography A: 24 of 225, B: 15 of 135),
 * so running over the nonzeros beats testing every entry for zero.
 *
 * A pattern holds `count` blocks of m rows each: block b, row l owns entries
 * ptr[b·(m+1) + l] .. ptr[b·(m+1) + l + 1] of idx (column) and val (value).
 * Products iterate rows in order and a row's nonzeros by increasing column,
 * i.e. in the same order as the dense kernels of dense.ts that skip zeros, so
 * they round identically (spmv excepted: it sums a row in plain order).
 * Nothing here allocates after createRowPattern.
 */

export interface RowPattern {
  readonly m: number; // rows per block
  readonly n: number; // columns per block
  readonly ptr: Int32Array; // count × (m+1)
  readonly idx: Int32Array; // count × m × n
  readonly val: Float64Array;
}

/** setup: room for `count` blocks of m×n. */
export function createRowPattern(count: number, m: number, n: number): RowPattern {
  return { m, n, ptr: new Int32Array(count * (m + 1)), idx: new Int32Array(count * m * n), val: new Float64Array(count * m * n) };
}

/** Record the nonzeros of the row-major m×n block src[srcOff..] as block b of the pattern. */
export function compressBlock(pat: RowPattern, b: number, src: Float64Array, srcOff: number): void {
  const { m, n, ptr, idx, val } = pat;
  const po = b * (m + 1);
  let e = b * m * n;
  for (let l = 0; l < m; l++) {
    ptr[po + l] = e;
    const ro = srcOff + l * n;
    for (let j = 0; j < n; j++) {
      const v = src[ro + j];
      if (v !== 0) {
        idx[e] = j;
        val[e] = v;
        e++;
      }
    }
  }
  ptr[po + m] = e;
}

/** y (m) = M_b·x (+ y when accumulate). */
export function spmv(pat: RowPattern, b: number, x: Float64Array, xoff: number, accumulate: boolean, y: Float64Array, yoff: number): void {
  const { m, ptr, idx, val } = pat;
  const po = b * (m + 1);
  for (let l = 0; l < m; l++) {
    let s = 0;
    const end = ptr[po + l + 1];
    for (let e = ptr[po + l]; e < end; e++) s += val[e] * x[xoff + idx[e]];
    y[yoff + l] = accumulate ? y[yoff + l] + s : s;
  }
}

/** y (n) += M_bᵀ·x. */
export function spmvT(pat: RowPattern, b: number, x: Float64Array, xoff: number, y: Float64Array, yoff: number): void {
  const { m, ptr, idx, val } = pat;
  const po = b * (m + 1);
  for (let l = 0; l < m; l++) {
    const xl = x[xoff + l];
    if (xl === 0) continue;
    const end = ptr[po + l + 1];
    for (let e = ptr[po + l]; e < end; e++) y[yoff + idx[e]] += xl * val[e];
  }
}

/**
 * C (n_b × k) = M_bᵀ·X (+ C when accumulate) with X row-major m×k at xoff:
 * row l of X is added to row j of C for every nonzero (l, j).
 */
export function spTmm(
  pat: RowPattern, b: number, X: Float64Array, xoff: number, k: number,
  accumulate: boolean, C: Float64Array, coff: number,
): void {
  const { m, n, ptr, idx, val } = pat;
  if (!accumulate) for (let i = 0; i < n * k; i++) C[coff + i] = 0;
  const po = b * (m + 1);
  const k4 = k & ~3;
  for (let l = 0; l < m; l++) {
    const xr = xoff + l * k;
    const end = ptr[po + l + 1];
    for (let e = ptr[po + l]; e < end; e++) {
      const a = val[e];
      const cr = coff + idx[e] * k;
      let j = 0;
      for (; j < k4; j += 4) {
        C[cr + j] += a * X[xr + j];
        C[cr + j + 1] += a * X[xr + j + 1];
        C[cr + j + 2] += a * X[xr + j + 2];
        C[cr + j + 3] += a * X[xr + j + 3];
      }
      for (; j < k; j++) C[cr + j] += a * X[xr + j];
    }
  }
}
