/**
 * Baseline shot controller: hover where the shot starts and point the camera
 * at the subject. The vehicle yaws toward the subject while the gimbal's yaw
 * axis takes up the difference (fast pan), the gimbal pitch aims at the torso,
 * focus follows the subject's distance, and the zoom sets the framing's size
 * when the shot names one (or follows the shot's focal length / schedule).
 * Used as the fallback controller, for the simulator's real-time-factor
 * benchmark, and as a reference the MPC must beat.
 */
import type { ControlInput, ControlOutput, ShotController, ShotStatus, ShotTargets } from '../core/shot-controller.ts';
import type { ShotSpec } from '../core/shot-spec.ts';
import type { Rig } from '../hardware-profiles/schema.ts';
import { type Vec3, vec3, clone } from '../core/vec3.ts';
import { cameraPoseFromVehicle } from '../core/frames.ts';
import { DEFAULT_PERSON_HEIGHT_M, FRAMING_PERSON_HEIGHT_FRACTION, PERSON_POINT_HEIGHT_FRACTION } from '../core/framing.ts';
import { clamp, monotonicS, wrapAngleRad } from '../core/units.ts';
import { CinePilotError } from '../core/errors.ts';

/** f-number used for "deep" depth of field. */
export const DEEP_DOF_F_NUMBER = 8;

export interface BaselineControllerOptions {
  rig: Rig;
  /** subject height when the predictor does not say, m */
  subjectHeightM?: number;
}

export class BaselineShotController implements ShotController {
  private spec: ShotSpec | null = null;
  private startS = 0;
  private holdNedM: Vec3 | null = null;
  private lastTimeS = 0;

  constructor(private readonly options: BaselineControllerOptions) {}

  setShot(spec: ShotSpec, nowS: number): void {
    const actions = spec.kind === 'stop' || spec.kind === 'land' || spec.kind === 'return-home' || spec.kind === 'hold';
    if (!actions && spec.subjects.length === 0) {
      throw new CinePilotError('SHOT_UNFLYABLE', `a ${spec.kind} shot needs a subject ("${spec.kind} alice")`);
    }
    this.spec = spec;
    this.startS = nowS;
    this.holdNedM = null;
  }

  clearShot(_nowS: number): void {
    this.spec = null;
  }

  status(): ShotStatus {
    const elapsedS = this.spec ? this.lastTimeS - this.startS : 0;
    const d = this.spec?.durationS;
    return {
      shot: this.spec,
      phase: this.spec ? 'running' : 'idle',
      progress: this.spec ? (d ? clamp(elapsedS / d, 0, 1) : 1) : 0,
      elapsedS,
    };
  }

  tick(input: ControlInput): ControlOutput {
    const t0 = monotonicS();
    this.lastTimeS = input.timeS;
    const tel = input.telemetry;
    this.holdNedM ??= clone(tel.positionNedM);
    const out: ControlOutput = {
      setpoint: { timestampS: input.timeS, positionNedM: clone(this.holdNedM), velocityNedMps: vec3(), yawRad: tel.yawRad },
      gimbal: { pitchRad: tel.gimbal.pitchRad, yawRad: tel.gimbal.yawRad },
      lens: {},
      diagnostics: { solveMs: 0, status: 'baseline' },
    };
    const spec = this.spec;
    const known = spec ? spec.subjects.filter((n) => input.subjects.predict(n, input.timeS)) : [];
    if (!spec || known.length === 0) {
      out.diagnostics.status = spec ? 'baseline-no-subject' : 'baseline-idle';
      out.diagnostics.solveMs = (monotonicS() - t0) * 1000;
      return out;
    }

    // aim point: the torso of the subject, or the centroid of several
    const heightM = this.options.subjectHeightM ?? DEFAULT_PERSON_HEIGHT_M;
    const aim = vec3();
    for (const name of known) {
      const p = input.subjects.predict(name, input.timeS)!.positionNedM;
      aim.x += p.x / known.length;
      aim.y += p.y / known.length;
      aim.z += (p.z - heightM * PERSON_POINT_HEIGHT_FRACTION.torso) / known.length;
    }
    const cam = cameraPoseFromVehicle(tel.positionNedM, tel.yawRad, tel.gimbal, this.options.rig.gimbal.mountOffsetM).positionNedM;
    const dn = aim.x - cam.x, de = aim.y - cam.y, dd = aim.z - cam.z;
    const horizontalM = Math.hypot(dn, de);
    const distanceM = Math.hypot(horizontalM, dd);
    const yawRad = Math.atan2(de, dn);
    out.setpoint.yawRad = yawRad;
    out.gimbal = { pitchRad: Math.atan2(-dd, horizontalM), yawRad: wrapAngleRad(yawRad - tel.yawRad) };

    // lens
    const lens = this.options.rig.lens, camera = this.options.rig.camera;
    const focusName = spec.focusOn && known.includes(spec.focusOn) ? spec.focusOn : null;
    if (focusName) {
      const p = input.subjects.predict(focusName, input.timeS)!.positionNedM;
      out.lens.focusDistanceM = Math.hypot(p.x - cam.x, p.y - cam.y, p.z - heightM * PERSON_POINT_HEIGHT_FRACTION.head - cam.z);
    } else out.lens.focusDistanceM = distanceM;
    const heightFraction = spec.framing ? FRAMING_PERSON_HEIGHT_FRACTION[spec.framing] : null;
    if (heightFraction !== null && known.length === 1) {
      out.lens.focalLengthMm = clamp((heightFraction * distanceM * camera.sensorHeightMm) / heightM, lens.focalLengthMm.min, lens.focalLengthMm.max);
    } else if (typeof spec.focalLengthMm === 'number') out.lens.focalLengthMm = spec.focalLengthMm;
    else if (spec.focalLengthMm) {
      const k = spec.durationS ? clamp((input.timeS - this.startS) / spec.durationS, 0, 1) : 1;
      out.lens.focalLengthMm = spec.focalLengthMm.fromMm + k * (spec.focalLengthMm.toMm - spec.focalLengthMm.fromMm);
    }
    if (spec.fNumber !== undefined) out.lens.fNumber = spec.fNumber;
    else if (spec.depthOfField === 'shallow') out.lens.fNumber = lens.fNumber.min;
    else if (spec.depthOfField === 'deep') out.lens.fNumber = clamp(DEEP_DOF_F_NUMBER, lens.fNumber.min, lens.fNumber.max);

    // what this controller aims for, so metrics can score it
    const targets: ShotTargets = {
      points: known.length === 1 ? [{ subject: known[0]!, point: 'torso', u: 0.5, v: 0.5 }] : [],
      heights: heightFraction !== null && known.length === 1 ? [{ subject: known[0]!, heightFraction }] : [],
      focusSubjects: focusName ? [focusName] : known,
      defocusSubjects: [],
    };
    out.targets = targets;
    out.diagnostics.solveMs = (monotonicS() - t0) * 1000;
    return out;
  }
}
