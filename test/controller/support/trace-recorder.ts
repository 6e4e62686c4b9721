/**
 * Records a sim/trace.ts ShotTrace from a Runtime flying the simulator, so
 * the simulator's own metrics (sim/metrics.ts) score a shot flown through the
 * controller runtime and any vehicle link. Ground truth comes from the world;
 * the targets from what the runtime's shot controller reported each tick.
 */
import type { SimWorld } from '../../../sim/world.ts';
import type { ShotTrace, TraceTick } from '../../../sim/trace.ts';
import type { ShotSpec } from '../../../core/shot-spec.ts';
import type { RuntimeSnapshot } from '../../../controller/runtime.ts';
import { clone } from '../../../core/vec3.ts';

export class TraceRecorder {
  readonly ticks: TraceTick[] = [];
  constructor(private readonly world: SimWorld) {}

  record(s: RuntimeSnapshot): void {
    const w = this.world;
    const v = w.vehicle.state;
    this.ticks.push({
      timeS: w.timeS,
      drone: {
        positionNedM: clone(v.positionNedM), velocityNedMps: clone(v.velocityNedMps), accelerationNedMps2: clone(v.accelerationNedMps2),
        yawRad: v.yawRad, rollRad: v.rollRad, pitchRad: v.pitchRad,
      },
      camera: w.cameraPose(),
      gimbal: { ...w.gimbal.angles },
      lens: { ...w.lens.state },
      subjects: w.subjects.filter((x) => x.kind === 'person').map((x) => ({
        name: x.name, positionNedM: clone(x.state.positionNedM), velocityNedMps: clone(x.state.velocityNedMps), headingRad: x.state.headingRad, heightM: x.heightM,
      })),
      targets: s.targets ? structuredClone(s.targets) : null,
      solveMs: s.solver?.solveMs ?? 0,
      status: s.solver?.status ?? 'none',
      mode: w.autopilot.mode,
    });
  }

  trace(spec: ShotSpec, shotStartS: number, controller: string, controlRateHz: number): ShotTrace {
    const rig = this.world.rig;
    return {
      scene: this.world.scene.spec.name, spec, seed: this.world.seed, controller,
      physicsRateHz: this.world.physicsRateHz, controlRateHz, shotStartS, wallS: 0,
      camera: { sensorWidthMm: rig.camera.sensorWidthMm, sensorHeightMm: rig.camera.sensorHeightMm, cocMm: rig.camera.cocMm, imageWidthPx: rig.camera.imageWidthPx, imageHeightPx: rig.camera.imageHeightPx },
      keepOutRadiusM: rig.safety.keepOutRadiusM,
      geofence: this.world.geofence,
      ticks: this.ticks.filter((t) => t.timeS >= shotStartS - 1e-9),
      events: this.world.autopilot.events.slice(),
    };
  }
}
