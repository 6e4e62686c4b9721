import { describe, expect, it } from 'vitest';
import {
  farLimitM, fieldOfViewRad, focalLengthForFieldOfViewMm, focusBandHalfWidthDioptres, hyperfocalM,
  imageHeightFraction, isInFocus, nearLimitM, pixelFocalLength,
} from './optics.ts';

/**
 * Independent reference: the textbook form with H' = f²/(N·c) (no "+f"),
 * everything in millimetres:
 *   Dn = s·H' / (H' + (s − f)),  Df = s·H' / (H' − (s − f))  (∞ when s − f ≥ H')
 * Algebraically equal to DESIGN.md §4's form, written differently on purpose.
 */
function referenceDof(fMm: number, N: number, cMm: number, sM: number) {
  const Hp = (fMm * fMm) / (N * cMm);
  const s = sM * 1000;
  const near = (s * Hp) / (Hp + (s - fMm)) / 1000;
  const far = s - fMm >= Hp ? Infinity : (s * Hp) / (Hp - (s - fMm)) / 1000;
  return { H: (Hp + fMm) / 1000, near, far };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('thin-lens depth of field', () => {
  // Published depth-of-field tables (DOFMaster-style, CoC 0.03 mm, values as
  // printed to 2–3 significant digits) — the 1 % tolerance covers that rounding.
  const PUBLISHED: Array<{ f: number; N: number; s: number; H: number; near?: number; far?: number | null }> = [
    { f: 50, N: 2.8, s: 3, H: 29.8, near: 2.73, far: 3.33 },
    { f: 50, N: 8, s: 5, H: 10.5, near: 3.38, far: 9.6 },
    { f: 35, N: 8, s: 3, H: 5.14, near: 1.90, far: 7.1 },
    { f: 24, N: 11, s: 2, H: 1.77, near: 0.94, far: null },
    { f: 85, N: 1.8, s: 2, H: 134, near: 1.97, far: 2.03 },
    { f: 200, N: 4, s: 10, H: 334, near: 9.72, far: 10.3 },
  ];
  for (const row of PUBLISHED) {
    it(`matches the published table for ${row.f} mm f/${row.N} at ${row.s} m within 1 %`, () => {
      expect(rel(hyperfocalM(row.f, row.N, 0.03), row.H)).toBeLessThan(0.01);
      if (row.near !== undefined) expect(rel(nearLimitM(row.f, row.N, 0.03, row.s), row.near)).toBeLessThan(0.01);
      const far = farLimitM(row.f, row.N, 0.03, row.s);
      if (row.far === null) expect(far).toBe(Infinity);
      else if (row.far !== undefined) expect(rel(far, row.far)).toBeLessThan(0.01);
    });
  }

  it('agrees with the independent reference to 0.1 % over 12–600 mm, f/1.2–f/22, 0.3 m to beyond hyperfocal', () => {
    const focals = [12, 16, 24, 35, 50, 85, 135, 200, 300, 600];
    const fNumbers = [1.2, 1.4, 2, 2.8, 4, 5.6, 8, 11, 16, 22];
    let checked = 0;
    for (const f of focals) {
      for (const N of fNumbers) {
        const H = hyperfocalM(f, N, 0.03);
        const ref0 = referenceDof(f, N, 0.03, 1);
        expect(rel(H, ref0.H)).toBeLessThan(1e-3);
        for (const s of [0.3, 0.5, 1, 2, 3, 5, 10, 30, 100, H * 0.5, H * 0.999, H * 1.0001, H * 1.5, H * 10]) {
          if (s * 1000 <= f * 1.05) continue; // focus inside the focal length is not a real setting
          const ref = referenceDof(f, N, 0.03, s);
          const near = nearLimitM(f, N, 0.03, s);
          const far = farLimitM(f, N, 0.03, s);
          expect(rel(near, ref.near)).toBeLessThan(1e-3);
          expect(near).toBeGreaterThan(0);
          expect(near).toBeLessThanOrEqual(s);
          if (ref.far === Infinity) expect(far).toBe(Infinity);
          else {
            expect(rel(far, ref.far)).toBeLessThan(1e-3);
            expect(far).toBeGreaterThanOrEqual(s);
          }
          expect(Number.isNaN(near) || Number.isNaN(far)).toBe(false);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('far limit is infinite at and beyond the hyperfocal distance, never negative', () => {
    const H = hyperfocalM(24, 8, 0.03);
    expect(farLimitM(24, 8, 0.03, H)).toBe(Infinity);
    expect(farLimitM(24, 8, 0.03, H * 3)).toBe(Infinity);
    // focused at H, the near limit is H/2 (classic result, exact for H' form: s·H'/(H'+s−f) with s = H)
    expect(rel(nearLimitM(24, 8, 0.03, H), (H * (H - 0.024)) / (2 * H - 0.048))).toBeLessThan(1e-12);
  });

  it('the dioptre band matches the exact limits for subjects far beyond the focal length (2 % of the band)', () => {
    for (const [f, N, s] of [[50, 2.8, 3], [85, 2, 5], [24, 4, 2], [70, 2.8, 8]] as const) {
      const band = focusBandHalfWidthDioptres(f, N, 0.03);
      const nearD = 1 / nearLimitM(f, N, 0.03, s);
      const farD = 1 / farLimitM(f, N, 0.03, s);
      // exact: 1/Dn − 1/s and 1/s − 1/Df, both ≈ N·c/f² (differ by O(f/s))
      expect(Math.abs(nearD - 1 / s - band) / band).toBeLessThan(0.02 + (f / 1000 / s) * 2);
      expect(Math.abs(1 / s - farD - band) / band).toBeLessThan(0.02 + (f / 1000 / s) * 2);
    }
  });

  it('isInFocus agrees with the limits', () => {
    expect(isInFocus(50, 2.8, 0.03, 3, 3)).toBe(true);
    expect(isInFocus(50, 2.8, 0.03, 3, 2.7)).toBe(false); // near limit 2.729
    expect(isInFocus(50, 2.8, 0.03, 3, 3.32)).toBe(true); // far limit 3.330
    expect(isInFocus(50, 2.8, 0.03, 3, 3.34)).toBe(false);
  });
});

describe('field of view and image size', () => {
  it('full-frame 50 mm has the textbook 39.6° horizontal field of view', () => {
    expect((fieldOfViewRad(36, 50) * 180) / Math.PI).toBeCloseTo(39.598, 2);
    expect((fieldOfViewRad(24, 50) * 180) / Math.PI).toBeCloseTo(26.991, 2);
  });
  it('focalLengthForFieldOfViewMm inverts fieldOfViewRad', () => {
    for (const f of [12, 24, 70, 600]) expect(focalLengthForFieldOfViewMm(36, fieldOfViewRad(36, f))).toBeCloseTo(f, 9);
  });
  it('pixel focal length is f · width / sensor width', () => {
    expect(pixelFocalLength(50, 36, 3840)).toBeCloseTo(5333.333, 3);
  });
  it('a dolly zoom keeps image height when f/z is constant', () => {
    const a = imageHeightFraction(24, 1.75, 4, 20);
    const b = imageHeightFraction(70, 1.75, (4 * 70) / 24, 20);
    expect(b).toBeCloseTo(a, 12);
    expect(a).toBeCloseTo((24 * 1.75) / (4 * 20), 12);
  });
});
