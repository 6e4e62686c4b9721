/** Geofence tests shared by scene validation and the shot metrics. */
import type { Geofence } from '../core/shot-controller.ts';
import type { Vec3 } from '../core/vec3.ts';

/** Even–odd ray test of a north/east point against a polygon of [north, east] vertices. */
export function pointInPolygonNe(north: number, east: number, polygon: ReadonlyArray<readonly [number, number]>): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [ni, ei] = polygon[i]!, [nj, ej] = polygon[j]!;
    if (ei > east !== ej > east && north < ((nj - ni) * (east - ei)) / (ej - ei) + ni) inside = !inside;
  }
  return inside;
}

/** Inside the polygon and the altitude band (altitude = −z, NED). */
export function insideGeofence(g: Geofence, p: Vec3): boolean {
  const alt = -p.z;
  return alt >= g.minAltitudeM && alt <= g.maxAltitudeM && pointInPolygonNe(p.x, p.y, g.polygonNeM);
}
