/**
 * `shoal <command>`: the same core as the app, headless in Node. Each command lives in its own
 * module and is loaded on demand so `fit` never pays for tfjs or worker start-up it does not use.
 * Contract: exactly one JSON object on stdout; progress and errors on stderr; exit 1 on error.
 * `--help` (or `-h`) is the exception: the command's help text on stdout, exit 0.
 */
import { errorText } from '../core/errors.ts';
import { ShoalError } from '../core/types.ts';

const commands: Record<string, () => Promise<{ run(args: string[]): Promise<unknown>; help?: () => string }>> = {
  fit: () => import('./fit.ts'),
  apply: () => import('./apply.ts'),
  distill: () => import('./distill.ts'),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const usage = `usage: shoal <${Object.keys(commands).join('|')}> [options]; shoal <command> --help for one command\n`;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  const load = name ? commands[name] : undefined;
  if (!load) {
    process.stderr.write(usage);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const mod = await load();
    process.stdout.write(mod.help ? mod.help() : `usage: shoal ${name} [options] (see the README)\n`);
    return 0;
  }
  try {
    const result = await (await load()).run(rest);
    process.stdout.write(JSON.stringify(result) + '\n');
    return 0;
  } catch (err) {
    const message = errorText(err);
    process.stderr.write(`shoal ${name}: ${message}\n`);
    if (!(err instanceof ShoalError) && process.env.SHOAL_DEBUG) console.error(err);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
