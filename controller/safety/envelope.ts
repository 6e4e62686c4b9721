/**
 * The flight envelope every outgoing setpoint passes through, whatever
 * produced it (MPC, fallback plan, brake): keep-out capsules around people,
 * the geofence polygon and altitude band, and speed caps. Velocity towards a
 * boundary is limited so that the vehicle can still stop before it:
 *
 *   d = v·τ + v²/(2a)   ⇒   v_allowed(d) = −a·τ + √((a·τ)² + 2·a·d)
 *
 * (τ: the autopilot's response latency, a: a braking deceleration below the
 * airframe's limit). The component of the command towards each nearby
 * boundary is cut to v_allowed, so the vehicle slides along a fence instead
 * of stopping dead. For people the limit applies to the *closing* speed
 * (command minus the person's predicted velocity along the line between
 * them), so someone walking at the drone pushes it back. Inside a keep-out
 * radius the allowed speed becomes a retreat.
 */
import type { Geofence } from '../../core/shot-controller.ts';
import type { Setpoint } from '../../core/vehicle-link.ts';
import type { Rig } from '../../hardware-profiles/schema.ts';
import { type Vec3, vec3, clone } from '../../core/vec3.ts';
import { DEFAULT_PERSON_HEIGHT_M } from '../../core/framing.ts';
import { type NePoint, insidePolygon, projectInside, signedClearanceM, validateGeofence } from './geofence.ts';

/** Braking uses this fraction of the airframe's acceleration limit, leaving headroom for wind. */
export const DEFAULT_BRAKE_DECEL_FRACTION = 0.6;
/** Extra clearance kept from the fence beyond the airframe radius, m. */
export const DEFAULT_FENCE_MARGIN_M = 1.0;
/** A position setpoint may lead the vehicle by at most this many seconds at the speed cap. */
export const DEFAULT_CARROT_S = 1.0;
/** Speed gain (1/s) of the retreat from inside a keep-out radius or outside the fence. */
export const DEFAULT_RETREAT_GAIN_PER_S = 1.0;
/** Minimum retreat speed, m/s, so a small intrusion is still cleared quickly. */
export const DEFAULT_MIN_RETREAT_MPS = 1.0;
/** Keep-out grows by this many sigmas of a subject's predicted position uncertainty (capped). */
export const DEFAULT_KEEP_OUT_SIGMAS = 2;
export const MAX_KEEP_OUT_UNCERTAINTY_M = 3;

export interface EnvelopeSettings {
  maxHorizontalSpeedMps: number;
  maxAscentSpeedMps: number;
  maxDescentSpeedMps: number;
  brakeDecelMps2: number;
  verticalBrakeDecelMps2: number;
  /** autopilot response latency used in the stopping distance, s */
  responseLatencyS: number;
  /** clearance from the fence polygon and altitude band, m (incl. airframe radius) */
  fenceMarginM: number;
  /** minimum distance from any person, m (incl. airframe radius) */
  keepOutRadiusM: number;
  carrotS: number;
}

export function envelopeSettingsFromRig(rig: Rig, overrides: Partial<EnvelopeSettings> = {}): EnvelopeSettings {
  const a = rig.airframe;
  return {
    maxHorizontalSpeedMps: Math.min(rig.safety.maxSpeedMps, a.maxHorizontalSpeedMps),
    maxAscentSpeedMps: Math.min(rig.safety.maxSpeedMps, a.maxAscentSpeedMps),
    maxDescentSpeedMps: Math.min(rig.safety.maxSpeedMps, a.maxDescentSpeedMps),
    brakeDecelMps2: a.maxHorizontalAccelMps2 * DEFAULT_BRAKE_DECEL_FRACTION,
    verticalBrakeDecelMps2: a.maxVerticalAccelMps2 * DEFAULT_BRAKE_DECEL_FRACTION,
    responseLatencyS: a.velocityTimeConstantS,
    fenceMarginM: a.radiusM + DEFAULT_FENCE_MARGIN_M,
    keepOutRadiusM: rig.safety.keepOutRadiusM + a.radiusM,
    carrotS: DEFAULT_CARROT_S,
    ...overrides,
  };
}

/** v_allowed(d): the fastest approach that can still stop within d. */
export function approachSpeedLimitMps(distanceM: number, decelMps2: number, latencyS: number): number {
  if (!(distanceM > 0)) return 0;
  const at = decelMps2 * latencyS;
  return -at + Math.sqrt(at * at + 2 * decelMps2 * distanceM);
}

/** Distance needed to stop from `speedMps`: v·τ + v²/(2a). */
export function stoppingDistanceM(speedMps: number, decelMps2: number, latencyS: number): number {
  return speedMps * latencyS + (speedMps * speedMps) / (2 * decelMps2);
}

export interface PersonObstacle {
  name: string;
  /** feet, NED */
  positionNedM: Vec3;
  heightM: number;
  /** 1-σ position uncertainty, m */
  sigmaM: number;
  /** predicted velocity, NED (zero when unknown): the keep-out limits the *closing* speed */
  velocityNedMps?: Vec3;
}

export const INTERVENTION_NONE = 0;
export const INTERVENTION_SPEED = 1 << 0;
export const INTERVENTION_GEOFENCE = 1 << 1;
export const INTERVENTION_ALTITUDE = 1 << 2;
export const INTERVENTION_KEEP_OUT = 1 << 3;
/** the vehicle itself is outside the fence or inside a keep-out radius */
export const INTERVENTION_VIOLATION = 1 << 4;

export const INTERVENTION_NAMES: Array<[number, string]> = [
  [INTERVENTION_SPEED, 'speed-limit'],
  [INTERVENTION_GEOFENCE, 'geofence'],
  [INTERVENTION_ALTITUDE, 'altitude-band'],
  [INTERVENTION_KEEP_OUT, 'keep-out'],
  [INTERVENTION_VIOLATION, 'violation'],
];

export function interventionNames(mask: number): string[] {
  return INTERVENTION_NAMES.filter(([bit]) => mask & bit).map(([, name]) => name);
}

export interface VehicleKinematics {
  positionNedM: Vec3;
  velocityNedMps: Vec3;
}

export class SafetyEnvelope {
  readonly settings: EnvelopeSettings;
  private fence: Geofence | null;
  private readonly scratch: NePoint = { north: 0, east: 0 };
  private readonly point: NePoint = { north: 0, east: 0 };

  constructor(settings: EnvelopeSettings, fence: Geofence | null) {
    this.settings = settings;
    this.fence = null;
    this.setGeofence(fence);
  }

  get geofence(): Geofence | null {
    return this.fence;
  }

  setGeofence(fence: Geofence | null): void {
    if (fence) validateGeofence(fence, this.settings.fenceMarginM);
    this.fence = fence;
  }

  /** Is a position inside the fence with the margin (true when no fence is set)? */
  containsWithMargin(positionNedM: Vec3): boolean {
    if (!this.fence) return true;
    const alt = -positionNedM.z;
    const m = this.settings.fenceMarginM;
    if (alt < this.fence.minAltitudeM + m - 1e-6 || alt > this.fence.maxAltitudeM - m + 1e-6) return false;
    return signedClearanceM(this.fence.polygonNeM, positionNedM.x, positionNedM.y, this.scratch) >= m - 1e-6;
  }

  /** Is a position inside the fence itself (no margin)? */
  contains(positionNedM: Vec3): boolean {
    if (!this.fence) return true;
    const alt = -positionNedM.z;
    if (alt < this.fence.minAltitudeM || alt > this.fence.maxAltitudeM) return false;
    return insidePolygon(this.fence.polygonNeM, positionNedM.x, positionNedM.y);
  }

  /**
   * Filter a setpoint for a vehicle at `vehicle`. Returns a new setpoint and
   * a bit mask of the interventions made (INTERVENTION_*).
   */
  filter(input: Setpoint, vehicle: VehicleKinematics, people: readonly PersonObstacle[]): { setpoint: Setpoint; interventions: number } {
    const s = this.settings;
    const p = vehicle.positionNedM;
    const P = input.positionNedM ? clone(input.positionNedM) : null;
    const V = input.velocityNedMps ? clone(input.velocityNedMps) : vec3();
    let mask = 0;

    // Keep-out capsules: vertical segment from the feet to the head, radius R.
    for (const person of people) {
      const R = s.keepOutRadiusM + Math.min(MAX_KEEP_OUT_UNCERTAINTY_M, DEFAULT_KEEP_OUT_SIGMAS * Math.max(0, person.sigmaM));
      const feet = person.positionNedM;
      const headZ = feet.z - (person.heightM > 0 ? person.heightM : DEFAULT_PERSON_HEIGHT_M);
      if (P) {
        const az = Math.min(feet.z, Math.max(headZ, P.z));
        let dx = P.x - feet.x, dy = P.y - feet.y, dz = P.z - az;
        let d = Math.hypot(dx, dy, dz);
        if (d < R) {
          if (d < 1e-6) {
            // Setpoint on the person: push out on the side the vehicle is on.
            dx = p.x - feet.x;
            dy = p.y - feet.y;
            dz = 0;
            d = Math.hypot(dx, dy) || 1;
            if (Math.hypot(dx, dy) < 1e-6) dx = 1;
          }
          P.x = feet.x + (dx / d) * R;
          P.y = feet.y + (dy / d) * R;
          P.z = az + (dz / d) * R;
          mask |= INTERVENTION_KEEP_OUT;
        }
      }
      const az = Math.min(feet.z, Math.max(headZ, p.z));
      const ax = feet.x - p.x, ay = feet.y - p.y, azz = az - p.z;
      const dist = Math.hypot(ax, ay, azz);
      if (dist < 1e-6) continue;
      const ux = ax / dist, uy = ay / dist, uz = azz / dist; // towards the person
      const gap = dist - R;
      if (gap < 0) mask |= INTERVENTION_VIOLATION | INTERVENTION_KEEP_OUT;
      // A person walking at the drone closes the gap too: limit the relative speed.
      const pv = person.velocityNedMps;
      const personAlongU = pv ? pv.x * ux + pv.y * uy + pv.z * uz : 0;
      if (this.limitTowards(V, P, p, ux, uy, uz, gap, s.brakeDecelMps2, personAlongU)) mask |= INTERVENTION_KEEP_OUT;
    }

    const fence = this.fence;
    if (fence) {
      const m = s.fenceMarginM;
      // Position setpoint inside the shrunk polygon and band.
      if (P) {
        this.point.north = P.x;
        this.point.east = P.y;
        if (signedClearanceM(fence.polygonNeM, P.x, P.y, this.scratch) < m - 1e-6) {
          projectInside(fence.polygonNeM, this.point, m, this.scratch);
          P.x = this.point.north;
          P.y = this.point.east;
          mask |= INTERVENTION_GEOFENCE;
        }
        const alt = -P.z;
        const lo = fence.minAltitudeM + m, hi = fence.maxAltitudeM - m;
        if (alt < lo || alt > hi) {
          P.z = -Math.min(hi, Math.max(lo, alt));
          mask |= INTERVENTION_ALTITUDE;
        }
      }
      // Velocity towards each nearby edge cut to what can still stop before it.
      const poly = fence.polygonNeM;
      const vehicleClearance = signedClearanceM(poly, p.x, p.y, this.scratch);
      if (vehicleClearance < m - 1e-6) mask |= INTERVENTION_VIOLATION;
      const horizonM = stoppingDistanceM(s.maxHorizontalSpeedMps, s.brakeDecelMps2, s.responseLatencyS) + m + 1;
      for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
        const [an, ae] = poly[j]!;
        const [bn, be] = poly[i]!;
        const dn = bn - an, de = be - ae;
        const len2 = dn * dn + de * de;
        const t = len2 > 0 ? Math.max(0, Math.min(1, ((p.x - an) * dn + (p.y - ae) * de) / len2)) : 0;
        const qn = an + t * dn, qe = ae + t * de;
        let ux = qn - p.x, uy = qe - p.y;
        const d = Math.hypot(ux, uy);
        if (d > horizonM) continue;
        if (d < 1e-9) {
          // On the edge: outward normal of the edge (sign from the polygon's orientation).
          const len = Math.sqrt(len2) || 1;
          ux = de / len;
          uy = -dn / len;
          if (insidePolygon(poly, p.x + ux * 1e-3, p.y + uy * 1e-3)) {
            ux = -ux;
            uy = -uy;
          }
        } else {
          ux /= d;
          uy /= d;
          if (vehicleClearance < 0) {
            // Outside: the nearest point is back inside; "towards the boundary" is away from it.
            ux = -ux;
            uy = -uy;
          }
        }
        const gap = (vehicleClearance < 0 ? -d : d) - m;
        if (this.limitTowards(V, P, p, ux, uy, 0, gap, s.brakeDecelMps2)) mask |= INTERVENTION_GEOFENCE;
      }
      const alt = -p.z;
      if (alt > fence.maxAltitudeM - m + 1e-6 || alt < fence.minAltitudeM + m - 1e-6) mask |= INTERVENTION_VIOLATION;
      // Up is −z: "towards the ceiling" is (0, 0, −1).
      if (this.limitTowards(V, P, p, 0, 0, -1, fence.maxAltitudeM - m - alt, s.verticalBrakeDecelMps2)) mask |= INTERVENTION_ALTITUDE;
      if (this.limitTowards(V, P, p, 0, 0, 1, alt - (fence.minAltitudeM + m), s.verticalBrakeDecelMps2)) mask |= INTERVENTION_ALTITUDE;
    }

    // Speed caps and how far a position setpoint may lead the vehicle.
    const vh = Math.hypot(V.x, V.y);
    if (vh > s.maxHorizontalSpeedMps) {
      V.x *= s.maxHorizontalSpeedMps / vh;
      V.y *= s.maxHorizontalSpeedMps / vh;
      mask |= INTERVENTION_SPEED;
    }
    if (-V.z > s.maxAscentSpeedMps) {
      V.z = -s.maxAscentSpeedMps;
      mask |= INTERVENTION_SPEED;
    } else if (V.z > s.maxDescentSpeedMps) {
      V.z = s.maxDescentSpeedMps;
      mask |= INTERVENTION_SPEED;
    }
    if (P) {
      const leadM = s.maxHorizontalSpeedMps * s.carrotS;
      const ox = P.x - p.x, oy = P.y - p.y;
      const oh = Math.hypot(ox, oy);
      if (oh > leadM) {
        P.x = p.x + (ox / oh) * leadM;
        P.y = p.y + (oy / oh) * leadM;
        mask |= INTERVENTION_SPEED;
      }
      const leadUpM = s.maxAscentSpeedMps * s.carrotS, leadDownM = s.maxDescentSpeedMps * s.carrotS;
      if (p.z - P.z > leadUpM) {
        P.z = p.z - leadUpM;
        mask |= INTERVENTION_SPEED;
      } else if (P.z - p.z > leadDownM) {
        P.z = p.z + leadDownM;
        mask |= INTERVENTION_SPEED;
      }
    }

    const out: Setpoint = { timestampS: input.timestampS };
    if (P) out.positionNedM = P;
    if (input.velocityNedMps || mask & (INTERVENTION_GEOFENCE | INTERVENTION_ALTITUDE | INTERVENTION_KEEP_OUT)) out.velocityNedMps = V;
    // Acceleration feed-forward would fight a brake; keep it only when nothing intervened.
    if (input.accelerationNedMps2 && mask === 0) out.accelerationNedMps2 = clone(input.accelerationNedMps2);
    if (input.yawRad !== undefined) out.yawRad = input.yawRad;
    if (input.yawRateRadps !== undefined) out.yawRateRadps = input.yawRateRadps;
    return { setpoint: out, interventions: mask };
  }

  /**
   * Limit the command's component along unit vector u (towards a boundary
   * `gapM` away; negative = already past it) to what can stop in time, and
   * keep the position setpoint's lead along u consistent with it. Returns
   * true when the command was changed.
   */
  private limitTowards(
    V: Vec3, P: Vec3 | null, p: Vec3, ux: number, uy: number, uz: number, gapM: number, decelMps2: number,
    boundaryAlongUMps = 0,
  ): boolean {
    const s = this.settings;
    const allowed = gapM >= 0
      ? approachSpeedLimitMps(gapM, decelMps2, s.responseLatencyS)
      : -Math.max(DEFAULT_MIN_RETREAT_MPS, Math.min(s.maxHorizontalSpeedMps, -gapM * DEFAULT_RETREAT_GAIN_PER_S));
    let changed = false;
    // closing speed: the command's component along u minus the boundary's own motion along u
    const c = V.x * ux + V.y * uy + V.z * uz - boundaryAlongUMps;
    if (c > allowed) {
      subtractAlong(V, c - allowed, ux, uy, uz);
      changed = true;
    }
    if (P) {
      // The autopilot adds a position-error term; its lead along u must not exceed what the speed allows.
      const maxLead = gapM >= 0 ? Math.min(gapM, allowed * s.carrotS) : allowed * s.carrotS;
      const lead = (P.x - p.x) * ux + (P.y - p.y) * uy + (P.z - p.z) * uz;
      if (lead > maxLead) {
        subtractAlong(P, lead - maxLead, ux, uy, uz);
        changed = true;
      }
    }
    return changed;
  }
}

/** v −= amount·u (u a unit direction): removes the excess component along u, in place. */
function subtractAlong(v: Vec3, amount: number, ux: number, uy: number, uz: number): void {
  v.x -= amount * ux;
  v.y -= amount * uy;
  v.z -= amount * uz;
}
