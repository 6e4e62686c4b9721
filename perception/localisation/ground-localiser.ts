/**
 * Where a person in the image stands in the world (NED), from their box, the
 * camera pose and intrinsics. Up to three independent cues, each a Gaussian
 * estimate of the ground contact point in the north-east plane, fused in
 * information form:
 *
 * 1. feet ray ∩ ground plane: the ray through the box's bottom centre meets
 *    the plane z = groundDownM. Precise when the camera looks down, useless
 *    when the ray grazes the ground or the feet are cut off by the frame edge;
 * 2. height prior: a person of height H standing at F = C + s·d_feet has
 *    their head on the ray d_head through the box's top centre:
 *    (s·d_feet − H·ẑ) × d_head = 0 ⇒ s = H·(a·c)/(a·a), a = d_feet × d_head,
 *    c = ẑ × d_head (ẑ = down). Works at any pitch; its range error is
 *    proportional to the height uncertainty (≈ 6 %);
 * 3. focus distance (when the lens is focused on this subject): range along
 *    the ray through the box centre, with σ from the depth of field;
 * 4. keypoint span, when the box is cut by the frame edge (a medium shot or
 *    a close-up shows no feet): the same construction as 2 between the
 *    lowest and highest visible body landmarks (ankles, knees, hips,
 *    shoulders, eyes) at their anthropometric height fractions; the ground
 *    point lies under the lower one.
 *
 * Each cue's covariance comes from its Jacobian with respect to the pixel
 * noise (and height σ), taken by central differences: J Σ Jᵀ.
 */
import type { CameraPose } from '../../core/frames.ts';
import { DEFAULT_PERSON_HEIGHT_M } from '../../core/framing.ts';
import type { Keypoint, KeypointName } from '../../core/perception-types.ts';
import { type Vec3, cross, dot, vec3 } from '../../core/vec3.ts';
import { type LensIntrinsics, PosedCamera, pixelIntrinsics } from './camera-model.ts';

export interface CameraView {
  pose: CameraPose;
  lens: LensIntrinsics;
  /** lens focus distance, m, when the focus puller (or the MPC) focuses on a subject */
  focusDistanceM?: number;
  /** 1-σ of the focus cue, m (e.g. half the depth of field); default 15 % of the distance */
  focusSigmaM?: number;
}

export interface LocaliserSettings {
  /** NED z of the ground under the subjects, m (0 = home altitude) */
  groundDownM: number;
  /** σ of a box edge in pixels: a floor plus a fraction of the box height */
  edgeSigmaPx: number;
  edgeSigmaPerHeight: number;
  /** person height prior, m, and its σ */
  personHeightM: number;
  personHeightSigmaM: number;
  /** boxes whose bottom is within this many pixels of the frame edge have their feet cut off */
  edgeMarginPx: number;
  /**
   * …and so do boxes within this fraction of their height of the edge whose
   * ankle keypoints are not visible (a tracker's smoothed box can stop short
   * of the edge that cut the detection); likewise the head and the top edge
   */
  smoothedEdgeMarginPerHeight: number;
  /** the feet ray must descend at least this steeply (rad below horizontal) to be used */
  minFeetRayDepressionRad: number;
  /** keypoints scoring at least this count as visible landmarks */
  minKeypointScore: number;
  /** σ of a landmark in pixels: a floor plus a fraction of the landmark span; σ of its body height fraction */
  keypointSigmaPx: number;
  keypointSigmaPerSpan: number;
  landmarkFractionSigma: number;
  /** the two landmarks used must be at least this far apart, as a fraction of the person's height */
  minLandmarkSpanFraction: number;
}

/**
 * Height above the ground of body landmarks as a fraction of standing
 * height (Drillis & Contini's anthropometric proportions); each landmark is
 * the midpoint of its left/right keypoints (or the eyes).
 */
export const LANDMARK_HEIGHT_FRACTION: ReadonlyArray<{ names: readonly KeypointName[]; fraction: number }> = [
  { names: ['leftAnkle', 'rightAnkle'], fraction: 0.039 },
  { names: ['leftKnee', 'rightKnee'], fraction: 0.285 },
  { names: ['leftHip', 'rightHip'], fraction: 0.53 },
  { names: ['leftShoulder', 'rightShoulder'], fraction: 0.818 },
  { names: ['leftEye', 'rightEye'], fraction: 0.936 },
];

export const DEFAULT_LOCALISER_SETTINGS: LocaliserSettings = {
  groundDownM: 0,
  edgeSigmaPx: 1.0,
  edgeSigmaPerHeight: 0.02,
  personHeightM: DEFAULT_PERSON_HEIGHT_M,
  personHeightSigmaM: 0.1,
  edgeMarginPx: 3,
  smoothedEdgeMarginPerHeight: 0.1,
  minFeetRayDepressionRad: 0.03,
  minKeypointScore: 0.5,
  keypointSigmaPx: 1.0,
  keypointSigmaPerSpan: 0.03,
  landmarkFractionSigma: 0.012,
  minLandmarkSpanFraction: 0.1,
};

export interface GroundObservation {
  /** ground contact point, NED (z = groundDownM) */
  positionNedM: Vec3;
  /** north-east covariance [nn, ne, ee], m² */
  covNeM2: [number, number, number];
  /**
   * height measured from the box when the feet are on the ground plane and
   * visible (the feet ray's ground point up to the head ray, so it does not
   * lean on the height prior), m, and its 1-σ
   */
  measuredHeightM: number | null;
  measuredHeightSigmaM: number | null;
  /** horizontal distance from the camera, m */
  rangeM: number;
  cues: { ground: boolean; height: boolean; focus: boolean; keypoints: boolean };
}

type NE = [number, number];

const FEET: readonly KeypointName[] = ['leftAnkle', 'rightAnkle'];
const HEAD: readonly KeypointName[] = ['nose', 'leftEye', 'rightEye'];

export class GroundLocaliser {
  readonly settings: LocaliserSettings;
  private readonly cam = new PosedCamera();
  private readonly dFeet = vec3();
  private readonly dHead = vec3();
  private readonly a = vec3();
  private readonly c = vec3();
  private readonly down = vec3(0, 0, 1);

  constructor(settings: Partial<LocaliserSettings> = {}) {
    this.settings = { ...DEFAULT_LOCALISER_SETTINGS, ...settings };
  }

  private feetOnGround(xPx: number, yPx: number): NE | null {
    const d = this.cam.ray(xPx, yPx, this.dFeet);
    const horiz = Math.hypot(d.x, d.y);
    if (Math.atan2(d.z, horiz) < this.settings.minFeetRayDepressionRad) return null;
    const t = (this.settings.groundDownM - this.cam.pose.positionNedM.z) / d.z;
    if (!(t > 0)) return null;
    return [this.cam.pose.positionNedM.x + t * d.x, this.cam.pose.positionNedM.y + t * d.y];
  }

  private feetFromHeight(xPx: number, yFeetPx: number, yHeadPx: number, heightM: number, xHeadPx = xPx): NE | null {
    const df = this.cam.ray(xPx, yFeetPx, this.dFeet);
    const dh = this.cam.ray(xHeadPx, yHeadPx, this.dHead);
    const a = cross(df, dh, this.a);
    const c = cross(this.down, dh, this.c);
    const aa = dot(a, a);
    if (!(aa > 1e-18)) return null;
    const s = (heightM * dot(a, c)) / aa;
    if (!(s > 0)) return null;
    return [this.cam.pose.positionNedM.x + s * df.x, this.cam.pose.positionNedM.y + s * df.y];
  }

  /** Height of the head ray above the ground, on the vertical through ground point (n, e), m. */
  private headHeightM(xPx: number, yTopPx: number, n: number, e: number): number | null {
    const C = this.cam.pose.positionNedM;
    const dh = this.cam.ray(xPx, yTopPx, this.dHead);
    const horizRay = Math.hypot(dh.x, dh.y);
    if (!(horizRay > 1e-9)) return null;
    return this.settings.groundDownM - (C.z + (dh.z * Math.hypot(n - C.x, e - C.y)) / horizRay);
  }

  /** Height measurement from the feet-on-ground cue and the head edge, with its σ (pixel noise of the head edge and the cue's range error). */
  private measureHeight(xPx: number, yTopPx: number, sigmaPx: number, g: { mean: NE; cov: [number, number, number] }): [number, number] | null {
    const [n, e] = g.mean;
    const h = this.headHeightM(xPx, yTopPx, n, e);
    const up = this.headHeightM(xPx, yTopPx - sigmaPx, n, e), down = this.headHeightM(xPx, yTopPx + sigmaPx, n, e);
    if (h === null || up === null || down === null) return null;
    const C = this.cam.pose.positionNedM;
    const un = n - C.x, ue = e - C.y, r = Math.hypot(un, ue);
    if (!(r > 1e-6)) return null;
    const [cnn, cne, cee] = g.cov;
    const rangeVar = (cnn * un * un + 2 * cne * un * ue + cee * ue * ue) / (r * r);
    // ∂H/∂r: the head ray's rise per metre of range
    const dh = this.cam.ray(xPx, yTopPx, this.dHead);
    const slope = -dh.z / Math.hypot(dh.x, dh.y);
    return [h, Math.sqrt(((up - down) / 2) ** 2 + slope * slope * rangeVar)];
  }

  /**
   * Covariance of f(params) for independent params with σ's, by central
   * differences. Returns null if f fails near the point.
   */
  private propagate(f: (p: number[]) => NE | null, p: number[], sigmas: number[]): { mean: NE; cov: [number, number, number] } | null {
    const mean = f(p);
    if (!mean) return null;
    let nn = 0, ne = 0, ee = 0;
    for (let i = 0; i < p.length; i++) {
      const h = sigmas[i]!;
      if (!(h > 0)) continue;
      const q = p.slice();
      q[i] = p[i]! + h;
      const plus = f(q);
      q[i] = p[i]! - h;
      const minus = f(q);
      if (!plus || !minus) return null;
      // σ-step difference: the column of J scaled by σ
      const jn = (plus[0] - minus[0]) / 2, je = (plus[1] - minus[1]) / 2;
      nn += jn * jn;
      ne += jn * je;
      ee += je * je;
    }
    return { mean, cov: [nn, ne, ee] };
  }

  private visible(keypoints: readonly Keypoint[], names: readonly KeypointName[], widthPx: number, heightPx: number): boolean {
    const m = this.settings.edgeMarginPx;
    return keypoints.some((k) => k.score >= this.settings.minKeypointScore && names.includes(k.name) && k.x >= m && k.x <= widthPx - m && k.y >= m && k.y <= heightPx - m);
  }

  /** Lowest and highest visible landmarks far enough apart: [xLow, yLow, fracLow, xHigh, yHigh, fracHigh], or null. */
  private landmarkPair(keypoints: readonly Keypoint[], widthPx: number, heightPx: number): number[] | null {
    const s = this.settings;
    let low: number[] | null = null, high: number[] | null = null;
    for (const lm of LANDMARK_HEIGHT_FRACTION) {
      let x = 0, y = 0, n = 0;
      for (const k of keypoints) {
        if (k.score < s.minKeypointScore || !lm.names.includes(k.name)) continue;
        if (k.x < s.edgeMarginPx || k.x > widthPx - s.edgeMarginPx || k.y < s.edgeMarginPx || k.y > heightPx - s.edgeMarginPx) continue;
        x += k.x; y += k.y; n++;
      }
      // one side alone is off the body axis by half a shoulder (hip, knee) width
      if (n < lm.names.length) continue;
      const point = [x / n, y / n, lm.fraction];
      if (!low) low = point;
      high = point;
    }
    if (!low || !high || high[2]! - low[2]! < s.minLandmarkSpanFraction) return null;
    return [...low, ...high];
  }

  /**
   * Localise one person box [x, y, w, h] (pixels) seen by `view` in an image
   * of widthPx × heightPx; `keypoints` (same image) help when the box is cut
   * by the frame edge. The height prior is the subject's estimate so far
   * (mean and σ), by default the population's.
   */
  localise(
    bbox: readonly number[], view: CameraView, widthPx: number, heightPx: number,
    heightPriorM = this.settings.personHeightM, keypoints?: readonly Keypoint[], heightPriorSigmaM = this.settings.personHeightSigmaM,
  ): GroundObservation | null {
    const s = this.settings;
    this.cam.set(view.pose, pixelIntrinsics(view.lens, widthPx, heightPx));
    const [bx, by, bw, bh] = bbox as [number, number, number, number];
    const xc = bx + bw / 2, yTop = by, yFeet = by + bh;
    const sigmaPx = s.edgeSigmaPx + s.edgeSigmaPerHeight * bh;
    // a tracker's smoothed box may stop short of the edge that cut the detection: keypoints tell
    const nearEdgePx = s.edgeMarginPx + s.smoothedEdgeMarginPerHeight * bh;
    const hasKeypoints = keypoints !== undefined && keypoints.length > 0;
    const feetCut = yFeet >= heightPx - s.edgeMarginPx || (hasKeypoints && yFeet >= heightPx - nearEdgePx && !this.visible(keypoints!, FEET, widthPx, heightPx));
    const headCut = yTop <= s.edgeMarginPx || (hasKeypoints && yTop <= nearEdgePx && !this.visible(keypoints!, HEAD, widthPx, heightPx));

    const estimates: Array<{ mean: NE; cov: [number, number, number] }> = [];
    let ground = false, height = false, focus = false, keypointCue = false;
    let measured: [number, number] | null = null;
    if (!feetCut) {
      const g = this.propagate((p) => this.feetOnGround(p[0]!, p[1]!), [xc, yFeet], [sigmaPx, sigmaPx]);
      if (g) (estimates.push(g), (ground = true));
      if (g && !headCut) measured = this.measureHeight(xc, yTop, sigmaPx, g);
    }
    if (!feetCut && !headCut) {
      const h = this.propagate((p) => this.feetFromHeight(p[0]!, p[1]!, p[2]!, p[3]!), [xc, yFeet, yTop, heightPriorM], [sigmaPx, sigmaPx, sigmaPx, heightPriorSigmaM]);
      if (h) (estimates.push(h), (height = true));
    }
    const pair = (feetCut || headCut) && keypoints ? this.landmarkPair(keypoints, widthPx, heightPx) : null;
    if (pair) {
      const [xl, yl, fl, xh, yh, fh] = pair as [number, number, number, number, number, number];
      const spanPx = Math.hypot(xh - xl, yh - yl);
      const kSigma = s.keypointSigmaPx + s.keypointSigmaPerSpan * spanPx;
      // p = [x_low, y_low, y_high, height between landmarks (m)]
      const spanM = (fh - fl) * heightPriorM;
      const spanSigmaM = Math.hypot((fh - fl) * heightPriorSigmaM, Math.SQRT2 * s.landmarkFractionSigma * heightPriorM);
      const k = this.propagate((p) => this.feetFromHeight(p[0]!, p[1]!, p[2]!, p[3]!, xh), [xl, yl, yh, spanM], [kSigma, kSigma, kSigma, spanSigmaM]);
      if (k) (estimates.push(k), (keypointCue = true));
    }
    if (view.focusDistanceM !== undefined && view.focusDistanceM > 0) {
      const rangeSigma = view.focusSigmaM ?? 0.15 * view.focusDistanceM;
      // the ray through the box centre hits the subject's mid-body; its ground point is below it
      const f = this.propagate((p) => {
        const d = this.cam.ray(p[0]!, p[1]!, this.dFeet);
        const n = Math.hypot(d.x, d.y, d.z);
        return [this.cam.pose.positionNedM.x + (p[2]! * d.x) / n, this.cam.pose.positionNedM.y + (p[2]! * d.y) / n];
      }, [xc, by + bh / 2, view.focusDistanceM], [sigmaPx, sigmaPx, rangeSigma]);
      if (f) (estimates.push(f), (focus = true));
    }
    if (!estimates.length) return null;

    // information-form fusion: Λ = Σ Λᵢ, Λ μ = Σ Λᵢ μᵢ
    let Lnn = 0, Lne = 0, Lee = 0, bn = 0, be = 0;
    for (const e of estimates) {
      const [nn, ne, ee] = e.cov;
      const det = nn * ee - ne * ne;
      if (!(det > 1e-12)) continue; // a degenerate cue (e.g. zero σ) adds nothing reliable
      const inn = ee / det, ine = -ne / det, iee = nn / det;
      Lnn += inn; Lne += ine; Lee += iee;
      bn += inn * e.mean[0] + ine * e.mean[1];
      be += ine * e.mean[0] + iee * e.mean[1];
    }
    const detL = Lnn * Lee - Lne * Lne;
    if (!(detL > 0)) return null;
    const cnn = Lee / detL, cne = -Lne / detL, cee = Lnn / detL;
    const n = cnn * bn + cne * be, e = cne * bn + cee * be;
    const positionNedM = vec3(n, e, s.groundDownM);

    const C = view.pose.positionNedM;
    return {
      positionNedM,
      covNeM2: [cnn, cne, cee],
      measuredHeightM: measured?.[0] ?? null,
      measuredHeightSigmaM: measured?.[1] ?? null,
      rangeM: Math.hypot(n - C.x, e - C.y),
      cues: { ground, height, focus, keypoints: keypointCue },
    };
  }
}
