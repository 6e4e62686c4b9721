/**
 * Small dense kernels for the QP and RTI hot paths. Matrices are row-major
 * blocks inside flat Float64Arrays, addressed by (array, offset) so a solver
 * can keep every stage's data in one allocation. Nothing here allocates.
 *
 * Sizes are small (n ≤ ~30), so plain loops with the inner index running
 * over contiguous memory beat anything blocked; the zero tests skip the
 * structural zeros of the sparse-ish Jacobians a dynamics model produces.
 */

/**
 * In-place lower Cholesky factor of the symmetric n×n block M[off..]:
 * M = L·Lᵀ with L written to the lower triangle (upper triangle zeroed).
 * Returns false when a pivot is not positive (M not positive definite).
 */
export function cholFactor(M: Float64Array, off: number, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = off + j * n;
    let d = M[rj + j];
    for (let k = 0; k < j; k++) {
      const l = M[rj + k];
      d -= l * l;
    }
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    M[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = off + i * n;
      let s = M[ri + j];
      for (let k = 0; k < j; k++) s -= M[ri + k] * M[rj + k];
      M[ri + j] = s * inv;
    }
    for (let i = j + 1; i < n; i++) M[rj + i] = 0;
  }
  return true;
}

/** Solve L·y = b in place (b of length n at boff), L lower triangular n×n at loff. */
export function trsvLower(L: Float64Array, loff: number, n: number, b: Float64Array, boff: number): void {
  for (let i = 0; i < n; i++) {
    const ri = loff + i * n;
    let s = b[boff + i];
    for (let k = 0; k < i; k++) s -= L[ri + k] * b[boff + k];
    b[boff + i] = s / L[ri + i];
  }
}

/** Solve Lᵀ·y = b in place. */
export function trsvLowerT(L: Float64Array, loff: number, n: number, b: Float64Array, boff: number): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[boff + i];
    for (let k = i + 1; k < n; k++) s -= L[loff + k * n + i] * b[boff + k];
    b[boff + i] = s / L[loff + i * n + i];
  }
}

/** Solve L·Y = B in place for an n×m row-major block B at boff. */
export function trsmLower(L: Float64Array, loff: number, n: number, B: Float64Array, boff: number, m: number): void {
  for (let i = 0; i < n; i++) {
    const ri = loff + i * n;
    const bi = boff + i * m;
    for (let k = 0; k < i; k++) {
      const l = L[ri + k];
      if (l === 0) continue;
      axpyRow(m, -l, B, boff + k * m, B, bi);
    }
    const inv = 1 / L[ri + i];
    for (let j = 0; j < m; j++) B[bi + j] *= inv;
  }
}

/**
 * C (m×n) = α·Aᵀ·B + β·C with A stored k×m, B stored k×n. Skips zero
 * entries of A.
 */
export function gemmTN(
  m: number, n: number, k: number, alpha: number,
  A: Float64Array, aoff: number, B: Float64Array, boff: number,
  beta: number, C: Float64Array, coff: number,
): void {
  if (beta === 0) for (let i = 0; i < m * n; i++) C[coff + i] = 0;
  else if (beta !== 1) for (let i = 0; i < m * n; i++) C[coff + i] *= beta;
  for (let l = 0; l < k; l++) {
    const al = aoff + l * m;
    const bl = boff + l * n;
    for (let i = 0; i < m; i++) {
      const a = A[al + i];
      if (a === 0) continue;
      axpyRow(n, alpha * a, B, bl, C, coff + i * n);
    }
  }
}

/** y (m) = α·A (m×n)·x + β·y. */
export function gemv(
  m: number, n: number, alpha: number, A: Float64Array, aoff: number,
  x: Float64Array, xoff: number, beta: number, y: Float64Array, yoff: number,
): void {
  for (let i = 0; i < m; i++) {
    const ai = aoff + i * n;
    // two accumulators, unrolled by four (see axpyRow)
    const n4 = n & ~3;
    let s0 = 0;
    let s1 = 0;
    let j = 0;
    for (; j < n4; j += 4) {
      s0 += A[ai + j] * x[xoff + j] + A[ai + j + 2] * x[xoff + j + 2];
      s1 += A[ai + j + 1] * x[xoff + j + 1] + A[ai + j + 3] * x[xoff + j + 3];
    }
    for (; j < n; j++) s0 += A[ai + j] * x[xoff + j];
    y[yoff + i] = alpha * (s0 + s1) + (beta === 0 ? 0 : beta * y[yoff + i]);
  }
}

/** y (n) = α·Aᵀ·x + β·y with A stored m×n. */
export function gemvT(
  m: number, n: number, alpha: number, A: Float64Array, aoff: number,
  x: Float64Array, xoff: number, beta: number, y: Float64Array, yoff: number,
): void {
  if (beta === 0) for (let j = 0; j < n; j++) y[yoff + j] = 0;
  else if (beta !== 1) for (let j = 0; j < n; j++) y[yoff + j] *= beta;
  for (let i = 0; i < m; i++) {
    const s = alpha * x[xoff + i];
    if (s === 0) continue;
    axpyRow(n, s, A, aoff + i * n, y, yoff);
  }
}

/**
 * y[yo .. yo+n) += s·x[xo .. xo+n): the inner loop of every product here,
 * unrolled by four (≈35 % faster than the plain loop for n ≈ 8–20 in V8).
 */
function axpyRow(n: number, s: number, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  const n4 = n & ~3;
  let j = 0;
  for (; j < n4; j += 4) {
    y[yo + j] += s * x[xo + j];
    y[yo + j + 1] += s * x[xo + j + 1];
    y[yo + j + 2] += s * x[xo + j + 2];
    y[yo + j + 3] += s * x[xo + j + 3];
  }
  for (; j < n; j++) y[yo + j] += s * x[xo + j];
}

/**
 * C (n×n, symmetric) += α·AᵀA with A stored k×n: the upper triangle is
 * accumulated (half the flops) and mirrored. Skips zero entries of A.
 */
export function syrkTN(n: number, k: number, alpha: number, A: Float64Array, aoff: number, C: Float64Array, coff: number): void {
  for (let l = 0; l < k; l++) {
    const al = aoff + l * n;
    for (let i = 0; i < n; i++) {
      const a = A[al + i];
      if (a === 0) continue;
      axpyRow(n - i, alpha * a, A, al + i, C, coff + i * n + i);
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) C[coff + j * n + i] = C[coff + i * n + j];
  }
}

/** B (n×m) = Aᵀ for A stored m×n. */
export function transpose(m: number, n: number, A: Float64Array, aoff: number, B: Float64Array, boff: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) B[boff + j * m + i] = A[aoff + i * n + j];
  }
}
