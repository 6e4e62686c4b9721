/** Unit conversions. SI inside; lens quantities keep trade units (mm, f-number). */
export const DEG_PER_RAD = 180 / Math.PI;
export const RAD_PER_DEG = Math.PI / 180;
export const MM_PER_M = 1000;
export const GRAVITY_MPS2 = 9.80665;

export const degToRad = (deg: number): number => deg * RAD_PER_DEG;
export const radToDeg = (rad: number): number => rad * DEG_PER_RAD;

/** Wrap an angle to (−π, π]. */
export function wrapAngleRad(angleRad: number): number {
  const twoPi = 2 * Math.PI;
  let a = angleRad % twoPi;
  if (a <= -Math.PI) a += twoPi;
  else if (a > Math.PI) a -= twoPi;
  return a;
}

export const clamp = (value: number, lo: number, hi: number): number =>
  value < lo ? lo : value > hi ? hi : value;

/** Monotonic seconds, the only clock used inside the control path (DESIGN.md §3). */
export const monotonicS = (): number => performance.now() / 1000;
