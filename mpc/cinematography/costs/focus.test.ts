import { describe, expect, it } from 'vitest';
import { farLimitM, focusBandHalfWidthDioptres, nearLimitM } from '../../optics.ts';
import { CameraGeometry, NQ } from '../camera-geometry.ts';
import { NX, P, SLOT, X, stopsFromFNumber } from '../layout.ts';
import { centralDifferenceJacobian, maxRelativeError, randomStage, seededRandom } from '../testing/finite-difference.ts';
import { defocusConstraint, focusBand, focusBandConstraint, focusResidual } from './focus.ts';

const MOUNT = { x: 0.1, y: 0, z: 0.12 };
const COC_MM = 0.03;

describe('focus band', () => {
  it('equals mpc/optics focusBandHalfWidthDioptres for any f-number (1e-12)', () => {
    for (const [f, N] of [[24, 2.8], [50, 4], [70, 22], [35, 5.6]] as const) {
      expect(focusBand(f, stopsFromFNumber(N), COC_MM)).toBeCloseTo(focusBandHalfWidthDioptres(f, N, COC_MM), 12);
    }
  });

  it('the in-band row is ≈ 0 at the thin-lens near and far limits (within 2 % of the band)', () => {
    const f = 50, N = 2.8, s = 6;
    const b = focusBandHalfWidthDioptres(f, N, COC_MM);
    for (const d of [nearLimitM(f, N, COC_MM, s), farLimitM(f, N, COC_MM, s)]) {
      const rowValue = Math.abs(1 / d - 1 / s) - b;
      expect(Math.abs(rowValue)).toBeLessThan(0.02 * b);
    }
  });
});

describe('focus residual and constraints', () => {
  it('residual is w·(1/depth − D): zero when focused at the eye point\'s optical depth', () => {
    const { x, p } = randomStage(seededRandom(21));
    const o = P.slot(0);
    const geom = new CameraGeometry(MOUNT);
    geom.setState(x);
    geom.project(p, o + SLOT.EYE);
    x[X.FOCUS_DPT] = 1 / geom.optical[2];
    const r = new Float64Array(1);
    focusResidual(geom, x, p, o, r, 0, null, NX, new Float64Array(NQ + 2));
    expect(Math.abs(r[0])).toBeLessThan(1e-12);
  });

  it('Jacobians of residual, in-band and defocus rows agree with central differences (rel. 1e-6)', () => {
    const rand = seededRandom(22);
    const geom = new CameraGeometry(MOUNT);
    const scratch = new Float64Array(NQ + 2);
    const o = P.slot(1);
    for (let t = 0; t < 30; t++) {
      const { x, p } = randomStage(rand);
      const all = (xx: Float64Array, out: Float64Array, J: Float64Array | null) => {
        geom.setState(xx);
        focusResidual(geom, xx, p, o, out, 0, J, NX, scratch);
        focusBandConstraint(geom, COC_MM, xx, p, o, out, 1, J, NX, scratch);
        defocusConstraint(COC_MM, xx, p, out, 3, J, NX, scratch);
      };
      const fd = centralDifferenceJacobian((xx, out) => all(xx, out, null), x, 4);
      const J = new Float64Array(4 * NX), r = new Float64Array(4);
      all(x, r, J);
      expect(maxRelativeError(J, fd).error).toBeLessThan(1e-6);
    }
  });

  it('defocus row is satisfied (< 0) only when the background lies beyond 1.5 bands', () => {
    const { x, p } = randomStage(seededRandom(23));
    const scratch = new Float64Array(2);
    const h = new Float64Array(1);
    const b = focusBand(x[X.FOCAL_MM], x[X.IRIS_STOPS], COC_MM);
    p[P.BACKGROUND_INV_M] = x[X.FOCUS_DPT] - 2 * b;
    defocusConstraint(COC_MM, x, p, h, 0, null, NX, scratch);
    expect(h[0]).toBeLessThan(0);
    p[P.BACKGROUND_INV_M] = x[X.FOCUS_DPT] - 1 * b;
    defocusConstraint(COC_MM, x, p, h, 0, null, NX, scratch);
    expect(h[0]).toBeGreaterThan(0);
  });
});
