import { describe, expect, it } from 'vitest';
import { gemmTN, gemv, gemvT } from '../../mpc/linalg/dense.ts';
import { compressBlock, createRowPattern, spmv, spmvT, spTmm } from '../../mpc/linalg/sparse.ts';

/** Deterministic pseudo-random numbers (LCG) so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('row-compressed kernels (mpc/linalg/sparse.ts) against the dense ones', () => {
  const rnd = lcg(7);
  const m = 15;
  const n = 9;
  const blocks = 3;
  // three m×n blocks, ~15 % nonzeros, one row and one block entirely zero
  const A = new Float64Array(blocks * m * n);
  for (let i = 0; i < A.length; i++) A[i] = rnd() < 0.15 ? rnd() * 4 - 2 : 0;
  for (let j = 0; j < n; j++) A[m * n + 4 * n + j] = 0;
  for (let i = 2 * m * n; i < 3 * m * n; i++) A[i] = 0;
  const pat = createRowPattern(blocks, m, n);
  for (let b = 0; b < blocks; b++) compressBlock(pat, b, A, b * m * n);
  const x = Float64Array.from({ length: Math.max(m, n) * 2 }, () => rnd() * 2 - 1);

  it('spmv = gemv (to rounding), with and without accumulation', () => {
    for (let b = 0; b < blocks; b++) {
      const want = new Float64Array(m).fill(0.5);
      const got = new Float64Array(m).fill(0.5);
      gemv(m, n, 1, A, b * m * n, x, 3, 1, want, 0);
      spmv(pat, b, x, 3, true, got, 0);
      for (let i = 0; i < m; i++) expect(got[i]).toBeCloseTo(want[i], 13);
      spmv(pat, b, x, 3, false, got, 0);
      gemv(m, n, 1, A, b * m * n, x, 3, 0, want, 0);
      for (let i = 0; i < m; i++) expect(got[i]).toBeCloseTo(want[i], 13);
    }
  });

  it('spmvT and spTmm round exactly like the zero-skipping gemvT and gemmTN', () => {
    for (let b = 0; b < blocks; b++) {
      const want = new Float64Array(n).fill(0.25);
      const got = new Float64Array(n).fill(0.25);
      gemvT(m, n, 1, A, b * m * n, x, 1, 1, want, 0);
      spmvT(pat, b, x, 1, got, 0);
      expect(Array.from(got)).toEqual(Array.from(want));
      const k = 6;
      const X = Float64Array.from({ length: m * k }, () => rnd() - 0.5);
      const C1 = Float64Array.from({ length: n * k }, () => rnd());
      const C2 = Float64Array.from(C1);
      gemmTN(n, k, m, 1, A, b * m * n, X, 0, 1, C1, 0);
      spTmm(pat, b, X, 0, k, true, C2, 0);
      expect(Array.from(C2)).toEqual(Array.from(C1));
      gemmTN(n, k, m, 1, A, b * m * n, X, 0, 0, C1, 0);
      spTmm(pat, b, X, 0, k, false, C2, 0);
      expect(Array.from(C2)).toEqual(Array.from(C1));
    }
  });

  it('a dense block and an all-zero block compress to every entry and to none', () => {
    const dense = Float64Array.from({ length: m * n }, (_, i) => i + 1);
    const p = createRowPattern(2, m, n);
    compressBlock(p, 0, dense, 0);
    compressBlock(p, 1, new Float64Array(m * n), 0);
    expect(p.ptr[m] - p.ptr[0]).toBe(m * n);
    expect(p.ptr[2 * (m + 1) - 1] - p.ptr[m + 1]).toBe(0);
  });
});
