/**
 * Where a year's writers put their files: the paths written, in the order the writers name them, and the
 * workbooks built on the file workers (file-workers.ts) when there are any — on this thread, in turn,
 * when there are none, so a writer reads the same and its files have the same bytes either way.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FileJob } from './file-jobs.js';
import { writeFileJob } from './file-jobs.js';
import type { FileWorkers } from './file-workers.js';

export class OutputFolder {
  /** Paths relative to the folder, in the order the writers named them (not the order they finished). */
  readonly files: string[] = [];
  private readonly pending: Promise<void>[] = [];
  private failure: { error: unknown } | undefined;

  constructor(
    readonly dir: string,
    private readonly workers?: FileWorkers,
  ) {}

  /** Writes `content` at `path` on this thread. */
  async write(path: string, content: string | Uint8Array): Promise<void> {
    this.throwIfFailed();
    const full = join(this.dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
    this.files.push(path);
  }

  /** The job's file at `path`: handed to the workers (done by `settled`), else built and written here. */
  async render(path: string, job: FileJob): Promise<void> {
    this.throwIfFailed();
    this.files.push(path);
    if (!this.workers) return writeFileJob(job, join(this.dir, path));
    this.pending.push(
      this.workers.run(job, join(this.dir, path)).catch((error: unknown) => {
        this.failure ??= { error };
      }),
    );
  }

  /** Once every file is written: this thread helps the workers with what is queued. The first job's error, if one failed. */
  async settled(): Promise<void> {
    await this.workers?.helpOut();
    await Promise.all(this.pending);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}

const KIND_RANK = (path: string) => (path.startsWith('monthly/') ? 0 : path.startsWith('quarterly/') ? 1 : 2);

/**
 * A year's paths as writing it at once lists them — the months', then the quarters', then the year's —
 * when they were written a period at a time as the cycles completed (a month, its quarter, the next month).
 */
export function inYearOrder<T>(items: readonly T[], path: (item: T) => string): T[] {
  return [...items].sort((a, b) => KIND_RANK(path(a)) - KIND_RANK(path(b)));
}
