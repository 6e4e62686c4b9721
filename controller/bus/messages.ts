/**
 * Bus message schemas (TypeBox, compiled once) and the edge codec. Nothing
 * reaches the runtime from outside the process without passing `decode*`:
 * oversize, non-UTF-8, non-JSON and schema-violating messages are counted by
 * reason and dropped; a dropped request still gets a reply (REQ/REP needs one).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ShotSpecSchema } from '../../core/shot-spec.ts';
import { SAFETY_STATES } from '../safety/states.ts';

/** Largest message accepted at the edge, bytes. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const Who = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\x21-\\x7e]+$' }),
    role: Type.Union([Type.Literal('pilot'), Type.Literal('dp'), Type.Literal('viewer'), Type.Literal('perception')]),
  },
  { additionalProperties: false },
);

const Vec3Schema = Type.Object({ x: Type.Number(), y: Type.Number(), z: Type.Number() }, { additionalProperties: false });

/** core/perception-types.ts SubjectEstimate, as it travels from a perception process. */
export const SubjectEstimateSchema = Type.Object(
  {
    id: Type.Integer(),
    name: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_-]*$', maxLength: 64 })),
    timestampS: Type.Number(),
    positionNedM: Vec3Schema,
    velocityNedMps: Vec3Schema,
    headingRad: Type.Number(),
    heightM: Type.Number({ exclusiveMinimum: 0, maximum: 10 }),
    positionCovM2: Type.Array(Type.Number(), { minItems: 9, maxItems: 9 }),
    groundTruth: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Simple = <T extends string>(type: T) => Type.Object({ type: Type.Literal(type) }, { additionalProperties: false });

export const BusCommandSchema = Type.Union([
  Type.Object({ type: Type.Literal('shot'), spec: ShotSpecSchema, text: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('override'), on: Type.Boolean() }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('takeoff'), altitudeM: Type.Number({ exclusiveMinimum: 0, maximum: 500 }) }, { additionalProperties: false }),
  /** subject estimates from a perception process (role perception); sentTimeS on the sender's monotonic clock */
  Type.Object({ type: Type.Literal('subjects'), sentTimeS: Type.Number(), estimates: Type.Array(SubjectEstimateSchema, { maxItems: 64 }) }, { additionalProperties: false }),
  Simple('hold'), Simple('stop'), Simple('estop'), Simple('rearm'), Simple('resume'),
  Simple('arm'), Simple('disarm'), Simple('land'), Simple('return-home'),
  /** the latest state snapshot in the reply */
  Simple('snapshot'),
  /** presence: a pilot client says it is there (repeat at least every PILOT_LEASE_S) */
  Simple('hello'),
  Simple('bye'),
]);

export const BusRequestSchema = Type.Object(
  {
    /** echoed in the reply */
    id: Type.Optional(Type.String({ maxLength: 64 })),
    who: Who,
    command: BusCommandSchema,
  },
  { additionalProperties: false },
);

export const BusReplySchema = Type.Object({
  id: Type.Optional(Type.String()),
  ok: Type.Boolean(),
  code: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  snapshot: Type.Optional(Type.Unknown()),
});

/** State messages carry the runtime snapshot; the edge checks its spine, the rest is open. */
export const BusStateSchema = Type.Object({
  timeS: Type.Number(),
  tick: Type.Integer({ minimum: 0 }),
  safety: Type.Object({ state: Type.Union(SAFETY_STATES.map((s) => Type.Literal(s))) }),
  shot: Type.Object({ phase: Type.String() }),
  link: Type.Object({ connected: Type.Boolean() }),
});

export const BusEventSchema = Type.Object({
  kind: Type.Union([Type.Literal('safety'), Type.Literal('command'), Type.Literal('link-effect')]),
});

export type BusCommand = Static<typeof BusCommandSchema>;
export type BusRequest = Static<typeof BusRequestSchema>;
export type BusReply = Static<typeof BusReplySchema>;
export type BusTopic = 'state' | 'event';

export type DropReason = 'too-large' | 'not-utf8' | 'not-json' | 'schema' | 'frames';

export interface BusStats {
  received: number;
  accepted: number;
  dropped: number;
  droppedByReason: Record<DropReason, number>;
  published: number;
  replies: number;
  handlerErrors: number;
}

export function emptyBusStats(): BusStats {
  return {
    received: 0, accepted: 0, dropped: 0,
    droppedByReason: { 'too-large': 0, 'not-utf8': 0, 'not-json': 0, schema: 0, frames: 0 },
    published: 0, replies: 0, handlerErrors: 0,
  };
}

const checks = new Map<TSchema, TypeCheck<TSchema>>();
function compiled<T extends TSchema>(schema: T): TypeCheck<T> {
  let c = checks.get(schema);
  if (!c) {
    c = TypeCompiler.Compile(schema);
    checks.set(schema, c);
  }
  return c as TypeCheck<T>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: DropReason; message: string };

/** Bytes (or an already-parsed value, in process) → validated message, or why not. */
export function decodeMessage<T extends TSchema>(schema: T, input: Uint8Array | unknown, stats: BusStats): Decoded<Static<T>> {
  stats.received++;
  let value: unknown = input;
  if (input instanceof Uint8Array) {
    if (input.byteLength > MAX_MESSAGE_BYTES) return drop(stats, 'too-large', `message of ${input.byteLength} bytes exceeds ${MAX_MESSAGE_BYTES}`);
    let text: string;
    try {
      text = utf8.decode(input);
    } catch {
      return drop(stats, 'not-utf8', 'message is not UTF-8 text');
    }
    try {
      value = JSON.parse(text);
    } catch {
      return drop(stats, 'not-json', 'message is not JSON');
    }
  }
  const check = compiled(schema);
  if (!check.Check(value)) {
    const first = check.Errors(value).First();
    return drop(stats, 'schema', first ? `${first.path || '/'}: ${first.message}` : 'does not match the schema');
  }
  stats.accepted++;
  return { ok: true, value: value as Static<T> };
}

/** Count a message dropped at the edge (also for drops decided by a transport, e.g. wrong frame count). */
export function countDrop(stats: BusStats, reason: DropReason, received = false): void {
  if (received) stats.received++;
  stats.dropped++;
  stats.droppedByReason[reason]++;
}

function drop(stats: BusStats, reason: DropReason, message: string): { ok: false; reason: DropReason; message: string } {
  countDrop(stats, reason);
  return { ok: false, reason, message };
}

export function encodeMessage(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
