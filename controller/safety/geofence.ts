/**
 * Geofence geometry in the north-east plane: inside tests, distances to the
 * boundary and projection of an outside point back in. Works for any simple
 * polygon (convex or not); polygons are small, so plain loops over edges.
 */
import type { Geofence } from '../../core/shot-controller.ts';
import { CinePilotError } from '../../core/errors.ts';

export interface NePoint {
  north: number;
  east: number;
}

/** Ray casting; points exactly on the boundary count as inside. */
export function insidePolygon(poly: Geofence['polygonNeM'], north: number, east: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [ni, ei] = poly[i]!;
    const [nj, ej] = poly[j]!;
    if (ei > east !== ej > east) {
      const nCross = ((nj - ni) * (east - ei)) / (ej - ei) + ni;
      if (north < nCross) inside = !inside;
      else if (north === nCross) return true;
    }
  }
  return inside;
}

/**
 * Nearest point on the polygon boundary to (north, east), written into
 * `target`; returns the distance.
 */
export function nearestBoundaryPoint(poly: Geofence['polygonNeM'], north: number, east: number, target: NePoint): number {
  let best = Infinity;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [an, ae] = poly[j]!;
    const [bn, be] = poly[i]!;
    const dn = bn - an, de = be - ae;
    const len2 = dn * dn + de * de;
    const t = len2 > 0 ? Math.max(0, Math.min(1, ((north - an) * dn + (east - ae) * de) / len2)) : 0;
    const qn = an + t * dn, qe = ae + t * de;
    const d = Math.hypot(north - qn, east - qe);
    if (d < best) {
      best = d;
      target.north = qn;
      target.east = qe;
    }
  }
  return best;
}

/**
 * Signed horizontal clearance: distance to the boundary, positive inside,
 * negative outside.
 */
export function signedClearanceM(poly: Geofence['polygonNeM'], north: number, east: number, scratch: NePoint): number {
  const d = nearestBoundaryPoint(poly, north, east, scratch);
  return insidePolygon(poly, north, east) ? d : -d;
}

/**
 * Move (north, east) to a point at least `marginM` inside the polygon (no
 * move when it already is). Iterates because in a concave corner one push
 * can land within the margin of the neighbouring edge. Returns false when no
 * such point was found (fence narrower than twice the margin).
 */
export function projectInside(poly: Geofence['polygonNeM'], point: NePoint, marginM: number, scratch: NePoint): boolean {
  for (let iter = 0; iter < 6; iter++) {
    const clearance = signedClearanceM(poly, point.north, point.east, scratch);
    if (clearance >= marginM - 1e-9) return true;
    // Direction away from the nearest boundary point, into the polygon.
    let un = point.north - scratch.north, ue = point.east - scratch.east;
    const len = Math.hypot(un, ue);
    if (len < 1e-9) {
      // On the boundary: step towards the polygon's centroid.
      const c = centroid(poly);
      un = c.north - point.north;
      ue = c.east - point.east;
    } else if (clearance < 0) {
      un = -un;
      ue = -ue;
    }
    const ul = Math.hypot(un, ue) || 1;
    const push = marginM - clearance + 1e-6;
    point.north += (un / ul) * push;
    point.east += (ue / ul) * push;
  }
  return signedClearanceM(poly, point.north, point.east, scratch) >= marginM - 1e-6;
}

export function centroid(poly: Geofence['polygonNeM']): NePoint {
  let n = 0, e = 0;
  for (const [pn, pe] of poly) {
    n += pn;
    e += pe;
  }
  return { north: n / poly.length, east: e / poly.length };
}

/** Checks a geofence is usable; every problem in one message. */
export function validateGeofence(fence: Geofence, marginM = 0): void {
  const problems: string[] = [];
  if (!Array.isArray(fence.polygonNeM) || fence.polygonNeM.length < 3) problems.push('polygonNeM needs at least 3 [north, east] vertices');
  else if (fence.polygonNeM.some((p) => !Array.isArray(p) || p.length !== 2 || !p.every(Number.isFinite))) {
    problems.push('every polygonNeM vertex must be [north, east] with finite numbers (metres from home)');
  }
  if (!Number.isFinite(fence.minAltitudeM) || !Number.isFinite(fence.maxAltitudeM)) problems.push('minAltitudeM and maxAltitudeM must be finite numbers');
  else if (fence.maxAltitudeM - fence.minAltitudeM < 2 * marginM) {
    problems.push(`the altitude band ${fence.minAltitudeM}…${fence.maxAltitudeM} m is narrower than twice the safety margin (${marginM} m)`);
  }
  if (!problems.length) {
    const home = insidePolygon(fence.polygonNeM, 0, 0);
    if (!home) problems.push('home (0, 0) must lie inside polygonNeM');
  }
  if (problems.length) throw new CinePilotError('GEOFENCE_INVALID', `geofence: ${problems.join('; ')}.`);
}
