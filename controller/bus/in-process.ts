/**
 * The default bus: controller and clients in one process, same API as the
 * ZeroMQ bus, no sockets. Requests still pass the edge validator (a client
 * may be relaying words from a browser); state is handed over as is.
 */
import { Subject } from 'rxjs';
import type { BusClient, BusServer, RequestHandler } from './bus.ts';
import { type BusReply, type BusRequest, type BusTopic, BusRequestSchema, decodeMessage, emptyBusStats } from './messages.ts';
import { CinePilotError } from '../../core/errors.ts';

export function createInProcessBus(): { server: BusServer; client: BusClient } {
  const state = new Subject<unknown>();
  const events = new Subject<unknown>();
  const serverStats = emptyBusStats();
  const clientStats = emptyBusStats();
  let handler: RequestHandler | null = null;
  let closed = false;

  const server: BusServer = {
    kind: 'in-process',
    endpoints: null,
    publish(topic: BusTopic, message: unknown) {
      if (closed) return;
      serverStats.published++;
      (topic === 'state' ? state : events).next(message);
    },
    onRequest(h) {
      handler = h;
    },
    stats: () => ({ ...serverStats, droppedByReason: { ...serverStats.droppedByReason } }),
    async close() {
      closed = true;
      state.complete();
      events.complete();
    },
  };

  const client: BusClient = {
    kind: 'in-process',
    state$: state.asObservable(),
    events$: events.asObservable(),
    async request(request: BusRequest): Promise<BusReply> {
      if (closed) throw new CinePilotError('BUS_CLOSED', 'the bus is closed');
      const decoded = decodeMessage(BusRequestSchema, request, serverStats);
      const id = typeof (request as { id?: unknown })?.id === 'string' ? (request as { id: string }).id : undefined;
      serverStats.replies++;
      if (!decoded.ok) return { ...(id ? { id } : {}), ok: false, code: 'BUS_MALFORMED', message: decoded.message };
      if (!handler) return { ...(id ? { id } : {}), ok: false, code: 'BUS_NO_HANDLER', message: 'no controller is serving requests' };
      try {
        return await handler(decoded.value);
      } catch (err) {
        serverStats.handlerErrors++;
        return { ...(id ? { id } : {}), ok: false, code: 'BUS_HANDLER_ERROR', message: (err as Error).message };
      }
    },
    stats: () => ({ ...clientStats, droppedByReason: { ...clientStats.droppedByReason } }),
    async close() {},
  };
  return { server, client };
}
