/**
 * Small 3-vector math in the three.js habit: plain objects, in-place operations
 * with an explicit `target` on hot paths, allocation only on request.
 * Frames are not encoded in the type; say the frame in the variable name
 * (`positionNedM`, `rayOptical`).
 */
export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

export function vec3(x = 0, y = 0, z = 0): Vec3 {
  return { x, y, z };
}

export function clone(a: Vec3): Vec3 {
  return { x: a.x, y: a.y, z: a.z };
}

export function set(target: Vec3, x: number, y: number, z: number): Vec3 {
  target.x = x;
  target.y = y;
  target.z = z;
  return target;
}

export function copy(target: Vec3, a: Vec3): Vec3 {
  return set(target, a.x, a.y, a.z);
}

export function add(a: Vec3, b: Vec3, target: Vec3 = vec3()): Vec3 {
  return set(target, a.x + b.x, a.y + b.y, a.z + b.z);
}

export function sub(a: Vec3, b: Vec3, target: Vec3 = vec3()): Vec3 {
  return set(target, a.x - b.x, a.y - b.y, a.z - b.z);
}

export function scale(a: Vec3, s: number, target: Vec3 = vec3()): Vec3 {
  return set(target, a.x * s, a.y * s, a.z * s);
}

/** target = a + s·b */
export function addScaled(a: Vec3, b: Vec3, s: number, target: Vec3 = vec3()): Vec3 {
  return set(target, a.x + s * b.x, a.y + s * b.y, a.z + s * b.z);
}

export function dot(a: Vec3, b: Vec3): number {
  return a.x * b.x + a.y * b.y + a.z * b.z;
}

export function cross(a: Vec3, b: Vec3, target: Vec3 = vec3()): Vec3 {
  return set(target, a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x);
}

export function norm(a: Vec3): number {
  return Math.hypot(a.x, a.y, a.z);
}

export function distance(a: Vec3, b: Vec3): number {
  return Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

/** Horizontal (north-east) distance, ignoring the down axis. */
export function horizontalDistance(a: Vec3, b: Vec3): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/**
 * Unit vector along `a`. A zero-length input is a degenerate case and is
 * reported by returning `null` rather than a vector of NaNs.
 */
export function normalize(a: Vec3, target: Vec3 = vec3()): Vec3 | null {
  const n = norm(a);
  if (!(n > 1e-12)) return null;
  return scale(a, 1 / n, target);
}

export function lerp(a: Vec3, b: Vec3, t: number, target: Vec3 = vec3()): Vec3 {
  return set(target, a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t);
}

export function isFiniteVec3(a: Vec3): boolean {
  return Number.isFinite(a.x) && Number.isFinite(a.y) && Number.isFinite(a.z);
}
