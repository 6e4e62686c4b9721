/**
 * Packs a shot's StageReferences over the horizon into the OCP's per-stage
 * parameter vectors p_0 … p_N (layout.ts), adding what every shot shares:
 * keep-out spheres around the nearest people, the nearest geofence edges as
 * half-planes and the altitude band. Velocity references are the finite
 * differences of the recipe's position references, so every recipe's motion
 * comes with a consistent feed-forward. Allocation-free after construction
 * except for the predictor's own samples.
 */
import type { Geofence } from '../../core/shot-controller.ts';
import type { SubjectPredictor } from '../../core/perception-types.ts';
import { PERSON_POINT_HEIGHT_FRACTION } from '../../core/framing.ts';
import { clamp } from '../../core/units.ts';
import {
  FENCE_EDGE_SLOTS, KEEP_OUT_SLOTS, NP, NX, P, SLOT, SUBJECT_SLOTS, X,
} from './layout.ts';
import type { StageReference } from './recipes/types.ts';
import { focusBand } from './costs/focus.ts';
import { sigmaAlongM, uncertaintyTimeS } from './subject-uncertainty.ts';

/**
 * Planning clearance added to the rig's keep-out radius, m, on top of the
 * prediction's 1-σ along the line from the person to the drone (read at the
 * plan's uncertainty horizon, subject-uncertainty.ts).
 */
export const KEEP_OUT_PLAN_MARGIN_M = 0.5;

/** Radius the plan keeps from a person whose position has 1-σ `sigmaM` along the line to the drone, m. */
export function keepOutPlanRadiusM(keepOutRadiusM: number, sigmaM: number): number {
  return keepOutRadiusM + KEEP_OUT_PLAN_MARGIN_M + sigmaM;
}
/**
 * Focus weights are scaled by REFERENCE_BAND_DPT / (the band at the stage's
 * lens reference), within FOCUS_SCALE_LIMITS: an error of a given size matters
 * in proportion to the depth of field it must stay inside (tight at 70 mm and
 * 4 m, loose at 24 mm and 10 m), so the focus neither lags a close subject
 * nor chases noise at a distance.
 */
export const REFERENCE_BAND_DPT = 0.03;
export const FOCUS_SCALE_LIMITS = [0.25, 4] as const;
/** Planning clearance inside the geofence and altitude band, m. */
export const FENCE_PLAN_MARGIN_M = 1.0;

interface FenceEdge {
  /** outward unit normal (N, E) */
  nN: number;
  nE: number;
  /** endpoints */
  aN: number;
  aE: number;
  bN: number;
  bE: number;
}

/** Edges of a fence polygon with outward normals (either winding). */
export function fenceEdges(fence: Geofence): FenceEdge[] {
  const poly = fence.polygonNeM;
  let area2 = 0;
  for (let i = 0; i < poly.length; i++) {
    const [n1, e1] = poly[i]!, [n2, e2] = poly[(i + 1) % poly.length]!;
    area2 += n1 * e2 - n2 * e1;
  }
  const sign = area2 >= 0 ? 1 : -1;
  return poly.map(([aN, aE], i) => {
    const [bN, bE] = poly[(i + 1) % poly.length]!;
    const dN = bN - aN, dE = bE - aE, len = Math.hypot(dN, dE) || 1;
    // for a counter-clockwise (N, E) polygon the outward normal is (dE, −dN)/len
    return { nN: (sign * dE) / len, nE: (-sign * dN) / len, aN, aE, bN, bE };
  });
}

function distanceToSegment(e: FenceEdge, n: number, east: number): number {
  const dN = e.bN - e.aN, dE = e.bE - e.aE;
  const len2 = dN * dN + dE * dE || 1;
  const t = clamp(((n - e.aN) * dN + (east - e.aE) * dE) / len2, 0, 1);
  return Math.hypot(n - (e.aN + t * dN), east - (e.aE + t * dE));
}

export interface StagePackerOptions {
  N: number;
  dtS: number;
  keepOutRadiusM: number;
  geofence: Geofence | null;
  /** person height when the predictor has none, m */
  heightOf(name: string): number;
  /** circle of confusion of the camera, mm */
  cocMm: number;
}

export class StagePacker {
  private readonly edges: FenceEdge[];
  private readonly edgeDist: Float64Array;
  private readonly edgeOrder: Int32Array;
  private readonly personDist: Float64Array;
  private readonly personOrder: Int32Array;
  private readonly personPos: Float64Array; // up to 32 people × (N, E, D-feet, height, sigma)
  /** per person: horizontal covariance [nn, ne, ee] to plan with, NaN in the first entry when the predictor gives none */
  private readonly personCov: Float64Array;
  /** per name index: the uncertainty read at one time (the plan's uncertainty horizon), reused by every later stage */
  private readonly cacheAtS: Float64Array;
  private readonly cacheSigma: Float64Array;
  private readonly cacheCov: Float64Array;

  constructor(private readonly opts: StagePackerOptions) {
    this.edges = opts.geofence && opts.geofence.polygonNeM.length >= 3 ? fenceEdges(opts.geofence) : [];
    this.edgeDist = new Float64Array(this.edges.length);
    this.edgeOrder = new Int32Array(this.edges.length);
    this.personDist = new Float64Array(32);
    this.personOrder = new Int32Array(32);
    this.personPos = new Float64Array(32 * 5);
    this.personCov = new Float64Array(32 * 3);
    this.cacheAtS = new Float64Array(32).fill(NaN);
    this.cacheSigma = new Float64Array(32);
    this.cacheCov = new Float64Array(32 * 3);
  }

  /**
   * Write p_k for stage k. `refs[k]` is the recipe's reference at that stage;
   * `xPlan` (NX per stage, N+1 stages) the previous plan, used to pick which
   * people and fence edges matter at that stage.
   */
  pack(
    k: number, refs: StageReference[], timeS: number, predictor: SubjectPredictor, names: string[],
    xPlan: Float64Array, p: Float64Array,
  ): void {
    const ref = refs[k]!;
    p.fill(0, 0, NP);
    const focusScale = clamp(REFERENCE_BAND_DPT / focusBand(ref.focalLengthMm, ref.irisStops, this.opts.cocMm), FOCUS_SCALE_LIMITS[0], FOCUS_SCALE_LIMITS[1]);
    for (let i = 0; i < SUBJECT_SLOTS; i++) {
      const s = ref.slots[i]!, o = P.slot(i);
      if (!s.subject) continue;
      p[o + SLOT.EYE] = s.eyeNedM.x; p[o + SLOT.EYE + 1] = s.eyeNedM.y; p[o + SLOT.EYE + 2] = s.eyeNedM.z;
      p[o + SLOT.FEET] = s.feetNedM.x; p[o + SLOT.FEET + 1] = s.feetNedM.y; p[o + SLOT.FEET + 2] = s.feetNedM.z;
      p[o + SLOT.TOP] = s.topNedM.x; p[o + SLOT.TOP + 1] = s.topNedM.y; p[o + SLOT.TOP + 2] = s.topNedM.z;
      p[o + SLOT.U_TARGET] = s.uTarget;
      p[o + SLOT.V_TARGET] = s.vTarget;
      p[o + SLOT.SIZE_TARGET] = s.sizeTarget;
      p[o + SLOT.W_COMPOSITION] = s.wComposition;
      p[o + SLOT.W_SIZE] = s.sizeTarget > 0 ? s.wSize : 0;
      p[o + SLOT.W_FOCUS] = s.wFocus * focusScale;
      p[o + SLOT.IN_BAND] = s.inBand ? 1 : 0;
    }
    p[P.POS_REF] = ref.positionNedM.x;
    p[P.POS_REF + 1] = ref.positionNedM.y;
    p[P.POS_REF + 2] = ref.positionNedM.z;
    // velocity reference: central difference of the position references
    const a = refs[Math.max(k - 1, 0)]!.positionNedM, b = refs[Math.min(k + 1, refs.length - 1)]!.positionNedM;
    const span = (Math.min(k + 1, refs.length - 1) - Math.max(k - 1, 0)) * this.opts.dtS;
    if (span > 0) {
      p[P.VEL_REF] = (b.x - a.x) / span;
      p[P.VEL_REF + 1] = (b.y - a.y) / span;
      p[P.VEL_REF + 2] = (b.z - a.z) / span;
    }
    p[P.W_POS_NE] = ref.wPosNE;
    p[P.W_POS_D] = ref.wPosD;
    p[P.W_VEL] = ref.wVel;
    p[P.FOCAL_REF_MM] = ref.focalLengthMm;
    p[P.W_FOCAL] = ref.wFocal;
    p[P.FOCUS_REF_DPT] = ref.focusDioptres;
    p[P.W_FOCUS_REF] = ref.wFocusRef;
    p[P.IRIS_REF_STOPS] = ref.irisStops;
    p[P.W_IRIS] = ref.wIris;
    p[P.W_GIMBAL_YAW] = ref.wGimbalYaw;
    p[P.BAND_MARGIN] = ref.bandMargin;
    p[P.BACKGROUND_INV_M] = ref.backgroundInvM;
    p[P.DEFOCUS] = ref.backgroundInvM > 0 ? 1 : 0;

    const o = k * NX;
    const dN = xPlan[o + X.PN]!, dE = xPlan[o + X.PE]!, dD = xPlan[o + X.PD]!;
    this.packKeepOut(timeS, timeS - k * this.opts.dtS, predictor, names, dN, dE, dD, p);
    this.packFence(dN, dE, p);
    const fence = this.opts.geofence;
    p[P.MIN_ALT_M] = fence ? fence.minAltitudeM + FENCE_PLAN_MARGIN_M : -1e6;
    p[P.MAX_ALT_M] = fence ? fence.maxAltitudeM - FENCE_PLAN_MARGIN_M : 1e6;
  }

  /**
   * Nearest people; the point is the closest one on their body axis to the
   * planned drone position, the pad their σ along the line from them to it.
   */
  private packKeepOut(
    timeS: number, planStartS: number, predictor: SubjectPredictor, names: string[], dN: number, dE: number, dD: number, p: Float64Array,
  ): void {
    const n = Math.min(names.length, 32);
    const uncertaintyAtS = uncertaintyTimeS(timeS, planStartS);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const s = predictor.predict(names[i]!, timeS);
      if (!s) continue;
      const h = this.opts.heightOf(names[i]!);
      const q = count * 5, c = count * 3;
      this.personPos[q] = s.positionNedM.x;
      this.personPos[q + 1] = s.positionNedM.y;
      this.personPos[q + 2] = s.positionNedM.z;
      this.personPos[q + 3] = h;
      let sigma = s.positionSigmaM;
      const cov = s.positionCovNeM2;
      if (uncertaintyAtS < timeS) {
        // (timeS − k·Δt rounds differently per stage; a microsecond is the same instant)
        if (!(Math.abs(this.cacheAtS[i]! - uncertaintyAtS) < 1e-6)) {
          const u = predictor.predict(names[i]!, uncertaintyAtS) ?? s;
          this.cacheAtS[i] = uncertaintyAtS;
          this.cacheSigma[i] = u.positionSigmaM;
          if (u.positionCovNeM2 && u.positionCovNeM2.length === 3) this.cacheCov.set(u.positionCovNeM2, i * 3);
          else this.cacheCov[i * 3] = NaN;
        }
        sigma = this.cacheSigma[i]!;
        for (let k = 0; k < 3; k++) this.personCov[c + k] = this.cacheCov[i * 3 + k]!;
      } else if (cov && cov.length === 3) for (let k = 0; k < 3; k++) this.personCov[c + k] = cov[k]!;
      else this.personCov[c] = NaN;
      this.personPos[q + 4] = sigma;
      this.personDist[count] = Math.hypot(s.positionNedM.x - dN, s.positionNedM.y - dE);
      this.personOrder[count] = count;
      count++;
    }
    sortIndicesBy(this.personOrder, this.personDist, count);
    for (let j = 0; j < KEEP_OUT_SLOTS; j++) {
      const base = P.keepOut(j);
      if (j >= count) {
        p[base + 3] = 0;
        continue;
      }
      const person = this.personOrder[j]!, q = person * 5, c = person * 3;
      const pN = this.personPos[q]!, pE = this.personPos[q + 1]!, feetD = this.personPos[q + 2]!, h = this.personPos[q + 3]!;
      // the error that eats into the clearance is the one along the line from the person to the drone
      const cov = this.personCov;
      const sigma = Number.isNaN(cov[c]!) ? this.personPos[q + 4]! : sigmaAlongM(cov[c]!, cov[c + 1]!, cov[c + 2]!, dN - pN, dE - pE);
      p[base] = pN;
      p[base + 1] = pE;
      p[base + 2] = clamp(dD, feetD - h * PERSON_POINT_HEIGHT_FRACTION.headTop, feetD);
      p[base + 3] = keepOutPlanRadiusM(this.opts.keepOutRadiusM, sigma);
    }
  }

  private packFence(dN: number, dE: number, p: Float64Array): void {
    const m = this.edges.length;
    for (let i = 0; i < m; i++) {
      this.edgeDist[i] = distanceToSegment(this.edges[i]!, dN, dE);
      this.edgeOrder[i] = i;
    }
    sortIndicesBy(this.edgeOrder, this.edgeDist, m);
    for (let j = 0; j < FENCE_EDGE_SLOTS; j++) {
      const base = P.fenceEdge(j);
      if (j >= m) {
        p[base] = 0;
        p[base + 1] = 0;
        p[base + 2] = 1; // 0·p − 1 ≤ 0: always satisfied
        continue;
      }
      const e = this.edges[this.edgeOrder[j]!]!;
      p[base] = e.nN;
      p[base + 1] = e.nE;
      p[base + 2] = e.nN * e.aN + e.nE * e.aE - FENCE_PLAN_MARGIN_M;
    }
  }
}

/** Insertion sort of the first `n` indices by key (n is small: people nearby, fence edges). */
function sortIndicesBy(order: Int32Array, key: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = order[i]!;
    let j = i - 1;
    while (j >= 0 && key[order[j]!]! > key[v]!) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = v;
  }
}
