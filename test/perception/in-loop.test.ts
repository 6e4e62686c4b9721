/**
 * What perception needs on a moving, zooming drone camera (the closed loop):
 * range from keypoints when the frame edge cuts the feet off, and boxes that
 * follow the camera's own motion between detections. Ground truth comes from
 * the simulator (sim/virtual-detector.ts draws the same pinhole camera).
 */
import { describe, expect, it } from 'vitest';
import { horizontalDistance } from '../../core/vec3.ts';
import { GroundLocaliser } from '../../perception/localisation/ground-localiser.ts';
import { PerceptionPipeline } from '../../perception/pipeline.ts';
import { sceneFromDocument } from '../../sim/scene-loader.ts';
import { VirtualDetector } from '../../sim/virtual-detector.ts';
import { SimWorld } from '../../sim/world.ts';

function world(drone: Record<string, unknown>, subject: Record<string, unknown>, seed = 3): SimWorld {
  return new SimWorld(sceneFromDocument({
    name: 'in-loop', rig: 'x500-fullframe-24-70',
    geofence: { polygonNeM: [[-100, -100], [100, -100], [100, 100], [-100, 100]], minAltitudeM: 1, maxAltitudeM: 60 },
    drone, subjects: [{ name: 'alice', kind: 'person', heightM: 1.75, ...subject }],
  }, 'test'), { seed });
}

describe('keypoint range cue', () => {
  it('localises a person whose feet are cut off by the frame edge from her keypoints (noise-free: < 0.15 m; without keypoints: no estimate)', () => {
    // 4 m up, level-ish gimbal, 70 mm, 5 m away: a medium shot, feet below the frame
    const w = world({ positionNeM: [-5, 0], altitudeM: 1.6, yawDeg: 0, gimbalPitchDeg: -3, lens: { focalLengthMm: 70, fNumber: 4 } },
      { motion: { type: 'static', positionNeM: [0, 0], headingDeg: 90 } });
    const det = new VirtualDetector(w, 3, { boxNoiseFraction: 0, keypointNoiseFraction: 0, missProbability: 0, falsePositivesPerFrame: 0 });
    const b = det.detectNow();
    const d = b.detections[0]!;
    expect(d.bbox[1] + d.bbox[3]).toBeGreaterThan(b.imageHeight - 3); // cut at the bottom
    const view = { pose: b.camera.pose, lens: b.camera.intrinsics };
    const loc = new GroundLocaliser();
    expect(loc.localise(d.bbox, view, b.imageWidth, b.imageHeight)).toBeNull();
    const obs = loc.localise(d.bbox, view, b.imageWidth, b.imageHeight, 1.75, d.keypoints)!;
    expect(obs.cues).toEqual({ ground: false, height: false, focus: false, keypoints: true });
    expect(horizontalDistance(obs.positionNedM, w.subject('alice')!.state.positionNedM)).toBeLessThan(0.15);
  });
});

describe('camera motion compensation', () => {
  it('keeps one id on a standing person while the camera pans 6° per detection at 10 Hz (without the camera view: the track is lost)', () => {
    const run = (withView: boolean): Set<number> => {
      const w = world({ positionNeM: [-12, 0], altitudeM: 5, yawDeg: 0, gimbalPitchDeg: -15, lens: { focalLengthMm: 50, fNumber: 8 } },
        { motion: { type: 'static', positionNeM: [0, 0], headingDeg: 0 } });
      const det = new VirtualDetector(w, 5, { missProbability: 0, falsePositivesPerFrame: 0, latencyS: 0 });
      const pipeline = new PerceptionPipeline();
      const ids = new Set<number>();
      // the gimbal pans between −12° and +12° (field of view ±20°): the person sweeps ~100 px per detection, ~3 box widths
      for (let k = 0; k < 20; k++) {
        const phase = k % 8;
        const yawDeg = -12 + 6 * (phase <= 4 ? phase : 8 - phase);
        w.gimbal.angles.yawRad = (yawDeg * Math.PI) / 180;
        const b = det.detectNow();
        const view = { pose: b.camera.pose, lens: b.camera.intrinsics };
        const { tracks } = withView ? pipeline.process(b.timestampS, b, view) : pipeline.process(b.timestampS, b);
        for (const t of tracks) if (t.framesSinceUpdate === 0) ids.add(t.id);
        w.step(0.1);
      }
      return ids;
    };
    expect(run(true).size).toBe(1);
    expect(run(false).size).toBeGreaterThan(1);
  });
});
