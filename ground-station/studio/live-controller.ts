/**
 * The shot controller as the studio flies it live (and previews it).
 */
import type { ShotController } from '../../core/shot-controller.ts';
import type { Rig } from '../../hardware-profiles/schema.ts';
import type { LoadedScene } from '../../sim/scene-loader.ts';
import type { SimWorld } from '../../sim/world.ts';
import { CONTROLLERS } from '../../cli/commands/validate.ts';
import { createMpcShotController, DEFAULT_QP_TIME_LIMIT_MS } from '../../controller/mpc-shot-controller.ts';

/**
 * The controller that flies live. The registry's entries are set up for
 * headless validation (the MPC without a wall-clock budget, for
 * determinism); live, the MPC keeps its real-time QP budget.
 */
export async function liveShotController(name: string, rig: Rig, scene: LoadedScene, world: SimWorld | null, simSpeed = 1): Promise<ShotController> {
  if (name === 'mpc') {
    return createMpcShotController({
      rig,
      qpTimeLimitMs: DEFAULT_QP_TIME_LIMIT_MS / simSpeed,
      geofence: world?.geofence ?? scene.spec.geofence,
      background: (world?.objects ?? []).filter((o) => o.role === 'background').map((o) => ({ name: o.name, positionNedM: o.positionNedM })),
    });
  }
  return CONTROLLERS[name]!.create({ rig, scene, spec: { kind: 'hold', subjects: [] } });
}
