/**
 * A year's files written on a thread of their own while this one runs the cycles (`demo`, `year`; issue
 * 17). YearFiles on this thread used to read each completed cycle's results, build its sheets and reports
 * and copy them to a file worker: ~0.9 s of this thread's CPU a county year, between the cycles' requests.
 * Here the thread (year-files-worker.ts) has its own connection to the same table and does all of it —
 * reading, JSON, CSV, reports, workbooks — with the same writers, so the files and their bytes are the
 * same; this thread only says which cycle completed. The year's audit entry ('export.all') comes back
 * here and is appended to the chain this thread holds, as before.
 */
import type { Worker } from 'node:worker_threads';
import type { WrittenFiles } from '../shared/app/results-writer.js';
import { rethrown, type ThrownError } from '../shared/reports/file-jobs.js';
import type { ExportEntry, WrittenReports } from '../shared/reports/index.js';
import type { YearFilesOptions } from '../shared/reports/year-files.js';
import type { CycleRecord } from '../shared/store/cycles.js';
import type { Repositories } from '../shared/store/index.js';
import { spawnWorker } from '../shared/worker-bundle.js';

/** What the thread is started with (plain data). */
export interface YearFilesThreadData {
  endpoint: string;
  tableName: string;
  communityId: string;
  year: number;
  outDir: string;
  options: Pick<YearFilesOptions, 'by' | 'bankFormat' | 'reports'>;
}

export type ToYearFilesThread =
  | { type: 'completed'; cycle: CycleRecord }
  | { type: 'finish' }
  | { type: 'abandon' };

export type FromYearFilesThread =
  | {
      type: 'finished';
      results: WrittenFiles;
      reports: WrittenReports | undefined;
      summary: string;
      entry?: ExportEntry;
    }
  | { type: 'abandoned' }
  | { type: 'failed'; error: ThrownError };

export interface WrittenYearOnThread {
  results: WrittenFiles;
  reports: WrittenReports | undefined;
  /** The year's closing summary (cli/summary.ts), made where the year's data was read. */
  summary: string;
}

/** The worker's file in the CLI's build (bin/build.mjs ENTRIES). */
const BUILT_YEAR_FILES_WORKER = 'yearFilesWorker.mjs';

export class YearFilesThread {
  private answer: ((message: FromYearFilesThread) => void) | undefined;
  private lost: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly repos: Repositories,
    private readonly communityId: string,
  ) {
    worker.on('message', (message: FromYearFilesThread) => this.answer?.(message));
    const gone = (error: Error) => {
      this.lost ??= error;
      this.answer?.({ type: 'failed', error: { name: error.name, message: error.message } });
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the year's file thread exited (code ${code})`)));
  }

  /** The thread: the CLI build's worker, or (vitest, tsx) bundled from the sources. */
  static async start(repos: Repositories, data: YearFilesThreadData): Promise<YearFilesThread> {
    const worker = await spawnWorker(
      BUILT_YEAR_FILES_WORKER,
      { from: import.meta.url, entry: './year-files-worker.ts' },
      { workerData: data },
    );
    if (!worker) throw new Error(`the CLI's build has no ${BUILT_YEAR_FILES_WORKER}: run npm run build`);
    return new YearFilesThread(worker, repos, data.communityId);
  }

  /** A cycle of the year completed: the thread writes its files behind those of the cycles before. */
  completed(cycle: CycleRecord): void {
    if (!this.lost) this.post({ type: 'completed', cycle });
  }

  /** Once the year's cycles completed: the year's files, every file written, the export's audit entry. */
  async finish(): Promise<WrittenYearOnThread> {
    const answer = await this.ask({ type: 'finish' });
    if (answer.type === 'failed') throw rethrown(answer.error);
    if (answer.type !== 'finished') throw new Error(`the year's file thread answered ${answer.type}`);
    if (answer.entry) await this.repos.audit.append(this.communityId, answer.entry);
    return { results: answer.results, reports: answer.reports, summary: answer.summary };
  }

  /** The cycles failed: waits for what the thread is writing, so nothing is left writing behind an exit. */
  async abandon(): Promise<void> {
    await this.ask({ type: 'abandon' });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private ask(message: ToYearFilesThread): Promise<FromYearFilesThread> {
    if (this.lost)
      return Promise.resolve({ type: 'failed', error: { name: 'Error', message: this.lost.message } });
    return new Promise((resolve) => {
      this.answer = (answer) => {
        this.answer = undefined;
        resolve(answer);
      };
      this.post(message);
    });
  }

  private post(message: ToYearFilesThread): void {
    this.worker.postMessage(message);
  }
}
