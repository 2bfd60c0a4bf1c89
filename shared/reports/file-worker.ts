/**
 * A thread that builds a year's XLSX files (issue 17) for `medcomm export all`, while the main thread
 * writes the rest. A job is plain data and a path, run by writeFileJob as on the main thread
 * (file-jobs.ts). The protocol is FileWorkers' (file-workers.ts).
 */
import { parentPort } from 'node:worker_threads';
import { type FromFileWorker, type ToFileWorker, thrown, writeFileJob } from './file-jobs.js';

const port = parentPort!;

port.on('message', ({ id, job, path }: ToFileWorker) => {
  writeFileJob(job, path).then(
    () => port.postMessage({ id, ok: true } satisfies FromFileWorker),
    (error: unknown) => port.postMessage({ id, ok: false, error: thrown(error) } satisfies FromFileWorker),
  );
});
