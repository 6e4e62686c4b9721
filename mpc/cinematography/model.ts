/**
 * The cinematography optimal control problem (DESIGN.md §5) as an OcpModel
 * (mpc/ocp-model.ts) for the RTI-SQP solver: one problem over drone motion,
 * gimbal and lens. Dynamics are integrators (layout.ts); every aesthetic and
 * safety term is a small module under costs/ with an analytic Jacobian, and
 * everything shot-specific arrives in the per-stage parameters p_k written by
 * the shot recipes (recipes/), so the same compiled model flies every shot.
 */
import type { OcpDimensions, OcpModel } from '../ocp-model.ts';
import type { Rig } from '../../hardware-profiles/schema.ts';
import { CinePilotError } from '../../core/errors.ts';
import { CameraGeometry, NQ } from './camera-geometry.ts';
import { H, NH, NP, NU, NX, NY, NY_TERMINAL, R, SUBJECT_SLOTS, P, U, X } from './layout.ts';
import { boundsFromRig, DEFAULT_JERK_LIMIT_MPS3 } from './rig-limits.ts';
import { compositionResidual, sizeResidual, type SensorSize } from './costs/image-terms.ts';
import { defocusConstraint, focusBandConstraint, focusResidual } from './costs/focus.ts';
import { altitudeConstraint, fenceConstraint, keepOutConstraint } from './costs/safety.ts';
import {
  DEFAULT_SMOOTHNESS_WEIGHTS, controlResidual, controlWeightsVector, referenceResidual, type SmoothnessWeights,
} from './costs/references.ts';

export const DEFAULT_HORIZON_STAGES = 40;
export const DEFAULT_STAGE_S = 0.05;
/** Slack penalties (L1, L2) of the soft constraints: safety rows dominate every aesthetic cost. */
export const DEFAULT_SAFETY_SLACK_L1 = 200;
export const DEFAULT_SAFETY_SLACK_L2 = 2000;
/** Focus-band slack penalties: a band violation of 0.005 dpt costs about as much as 0.05 of composition error. */
export const DEFAULT_FOCUS_SLACK_L1 = 400;
export const DEFAULT_FOCUS_SLACK_L2 = 20000;

export interface CinematographyModelSettings {
  N: number;
  dtS: number;
  smoothness: SmoothnessWeights;
  jerkLimitMps3: number;
}

export const DEFAULT_MODEL_SETTINGS: Readonly<CinematographyModelSettings> = {
  N: DEFAULT_HORIZON_STAGES,
  dtS: DEFAULT_STAGE_S,
  smoothness: DEFAULT_SMOOTHNESS_WEIGHTS,
  jerkLimitMps3: DEFAULT_JERK_LIMIT_MPS3,
};

function validateSettings(s: CinematographyModelSettings): void {
  const problems: string[] = [];
  if (!Number.isInteger(s.N) || s.N < 2 || s.N > 400) problems.push(`N = ${s.N}: must be an integer in 2 … 400`);
  if (!(s.dtS > 0 && s.dtS <= 1)) problems.push(`dtS = ${s.dtS}: must be in (0, 1] s`);
  if (!(s.jerkLimitMps3 > 0)) problems.push(`jerkLimitMps3 = ${s.jerkLimitMps3}: must be > 0`);
  for (const [k, v] of Object.entries(s.smoothness)) {
    if (!(v >= 0) || !Number.isFinite(v)) problems.push(`smoothness.${k} = ${v}: must be a finite number ≥ 0`);
  }
  if (problems.length) throw new CinePilotError('MODEL_SETTINGS_INVALID', `cinematography model settings: ${problems.join('; ')}.`);
}

export class CinematographyModel implements OcpModel {
  readonly dims: OcpDimensions;
  readonly dtS: number;
  readonly lbu: Float64Array;
  readonly ubu: Float64Array;
  readonly lbx: Float64Array;
  readonly ubx: Float64Array;
  readonly softL1 = new Float64Array(NH);
  readonly softL2 = new Float64Array(NH);
  readonly softL1N = new Float64Array(NH);
  readonly softL2N = new Float64Array(NH);
  readonly settings: CinematographyModelSettings;
  readonly sensor: SensorSize;
  readonly cocMm: number;

  private readonly geom: CameraGeometry;
  private readonly controlWeights: Float64Array;
  private readonly scratch = new Float64Array(NQ + 2);

  constructor(rig: Rig, settings: Partial<CinematographyModelSettings> = {}) {
    this.settings = { ...DEFAULT_MODEL_SETTINGS, ...settings, smoothness: { ...DEFAULT_SMOOTHNESS_WEIGHTS, ...settings.smoothness } };
    validateSettings(this.settings);
    this.dims = { nx: NX, nu: NU, np: NP, ny: NY, nyN: NY_TERMINAL, nh: NH, nhN: NH, N: this.settings.N };
    this.dtS = this.settings.dtS;
    const b = boundsFromRig(rig, this.settings.jerkLimitMps3);
    this.lbx = b.lbx;
    this.ubx = b.ubx;
    this.lbu = b.lbu;
    this.ubu = b.ubu;
    this.sensor = { sensorWidthMm: rig.camera.sensorWidthMm, sensorHeightMm: rig.camera.sensorHeightMm };
    this.cocMm = rig.camera.cocMm;
    this.geom = new CameraGeometry(rig.gimbal.mountOffsetM);
    this.controlWeights = controlWeightsVector(this.settings.smoothness);
    for (const [l1, l2] of [[this.softL1, this.softL2], [this.softL1N, this.softL2N]] as const) {
      l1.fill(DEFAULT_SAFETY_SLACK_L1);
      l2.fill(DEFAULT_SAFETY_SLACK_L2);
      for (let i = 0; i < SUBJECT_SLOTS; i++) {
        for (const row of [H.band(i), H.band(i) + 1]) {
          l1[row] = DEFAULT_FOCUS_SLACK_L1;
          l2[row] = DEFAULT_FOCUS_SLACK_L2;
        }
      }
      l1[H.DEFOCUS] = DEFAULT_FOCUS_SLACK_L1;
      l2[H.DEFOCUS] = DEFAULT_FOCUS_SLACK_L2;
    }
  }

  /** Integrator chain: ṗ = v, v̇ = a, ȧ = j; angles and lens move at their commanded rates. */
  dynamics(
    x: Float64Array, u: Float64Array, _p: Float64Array,
    xdot: Float64Array, dfdx: Float64Array | null, dfdu: Float64Array | null,
  ): void {
    for (let i = 0; i < 3; i++) {
      xdot[X.PN + i] = x[X.VN + i];
      xdot[X.VN + i] = x[X.AN + i];
      xdot[X.AN + i] = u[U.JN + i];
    }
    xdot[X.YAW] = u[U.YAW_RATE];
    xdot[X.GIMBAL_PITCH] = u[U.GIMBAL_PITCH_RATE];
    xdot[X.GIMBAL_YAW] = u[U.GIMBAL_YAW_RATE];
    xdot[X.FOCAL_MM] = u[U.ZOOM_RATE];
    xdot[X.FOCUS_DPT] = u[U.FOCUS_RATE];
    xdot[X.IRIS_STOPS] = u[U.IRIS_RATE];
    if (dfdx) {
      dfdx.fill(0);
      for (let i = 0; i < 3; i++) {
        dfdx[(X.PN + i) * NX + X.VN + i] = 1;
        dfdx[(X.VN + i) * NX + X.AN + i] = 1;
      }
    }
    if (dfdu) {
      dfdu.fill(0);
      for (let i = 0; i < 3; i++) dfdu[(X.AN + i) * NU + U.JN + i] = 1;
      dfdu[X.YAW * NU + U.YAW_RATE] = 1;
      dfdu[X.GIMBAL_PITCH * NU + U.GIMBAL_PITCH_RATE] = 1;
      dfdu[X.GIMBAL_YAW * NU + U.GIMBAL_YAW_RATE] = 1;
      dfdu[X.FOCAL_MM * NU + U.ZOOM_RATE] = 1;
      dfdu[X.FOCUS_DPT * NU + U.FOCUS_RATE] = 1;
      dfdu[X.IRIS_STOPS * NU + U.IRIS_RATE] = 1;
    }
  }

  stageResidual(
    _k: number, x: Float64Array, u: Float64Array, p: Float64Array,
    r: Float64Array, drdx: Float64Array | null, drdu: Float64Array | null,
  ): void {
    this.stateResidual(x, p, r, drdx);
    if (drdu) drdu.fill(0);
    controlResidual(u, this.controlWeights, r, drdu, NU);
  }

  terminalResidual(x: Float64Array, p: Float64Array, r: Float64Array, drdx: Float64Array | null): void {
    this.stateResidual(x, p, r, drdx);
  }

  stageConstraint(
    _k: number, x: Float64Array, _u: Float64Array, p: Float64Array,
    h: Float64Array, dhdx: Float64Array | null, dhdu: Float64Array | null,
  ): void {
    if (dhdu) dhdu.fill(0);
    this.terminalConstraint(x, p, h, dhdx);
  }

  terminalConstraint(x: Float64Array, p: Float64Array, h: Float64Array, dhdx: Float64Array | null): void {
    if (dhdx) dhdx.fill(0);
    keepOutConstraint(x, p, h, H.keepOut(0), dhdx, NX);
    fenceConstraint(x, p, h, H.fenceEdge(0), dhdx, NX);
    altitudeConstraint(x, p, h, H.MIN_ALT, dhdx, NX);
    this.geom.setState(x);
    for (let i = 0; i < SUBJECT_SLOTS; i++) {
      focusBandConstraint(this.geom, this.cocMm, x, p, P.slot(i), h, H.band(i), dhdx, NX, this.scratch);
    }
    defocusConstraint(this.cocMm, x, p, h, H.DEFOCUS, dhdx, NX, this.scratch);
  }

  /** Rows shared by stage and terminal residuals (everything but control effort). */
  private stateResidual(x: Float64Array, p: Float64Array, r: Float64Array, drdx: Float64Array | null): void {
    if (drdx) drdx.fill(0);
    this.geom.setState(x);
    for (let i = 0; i < SUBJECT_SLOTS; i++) {
      const base = P.slot(i), row = R.slot(i);
      compositionResidual(this.geom, this.sensor, x, p, base, r, row, drdx, NX);
      sizeResidual(this.geom, this.sensor, x, p, base, r, row + 2, drdx, NX);
      focusResidual(this.geom, x, p, base, r, row + 3, drdx, NX, this.scratch);
    }
    referenceResidual(x, p, this.settings.smoothness.acceleration, r, drdx, NX);
  }
}
