/** Waiting for Ctrl+C or a service manager's stop, for long-running commands. */
import { isMainThread, parentPort } from 'node:worker_threads';

/**
 * Resolves on the first SIGINT or SIGTERM; in a batch command's worker thread (`bounded.ts`),
 * on the signal the main thread relays.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  if (!isMainThread && parentPort) return relayedSignal(parentPort);
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function relayedSignal(port: NonNullable<typeof parentPort>): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const listen = (message: { signal?: NodeJS.Signals }): void => {
      if (!message.signal) return;
      port.off('message', listen);
      resolve(message.signal);
    };
    port.on('message', listen);
    // Listening must not keep the worker alive once its command is done.
    port.unref();
  });
}

/**
 * The exit code of a command whose work threw: 130 and a plain "stopped" line when the user
 * stopped it (aborting cuts off whatever call was running, which would otherwise read as
 * "could not reach GHL"); `kept` says what survives. Any other failure is thrown on.
 */
export function stoppedExit(signal: AbortSignal, error: unknown, kept: string): number {
  if (!signal.aborted) throw error;
  console.error(`ttsync: stopped by signal; ${kept}.`);
  return 130;
}
