/**
 * What every remote link does with telemetry: assemble one mutable state from
 * many messages, publish immutable snapshots to listeners, keep the latest.
 */
import { vec3 } from '../../core/vec3.ts';
import type { Unsubscribe, VehicleTelemetry } from '../../core/vehicle-link.ts';
import { FAR_FOCUS_M, type LensRanges } from './mavlink/lens-levels.ts';

/** Before the vehicle reports: at home, disarmed, the lens at its wide end, focused far, wide open. */
export function initialTelemetry(lens: LensRanges, vehicleId: number): VehicleTelemetry {
  return {
    timestampS: 0,
    vehicleId,
    positionNedM: vec3(),
    velocityNedMps: vec3(),
    rollRad: 0, pitchRad: 0, yawRad: 0, yawRateRadps: 0,
    gimbal: { pitchRad: 0, yawRad: 0, rollRad: 0 },
    lens: { focalLengthMm: lens.focalLengthMm.min, focusDistanceM: lens.focusDistanceM.max ?? FAR_FOCUS_M, fNumber: lens.fNumber.min },
    armed: false,
    inAir: false,
    mode: 'unknown',
    batteryFraction: null,
    batteryVoltageV: null,
  };
}

export class TelemetryHub {
  private readonly listeners = new Set<(t: VehicleTelemetry) => void>();
  private latest: VehicleTelemetry | null = null;

  subscribe(listener: (t: VehicleTelemetry) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  latestTelemetry(): VehicleTelemetry | null {
    return this.latest;
  }

  /** Copy `state` (listeners may keep what they get) and hand it to every listener. */
  publish(state: VehicleTelemetry): void {
    const snapshot: VehicleTelemetry = {
      ...state,
      positionNedM: { ...state.positionNedM },
      velocityNedMps: { ...state.velocityNedMps },
      gimbal: { ...state.gimbal },
      lens: { ...state.lens },
    };
    if (state.global) snapshot.global = { ...state.global };
    else delete snapshot.global;
    this.latest = snapshot;
    for (const l of this.listeners) {
      try {
        l(snapshot);
      } catch {
        // A failing listener must not stop telemetry for the others.
      }
    }
  }
}
