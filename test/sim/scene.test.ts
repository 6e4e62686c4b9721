import { describe, expect, it } from 'vitest';
import { listBuiltinScenes, loadScene, sceneFromDocument, validateScene, SceneError } from '../../sim/scene-loader.ts';
import { SimWorld } from '../../sim/world.ts';
import { horizontalDistance } from '../../core/vec3.ts';
import { insideGeofence } from '../../sim/metrics.ts';

const BUILTIN = ['crossing-occlusion', 'runner', 'static-subject', 'two-actors'];

function minimal(): Record<string, unknown> {
  return {
    name: 'mini',
    geofence: { polygonNeM: [[-50, -50], [50, -50], [50, 50], [-50, 50]], minAltitudeM: 1, maxAltitudeM: 40 },
    drone: { positionNeM: [-8, 0], altitudeM: 4, lookAt: 'alice' },
    subjects: [{ name: 'alice', kind: 'person', motion: { type: 'static', positionNeM: [0, 0] } }],
  };
}

describe('built-in scenes', () => {
  it('are the four named in the issue', () => {
    expect(listBuiltinScenes()).toEqual(BUILTIN);
  });

  it.each(BUILTIN)('%s: validates, starts airborne at 3–5 m, 7–11 m from alice, looking at her, inside a big geofence', (name) => {
    const scene = loadScene(name);
    const world = new SimWorld(scene, { seed: 1 });
    const alice = world.subject('alice')!;
    const drone = world.vehicle.state.positionNedM;
    expect(-drone.z).toBeGreaterThanOrEqual(3);
    expect(-drone.z).toBeLessThanOrEqual(5);
    expect(horizontalDistance(drone, alice.state.positionNedM)).toBeGreaterThan(7);
    expect(horizontalDistance(drone, alice.state.positionNedM)).toBeLessThan(11);
    const pose = world.cameraPose();
    const bearing = Math.atan2(alice.state.positionNedM.y - pose.positionNedM.y, alice.state.positionNedM.x - pose.positionNedM.x);
    expect(Math.abs(Math.atan2(Math.sin(bearing - pose.yawRad), Math.cos(bearing - pose.yawRad)))).toBeLessThan(0.6);
    expect(world.autopilot.armed).toBe(true);
    const g = scene.spec.geofence;
    const ns = g.polygonNeM.map((p) => p[0]), es = g.polygonNeM.map((p) => p[1]);
    expect(Math.max(...ns) - Math.min(...ns)).toBeGreaterThanOrEqual(150);
    expect(Math.max(...es) - Math.min(...es)).toBeGreaterThanOrEqual(150);
    expect(g.maxAltitudeM).toBeGreaterThanOrEqual(50);
    expect(insideGeofence(world.geofence, drone)).toBe(true);
  });

  it('runner: alice runs at 4–6 m/s, makes two turns and stops', () => {
    const world = new SimWorld(loadScene('runner'), { seed: 1 });
    const alice = world.subject('alice')!;
    let maxSpeed = 0, headingChanges = 0, lastHeading = alice.state.headingRad, cruise: number[] = [];
    for (let i = 0; i < 30 * 25; i++) {
      world.step(0.04);
      const v = Math.hypot(alice.state.velocityNedMps.x, alice.state.velocityNedMps.y);
      maxSpeed = Math.max(maxSpeed, v);
      if (v > 3.5) cruise.push(v);
      const dh = Math.abs(Math.atan2(Math.sin(alice.state.headingRad - lastHeading), Math.cos(alice.state.headingRad - lastHeading)));
      if (dh > 0.005) headingChanges++;
      lastHeading = alice.state.headingRad;
    }
    expect(maxSpeed).toBeLessThanOrEqual(6);
    expect(Math.min(...cruise)).toBeGreaterThanOrEqual(3.5);
    expect(cruise.length * 0.04).toBeGreaterThan(10); // seconds spent running
    expect(headingChanges).toBeGreaterThan(10);
    expect(Math.hypot(alice.state.velocityNedMps.x, alice.state.velocityNedMps.y)).toBe(0); // stopped at the end
  });
});

describe('scene validation', () => {
  it('accepts a minimal scene', () => {
    expect(validateScene(minimal())).toEqual([]);
  });

  it('reports schema errors with their JSON paths, inside the motion type the user chose', () => {
    const doc = minimal();
    (doc.subjects as unknown[]).push({
      name: 'bob', kind: 'person',
      motion: { type: 'waypoints', startNeM: [0, 5], waypoints: [{ positionNeM: [1, 1], speedMps: -2 }] },
    });
    (doc.geofence as { maxAltitudeM: unknown }).maxAltitudeM = 'high';
    const paths = validateScene(doc).map((p) => p.path);
    expect(paths).toContain('/subjects/1/motion/waypoints/0/speedMps');
    expect(paths).toContain('/geofence/maxAltitudeM');
  });

  it('names an unknown motion type and lists the allowed ones', () => {
    const doc = minimal();
    (doc.subjects as Array<{ motion: unknown }>)[0]!.motion = { type: 'teleport' };
    const problems = validateScene(doc);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('/subjects/0/motion/type');
    expect(problems[0]!.message).toContain('"waypoints"');
  });

  it('checks references and geometry a schema cannot: unknown leader, duplicate names, drone outside the fence', () => {
    const doc = minimal();
    (doc.subjects as unknown[]).push({ name: 'alice', kind: 'person', motion: { type: 'follow', leader: 'carol', offsetM: [0, 1] } });
    (doc.drone as { positionNeM: number[] }).positionNeM = [80, 0];
    const problems = validateScene(doc);
    expect(problems.map((p) => p.path).sort()).toEqual(['/drone/positionNeM', '/subjects/1/motion/leader', '/subjects/1/name']);
  });

  it('throws a SceneError (code SCENE_INVALID) listing every problem', () => {
    const doc = minimal();
    delete doc.drone;
    expect(() => sceneFromDocument(doc, 'bad.json')).toThrowError(SceneError);
    try {
      sceneFromDocument(doc, 'bad.json');
    } catch (err) {
      expect((err as SceneError).code).toBe('SCENE_INVALID');
      expect((err as SceneError).message).toContain('/drone');
    }
  });

  it('says which scenes exist when a name is unknown', () => {
    expect(() => loadScene('beach')).toThrowError(/static-subject.*two-actors|two-actors/);
  });
});
