/**
 * A year's files written while its cycles run (issue 17): `npm start` and `medcomm year` used to read the
 * whole year after its 17 cycles and only then write its 141 files, ~6 s of one core while the database
 * idled. Here each month and quarter is read and written as soon as its cycle completed (runYear's
 * onCompleted), its workbooks on the file workers, while the next cycles run; `finish` writes the year's
 * own files once the annual cycle completed. The files and their bytes are those of writeYearResults and
 * writeReportsAndSheets over loadYear after the cycles (the same writers, a period at a time), and
 * `finish` checks that: if a cycle written early changed since (or the dataset pointer moved, which the
 * months' deductions follow), the year is read again and written at once as before.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type WrittenFiles,
  writeAnnualResults,
  writeMonthResults,
  writeQuarterResults,
  writeYearResults,
} from '../app/results-writer.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import {
  type ReportsOptions,
  type WrittenReports,
  writeReportsAndSheets,
  YearReportsWriter,
} from './index.js';
import { DatasetContexts, loadAnnual, loadMonthly, loadQuarterly, loadYear, yearCycles } from './load.js';
import { inYearOrder, OutputFolder } from './output-folder.js';
import type { MonthlyCycleData, QuarterlyCycleData, YearData } from './sources.js';

export interface YearFilesOptions extends ReportsOptions {
  /** false: only the §8.1 JSON and the CSV pay sheets (`medcomm year --no-reports`). */
  reports?: boolean;
}

export interface WrittenYear {
  /** The year as loadYear reads it once its cycles completed (for the summary). */
  data: YearData;
  results: WrittenFiles;
  reports: WrittenReports | undefined;
}

export class YearFiles {
  private readonly contexts: DatasetContexts;
  private readonly monthly: MonthlyCycleData[] = [];
  private readonly quarterly: QuarterlyCycleData[] = [];
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  private constructor(
    private readonly repos: Repositories,
    private readonly communityId: string,
    private readonly year: number,
    private readonly outDir: string,
    private readonly options: YearFilesOptions,
    private readonly results: OutputFolder,
    private readonly reports: YearReportsWriter | undefined,
    /** The dataset version current when the year began: the months' deductions come from it. */
    private readonly pointer: number | undefined,
  ) {
    this.contexts = new DatasetContexts(repos, communityId);
  }

  static async open(
    repos: Repositories,
    communityId: string,
    year: number,
    outDir: string,
    options: YearFilesOptions = {},
  ): Promise<YearFiles> {
    const [reports, pointer] = await Promise.all([
      options.reports === false
        ? undefined
        : YearReportsWriter.open(repos, communityId, new OutputFolder(outDir, options.workers), options),
      repos.datasets.current(communityId, year),
    ]);
    return new YearFiles(
      repos,
      communityId,
      year,
      outDir,
      options,
      new OutputFolder(outDir, options.workers),
      reports,
      pointer?.version,
    );
  }

  /**
   * A cycle of the year completed: its files are written behind those of the cycles before, while the
   * next cycles run. The year's own (annual) files wait for `finish`.
   */
  completed(cycle: CycleRecord): void {
    if (cycle.kind === 'annual') return;
    this.chain = this.chain
      .then(() => (this.failure ? undefined : this.write(cycle)))
      .catch((error: unknown) => {
        this.failure ??= { error };
      });
  }

  private async write(cycle: CycleRecord): Promise<void> {
    const { repos, contexts } = this;
    if (cycle.kind === 'monthly') {
      const month = await loadMonthly(repos, cycle, contexts);
      this.monthly.push(month);
      await writeMonthResults(this.results, month);
      await this.reports?.month(month);
    } else {
      const quarter = await loadQuarterly(repos, cycle, contexts);
      this.quarterly.push(quarter);
      await writeQuarterResults(this.results, quarter);
      await this.reports?.quarter(quarter, this.quarterly);
    }
  }

  /** Once the year's cycles completed: the year's files, every file settled, the audit entry of the reports. */
  async finish(): Promise<WrittenYear> {
    await this.chain;
    if (this.failure) {
      await this.settledQuietly();
      throw this.failure.error;
    }
    const { repos, communityId, year } = this;
    const [cycles, pointer] = await Promise.all([
      yearCycles(repos, communityId, year),
      repos.datasets.current(communityId, year),
    ]);
    if (!this.unchanged(cycles, pointer?.version)) {
      await this.settledQuietly(); // no early workbook lands after its rewrite
      return this.rewrite();
    }
    const annualCycle = cycles.find((c) => c.kind === 'annual');
    const annual = annualCycle ? await loadAnnual(repos, annualCycle, this.contexts) : null;
    const data: YearData = { communityId, year, monthly: this.monthly, quarterly: this.quarterly, annual };
    if (annual) {
      await writeAnnualResults(this.results, annual);
      await this.reports?.annual(data);
    }
    const reports = await this.reports?.finish(year);
    await this.results.settled();
    return { data, results: { files: inYearOrder(this.results.files, (path) => path) }, reports };
  }

  /** Waits for what is being written (after the cycles failed: nothing is left writing behind an exit). */
  async abandon(): Promise<void> {
    this.failure ??= { error: new Error('the year did not complete') };
    await this.chain;
    await this.settledQuietly();
  }

  private async settledQuietly(): Promise<void> {
    await Promise.allSettled([this.results.settled(), this.reports?.out.settled()]);
  }

  /** Whether the months and quarters written are the year's completed ones, as they are now. */
  private unchanged(cycles: readonly CycleRecord[], pointer: number | undefined): boolean {
    if (pointer !== this.pointer) return false;
    const written = [...this.monthly, ...this.quarterly].map((d) => d.cycle);
    const now = cycles.filter((c) => c.kind !== 'annual');
    if (now.length !== written.length) return false;
    const key = (c: CycleRecord) => `${c.kind} ${c.period}`;
    const writtenAs = new Map(written.map((c) => [key(c), JSON.stringify(c)]));
    return now.every((c) => writtenAs.get(key(c)) === JSON.stringify(c));
  }

  /** The year read again and written at once; a file written early that is not written now is removed. */
  private async rewrite(): Promise<WrittenYear> {
    const { repos, communityId, year, outDir, options } = this;
    const early = new Set([...this.results.files, ...(this.reports?.out.files ?? [])]);
    const data = await loadYear(repos, communityId, year);
    const results = await writeYearResults(repos, communityId, year, outDir, data);
    const reports =
      options.reports === false
        ? undefined
        : await writeReportsAndSheets(repos, communityId, year, outDir, { ...options, data });
    for (const path of [...results.files, ...(reports?.files ?? [])]) early.delete(path);
    await Promise.all([...early].map((path) => rm(join(outDir, path), { force: true })));
    return { data, results, reports };
  }
}
