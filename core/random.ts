/**
 * One seeded PRNG for everything that must be reproducible (test problems,
 * language-model sampling, audio dither, simulator noise): mulberry32,
 * uniform in [0, 1), full period over 2³². The simulator's per-stream
 * generator (sim/rng.ts) uses the same step on its own state.
 */
export const MULBERRY32_INCREMENT = 0x6d2b79f5;

/** The output for a state that has just been advanced by MULBERRY32_INCREMENT. */
export function mulberry32Output(state: number): number {
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A seeded uniform [0, 1) generator. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + MULBERRY32_INCREMENT) >>> 0;
    return mulberry32Output(state);
  };
}
