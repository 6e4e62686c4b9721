/**
 * The record of one simulated shot: what the drone, gimbal, lens and subjects
 * did at every control tick, and what the controller said it was aiming for.
 * Metrics (sim/metrics.ts) are computed from a trace alone, so hand-made
 * traces test them and saved traces can be re-scored.
 */
import type { Vec3 } from '../core/vec3.ts';
import type { CameraPose, GimbalAngles } from '../core/frames.ts';
import type { FlightMode, LensState } from '../core/vehicle-link.ts';
import type { Geofence, ShotTargets } from '../core/shot-controller.ts';
import type { ShotSpec } from '../core/shot-spec.ts';
import type { ShapeSpec } from './scene-schema.ts';

/** Something solid the drone must not fly into: a scene object, or a moving prop (its position per tick in `props`). */
export interface TraceObstacle {
  name: string;
  shape: ShapeSpec;
  /** base centre, NED; for moving props the position at the first tick */
  positionNedM: Vec3;
  yawRad: number;
  moving: boolean;
}

export interface TraceSubject {
  name: string;
  /** feet, NED */
  positionNedM: Vec3;
  velocityNedMps: Vec3;
  headingRad: number;
  heightM: number;
}

export interface TraceTick {
  timeS: number;
  drone: {
    positionNedM: Vec3;
    velocityNedMps: Vec3;
    accelerationNedMps2: Vec3;
    yawRad: number;
    rollRad: number;
    pitchRad: number;
  };
  camera: CameraPose;
  gimbal: GimbalAngles;
  lens: LensState;
  /** people, ground truth */
  subjects: TraceSubject[];
  /** moving props, ground truth (for plots) */
  props?: Array<{ name: string; positionNedM: Vec3 }>;
  /** what the controller reported it aims for this tick (ControlOutput.targets) */
  targets: ShotTargets | null;
  /** controller's planned positions, when it reports a plan (first few) */
  solveMs: number;
  status: string;
  mode: FlightMode;
}

export interface ShotTrace {
  scene: string;
  spec: ShotSpec;
  seed: number;
  controller: string;
  physicsRateHz: number;
  controlRateHz: number;
  /** first tick of the shot (setShot time), s */
  shotStartS: number;
  /** wall-clock seconds the run took (for the real-time factor); 0 when unknown */
  wallS: number;
  camera: { sensorWidthMm: number; sensorHeightMm: number; cocMm: number; imageWidthPx: number; imageHeightPx: number };
  keepOutRadiusM: number;
  /** radius of the airframe incl. props, m (obstacle clearance) */
  airframeRadiusM?: number;
  /** solid scene objects and moving props (obstacle clearance) */
  obstacles?: TraceObstacle[];
  geofence: Geofence;
  ticks: TraceTick[];
  events: Array<{ timeS: number; kind: string; detail: string }>;
}
