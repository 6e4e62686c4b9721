/**
 * A SubjectPredictor over exactly known constant-velocity subjects, for unit
 * tests of recipes and the controller (the closed-loop tests use the
 * simulator's noisy predictor instead).
 */
import type { SubjectPredictionSample, SubjectPredictor } from '../../../core/perception-types.ts';
import { vec3 } from '../../../core/vec3.ts';

export interface ScriptedSubject {
  name: string;
  /** feet at time 0, NED */
  n: number;
  e: number;
  vn?: number;
  ve?: number;
  headingRad?: number;
}

export class ScriptedPredictor implements SubjectPredictor {
  constructor(private readonly subjects: ScriptedSubject[]) {}

  predict(name: string, timeS: number): SubjectPredictionSample | null {
    const s = this.subjects.find((x) => x.name === name);
    if (!s) return null;
    const vn = s.vn ?? 0, ve = s.ve ?? 0;
    return {
      timeS,
      positionNedM: vec3(s.n + vn * timeS, s.e + ve * timeS, 0),
      velocityNedMps: vec3(vn, ve, 0),
      headingRad: s.headingRad ?? Math.atan2(ve, vn),
      positionSigmaM: 0,
    };
  }

  names(): string[] {
    return this.subjects.map((s) => s.name);
  }
}
