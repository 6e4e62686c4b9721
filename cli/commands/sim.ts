/**
 * `cinepilot sim --mavlink udp://127.0.0.1:14540` — the simulator in real
 * time as a MAVLink autopilot (SITL), or `--mavsdk 127.0.0.1:50051` as a
 * mavsdk_server stand-in, so a controller, QGroundControl or a MAVSDK script
 * can fly the simulated drone over real sockets.
 */
import { parseFlags, numberFlag } from '../args.ts';
import { CinePilotError, EXIT_BAD_INPUT, EXIT_OK } from '../../core/errors.ts';
import { radToDeg } from '../../core/units.ts';
import { listBuiltinScenes } from '../../sim/scene-loader.ts';
import { DEFAULT_SITL_SCENE, startMavsdkSitl, startSitl } from '../../sim/sitl/start.ts';
import type { SimWorld } from '../../sim/world.ts';

const HELP = `usage: cinepilot sim --mavlink udp://HOST:PORT|tcp://HOST:PORT [options]
       cinepilot sim --mavsdk HOST:PORT [options]

Runs the simulator in real time behind a real socket and prints what it serves
(one JSON line on stdout), then a status line every second on stderr. Ctrl-C stops it.

  --mavlink URL      serve the MAVLink autopilot side: udp://127.0.0.1:14540 (a link connects with
                     mavlink:udp://127.0.0.1:14540), udp://:14540 (all interfaces), tcp://127.0.0.1:5760,
                     or udpout://127.0.0.1:14540 to push to a link that listens there (like PX4 SITL;
                     the link uses mavlink:udp://:14540)
  --mavsdk HOST:PORT serve the MAVSDK gRPC services instead (a link connects with mavsdk://HOST:PORT)
  --scene NAME|FILE  built-in scene or scene file (default ${DEFAULT_SITL_SCENE}; built-in: ${listBuiltinScenes().join(', ')})
  --rig NAME|FILE    rig replacing the scene's rig (lens ranges, airframe, gimbal)
  --autopilot px4|ardupilot   MAVLink flavour: PX4 custom modes or ArduCopter modes (default px4)
  --sysid N          MAVLink system id of the vehicle (1…255, default 1)
  --speed X          simulated seconds per wall second (default 1)
  --seed N           random seed for wind and walkers (default 1)
  --duration S       stop after S seconds (default: run until Ctrl-C)
  --quiet            no status lines`;

function status(world: SimWorld, extra: string): string {
  const t = world.telemetry();
  const p = t.positionNedM;
  return `t=${world.timeS.toFixed(1)}s ${t.armed ? 'armed' : 'disarmed'} ${t.mode.padEnd(8)} ` +
    `NED ${p.x.toFixed(1)},${p.y.toFixed(1)},${p.z.toFixed(1)} m yaw ${radToDeg(t.yawRad).toFixed(0)}° ` +
    `gimbal ${radToDeg(t.gimbal.pitchRad).toFixed(0)}° ${t.lens.focalLengthMm.toFixed(0)} mm f/${t.lens.fNumber.toFixed(1)} ${extra}`;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    mavlink: { type: 'string' },
    mavsdk: { type: 'string' },
    scene: { type: 'string' },
    rig: { type: 'string' },
    autopilot: { type: 'string' },
    sysid: { type: 'string' },
    speed: { type: 'string' },
    seed: { type: 'string' },
    duration: { type: 'string' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, false);
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  if (!values.mavlink === !values.mavsdk) {
    console.error(`cinepilot sim: give exactly one of --mavlink URL or --mavsdk HOST:PORT.\n\n${HELP}`);
    return EXIT_BAD_INPUT;
  }
  const autopilot = values.autopilot ?? 'px4';
  if (autopilot !== 'px4' && autopilot !== 'ardupilot') throw new CinePilotError('BAD_FLAG', `--autopilot ${autopilot}: must be px4 or ardupilot.`);
  const systemId = numberFlag('sysid', values.sysid, { min: 1, max: 255, integer: true });
  const speed = numberFlag('speed', values.speed, { min: 0, exclusiveMin: true, max: 100 });
  const seed = numberFlag('seed', values.seed, { integer: true });
  const durationS = numberFlag('duration', values.duration, { min: 0, exclusiveMin: true });
  const common = { scene: values.scene, rig: values.rig, speed, seed };

  let world: SimWorld;
  let close: () => Promise<void>;
  let extra: () => string;
  if (values.mavlink) {
    const serve = values.mavlink.replace(/^mavlink:/, '');
    const sitl = await startSitl({ ...common, serve, autopilot, systemId });
    world = sitl.world;
    close = () => sitl.close();
    extra = () => {
      const s = sitl.endpoint.stats();
      return `| peers ${s.peers} in ${s.framesIn} out ${s.framesOut} dropped ${s.dropped}`;
    };
    console.log(JSON.stringify({
      serving: 'mavlink',
      transport: sitl.transport,
      bound: `${sitl.host}:${sitl.port}`,
      connectWith: sitl.url,
      autopilot,
      systemId: systemId ?? 1,
      components: { autopilot: 1, camera: 100, gimbal: 154 },
      streamsHz: sitl.endpoint.streamRates(),
      scene: world.scene.source,
      rig: world.rig.name,
    }));
  } else {
    const m = /^(?:mavsdk:(?:\/\/)?)?(\[[^\]]+\]|[^:]+):(\d+)$/.exec(values.mavsdk!);
    if (!m) throw new CinePilotError('BAD_FLAG', `--mavsdk ${values.mavsdk}: expected HOST:PORT, e.g. 127.0.0.1:50051.`);
    const port = numberFlag('mavsdk port', m[2], { min: 0, max: 65535, integer: true })!;
    const server = await startMavsdkSitl({ ...common, host: m[1]!.replace(/^\[|\]$/g, ''), port });
    world = server.world;
    close = () => server.close();
    extra = () => '';
    console.log(JSON.stringify({ serving: 'mavsdk', grpcAddress: server.grpcAddress, connectWith: server.url, scene: world.scene.source, rig: world.rig.name }));
  }

  const statusTimer = values.quiet ? null : setInterval(() => process.stderr.write(`${status(world, extra())}\n`), 1000);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (durationS !== undefined) setTimeout(stop, durationS * 1000);
  });
  if (statusTimer) clearInterval(statusTimer);
  await close();
  return EXIT_OK;
}
