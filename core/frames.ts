/**
 * Frames and rotations — the conventions, written once (DESIGN.md §3).
 *
 * World:   local NED (x north, y east, z down), metres, origin at home.
 *          Altitude above home = −z.
 * Body:    FRD (x forward, y right, z down), as PX4/ArduPilot.
 * Euler:   aerospace ZYX (yaw ψ, then pitch θ, then roll φ), so
 *          R_world_body = Rz(ψ) · Ry(θ) · Rx(φ). Positive pitch = nose up;
 *          positive yaw = clockwise seen from above (north → east).
 * Matrix:  Mat3 is a row-major Float64Array(9); R maps body vectors to world:
 *          v_world = R · v_body.
 * Quaternion: Hamilton, stored [w, x, y, z], rotates body → world (same as
 *          MAVLink's ATTITUDE_QUATERNION and GIMBAL_DEVICE_ATTITUDE_STATUS.q).
 * Gimbal:  stabilised; the camera's world attitude is
 *          Rz(ψ_vehicle + gimbalYaw) · Ry(gimbalPitch) · Rx(gimbalRoll):
 *          gimbal pitch < 0 tilts the camera down (MAVLink convention);
 *          gimbal yaw is relative to the vehicle's heading ("body frame" yaw).
 * Optical: camera frame for projection: x right, y down, z forward (OpenCV);
 *          optical = (y_frd, z_frd, x_frd) of the camera's FRD frame.
 */
import { type Vec3, set, vec3 } from './vec3.ts';

export type Mat3 = Float64Array; // 3 × 3, row-major
export type Quat = [w: number, x: number, y: number, z: number];

export interface EulerZyx {
  rollRad: number;
  pitchRad: number;
  yawRad: number;
}

export function mat3(): Mat3 {
  return new Float64Array(9);
}

/** R_world_body = Rz(yaw)·Ry(pitch)·Rx(roll), written into `target`. */
export function eulerZyxToMatrix(yawRad: number, pitchRad: number, rollRad: number, target: Mat3 = mat3()): Mat3 {
  const cy = Math.cos(yawRad), sy = Math.sin(yawRad);
  const cp = Math.cos(pitchRad), sp = Math.sin(pitchRad);
  const cr = Math.cos(rollRad), sr = Math.sin(rollRad);
  target[0] = cy * cp;
  target[1] = cy * sp * sr - sy * cr;
  target[2] = cy * sp * cr + sy * sr;
  target[3] = sy * cp;
  target[4] = sy * sp * sr + cy * cr;
  target[5] = sy * sp * cr - cy * sr;
  target[6] = -sp;
  target[7] = cp * sr;
  target[8] = cp * cr;
  return target;
}

/** Inverse of eulerZyxToMatrix; at pitch = ±90° (gimbal lock) roll is set to 0. */
export function matrixToEulerZyx(R: Mat3): EulerZyx {
  const sp = Math.max(-1, Math.min(1, -R[6]!));
  const pitchRad = Math.asin(sp);
  if (Math.abs(sp) > 1 - 1e-12) {
    return { rollRad: 0, pitchRad, yawRad: Math.atan2(-R[1]!, R[4]!) };
  }
  return { rollRad: Math.atan2(R[7]!, R[8]!), pitchRad, yawRad: Math.atan2(R[3]!, R[0]!) };
}

export function quatToMatrix(q: Quat, target: Mat3 = mat3()): Mat3 {
  const [w, x, y, z] = q;
  const n = Math.hypot(w, x, y, z) || 1;
  const a = w / n, b = x / n, c = y / n, d = z / n;
  target[0] = a * a + b * b - c * c - d * d;
  target[1] = 2 * (b * c - a * d);
  target[2] = 2 * (b * d + a * c);
  target[3] = 2 * (b * c + a * d);
  target[4] = a * a - b * b + c * c - d * d;
  target[5] = 2 * (c * d - a * b);
  target[6] = 2 * (b * d - a * c);
  target[7] = 2 * (c * d + a * b);
  target[8] = a * a - b * b - c * c + d * d;
  return target;
}

export function eulerZyxToQuat(yawRad: number, pitchRad: number, rollRad: number): Quat {
  const cy = Math.cos(yawRad / 2), sy = Math.sin(yawRad / 2);
  const cp = Math.cos(pitchRad / 2), sp = Math.sin(pitchRad / 2);
  const cr = Math.cos(rollRad / 2), sr = Math.sin(rollRad / 2);
  return [
    cr * cp * cy + sr * sp * sy,
    sr * cp * cy - cr * sp * sy,
    cr * sp * cy + sr * cp * sy,
    cr * cp * sy - sr * sp * cy,
  ];
}

export function quatToEulerZyx(q: Quat): EulerZyx {
  return matrixToEulerZyx(quatToMatrix(q));
}

/** target = R · v */
export function rotate(R: Mat3, v: Vec3, target: Vec3 = vec3()): Vec3 {
  return set(
    target,
    R[0]! * v.x + R[1]! * v.y + R[2]! * v.z,
    R[3]! * v.x + R[4]! * v.y + R[5]! * v.z,
    R[6]! * v.x + R[7]! * v.y + R[8]! * v.z,
  );
}

/** target = Rᵀ · v (world → body for R = R_world_body) */
export function rotateTransposed(R: Mat3, v: Vec3, target: Vec3 = vec3()): Vec3 {
  return set(
    target,
    R[0]! * v.x + R[3]! * v.y + R[6]! * v.z,
    R[1]! * v.x + R[4]! * v.y + R[7]! * v.z,
    R[2]! * v.x + R[5]! * v.y + R[8]! * v.z,
  );
}

/** Gimbal angles; see the header for signs. */
export interface GimbalAngles {
  pitchRad: number;
  /** relative to the vehicle heading */
  yawRad: number;
  rollRad: number;
}

/**
 * Where the camera is and where it looks: position in NED and the world
 * attitude of the camera's FRD frame as ZYX Euler angles.
 */
export interface CameraPose {
  positionNedM: Vec3;
  yawRad: number;
  pitchRad: number;
  rollRad: number;
}

/**
 * Camera pose from the vehicle's position and heading and the stabilised
 * gimbal's angles. `mountOffsetBodyM` is the camera's offset from the vehicle
 * origin in the vehicle's yaw-only frame (a stabilised gimbal hangs level).
 */
export function cameraPoseFromVehicle(
  vehiclePositionNedM: Vec3,
  vehicleYawRad: number,
  gimbal: GimbalAngles,
  mountOffsetBodyM?: Vec3,
): CameraPose {
  let x = vehiclePositionNedM.x, y = vehiclePositionNedM.y, z = vehiclePositionNedM.z;
  if (mountOffsetBodyM) {
    const c = Math.cos(vehicleYawRad), s = Math.sin(vehicleYawRad);
    x += c * mountOffsetBodyM.x - s * mountOffsetBodyM.y;
    y += s * mountOffsetBodyM.x + c * mountOffsetBodyM.y;
    z += mountOffsetBodyM.z;
  }
  return {
    positionNedM: vec3(x, y, z),
    yawRad: vehicleYawRad + gimbal.yawRad,
    pitchRad: gimbal.pitchRad,
    rollRad: gimbal.rollRad,
  };
}

/** R_world_camFRD of a camera pose. */
export function cameraRotation(pose: CameraPose, target: Mat3 = mat3()): Mat3 {
  return eulerZyxToMatrix(pose.yawRad, pose.pitchRad, pose.rollRad, target);
}

/**
 * World point → optical frame (x right, y down, z forward), metres.
 * `R` must be cameraRotation(pose); pass it in to avoid recomputing per point.
 */
export function worldToOptical(pose: CameraPose, R: Mat3, pointNedM: Vec3, target: Vec3 = vec3()): Vec3 {
  const dx = pointNedM.x - pose.positionNedM.x;
  const dy = pointNedM.y - pose.positionNedM.y;
  const dz = pointNedM.z - pose.positionNedM.z;
  const fx = R[0]! * dx + R[3]! * dy + R[6]! * dz; // forward
  const fy = R[1]! * dx + R[4]! * dy + R[7]! * dz; // right
  const fz = R[2]! * dx + R[5]! * dy + R[8]! * dz; // down
  return set(target, fy, fz, fx);
}

/** Direction in the optical frame → direction in world NED (not normalised). */
export function opticalToWorldDirection(R: Mat3, dirOptical: Vec3, target: Vec3 = vec3()): Vec3 {
  // optical (x right, y down, z forward) → FRD (forward, right, down)
  const f = dirOptical.z, r = dirOptical.x, d = dirOptical.y;
  return set(
    target,
    R[0]! * f + R[1]! * r + R[2]! * d,
    R[3]! * f + R[4]! * r + R[5]! * d,
    R[6]! * f + R[7]! * r + R[8]! * d,
  );
}
