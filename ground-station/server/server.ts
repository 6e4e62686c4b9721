/**
 * The ground-station server: fastify with security headers, the REST API,
 * the WebSocket stream and the web app, each an encapsulated plugin. Built
 * but not listening, so tests drive it with `inject` or on port 0.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import websocket from '@fastify/websocket';
import { MAX_COMMAND_BYTES } from '../protocol/commands.ts';
import { ERROR_CATALOGUE, GroundStationError, toErrorBody } from '../protocol/errors.ts';
import type { Studio } from '../studio-api.ts';
import type { AccessControl } from './access.ts';
import type { AuditLog } from './audit.ts';
import { CommandDispatcher } from './dispatch.ts';
import { apiPlugin } from './plugins/api.ts';
import { speechPlugin } from './plugins/speech.ts';
import { streamPlugin } from './plugins/stream.ts';
import { videoPlugin } from './plugins/video.ts';
import { webPlugin } from './plugins/web.ts';

export const DEFAULT_STATE_RATE_HZ = 25;
/** Commands per token per window (REST and per WebSocket connection); e-stop is exempt. */
export const DEFAULT_RATE_LIMIT_MAX = 20;
export const DEFAULT_RATE_LIMIT_WINDOW_MS = 1000;
/** The WebSocket closes (1009) on frames above this; smaller oversized commands get MESSAGE_TOO_LARGE and the socket stays. */
export const MAX_WS_FRAME_BYTES = 1 << 20;

export interface GroundStationOptions {
  studio: Studio;
  access: AccessControl;
  audit: AuditLog;
  /** folder with the built web app; null serves the API only */
  webRoot: string | null;
  stateRateHz?: number;
  rateLimitMax?: number;
  rateLimitWindowMs?: number;
  logger?: boolean;
  /** live video source for the camera view (ffmpeg input URL or path, or 'testsrc'); null: the render only */
  videoSource?: string | null;
}

export interface GroundStation {
  app: FastifyInstance;
  dispatcher: CommandDispatcher;
}

export async function createGroundStation(opts: GroundStationOptions): Promise<GroundStation> {
  const stateRateHz = opts.stateRateHz ?? DEFAULT_STATE_RATE_HZ;
  if (!(stateRateHz > 0 && stateRateHz <= 100)) throw new GroundStationError('INTERNAL', `stateRateHz must be in (0, 100], got ${stateRateHz}`);
  const rateLimitMax = opts.rateLimitMax ?? DEFAULT_RATE_LIMIT_MAX;
  const rateLimitWindowMs = opts.rateLimitWindowMs ?? DEFAULT_RATE_LIMIT_WINDOW_MS;

  // forceCloseConnections: shutdown must not wait on endless responses (video) or idle keep-alives
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: MAX_COMMAND_BYTES, forceCloseConnections: true });
  if (opts.studio.auditSink) opts.audit.addSink(opts.studio.auditSink);
  const dispatcher = new CommandDispatcher(opts.studio, opts.audit);

  app.decorateRequest('principal', null);
  app.setErrorHandler((err: FastifyError | GroundStationError, _req, reply) => {
    const body = errorFromFastify(err);
    if (body.code === 'INTERNAL') app.log.error({ err }, 'request failed');
    return reply.code(ERROR_CATALOGUE[body.code].status).send({ error: body });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}; see docs/ground-station.md` } }));

  await app.register(helmet, {
    // Plain HTTP on a set network is expected (no TLS on a laptop hotspot):
    // no upgrade-insecure-requests, no HSTS. Everything else stays strict.
    hsts: false,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.register(websocket, { options: { maxPayload: MAX_WS_FRAME_BYTES } });

  const common = { studio: opts.studio, access: opts.access, dispatcher, rateLimitMax, rateLimitWindowMs };
  await app.register(apiPlugin, common);
  await app.register(speechPlugin, { studio: opts.studio, access: opts.access, audit: opts.audit, dispatcher });
  await app.register(streamPlugin, { ...common, stateRateHz, video: opts.videoSource ? { url: '/api/video' } : null });
  if (opts.videoSource) await app.register(videoPlugin, { access: opts.access, source: opts.videoSource });
  if (opts.webRoot) await app.register(webPlugin, { root: opts.webRoot });
  return { app, dispatcher };
}

/** fastify's own errors (body too large, bad JSON, wrong content type) → the catalogue. */
function errorFromFastify(err: FastifyError | GroundStationError): ReturnType<typeof toErrorBody> {
  if (err instanceof GroundStationError) return toErrorBody(err);
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'MESSAGE_TOO_LARGE', message: `request body too large (commands: at most ${MAX_COMMAND_BYTES} bytes)` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'UNSUPPORTED_MEDIA', message: 'unsupported content type: send application/json (speech: audio/wav)' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'BAD_MESSAGE', message: 'the body is not valid JSON' };
    default:
      if (err.statusCode === 400 && err instanceof SyntaxError) return { code: 'BAD_MESSAGE', message: 'the body is not valid JSON' };
      return toErrorBody(err);
  }
}
