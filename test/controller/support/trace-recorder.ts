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
import { buildTrace, recordTick } from '../../../sim/harness.ts';

export class TraceRecorder {
  readonly ticks: TraceTick[] = [];
  constructor(private readonly world: SimWorld) {}

  record(s: RuntimeSnapshot): void {
    const diagnostics = { solveMs: s.solver?.solveMs ?? 0, status: s.solver?.status ?? 'none' };
    this.ticks.push(recordTick(this.world, { targets: s.targets ?? undefined, diagnostics }, this.world.timeS));
  }

  trace(spec: ShotSpec, shotStartS: number, controller: string, controlRateHz: number): ShotTrace {
    return buildTrace(this.world, spec, shotStartS, controller, controlRateHz, this.ticks, 0);
  }
}
