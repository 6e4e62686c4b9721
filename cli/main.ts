/**
 * `cinepilot` — one binary, one subcommand per job. Each command lives in its
 * own module, cli/commands/<name>.ts, exporting `run(argv): Promise<number>`
 * (the exit code), loaded lazily.
 */
import { CinePilotError, EXIT_BAD_INPUT } from '../core/errors.ts';
import { loadCommand } from './load-command.ts';

interface CommandEntry {
  summary: string;
}


export const COMMANDS: Record<string, CommandEntry> = {
  start: { summary: 'the studio: simulator + controller + ground station on localhost' },
  optics: { summary: 'depth of field, hyperfocal distance and field of view for a lens setting' },
  profiles: { summary: 'list, show and validate hardware profiles' },
  validate: { summary: 'fly a shot in the simulator headless and check its metrics' },
  bench: { summary: 'benchmarks: qp, mpc, loop, sim, parse, perception' },
  parse: { summary: 'turn words into a ShotSpec' },
  hear: { summary: 'recognise a spoken shot command from a WAV file' },
  track: { summary: 'detect and track people in a video file or stream' },
  perceive: { summary: 'perception for a real aircraft: camera stream + telemetry → named 3D subjects on the controller bus' },
  sim: { summary: 'run the simulator (optionally as a MAVLink autopilot endpoint)' },
  controller: { summary: 'run the controller against a vehicle link' },
  fly: { summary: 'fly a real aircraft (rig + link), with safety checks' },
  log: { summary: 'inspect flight logs (MCAP)' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'usage: cinepilot <command> [options]   (cinepilot <command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : EXIT_BAD_INPUT;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`cinepilot: unknown command "${name}".\n\n${usage()}`);
    return EXIT_BAD_INPUT;
  }
  return (await loadCommand('', name)).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CinePilotError) {
      console.error(`cinepilot: ${err.message}`);
      process.exitCode = EXIT_BAD_INPUT;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);
