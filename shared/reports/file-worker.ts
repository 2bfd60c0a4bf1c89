/**
 * The thread that builds a year's XLSX files (issue 17): `npm start` wrote its 36 workbooks on the main
 * thread while the second core idled. A job is plain data and a path, run by writeFileJob as on the main
 * thread (file-jobs.ts). The protocol is FileWorkers' (file-workers.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  type FromFileWorker,
  lowerThisThreadsPriority,
  type ToFileWorker,
  thrown,
  writeFileJob,
} from './file-jobs.js';

const port = parentPort!;

if ((workerData as { lowPriority?: boolean } | undefined)?.lowPriority) lowerThisThreadsPriority();

port.on('message', ({ id, job, path }: ToFileWorker) => {
  writeFileJob(job, path).then(
    () => port.postMessage({ id, ok: true } satisfies FromFileWorker),
    (error: unknown) => port.postMessage({ id, ok: false, error: thrown(error) } satisfies FromFileWorker),
  );
});
