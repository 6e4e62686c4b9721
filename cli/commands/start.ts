/**
 * `cinepilot start` (`npm start`) — the studio: simulator, controller and
 * ground station in one process. Prints the URL with the pilot token; Ctrl-C
 * shuts down cleanly (a real vehicle is commanded to hold first).
 */
import { join, resolve } from 'node:path';
import { parseFlags, numberFlag } from '../args.ts';
import { EXIT_OK } from '../../core/errors.ts';

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_CONFIG_DIR = '.cinepilot';

const HELP = `usage: cinepilot start [options]        (npm start -- [options])

The studio: the simulator (or a real aircraft), the controller and the
ground-station web app in one process. Prints http://HOST:PORT/?token=… —
opening it logs you in as the local pilot.

  --port N            HTTP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host ADDR         address to bind (default ${DEFAULT_HOST}, this machine only;
                      0.0.0.0 exposes it on the set network — share dp/viewer tokens, not yours)
  --scene NAME|FILE   simulator scene (default two-actors; static-subject, runner, crossing-occlusion, or a .json)
  --rig NAME|FILE     hardware rig (default: the scene's)
  --link URL          fly a real aircraft instead of the simulator: mavlink:udp://:14540,
                      mavlink:tcp://HOST:PORT, mavlink:serial:///dev/ttyACM0:921600, mavsdk://HOST:PORT
  --video SOURCE      live video for the camera view: what ffmpeg reads (rtsp://…, udp://…, srt://…,
                      a file) or testsrc (a test pattern); without it the camera view is the render
  --controller NAME   shot controller (default: mpc when available, else baseline)
  --seed N            simulator seed (default 1)
  --sim-speed X       simulated seconds per wall second (default 1); below 1 the simulator
                      and the controller slow down together, for machines too busy for the MPC
  --config-dir DIR    where access tokens, the audit log and flight logs live (default ${DEFAULT_CONFIG_DIR}/)
  --no-flight-log     do not write an MCAP flight log
  --state-rate HZ     state stream rate to browsers (default 25)
  --help

Access: DIR/access.json lists tokens with roles viewer | dp | pilot. A pilot
token is generated on first start. Keyboard e-stop in the web app: Space
(outside text fields) or Escape (anywhere).`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    scene: { type: 'string' },
    rig: { type: 'string' },
    link: { type: 'string' },
    controller: { type: 'string' },
    video: { type: 'string' },
    seed: { type: 'string' },
    'sim-speed': { type: 'string' },
    'config-dir': { type: 'string' },
    'no-flight-log': { type: 'boolean' },
    'state-rate': { type: 'string' },
    help: { type: 'boolean' },
  }, false);
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  const port = numberFlag('port', values.port, { min: 0, max: 65535, integer: true }) ?? DEFAULT_PORT;
  const seed = numberFlag('seed', values.seed, { min: 0, integer: true }) ?? 1;
  const simSpeed = numberFlag('sim-speed', values['sim-speed'], { min: 0.05, max: 4 });
  const stateRateHz = numberFlag('state-rate', values['state-rate'], { min: 1, max: 100 });
  const host = values.host ?? DEFAULT_HOST;
  const configDir = resolve(values['config-dir'] ?? DEFAULT_CONFIG_DIR);

  // Loaded here, not at the top: `cinepilot start --help` stays instant.
  const [{ startStudioServer }] = await Promise.all([import('../../ground-station/launch.ts')]);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const handle = await startStudioServer({
    port, host, configDir, stateRateHz, videoSource: values.video ?? null,
    studio: {
      scene: values.scene, rig: values.rig, link: values.link, controller: values.controller, seed, simSpeed,
      flightLogPath: values['no-flight-log'] ? null : join(configDir, 'logs', `studio-${stamp}.mcap`),
    },
    log: (line) => console.error(line),
  });
  // Signal handlers first, then the URL: whoever reads the URL may press Ctrl-C at once.
  const stopped = new Promise<void>((done) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        console.error('cinepilot: second signal, exiting now');
        process.exit(1);
      }
      stopping = true;
      console.error(`\ncinepilot: ${signal}: shutting down (vehicle holds first when real)…`);
      handle.close().then(
        () => {
          console.error('cinepilot: stopped cleanly');
          done();
        },
        (err: unknown) => {
          console.error(`cinepilot: shutdown problem: ${(err as Error).message}`);
          done();
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  console.log(handle.url);
  await stopped;
  return EXIT_OK;
}

