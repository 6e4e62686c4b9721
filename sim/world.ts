/**
 * SimWorld: everything the simulator knows, advanced by explicit `step(dtS)`
 * calls at a fixed internal rate (default 400 Hz) — headless runs step as fast
 * as the CPU allows; a real-time runner (sim/realtime.ts) calls the same
 * `step` from a wall clock. Deterministic: the same scene, seed and sequence
 * of commands and steps give the same states bit for bit.
 *
 * Public API used by the in-process link (sim/sim-vehicle-link.ts), the
 * harness, the renderer/detector and the MAVLink SITL endpoint (sim/sitl/):
 *   world.timeS, world.step(dtS), world.telemetry(),
 *   world.autopilot (arm/takeoff/land/hold/returnHome/startOffboard/stopOffboard/setpoint),
 *   world.commandGimbal(cmd), world.commandLens(cmd),
 *   world.cameraPose(), world.intrinsics(), world.subjects, world.objects,
 *   world.onStep(listener).
 */
import type { LoadedScene } from './scene-loader.ts';
import type { Rig } from '../hardware-profiles/schema.ts';
import type { Geofence } from '../core/shot-controller.ts';
import type { GimbalCommand, LensCommand, VehicleTelemetry } from '../core/vehicle-link.ts';
import { type CameraPose, cameraPoseFromVehicle } from '../core/frames.ts';
import type { Intrinsics } from '../mpc/camera.ts';
import { type Vec3, vec3, clone } from '../core/vec3.ts';
import { clamp, degToRad } from '../core/units.ts';
import { Multirotor } from './multirotor.ts';
import { Gimbal } from './gimbal.ts';
import { LensMotors } from './lens.ts';
import { NO_WIND, Wind } from './wind.ts';
import { Autopilot } from './autopilot.ts';
import { createSubjects, personPointNed, type SimSubject } from './subjects.ts';
import type { ShapeSpec } from './scene-schema.ts';
import { CinePilotError } from '../core/errors.ts';

export const DEFAULT_PHYSICS_RATE_HZ = 400;
export const MIN_PHYSICS_RATE_HZ = 200;
/** Earth radius for the flat-earth home → lat/lon conversion, m. */
const EARTH_RADIUS_M = 6_378_137;

export interface SimWorldOptions {
  /** seed for every random process (wind, walkers); default 1 */
  seed?: number;
  /** internal fixed step rate, Hz (≥ 200; default 400) */
  physicsRateHz?: number;
}

/** A static scene object with its position resolved. */
export interface SimObject {
  name: string;
  role: 'background' | 'obstacle' | 'prop';
  shape: ShapeSpec;
  /** centre of the base, NED (z = 0) */
  positionNedM: Vec3;
  yawRad: number;
  colour: string;
}

export type StepListener = (world: SimWorld) => void;

export class SimWorld {
  readonly scene: LoadedScene;
  readonly rig: Rig;
  readonly seed: number;
  readonly physicsRateHz: number;
  readonly stepS: number;
  readonly vehicle: Multirotor;
  readonly gimbal: Gimbal;
  readonly lens: LensMotors;
  readonly wind: Wind;
  readonly autopilot: Autopilot;
  readonly subjects: SimSubject[];
  readonly objects: SimObject[];
  readonly geofence: Geofence;
  private steps = 0;
  private pendingS = 0;
  private readonly listeners = new Set<StepListener>();
  private readonly byName: Map<string, SimSubject>;

  constructor(scene: LoadedScene, options: SimWorldOptions = {}) {
    const rate = options.physicsRateHz ?? DEFAULT_PHYSICS_RATE_HZ;
    if (!(rate >= MIN_PHYSICS_RATE_HZ) || !Number.isFinite(rate)) {
      throw new CinePilotError('SIM_BAD_OPTION', `physicsRateHz ${rate}: must be a finite number ≥ ${MIN_PHYSICS_RATE_HZ} Hz`);
    }
    this.scene = scene;
    this.rig = scene.rig;
    this.seed = options.seed ?? 1;
    this.physicsRateHz = rate;
    this.stepS = 1 / rate;
    const spec = scene.spec;
    this.geofence = { polygonNeM: spec.geofence.polygonNeM.map(([n, e]) => [n, e] as [number, number]), minAltitudeM: spec.geofence.minAltitudeM, maxAltitudeM: spec.geofence.maxAltitudeM };
    this.subjects = createSubjects(spec.subjects, this.seed);
    this.byName = new Map(this.subjects.map((s) => [s.name, s]));
    this.objects = (spec.objects ?? []).map((o) => {
      let n = 0, e = 0;
      if (o.positionNeM) [n, e] = o.positionNeM;
      else {
        const ref = this.byName.get(o.relativeTo!.subject)!.state.positionNedM, b = degToRad(o.relativeTo!.bearingDeg);
        n = ref.x + o.relativeTo!.distanceM * Math.cos(b);
        e = ref.y + o.relativeTo!.distanceM * Math.sin(b);
      }
      return { name: o.name, role: o.role, shape: o.shape, positionNedM: vec3(n, e, 0), yawRad: degToRad(o.yawDeg ?? 0), colour: o.colour ?? '#8c8c8c' };
    });

    // start pose: aimed at lookAt's torso unless angles are given
    const d = spec.drone;
    const start = vec3(d.positionNeM[0], d.positionNeM[1], -d.altitudeM);
    const look = d.lookAt ? this.byName.get(d.lookAt)! : null;
    const mount = this.rig.gimbal.mountOffsetM;
    let yawRad = degToRad(d.yawDeg ?? 0), pitchRad = degToRad(d.gimbalPitchDeg ?? 0), focusM = d.lens?.focusDistanceM;
    if (look) {
      const torso = personPointNed(look.state.positionNedM, look.heightM, 'torso');
      if (d.yawDeg === undefined) yawRad = Math.atan2(torso.y - start.y, torso.x - start.x);
      const cam = cameraPoseFromVehicle(start, yawRad, { pitchRad: 0, yawRad: 0, rollRad: 0 }, mount).positionNedM;
      const horiz = Math.hypot(torso.x - cam.x, torso.y - cam.y);
      if (d.gimbalPitchDeg === undefined) pitchRad = Math.atan2(-(torso.z - cam.z), horiz);
      focusM ??= Math.hypot(horiz, torso.z - cam.z);
    }
    const lens = this.rig.lens;
    this.vehicle = new Multirotor(this.rig.airframe, { positionNedM: start, yawRad });
    this.gimbal = new Gimbal(this.rig.gimbal, { pitchRad, yawRad: 0, rollRad: 0 });
    this.lens = new LensMotors(lens, {
      focalLengthMm: clamp(d.lens?.focalLengthMm ?? lens.focalLengthMm.min, lens.focalLengthMm.min, lens.focalLengthMm.max),
      fNumber: clamp(d.lens?.fNumber ?? Math.max(lens.fNumber.min, 4), lens.fNumber.min, lens.fNumber.max),
      focusDistanceM: focusM ?? 10,
    });
    this.gimbal.command({ pitchRad, yawRad: 0 });
    const w = spec.wind;
    this.wind = new Wind(w ? { speedMps: w.speedMps, fromDeg: w.fromDeg, gustSigmaMps: w.gustSigmaMps ?? 0, gustTimeConstantS: w.gustTimeConstantS ?? 2 } : NO_WIND, this.seed);
    this.autopilot = new Autopilot(this.vehicle.state, d.altitudeM > 0);
  }

  /** Simulated time, s (a whole number of internal steps). */
  get timeS(): number {
    return this.steps * this.stepS;
  }

  /** Advance by dtS: as many whole internal steps as fit, carrying the remainder to the next call. */
  step(dtS: number): number {
    if (!(dtS >= 0) || !Number.isFinite(dtS)) throw new CinePilotError('SIM_BAD_STEP', `step(${dtS}): dtS must be a finite number ≥ 0`);
    this.pendingS += dtS;
    let n = 0;
    while (this.pendingS >= this.stepS * (1 - 1e-9)) {
      this.pendingS -= this.stepS;
      this.stepOnce();
      n++;
      if (this.listeners.size) for (const l of this.listeners) l(this);
    }
    return n;
  }

  private stepOnce(): void {
    const dt = this.stepS;
    const tNext = (this.steps + 1) * dt;
    const cmd = this.autopilot.command(this.timeS);
    this.wind.step(dt);
    this.vehicle.step(dt, cmd, this.wind.velocityNedMps, this.autopilot.armed);
    this.gimbal.step(dt);
    this.lens.step(dt, tNext);
    for (const s of this.subjects) s.step(dt, tNext);
    this.steps++;
  }

  /** Called after every internal step (telemetry streaming at its own rate, real-time views). */
  onStep(listener: StepListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  commandGimbal(cmd: GimbalCommand): void {
    this.gimbal.command(cmd);
  }

  commandLens(cmd: LensCommand): void {
    this.lens.command(cmd, this.timeS);
  }

  subject(name: string): SimSubject | undefined {
    return this.byName.get(name);
  }

  cameraPose(): CameraPose {
    const v = this.vehicle.state;
    return cameraPoseFromVehicle(v.positionNedM, v.yawRad, this.gimbal.angles, this.rig.gimbal.mountOffsetM);
  }

  intrinsics(): Intrinsics {
    return { focalLengthMm: this.lens.state.focalLengthMm, sensorWidthMm: this.rig.camera.sensorWidthMm, sensorHeightMm: this.rig.camera.sensorHeightMm };
  }

  /** A fresh telemetry sample of the current state (objects are copies). */
  telemetry(vehicleId = 1): VehicleTelemetry {
    const v = this.vehicle.state, g = this.gimbal.angles, home = this.scene.spec.home;
    const t: VehicleTelemetry = {
      timestampS: this.timeS,
      vehicleId,
      positionNedM: clone(v.positionNedM),
      velocityNedMps: clone(v.velocityNedMps),
      rollRad: v.rollRad,
      pitchRad: v.pitchRad,
      yawRad: v.yawRad,
      yawRateRadps: v.yawRateRadps,
      gimbal: { pitchRad: g.pitchRad, yawRad: g.yawRad, rollRad: g.rollRad },
      lens: { ...this.lens.state },
      armed: this.autopilot.armed,
      inAir: !v.onGround,
      mode: this.autopilot.mode,
      batteryFraction: this.batteryFraction(),
      batteryVoltageV: null,
    };
    if (home) {
      const latRad = degToRad(home.latDeg);
      t.global = {
        latDeg: home.latDeg + (v.positionNedM.x / EARTH_RADIUS_M) * (180 / Math.PI),
        lonDeg: home.lonDeg + (v.positionNedM.y / (EARTH_RADIUS_M * Math.cos(latRad))) * (180 / Math.PI),
        altAmslM: home.altAmslM - v.positionNedM.z,
      };
    }
    return t;
  }

  /** Linear discharge over the airframe's flight time (a simple model; real packs sag). */
  private batteryFraction(): number {
    return clamp(1 - this.timeS / (this.rig.airframe.flightTimeMin * 60), 0, 1);
  }
}
