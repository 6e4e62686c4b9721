/**
 * An in-repo stand-in for `mavsdk_server`: the same gRPC services (the
 * subset in controller/links/mavsdk/protos) served over a real socket, in
 * front of an in-process vehicle (the SimVehicleLink). It lets the MAVSDK
 * link be tested end to end where no mavsdk_server binary exists, and behaves
 * like mavsdk_server where that matters to a client: Offboard.Start refuses
 * until a setpoint has been set, and the last setpoint is re-sent at 20 Hz.
 */
import * as grpc from '@grpc/grpc-js';
import { degToRad, radToDeg, wrapAngleRad } from '../../core/units.ts';
import type { CommandResult, FlightMode, Setpoint, VehicleLink, VehicleTelemetry } from '../../core/vehicle-link.ts';
import { mavsdkDefinitions } from '../../controller/links/mavsdk/protos.ts';
import { type LensRanges, focalLengthFromZoomLevel, focusDistanceFromLevel } from '../../controller/links/mavlink/lens-levels.ts';
import { APERTURE_PARAM_ID } from '../../controller/links/mavlink/protocol.ts';

/** mavsdk_server re-sends the offboard setpoint at this rate, Hz. */
export const SETPOINT_RESEND_HZ = 20;
/** Takeoff altitude until SetTakeoffAltitude is called, m (MAVSDK's default). */
export const DEFAULT_MAVSDK_TAKEOFF_ALTITUDE_M = 2.5;

const FLIGHT_MODES: Record<FlightMode, string> = {
  unknown: 'FLIGHT_MODE_UNKNOWN',
  manual: 'FLIGHT_MODE_MANUAL',
  hold: 'FLIGHT_MODE_HOLD',
  offboard: 'FLIGHT_MODE_OFFBOARD',
  takeoff: 'FLIGHT_MODE_TAKEOFF',
  land: 'FLIGHT_MODE_LAND',
  return: 'FLIGHT_MODE_RETURN_TO_LAUNCH',
  mission: 'FLIGHT_MODE_MISSION',
  position: 'FLIGHT_MODE_POSCTL',
  altitude: 'FLIGHT_MODE_ALTCTL',
};

type Unary = grpc.handleUnaryCall<Record<string, any>, Record<string, unknown>>;
type Stream = grpc.handleServerStreamingCall<Record<string, any>, Record<string, unknown>>;

const result = (field: string, name: string, text = '') => ({ [field]: { result: name, resultStr: text || name } });

function actionReply(r: CommandResult): Record<string, unknown> {
  if (r.ok) return result('actionResult', 'RESULT_SUCCESS', 'Success');
  return result('actionResult', r.code === 'NOT_CONNECTED' ? 'RESULT_NO_SYSTEM' : 'RESULT_COMMAND_DENIED', r.message);
}

export interface MavsdkServerHandle {
  grpcAddress: string;
  url: string;
  port: number;
  /** telemetry messages streamed so far */
  streamed(): number;
  close(): Promise<void>;
}

/** Serve the MAVSDK services for `vehicle` on host:port (port 0 = ephemeral). */
export async function serveMavsdk(vehicle: VehicleLink, lens: LensRanges, host = '127.0.0.1', port = 0): Promise<MavsdkServerHandle> {
  const defs = mavsdkDefinitions();
  const server = new grpc.Server();
  const streams = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  // Telemetry: every stream is fed from the vehicle's telemetry callback.
  type Feed = (t: VehicleTelemetry) => Record<string, unknown>;
  const feeds = new Map<grpc.ServerWritableStream<unknown, unknown>, Feed>();
  const settingsStreams = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  let streamed = 0;
  let takeoffAltitudeM = DEFAULT_MAVSDK_TAKEOFF_ALTITUDE_M;
  let lastSetpoint: Setpoint | null = null;

  const resend = setInterval(() => {
    if (lastSetpoint) vehicle.sendSetpoint(lastSetpoint);
  }, 1000 / SETPOINT_RESEND_HZ);
  resend.unref();

  const act = (fn: () => Promise<CommandResult>): Unary => (_call, cb) => {
    fn().then((r) => cb(null, actionReply(r)), (e: Error) => cb({ code: grpc.status.INTERNAL, details: e.message } as grpc.ServiceError));
  };

  server.addService(defs.services.action, {
    arm: act(() => vehicle.arm()),
    disarm: act(() => vehicle.disarm()),
    takeoff: act(() => vehicle.takeoff(takeoffAltitudeM)),
    land: act(() => vehicle.land()),
    returnToLaunch: act(() => vehicle.returnHome()),
    hold: act(() => vehicle.hold()),
    setTakeoffAltitude: ((call, cb) => {
      const alt = Number(call.request.altitude);
      if (!(alt > 0)) return cb(null, result('actionResult', 'RESULT_INVALID_ARGUMENT', 'takeoff altitude must be > 0 m'));
      takeoffAltitudeM = alt;
      cb(null, result('actionResult', 'RESULT_SUCCESS'));
    }) as Unary,
  });

  const setpoint = (toSetpoint: (req: Record<string, any>) => Setpoint | null): Unary => (call, cb) => {
    const sp = toSetpoint(call.request);
    if (!sp) return cb(null, result('offboardResult', 'RESULT_COMMAND_DENIED', 'setpoint has non-finite values'));
    lastSetpoint = sp;
    vehicle.sendSetpoint(sp);
    cb(null, result('offboardResult', 'RESULT_SUCCESS'));
  };
  const vec = (o: Record<string, number> | undefined, keys: [string, string, string]) =>
    o && keys.every((k) => Number.isFinite(o[k])) ? { x: o[keys[0]]!, y: o[keys[1]]!, z: o[keys[2]]! } : null;
  const POS: [string, string, string] = ['northM', 'eastM', 'downM'];
  const VEL: [string, string, string] = ['northMS', 'eastMS', 'downMS'];
  const ACC: [string, string, string] = ['northMS2', 'eastMS2', 'downMS2'];
  const yaw = (o: Record<string, number> | undefined) => (o && Number.isFinite(o.yawDeg) ? degToRad(o.yawDeg!) : undefined);

  server.addService(defs.services.offboard, {
    start: ((_call, cb) => {
      if (!lastSetpoint) return cb(null, result('offboardResult', 'RESULT_NO_SETPOINT_SET', 'set a setpoint before starting offboard'));
      vehicle.startOffboard().then((r) => cb(null, result('offboardResult', r.ok ? 'RESULT_SUCCESS' : 'RESULT_COMMAND_DENIED', r.ok ? '' : r.message)));
    }) as Unary,
    stop: ((_call, cb) => {
      lastSetpoint = null;
      vehicle.stopOffboard().then((r) => cb(null, result('offboardResult', r.ok ? 'RESULT_SUCCESS' : 'RESULT_COMMAND_DENIED', r.ok ? '' : r.message)));
    }) as Unary,
    setPositionNed: setpoint((q) => {
      const p = vec(q.positionNedYaw, POS);
      return p ? { timestampS: 0, positionNedM: p, yawRad: yaw(q.positionNedYaw) } : null;
    }),
    setVelocityNed: setpoint((q) => {
      const v = vec(q.velocityNedYaw, VEL);
      return v ? { timestampS: 0, velocityNedMps: v, yawRad: yaw(q.velocityNedYaw) } : null;
    }),
    setPositionVelocityNed: setpoint((q) => {
      const p = vec(q.positionNedYaw, POS), v = vec(q.velocityNedYaw, VEL);
      return p && v ? { timestampS: 0, positionNedM: p, velocityNedMps: v, yawRad: yaw(q.positionNedYaw) } : null;
    }),
    setAccelerationNed: setpoint((q) => {
      const a = vec(q.accelerationNed, ACC);
      return a ? { timestampS: 0, accelerationNedMps2: a } : null;
    }),
  });

  let yawLock = false;
  server.addService(defs.services.gimbal, {
    takeControl: ((_call, cb) => cb(null, result('gimbalResult', 'RESULT_SUCCESS'))) as Unary,
    releaseControl: ((_call, cb) => cb(null, result('gimbalResult', 'RESULT_SUCCESS'))) as Unary,
    setMode: ((call, cb) => {
      yawLock = call.request.gimbalMode === 'GIMBAL_MODE_YAW_LOCK';
      cb(null, result('gimbalResult', 'RESULT_SUCCESS'));
    }) as Unary,
    setPitchAndYaw: ((call, cb) => {
      const pitch = Number(call.request.pitchDeg), yawDeg = Number(call.request.yawDeg);
      if (!Number.isFinite(pitch) || !Number.isFinite(yawDeg)) return cb(null, result('gimbalResult', 'RESULT_ERROR', 'non-finite angle'));
      const heading = vehicle.latestTelemetry()?.yawRad ?? 0;
      const yawRad = yawLock ? wrapAngleRad(degToRad(yawDeg) - heading) : degToRad(yawDeg);
      vehicle.setGimbal({ pitchRad: degToRad(pitch), yawRad });
      cb(null, result('gimbalResult', 'RESULT_SUCCESS'));
    }) as Unary,
  });

  const percent = (v: unknown): number | null => {
    const n = Number(v);
    return Number.isFinite(n) && n >= 0 && n <= 100 ? n : null;
  };
  server.addService(defs.services.camera, {
    zoomRange: ((call, cb) => {
      const p = percent(call.request.range);
      if (p === null) return cb(null, result('cameraResult', 'RESULT_WRONG_ARGUMENT', 'range must be 0…100'));
      vehicle.setLens({ focalLengthMm: focalLengthFromZoomLevel(p, lens) });
      cb(null, result('cameraResult', 'RESULT_SUCCESS'));
    }) as Unary,
    focusRange: ((call, cb) => {
      const p = percent(call.request.range);
      if (p === null) return cb(null, result('cameraResult', 'RESULT_WRONG_ARGUMENT', 'range must be 0…100'));
      vehicle.setLens({ focusDistanceM: focusDistanceFromLevel(p, lens) });
      cb(null, result('cameraResult', 'RESULT_SUCCESS'));
    }) as Unary,
    setSetting: ((call, cb) => {
      const s = call.request.setting as { settingId?: string; option?: { optionId?: string } } | undefined;
      const f = Number(s?.option?.optionId);
      if (s?.settingId !== APERTURE_PARAM_ID) return cb(null, result('cameraResult', 'RESULT_WRONG_ARGUMENT', `unknown setting ${s?.settingId}`));
      if (!(f >= lens.fNumber.min && f <= lens.fNumber.max)) return cb(null, result('cameraResult', 'RESULT_WRONG_ARGUMENT', `f-number ${f} outside ${lens.fNumber.min}…${lens.fNumber.max}`));
      vehicle.setLens({ fNumber: f });
      cb(null, result('cameraResult', 'RESULT_SUCCESS'));
    }) as Unary,
    subscribeCurrentSettings: ((call) => {
      streams.add(call);
      settingsStreams.add(call);
      call.on('cancelled', () => {
        streams.delete(call);
        settingsStreams.delete(call);
      });
    }) as Stream,
  });

  const stream = (feed: Feed): Stream => (call) => {
    streams.add(call);
    feeds.set(call, feed);
    call.on('cancelled', () => {
      streams.delete(call);
      feeds.delete(call);
    });
  };
  const euler = (rollRad: number, pitchRad: number, yawRad: number) => ({ rollDeg: radToDeg(rollRad), pitchDeg: radToDeg(pitchRad), yawDeg: radToDeg(yawRad), timestampUs: 0 });
  server.addService(defs.services.telemetry, {
    subscribePositionVelocityNed: stream((t) => ({
      positionVelocityNed: {
        position: { northM: t.positionNedM.x, eastM: t.positionNedM.y, downM: t.positionNedM.z },
        velocity: { northMS: t.velocityNedMps.x, eastMS: t.velocityNedMps.y, downMS: t.velocityNedMps.z },
      },
    })),
    subscribeAttitudeEuler: stream((t) => ({ attitudeEuler: euler(t.rollRad, t.pitchRad, t.yawRad) })),
    subscribeAttitudeAngularVelocityBody: stream((t) => ({ attitudeAngularVelocityBody: { rollRadS: 0, pitchRadS: 0, yawRadS: t.yawRateRadps } })),
    subscribeCameraAttitudeEuler: stream((t) => ({ attitudeEuler: euler(t.gimbal.rollRad, t.gimbal.pitchRad, wrapAngleRad(t.yawRad + t.gimbal.yawRad)) })),
    subscribePosition: stream((t) => ({
      position: t.global
        ? { latitudeDeg: t.global.latDeg, longitudeDeg: t.global.lonDeg, absoluteAltitudeM: t.global.altAmslM, relativeAltitudeM: -t.positionNedM.z }
        : { latitudeDeg: NaN, longitudeDeg: NaN, absoluteAltitudeM: NaN, relativeAltitudeM: -t.positionNedM.z },
    })),
    subscribeArmed: stream((t) => ({ isArmed: t.armed })),
    subscribeInAir: stream((t) => ({ isInAir: t.inAir })),
    subscribeFlightMode: stream((t) => ({ flightMode: FLIGHT_MODES[t.mode] })),
    subscribeBattery: stream((t) => ({ battery: { id: 0, temperatureDegc: NaN, voltageV: t.batteryVoltageV ?? NaN, currentBatteryA: NaN, capacityConsumedAh: NaN, remainingPercent: t.batteryFraction === null ? NaN : t.batteryFraction * 100 } })),
  });

  const unsubscribe = vehicle.onTelemetry((t) => {
    for (const [call, feed] of feeds) {
      call.write(feed(t));
      streamed++;
    }
    for (const call of settingsStreams) {
      call.write({ currentSettings: [{ settingId: APERTURE_PARAM_ID, settingDescription: 'Aperture', option: { optionId: String(t.lens.fNumber), optionDescription: `f/${t.lens.fNumber.toFixed(1)}` }, isRange: true }] });
      streamed++;
    }
  });

  const boundPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const grpcAddress = `${host}:${boundPort}`;
  return {
    grpcAddress,
    url: `mavsdk://${grpcAddress}`,
    port: boundPort,
    streamed: () => streamed,
    async close() {
      clearInterval(resend);
      unsubscribe();
      for (const s of streams) s.end();
      streams.clear();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}
