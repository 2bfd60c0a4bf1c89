// Run by thread-priority.test.ts on a worker thread: lowers this thread's priority, answers its nice value.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../../../shared/thread-priority.js';

const niceOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
lowerThisThreadsPriority(workerData as number);
parentPort!.postMessage(niceOf(readFileSync('/proc/thread-self/stat', 'utf8')));
