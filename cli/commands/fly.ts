/**
 * `cinepilot fly --rig FILE --link URL --geofence FILE` — the controller for
 * a real aircraft. Same process as `cinepilot controller`, with the gates a
 * real flight needs: it will not start without a valid geofence, serves the
 * bus so a pilot client can connect, and refuses to arm until a pilot is
 * connected (their client can take over and e-stop at any time). It prints
 * what is still missing before arming is possible.
 */
import { parseFlags } from '../args.ts';
import { CinePilotError, EXIT_BAD_INPUT, EXIT_OK } from '../../core/errors.ts';
import { DEFAULT_BUS_PORT } from '../../controller/bus/zmq.ts';
import { PILOT_LEASE_S } from '../../controller/bus/runtime-bridge.ts';
import { CONTROLLER_FLAGS, controllerOptionsFromFlags, runUntilStopped, startControllerProcess } from './controller.ts';

const HELP = `usage: cinepilot fly --rig FILE|NAME --link URL --geofence FILE [--bus tcp://127.0.0.1:PORT] [options]

Flies a real aircraft under the safety supervisor. Refuses to arm without a valid geofence
and a connected pilot: a pilot client (ground station, role pilot) connects over the bus and
says hello at least every ${PILOT_LEASE_S} s; arm, takeoff, e-stop and override come from it.

  --rig FILE|NAME     hardware rig (its safety block: keep-out radius, speed cap, link-loss hold and
                      action, low-battery limit)
  --link URL          mavlink:udp://:14540 | mavlink:tcp://HOST:5760 | mavlink:serial:///dev/ttyACM0:921600 |
                      mavsdk://127.0.0.1:50051  (sim also works, for rehearsal)
  --geofence FILE     required: JSON { "polygonNeM": [[n,e],…], "minAltitudeM", "maxAltitudeM" }, metres from
                      home; home must be inside, the band wider than twice the safety margin
  --bus URL           where pilot and DP clients connect (default tcp://127.0.0.1:${DEFAULT_BUS_PORT}: state on the
                      port, commands on port+1); loopback only unless --bus-allow-remote
  --log FILE          flight log (default .cinepilot/logs/fly-<time>.mcap); --no-log is refused for fly
  --controller NAME   mpc | baseline (default mpc)
  --rate HZ           loop rate (default 50)
  --duration S        stop after S seconds
  --perception-stale S    subjects older than S s: hold framing on the prediction (default 0.5); set it to
                          the measurement age cinepilot perceive reports on this aircraft's computer
  --perception-timeout S  older than S s: brake and hover (default 2; must exceed --perception-stale)
  --quiet             no status lines`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, CONTROLLER_FLAGS, false);
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  const missing: string[] = [];
  if (!values.rig) missing.push('--rig FILE|NAME (the aircraft: airframe, gimbal, camera, lens, link, safety limits)');
  if (!values.link) missing.push('--link URL (how to reach the autopilot, e.g. mavlink:udp://:14540)');
  if (!values.geofence) missing.push('--geofence FILE (the flight volume; fly refuses to arm without a valid geofence)');
  if (values['no-log']) missing.push('a flight log (--no-log is not allowed for fly: every command must be on record)');
  if (missing.length) {
    console.error(`cinepilot fly: missing ${missing.join('; ')}.\n\n${HELP}`);
    return EXIT_BAD_INPUT;
  }
  const opts = controllerOptionsFromFlags(values, { prefix: 'fly', busUrl: `tcp://127.0.0.1:${DEFAULT_BUS_PORT}`, requireGates: true });
  if (!opts.busUrl) throw new CinePilotError('BAD_FLAG', 'fly needs --bus: it is how a pilot connects.');
  const proc = await startControllerProcess(opts);
  console.log(JSON.stringify({
    link: proc.link.endpoint, linkKind: proc.link.kind, rig: proc.runtime.rig.name, controller: opts.controller, rateHz: opts.rateHz,
    bus: proc.bus?.endpoints ?? null, log: proc.logPath, geofence: proc.runtime.geofence,
  }));
  let lastBlockers = '';
  await runUntilStopped(proc, opts.durationS, opts.quiet, () => {
    const blockers = proc.runtime.armBlockers();
    const text = blockers.length ? ` | arming blocked: ${blockers.join('; ')}` : ' | ready to arm (on a pilot\'s command)';
    if (opts.quiet && text !== lastBlockers) process.stderr.write(text.slice(3) + '\n');
    lastBlockers = text;
    return text;
  });
  if (proc.logPath) process.stderr.write(`flight log: ${proc.logPath} (cinepilot log summary ${proc.logPath})\n`);
  return EXIT_OK;
}
