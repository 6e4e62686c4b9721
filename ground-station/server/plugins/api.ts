/**
 * REST API (encapsulated plugin): read-only routes for any authenticated
 * role and one POST route per command, generated from the command table so
 * each command's schema, role and rate limit are declared once.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { COMMANDS, COMMAND_TYPES, commandsForRole } from '../../protocol/commands.ts';
import { ERROR_CATALOGUE, GroundStationError } from '../../protocol/errors.ts';
import { PROTOCOL_VERSION } from '../../protocol/state.ts';
import type { Studio } from '../../studio-api.ts';
import type { AccessControl } from '../access.ts';
import type { CommandDispatcher } from '../dispatch.ts';
import { authenticateHook, requestToken } from '../http-auth.ts';

export interface ApiOptions {
  studio: Studio;
  access: AccessControl;
  dispatcher: CommandDispatcher;
  /** commands per window per token (e-stop exempt) */
  rateLimitMax: number;
  rateLimitWindowMs: number;
}

export const apiPlugin: FastifyPluginAsync<ApiOptions> = async (app: FastifyInstance, opts) => {
  const { studio, access, dispatcher } = opts;

  app.get('/api/health', async () => ({ ok: true, protocolVersion: PROTOCOL_VERSION }));
  app.get('/api/errors', async () => ({ errors: ERROR_CATALOGUE }));

  // Everything below needs a token.
  await app.register(async (authed) => {
    authed.addHook('preValidation', authenticateHook(access));
    await authed.register(rateLimit, {
      global: false,
      keyGenerator: (req) => requestToken(req) ?? req.ip,
      errorResponseBuilder: (_req, ctx) => new GroundStationError('RATE_LIMITED', `more than ${ctx.max} commands in ${ctx.after}; wait a moment (e-stop is never limited)`),
    });

    authed.get('/api/me', async (req) => ({ role: req.principal!.role, name: req.principal!.name, commands: commandsForRole(req.principal!.role) }));
    authed.get('/api/state', async () => ({ type: 'state', seq: 0, ...studio.state() }));
    authed.get('/api/scene', async () => ({ scene: studio.scene, shotLibrary: studio.shotLibrary }));

    for (const type of COMMAND_TYPES) {
      const def = COMMANDS[type];
      authed.post(`/api/commands/${type}`, {
        config: def.rateLimited ? { rateLimit: { max: opts.rateLimitMax, timeWindow: opts.rateLimitWindowMs } } : {},
        // The dispatcher validates the body against def.params (compiled once),
        // so REST and WebSocket commands share one validation, role check and audit path.
        handler: async (req) => ({ ok: true, command: type, result: await dispatcher.dispatch(type, req.body ?? {}, req.principal!, 'rest') }),
      });
    }
  });
};
