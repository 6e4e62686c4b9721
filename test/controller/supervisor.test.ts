/**
 * The supervisor as a pure state machine (no simulator): which commands it
 * refuses in which state and why, the effects a transition asks for, and the
 * rule that nothing leaves without a vehicle state to judge it against.
 */
import { describe, it, expect } from 'vitest';
import { SafetySupervisor, supervisorSettingsFromRig, solverStatusFailed, type SafetyObservation } from '../../controller/safety/supervisor.ts';
import { SafetyEnvelope, envelopeSettingsFromRig } from '../../controller/safety/envelope.ts';
import type { SafetyTransition } from '../../controller/safety/states.ts';
import type { ControlOutput } from '../../core/shot-controller.ts';
import type { VehicleTelemetry } from '../../core/vehicle-link.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { vec3 } from '../../core/vec3.ts';

const rig = loadRig();
function make() {
  const sup = new SafetySupervisor(supervisorSettingsFromRig(rig, 0.02), new SafetyEnvelope(envelopeSettingsFromRig(rig), null));
  const log: SafetyTransition[] = [];
  sup.onTransition((t) => log.push(t));
  return { sup, log };
}
const tel = (over: Partial<VehicleTelemetry> = {}): VehicleTelemetry => ({
  timestampS: 0, vehicleId: 1, positionNedM: vec3(0, 0, -5), velocityNedMps: vec3(), rollRad: 0, pitchRad: 0, yawRad: 0, yawRateRadps: 0,
  gimbal: { pitchRad: 0, yawRad: 0, rollRad: 0 }, lens: { focalLengthMm: 35, focusDistanceM: 5, fNumber: 4 },
  armed: true, inAir: true, mode: 'offboard', batteryFraction: 0.9, batteryVoltageV: null, ...over,
});
const control = (status = 'solved'): ControlOutput => ({
  setpoint: { timestampS: 0, positionNedM: vec3(1, 0, -5), velocityNedMps: vec3(1, 0, 0) },
  gimbal: { pitchRad: -0.2, yawRad: 0 }, lens: { focalLengthMm: 50 }, diagnostics: { solveMs: 1, status },
});
const obs = (o: Partial<SafetyObservation>): SafetyObservation => ({
  nowS: 0, telemetry: tel(), linkAgeS: 0, perceptionAgeS: null, control: control(), controlError: null, people: [], ...o,
});

describe('safety supervisor state machine', () => {
  it('refuses to engage in each latched state with a code that says why', () => {
    const { sup } = make();
    sup.eStop(0, 'p');
    expect(sup.engage(0)).toMatchObject({ ok: false, code: 'SAFETY_ESTOP' });
    sup.rearm(0, 'p');
    sup.setPilotOverride(0, true, 'p');
    expect(sup.engage(0)).toMatchObject({ ok: false, code: 'SAFETY_OVERRIDE' });
    sup.setPilotOverride(0, false, 'p');
    sup.vehicleAction(0, 'return');
    expect(sup.engage(0)).toMatchObject({ ok: false, code: 'SAFETY_VEHICLE_ACTION' });
    expect(sup.resume(0, 'p')).toEqual({ ok: true });
    expect(sup.state).toBe('active');
  });

  it('asks the link for exactly the effects of each transition, in order', () => {
    const { sup, log } = make();
    expect(sup.engage(0).ok).toBe(true);
    for (let k = 0; k < 3; k++) sup.step(obs({ nowS: k * 0.02 }));
    expect(sup.takeEffects()).toEqual(['start-offboard']); // after a pre-stream of setpoints
    sup.eStop(0.1, 'p');
    sup.eStop(0.12, 'p'); // idempotent
    expect(sup.takeEffects()).toEqual(['hold']);
    expect(log.filter((t) => t.region === 'autonomy').map((t) => [t.from, t.to, t.reason])).toEqual([
      ['standby', 'active', 'engaged'], ['active', 'estop', 'estop'],
    ]);
    expect(sup.step(obs({ nowS: 0.14 }))).toMatchObject({ setpoint: null, gimbal: null, lens: null });
  });

  it('sends nothing without a vehicle state, even when the shot controller proposes', () => {
    const { sup } = make();
    sup.engage(0);
    const d = sup.step(obs({ telemetry: null, linkAgeS: Infinity }));
    expect(d.setpoint).toBeNull();
  });

  it('classifies solver statuses: truncated real-time iterations are usable, fallbacks and holds are not', () => {
    for (const ok of ['solved', 'max-iterations', 'time-limit', 'baseline', 'idle']) expect(solverStatusFailed(ok)).toBe(false);
    for (const bad of ['numerical-error', 'infeasible', 'fallback:infeasible', 'hold:max-iterations', 'numerical-error:QP_NAN']) expect(solverStatusFailed(bad)).toBe(true);
  });

  it('rejects settings it cannot honour, listing each problem', () => {
    expect(() => supervisorSettingsFromRig(rig, 0.02, { perceptionStaleS: 3, perceptionTimeoutS: 2, solverRecoveryTicks: 0 })).toThrow(/perceptionTimeoutS must exceed perceptionStaleS; solverRecoveryTicks/);
  });
});
