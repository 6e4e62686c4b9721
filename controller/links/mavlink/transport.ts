/**
 * Byte transports for MAVLink: UDP (listen or connect), TCP and serial on the
 * client side (the vehicle link), UDP and TCP servers on the autopilot side
 * (the simulator's endpoint). Transports move bytes only; framing, peers'
 * identity and counting live above them.
 */
import { createSocket, type Socket as UdpSocket, type RemoteInfo } from 'node:dgram';
import { createConnection, createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { CinePilotError } from '../../../core/errors.ts';
import { type MavlinkEndpoint, formatMavlinkEndpoint } from '../url.ts';

export type Framing = 'datagram' | 'stream';

/** One connection to one vehicle. */
export interface ClientTransport {
  readonly framing: Framing;
  readonly description: string;
  /** Set before open(); `from` identifies the sender (UDP address:port). */
  onData: (chunk: Buffer, from: string) => void;
  /** Called when a stream transport loses its connection. */
  onClose: () => void;
  open(): Promise<void>;
  /** Where replies go; a listening UDP socket learns it from the vehicle. */
  setPeer(from: string): void;
  hasPeer(): boolean;
  send(buf: Buffer): void;
  /** bound UDP port; null for TCP and serial */
  localPort(): number | null;
  close(): Promise<void>;
}

function splitKey(key: string): { address: string; port: number } {
  const i = key.lastIndexOf(':');
  return { address: key.slice(0, i), port: Number(key.slice(i + 1)) };
}

const udpKey = (r: RemoteInfo): string => `${r.address}:${r.port}`;

class UdpClient implements ClientTransport {
  readonly framing = 'datagram';
  onData: (chunk: Buffer, from: string) => void = () => {};
  onClose: () => void = () => {};
  private socket: UdpSocket | null = null;
  private peer: { address: string; port: number } | null;

  constructor(private readonly endpoint: Extract<MavlinkEndpoint, { transport: 'udp-listen' | 'udp-connect' }>) {
    this.peer = endpoint.transport === 'udp-connect' ? { address: endpoint.host, port: endpoint.port } : null;
  }

  get description(): string {
    return formatMavlinkEndpoint(this.endpoint);
  }

  async open(): Promise<void> {
    const ipv6 = this.endpoint.host.includes(':');
    const socket = createSocket({ type: ipv6 ? 'udp6' : 'udp4', reuseAddr: this.endpoint.transport === 'udp-listen' });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onData(msg, udpKey(rinfo)));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => reject(new CinePilotError('LINK_OPEN_FAILED', `${this.description}: cannot open UDP socket: ${err.message}. Is the port in use?`)));
      if (this.endpoint.transport === 'udp-listen') socket.bind(this.endpoint.port, this.endpoint.host, resolve);
      else socket.bind(0, resolve);
    });
    // A send error (ICMP port unreachable, no route) must not end the link.
    socket.on('error', () => {});
  }

  setPeer(from: string): void {
    if (this.endpoint.transport === 'udp-listen') this.peer = splitKey(from);
  }

  hasPeer(): boolean {
    return this.peer !== null;
  }

  send(buf: Buffer): void {
    if (!this.socket || !this.peer) return;
    this.socket.send(buf, this.peer.port, this.peer.address);
  }

  localPort(): number | null {
    try {
      return this.socket?.address().port ?? null;
    } catch {
      return null; // not bound yet
    }
  }

  async close(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

class TcpClient implements ClientTransport {
  readonly framing = 'stream';
  onData: (chunk: Buffer, from: string) => void = () => {};
  onClose: () => void = () => {};
  private socket: TcpSocket | null = null;
  private closing = false;

  constructor(private readonly endpoint: Extract<MavlinkEndpoint, { transport: 'tcp' }>) {}

  get description(): string {
    return formatMavlinkEndpoint(this.endpoint);
  }

  async open(): Promise<void> {
    const key = `${this.endpoint.host}:${this.endpoint.port}`;
    await new Promise<void>((resolve, reject) => {
      const s = createConnection({ host: this.endpoint.host, port: this.endpoint.port, noDelay: true });
      s.once('connect', () => {
        this.socket = s;
        s.on('error', () => {});
        s.on('close', () => {
          this.socket = null;
          if (!this.closing) this.onClose();
        });
        resolve();
      });
      s.once('error', (err) => reject(new CinePilotError('LINK_OPEN_FAILED', `${this.description}: cannot connect: ${err.message}. Is the autopilot (or SITL) listening there?`)));
      s.on('data', (chunk: Buffer) => this.onData(chunk, key));
    });
  }

  setPeer(): void {}
  hasPeer(): boolean {
    return this.socket !== null;
  }
  localPort(): null {
    return null;
  }

  send(buf: Buffer): void {
    this.socket?.write(buf);
  }

  async close(): Promise<void> {
    this.closing = true;
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((resolve) => s.end(() => { s.destroy(); resolve(); }));
  }
}

interface SerialPortLike {
  on(event: 'data', cb: (chunk: Buffer) => void): void;
  on(event: 'close' | 'error', cb: (...a: unknown[]) => void): void;
  write(buf: Buffer): boolean;
  close(cb: (err: Error | null) => void): void;
}

class SerialClient implements ClientTransport {
  readonly framing = 'stream';
  onData: (chunk: Buffer, from: string) => void = () => {};
  onClose: () => void = () => {};
  private port: SerialPortLike | null = null;
  private closing = false;

  constructor(private readonly endpoint: Extract<MavlinkEndpoint, { transport: 'serial' }>) {}

  get description(): string {
    return formatMavlinkEndpoint(this.endpoint);
  }

  async open(): Promise<void> {
    // Loaded on demand: the native binding is only needed for serial links.
    const { SerialPort } = await import('serialport');
    await new Promise<void>((resolve, reject) => {
      const p = new SerialPort({ path: this.endpoint.path, baudRate: this.endpoint.baudRate }, (err) => {
        if (err) {
          reject(new CinePilotError('LINK_OPEN_FAILED', `${this.description}: cannot open serial port: ${err.message}. Check the device path, that you may read it (dialout group) and that nothing else holds it.`));
          return;
        }
        this.port = p as unknown as SerialPortLike;
        resolve();
      });
      p.on('data', (chunk: Buffer) => this.onData(chunk, this.endpoint.path));
      p.on('error', () => {});
      p.on('close', () => {
        this.port = null;
        if (!this.closing) this.onClose();
      });
    });
  }

  setPeer(): void {}
  hasPeer(): boolean {
    return this.port !== null;
  }
  localPort(): null {
    return null;
  }

  send(buf: Buffer): void {
    this.port?.write(buf);
  }

  async close(): Promise<void> {
    this.closing = true;
    const p = this.port;
    this.port = null;
    if (p) await new Promise<void>((resolve) => p.close(() => resolve()));
  }
}

export function createClientTransport(endpoint: MavlinkEndpoint): ClientTransport {
  switch (endpoint.transport) {
    case 'udp-listen':
    case 'udp-connect':
      return new UdpClient(endpoint);
    case 'tcp':
      return new TcpClient(endpoint);
    case 'serial':
      return new SerialClient(endpoint);
  }
}

/** The autopilot side: many ground stations/companions may talk to one vehicle. */
export interface ServerTransport {
  readonly framing: Framing;
  onData: (chunk: Buffer, peer: string) => void;
  onPeerGone: (peer: string) => void;
  listen(): Promise<{ host: string; port: number }>;
  sendTo(peer: string, buf: Buffer): void;
  broadcast(buf: Buffer): void;
  peers(): string[];
  close(): Promise<void>;
}

/** UDP peers that stay silent this long stop receiving telemetry. */
export const UDP_PEER_EXPIRY_S = 10;

export class UdpServer implements ServerTransport {
  readonly framing = 'datagram';
  onData: (chunk: Buffer, peer: string) => void = () => {};
  onPeerGone: (peer: string) => void = () => {};
  private socket: UdpSocket | null = null;
  private readonly lastHeardS = new Map<string, number>();
  /** peers that always receive the streams, heard from or not (PX4 SITL's fixed remote port) */
  private readonly fixedPeers: string[] = [];

  constructor(private readonly host: string, private readonly port: number) {}

  /** Push streams to host:port from the start, as an autopilot does to a configured GCS port. */
  addFixedPeer(host: string, port: number): void {
    this.fixedPeers.push(`${host}:${port}`);
  }

  async listen(): Promise<{ host: string; port: number }> {
    const socket = createSocket(this.host.includes(':') ? 'udp6' : 'udp4');
    this.socket = socket;
    socket.on('message', (msg, rinfo) => {
      const key = udpKey(rinfo);
      this.lastHeardS.set(key, performance.now() / 1000);
      this.onData(msg, key);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => reject(new CinePilotError('SITL_BIND_FAILED', `udp://${this.host}:${this.port}: cannot bind: ${err.message}. Pick another port.`)));
      socket.bind(this.port, this.host, resolve);
    });
    socket.on('error', () => {});
    const a = socket.address();
    return { host: a.address, port: a.port };
  }

  peers(): string[] {
    const now = performance.now() / 1000;
    for (const [key, t] of this.lastHeardS) {
      if (now - t > UDP_PEER_EXPIRY_S) {
        this.lastHeardS.delete(key);
        this.onPeerGone(key);
      }
    }
    const heard = [...this.lastHeardS.keys()];
    return [...heard, ...this.fixedPeers.filter((p) => !this.lastHeardS.has(p))];
  }

  sendTo(peer: string, buf: Buffer): void {
    if (!this.socket) return;
    const { address, port } = splitKey(peer);
    if (!(port > 0 && port < 65536)) return;
    this.socket.send(buf, port, address);
  }

  broadcast(buf: Buffer): void {
    for (const p of this.peers()) this.sendTo(p, buf);
  }

  async close(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

export class TcpServer implements ServerTransport {
  readonly framing = 'stream';
  onData: (chunk: Buffer, peer: string) => void = () => {};
  onPeerGone: (peer: string) => void = () => {};
  private server: Server | null = null;
  private readonly sockets = new Map<string, TcpSocket>();

  constructor(private readonly host: string, private readonly port: number) {}

  async listen(): Promise<{ host: string; port: number }> {
    const server = createServer({ noDelay: true }, (s) => {
      const key = `${s.remoteAddress}:${s.remotePort}`;
      this.sockets.set(key, s);
      s.on('data', (chunk: Buffer) => this.onData(chunk, key));
      s.on('error', () => {});
      s.on('close', () => {
        this.sockets.delete(key);
        this.onPeerGone(key);
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new CinePilotError('SITL_BIND_FAILED', `tcp://${this.host}:${this.port}: cannot listen: ${err.message}. Pick another port.`)));
      server.listen(this.port, this.host, resolve);
    });
    const a = server.address();
    return typeof a === 'object' && a ? { host: a.address, port: a.port } : { host: this.host, port: this.port };
  }

  peers(): string[] {
    return [...this.sockets.keys()];
  }

  sendTo(peer: string, buf: Buffer): void {
    this.sockets.get(peer)?.write(buf);
  }

  broadcast(buf: Buffer): void {
    for (const s of this.sockets.values()) s.write(buf);
  }

  async close(): Promise<void> {
    for (const s of this.sockets.values()) s.destroy();
    this.sockets.clear();
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
}
