/**
 * 3D localisation in the simulator: the sim's virtual detector (noise,
 * misses, false positives, occlusion, latency) looks at three people walking
 * 10–40 m from a hovering drone; perception's pipeline tracks, names and
 * localises them; estimates are compared with the simulator's ground truth.
 */
import { describe, expect, it } from 'vitest';
import { horizontalDistance } from '../../core/vec3.ts';
import { iou } from '../../perception/box.ts';
import { PerceptionPipeline } from '../../perception/pipeline.ts';
import { sceneFromDocument } from '../../sim/scene-loader.ts';
import { VirtualDetector } from '../../sim/virtual-detector.ts';
import { SimWorld } from '../../sim/world.ts';
import { type LocalisationErrorSample, splitLocalisationError } from '../../perception/evaluation/localisation-error.ts';

const scene = {
  name: 'perception-range',
  rig: 'x500-fullframe-24-70',
  geofence: { polygonNeM: [[-100, -100], [100, -100], [100, 100], [-100, 100]], minAltitudeM: 1, maxAltitudeM: 60 },
  drone: { positionNeM: [-20, 0], altitudeM: 12, yawDeg: 0, gimbalPitchDeg: -22, lens: { focalLengthMm: 24, fNumber: 8 } },
  subjects: [
    { name: 'alice', kind: 'person', heightM: 1.68, motion: { type: 'waypoints', startNeM: [-8, -6], waypoints: [{ positionNeM: [-6, 8], speedMps: 1.2 }] } },
    { name: 'bob', kind: 'person', heightM: 1.85, motion: { type: 'waypoints', startNeM: [4, 7], waypoints: [{ positionNeM: [6, -8], speedMps: 1.0 }] } },
    { name: 'carol', kind: 'person', heightM: 1.74, motion: { type: 'waypoints', startNeM: [18, -3], waypoints: [{ positionNeM: [12, 4], speedMps: 0.8 }] } },
  ],
};

describe('localisation against simulator ground truth (virtual detector)', () => {
  it('keeps the RMS horizontal error of named subjects 10–40 m away below 0.6 m', () => {
    const world = new SimWorld(sceneFromDocument(scene, 'test'), { seed: 3 });
    const detector = new VirtualDetector(world, 3);
    const pipeline = new PerceptionPipeline();
    const errors = new Map<string, number[]>();
    const ranges: number[] = [];
    const split = new Map<string, LocalisationErrorSample[]>();
    for (let k = 0; k < 120; k++) {
      detector.capture();
      world.step(0.1);
      for (const batch of detector.poll(world.timeS)) {
        const view = { pose: batch.camera.pose, lens: batch.camera.intrinsics };
        const { tracks } = pipeline.process(batch.timestampS, batch, view);
        // the operator names each confirmed track once: the true subject whose detection it overlaps
        for (const t of tracks) {
          if (t.name || t.framesSinceUpdate !== 0) continue;
          const i = batch.detections.findIndex((d, j) => batch.truthNames[j] && iou(d.bbox, t.bbox) > 0.5);
          const name = i >= 0 ? batch.truthNames[i]! : null;
          if (name && pipeline.tracker.trackIdOf(name) === null) pipeline.name(t.id, name);
        }
      }
      if (world.timeS < 2) continue;
      for (const name of pipeline.subjects.names()) {
        const truth = world.subject(name)!.state.positionNedM;
        const est = pipeline.subjects.predict(name, world.timeS)!;
        ranges.push(horizontalDistance(truth, world.cameraPose().positionNedM));
        if (!errors.has(name)) errors.set(name, []);
        errors.get(name)!.push(horizontalDistance(est.positionNedM, truth));
        const cam = world.cameraPose().positionNedM;
        if (!split.has(name)) split.set(name, []);
        split.get(name)!.push({
          timeS: world.timeS,
          errorNeM: [est.positionNedM.x - truth.x, est.positionNedM.y - truth.y],
          lineOfSightNe: [truth.x - cam.x, truth.y - cam.y],
          rangeM: horizontalDistance(truth, cam),
        });
      }
    }
    const all = [...errors.values()].flat();
    const rms = Math.sqrt(all.reduce((a, e) => a + e * e, 0) / all.length);
    const perName = [...errors].map(([n, e]) => `${n} ${Math.sqrt(e.reduce((a, x) => a + x * x, 0) / e.length).toFixed(2)} m`).join(', ');
    console.log(`sim localisation: RMS ${rms.toFixed(3)} m over ${all.length} estimates at ${Math.min(...ranges).toFixed(0)}–${Math.max(...ranges).toFixed(0)} m (${perName})`);
    const sp = splitLocalisationError([...split.values()], 0.1);
    console.log(`sim localisation split: range (line of sight) RMS ${sp.rangeRmsM.toFixed(3)} m = ${(100 * sp.rangeRmsFraction).toFixed(2)} % of range, mean ${sp.rangeMeanM.toFixed(3)} m, correlation ${sp.rangeCorrelationS.toFixed(2)} s; bearing (across) RMS ${sp.bearingRmsM.toFixed(3)} m = ${(1000 * sp.bearingRmsRad).toFixed(2)} mrad at a mean range of ${sp.meanRangeM.toFixed(1)} m, correlation ${sp.bearingCorrelationS.toFixed(2)} s`);
    // a monocular tracker measures bearing much better than range
    expect(sp.bearingRmsM).toBeLessThan(sp.rangeRmsM);
    expect(Math.abs(sp.rmsM - rms)).toBeLessThan(1e-9);
    expect([...errors.keys()].sort()).toEqual(['alice', 'bob', 'carol']);
    expect(Math.min(...ranges)).toBeGreaterThan(9);
    expect(Math.max(...ranges)).toBeLessThan(42);
    expect(rms).toBeLessThan(0.6);
  });
});

