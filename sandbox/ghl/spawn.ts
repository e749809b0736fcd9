/**
 * Runs the GHL sandbox in a child process (`child.ts`), so that what talks to it over HTTP does
 * not share its event loop: benchmarks and timing tests measure the client, not the emulator.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { GhlSandboxOptions } from './index.ts';

/** A sandbox in its own process: its address, main location and a PIT with every scope. */
export interface GhlSandboxProcess {
  url: string;
  locationId: string;
  /** A Private Integration token with every scope the sandbox knows. */
  token: string;
  child: ChildProcess;
  /** Closes the sandbox and resolves when the child has exited. */
  stop(): Promise<void>;
}

/** Forks a sandbox with `options` and resolves once it listens. */
export function spawnGhlSandbox(options: GhlSandboxOptions = {}): Promise<GhlSandboxProcess> {
  const child = fork(new URL('./child.ts', import.meta.url), [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`GHL sandbox process exited early (${code})`)));
    child.once('message', (message) => {
      const info = message as { url: string; locationId: string; token: string };
      resolve({
        ...info,
        child,
        stop: async () => {
          if (child.connected) child.disconnect();
          await exited;
        },
      });
    });
  });
}
