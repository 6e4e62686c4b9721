/**
 * Seeded pseudo-random numbers for the simulator. Every random thing in a run
 * (wind gusts, walkers, detector noise, estimate noise) draws from its own
 * stream derived from the run seed and a stream name, so adding a consumer
 * never changes another's draws and the same seed gives the same trace.
 */

import { MULBERRY32_INCREMENT, mulberry32Output } from '../core/random.ts';

/** 32-bit FNV-1a of a string, to derive per-consumer streams from one seed. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mulberry32: small, fast, full-period over 2³², good enough for simulation noise. */
export class Rng {
  private state: number;
  private spareGaussian: number | null = null;

  constructor(seed: number, stream = '') {
    this.state = (Math.floor(seed) ^ hash32(stream)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + MULBERRY32_INCREMENT) >>> 0;
    return mulberry32Output(this.state);
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Marsaglia polar method, caches the second value). */
  gaussian(): number {
    if (this.spareGaussian !== null) {
      const g = this.spareGaussian;
      this.spareGaussian = null;
      return g;
    }
    let u = 0, v = 0, s = 0;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareGaussian = v * m;
    return u * m;
  }

  /** Poisson-distributed count with mean `lambda` (Knuth; fine for small means). */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    const limit = Math.exp(-lambda);
    let k = 0, p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
}

/**
 * First-order Gauss–Markov (Ornstein–Uhlenbeck) process, exact discretisation:
 * x ← a·x + σ·√(1−a²)·n with a = e^(−dt/τ); stationary standard deviation σ.
 * Used for gusts and for correlated estimate errors.
 */
export class GaussMarkov {
  value: number;
  constructor(
    private readonly rng: Rng,
    readonly sigma: number,
    readonly timeConstantS: number,
  ) {
    this.value = sigma > 0 ? sigma * rng.gaussian() : 0;
  }

  step(dtS: number): number {
    if (!(this.sigma > 0)) return (this.value = 0);
    const a = Math.exp(-dtS / Math.max(this.timeConstantS, 1e-6));
    this.value = a * this.value + this.sigma * Math.sqrt(1 - a * a) * this.rng.gaussian();
    return this.value;
  }
}
