/**
 * `cinepilot profiles list | show NAME | validate FILE...`
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseFlags } from '../args.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from '../../core/errors.ts';
import { listShippedProfiles, loadProfile, loadRig, resolveProfilePath, validateProfile } from '../../hardware-profiles/loader.ts';

const HELP = `usage: cinepilot profiles list [--json]
       cinepilot profiles show NAME|FILE [--json]     (a rig is shown with every part resolved)
       cinepilot profiles validate FILE... [--json]   (exit 2 listing the JSON path of each problem)`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  const [verb, ...args] = positionals;
  if (values.help || !verb) {
    console.log(HELP);
    return values.help ? EXIT_OK : EXIT_BAD_INPUT;
  }

  if (verb === 'list') {
    const all = listShippedProfiles();
    if (values.json) {
      console.log(JSON.stringify(all.map((p) => ({ ...p, file: relative(process.cwd(), p.file) }))));
    } else {
      for (const p of all) {
        const doc = JSON.parse(readFileSync(p.file, 'utf8')) as { manufacturer?: string; notes?: string };
        console.log(`${p.type.padEnd(9)} ${p.name.padEnd(24)} ${doc.manufacturer ?? doc.notes ?? ''}`);
      }
    }
    return EXIT_OK;
  }

  if (verb === 'show') {
    if (args.length !== 1) {
      console.error(`cinepilot profiles show: give one profile name or file.\n\n${HELP}`);
      return EXIT_BAD_INPUT;
    }
    const file = resolveProfilePath(args[0]!);
    const doc = loadProfile<{ type: string }>(file);
    const shown = doc.type === 'rig' ? loadRig(file) : doc;
    console.log(JSON.stringify(shown, null, values.json ? undefined : 2));
    return EXIT_OK;
  }

  if (verb === 'validate') {
    if (args.length === 0) {
      console.error(`cinepilot profiles validate: give at least one file.\n\n${HELP}`);
      return EXIT_BAD_INPUT;
    }
    let bad = 0;
    const results: Array<{ file: string; ok: boolean; problems: Array<{ path: string; message: string }> }> = [];
    for (const arg of args) {
      let problems: Array<{ path: string; message: string }>;
      try {
        const file = resolveProfilePath(arg);
        let doc: unknown;
        try {
          doc = JSON.parse(readFileSync(file, 'utf8'));
        } catch (err) {
          throw new Error(`not readable JSON: ${(err as Error).message}`);
        }
        problems = validateProfile(doc);
        // A rig is only valid if every part it references is.
        if (!problems.length && (doc as { type?: string }).type === 'rig') {
          try {
            loadRig(file);
          } catch (err) {
            problems = [{ path: '', message: (err as Error).message }];
          }
        }
      } catch (err) {
        problems = [{ path: '', message: (err as Error).message }];
      }
      if (problems.length) bad++;
      results.push({ file: arg, ok: problems.length === 0, problems });
    }
    if (values.json) console.log(JSON.stringify(results));
    else {
      for (const r of results) {
        if (r.ok) console.log(`ok       ${r.file}`);
        else {
          console.error(`invalid  ${r.file}`);
          for (const p of r.problems) console.error(`  ${p.path || '/'}: ${p.message}`);
        }
      }
    }
    return bad ? EXIT_BAD_INPUT : EXIT_OK;
  }

  console.error(`cinepilot profiles: unknown verb "${verb}".\n\n${HELP}`);
  return EXIT_BAD_INPUT;
}
