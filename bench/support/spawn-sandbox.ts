/**
 * Starts `ghl-sandbox-process.ts` as a child process and waits for its address.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface SandboxProcess {
  url: string;
  locationId: string;
  token: string;
  child: ChildProcess;
  stop(): void;
}

export function spawnGhlSandbox(options: Record<string, unknown>): Promise<SandboxProcess> {
  const child = fork(
    new URL('./ghl-sandbox-process.ts', import.meta.url),
    [JSON.stringify(options)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sandbox exited early (${code})`)));
    child.once('message', (message) => {
      const info = message as { url: string; locationId: string; token: string };
      resolve({ ...info, child, stop: () => child.disconnect() });
    });
  });
}
