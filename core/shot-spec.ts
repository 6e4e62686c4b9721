/**
 * ShotSpec: the contract between the DP's words and the shot executor
 * (DESIGN.md §9). Field names and values of the minimum contract are fixed;
 * fields beyond it are optional additions. The TypeBox schema is the single
 * source of truth; the TypeScript type is derived from it.
 */
import { Type, type Static } from '@sinclair/typebox';

export const SHOT_KINDS = [
  'track', 'follow', 'lead', 'profile', 'orbit', 'dolly-zoom', 'push-in', 'pull-out',
  'rack-focus', 'reveal', 'crane', 'flyover', 'two-shot', 'establishing', 'hold',
  'stop', 'land', 'return-home',
] as const;
export type ShotKind = (typeof SHOT_KINDS)[number];

/** Kinds the MPC flies as a camera shot (the rest are vehicle actions). */
export const FLYABLE_SHOT_KINDS = SHOT_KINDS.filter(
  (k) => k !== 'stop' && k !== 'land' && k !== 'return-home',
) as Exclude<ShotKind, 'stop' | 'land' | 'return-home'>[];

export const FRAMINGS = [
  'extreme-wide', 'wide', 'full', 'medium-wide', 'medium', 'medium-close-up', 'close-up', 'extreme-close-up',
] as const;
export type Framing = (typeof FRAMINGS)[number];

export const SIDES = [
  'front', 'behind', 'left', 'right', 'front-left', 'front-right', 'behind-left', 'behind-right',
] as const;
export type Side = (typeof SIDES)[number];

export const ANGLES = ['eye-level', 'high', 'low', 'overhead'] as const;
export type CameraAngle = (typeof ANGLES)[number];

export const DIRECTIONS = ['clockwise', 'counterclockwise', 'up', 'down', 'in', 'out'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const ShotSpecSchema = Type.Object(
  {
    kind: Type.Union(SHOT_KINDS.map((k) => Type.Literal(k))),
    subjects: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_-]*$' }), { maxItems: 8 }),
    framing: Type.Optional(Type.Union(FRAMINGS.map((k) => Type.Literal(k)))),
    side: Type.Optional(Type.Union(SIDES.map((k) => Type.Literal(k)))),
    angle: Type.Optional(Type.Union(ANGLES.map((k) => Type.Literal(k)))),
    distanceM: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
    heightM: Type.Optional(Type.Number({ minimum: 0, maximum: 500 })),
    durationS: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3600 })),
    speedMps: Type.Optional(Type.Number({ minimum: 0, maximum: 40 })),
    direction: Type.Optional(Type.Union(DIRECTIONS.map((k) => Type.Literal(k)))),
    focalLengthMm: Type.Optional(
      Type.Union([
        Type.Number({ exclusiveMinimum: 0, maximum: 2000 }),
        Type.Object(
          {
            fromMm: Type.Number({ exclusiveMinimum: 0, maximum: 2000 }),
            toMm: Type.Number({ exclusiveMinimum: 0, maximum: 2000 }),
          },
          { additionalProperties: false },
        ),
      ]),
    ),
    fNumber: Type.Optional(Type.Number({ minimum: 0.7, maximum: 64 })),
    depthOfField: Type.Optional(Type.Union([Type.Literal('shallow'), Type.Literal('deep')])),
    focusOn: Type.Optional(Type.String()),
    focusFrom: Type.Optional(Type.String()),
    /** Extra: headroom above the head, fraction of frame height (default per framing). */
    headroom: Type.Optional(Type.Number({ minimum: 0, maximum: 0.5 })),
  },
  { additionalProperties: false },
);

export type ShotSpec = Static<typeof ShotSpecSchema>;
