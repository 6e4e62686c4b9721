/**
 * Multirotor under a PX4-style position controller (mc_pos_control class),
 * integrated at the world's fixed step:
 *
 *   v_cmd  = v_ff + K_p·(p_sp − p)                    P on position, velocity feed-forward
 *            |v_cmd,xy| ≤ v_max,xy, −v_up ≤ v_cmd,z ≤ v_down
 *   a_cmd  = a_ff + (v_cmd − v)/τ_v + ∫ K_i·(v_cmd − v)   first-order velocity loop
 *            |a_cmd,xy| ≤ min(a_max,xy, g·tan θ_max), |a_cmd,z| ≤ a_max,z
 *   a_thr  ← a_thr + (a_cmd − a_thr)·dt/τ_att          attitude/thrust lag (finite jerk)
 *   a      = a_thr + k_drag·v − k_drag·(v − w)          thrust compensates still-air drag;
 *                                                       wind w is the disturbance the integrator removes
 *   ψ̇_cmd  = clamp(ψ̇_ff + K_ψ·wrap(ψ_sp − ψ), ±ψ̇_max), ψ̇ lags ψ̇_cmd by τ_ψ
 *
 * Roll and pitch are those that tilt the thrust vector to produce the
 * horizontal acceleration. The ground is z = 0 (NED, down positive): the
 * vehicle cannot go below it and stops there.
 */
import type { AirframeProfile } from '../hardware-profiles/schema.ts';
import { type Vec3, vec3, set } from '../core/vec3.ts';
import { GRAVITY_MPS2, clamp, degToRad, wrapAngleRad } from '../core/units.ts';

/** Position-loop proportional gain, 1/s (PX4 MPC_XY_P / MPC_Z_P default class). */
export const DEFAULT_POSITION_GAIN_PER_S = 0.95;
/** Velocity-loop integral gain, 1/s² (removes steady wind offsets). */
export const DEFAULT_VELOCITY_INTEGRAL_GAIN = 0.4;
/** Velocity errors larger than this are transients, not offsets: the integrator ignores them, m/s. */
export const INTEGRATOR_ERROR_WINDOW_MPS = 0.3;
/** Attitude/thrust response time constant, s. */
export const DEFAULT_ATTITUDE_TIME_CONSTANT_S = 0.06;
/** Yaw angle gain, 1/s (PX4 MC_YAW_P class). */
export const DEFAULT_YAW_GAIN_PER_S = 2.8;
/** Yaw-rate response time constant, s. */
export const DEFAULT_YAW_RATE_TIME_CONSTANT_S = 0.08;

/** What the vehicle is asked to do; the autopilot fills it from setpoints and modes. */
export interface MultirotorCommand {
  positionNedM: Vec3 | null;
  velocityNedMps: Vec3 | null;
  accelerationNedMps2: Vec3 | null;
  yawRad: number | null;
  yawRateRadps: number | null;
  /** extra speed caps (e.g. landing descent), m/s; Infinity = airframe limit */
  maxDescentSpeedMps: number;
}

export function emptyCommand(): MultirotorCommand {
  return { positionNedM: null, velocityNedMps: null, accelerationNedMps2: null, yawRad: null, yawRateRadps: null, maxDescentSpeedMps: Infinity };
}

export interface MultirotorState {
  positionNedM: Vec3;
  velocityNedMps: Vec3;
  /** actual acceleration of the last step, m/s² */
  accelerationNedMps2: Vec3;
  yawRad: number;
  yawRateRadps: number;
  rollRad: number;
  pitchRad: number;
  /** on the ground (z = 0) and not climbing */
  onGround: boolean;
}

export class Multirotor {
  readonly state: MultirotorState;
  private readonly thrustAccel: Vec3 = vec3();
  private readonly integral: Vec3 = vec3();
  private readonly vCmd: Vec3 = vec3();
  private readonly aCmd: Vec3 = vec3();
  readonly maxHorizontalAccelMps2: number;

  constructor(readonly airframe: AirframeProfile, start: { positionNedM: Vec3; yawRad: number }) {
    this.state = {
      positionNedM: { ...start.positionNedM },
      velocityNedMps: vec3(),
      accelerationNedMps2: vec3(),
      yawRad: wrapAngleRad(start.yawRad),
      yawRateRadps: 0,
      rollRad: 0,
      pitchRad: 0,
      onGround: start.positionNedM.z >= 0,
    };
    this.maxHorizontalAccelMps2 = Math.min(
      airframe.maxHorizontalAccelMps2,
      GRAVITY_MPS2 * Math.tan(degToRad(airframe.maxTiltDeg)),
    );
  }

  /**
   * Advance by dtS under `cmd` in wind `windNedMps`. `motorsOn` false = disarmed:
   * no thrust beyond holding still on the ground.
   */
  step(dtS: number, cmd: MultirotorCommand, windNedMps: Vec3, motorsOn: boolean): void {
    const s = this.state, af = this.airframe;
    const p = s.positionNedM, v = s.velocityNedMps;
    if (!motorsOn) {
      set(v, 0, 0, s.onGround ? 0 : Math.min(v.z + GRAVITY_MPS2 * dtS, 10));
      p.z = Math.min(p.z + v.z * dtS, 0);
      if (p.z >= 0) { s.onGround = true; set(v, 0, 0, 0); }
      set(s.accelerationNedMps2, 0, 0, 0);
      set(this.thrustAccel, 0, 0, 0);
      set(this.integral, 0, 0, 0);
      s.yawRateRadps = 0;
      s.rollRad = 0;
      s.pitchRad = 0;
      return;
    }

    // position → velocity command
    const vc = this.vCmd;
    set(vc, 0, 0, 0);
    if (cmd.velocityNedMps) set(vc, cmd.velocityNedMps.x, cmd.velocityNedMps.y, cmd.velocityNedMps.z);
    if (cmd.positionNedM) {
      vc.x += DEFAULT_POSITION_GAIN_PER_S * (cmd.positionNedM.x - p.x);
      vc.y += DEFAULT_POSITION_GAIN_PER_S * (cmd.positionNedM.y - p.y);
      vc.z += DEFAULT_POSITION_GAIN_PER_S * (cmd.positionNedM.z - p.z);
    }
    const hSpeed = Math.hypot(vc.x, vc.y);
    if (hSpeed > af.maxHorizontalSpeedMps) {
      const k = af.maxHorizontalSpeedMps / hSpeed;
      vc.x *= k;
      vc.y *= k;
    }
    vc.z = clamp(vc.z, -af.maxAscentSpeedMps, Math.min(af.maxDescentSpeedMps, cmd.maxDescentSpeedMps));

    // velocity → acceleration command
    const ac = this.aCmd, I = this.integral, tau = af.velocityTimeConstantS;
    const ex = vc.x - v.x, ey = vc.y - v.y, ez = vc.z - v.z;
    const ff = cmd.accelerationNedMps2;
    set(ac, (ff?.x ?? 0) + ex / tau + I.x, (ff?.y ?? 0) + ey / tau + I.y, (ff?.z ?? 0) + ez / tau + I.z);
    const hAcc = Math.hypot(ac.x, ac.y);
    const hMax = this.maxHorizontalAccelMps2;
    const hSaturated = hAcc > hMax;
    if (hSaturated) {
      const k = hMax / hAcc;
      ac.x *= k;
      ac.y *= k;
    }
    const zSaturated = Math.abs(ac.z) > af.maxVerticalAccelMps2;
    ac.z = clamp(ac.z, -af.maxVerticalAccelMps2, af.maxVerticalAccelMps2);
    // anti-windup: integrate only small errors while the command is not saturated,
    // so the integrator removes steady offsets (wind) without overshooting steps
    const W = INTEGRATOR_ERROR_WINDOW_MPS;
    if (!hSaturated && Math.abs(ex) < W && Math.abs(ey) < W) {
      I.x += DEFAULT_VELOCITY_INTEGRAL_GAIN * ex * dtS;
      I.y += DEFAULT_VELOCITY_INTEGRAL_GAIN * ey * dtS;
    }
    if (!zSaturated && Math.abs(ez) < W) I.z += DEFAULT_VELOCITY_INTEGRAL_GAIN * ez * dtS;

    // attitude/thrust lag
    const ta = this.thrustAccel;
    const alpha = Math.min(1, dtS / DEFAULT_ATTITUDE_TIME_CONSTANT_S);
    ta.x += (ac.x - ta.x) * alpha;
    ta.y += (ac.y - ta.y) * alpha;
    ta.z += (ac.z - ta.z) * alpha;

    // net acceleration: drag relative to the air, thrust compensates still-air drag
    const kd = af.linearDragPerS;
    const ax = ta.x + kd * windNedMps.x;
    const ay = ta.y + kd * windNedMps.y;
    const az = ta.z + kd * windNedMps.z;
    set(s.accelerationNedMps2, ax, ay, az);
    // semi-implicit Euler
    v.x += ax * dtS;
    v.y += ay * dtS;
    v.z += az * dtS;
    p.x += v.x * dtS;
    p.y += v.y * dtS;
    p.z += v.z * dtS;
    if (p.z >= 0) {
      p.z = 0;
      if (v.z > 0) v.z = 0;
      v.x = 0;
      v.y = 0;
      s.onGround = true;
      set(I, 0, 0, 0);
    } else s.onGround = false;

    // yaw
    let rateCmd = cmd.yawRateRadps ?? 0;
    if (cmd.yawRad !== null) rateCmd += DEFAULT_YAW_GAIN_PER_S * wrapAngleRad(cmd.yawRad - s.yawRad);
    const rMax = degToRad(af.maxYawRateDegps);
    rateCmd = clamp(rateCmd, -rMax, rMax);
    s.yawRateRadps += (rateCmd - s.yawRateRadps) * Math.min(1, dtS / DEFAULT_YAW_RATE_TIME_CONSTANT_S);
    s.yawRad = wrapAngleRad(s.yawRad + s.yawRateRadps * dtS);

    // tilt that produces the horizontal thrust acceleration (body yaw frame)
    const c = Math.cos(s.yawRad), sn = Math.sin(s.yawRad);
    const aFwd = c * ta.x + sn * ta.y, aRight = -sn * ta.x + c * ta.y;
    const g = GRAVITY_MPS2 - ta.z;
    s.pitchRad = -Math.atan2(aFwd, g);
    s.rollRad = Math.atan2(aRight * Math.cos(s.pitchRad), g);
  }
}
