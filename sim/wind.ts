/**
 * Wind: a steady mean plus gusts, each horizontal axis (and, weaker, the
 * vertical) a Gauss–Markov process drawn from the run's seeded RNG.
 */
import { type Vec3, vec3, set } from '../core/vec3.ts';
import { degToRad } from '../core/units.ts';
import { GaussMarkov, Rng } from './rng.ts';

export interface WindSpec {
  /** mean wind speed, m/s */
  speedMps: number;
  /** direction the wind blows FROM, degrees clockwise from north (meteorological) */
  fromDeg: number;
  /** standard deviation of gusts per horizontal axis, m/s */
  gustSigmaMps: number;
  /** gust correlation time, s */
  gustTimeConstantS: number;
}

export const NO_WIND: WindSpec = { speedMps: 0, fromDeg: 0, gustSigmaMps: 0, gustTimeConstantS: 2 };
/** Vertical gusts are weaker than horizontal ones near the ground. */
const VERTICAL_GUST_RATIO = 0.3;

export class Wind {
  readonly velocityNedMps: Vec3 = vec3();
  private readonly meanNedMps: Vec3;
  private readonly gusts: [GaussMarkov, GaussMarkov, GaussMarkov];

  constructor(readonly spec: WindSpec, seed: number) {
    const to = degToRad(spec.fromDeg) + Math.PI;
    this.meanNedMps = vec3(spec.speedMps * Math.cos(to), spec.speedMps * Math.sin(to), 0);
    const rng = new Rng(seed, 'wind');
    this.gusts = [
      new GaussMarkov(rng, spec.gustSigmaMps, spec.gustTimeConstantS),
      new GaussMarkov(rng, spec.gustSigmaMps, spec.gustTimeConstantS),
      new GaussMarkov(rng, spec.gustSigmaMps * VERTICAL_GUST_RATIO, spec.gustTimeConstantS),
    ];
    this.refresh();
  }

  step(dtS: number): void {
    for (const g of this.gusts) g.step(dtS);
    this.refresh();
  }

  private refresh(): void {
    const m = this.meanNedMps, g = this.gusts;
    set(this.velocityNedMps, m.x + g[0].value, m.y + g[1].value, m.z + g[2].value);
  }
}
