import { describe, expect, it } from 'vitest';
import { DEFAULT_SUBJECT_FILTER, SubjectFilter } from './subject-filter.ts';

describe('SubjectFilter height', () => {
  it('weighs height measurements by their σ against the prior: ten 5 cm measurements of 1.70 m settle a 1.75 ± 0.10 m prior within 1 cm, at the σ floor', () => {
    const f = new SubjectFilter(DEFAULT_SUBJECT_FILTER, 1.75, 0.1);
    for (let i = 0; i < 10; i++) f.observeHeight(1.7, 0.05);
    // inverse-variance mean: (1.75/0.01 + 10·1.70/0.0025) / (1/0.01 + 10/0.0025) = 1.7012
    expect(f.heightM).toBeCloseTo((1.75 / 0.01 + (10 * 1.7) / 0.0025) / (1 / 0.01 + 10 / 0.0025), 3);
    expect(Math.abs(f.heightM - 1.7)).toBeLessThan(0.01);
    // 1/√(100 + 4000) = 0.0156 m, below the floor: successive measurements share the box's error
    expect(f.heightSigmaM).toBe(DEFAULT_SUBJECT_FILTER.minHeightSigmaM);
  });

  it('ignores heights no standing person has and measurements without a σ', () => {
    const f = new SubjectFilter(DEFAULT_SUBJECT_FILTER, 1.75, 0.1);
    f.observeHeight(0.5, 0.05);
    f.observeHeight(3, 0.05);
    f.observeHeight(1.6, 0);
    expect(f.heightM).toBe(1.75);
    expect(f.heightSigmaM).toBe(0.1);
  });
});
