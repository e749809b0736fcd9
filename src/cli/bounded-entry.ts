/** The worker side of `runBounded`: runs the command line it was given and posts the exit code. */
import { parentPort, workerData } from 'node:worker_threads';
import { runCli } from './run.ts';

const { argv } = workerData as { argv: string[] };
const exitCode = await runCli(argv, { sandbox: {} });
parentPort?.postMessage({ exitCode });
