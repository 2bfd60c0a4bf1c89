/**
 * A thread that lowers its priority lowers its own only (issue 17: the import's parse worker and the year's
 * file thread wait for the main thread and the database; the main thread must not wait for them).
 */

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { bundleWorkerFromSources } from '../../../shared/worker-bundle.js';

/** A thread's nice value: field 19 of its stat line, the 17th after the command name's parenthesis. */
const niceOf = (path: string) => {
  const stat = readFileSync(path, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
};

describe.runIf(process.platform === 'linux')('lowerThisThreadsPriority', () => {
  it("sets the calling thread's nice value and leaves the process's main thread as it was", async () => {
    const before = niceOf('/proc/thread-self/stat');
    const code = await bundleWorkerFromSources(new URL('./lower-priority.worker.ts', import.meta.url));
    const wanted = Math.min(19, before + 7);
    const worker = new Worker(code, { eval: true, workerData: wanted });
    const [nice] = await once(worker, 'message');
    await worker.terminate();
    expect(nice).toBe(wanted);
    expect(niceOf('/proc/thread-self/stat')).toBe(before);
  });
});
