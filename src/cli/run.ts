/**
 * Command dispatch for `ttsync`. Commands are thin wrappers over library functions; this module
 * and `main.ts` are the only places that decide exit codes.
 */
import { AppError } from '../shared/errors.ts';

/** Entry points the bin wires in from outside `src/` (the sandboxes). */
export interface CliHooks {
  sandbox: Record<string, (argv: string[]) => Promise<void>>;
}

const USAGE = `ttsync: keeps HighLevel (GHL) and Tenant Turner in step.

Usage:
  ttsync start                       run the main job (without credentials: the GHL sandbox, seeded)
  ttsync sandbox ghl [options]       run the GHL sandbox: --port N --seed S --contacts N
                                     --search-delay-ms N --rate-window-ms N
  ttsync help                        this text

Docs: README.md, docs/ghl.md`;

/** Runs one command line; resolves with the exit code. */
export async function runCli(argv: string[], hooks: CliHooks): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return 0;
      case 'start':
        return await start(rest, hooks);
      case 'sandbox': {
        const [which, ...args] = rest;
        const run = which ? hooks.sandbox[which] : undefined;
        if (!run) {
          console.error(
            `Unknown sandbox "${which ?? ''}". Available: ${Object.keys(hooks.sandbox).join(', ')}.`,
          );
          return 2;
        }
        await run(args);
        return 0;
      }
      default:
        console.error(`Unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof AppError) {
      console.error(`ttsync: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/**
 * The main job. Until the sync engine exists (a later issue), it starts the GHL sandbox with
 * seeded data so a new user can try the client and the API shapes without credentials.
 */
async function start(argv: string[], hooks: CliHooks): Promise<number> {
  const ghl = hooks.sandbox['ghl'];
  if (!ghl) throw new AppError('unexpected', 'The GHL sandbox is not available in this build.');
  console.log(
    'ttsync start: no sync engine yet and no credentials needed; starting the GHL sandbox.',
  );
  await ghl(argv.length > 0 ? argv : ['--port', '4010']);
  return 0;
}
