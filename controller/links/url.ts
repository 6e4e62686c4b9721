/**
 * Vehicle link addresses, one syntax for every link:
 *
 *   sim                                   in-process simulator
 *   mavlink:udp://:14540                  listen on UDP 14540, all interfaces (PX4 SITL's offboard port)
 *   mavlink:udpin://127.0.0.1:14540       listen on one interface
 *   mavlink:udp://127.0.0.1:14540         send to a vehicle that listens there (and hear its replies);
 *                                         udpout:// says the same explicitly
 *   mavlink:tcp://127.0.0.1:5760          TCP client (ArduPilot SITL's first serial port)
 *   mavlink:serial:///dev/ttyACM0:921600  serial port and baud rate (default 57600)
 *   mavsdk://127.0.0.1:50051              gRPC to a running mavsdk_server
 *
 * MAVLink URLs take options as a query: `?sysid=245&compid=190&target=1&autopilot=px4`.
 * The MAVLink part after `mavlink:` is also what `cinepilot sim --mavlink` serves.
 */
import { CinePilotError } from '../../core/errors.ts';

export type MavlinkEndpoint =
  | { transport: 'udp-listen'; host: string; port: number }
  | { transport: 'udp-connect'; host: string; port: number }
  | { transport: 'tcp'; host: string; port: number }
  | { transport: 'serial'; path: string; baudRate: number };

export interface MavlinkUrlOptions {
  systemId?: number;
  componentId?: number;
  targetSystemId?: number;
  autopilot?: 'px4' | 'ardupilot';
}

export type LinkAddress =
  | { kind: 'sim' }
  | { kind: 'mavlink'; endpoint: MavlinkEndpoint; options: MavlinkUrlOptions; url: string }
  | { kind: 'mavsdk'; grpcAddress: string; url: string };

export const DEFAULT_SERIAL_BAUD = 57600;
export const DEFAULT_MAVSDK_PORT = 50051;

export const ACCEPTED_LINK_FORMS = [
  'sim',
  'mavlink:udp://:14540 (listen)',
  'mavlink:udpin://127.0.0.1:14540 (listen on one address)',
  'mavlink:udp://127.0.0.1:14540 (connect)',
  'mavlink:tcp://127.0.0.1:5760',
  'mavlink:serial:///dev/ttyACM0:921600',
  'mavsdk://127.0.0.1:50051',
];

function bad(url: string, why: string): CinePilotError {
  return new CinePilotError(
    'LINK_URL_INVALID',
    `link "${url}": ${why}. Accepted forms: ${ACCEPTED_LINK_FORMS.join(', ')}.`,
  );
}

function port(url: string, raw: string | undefined, allowZero: boolean): number {
  const p = Number(raw);
  if (!raw || !Number.isInteger(p) || p < (allowZero ? 0 : 1) || p > 65535) {
    throw bad(url, `port "${raw ?? ''}" must be an integer ${allowZero ? '0' : '1'}…65535`);
  }
  return p;
}

function splitHostPort(url: string, hostPort: string, allowZeroPort: boolean): { host: string; port: number } {
  // [::1]:14540 or host:port or :port
  const m = /^(?:\[([^\]]+)\]|([^:/?#]*)):(\d+)$/.exec(hostPort);
  if (!m) throw bad(url, `"${hostPort}" is not HOST:PORT`);
  return { host: m[1] ?? m[2] ?? '', port: port(url, m[3], allowZeroPort) };
}

function intOption(url: string, q: URLSearchParams, name: string, lo: number, hi: number): number | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < lo || v > hi) throw bad(url, `?${name}=${raw} must be an integer ${lo}…${hi}`);
  return v;
}

const QUERY_KEYS = new Set(['sysid', 'compid', 'target', 'autopilot']);

/**
 * Parse a MAVLink endpoint without the `mavlink:` prefix (`udp://:14540`).
 * `allowZeroPort` lets servers and tests ask for an ephemeral port.
 */
export function parseMavlinkEndpoint(raw: string, allowZeroPort = false, shown = raw): { endpoint: MavlinkEndpoint; options: MavlinkUrlOptions } {
  const [body, query = ''] = raw.split('?', 2) as [string, string?];
  const q = new URLSearchParams(query);
  for (const key of q.keys()) {
    if (!QUERY_KEYS.has(key)) throw bad(shown, `unknown option ?${key}= (known: ${[...QUERY_KEYS].join(', ')})`);
  }
  const autopilotRaw = q.get('autopilot');
  if (autopilotRaw !== null && autopilotRaw !== 'px4' && autopilotRaw !== 'ardupilot') {
    throw bad(shown, `?autopilot=${autopilotRaw} must be px4 or ardupilot`);
  }
  const options: MavlinkUrlOptions = {
    systemId: intOption(shown, q, 'sysid', 1, 255),
    componentId: intOption(shown, q, 'compid', 1, 255),
    targetSystemId: intOption(shown, q, 'target', 1, 255),
    autopilot: autopilotRaw ?? undefined,
  };
  const scheme = /^([a-z]+):\/\/(.*)$/.exec(body);
  if (!scheme) throw bad(shown, 'expected SCHEME://… after "mavlink:"');
  const [, kind, rest] = scheme as unknown as [string, string, string];
  switch (kind) {
    case 'udp': {
      const { host, port: p } = splitHostPort(shown, rest, allowZeroPort);
      const listen = host === '' || host === '0.0.0.0' || host === '::';
      return { endpoint: { transport: listen ? 'udp-listen' : 'udp-connect', host: listen ? host || '0.0.0.0' : host, port: p }, options };
    }
    case 'udpout': {
      // explicit "send to": the same as udp:// with a host; the simulator pushes its streams there unasked
      const { host, port: p } = splitHostPort(shown, rest, allowZeroPort);
      if (!host) throw bad(shown, 'udpout needs the host to send to, e.g. udpout://127.0.0.1:14540');
      return { endpoint: { transport: 'udp-connect', host, port: p }, options };
    }
    case 'udpin': {
      const { host, port: p } = splitHostPort(shown, rest, allowZeroPort);
      return { endpoint: { transport: 'udp-listen', host: host || '0.0.0.0', port: p }, options };
    }
    case 'tcp': {
      const { host, port: p } = splitHostPort(shown, rest, allowZeroPort);
      return { endpoint: { transport: 'tcp', host: host || '127.0.0.1', port: p }, options };
    }
    case 'serial': {
      const m = /^(\/[^:]+)(?::(\d+))?$/.exec(rest);
      if (!m) throw bad(shown, 'serial needs an absolute device path, e.g. serial:///dev/ttyACM0:921600');
      const baudRate = m[2] === undefined ? DEFAULT_SERIAL_BAUD : Number(m[2]);
      if (!Number.isInteger(baudRate) || baudRate < 1200 || baudRate > 12_000_000) throw bad(shown, `baud rate ${m[2]} must be 1200…12000000`);
      return { endpoint: { transport: 'serial', path: m[1]!, baudRate }, options };
    }
    default:
      throw bad(shown, `unknown MAVLink transport "${kind}" (udp, udpin, udpout, tcp, serial)`);
  }
}

/** Parse any link address; throws LINK_URL_INVALID naming the accepted forms. */
export function parseLinkUrl(url: string): LinkAddress {
  const s = url.trim();
  if (s === 'sim') return { kind: 'sim' };
  if (s.startsWith('mavlink:')) {
    const { endpoint, options } = parseMavlinkEndpoint(s.slice('mavlink:'.length), false, s);
    return { kind: 'mavlink', endpoint, options, url: s };
  }
  if (s.startsWith('mavsdk:')) {
    const rest = s.slice('mavsdk:'.length).replace(/^\/\//, '');
    const hostPort = /:\d+$/.test(rest) ? rest : `${rest}:${DEFAULT_MAVSDK_PORT}`;
    const { host, port: p } = splitHostPort(s, hostPort, false);
    if (!host) throw bad(s, 'mavsdk needs a host, e.g. mavsdk://127.0.0.1:50051');
    return { kind: 'mavsdk', grpcAddress: `${host.includes(':') ? `[${host}]` : host}:${p}`, url: s };
  }
  throw bad(s, 'unknown link kind');
}

/** The canonical text of an endpoint (what health/endpoint strings show). */
export function formatMavlinkEndpoint(e: MavlinkEndpoint): string {
  switch (e.transport) {
    case 'udp-listen': return `mavlink:udpin://${e.host}:${e.port}`;
    case 'udp-connect': return `mavlink:udp://${e.host}:${e.port}`;
    case 'tcp': return `mavlink:tcp://${e.host}:${e.port}`;
    case 'serial': return `mavlink:serial://${e.path}:${e.baudRate}`;
  }
}
