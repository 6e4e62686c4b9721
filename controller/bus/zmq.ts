/**
 * The bus across processes (DESIGN.md §12): ZeroMQ PUB/SUB for state and
 * events, REQ/REP for commands. One endpoint URL names both:
 * `tcp://127.0.0.1:PORT` puts state on PORT and commands on PORT+1; port 0
 * picks free ports (read them from `endpoints`). Only loopback addresses are
 * bound unless `allowRemote` says otherwise. zeromq.js allows one send in
 * flight per socket, so publishing goes through a small queue in which a
 * newer state replaces an unsent older one (state is a snapshot; events are
 * kept, up to a bound).
 */
import { Publisher, Reply, Request, Subscriber } from 'zeromq';
import { Subject } from 'rxjs';
import { CinePilotError } from '../../core/errors.ts';
import { type BusClient, type BusServer, type RequestHandler, DEFAULT_REQUEST_TIMEOUT_MS } from './bus.ts';
import {
  type BusReply, type BusRequest, type BusStats, type BusTopic,
  BusEventSchema, BusReplySchema, BusRequestSchema, BusStateSchema, countDrop, decodeMessage, emptyBusStats, encodeMessage,
} from './messages.ts';

export const DEFAULT_BUS_PORT = 5570;
/** Events waiting to be published beyond this are dropped (counted), oldest first. */
export const MAX_PENDING_EVENTS = 1000;
/**
 * A socket loop that finds many messages already queued would run them all
 * in one event-loop turn (each await resolves at once); it yields after this
 * much work so the control loop's timer gets its turn, ms.
 */
export const MAX_BUSY_MS = 2;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export interface BusEndpoints {
  state: string;
  command: string;
}

/** Parse `tcp://HOST:PORT` into the state and command bind addresses. */
export function parseBusUrl(url: string, options: { allowRemote?: boolean } = {}): BusEndpoints {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)$/.exec(url);
  if (!m) throw new CinePilotError('BUS_BAD_URL', `--bus ${url}: expected tcp://HOST:PORT, e.g. tcp://127.0.0.1:${DEFAULT_BUS_PORT} (state on PORT, commands on PORT+1; 0 picks free ports).`);
  const host = m[1]!, port = Number(m[2]);
  if (!options.allowRemote && !LOOPBACK.has(host)) {
    throw new CinePilotError('BUS_NOT_LOOPBACK', `--bus ${url}: binds only loopback (127.0.0.1) by default; to accept other machines pass --bus-allow-remote and make sure the network is trusted.`);
  }
  if (port > 65534) throw new CinePilotError('BUS_BAD_URL', `--bus ${url}: PORT must be ≤ 65534 (commands use PORT+1).`);
  const h = host === 'localhost' ? '127.0.0.1' : host;
  return port === 0
    ? { state: `tcp://${h}:*`, command: `tcp://${h}:*` }
    : { state: `tcp://${h}:${port}`, command: `tcp://${h}:${port + 1}` };
}

/** The socket's messages, with a pause for the event loop after every MAX_BUSY_MS of work. */
async function* politely<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  let turnStart = performance.now();
  for await (const item of source) {
    if (performance.now() - turnStart > MAX_BUSY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      turnStart = performance.now();
    }
    yield item;
  }
}

class PublishQueue {
  private sending = false;
  private latestState: Buffer | null = null;
  private events: Buffer[] = [];
  constructor(private readonly pub: Publisher, private readonly stats: BusStats, private readonly onDrop: () => void) {}

  push(topic: BusTopic, payload: Buffer): void {
    if (topic === 'state') this.latestState = payload;
    else {
      this.events.push(payload);
      if (this.events.length > MAX_PENDING_EVENTS) {
        this.events.shift();
        this.onDrop();
      }
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      for (;;) {
        let frames: [string, Buffer] | null = null;
        if (this.events.length) frames = ['event', this.events.shift()!];
        else if (this.latestState) {
          frames = ['state', this.latestState];
          this.latestState = null;
        }
        if (!frames) break;
        await this.pub.send(frames);
        this.stats.published++;
      }
    } catch {
      // socket closed while sending: nothing left to do
    } finally {
      this.sending = false;
    }
  }
}

export class ZmqBusServer implements BusServer {
  readonly kind = 'zmq';
  private readonly pub = new Publisher({ linger: 0 });
  private readonly rep = new Reply({ linger: 0 });
  private readonly counters = emptyBusStats();
  private handler: RequestHandler | null = null;
  private queue: PublishQueue;
  private serving: Promise<void> | null = null;
  private bound: BusEndpoints | null = null;
  droppedEvents = 0;

  private constructor() {
    this.queue = new PublishQueue(this.pub, this.counters, () => this.droppedEvents++);
  }

  /** Bind the PUB and REP sockets (see parseBusUrl for the URL). */
  static async bind(url: string, options: { allowRemote?: boolean } = {}): Promise<ZmqBusServer> {
    const want = parseBusUrl(url, options);
    const server = new ZmqBusServer();
    try {
      await server.pub.bind(want.state);
      await server.rep.bind(want.command);
    } catch (err) {
      server.pub.close();
      server.rep.close();
      throw new CinePilotError('BUS_BIND_FAILED', `cannot bind the bus at ${url}: ${(err as Error).message}. Is another controller using the port? Pick another with --bus.`);
    }
    server.bound = { state: server.pub.lastEndpoint!, command: server.rep.lastEndpoint! };
    server.serving = server.serve();
    return server;
  }

  get endpoints(): BusEndpoints | null {
    return this.bound;
  }

  publish(topic: BusTopic, message: unknown): void {
    if (this.pub.closed) return;
    this.queue.push(topic, encodeMessage(message));
  }

  onRequest(handler: RequestHandler): void {
    this.handler = handler;
  }

  stats(): BusStats {
    return { ...this.counters, droppedByReason: { ...this.counters.droppedByReason } };
  }

  async close(): Promise<void> {
    this.pub.close();
    this.rep.close();
    await this.serving?.catch(() => undefined);
  }

  private async serve(): Promise<void> {
    try {
      for await (const frames of politely(this.rep)) {
        const reply = await this.answer(frames);
        this.counters.replies++;
        await this.rep.send(encodeMessage(reply));
      }
    } catch (err) {
      if (!this.rep.closed) console.error('bus: command socket failed:', err);
    }
  }

  private async answer(frames: Buffer[]): Promise<BusReply> {
    if (frames.length !== 1) {
      countDrop(this.counters, 'frames', true);
      return { ok: false, code: 'BUS_MALFORMED', message: `expected one frame, got ${frames.length}` };
    }
    const decoded = decodeMessage(BusRequestSchema, frames[0]!, this.counters);
    if (!decoded.ok) return { ok: false, code: 'BUS_MALFORMED', message: decoded.message };
    if (!this.handler) return { ok: false, code: 'BUS_NO_HANDLER', message: 'no controller is serving requests' };
    try {
      return await this.handler(decoded.value);
    } catch (err) {
      this.counters.handlerErrors++;
      return { ok: false, code: 'BUS_HANDLER_ERROR', message: (err as Error).message };
    }
  }
}

export class ZmqBusClient implements BusClient {
  readonly kind = 'zmq';
  private readonly sub: Subscriber;
  private readonly req = new Request({ linger: 0, relaxed: true, correlate: true });
  private readonly counters = emptyBusStats();
  private readonly stateSubject = new Subject<unknown>();
  private readonly eventSubject = new Subject<unknown>();
  private chain: Promise<unknown> = Promise.resolve();
  private listening: Promise<void> | null = null;

  readonly state$ = this.stateSubject.asObservable();
  readonly events$ = this.eventSubject.asObservable();

  private constructor(receiveHighWaterMark: number) {
    this.sub = new Subscriber({ linger: 0, receiveHighWaterMark });
  }

  /**
   * `receiveHighWaterMark`: state/event messages queued before ZeroMQ drops
   * new ones (default 1000; 0 = unbounded). A slow client should lose old
   * state rather than grow without bound.
   */
  static connect(endpoints: BusEndpoints, options: { receiveHighWaterMark?: number } = {}): ZmqBusClient {
    const c = new ZmqBusClient(options.receiveHighWaterMark ?? 1000);
    c.sub.connect(endpoints.state);
    c.sub.subscribe('state', 'event');
    c.req.connect(endpoints.command);
    c.listening = c.listen();
    return c;
  }

  /** Send a request; requests are sent one at a time, in call order. */
  request(request: BusRequest, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<BusReply> {
    const run = async (): Promise<BusReply> => {
      this.req.receiveTimeout = timeoutMs;
      this.req.sendTimeout = timeoutMs;
      try {
        await this.req.send(encodeMessage(request));
        const [reply] = await this.req.receive();
        const decoded = decodeMessage(BusReplySchema, reply!, this.counters);
        if (!decoded.ok) return { ok: false, code: 'BUS_MALFORMED_REPLY', message: decoded.message };
        return decoded.value;
      } catch (err) {
        const code = (err as { code?: string }).code === 'EAGAIN' ? 'BUS_TIMEOUT' : 'BUS_ERROR';
        return { ok: false, code, message: code === 'BUS_TIMEOUT' ? `no reply within ${timeoutMs} ms: is the controller running?` : (err as Error).message };
      }
    };
    const p = this.chain.then(run, run);
    this.chain = p;
    return p;
  }

  stats(): BusStats {
    return { ...this.counters, droppedByReason: { ...this.counters.droppedByReason } };
  }

  async close(): Promise<void> {
    this.sub.close();
    this.req.close();
    await this.listening?.catch(() => undefined);
    this.stateSubject.complete();
    this.eventSubject.complete();
  }

  private async listen(): Promise<void> {
    try {
      for await (const frames of politely(this.sub)) {
        if (frames.length !== 2) {
          countDrop(this.counters, 'frames', true);
          continue;
        }
        const topic = frames[0]!.toString('latin1');
        if (topic === 'state') {
          const d = decodeMessage(BusStateSchema, frames[1]!, this.counters);
          if (d.ok) this.stateSubject.next(d.value);
        } else if (topic === 'event') {
          const d = decodeMessage(BusEventSchema, frames[1]!, this.counters);
          if (d.ok) this.eventSubject.next(d.value);
        } else countDrop(this.counters, 'schema', true);
      }
    } catch (err) {
      if (!this.sub.closed) console.error('bus: state socket failed:', err);
    }
  }
}
