/**
 * One path for every command, whichever way it arrives (REST or WebSocket):
 * look the type up, validate the fields against its compiled schema, check
 * the sender's role, run it on the studio, and audit-log the outcome with
 * the role that issued it — refused commands included.
 */
import { COMMANDS, COMMAND_TYPES, isCommandType, roleAtLeast, type CommandType } from '../protocol/commands.ts';
import { GroundStationError, toErrorBody } from '../protocol/errors.ts';
import type { Studio } from '../studio-api.ts';
import type { Principal } from './access.ts';
import type { AuditEntry, AuditLog } from './audit.ts';
import { compileValidator, describeProblems, type Validator } from './validate.ts';

export interface CommandListener {
  (event: { type: CommandType; params: unknown; who: Principal; ok: boolean; result?: unknown; code?: string; message?: string; heard?: string }): void;
}

export class CommandDispatcher {
  private readonly validators = new Map<CommandType, Validator>();
  private readonly listeners: CommandListener[] = [];

  constructor(private readonly studio: Studio, private readonly audit: AuditLog) {
    for (const t of COMMAND_TYPES) this.validators.set(t, compileValidator(COMMANDS[t].params));
  }

  onCommand(listener: CommandListener): void {
    this.listeners.push(listener);
  }

  /** Throws UNKNOWN_COMMAND / SCHEMA_INVALID / FORBIDDEN_ROLE before anything runs. */
  check(type: string, params: unknown, who: Principal): CommandType {
    if (!isCommandType(type)) {
      throw new GroundStationError('UNKNOWN_COMMAND', `unknown command "${type.slice(0, 40)}"; known: ${COMMAND_TYPES.join(', ')}`);
    }
    const problems = this.validators.get(type)!(params);
    if (problems.length) {
      throw new GroundStationError('SCHEMA_INVALID', `${type}: ${describeProblems(problems)}`, { problems });
    }
    const needed = COMMANDS[type].role;
    if (!roleAtLeast(who.role, needed)) {
      throw new GroundStationError('FORBIDDEN_ROLE', `${type} needs the ${needed} role; you are signed in as ${who.role}`);
    }
    return type;
  }

  /** `heard`: for a command issued by speech (via 'speech'), what was heard; logged and told to listeners. */
  async dispatch(type: string, params: unknown, who: Principal, via: AuditEntry['via'], heard?: string): Promise<unknown> {
    // Fields of unknown commands are not logged: they can be anything a client sends.
    const auditParams = isCommandType(type) ? params : undefined;
    const spoken = heard === undefined ? {} : { heard };
    try {
      const t = this.check(type, params, who);
      const result = await this.studio.execute(t, params as never, who);
      this.audit.record({ role: who.role, who: who.name, via, command: t, params, ok: true, ...spoken });
      for (const l of this.listeners) l({ type: t, params, who, ok: true, result, ...spoken });
      return result;
    } catch (err) {
      const body = toErrorBody(err, 'COMMAND_FAILED');
      this.audit.record({ role: who.role, who: who.name, via, command: type.slice(0, 40), params: auditParams, ok: false, code: body.code, message: body.message, ...spoken });
      if (isCommandType(type)) for (const l of this.listeners) l({ type, params, who, ok: false, code: body.code, message: body.message, ...spoken });
      throw err instanceof GroundStationError ? err : new GroundStationError(body.code, body.message, body.details);
    }
  }
}
