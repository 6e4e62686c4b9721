/**
 * The WebSocket at /ws (encapsulated plugin): authenticated at the upgrade
 * (a wrong token never gets a socket), then `hello`, then the state stream at
 * a fixed rate, plus commands with the same schemas as REST. Malformed,
 * oversized or unauthorised messages get an `error` reply and the connection
 * (and every other client) carries on. Slow clients skip state frames rather
 * than queue them.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import { COMMANDS, MAX_COMMAND_BYTES, commandsForRole, isCommandType } from '../../protocol/commands.ts';
import { toErrorBody, type GroundErrorCode } from '../../protocol/errors.ts';
import { PROTOCOL_VERSION, type HelloMessage } from '../../protocol/state.ts';
import type { Studio } from '../../studio-api.ts';
import type { AccessControl, Principal } from '../access.ts';
import type { CommandDispatcher } from '../dispatch.ts';
import { authenticateHook } from '../http-auth.ts';
import { TokenBucket } from '../token-bucket.ts';

export interface StreamOptions {
  studio: Studio;
  access: AccessControl;
  dispatcher: CommandDispatcher;
  stateRateHz: number;
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** where the live video is served, when there is one */
  video: { url: string } | null;
}

/** A client whose socket has this much unsent data skips state frames. */
const MAX_BUFFERED_BYTES = 1 << 20;

interface Client {
  socket: WebSocket;
  principal: Principal;
  bucket: TokenBucket;
}

export interface StreamStats {
  clients: number;
  framesSent: number;
  framesSkipped: number;
  seq: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    streamStats(): StreamStats;
    broadcast(message: object): void;
  }
}

export const streamPlugin: FastifyPluginAsync<StreamOptions> = async (app: FastifyInstance, opts) => {
  const { studio, dispatcher } = opts;
  const clients = new Set<Client>();
  let seq = 0, framesSent = 0, framesSkipped = 0;

  const sendTo = (c: Client, text: string): void => {
    if (c.socket.readyState === c.socket.OPEN) c.socket.send(text);
  };
  const broadcast = (message: object): void => {
    const text = JSON.stringify(message);
    for (const c of clients) sendTo(c, text);
  };
  app.decorate('broadcast', broadcast);
  app.decorate('streamStats', () => ({ clients: clients.size, framesSent, framesSkipped, seq }));

  const tick = (): void => {
    if (clients.size === 0) return;
    let text: string;
    try {
      text = JSON.stringify({ type: 'state', seq: seq++, ...studio.state() });
    } catch (err) {
      app.log.error({ err }, 'state snapshot failed');
      return;
    }
    for (const c of clients) {
      if (c.socket.bufferedAmount > MAX_BUFFERED_BYTES) framesSkipped++;
      else {
        sendTo(c, text);
        framesSent++;
      }
    }
  };
  const timer = setInterval(tick, 1000 / opts.stateRateHz);
  app.addHook('onClose', async () => {
    clearInterval(timer);
    for (const c of clients) c.socket.close(1001, 'server shutting down');
  });

  // Everyone sees what was commanded and by whom (and what was refused).
  dispatcher.onCommand((e) => {
    broadcast({
      type: 'event',
      level: e.ok ? 'info' : 'warn',
      command: e.type,
      who: e.who.name,
      role: e.who.role,
      text: (e.ok ? `${e.who.name} (${e.who.role}): ${e.type}` : `${e.who.name} (${e.who.role}): ${e.type} refused — ${e.message}`) + (e.heard ? ` — spoken: ${e.heard}` : ''),
      ...(e.heard ? { heard: e.heard } : {}),
    });
    if (e.ok && e.type === 'preview') broadcast({ type: 'preview', result: e.result });
    // a renamed subject changes the scene's names (suggestions, shot library words)
    if (e.ok && e.type === 'name-subject') broadcast({ type: 'scene', scene: studio.scene, shotLibrary: studio.shotLibrary });
  });

  const reply = (c: Client, id: string | null, command: string | null, code: GroundErrorCode, message: string, details?: unknown): void => {
    sendTo(c, JSON.stringify({ type: 'error', id, command, code, message, ...(details === undefined ? {} : { details }) }));
  };

  const onMessage = async (c: Client, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): Promise<void> => {
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (bytes > MAX_COMMAND_BYTES) return reply(c, null, null, 'MESSAGE_TOO_LARGE', `message of ${bytes} bytes; commands are at most ${MAX_COMMAND_BYTES} bytes`);
    if (isBinary) return reply(c, null, null, 'BAD_MESSAGE', 'binary messages are not accepted; send JSON text');
    let msg: unknown;
    try {
      msg = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8'));
    } catch {
      return reply(c, null, null, 'BAD_MESSAGE', 'not JSON: send {"type": "<command>", …fields}');
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg) || typeof (msg as { type?: unknown }).type !== 'string') {
      return reply(c, null, null, 'BAD_MESSAGE', 'a message must be a JSON object with a string "type"');
    }
    const { type, id: rawId, ...params } = msg as { type: string; id?: unknown };
    const id = typeof rawId === 'string' ? rawId.slice(0, 64) : null;
    if (type === 'ping') return sendTo(c, JSON.stringify({ type: 'pong', id }));
    if (isCommandType(type) && COMMANDS[type].rateLimited && !c.bucket.take()) {
      return reply(c, id, type, 'RATE_LIMITED', `more than ${opts.rateLimitMax} commands in ${opts.rateLimitWindowMs} ms; wait a moment (e-stop is never limited)`);
    }
    try {
      const result = await dispatcher.dispatch(type, params, c.principal, 'ws');
      sendTo(c, JSON.stringify({ type: 'ack', id, command: type, result: result ?? null }));
    } catch (err) {
      const body = toErrorBody(err, 'COMMAND_FAILED');
      reply(c, id, type.slice(0, 40), body.code, body.message, body.details);
    }
  };

  app.get('/ws', { websocket: true, preValidation: authenticateHook(opts.access) }, (socket, req) => {
    const principal = req.principal!;
    const client: Client = { socket, principal, bucket: new TokenBucket(opts.rateLimitMax, opts.rateLimitWindowMs) };
    clients.add(client);
    const release = studio.clientConnected(principal);
    const hello: HelloMessage = {
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION,
      role: principal.role,
      name: principal.name,
      commands: commandsForRole(principal.role),
      stateRateHz: opts.stateRateHz,
      scene: studio.scene,
      shotLibrary: studio.shotLibrary,
      speech: studio.speech,
      video: opts.video,
    };
    socket.send(JSON.stringify(hello));
    socket.on('message', (data, isBinary) => {
      onMessage(client, data as Buffer, isBinary).catch((err: unknown) => {
        app.log.error({ err }, 'websocket message handling failed');
        reply(client, null, null, 'INTERNAL', 'internal error; see the server log');
      });
    });
    const gone = (): void => {
      if (!clients.delete(client)) return;
      release();
    };
    socket.on('close', gone);
    socket.on('error', gone);
  });
};

