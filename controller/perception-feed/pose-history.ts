/**
 * The camera pose for a video frame, from the vehicle telemetry the
 * controller publishes on its bus (the `state` snapshots, 10 Hz).
 *
 * Two clocks meet here. Telemetry samples carry the controller's loop clock
 * (its monotonic clock; the MAVLink link already mapped the autopilot's boot
 * time onto it); frames carry this process's monotonic clock. `ClockMapping`
 * keeps the smallest `localArrival − remoteSent` seen over a window: the
 * one-way delay is never negative, so the minimum is the offset plus the
 * fastest delivery (≈ 0.1–1 ms on loopback, a network's floor otherwise),
 * and it is immune to queueing spikes. The window lets it follow clock drift
 * between two machines (ppm: negligible over minutes).
 *
 * `PoseHistory` keeps the recent samples on the local clock and answers
 * `viewAt(t)` by linear interpolation between the two samples around `t`
 * (position, heading and gimbal angles on the shortest arc, focal length),
 * or by extrapolating the newest one with its velocity and yaw rate for at
 * most `maxExtrapolationS` — beyond that the pose is unknown and the frame
 * must not be localised.
 */
import { CinePilotError } from '../../core/errors.ts';
import { cameraPoseFromVehicle } from '../../core/frames.ts';
import { wrapAngleRad } from '../../core/units.ts';
import { vec3, type Vec3 } from '../../core/vec3.ts';
import type { VehicleTelemetry } from '../../core/vehicle-link.ts';
import type { CameraView } from '../../perception/localisation/ground-localiser.ts';
import type { Rig } from '../../hardware-profiles/schema.ts';

/** How long an offset sample counts toward the minimum, s. */
export const DEFAULT_CLOCK_WINDOW_S = 30;
/** Samples kept (10 Hz state → 12.8 s). */
export const DEFAULT_POSE_HISTORY = 128;
/** Longest extrapolation past the newest telemetry sample, s. */
export const DEFAULT_MAX_EXTRAPOLATION_S = 0.35;

/** remote clock → local clock, from (remote send time, local arrival time) pairs. */
export class ClockMapping {
  private readonly samples: Array<{ atS: number; offsetS: number }> = [];
  private best: number | null = null;

  constructor(private readonly windowS = DEFAULT_CLOCK_WINDOW_S) {}

  observe(remoteS: number, localArrivalS: number): void {
    const offsetS = localArrivalS - remoteS;
    // keep a monotonic deque of candidates: newer samples with smaller offsets retire older ones
    while (this.samples.length && this.samples[this.samples.length - 1]!.offsetS >= offsetS) this.samples.pop();
    this.samples.push({ atS: localArrivalS, offsetS });
    while (this.samples.length && this.samples[0]!.atS < localArrivalS - this.windowS) this.samples.shift();
    this.best = this.samples[0]!.offsetS;
  }

  /** local = remote + offsetS; null before the first observation */
  get offsetS(): number | null {
    return this.best;
  }

  toLocal(remoteS: number): number {
    if (this.best === null) throw new Error('ClockMapping.toLocal before any observation');
    return remoteS + this.best;
  }
}

interface PoseSample {
  localS: number;
  positionNedM: Vec3;
  velocityNedMps: Vec3;
  yawRad: number;
  yawRateRadps: number;
  gimbalPitchRad: number;
  gimbalYawRad: number;
  gimbalRollRad: number;
  focalLengthMm: number;
}

export type ViewLookup = { ok: true; view: CameraView; extrapolatedS: number } | { ok: false; reason: 'no-telemetry' | 'too-old' | 'stale'; ageS: number };

export interface PoseHistorySettings {
  capacity?: number;
  maxExtrapolationS?: number;
}

export class PoseHistory {
  private readonly samples: PoseSample[] = [];
  private readonly capacity: number;
  private readonly maxExtrapolationS: number;
  private readonly sensorWidthMm: number;
  private readonly sensorHeightMm: number;
  private readonly mount: Vec3;
  lastRemoteTimestampS: number | null = null;

  constructor(rig: Pick<Rig, 'camera' | 'gimbal'>, settings: PoseHistorySettings = {}) {
    this.capacity = settings.capacity ?? DEFAULT_POSE_HISTORY;
    this.maxExtrapolationS = settings.maxExtrapolationS ?? DEFAULT_MAX_EXTRAPOLATION_S;
    if (!(this.capacity >= 2)) throw new CinePilotError('BAD_SETTING', `pose history capacity must be ≥ 2, got ${this.capacity}.`);
    if (!(this.maxExtrapolationS >= 0)) throw new CinePilotError('BAD_SETTING', `maxExtrapolationS must be ≥ 0, got ${this.maxExtrapolationS}.`);
    this.sensorWidthMm = rig.camera.sensorWidthMm;
    this.sensorHeightMm = rig.camera.sensorHeightMm;
    const m = rig.gimbal.mountOffsetM;
    this.mount = vec3(m.x, m.y, m.z);
  }

  get size(): number {
    return this.samples.length;
  }

  /** Local time of the newest sample, or null. */
  newestS(): number | null {
    return this.samples.length ? this.samples[this.samples.length - 1]!.localS : null;
  }

  /**
   * A telemetry sample whose `timestampS` is on the remote clock, mapped by
   * `clock`. A repeat of the newest sample (snapshots between two telemetry
   * messages) is ignored; one older than the newest is dropped.
   */
  push(t: VehicleTelemetry, clock: ClockMapping): void {
    if (this.lastRemoteTimestampS !== null && t.timestampS <= this.lastRemoteTimestampS) return;
    this.lastRemoteTimestampS = t.timestampS;
    const p = t.positionNedM, v = t.velocityNedMps;
    this.samples.push({
      localS: clock.toLocal(t.timestampS),
      positionNedM: vec3(p.x, p.y, p.z), velocityNedMps: vec3(v.x, v.y, v.z),
      yawRad: t.yawRad, yawRateRadps: t.yawRateRadps,
      gimbalPitchRad: t.gimbal.pitchRad, gimbalYawRad: t.gimbal.yawRad, gimbalRollRad: t.gimbal.rollRad,
      focalLengthMm: t.lens.focalLengthMm,
    });
    if (this.samples.length > this.capacity) this.samples.shift();
  }

  /** The camera that saw a frame captured at local time `localS`. */
  viewAt(localS: number): ViewLookup {
    const n = this.samples.length;
    if (!n) return { ok: false, reason: 'no-telemetry', ageS: Infinity };
    const first = this.samples[0]!, last = this.samples[n - 1]!;
    if (localS > last.localS) {
      const dt = localS - last.localS;
      if (dt > this.maxExtrapolationS) return { ok: false, reason: 'stale', ageS: dt };
      // angles and zoom continue at the rate of the last two samples, position at the reported velocity
      const prev = n > 1 ? this.samples[n - 2]! : last;
      const span = last.localS - prev.localS;
      return { ok: true, view: this.view(prev, last, span > 0 ? 1 + dt / span : 1, dt), extrapolatedS: dt };
    }
    if (localS < first.localS) {
      // older than the history: only a hair before the first sample is usable
      const dt = first.localS - localS;
      if (dt > this.maxExtrapolationS) return { ok: false, reason: 'too-old', ageS: dt };
      return { ok: true, view: this.view(first, first, 0, 0), extrapolatedS: dt };
    }
    // newest first: frames are a little older than the newest telemetry
    let i = n - 1;
    while (i > 0 && this.samples[i - 1]!.localS > localS) i--;
    const b = this.samples[i]!, a = i > 0 ? this.samples[i - 1]! : b;
    const span = b.localS - a.localS;
    const w = span > 0 ? (localS - a.localS) / span : 0;
    return { ok: true, view: this.view(a, b, w, 0), extrapolatedS: 0 };
  }

  /**
   * Between a and b at weight w (w > 1 continues past b); with `extrapolateS`
   * > 0 the position is b's plus its velocity times that, the heading b's
   * plus its yaw rate.
   */
  private view(a: PoseSample, b: PoseSample, w: number, extrapolateS: number): CameraView {
    const lerp = (x: number, y: number) => x + (y - x) * w;
    const lerpAngle = (x: number, y: number) => x + wrapAngleRad(y - x) * w;
    const e = extrapolateS;
    const position = e > 0
      ? vec3(b.positionNedM.x + b.velocityNedMps.x * e, b.positionNedM.y + b.velocityNedMps.y * e, b.positionNedM.z + b.velocityNedMps.z * e)
      : vec3(lerp(a.positionNedM.x, b.positionNedM.x), lerp(a.positionNedM.y, b.positionNedM.y), lerp(a.positionNedM.z, b.positionNedM.z));
    const yawRad = e > 0 ? b.yawRad + b.yawRateRadps * e : lerpAngle(a.yawRad, b.yawRad);
    const pose = cameraPoseFromVehicle(position, yawRad, {
      pitchRad: lerpAngle(a.gimbalPitchRad, b.gimbalPitchRad),
      yawRad: lerpAngle(a.gimbalYawRad, b.gimbalYawRad),
      rollRad: lerpAngle(a.gimbalRollRad, b.gimbalRollRad),
    }, this.mount);
    return { pose, lens: { focalLengthMm: lerp(a.focalLengthMm, b.focalLengthMm), sensorWidthMm: this.sensorWidthMm, sensorHeightMm: this.sensorHeightMm } };
  }
}
