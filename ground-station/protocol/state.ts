/**
 * What the ground station streams to every client (server → client). Schema
 * first: the TypeScript types derive from these TypeBox schemas, the tests
 * validate real messages against them, and docs/ground-station.md describes
 * them. Positions are NED metres from home as `[north, east, down]` tuples;
 * the web app converts them to Three.js in exactly one function.
 *
 * Multi-drone: `vehicles` is a list keyed by `id`; everything a vehicle owns
 * (gimbal, lens, plan, shot, safety, link) lives inside its entry.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ShotSpecSchema } from '../../core/shot-spec.ts';

export const PROTOCOL_VERSION = 1;

const Num = Type.Number();
const NullableNum = Type.Union([Type.Number(), Type.Null()]);
export const NedTuple = Type.Tuple([Num, Num, Num], { description: '[north, east, down], m' });
export type NedTuple = Static<typeof NedTuple>;

export const LinkStateSchema = Type.Object({
  kind: Type.String(),
  endpoint: Type.String(),
  connected: Type.Boolean(),
  lastMessageAgeS: Num,
  messagesReceived: Num,
  messagesDropped: Num,
  latencyMs: NullableNum,
});

export const LensStateSchema = Type.Object({
  focalLengthMm: Num,
  focusDistanceM: Num,
  fNumber: Num,
  /** near and far limits of the depth of field; far null = infinity */
  nearLimitM: Num,
  farLimitM: NullableNum,
});

export const CameraInfoSchema = Type.Object({
  sensorWidthMm: Num,
  sensorHeightMm: Num,
  cocMm: Num,
  imageWidthPx: Num,
  imageHeightPx: Num,
});

export const PlanStateSchema = Type.Object({
  timeS: Type.Array(Num),
  positionsNedM: Type.Array(NedTuple),
  focalLengthMm: Type.Array(Num),
  focusDistanceM: Type.Array(Num),
  fNumber: Type.Array(Num),
});

export const ImagePointSchema = Type.Object({ subject: Type.String(), point: Type.String(), u: Num, v: Num });

export const ShotStateSchema = Type.Object({
  spec: Type.Union([ShotSpecSchema, Type.Null()]),
  /** the words the shot came from, when it came from words */
  text: Type.Union([Type.String(), Type.Null()]),
  phase: Type.String(),
  progress: Num,
  elapsedS: Num,
  /** RMS distance (normalised image units) of the shot's image targets from where the subjects are; null without a shot or when nothing is in view */
  compositionError: NullableNum,
  targets: Type.Array(ImagePointSchema),
  measured: Type.Array(ImagePointSchema),
});

export const SafetyStateSchema = Type.Object({
  /** 'nominal' | 'hold' | 'e-stop' | 'override' | 'link-loss' | … (the runtime's words) */
  state: Type.String(),
  eStop: Type.Boolean(),
  override: Type.Boolean(),
  reasons: Type.Array(Type.String()),
});

export const VehicleStateSchema = Type.Object({
  id: Type.String(),
  label: Type.String(),
  timestampS: Num,
  positionNedM: NedTuple,
  velocityNedMps: NedTuple,
  rollRad: Num,
  pitchRad: Num,
  yawRad: Num,
  armed: Type.Boolean(),
  inAir: Type.Boolean(),
  mode: Type.String(),
  batteryFraction: NullableNum,
  gimbal: Type.Object({ pitchRad: Num, yawRad: Num, rollRad: Num }),
  /** camera position (gimbal mount) in NED; the camera's world attitude is yaw+gimbal.yaw, gimbal.pitch, gimbal.roll */
  cameraNedM: NedTuple,
  lens: LensStateSchema,
  camera: CameraInfoSchema,
  /** distance from the camera to each named subject, m */
  subjectDistancesM: Type.Record(Type.String(), Num),
  plan: Type.Union([PlanStateSchema, Type.Null()]),
  shot: ShotStateSchema,
  safety: SafetyStateSchema,
  link: LinkStateSchema,
  controller: Type.Object({
    /** which ShotController flies: 'mpc' | 'baseline' | … */
    kind: Type.String(),
    status: Type.String(),
    solveMs: NullableNum,
    /** setpoints sent since start */
    setpoints: Num,
  }),
});

export const SubjectStateSchema = Type.Object({
  id: Type.Number(),
  name: Type.Union([Type.String(), Type.Null()]),
  /** CSS colour for drawing, #rrggbb */
  colour: Type.String(),
  positionNedM: NedTuple,
  velocityNedMps: NedTuple,
  headingRad: Num,
  heightM: Num,
  /** predicted ground positions over the next seconds, oldest first */
  predictedNedM: Type.Array(NedTuple),
  predictionStepS: Num,
});

export const StateMessageSchema = Type.Object({
  type: Type.Literal('state'),
  seq: Type.Integer({ minimum: 0 }),
  /** monotonic studio time, s */
  timeS: Num,
  wallClockMs: Num,
  vehicles: Type.Array(VehicleStateSchema),
  subjects: Type.Array(SubjectStateSchema),
});

export const PropSchema = Type.Object({
  name: Type.String(),
  /** background: scenery; obstacle: keep clear; prop: set dressing */
  role: Type.String(),
  shape: Type.Union([Type.Literal('box'), Type.Literal('cylinder')]),
  /** centre of the base, NED */
  positionNedM: NedTuple,
  /** box: [north, east, height]; cylinder: [radius, radius, height] */
  sizeM: NedTuple,
  yawRad: Num,
  colour: Type.String(),
});

export const SceneInfoSchema = Type.Object({
  name: Type.String(),
  geofence: Type.Union([
    Type.Object({ polygonNeM: Type.Array(Type.Tuple([Num, Num])), minAltitudeM: Num, maxAltitudeM: Num }),
    Type.Null(),
  ]),
  keepOutRadiusM: Num,
  props: Type.Array(PropSchema),
  subjectNames: Type.Array(Type.String()),
});

export const ShotLibraryEntrySchema = Type.Object({
  kind: Type.String(),
  label: Type.String(),
  /** the words it stands for (editable in the command box) */
  text: Type.String(),
  spec: ShotSpecSchema,
});

export const HelloMessageSchema = Type.Object({
  type: Type.Literal('hello'),
  protocolVersion: Type.Literal(PROTOCOL_VERSION),
  role: Type.String(),
  name: Type.String(),
  /** commands this connection may send */
  commands: Type.Array(Type.String()),
  stateRateHz: Num,
  scene: SceneInfoSchema,
  shotLibrary: Type.Array(ShotLibraryEntrySchema),
  speech: Type.Object({ server: Type.Boolean() }),
  /** live video from the aircraft (MJPEG over HTTP, append ?token=…); null: the camera view shows the render */
  video: Type.Union([Type.Object({ url: Type.String() }), Type.Null()]),
});

export const PreviewResultSchema = Type.Object({
  vehicleId: Type.String(),
  spec: ShotSpecSchema,
  simulatedS: Num,
  computeMs: Num,
  /** camera path over the simulated shot, NED */
  pathNedM: Type.Array(NedTuple),
  subjectPathsNedM: Type.Record(Type.String(), Type.Array(NedTuple)),
  /** the simulator's shot metrics (docs/simulator.md) */
  metrics: Type.Record(Type.String(), Type.Unknown()),
  passed: Type.Boolean(),
  failures: Type.Array(Type.String()),
});

export type LinkState = Static<typeof LinkStateSchema>;
export type LensStateMsg = Static<typeof LensStateSchema>;
export type PlanState = Static<typeof PlanStateSchema>;
export type ShotState = Static<typeof ShotStateSchema>;
export type SafetyState = Static<typeof SafetyStateSchema>;
export type VehicleState = Static<typeof VehicleStateSchema>;
export type SubjectState = Static<typeof SubjectStateSchema>;
export type StateMessage = Static<typeof StateMessageSchema>;
export type SceneInfo = Static<typeof SceneInfoSchema>;
export type PropInfo = Static<typeof PropSchema>;
export type ShotLibraryEntry = Static<typeof ShotLibraryEntrySchema>;
export type HelloMessage = Static<typeof HelloMessageSchema>;
export type PreviewResult = Static<typeof PreviewResultSchema>;
