/**
 * Motorised lens: zoom, focus and iris motors, each with the range, maximum
 * speed and command latency of the lens profile. Each motor moves in the unit
 * it is rated in: zoom in mm (mm/s), focus in dioptres (1/m per s; 0 =
 * infinity), iris in stops (2·log₂N, stops/s). A command takes effect
 * `latencyS` after it is given; the motor then slews toward it at no more
 * than its maximum speed and never leaves its range.
 */
import type { LensProfile } from '../hardware-profiles/schema.ts';
import type { LensCommand, LensState } from '../core/vehicle-link.ts';
import { clamp } from '../core/units.ts';

/** Focus distance reported for a lens focused at (or near) infinity, m. Beyond any hyperfocal distance. */
export const FOCUS_INFINITY_M = 1000;
/** Pending commands per motor; older pending ones are superseded when full. */
const PENDING_CAPACITY = 64;

export const stopsFromFNumber = (fNumber: number): number => 2 * Math.log2(fNumber);
export const fNumberFromStops = (stops: number): number => Math.pow(2, stops / 2);

/** One motor: position in its rated unit, slewing toward a delayed target. */
export class LensMotor {
  position: number;
  /** speed of the last step, unit/s (signed) */
  speed = 0;
  private target: number;
  private readonly pendingAtS = new Float64Array(PENDING_CAPACITY);
  private readonly pendingValue = new Float64Array(PENDING_CAPACITY);
  private pendingHead = 0;
  private pendingCount = 0;

  constructor(readonly min: number, readonly max: number, readonly maxSpeed: number, readonly latencyS: number, start: number) {
    this.position = clamp(start, min, max);
    this.target = this.position;
  }

  command(value: number, nowS: number): void {
    if (!Number.isFinite(value)) return;
    if (this.pendingCount === PENDING_CAPACITY) {
      this.pendingHead = (this.pendingHead + 1) % PENDING_CAPACITY;
      this.pendingCount--;
    }
    const i = (this.pendingHead + this.pendingCount) % PENDING_CAPACITY;
    this.pendingAtS[i] = nowS + this.latencyS;
    this.pendingValue[i] = clamp(value, this.min, this.max);
    this.pendingCount++;
  }

  /** Advance to time `nowS` (end of this step) by `dtS`. */
  step(dtS: number, nowS: number): void {
    while (this.pendingCount > 0 && this.pendingAtS[this.pendingHead]! <= nowS + 1e-12) {
      this.target = this.pendingValue[this.pendingHead]!;
      this.pendingHead = (this.pendingHead + 1) % PENDING_CAPACITY;
      this.pendingCount--;
    }
    const maxMove = this.maxSpeed * dtS;
    const move = clamp(this.target - this.position, -maxMove, maxMove);
    this.position = clamp(this.position + move, this.min, this.max);
    this.speed = move / dtS;
  }

  get targetValue(): number {
    return this.target;
  }
}

export class LensMotors {
  readonly zoom: LensMotor;
  /** dioptres */
  readonly focus: LensMotor;
  /** stops */
  readonly iris: LensMotor;
  private readonly stateOut: LensState;

  constructor(readonly profile: LensProfile, start: LensState) {
    const m = profile.motors;
    this.zoom = new LensMotor(profile.focalLengthMm.min, profile.focalLengthMm.max, m.zoom.maxSpeed, m.zoom.latencyS, start.focalLengthMm);
    const maxD = 1 / profile.focusDistanceM.min;
    const minD = profile.focusDistanceM.max === null ? 1 / FOCUS_INFINITY_M : 1 / profile.focusDistanceM.max;
    this.focus = new LensMotor(minD, maxD, m.focus.maxSpeed, m.focus.latencyS, 1 / start.focusDistanceM);
    this.iris = new LensMotor(
      stopsFromFNumber(profile.fNumber.min), stopsFromFNumber(profile.fNumber.max), m.iris.maxSpeed, m.iris.latencyS,
      stopsFromFNumber(start.fNumber),
    );
    this.stateOut = { focalLengthMm: 0, focusDistanceM: 0, fNumber: 0 };
    this.refresh();
  }

  command(cmd: LensCommand, nowS: number): void {
    if (cmd.focalLengthMm !== undefined) this.zoom.command(cmd.focalLengthMm, nowS);
    if (cmd.focusDistanceM !== undefined && cmd.focusDistanceM > 0) this.focus.command(1 / cmd.focusDistanceM, nowS);
    if (cmd.fNumber !== undefined && cmd.fNumber > 0) this.iris.command(stopsFromFNumber(cmd.fNumber), nowS);
  }

  step(dtS: number, nowS: number): void {
    this.zoom.step(dtS, nowS);
    this.focus.step(dtS, nowS);
    this.iris.step(dtS, nowS);
    this.refresh();
  }

  /** Current lens values (the same object each call; copy it to keep it). */
  get state(): LensState {
    return this.stateOut;
  }

  private refresh(): void {
    this.stateOut.focalLengthMm = this.zoom.position;
    this.stateOut.focusDistanceM = 1 / this.focus.position;
    this.stateOut.fNumber = fNumberFromStops(this.iris.position);
  }
}
