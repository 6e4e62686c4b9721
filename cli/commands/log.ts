/**
 * `cinepilot log summary FILE` — what a flight log holds: duration, message
 * counts per channel, every command (who, what, accepted or why not) and
 * every safety event. Works on logs cut short by a crash.
 */
import { parseFlags } from '../args.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from '../../core/errors.ts';
import { summarizeFlightLog } from '../../controller/flight-log/reader.ts';

const HELP = `usage: cinepilot log summary FILE [--json]

  summary FILE   duration, message counts per channel, commands, safety events of an MCAP flight log
                 (written by cinepilot controller / fly / start); a log cut short by a crash reads
                 up to its last flush and says so
  --json         one JSON object instead of text`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  const [sub, file, ...extra] = positionals;
  if (sub !== 'summary' || !file || extra.length) {
    console.error(`cinepilot log: ${sub && sub !== 'summary' ? `unknown subcommand "${sub}"` : 'give a FILE'}.\n\n${HELP}`);
    return EXIT_BAD_INPUT;
  }
  const s = await summarizeFlightLog(file);
  if (values.json) {
    console.log(JSON.stringify(s));
    return EXIT_OK;
  }
  const lines: string[] = [];
  lines.push(`${s.path}: ${s.complete ? 'complete' : `INCOMPLETE (no footer: the writer did not close it${s.trailingBytes ? `; ${s.trailingBytes} trailing bytes ignored` : ''})`}`);
  lines.push(`start ${s.startWallTime ?? '-'}, duration ${s.durationS.toFixed(2)} s, ${s.ticks} ticks`);
  lines.push('messages per channel:');
  for (const [topic, n] of Object.entries(s.messageCounts).sort()) lines.push(`  ${topic.padEnd(24)} ${n}`);
  lines.push(`commands (${s.commands.length}):`);
  for (const c of s.commands) {
    lines.push(`  t=${c.atS.toFixed(2)}s ${c.who.padEnd(12)} ${c.command.padEnd(14)} ${c.accepted ? 'accepted' : `REJECTED: ${c.reason}`}${c.text ? `  "${c.text}"` : ''}`);
  }
  const autonomy = s.safetyEvents.filter((e) => e.region === 'autonomy');
  const envelope = s.safetyEvents.length - autonomy.length;
  lines.push(`safety transitions (${autonomy.length}, plus ${envelope} envelope interventions):`);
  for (const e of autonomy) lines.push(`  t=${e.atS.toFixed(2)}s ${e.from} → ${e.to} (${e.reason}): ${e.detail}`);
  if (s.lastLoopStats) {
    const l = s.lastLoopStats as Record<string, number>;
    lines.push(`loop: ${l.ticks} ticks, jitter p50 ${l.jitterP50Ms?.toFixed(2)} / p99 ${l.jitterP99Ms?.toFixed(2)} ms, overruns ${l.overruns}`);
  }
  console.log(lines.join('\n'));
  return EXIT_OK;
}
