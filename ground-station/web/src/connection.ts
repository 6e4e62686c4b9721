/**
 * The studio connection: checks the token over REST first (so a refused
 * token is reported as such, not as a network error), then keeps a
 * WebSocket open with reconnects. Commands are sent with a correlation id
 * and resolve with the server's ack or reject with its catalogued error.
 */
export type ConnectionStatus = 'connecting' | 'open' | 'closed' | 'refused';

export interface ServerError {
  code: string;
  message: string;
  details?: unknown;
}

export class CommandError extends Error {
  constructor(readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

type Handler = (msg: any) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

const COMMAND_TIMEOUT_MS = 30_000;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 5_000;

export class Connection {
  status: ConnectionStatus = 'connecting';
  statusDetail = '';
  private ws: WebSocket | null = null;
  private nextId = 1;
  private reconnectMs = RECONNECT_MIN_MS;
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: number }>();
  private readonly handlers = new Map<string, Handler[]>();
  private statusListeners: Array<(s: ConnectionStatus, detail: string) => void> = [];

  constructor(private readonly token: string) {}

  on(type: string, handler: Handler): void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler);
    this.handlers.set(type, list);
  }

  onStatus(listener: (s: ConnectionStatus, detail: string) => void): void {
    this.statusListeners.push(listener);
  }

  private setStatus(s: ConnectionStatus, detail: string): void {
    this.status = s;
    this.statusDetail = detail;
    for (const l of this.statusListeners) l(s, detail);
  }

  async start(): Promise<void> {
    if (!this.token) {
      this.setStatus('refused', 'no access token in the URL: open the link printed by `cinepilot start` (…/?token=…)');
      return;
    }
    this.setStatus('connecting', 'checking access…');
    try {
      const res = await fetch('/api/me', { headers: { authorization: `Bearer ${this.token}` } });
      if (res.status === 401 || res.status === 403) {
        const body = (await res.json().catch(() => null)) as { error?: ServerError } | null;
        this.setStatus('refused', body?.error?.message ?? 'access refused');
        return;
      }
    } catch {
      // The server may be restarting; the socket loop below retries.
    }
    this.open();
  }

  private open(): void {
    this.setStatus('connecting', 'connecting…');
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${proto}://${location.host}/ws?token=${encodeURIComponent(this.token)}`);
    this.ws = ws;
    ws.onopen = () => {
      this.reconnectMs = RECONNECT_MIN_MS;
      this.setStatus('open', 'connected');
    };
    ws.onmessage = (ev) => {
      let msg: { type?: string; id?: string | null; result?: unknown; code?: string; message?: string; details?: unknown };
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if ((msg.type === 'ack' || msg.type === 'error') && msg.id && this.pending.has(msg.id)) {
        const p = this.pending.get(msg.id)!;
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.type === 'ack') p.resolve(msg.result);
        else p.reject(new CommandError(msg.code ?? 'INTERNAL', msg.message ?? 'error', msg.details));
        return;
      }
      for (const h of this.handlers.get(msg.type ?? '') ?? []) h(msg);
    };
    ws.onclose = (ev) => {
      this.ws = null;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new CommandError('DISCONNECTED', 'connection lost before the reply'));
        this.pending.delete(id);
      }
      if (this.status === 'refused') return;
      const why = ev.code === 1006 ? 'connection lost' : `closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`;
      this.setStatus('closed', `${why}; reconnecting in ${(this.reconnectMs / 1000).toFixed(1)} s`);
      window.setTimeout(() => void this.start(), this.reconnectMs);
      this.reconnectMs = Math.min(RECONNECT_MAX_MS, this.reconnectMs * 2);
    };
  }

  /** Send a command; resolves with its result, rejects with a CommandError. */
  send(type: string, fields: Record<string, unknown> = {}): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new CommandError('DISCONNECTED', 'not connected to the studio'));
    const id = `c${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.pending.delete(id);
        reject(new CommandError('TIMEOUT', `${type}: no reply within ${COMMAND_TIMEOUT_MS / 1000} s`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ type, id, ...fields }));
    });
  }

  /** Over REST (speech upload). */
  async post(path: string, body: Blob, contentType: string): Promise<unknown> {
    const res = await fetch(path, { method: 'POST', body, headers: { authorization: `Bearer ${this.token}`, 'content-type': contentType } });
    const json = (await res.json().catch(() => null)) as { error?: ServerError } | null;
    if (!res.ok) throw new CommandError(json?.error?.code ?? String(res.status), json?.error?.message ?? res.statusText);
    return json;
  }
}
