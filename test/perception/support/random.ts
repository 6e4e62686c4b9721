import { Rng } from '../../../sim/rng.ts';

/** A seeded uniform [0, 1) draw that also gives standard normals: one reproducible stream per scenario. */
export type Draw = (() => number) & { gaussian(): number };

export function rng(seed: number): Draw {
  const g = new Rng(seed, 'perception-tests');
  return Object.assign(() => g.next(), { gaussian: () => g.gaussian() });
}
