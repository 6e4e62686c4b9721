/**
 * Per-subject world filter: constant-velocity Kalman filter on the ground
 * plane, state [n, e, vn, ve] (m, m/s) with a full 4×4 covariance, driven by
 * white-noise acceleration (σ 0.7 m/s²: people on a shot walk steadily).
 * Heading follows the velocity once the subject walks (below the threshold
 * the last heading is kept: a standing person's velocity is noise).
 * Prediction over the MPC horizon: p(t) = p + v·(t − t₀), covariance
 * F P Fᵀ + Q(t − t₀), so uncertainty grows with the horizon.
 *
 * Standing height is a Gaussian estimate too: it starts at the localiser's
 * prior (1.75 ± 0.1 m) and each measurement (feet and head both in view)
 * updates it by its own σ, so a handful of wide frames settle it before a
 * medium shot cuts the feet off for good (a fixed-gain average learned 1 cm
 * per second of a 5 cm error). Its σ never drops below a floor: successive
 * measurements share the box's systematic error, so they are not
 * independent.
 */
export interface SubjectFilterSettings {
  accelSigmaMps2: number;
  /** initial velocity σ, m/s */
  initialSpeedSigmaMps: number;
  /** heading is taken from the velocity above this speed, m/s */
  headingMinSpeedMps: number;
  /** the height estimate is never surer than this, m (errors shared by successive measurements) */
  minHeightSigmaM: number;
}

/** Heights outside this range are not a standing person's (a bad box), m. */
export const PLAUSIBLE_HEIGHT_M = [0.8, 2.5] as const;

export const DEFAULT_SUBJECT_FILTER: SubjectFilterSettings = {
  accelSigmaMps2: 0.7,
  initialSpeedSigmaMps: 1.5,
  headingMinSpeedMps: 0.3,
  minHeightSigmaM: 0.02,
};

export class SubjectFilter {
  /** [n, e, vn, ve] */
  readonly x = new Float64Array(4);
  /** 4 × 4, row-major */
  readonly P = new Float64Array(16);
  timeS = 0;
  headingRad = 0;
  heightM: number;
  /** 1-σ of heightM, m */
  heightSigmaM: number;
  private readonly tmp = new Float64Array(16);

  constructor(private readonly s: SubjectFilterSettings, initialHeightM: number, initialHeightSigmaM: number) {
    this.heightM = initialHeightM;
    this.heightSigmaM = initialHeightSigmaM;
  }

  init(timeS: number, n: number, e: number, covNe: readonly number[]): void {
    this.timeS = timeS;
    this.x.set([n, e, 0, 0]);
    this.P.fill(0);
    this.P[0] = covNe[0]!;
    this.P[1] = this.P[4] = covNe[1]!;
    this.P[5] = covNe[2]!;
    this.P[10] = this.P[15] = this.s.initialSpeedSigmaMps ** 2;
  }

  /** P ← F P Fᵀ + Q for a step dt, written into `out` (may be this.P). */
  private propagateCov(P: Float64Array, dt: number, out: Float64Array): void {
    const q = this.s.accelSigmaMps2 ** 2;
    const t = this.tmp;
    // F = [I dt·I; 0 I]; F P Fᵀ blockwise on position/velocity for each axis pair
    for (let i = 0; i < 16; i++) t[i] = P[i]!;
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < 4; c++) t[r * 4 + c]! += dt * P[(r + 2) * 4 + c]!; // rows: F·P
    }
    for (let i = 0; i < 16; i++) out[i] = t[i]!;
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 2; c++) out[r * 4 + c]! += dt * t[r * 4 + c + 2]!; // columns: (F·P)·Fᵀ
    }
    const dt2 = dt * dt, dt3 = dt2 * dt;
    for (let k = 0; k < 2; k++) {
      out[k * 4 + k]! += (q * dt3) / 3;
      out[k * 4 + k + 2]! += (q * dt2) / 2;
      out[(k + 2) * 4 + k]! += (q * dt2) / 2;
      out[(k + 2) * 4 + k + 2]! += q * dt;
    }
  }

  predictTo(timeS: number): void {
    const dt = timeS - this.timeS;
    if (!(dt > 0)) return;
    this.x[0]! += dt * this.x[2]!;
    this.x[1]! += dt * this.x[3]!;
    this.propagateCov(this.P, dt, this.P);
    this.timeS = timeS;
  }

  /** Position measurement z = [n, e] with covariance R = [nn, ne, ee]. */
  update(n: number, e: number, R: readonly number[]): void {
    const P = this.P;
    const s00 = P[0]! + R[0]!, s01 = P[1]! + R[1]!, s11 = P[5]! + R[2]!;
    const det = s00 * s11 - s01 * s01;
    if (!(det > 0)) return;
    const i00 = s11 / det, i01 = -s01 / det, i11 = s00 / det;
    // K = P Hᵀ S⁻¹, H = [I 0]: P Hᵀ is the first two columns of P
    const K = this.tmp;
    for (let r = 0; r < 4; r++) {
      const p0 = P[r * 4]!, p1 = P[r * 4 + 1]!;
      K[r * 2] = p0 * i00 + p1 * i01;
      K[r * 2 + 1] = p0 * i01 + p1 * i11;
    }
    const y0 = n - this.x[0]!, y1 = e - this.x[1]!;
    for (let r = 0; r < 4; r++) this.x[r]! += K[r * 2]! * y0 + K[r * 2 + 1]! * y1;
    // P ← (I − K H) P: row r minus K_r · (rows 0, 1 of P)
    const row0 = [P[0]!, P[1]!, P[2]!, P[3]!], row1 = [P[4]!, P[5]!, P[6]!, P[7]!];
    for (let r = 0; r < 4; r++) {
      const k0 = K[r * 2]!, k1 = K[r * 2 + 1]!;
      for (let c = 0; c < 4; c++) P[r * 4 + c]! -= k0 * row0[c]! + k1 * row1[c]!;
    }
    // keep P symmetric against round-off
    for (let r = 0; r < 4; r++) for (let c = r + 1; c < 4; c++) P[r * 4 + c] = P[c * 4 + r] = (P[r * 4 + c]! + P[c * 4 + r]!) / 2;
    if (Math.hypot(this.x[2]!, this.x[3]!) >= this.s.headingMinSpeedMps) this.headingRad = Math.atan2(this.x[3]!, this.x[2]!);
  }

  /** A height measurement with its 1-σ, m. */
  observeHeight(heightM: number, sigmaM: number): void {
    if (!(heightM > PLAUSIBLE_HEIGHT_M[0] && heightM < PLAUSIBLE_HEIGHT_M[1] && sigmaM > 0)) return;
    const v = this.heightSigmaM ** 2, r = sigmaM * sigmaM;
    const k = v / (v + r);
    this.heightM += k * (heightM - this.heightM);
    this.heightSigmaM = Math.max(Math.sqrt((1 - k) * v), this.s.minHeightSigmaM);
  }

  /**
   * State at `timeS` (≥ the filter time; earlier times return the current
   * state) without changing the filter. Returns the 1-σ position uncertainty
   * as the square root of the larger eigenvalue of the 2 × 2 position block.
   */
  predictSample(timeS: number, out: { n: number; e: number; vn: number; ve: number; sigmaM: number }, scratch: Float64Array): void {
    const dt = Math.max(0, timeS - this.timeS);
    out.n = this.x[0]! + dt * this.x[2]!;
    out.e = this.x[1]! + dt * this.x[3]!;
    out.vn = this.x[2]!;
    out.ve = this.x[3]!;
    this.propagateCov(this.P, dt, scratch);
    const a = scratch[0]!, b = scratch[1]!, d = scratch[5]!;
    const lmax = (a + d) / 2 + Math.sqrt(((a - d) / 2) ** 2 + b * b);
    out.sigmaM = Math.sqrt(Math.max(lmax, 0));
  }
}
