/**
 * Start the simulator as a MAVLink autopilot on a real socket, in real time:
 * SimWorld stepped by the RealtimeRunner, SimVehicleLink in front of it, the
 * SitlMavlinkEndpoint serving UDP or TCP. Used by `cinepilot sim --mavlink`
 * and by end-to-end tests (`startSitl()` with no arguments serves an
 * ephemeral UDP port on 127.0.0.1 and returns the URL a link connects to).
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

export const DEFAULT_SITL_SCENE = 'static-subject';
export const DEFAULT_SITL_SERVE = 'udp://127.0.0.1:0';

export interface SitlOptions {
  /** where to serve: udp://HOST:PORT or tcp://HOST:PORT (port 0 = ephemeral); default udp://127.0.0.1:0 */
  serve?: string;
  /** built-in scene name, scene file, or an already loaded scene; default static-subject */
  scene?: string | LoadedScene;
  /** rig name or file replacing the scene's rig */
  rig?: string;
  autopilot?: Autopilot;
  systemId?: number;
  seed?: number;
  /** simulated seconds per wall second (default 1) */
  speed?: number;
}

export interface SitlHandle {
  /** what a link connects to, e.g. mavlink:udp://127.0.0.1:41234 */
  url: string;
  /** the bound address */
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  world: SimWorld;
  endpoint: SitlMavlinkEndpoint;
  close(): Promise<void>;
}

function resolveScene(scene: SitlOptions['scene'], rig: string | undefined): LoadedScene {
  const loaded = typeof scene === 'object' ? scene : loadScene(scene ?? DEFAULT_SITL_SCENE);
  return rig ? { ...loaded, rig: loadRig(rig) } : loaded;
}

export async function startSitl(options: SitlOptions = {}): Promise<SitlHandle> {
  const serve = options.serve ?? DEFAULT_SITL_SERVE;
  const { endpoint } = parseMavlinkEndpoint(serve, true);
  let server: ServerTransport;
  let kind: 'udp' | 'tcp';
  if (endpoint.transport === 'udp-listen' || endpoint.transport === 'udp-connect') {
    server = new UdpServer(endpoint.host, endpoint.port);
    kind = 'udp';
  } else if (endpoint.transport === 'tcp') {
    server = new TcpServer(endpoint.host, endpoint.port);
    kind = 'tcp';
  } else {
    throw new CinePilotError('SITL_BAD_SERVE', `--mavlink ${serve}: the simulator serves udp://HOST:PORT or tcp://HOST:PORT, not a serial port.`);
  }
  const scene = resolveScene(options.scene, options.rig);
  const world = new SimWorld(scene, { seed: options.seed });
  const vehicle = new SimVehicleLink(world);
  await vehicle.connect();
  const sitl = new SitlMavlinkEndpoint({ vehicle, transport: server, lens: scene.rig.lens, autopilot: options.autopilot, systemId: options.systemId });
  const bound = await server.listen();
  const unsubscribe = world.onStep((w) => sitl.tick(w.timeS));
  const runner = new RealtimeRunner(world, { speed: options.speed });
  runner.start();
  const hostShown = bound.host.includes(':') ? `[${bound.host}]` : bound.host;
  let closed = false;
  return {
    url: `mavlink:${kind}://${hostShown}:${bound.port}`,
    host: bound.host,
    port: bound.port,
    transport: kind,
    world,
    endpoint: sitl,
    async close() {
      if (closed) return;
      closed = true;
      runner.stop();
      unsubscribe();
      await server.close();
      await vehicle.close();
    },
  };
}
