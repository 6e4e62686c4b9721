/**
 * VehicleLink: the one interface every vehicle implements — the in-process
 * simulator, MAVLink (PX4/ArduPilot) and MAVSDK (DESIGN.md §8). One narrow
 * capability per group (telemetry, action, offboard, gimbal, camera/lens).
 * Angles follow core/frames.ts; positions are local NED from home.
 */
import type { Vec3 } from './vec3.ts';
import type { GimbalAngles } from './frames.ts';

export type FlightMode =
  | 'unknown' | 'manual' | 'hold' | 'offboard' | 'takeoff' | 'land' | 'return' | 'mission' | 'position' | 'altitude';

export interface LensState {
  focalLengthMm: number;
  focusDistanceM: number;
  fNumber: number;
}

export interface VehicleTelemetry {
  /** monotonic time the sample describes, seconds */
  timestampS: number;
  vehicleId: number;
  positionNedM: Vec3;
  velocityNedMps: Vec3;
  rollRad: number;
  pitchRad: number;
  yawRad: number;
  yawRateRadps: number;
  gimbal: GimbalAngles;
  lens: LensState;
  armed: boolean;
  inAir: boolean;
  mode: FlightMode;
  /** 0..1, null when unknown */
  batteryFraction: number | null;
  batteryVoltageV: number | null;
  /** geodetic position when known */
  global?: { latDeg: number; lonDeg: number; altAmslM: number };
}

/**
 * An offboard setpoint, as SET_POSITION_TARGET_LOCAL_NED carries it: any of
 * position, velocity and acceleration (feed-forward); unset parts are ignored.
 */
export interface Setpoint {
  timestampS: number;
  positionNedM?: Vec3;
  velocityNedMps?: Vec3;
  accelerationNedMps2?: Vec3;
  yawRad?: number;
  yawRateRadps?: number;
}

export interface GimbalCommand {
  pitchRad: number;
  /** relative to vehicle heading */
  yawRad: number;
  /** rate feed-forward, optional */
  pitchRateRadps?: number;
  yawRateRadps?: number;
}

/** Any subset; each motor moves at its own speed and latency. */
export interface LensCommand {
  focalLengthMm?: number;
  focusDistanceM?: number;
  fNumber?: number;
}

export type CommandResult =
  | { ok: true }
  | { ok: false; code: string; message: string };

export interface LinkHealth {
  connected: boolean;
  /** seconds since the last message from the vehicle */
  lastMessageAgeS: number;
  messagesReceived: number;
  /** malformed, foreign or unexpected packets dropped */
  messagesDropped: number;
  /** round-trip or command latency estimate, ms, null when unknown */
  latencyMs: number | null;
}

export type Unsubscribe = () => void;

export interface VehicleLink {
  /** 'sim' | 'mavlink' | 'mavsdk' */
  readonly kind: string;
  /** human-readable endpoint, e.g. 'mavlink:udp://:14540' */
  readonly endpoint: string;
  connect(): Promise<void>;
  close(): Promise<void>;

  // telemetry
  onTelemetry(listener: (t: VehicleTelemetry) => void): Unsubscribe;
  latestTelemetry(): VehicleTelemetry | null;
  health(): LinkHealth;

  // action
  arm(): Promise<CommandResult>;
  disarm(): Promise<CommandResult>;
  takeoff(altitudeM: number): Promise<CommandResult>;
  land(): Promise<CommandResult>;
  hold(): Promise<CommandResult>;
  returnHome(): Promise<CommandResult>;

  // offboard: start requires a setpoint stream already flowing (PX4 rule)
  startOffboard(): Promise<CommandResult>;
  stopOffboard(): Promise<CommandResult>;
  /** Fire-and-forget; called at the control rate (≥ 10 Hz). */
  sendSetpoint(setpoint: Setpoint): void;

  // gimbal and camera
  setGimbal(command: GimbalCommand): void;
  setLens(command: LensCommand): void;
}
