#!/usr/bin/env node
/**
 * The `ttsync` command. It sits above both `src/` and `sandbox/`, so it is the one place that may
 * wire them together (src/ itself never imports the sandboxes, ARCHITECTURE.md §3).
 */
import { runCli } from '../src/cli/run.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  sandbox: {
    ghl: async (argv) => (await import('../sandbox/ghl/cli.ts')).runGhlSandboxCli(argv),
    tt: async (argv) => (await import('../sandbox/tenant-turner/cli.ts')).runTtSandboxCli(argv),
  },
  startDemo: async () => (await import('../sandbox/demo.ts')).startDemoSandboxes(),
});
