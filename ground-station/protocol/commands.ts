/**
 * Commands (client → server), one schema each, the same over REST
 * (`POST /api/commands/<type>` with the fields as the JSON body) and over the
 * WebSocket (`{ "type": "<type>", "id": "…", …fields }`). The table says who
 * may send each one; roles are ordered viewer < dp < pilot.
 */
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { ShotSpecSchema } from '../../core/shot-spec.ts';

export const ROLES = ['viewer', 'dp', 'pilot'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

const VehicleId = Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'which vehicle; the first one when omitted' }));
const ShotText = Type.String({ minLength: 1, maxLength: 500 });

/** A shot given as words or as a ShotSpec (exactly one of them). */
const ShotInput = {
  text: Type.Optional(ShotText),
  spec: Type.Optional(ShotSpecSchema),
  vehicleId: VehicleId,
};

const NoFields = { vehicleId: VehicleId };

export interface CommandDefinition<S extends TObject = TObject> {
  params: S;
  role: Role;
  summary: string;
  /** false for commands that must always get through (e-stop) */
  rateLimited: boolean;
}

const def = <S extends TObject>(params: S, role: Role, summary: string, rateLimited = true): CommandDefinition<S> => ({
  params, role, summary, rateLimited,
});
const strict = <P extends Parameters<typeof Type.Object>[0]>(p: P) => Type.Object(p, { additionalProperties: false });

export const COMMANDS = {
  parse: def(strict({ text: ShotText, vehicleId: VehicleId }), 'dp', 'words → ShotSpec, nothing moves'),
  preview: def(strict(ShotInput), 'dp', 'simulate the shot ahead from the current state; returns the predicted path and metrics'),
  go: def(strict(ShotInput), 'dp', 'fly the shot'),
  hold: def(strict(NoFields), 'dp', 'hold position, keep framing what is in view'),
  stop: def(strict(NoFields), 'dp', 'end the shot and hover'),
  'e-stop': def(strict({ vehicleId: VehicleId }), 'dp', 'emergency stop: brake and hover, refuse motion until released (every vehicle when vehicleId is omitted)', false),
  'release-e-stop': def(strict(NoFields), 'pilot', 'release the e-stop; autonomy resumes only with a new go'),
  arm: def(strict(NoFields), 'pilot', 'arm the motors'),
  disarm: def(strict(NoFields), 'pilot', 'disarm (on the ground)'),
  takeoff: def(strict({ altitudeM: Type.Optional(Type.Number({ minimum: 1, maximum: 120 })), vehicleId: VehicleId }), 'pilot', 'take off to altitudeM (default 5 m)'),
  land: def(strict(NoFields), 'pilot', 'land where it is'),
  'return-home': def(strict(NoFields), 'pilot', 'fly home and land'),
  override: def(strict({ active: Type.Boolean(), vehicleId: VehicleId }), 'pilot', 'pilot override on/off: while on, autonomy sends nothing'),
  resume: def(strict(NoFields), 'pilot', 'autonomy back on (the current shot) after stop, override, return or land'),
  'name-subject': def(
    strict({ subjectId: Type.Integer({ minimum: 0 }), name: Type.String({ pattern: '^[a-z][a-z0-9_-]*$', maxLength: 32 }) }),
    'dp', 'name a tracked subject ("that one is alice")',
  ),
} as const;

export type CommandType = keyof typeof COMMANDS;
export const COMMAND_TYPES = Object.keys(COMMANDS) as CommandType[];
export type CommandParams<T extends CommandType> = Static<(typeof COMMANDS)[T]['params']>;

export function isCommandType(t: string): t is CommandType {
  return Object.prototype.hasOwnProperty.call(COMMANDS, t);
}

/** Commands a role may send. */
export function commandsForRole(role: Role): CommandType[] {
  return COMMAND_TYPES.filter((t) => roleAtLeast(role, COMMANDS[t].role));
}

/** The WebSocket envelope: `type` plus an optional client correlation id echoed in the reply. */
export const EnvelopeSchema = Type.Object({
  type: Type.String({ maxLength: 32 }),
  id: Type.Optional(Type.String({ maxLength: 64 })),
});

/** Largest command message accepted (bytes); larger ones get MESSAGE_TOO_LARGE. */
export const MAX_COMMAND_BYTES = 16 * 1024;

export const AckMessageSchema = Type.Object({
  type: Type.Literal('ack'),
  id: Type.Union([Type.String(), Type.Null()]),
  command: Type.String(),
  result: Type.Unknown(),
});

export const ErrorMessageSchema = Type.Object({
  type: Type.Literal('error'),
  id: Type.Union([Type.String(), Type.Null()]),
  command: Type.Union([Type.String(), Type.Null()]),
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
});
