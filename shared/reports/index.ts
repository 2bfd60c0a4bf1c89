/**
 * Reports and exports (DOMAIN.md §8): the monthly dispatch report, the quarterly bulletin and the annual
 * appraisal report as JSON and printable HTML, the pay sheets as XLSX, and HR's bank-transfer files.
 *
 * writeReportsAndSheets writes them for a whole year next to what shared/app/results-writer.ts writes
 * (the §8.1 contract JSON and the CSV pay sheets), in the same folders:
 *
 *   monthly/YYYY-MM/    report.json, report.html, paysheet.xlsx, bank/bank-transfer.{csv,xlsx}
 *   quarterly/YYYY-Qn/  bulletin-report.json, bulletin-report.html, paysheet.xlsx, bank/bank-transfer.{csv,xlsx}
 *   annual/YYYY/        appraisal-report.json, appraisal-report.html, paysheet.xlsx, leaders.xlsx,
 *                       bank/bank-transfer.{csv,xlsx}, bank/leaders-bank-transfer.{csv,xlsx}
 *   …/bank/not-transferred.csv  when a bank file had to leave someone out (no account, negative net)
 *   …/bank/bank-YYYY-MM….{txt,csv,xls,xlsx} and bank-…-汇总.csv  the bank format's files (issue 16): the one
 *                       named (`options.bankFormat`), else the community's chosen one; none for csv/xlsx
 *
 * It never writes bulletin.json, appraisal.json or paysheet.json (the contract files). report.json is the
 * stored monthly REPORT document with names, statuses and warnings added; every stored field is kept.
 */
import { assertAccountsConfirmed } from '../app/account-changes.js';
import { bankFormatFor, bankFormatOf, renderBankFormat } from '../app/bank-export.js';
import type { PaySheet } from '../export/index.js';
import type { Staff } from '../schemas/dataset.js';
import { auditList } from '../store/audit.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import { annualAppraisalReport } from './annual.js';
import { quarterlyBulletinReport } from './bulletin.js';
import type { SheetKind } from './exports.js';
import type { FileWorkers } from './file-workers.js';
import { loadMonthDeductions, loadYear } from './load.js';
import { monthlyDispatchReport } from './monthly.js';
import { inYearOrder, OutputFolder } from './output-folder.js';
import { bankTitle, jsonText, notTransferredCsv } from './render.js';
import type { NotTransferred } from './sheets.js';
import {
  annualPaySheet,
  bankTransfer,
  leadersPaySheet,
  monthlyPaySheet,
  quarterlyPaySheet,
  withDeductions,
} from './sheets.js';
import type { MonthlyCycleData, QuarterlyCycleData, YearData } from './sources.js';

export { annualAppraisalReport } from './annual.js';
export { quarterlyBulletinReport, scoreTrend } from './bulletin.js';
export {
  buildReport,
  cycleKindFor,
  type ExportedBankFile,
  type ExportedFile,
  type ExportRequest,
  exportBank,
  exportReport,
  exportSheet,
  periodKind,
  type SheetKind,
} from './exports.js';
export { renderAnnualHtml } from './html/annual.js';
export { renderBulletinHtml } from './html/bulletin.js';
export { escapeHtml } from './html/escape.js';
export { renderMonthlyHtml } from './html/monthly.js';
export * from './load.js';
export { monthlyDispatchReport } from './monthly.js';
export {
  type AnyReport,
  type BankFormat,
  bankTitle,
  MEDIA_TYPES,
  notTransferredCsv,
  type ReportFormat,
  renderBank,
  renderReport,
  renderReportHtml,
  renderSheet,
  type SheetFormat,
} from './render.js';
export * from './schemas.js';
export {
  annualPaySheet,
  type BankTransfer,
  bankTransfer,
  leadersPaySheet,
  monthlyPaySheet,
  NOT_TRANSFERRED_REASONS,
  type NotTransferred,
  paySheetJson,
  quarterlyPaySheet,
} from './sheets.js';
export type * from './sources.js';

export interface WrittenReports {
  /** Paths written, relative to the output folder. */
  files: string[];
  /** Per bank file, the people it could not pay. */
  notTransferred: { file: string; rows: NotTransferred[] }[];
}

export interface ReportsOptions {
  /** Who exports (the audit entry's actor); 'cli' when not named. */
  by?: string;
  /** The bank's format, besides HR's CSV and XLSX copies (issue 16); the community's when not named. */
  bankFormat?: string;
  /** Threads that build the XLSX files while this one writes the rest (file-workers.ts); none: here. */
  workers?: FileWorkers;
  /**
   * Records the 'export.all' entry; default: appended to the community's audit chain here. A thread that
   * writes the files for another (cli/year-files-thread.ts) hands the entry to the thread that holds the chain.
   */
  recordExport?: (communityId: string, entry: ExportEntry) => Promise<unknown>;
}

/** The audit entry a year's export records. */
export type ExportEntry = Parameters<Repositories['audit']['append']>[1];

/**
 * Writes the reports, XLSX sheets and bank files of every completed cycle of `year` under `outDir` and
 * records one audit entry ('export.all') naming `options.by` and every bank file written. `options.data`:
 * the year already loaded (loadYear) by a caller that writes more from it; read here otherwise.
 */
export async function writeReportsAndSheets(
  repos: Repositories,
  communityId: string,
  year: number,
  outDir: string,
  options: ReportsOptions & { data?: YearData } = {},
): Promise<WrittenReports> {
  const writer = await YearReportsWriter.open(
    repos,
    communityId,
    new OutputFolder(outDir, options.workers),
    options,
  );
  const data = options.data ?? (await loadYear(repos, communityId, year));
  for (const m of data.monthly) await writer.month(m);
  for (const q of data.quarterly) await writer.quarter(q, data.quarterly);
  if (data.annual) await writer.annual(data);
  return writer.finish(year);
}

/**
 * writeReportsAndSheets a period at a time, so a caller may write each cycle's files as soon as it
 * completes (the demo writes them while the later cycles run): months and quarters in period order,
 * then the year, then `finish`. The files and their bytes are those of writing the year at once.
 */
export class YearReportsWriter {
  private readonly bankFiles: string[] = [];
  private readonly notTransferred: WrittenReports['notTransferred'] = [];

  private constructor(
    private readonly repos: Repositories,
    private readonly communityId: string,
    readonly out: OutputFolder,
    private readonly by: string,
    private readonly choice: Awaited<ReturnType<typeof bankFormatOf>> | undefined,
    private readonly recordExport: NonNullable<ReportsOptions['recordExport']>,
  ) {}

  static async open(
    repos: Repositories,
    communityId: string,
    out: OutputFolder,
    options: ReportsOptions = {},
  ): Promise<YearReportsWriter> {
    // The bank's format, besides HR's CSV and XLSX copies: the one named, else the community's (issue 16).
    const bankFormat = await bankFormatFor(repos, communityId, options.bankFormat);
    const choice =
      bankFormat === 'csv' || bankFormat === 'xlsx'
        ? undefined
        : await bankFormatOf(repos, communityId, bankFormat);
    const recordExport = options.recordExport ?? ((id, entry) => repos.audit.append(id, entry));
    return new YearReportsWriter(repos, communityId, out, options.by ?? 'cli', choice, recordExport);
  }

  async month(m: MonthlyCycleData): Promise<void> {
    const dir = `monthly/${m.cycle.period}`;
    const report = monthlyDispatchReport(m);
    await this.out.write(`${dir}/report.json`, jsonText(report));
    await this.out.render(`${dir}/report.html`, { type: 'reportHtml', report });
    // Issue 16: the month's withholding (deductions.csv), when it has any: 实发 on the sheet and in the bank files.
    const sheet = withDeductions(monthlyPaySheet(m), (await loadMonthDeductions(this.repos, m.cycle))?.rows);
    await this.out.render(`${dir}/paysheet.xlsx`, { type: 'paySheetXlsx', sheet });
    await this.bank(dir, 'bank-transfer', sheet, m.dataset.staff, 'monthly', m.cycle);
  }

  /** `quarters`: the year's quarters so far (the bulletin's trend and previous quarter come from them). */
  async quarter(q: QuarterlyCycleData, quarters: readonly QuarterlyCycleData[]): Promise<void> {
    const dir = `quarterly/${q.cycle.period}`;
    const report = quarterlyBulletinReport(q, quarters);
    await this.out.write(`${dir}/bulletin-report.json`, jsonText(report));
    await this.out.render(`${dir}/bulletin-report.html`, { type: 'reportHtml', report });
    const sheet = quarterlyPaySheet(q);
    await this.out.render(`${dir}/paysheet.xlsx`, { type: 'paySheetXlsx', sheet });
    await this.bank(dir, 'bank-transfer', sheet, q.dataset.staff, 'quarterly', q.cycle);
  }

  /** The year's files: `data.annual` must be loaded. */
  async annual(data: YearData): Promise<void> {
    const a = data.annual!;
    const dir = `annual/${a.cycle.period}`;
    const report = annualAppraisalReport(data);
    await this.out.write(`${dir}/appraisal-report.json`, jsonText(report));
    await this.out.render(`${dir}/appraisal-report.html`, { type: 'reportHtml', report });
    const bonus = annualPaySheet(a);
    const leaders = leadersPaySheet(a);
    await this.out.render(`${dir}/paysheet.xlsx`, { type: 'paySheetXlsx', sheet: bonus });
    await this.out.render(`${dir}/leaders.xlsx`, { type: 'paySheetXlsx', sheet: leaders });
    await this.bank(dir, 'bank-transfer', bonus, a.dataset.staff, 'annual', a.cycle);
    await this.bank(dir, 'leaders-bank-transfer', leaders, a.dataset.staff, 'leaders', a.cycle);
  }

  /** Once every file is written: the audit entry naming them, and what was written. */
  async finish(year: number): Promise<WrittenReports> {
    await this.out.settled();
    const files = inYearOrder(this.out.files, (path) => path);
    const notTransferred = inYearOrder(this.notTransferred, (n) => n.file);
    const { choice } = this;
    await this.recordExport(this.communityId, {
      actor: this.by,
      action: 'export.all',
      subject: `year ${year}`,
      details: {
        files: files.length,
        ...(choice ? { bankFormat: choice.spec.name } : {}),
        bankFiles: auditList(inYearOrder(this.bankFiles, (path) => path)),
        notTransferred: notTransferred.reduce((n, x) => n + x.rows.length, 0),
      },
    });
    return { files, notTransferred };
  }

  private async bank(
    dir: string,
    stem: string,
    sheet: PaySheet,
    staff: readonly Staff[],
    kind: SheetKind,
    cycle: CycleRecord,
  ): Promise<void> {
    const { choice, out } = this;
    if (choice) {
      const {
        files: bankFormatFiles,
        summary,
        transfer,
      } = await renderBankFormat(choice, kind, sheet, staff);
      // A file meant for a bank pays changed accounts only once another HR user confirmed them (as export bank).
      const paid = new Set(transfer.lines.map((l) => l.staffId));
      await assertAccountsConfirmed(this.repos, this.communityId, cycle.datasetVersion, paid);
      for (const file of [...bankFormatFiles, summary]) {
        await out.write(`${dir}/bank/${file.name}`, Buffer.from(file.content));
        this.bankFiles.push(`${dir}/bank/${file.name}`);
      }
    }
    // HR's copies, renderBank's files (same lines, same title), built on a file worker when there is one.
    const transfer = bankTransfer(sheet, staff);
    await out.render(`${dir}/bank/${stem}.csv`, { type: 'bankTransferCsv', lines: transfer.lines });
    await out.render(`${dir}/bank/${stem}.xlsx`, {
      type: 'bankTransferXlsx',
      lines: transfer.lines,
      title: bankTitle(sheet),
    });
    this.bankFiles.push(`${dir}/bank/${stem}.csv`, `${dir}/bank/${stem}.xlsx`);
    const left = transfer.notTransferred;
    if (left.length > 0) {
      const file = `${dir}/bank/${stem === 'bank-transfer' ? '' : `${stem}-`}not-transferred.csv`;
      await out.write(file, notTransferredCsv(left));
      this.notTransferred.push({ file, rows: left });
    }
  }
}
