/**
 * The one place where the world frame (local NED: x north, y east, z down)
 * becomes Three.js's (right-handed, Y up). Everything the web app draws goes
 * through `nedToThree`: positions and directions alike (the map is a proper
 * rotation, so it preserves lengths and handedness):
 *
 *   three.x =  east      three.y = −down (up)      three.z = −north
 *
 * Seen from the default set camera (south of home, looking north), north is
 * into the screen, east to the right and up is up.
 */
import { Vector3 } from 'three';

export function nedToThree(northM: number, eastM: number, downM: number, target: Vector3 = new Vector3()): Vector3 {
  return target.set(eastM, -downM, -northM);
}
