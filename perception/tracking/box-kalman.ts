/**
 * Constant-velocity Kalman filter on a box in the image: centre x, centre y,
 * width, height, each with its rate (pixels, pixels/second). With diagonal
 * process and measurement noise the four coordinates are independent 2-state
 * filters, so each keeps its own 2×2 covariance — the same estimate as the
 * 8-state filter SORT/ByteTrack write out, at a fraction of the arithmetic.
 *
 * Noise scales with the box height (a near person moves more pixels), as in
 * ByteTrack: σ_accel = k·h (px/s²), σ_meas = k·h (px).
 */
export interface BoxKalmanSettings {
  /** white-noise acceleration of the centre, in box heights / s² */
  centreAccelPerHeight: number;
  /** white-noise acceleration of width and height, in box heights / s² */
  sizeAccelPerHeight: number;
  /** measurement σ of the centre, in box heights */
  centreMeasPerHeight: number;
  /** measurement σ of width and height, in box heights */
  sizeMeasPerHeight: number;
  /** initial velocity σ, in box heights / s */
  initialSpeedPerHeight: number;
}

export const DEFAULT_BOX_KALMAN: BoxKalmanSettings = {
  centreAccelPerHeight: 0.5,
  sizeAccelPerHeight: 0.3,
  centreMeasPerHeight: 0.05,
  sizeMeasPerHeight: 0.08,
  initialSpeedPerHeight: 1.0,
};

export class BoxKalman {
  /** [cx, cy, w, h] and their rates [vcx, vcy, vw, vh] */
  readonly x = new Float64Array(8);
  /** per coordinate k: [P_pp, P_pv, P_vv] at 3k … 3k+2 */
  readonly P = new Float64Array(12);

  constructor(private readonly s: BoxKalmanSettings = DEFAULT_BOX_KALMAN) {}

  init(bbox: readonly number[]): void {
    const [bx, by, w, h] = bbox as [number, number, number, number];
    this.x.set([bx + w / 2, by + h / 2, w, h, 0, 0, 0, 0]);
    for (let k = 0; k < 4; k++) {
      const meas = (k < 2 ? this.s.centreMeasPerHeight : this.s.sizeMeasPerHeight) * h;
      const vel = this.s.initialSpeedPerHeight * h * (k < 2 ? 1 : 0.2);
      this.P[3 * k] = meas * meas;
      this.P[3 * k + 1] = 0;
      this.P[3 * k + 2] = vel * vel;
    }
  }

  /** Advance by dt seconds (x ← F x, P ← F P Fᵀ + Q). */
  predict(dtS: number): void {
    if (!(dtS > 0)) return;
    const h = Math.max(this.x[3]!, 1);
    const dt2 = dtS * dtS, dt3 = dt2 * dtS;
    for (let k = 0; k < 4; k++) {
      this.x[k]! += dtS * this.x[4 + k]!;
      const a = (k < 2 ? this.s.centreAccelPerHeight : this.s.sizeAccelPerHeight) * h;
      const q = a * a;
      const pp = this.P[3 * k]!, pv = this.P[3 * k + 1]!, vv = this.P[3 * k + 2]!;
      this.P[3 * k] = pp + 2 * dtS * pv + dt2 * vv + (q * dt3) / 3;
      this.P[3 * k + 1] = pv + dtS * vv + (q * dt2) / 2;
      this.P[3 * k + 2] = vv + q * dtS;
    }
    // a box cannot shrink through zero
    if (this.x[2]! < 1) this.x[2] = 1;
    if (this.x[3]! < 1) this.x[3] = 1;
  }

  /** Measurement update with a detected box [x, y, w, h]. */
  update(bbox: readonly number[]): void {
    const [bx, by, w, h] = bbox as [number, number, number, number];
    const hRef = Math.max(h, 1);
    const z0 = bx + w / 2, z1 = by + h / 2;
    for (let k = 0; k < 4; k++) {
      const z = k === 0 ? z0 : k === 1 ? z1 : k === 2 ? w : h;
      const r = (k < 2 ? this.s.centreMeasPerHeight : this.s.sizeMeasPerHeight) * hRef;
      const pp = this.P[3 * k]!, pv = this.P[3 * k + 1]!, vv = this.P[3 * k + 2]!;
      const S = pp + r * r;
      const kp = pp / S, kv = pv / S;
      const innov = z - this.x[k]!;
      this.x[k]! += kp * innov;
      this.x[4 + k]! += kv * innov;
      this.P[3 * k] = (1 - kp) * pp;
      this.P[3 * k + 1] = (1 - kp) * pv;
      this.P[3 * k + 2] = vv - kv * pv;
    }
  }

  /** Write the box [x, y, w, h] into `target`. */
  bbox(target: [number, number, number, number]): [number, number, number, number] {
    const w = this.x[2]!, h = this.x[3]!;
    target[0] = this.x[0]! - w / 2;
    target[1] = this.x[1]! - h / 2;
    target[2] = w;
    target[3] = h;
    return target;
  }

  /**
   * Stop extrapolating the box size: after a missed detection the size rate
   * is mostly the detector's jitter, and extrapolating it shrinks or swells
   * a coasting box into nonsense (ByteTrack zeroes it the same way).
   */
  freezeSize(): void {
    this.x[6] = 0;
    this.x[7] = 0;
  }

  /** Stop extrapolating motion (a long-lost track should wait where it was last seen, not drift away). */
  damp(factor: number): void {
    for (let k = 4; k < 8; k++) this.x[k]! *= factor;
  }
}
