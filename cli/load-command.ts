import { CinePilotError } from '../core/errors.ts';

export interface CommandModule {
  run(argv: string[]): Promise<number>;
}

/**
 * Lazy load of cli/commands/[dir/]<name>.ts, so `cinepilot optics` does not
 * pay for TensorFlow or fastify.
 */
export async function loadCommand(dir: string, name: string): Promise<CommandModule> {
  const rel = `./commands/${dir ? `${dir}/` : ''}${name}.ts`;
  try {
    return (await import(rel)) as CommandModule;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(rel.slice(2))) {
      throw new CinePilotError('COMMAND_UNAVAILABLE', `cinepilot ${dir ? `${dir} ` : ''}${name}: this command is not part of this build.`);
    }
    throw err;
  }
}
