/**
 * Hardware profile schemas (TypeBox → JSON Schema). A rig is airframe +
 * gimbal + camera + lens + link, each its own JSON file referenced from the
 * rig file by a path relative to it. Figures are the makers' published specs
 * where known; each profile lists its `sources`.
 */
import { Type, type Static } from '@sinclair/typebox';

const Common = {
  name: Type.String({ minLength: 1 }),
  manufacturer: Type.Optional(Type.String()),
  notes: Type.Optional(Type.String()),
  /** where the figures come from (datasheet titles / URLs) */
  sources: Type.Optional(Type.Array(Type.String())),
};

const Range = (unit: string, min = 0) =>
  Type.Object(
    { min: Type.Number({ minimum: min, description: `lower limit, ${unit}` }), max: Type.Number({ minimum: min, description: `upper limit, ${unit}` }) },
    { additionalProperties: false },
  );

export const AirframeSchema = Type.Object(
  {
    type: Type.Literal('airframe'),
    ...Common,
    massKg: Type.Number({ exclusiveMinimum: 0 }),
    maxHorizontalSpeedMps: Type.Number({ exclusiveMinimum: 0 }),
    maxAscentSpeedMps: Type.Number({ exclusiveMinimum: 0 }),
    maxDescentSpeedMps: Type.Number({ exclusiveMinimum: 0 }),
    maxHorizontalAccelMps2: Type.Number({ exclusiveMinimum: 0 }),
    maxVerticalAccelMps2: Type.Number({ exclusiveMinimum: 0 }),
    maxTiltDeg: Type.Number({ exclusiveMinimum: 0, maximum: 89 }),
    maxYawRateDegps: Type.Number({ exclusiveMinimum: 0 }),
    flightTimeMin: Type.Number({ exclusiveMinimum: 0 }),
    /** first-order time constant of the velocity loop, s (PX4 MPC tuning class) */
    velocityTimeConstantS: Type.Number({ exclusiveMinimum: 0 }),
    /** linear drag, 1/s (acceleration = −k·v_air) */
    linearDragPerS: Type.Number({ minimum: 0 }),
    /** radius of the airframe incl. props, m */
    radiusM: Type.Number({ exclusiveMinimum: 0 }),
  },
  { additionalProperties: false },
);

const GimbalAxis = Type.Object(
  {
    minDeg: Type.Number({ minimum: -360, maximum: 360 }),
    maxDeg: Type.Number({ minimum: -360, maximum: 360 }),
    maxRateDegps: Type.Number({ exclusiveMinimum: 0 }),
  },
  { additionalProperties: false },
);

export const GimbalSchema = Type.Object(
  {
    type: Type.Literal('gimbal'),
    ...Common,
    axes: Type.Object({ pitch: GimbalAxis, yaw: GimbalAxis, roll: GimbalAxis }, { additionalProperties: false }),
    /** first-order lag of the stabilised axes, s */
    lagS: Type.Number({ minimum: 0 }),
    /** camera offset from the vehicle origin, yaw-only body frame (FRD), m */
    mountOffsetM: Type.Object({ x: Type.Number(), y: Type.Number(), z: Type.Number() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export const CameraSchema = Type.Object(
  {
    type: Type.Literal('camera'),
    ...Common,
    sensorWidthMm: Type.Number({ exclusiveMinimum: 0 }),
    sensorHeightMm: Type.Number({ exclusiveMinimum: 0 }),
    imageWidthPx: Type.Integer({ minimum: 1 }),
    imageHeightPx: Type.Integer({ minimum: 1 }),
    /** circle of confusion used for depth of field, mm */
    cocMm: Type.Number({ exclusiveMinimum: 0 }),
    fps: Type.Number({ exclusiveMinimum: 0 }),
  },
  { additionalProperties: false },
);

const LensMotor = (speedUnit: string) =>
  Type.Object(
    {
      maxSpeed: Type.Number({ exclusiveMinimum: 0, description: speedUnit }),
      /** command-to-motion latency, s */
      latencyS: Type.Number({ minimum: 0 }),
    },
    { additionalProperties: false },
  );

export const LensSchema = Type.Object(
  {
    type: Type.Literal('lens'),
    ...Common,
    focalLengthMm: Range('mm'),
    fNumber: Range('f-number', 0.7),
    /** minimum object distance; max null = focuses to infinity */
    focusDistanceM: Type.Object(
      { min: Type.Number({ exclusiveMinimum: 0 }), max: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()]) },
      { additionalProperties: false },
    ),
    motors: Type.Object(
      {
        zoom: LensMotor('mm/s'),
        /** focus speed in dioptres per second (1/m per s) */
        focus: LensMotor('dioptre/s'),
        /** iris speed in stops per second */
        iris: LensMotor('stop/s'),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const LinkSchema = Type.Object(
  {
    type: Type.Literal('link'),
    ...Common,
    kind: Type.Union([Type.Literal('sim'), Type.Literal('mavlink'), Type.Literal('mavsdk')]),
    /** e.g. mavlink:udp://:14540, mavlink:tcp://127.0.0.1:5760, mavlink:serial:///dev/ttyACM0:921600 */
    url: Type.Optional(Type.String()),
    autopilot: Type.Optional(Type.Union([Type.Literal('px4'), Type.Literal('ardupilot')])),
    systemId: Type.Optional(Type.Integer({ minimum: 1, maximum: 255 })),
    componentId: Type.Optional(Type.Integer({ minimum: 1, maximum: 255 })),
    targetSystemId: Type.Optional(Type.Integer({ minimum: 1, maximum: 255 })),
    /** MAVSDK server gRPC address, host:port */
    grpcAddress: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const SafetySchema = Type.Object(
  {
    /** minimum distance the drone keeps from any person, m */
    keepOutRadiusM: Type.Number({ exclusiveMinimum: 0 }),
    /** cap below the airframe's limit, m/s */
    maxSpeedMps: Type.Number({ exclusiveMinimum: 0 }),
    /** link-loss: hold for this long, then act */
    linkLossHoldS: Type.Number({ minimum: 0 }),
    linkLossAction: Type.Union([Type.Literal('return'), Type.Literal('land')]),
    lowBatteryFraction: Type.Number({ minimum: 0, maximum: 1 }),
  },
  { additionalProperties: false },
);

export const RigFileSchema = Type.Object(
  {
    type: Type.Literal('rig'),
    ...Common,
    /** paths relative to this file */
    airframe: Type.String(),
    gimbal: Type.String(),
    camera: Type.String(),
    lens: Type.String(),
    link: Type.String(),
    safety: SafetySchema,
  },
  { additionalProperties: false },
);

export type AirframeProfile = Static<typeof AirframeSchema>;
export type GimbalProfile = Static<typeof GimbalSchema>;
export type CameraProfile = Static<typeof CameraSchema>;
export type LensProfile = Static<typeof LensSchema>;
export type LinkProfile = Static<typeof LinkSchema>;
export type SafetyProfile = Static<typeof SafetySchema>;
export type RigFile = Static<typeof RigFileSchema>;

/** A rig with every referenced profile loaded and validated. */
export interface Rig {
  name: string;
  /** absolute path of the rig file */
  path: string;
  airframe: AirframeProfile;
  gimbal: GimbalProfile;
  camera: CameraProfile;
  lens: LensProfile;
  link: LinkProfile;
  safety: SafetyProfile;
}

export const PROFILE_SCHEMAS = {
  airframe: AirframeSchema,
  gimbal: GimbalSchema,
  camera: CameraSchema,
  lens: LensSchema,
  link: LinkSchema,
  rig: RigFileSchema,
} as const;
export type ProfileType = keyof typeof PROFILE_SCHEMAS;
