// Starts the workload parse worker (parse-worker.ts) from TypeScript sources: under vitest, tsx and the
// CLI's bundle (whose modules keep their sources' locations) the worker thread has no TypeScript loader of
// its own. tsx's transform cache would live in the system temp directory: nothing is left there.
import { workerData } from 'node:worker_threads';

process.env.TSX_DISABLE_CACHE ??= '1';
const { register } = await import('tsx/esm/api');
register();
await import(workerData.entry);
