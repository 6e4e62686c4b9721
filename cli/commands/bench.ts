/**
 * `cinepilot bench <what>` — benchmarks print figures; they never pass or
 * fail on timing. Each lives in cli/commands/bench/<what>.ts.
 */
import { EXIT_BAD_INPUT } from '../../core/errors.ts';
import { loadCommand } from '../load-command.ts';

const BENCHES: Record<string, string> = {
  qp: 'OCP-QP solver on a file of problems (cinepilot bench qp FILE [--json])',
  mpc: 'closed-loop RTI-SQP step time vs a reference solver',
  loop: 'real-time control loop jitter and overruns',
  sim: 'simulator real-time factor with a trivial controller',
  parse: 'shot-language parse latency',
  perception: 'detector/tracker frames per second and latency',
};

export async function run(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (!what || !(what in BENCHES)) {
    console.error(
      `usage: cinepilot bench <what> [options]\n\n` +
        Object.entries(BENCHES).map(([k, v]) => `  ${k.padEnd(11)} ${v}`).join('\n'),
    );
    return EXIT_BAD_INPUT;
  }
  return (await loadCommand('bench', what)).run(rest);
}
