/**
 * Soft safety constraints (DESIGN.md §5, §11): keep-out radius around every
 * person, geofence edges and the altitude band, each h(x, p) ≤ 0 with a slack
 * so the QP is always feasible. The safety supervisor enforces the same
 * limits hard; these rows make the plan respect them before it has to.
 *
 *   keep-out   ρ − ‖p − P_j‖ ≤ 0                   (3-D distance to the person's point)
 *   fence      n·p_NE − c ≤ 0                        (outward normal n, edge offset c)
 *   altitude   minAlt + pD ≤ 0,  −pD − maxAlt ≤ 0    (altitude = −pD)
 */
import { FENCE_EDGE_SLOTS, KEEP_OUT_SLOTS, P, X } from '../layout.ts';

export function keepOutConstraint(
  x: Float64Array, p: Float64Array, h: Float64Array, row: number, dhdx: Float64Array | null, nx: number,
): void {
  for (let j = 0; j < KEEP_OUT_SLOTS; j++) {
    const o = P.keepOut(j);
    const radius = p[o + 3];
    if (radius === 0) {
      h[row + j] = -1;
      continue;
    }
    const dN = x[X.PN] - p[o], dE = x[X.PE] - p[o + 1], dD = x[X.PD] - p[o + 2];
    const dist = Math.max(Math.hypot(dN, dE, dD), 1e-6);
    h[row + j] = radius - dist;
    if (dhdx) {
      const base = (row + j) * nx;
      dhdx[base + X.PN] = -dN / dist;
      dhdx[base + X.PE] = -dE / dist;
      dhdx[base + X.PD] = -dD / dist;
    }
  }
}

export function fenceConstraint(
  x: Float64Array, p: Float64Array, h: Float64Array, row: number, dhdx: Float64Array | null, nx: number,
): void {
  for (let j = 0; j < FENCE_EDGE_SLOTS; j++) {
    const o = P.fenceEdge(j);
    const nN = p[o], nE = p[o + 1];
    h[row + j] = nN * x[X.PN] + nE * x[X.PE] - p[o + 2];
    if (dhdx) {
      dhdx[(row + j) * nx + X.PN] = nN;
      dhdx[(row + j) * nx + X.PE] = nE;
    }
  }
}

export function altitudeConstraint(
  x: Float64Array, p: Float64Array, h: Float64Array, row: number, dhdx: Float64Array | null, nx: number,
): void {
  h[row] = p[P.MIN_ALT_M] + x[X.PD];
  h[row + 1] = -x[X.PD] - p[P.MAX_ALT_M];
  if (dhdx) {
    dhdx[row * nx + X.PD] = 1;
    dhdx[(row + 1) * nx + X.PD] = -1;
  }
}
