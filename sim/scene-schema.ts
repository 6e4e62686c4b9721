/**
 * Scene files (JSON): who is in the scene and how they move, what stands
 * around, where the drone may fly and where it starts. The TypeBox schema is
 * the single source of truth (docs/simulator.md documents it field by field);
 * sim/scene-loader.ts validates files against it and adds the checks a
 * schema cannot express (unique names, known references, geometry).
 *
 * Coordinates: metres north/east of home (`[north, east]`), the ground is the
 * plane z = 0 of local NED; angles in degrees clockwise from north.
 */
import { Type, type Static } from '@sinclair/typebox';

const NE = Type.Tuple([Type.Number(), Type.Number()], { description: '[north, east] metres from home' });
const Colour = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'CSS hex colour, #rrggbb' });
const Name = Type.String({ pattern: '^[a-z][a-z0-9_-]*$', description: 'lower-case name' });

export const WaypointSchema = Type.Object(
  {
    positionNeM: NE,
    /** speed on the leg toward this waypoint, m/s */
    speedMps: Type.Number({ exclusiveMinimum: 0, maximum: 15 }),
    /** wait here this long, s (the subject stops) */
    pauseS: Type.Optional(Type.Number({ minimum: 0 })),
    /** face this way while paused, degrees */
    headingDeg: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);

const MotionCommon = {
  /** acceleration limit of the subject, m/s² (default 2) */
  accelerationMps2: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 20 })),
  /** lateral acceleration limit when turning, m/s² (default 3); sets the turn radius */
  lateralAccelerationMps2: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 20 })),
};

export const MotionSchema = Type.Union([
  Type.Object(
    { type: Type.Literal('static'), positionNeM: NE, headingDeg: Type.Optional(Type.Number()) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('waypoints'),
      startNeM: NE,
      startHeadingDeg: Type.Optional(Type.Number()),
      /** stand still this long before moving, s */
      startDelayS: Type.Optional(Type.Number({ minimum: 0 })),
      /** after the last waypoint, head back to the first */
      loop: Type.Optional(Type.Boolean()),
      waypoints: Type.Array(WaypointSchema, { minItems: 1 }),
      ...MotionCommon,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('random-walk'),
      centreNeM: NE,
      radiusM: Type.Number({ exclusiveMinimum: 0 }),
      speedMps: Type.Number({ exclusiveMinimum: 0, maximum: 15 }),
      /** pause range at each random target, s [min, max] */
      pauseS: Type.Optional(Type.Tuple([Type.Number({ minimum: 0 }), Type.Number({ minimum: 0 })])),
      ...MotionCommon,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('follow'),
      /** name of the subject this one keeps formation with (groups) */
      leader: Name,
      /** offset in the leader's heading frame, [forward, right] m */
      offsetM: Type.Tuple([Type.Number(), Type.Number()]),
    },
    { additionalProperties: false },
  ),
]);

export const ShapeSchema = Type.Union([
  Type.Object(
    {
      type: Type.Literal('box'),
      /** [length along yaw, width, height] m */
      sizeM: Type.Tuple([Type.Number({ exclusiveMinimum: 0 }), Type.Number({ exclusiveMinimum: 0 }), Type.Number({ exclusiveMinimum: 0 })]),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('cylinder'), radiusM: Type.Number({ exclusiveMinimum: 0 }), heightM: Type.Number({ exclusiveMinimum: 0 }) },
    { additionalProperties: false },
  ),
]);

export const SubjectSchema = Type.Object(
  {
    name: Name,
    /** a person (detected, framed) or a moving prop (occludes, not a person) */
    kind: Type.Union([Type.Literal('person'), Type.Literal('prop')]),
    /** standing height of a person, m (default 1.75) */
    heightM: Type.Optional(Type.Number({ minimum: 0.5, maximum: 2.5 })),
    /** shape of a prop (required for props) */
    shape: Type.Optional(ShapeSchema),
    colour: Type.Optional(Colour),
    motion: MotionSchema,
  },
  { additionalProperties: false },
);

export const SceneObjectSchema = Type.Object(
  {
    name: Name,
    /** background: scenery; obstacle: the drone must keep clear; prop: set dressing */
    role: Type.Union([Type.Literal('background'), Type.Literal('obstacle'), Type.Literal('prop')]),
    shape: ShapeSchema,
    /** where it stands: absolute ... */
    positionNeM: Type.Optional(NE),
    /** ... or relative to a subject's starting point: bearing and distance from it */
    relativeTo: Type.Optional(
      Type.Object(
        { subject: Name, bearingDeg: Type.Number(), distanceM: Type.Number({ minimum: 0 }) },
        { additionalProperties: false },
      ),
    ),
    yawDeg: Type.Optional(Type.Number()),
    colour: Type.Optional(Colour),
  },
  { additionalProperties: false },
);

export const SceneSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    /** rig profile: shipped name or path (relative to the scene file); default x500-fullframe-24-70 */
    rig: Type.Optional(Type.String({ minLength: 1 })),
    /** geodetic home, for global-position telemetry */
    home: Type.Optional(
      Type.Object(
        { latDeg: Type.Number({ minimum: -90, maximum: 90 }), lonDeg: Type.Number({ minimum: -180, maximum: 180 }), altAmslM: Type.Number() },
        { additionalProperties: false },
      ),
    ),
    geofence: Type.Object(
      {
        polygonNeM: Type.Array(NE, { minItems: 3 }),
        minAltitudeM: Type.Number({ minimum: 0 }),
        maxAltitudeM: Type.Number({ exclusiveMinimum: 0 }),
      },
      { additionalProperties: false },
    ),
    wind: Type.Optional(
      Type.Object(
        {
          speedMps: Type.Number({ minimum: 0, maximum: 30 }),
          fromDeg: Type.Number(),
          gustSigmaMps: Type.Optional(Type.Number({ minimum: 0, maximum: 15 })),
          gustTimeConstantS: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    drone: Type.Object(
      {
        positionNeM: NE,
        altitudeM: Type.Number({ minimum: 0 }),
        /** heading, degrees; default: toward lookAt */
        yawDeg: Type.Optional(Type.Number()),
        /** aim yaw, gimbal and focus at this subject's torso at the start */
        lookAt: Type.Optional(Name),
        gimbalPitchDeg: Type.Optional(Type.Number()),
        lens: Type.Optional(
          Type.Object(
            {
              focalLengthMm: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
              fNumber: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
              focusDistanceM: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    subjects: Type.Array(SubjectSchema),
    objects: Type.Optional(Type.Array(SceneObjectSchema)),
  },
  { additionalProperties: false },
);

export type SceneSpec = Static<typeof SceneSchema>;
export type SubjectSpec = Static<typeof SubjectSchema>;
export type SceneObjectSpec = Static<typeof SceneObjectSchema>;
export type MotionSpec = Static<typeof MotionSchema>;
export type ShapeSpec = Static<typeof ShapeSchema>;
export type WaypointSpec = Static<typeof WaypointSchema>;
