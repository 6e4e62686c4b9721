/**
 * Stabilised 3-axis gimbal: each axis tracks its commanded angle (clamped to
 * the axis limits) through a first-order lag, with the rate feed-forward
 * added and the total rate clamped to the axis's maximum. Angles never leave
 * the limits. Yaw is relative to the vehicle heading (core/frames.ts).
 */
import type { GimbalProfile } from '../hardware-profiles/schema.ts';
import type { GimbalAngles } from '../core/frames.ts';
import type { GimbalCommand } from '../core/vehicle-link.ts';
import { clamp, degToRad } from '../core/units.ts';

/** Smallest lag used when the profile says 0, so the loop stays a filter. */
const MIN_LAG_S = 1e-3;

interface AxisLimits {
  minRad: number;
  maxRad: number;
  maxRateRadps: number;
}

function axisLimits(axis: { minDeg: number; maxDeg: number; maxRateDegps: number }): AxisLimits {
  return { minRad: degToRad(axis.minDeg), maxRad: degToRad(axis.maxDeg), maxRateRadps: degToRad(axis.maxRateDegps) };
}

export class Gimbal {
  readonly angles: GimbalAngles;
  /** current angular rates, rad/s */
  readonly ratesRadps = { pitch: 0, yaw: 0, roll: 0 };
  readonly limits: { pitch: AxisLimits; yaw: AxisLimits; roll: AxisLimits };
  private readonly target = { pitchRad: 0, yawRad: 0, rollRad: 0, pitchRateRadps: 0, yawRateRadps: 0 };

  constructor(readonly profile: GimbalProfile, start: GimbalAngles) {
    this.limits = { pitch: axisLimits(profile.axes.pitch), yaw: axisLimits(profile.axes.yaw), roll: axisLimits(profile.axes.roll) };
    this.angles = {
      pitchRad: clamp(start.pitchRad, this.limits.pitch.minRad, this.limits.pitch.maxRad),
      yawRad: clamp(start.yawRad, this.limits.yaw.minRad, this.limits.yaw.maxRad),
      rollRad: clamp(start.rollRad, this.limits.roll.minRad, this.limits.roll.maxRad),
    };
    this.target.pitchRad = this.angles.pitchRad;
    this.target.yawRad = this.angles.yawRad;
  }

  command(cmd: GimbalCommand): void {
    const t = this.target;
    t.pitchRad = Number.isFinite(cmd.pitchRad) ? cmd.pitchRad : t.pitchRad;
    t.yawRad = Number.isFinite(cmd.yawRad) ? cmd.yawRad : t.yawRad;
    t.pitchRateRadps = Number.isFinite(cmd.pitchRateRadps) ? cmd.pitchRateRadps! : 0;
    t.yawRateRadps = Number.isFinite(cmd.yawRateRadps) ? cmd.yawRateRadps! : 0;
  }

  step(dtS: number): void {
    const t = this.target, a = this.angles, L = this.limits, r = this.ratesRadps;
    const pitch = this.stepAxis(dtS, a.pitchRad, t.pitchRad, t.pitchRateRadps, L.pitch);
    r.pitch = (pitch - a.pitchRad) / dtS;
    a.pitchRad = pitch;
    const yaw = this.stepAxis(dtS, a.yawRad, t.yawRad, t.yawRateRadps, L.yaw);
    r.yaw = (yaw - a.yawRad) / dtS;
    a.yawRad = yaw;
    const roll = this.stepAxis(dtS, a.rollRad, t.rollRad, 0, L.roll);
    r.roll = (roll - a.rollRad) / dtS;
    a.rollRad = roll;
  }

  private stepAxis(dtS: number, angleRad: number, targetRad: number, rateFfRadps: number, lim: AxisLimits): number {
    const goal = clamp(targetRad, lim.minRad, lim.maxRad);
    // first-order lag, but never faster than closing the gap within one step
    const closing = (goal - angleRad) / Math.max(this.profile.lagS, MIN_LAG_S, dtS);
    const rate = clamp(rateFfRadps + closing, -lim.maxRateRadps, lim.maxRateRadps);
    return clamp(angleRad + rate * dtS, lim.minRad, lim.maxRad);
  }
}
