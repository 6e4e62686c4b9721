import { describe, expect, it } from 'vitest';
import { FENCE_EDGE_SLOTS, KEEP_OUT_SLOTS, NX, P, X } from '../layout.ts';
import { centralDifferenceJacobian, maxRelativeError, randomStage, seededRandom } from '../testing/finite-difference.ts';
import { altitudeConstraint, fenceConstraint, keepOutConstraint } from './safety.ts';

const ROWS = KEEP_OUT_SLOTS + FENCE_EDGE_SLOTS + 2;
function evalAll(x: Float64Array, p: Float64Array, h: Float64Array, J: Float64Array | null): void {
  keepOutConstraint(x, p, h, 0, J, NX);
  fenceConstraint(x, p, h, KEEP_OUT_SLOTS, J, NX);
  altitudeConstraint(x, p, h, KEEP_OUT_SLOTS + FENCE_EDGE_SLOTS, J, NX);
}

describe('safety constraints', () => {
  it('keep-out row is radius − distance: positive inside the radius, negative outside', () => {
    const { x, p } = randomStage(seededRandom(31));
    const o = P.keepOut(0);
    p[o] = x[X.PN] + 2; p[o + 1] = x[X.PE]; p[o + 2] = x[X.PD]; p[o + 3] = 3;
    const h = new Float64Array(ROWS);
    evalAll(x, p, h, null);
    expect(h[0]).toBeCloseTo(1, 12);
    p[o + 3] = 0; // unused slot
    evalAll(x, p, h, null);
    expect(h[0]).toBe(-1);
  });

  it('fence and altitude rows: inside the volume every row is negative, outside the violated one is positive', () => {
    const { x, p } = randomStage(seededRandom(32));
    // square fence ±10 m
    const normals = [[1, 0], [-1, 0], [0, 1], [0, -1]];
    normals.forEach(([n, e], j) => { const o = P.fenceEdge(j); p[o] = n; p[o + 1] = e; p[o + 2] = 10; });
    p[P.MIN_ALT_M] = 1; p[P.MAX_ALT_M] = 30;
    for (let j = 0; j < KEEP_OUT_SLOTS; j++) p[P.keepOut(j) + 3] = 0;
    x[X.PN] = 3; x[X.PE] = -4; x[X.PD] = -5;
    const h = new Float64Array(ROWS);
    evalAll(x, p, h, null);
    expect(Math.max(...h)).toBeLessThan(0);
    x[X.PN] = 12; x[X.PD] = -0.5;
    evalAll(x, p, h, null);
    expect(h[KEEP_OUT_SLOTS]).toBeCloseTo(2, 12);
    expect(h[KEEP_OUT_SLOTS + FENCE_EDGE_SLOTS]).toBeCloseTo(0.5, 12);
  });

  it('Jacobians agree with central differences (rel. 1e-7)', () => {
    const rand = seededRandom(33);
    for (let t = 0; t < 20; t++) {
      const { x, p } = randomStage(rand);
      const fd = centralDifferenceJacobian((xx, out) => evalAll(xx, p, out, null), x, ROWS);
      const J = new Float64Array(ROWS * NX), h = new Float64Array(ROWS);
      evalAll(x, p, h, J);
      expect(maxRelativeError(J, fd).error).toBeLessThan(1e-7);
    }
  });
});
