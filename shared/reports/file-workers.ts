/**
 * A small pool of threads that build files (file-worker.ts) while this thread does the rest (issue 17;
 * `medcomm export all`): a year's 36 workbooks were written one after another on one core. Jobs queue in
 * order and go to whichever thread is free; `helpOut` lets this thread take queued jobs too once its own
 * writing is done. A worker holds the process open only while it has a job, so a pool left unclosed
 * never keeps a command from exiting.
 *
 * The worker's code is found as the parse worker's is (shared/dataset/stream.ts): the CLI's build has it
 * as an entry of its own (bin/build.mjs); from the sources (vitest, tsx) it is bundled in memory by
 * esbuild; elsewhere (a Lambda's bundle) there is no worker and every job runs on this thread.
 */
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../worker-bundle.js';
import { type FileJob, type FromFileWorker, rethrown, type ToFileWorker, writeFileJob } from './file-jobs.js';

/** The worker's file in the CLI's build (bin/build.mjs ENTRIES). */
const BUILT_FILE_WORKER = 'fileWorker.mjs';

interface Queued extends ToFileWorker {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class FileWorkers {
  private readonly queue: Queued[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Queued>();
  private nextId = 0;
  private closed = false;

  private constructor() {}

  /** A pool of `threads` workers (each takes jobs once its code has loaded); none: every job runs here. */
  static start(threads: number): FileWorkers {
    const pool = new FileWorkers();
    for (let i = 0; i < threads; i++) pool.spawn();
    return pool;
  }

  /** Queues a job; settles when its file is written (or the job failed, with the job's error). */
  run(job: FileJob, path: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the file workers are closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, path, resolve, reject });
      this.dispatch();
    });
  }

  /** This thread takes queued jobs until none is left (the workers keep taking theirs meanwhile). */
  async helpOut(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      await writeFileJob(next.job, next.path).then(next.resolve, next.reject);
      // Between two workbooks the workers' answers get in, and each free worker its next job.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Stops the threads; a job still queued fails (a caller that closes early is failing already). */
  async close(): Promise<void> {
    this.closed = true;
    for (const queued of this.queue.splice(0)) queued.reject(new Error('the file workers are closed'));
    const workers = [...this.idle.splice(0), ...this.busy.keys()];
    for (const [worker, job] of this.busy) {
      worker.removeAllListeners('exit');
      job.reject(new Error('the file workers are closed'));
    }
    this.busy.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private spawn(): void {
    spawnWorker(BUILT_FILE_WORKER, { from: import.meta.url, entry: './file-worker.ts' }).then(
      (worker) => worker && this.attach(worker),
      () => undefined, // no worker: the jobs run here (helpOut)
    );
  }

  private attach(worker: Worker): void {
    if (this.closed) return void worker.terminate();
    worker.unref();
    worker.on('message', (message: FromFileWorker) => {
      const job = this.busy.get(worker);
      if (!job || job.id !== message.id) return;
      this.busy.delete(worker);
      this.idle.push(worker);
      worker.unref();
      if (message.ok) job.resolve();
      else job.reject(rethrown(message.error));
      this.dispatch();
    });
    // A worker that dies (its code did not load, it ran out of memory) is gone; its job goes back to the
    // front of the queue, for another worker or this thread (helpOut), where a job that fails says why.
    const lost = () => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      if (job) this.queue.unshift(job);
      this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    this.idle.push(worker);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.ref();
      worker.postMessage({ id: job.id, job: job.job, path: job.path } satisfies ToFileWorker);
    }
  }
}
