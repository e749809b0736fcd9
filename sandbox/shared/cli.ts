/**
 * What both sandbox CLIs share: integer flags, waiting for Ctrl+C or SIGTERM, and running as the
 * main module with a readable error and exit code 1 on failure.
 */

/** A non-negative integer flag, or undefined when absent; throws a readable error otherwise. */
export function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`--${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}

/** Resolves on the first SIGINT or SIGTERM (and stops listening for them). */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Runs a CLI with the process arguments; a failure prints its message and sets exit code 1. */
export function runMain(run: (argv: string[]) => Promise<void>): void {
  run(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
