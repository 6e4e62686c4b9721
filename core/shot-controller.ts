/**
 * The seam between whoever decides what the camera does (the MPC shot
 * controller, or a simple baseline) and whoever runs it (the real-time loop
 * on a real aircraft, the simulator's headless validation harness, the
 * ground station's preview). One tick in, one set of commands out.
 */
import type { Vec3 } from './vec3.ts';
import type { ShotSpec } from './shot-spec.ts';
import type { PersonPoint } from './framing.ts';
import type { SubjectPredictor } from './perception-types.ts';
import type { GimbalCommand, LensCommand, Setpoint, VehicleTelemetry } from './vehicle-link.ts';

/** Flight volume: a polygon in the north-east plane (metres from home) and an altitude band above home. */
export interface Geofence {
  polygonNeM: Array<[north: number, east: number]>;
  minAltitudeM: number;
  maxAltitudeM: number;
}

export interface ControlInput {
  /** monotonic time of this tick, s */
  timeS: number;
  telemetry: VehicleTelemetry;
  /** estimated subjects (never ground-truth future) with prediction over the horizon */
  subjects: SubjectPredictor;
}

/** The plan over the horizon, for display and logging. */
export interface PlanSummary {
  timeS: number[];
  positionsNedM: Vec3[];
  focalLengthMm: number[];
  focusDistanceM: number[];
  fNumber: number[];
}

/**
 * What the shot asks for *now*, reported by the controller every tick, so
 * metrics compare the achieved image against the shot's own targets.
 */
export interface ShotTargets {
  /** image targets for points on subjects, normalised [0,1]² from top-left */
  points: Array<{ subject: string; point: PersonPoint; u: number; v: number }>;
  /** target full-body image height / frame height (core/framing.ts), per subject */
  heights: Array<{ subject: string; heightFraction: number }>;
  /** subjects that must lie inside the depth of field */
  focusSubjects: string[];
  /** subjects (or scene objects) that should be outside the depth of field (shallow DoF) */
  defocusSubjects: string[];
}

export interface ControlOutput {
  setpoint: Setpoint;
  gimbal: GimbalCommand;
  lens: LensCommand;
  /** the shot's targets at this tick; absent when no shot is active */
  targets?: ShotTargets;
  plan?: PlanSummary;
  diagnostics: {
    /** time spent computing this tick, ms */
    solveMs: number;
    /** 'solved' | 'max-iterations' | 'time-limit' | 'numerical-error' | 'baseline' | … */
    status: string;
    iterations?: number;
    cost?: number;
  };
}

export type ShotPhase = 'idle' | 'starting' | 'running' | 'holding' | 'done';

export interface ShotStatus {
  shot: ShotSpec | null;
  phase: ShotPhase;
  /** 0..1 over the shot's duration (1 for open-ended shots once settled) */
  progress: number;
  /** seconds since the shot started */
  elapsedS: number;
}

export interface ShotController {
  /**
   * Start a shot, or blend into it from the current one. Throws a
   * CinePilotError (code SHOT_UNKNOWN_SUBJECT, SHOT_UNFLYABLE, …) when the
   * spec cannot be flown; the current shot then continues unchanged.
   */
  setShot(spec: ShotSpec, nowS: number): void;
  /** Drop the shot: hold position, keep framing what is in view. */
  clearShot(nowS: number): void;
  tick(input: ControlInput): ControlOutput;
  status(): ShotStatus;
}
