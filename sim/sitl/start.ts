/**
 * Start the simulator in real time behind a real socket: SimWorld stepped by
 * the RealtimeRunner, SimVehicleLink in front of it, and either
 *   - the MAVLink autopilot endpoint (startSitl: UDP or TCP), used by
 *     `cinepilot sim --mavlink` and MAVLink end-to-end tests, or
 *   - the MAVSDK gRPC stand-in (startMavsdkSitl), for the MAVSDK link.
 * With no options each serves an ephemeral port on 127.0.0.1 and returns the
 * URL a link connects to.
 */
import { CinePilotError } from '../../core/errors.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import { parseMavlinkEndpoint } from '../../controller/links/url.ts';
import { type ServerTransport, TcpServer, UdpServer } from '../../controller/links/mavlink/transport.ts';
import type { Autopilot } from '../../controller/links/mavlink/modes.ts';
import { loadScene, type LoadedScene } from '../scene-loader.ts';
import { SimWorld } from '../world.ts';
import { SimVehicleLink } from '../sim-vehicle-link.ts';
import { RealtimeRunner } from '../realtime.ts';
import { SitlMavlinkEndpoint } from './mavlink-endpoint.ts';
import { serveMavsdk } from './mavsdk-server.ts';

export const DEFAULT_SITL_SCENE = 'static-subject';
export const DEFAULT_SITL_SERVE = 'udp://127.0.0.1:0';

export interface SimOptions {
  /** built-in scene name, scene file, or an already loaded scene; default static-subject */
  scene?: string | LoadedScene;
  /** rig name or file replacing the scene's rig */
  rig?: string;
  seed?: number;
  /** simulated seconds per wall second (default 1) */
  speed?: number;
}

export interface SitlOptions extends SimOptions {
  /**
   * udp://HOST:PORT or tcp://HOST:PORT to listen (port 0 = ephemeral; default udp://127.0.0.1:0),
   * or udpout://HOST:PORT to push the streams to a link listening there (mavlink:udpin://…)
   */
  serve?: string;
  autopilot?: Autopilot;
  systemId?: number;
}

export interface SitlHandle {
  /** what a link uses: mavlink:udp://127.0.0.1:41234 (connect), or mavlink:udpin://HOST:PORT when pushing (udpout) */
  url: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  world: SimWorld;
  endpoint: SitlMavlinkEndpoint;
  close(): Promise<void>;
}

export interface MavsdkSitlHandle {
  /** mavsdk://127.0.0.1:PORT */
  url: string;
  grpcAddress: string;
  world: SimWorld;
  close(): Promise<void>;
}

interface RealtimeSim {
  world: SimWorld;
  vehicle: SimVehicleLink;
  stop(): Promise<void>;
}

async function startRealtimeSim(options: SimOptions): Promise<RealtimeSim> {
  const loaded = typeof options.scene === 'object' ? options.scene : loadScene(options.scene ?? DEFAULT_SITL_SCENE);
  const scene = options.rig ? { ...loaded, rig: loadRig(options.rig) } : loaded;
  const world = new SimWorld(scene, { seed: options.seed });
  const vehicle = new SimVehicleLink(world);
  await vehicle.connect();
  const runner = new RealtimeRunner(world, { speed: options.speed });
  runner.start();
  return {
    world,
    vehicle,
    async stop() {
      runner.stop();
      await vehicle.close();
    },
  };
}

const urlHost = (host: string): string => (host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host);

export async function startSitl(options: SitlOptions = {}): Promise<SitlHandle> {
  const serve = options.serve ?? DEFAULT_SITL_SERVE;
  const { endpoint } = parseMavlinkEndpoint(serve, true);
  let server: ServerTransport;
  let kind: 'udp' | 'tcp';
  let pushTo: string | null = null;
  if (/^udpout:/.test(serve) && endpoint.transport === 'udp-connect') {
    // Like PX4 SITL's remote port: bind anywhere on loopback, push streams to the given address.
    const udp = new UdpServer(endpoint.host.includes(':') ? '::1' : '127.0.0.1', 0);
    udp.addFixedPeer(endpoint.host, endpoint.port);
    pushTo = `mavlink:udpin://${urlHost(endpoint.host)}:${endpoint.port}`;
    server = udp;
    kind = 'udp';
  } else if (endpoint.transport === 'udp-listen' || endpoint.transport === 'udp-connect') {
    server = new UdpServer(endpoint.host, endpoint.port);
    kind = 'udp';
  } else if (endpoint.transport === 'tcp') {
    server = new TcpServer(endpoint.host, endpoint.port);
    kind = 'tcp';
  } else {
    throw new CinePilotError('SITL_BAD_SERVE', `--mavlink ${serve}: the simulator serves udp://HOST:PORT or tcp://HOST:PORT, not a serial port.`);
  }
  const bound = await server.listen();
  const sim = await startRealtimeSim(options);
  const sitl = new SitlMavlinkEndpoint({ vehicle: sim.vehicle, transport: server, lens: sim.world.rig.lens, autopilot: options.autopilot, systemId: options.systemId });
  const unsubscribe = sim.world.onStep((w) => sitl.tick(w.timeS));
  let closed = false;
  return {
    url: pushTo ?? `mavlink:${kind}://${urlHost(bound.host)}:${bound.port}`,
    host: bound.host,
    port: bound.port,
    transport: kind,
    world: sim.world,
    endpoint: sitl,
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      await sim.stop();
      await server.close();
    },
  };
}

export async function startMavsdkSitl(options: SimOptions & { host?: string; port?: number } = {}): Promise<MavsdkSitlHandle> {
  const sim = await startRealtimeSim(options);
  const server = await serveMavsdk(sim.vehicle, sim.world.rig.lens, options.host ?? '127.0.0.1', options.port ?? 0);
  let closed = false;
  return {
    url: server.url,
    grpcAddress: server.grpcAddress,
    world: sim.world,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      await sim.stop();
    },
  };
}
