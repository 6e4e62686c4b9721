/**
 * Scene subjects: people and moving props, with scripted motion.
 *
 * Motion is kinematic with human limits: speed changes at no more than the
 * acceleration limit; the walking direction turns at ω = a_lat / v (a turn
 * radius that grows with speed), so a runner takes a corner in a curve; a
 * subject slows before a waypoint where it stops so it arrives without a jump.
 * Facing (heading) follows the walking direction while moving and turns to
 * the waypoint's heading while paused. Positions are the ground contact point
 * (feet) in NED with z = 0.
 */
import { type Vec3, vec3, set } from '../core/vec3.ts';
import { DEFAULT_PERSON_HEIGHT_M, PERSON_POINT_HEIGHT_FRACTION, type PersonPoint } from '../core/framing.ts';
import { clamp, degToRad, wrapAngleRad } from '../core/units.ts';
import { Rng } from './rng.ts';
import type { MotionSpec, ShapeSpec, SubjectSpec, WaypointSpec } from './scene-schema.ts';

export const DEFAULT_SUBJECT_ACCELERATION_MPS2 = 2;
export const DEFAULT_SUBJECT_LATERAL_ACCELERATION_MPS2 = 3;
/** How fast a standing person turns to face a new direction, rad/s. */
export const STANDING_TURN_RATE_RADPS = degToRad(180);
/** Below this speed a subject counts as standing (facing no longer follows motion). */
const STANDING_SPEED_MPS = 0.05;
/** A waypoint counts as reached within this distance, m. */
const ARRIVAL_RADIUS_M = 0.05;

export interface SubjectState {
  positionNedM: Vec3;
  velocityNedMps: Vec3;
  headingRad: number;
}

/** World point of a named point on a person standing at `feetNedM` (z up = −NED z). */
export function personPointNed(feetNedM: Vec3, heightM: number, point: PersonPoint, target: Vec3 = vec3()): Vec3 {
  return set(target, feetNedM.x, feetNedM.y, feetNedM.z - heightM * PERSON_POINT_HEIGHT_FRACTION[point]);
}

interface Motion {
  step(dtS: number, timeS: number, self: SubjectState): void;
}

class StaticMotion implements Motion {
  step(_dtS: number, _timeS: number, self: SubjectState): void {
    set(self.velocityNedMps, 0, 0, 0);
  }
}

/** Supplies the next leg; null = stop for good. */
type WaypointSource = () => WaypointSpec | null;

/** Steers along successive waypoints with acceleration and turn-rate limits. */
class WaypointMotion implements Motion {
  private current: WaypointSpec | null;
  private pauseUntilS = -Infinity;
  private pausedHeadingRad: number | null = null;
  private speedMps = 0;
  private courseRad: number;

  constructor(
    private readonly source: WaypointSource,
    private readonly accelMps2: number,
    private readonly lateralAccelMps2: number,
    startHeadingRad: number,
    startDelayS: number,
  ) {
    this.current = source();
    this.courseRad = startHeadingRad;
    if (startDelayS > 0) this.pauseUntilS = startDelayS;
  }

  step(dtS: number, timeS: number, self: SubjectState): void {
    const p = self.positionNedM;
    if (timeS < this.pauseUntilS || !this.current) {
      this.speedMps = 0;
      set(self.velocityNedMps, 0, 0, 0);
      if (this.pausedHeadingRad !== null) self.headingRad = turnToward(self.headingRad, this.pausedHeadingRad, STANDING_TURN_RATE_RADPS * dtS);
      return;
    }
    const wp = this.current;
    const dn = wp.positionNeM[0] - p.x, de = wp.positionNeM[1] - p.y;
    const dist = Math.hypot(dn, de);
    const stopsHere = (wp.pauseS ?? 0) > 0 || wp.headingDeg !== undefined;
    if (dist <= Math.max(ARRIVAL_RADIUS_M, stopsHere ? 0 : this.speedMps * dtS * 2)) {
      this.arrive(wp, timeS, self);
      return;
    }
    const bearing = Math.atan2(de, dn);
    if (this.speedMps < STANDING_SPEED_MPS) this.courseRad = turnToward(this.courseRad, bearing, STANDING_TURN_RATE_RADPS * dtS);
    else this.courseRad = turnToward(this.courseRad, bearing, (this.lateralAccelMps2 / this.speedMps) * dtS);
    // slow where the course is off the bearing (a tight turn) and before a stop
    const misalign = Math.cos(wrapAngleRad(bearing - this.courseRad));
    let vTarget = wp.speedMps * clamp(misalign, 0.15, 1);
    if (stopsHere) vTarget = Math.min(vTarget, Math.sqrt(2 * this.accelMps2 * Math.max(dist - ARRIVAL_RADIUS_M / 2, 0)));
    this.speedMps = clamp(vTarget, this.speedMps - this.accelMps2 * dtS, this.speedMps + this.accelMps2 * dtS);
    // never step past a stop waypoint
    const stepM = Math.min(this.speedMps * dtS, stopsHere ? dist : Infinity);
    const vn = Math.cos(this.courseRad), ve = Math.sin(this.courseRad);
    p.x += vn * stepM;
    p.y += ve * stepM;
    set(self.velocityNedMps, (vn * stepM) / dtS, (ve * stepM) / dtS, 0);
    if (this.speedMps >= STANDING_SPEED_MPS) self.headingRad = this.courseRad;
  }

  private arrive(wp: WaypointSpec, timeS: number, self: SubjectState): void {
    const pause = wp.pauseS ?? 0;
    if (pause > 0 || wp.headingDeg !== undefined) {
      set(self.positionNedM, wp.positionNeM[0], wp.positionNeM[1], 0);
      set(self.velocityNedMps, 0, 0, 0);
      this.speedMps = 0;
      this.pauseUntilS = timeS + pause;
      this.pausedHeadingRad = wp.headingDeg === undefined ? null : degToRad(wp.headingDeg);
    }
    this.current = this.source();
    if (!this.current) {
      set(self.velocityNedMps, 0, 0, 0);
      this.speedMps = 0;
    }
  }
}

function turnToward(fromRad: number, toRad: number, maxStepRad: number): number {
  return wrapAngleRad(fromRad + clamp(wrapAngleRad(toRad - fromRad), -maxStepRad, maxStepRad));
}

/** Keeps an offset in the leader's heading frame (groups walking together). */
class FollowMotion implements Motion {
  constructor(private readonly leader: SubjectState, private readonly forwardM: number, private readonly rightM: number) {}

  step(dtS: number, _timeS: number, self: SubjectState): void {
    const L = this.leader, c = Math.cos(L.headingRad), s = Math.sin(L.headingRad);
    const n = L.positionNedM.x + c * this.forwardM - s * this.rightM;
    const e = L.positionNedM.y + s * this.forwardM + c * this.rightM;
    set(self.velocityNedMps, (n - self.positionNedM.x) / dtS, (e - self.positionNedM.y) / dtS, 0);
    set(self.positionNedM, n, e, 0);
    self.headingRad = L.headingRad;
  }
}

export class SimSubject {
  readonly name: string;
  readonly kind: 'person' | 'prop';
  readonly heightM: number;
  readonly shape: ShapeSpec | null;
  readonly colour: string;
  readonly state: SubjectState;
  private motion: Motion | null = null;

  constructor(readonly spec: SubjectSpec) {
    this.name = spec.name;
    this.kind = spec.kind;
    this.shape = spec.shape ?? null;
    this.heightM = spec.kind === 'person' ? spec.heightM ?? DEFAULT_PERSON_HEIGHT_M : shapeHeightM(spec.shape!);
    this.colour = spec.colour ?? (spec.kind === 'person' ? '#3a6ea5' : '#8a6d3b');
    const [start, heading] = startPose(spec.motion);
    this.state = { positionNedM: vec3(start[0], start[1], 0), velocityNedMps: vec3(), headingRad: heading };
  }

  /** Called once all subjects exist (followers need their leader's state). */
  bind(seed: number, byName: Map<string, SimSubject>): void {
    const m = this.spec.motion;
    switch (m.type) {
      case 'static':
        this.motion = new StaticMotion();
        break;
      case 'waypoints': {
        let i = 0;
        const source: WaypointSource = () => {
          if (i >= m.waypoints.length) {
            if (!m.loop) return null;
            i = 0;
          }
          return m.waypoints[i++]!;
        };
        this.motion = new WaypointMotion(
          source, m.accelerationMps2 ?? DEFAULT_SUBJECT_ACCELERATION_MPS2,
          m.lateralAccelerationMps2 ?? DEFAULT_SUBJECT_LATERAL_ACCELERATION_MPS2, this.state.headingRad, m.startDelayS ?? 0,
        );
        break;
      }
      case 'random-walk': {
        const rng = new Rng(seed, `walker:${this.name}`);
        const [pMin, pMax] = m.pauseS ?? [0.5, 3];
        const source: WaypointSource = () => {
          const r = m.radiusM * Math.sqrt(rng.next()), a = rng.uniform(-Math.PI, Math.PI);
          return {
            positionNeM: [m.centreNeM[0] + r * Math.cos(a), m.centreNeM[1] + r * Math.sin(a)],
            speedMps: m.speedMps * rng.uniform(0.7, 1.15),
            pauseS: rng.uniform(pMin, pMax),
          };
        };
        this.motion = new WaypointMotion(
          source, m.accelerationMps2 ?? DEFAULT_SUBJECT_ACCELERATION_MPS2,
          m.lateralAccelerationMps2 ?? DEFAULT_SUBJECT_LATERAL_ACCELERATION_MPS2, this.state.headingRad, 0,
        );
        break;
      }
      case 'follow': {
        const leader = byName.get(m.leader)!;
        this.motion = new FollowMotion(leader.state, m.offsetM[0], m.offsetM[1]);
        const c = Math.cos(leader.state.headingRad), s = Math.sin(leader.state.headingRad);
        set(this.state.positionNedM,
          leader.state.positionNedM.x + c * m.offsetM[0] - s * m.offsetM[1],
          leader.state.positionNedM.y + s * m.offsetM[0] + c * m.offsetM[1], 0);
        this.state.headingRad = leader.state.headingRad;
        break;
      }
    }
  }

  step(dtS: number, timeS: number): void {
    this.motion!.step(dtS, timeS, this.state);
  }

  /** Radius used for occlusion and clearance, m (shoulder half-width for people). */
  get radiusM(): number {
    if (this.kind === 'person') return 0.25 * (this.heightM / DEFAULT_PERSON_HEIGHT_M);
    return shapeRadiusM(this.shape!);
  }
}

export function shapeHeightM(shape: ShapeSpec): number {
  return shape.type === 'box' ? shape.sizeM[2] : shape.heightM;
}

/** Radius of the vertical cylinder that encloses a shape, m. */
export function shapeRadiusM(shape: ShapeSpec): number {
  return shape.type === 'box' ? Math.hypot(shape.sizeM[0], shape.sizeM[1]) / 2 : shape.radiusM;
}

function startPose(m: MotionSpec): [[number, number], number] {
  switch (m.type) {
    case 'static':
      return [m.positionNeM, degToRad(m.headingDeg ?? 0)];
    case 'waypoints': {
      const first = m.waypoints[0]!.positionNeM;
      const heading = m.startHeadingDeg !== undefined ? degToRad(m.startHeadingDeg) : Math.atan2(first[1] - m.startNeM[1], first[0] - m.startNeM[0]);
      return [m.startNeM, heading];
    }
    case 'random-walk':
      return [m.centreNeM, 0];
    case 'follow':
      return [[0, 0], 0]; // placed in bind(), once the leader exists
  }
}

/** Subjects in an order where every leader steps before its followers. */
export function createSubjects(specs: SubjectSpec[], seed: number): SimSubject[] {
  const subjects = specs.map((s) => new SimSubject(s));
  const byName = new Map(subjects.map((s) => [s.name, s]));
  const ordered: SimSubject[] = [];
  const placed = new Set<string>();
  const place = (s: SimSubject): void => {
    if (placed.has(s.name)) return;
    if (s.spec.motion.type === 'follow') place(byName.get(s.spec.motion.leader)!);
    placed.add(s.name);
    ordered.push(s);
  };
  subjects.forEach(place);
  for (const s of ordered) s.bind(seed, byName);
  return ordered;
}
