/**
 * Token extraction and the request decoration every authenticated route uses.
 * The token comes from `Authorization: Bearer …` or, for the page and the
 * WebSocket (browsers cannot set WebSocket headers), from `?token=…`.
 */
import type { FastifyRequest } from 'fastify';
import type { AccessControl, Principal } from './access.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function requestToken(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7).trim() || null;
  const q = (req.query as Record<string, unknown> | undefined)?.token;
  return typeof q === 'string' && q.length > 0 ? q : null;
}

/** preValidation hook: authenticate or throw AUTH_MISSING / AUTH_INVALID (→ 401). */
export function authenticateHook(access: AccessControl) {
  return async (req: FastifyRequest): Promise<void> => {
    req.principal = access.authenticate(requestToken(req));
  };
}
