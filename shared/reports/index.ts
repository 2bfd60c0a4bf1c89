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
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertAccountsConfirmed } from '../app/account-changes.js';
import { bankFormatFor, bankFormatOf, renderBankFormat } from '../app/bank-export.js';
import { type PaySheet, paySheetXlsx } from '../export/index.js';
import type { Staff } from '../schemas/dataset.js';
import { auditList } from '../store/audit.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import { annualAppraisalReport } from './annual.js';
import { quarterlyBulletinReport } from './bulletin.js';
import type { SheetKind } from './exports.js';
import { loadMonthDeductions, loadYear } from './load.js';
import { monthlyDispatchReport } from './monthly.js';
import { jsonText, notTransferredCsv, renderBank, renderReportHtml } from './render.js';
import type { NotTransferred } from './sheets.js';
import {
  annualPaySheet,
  leadersPaySheet,
  monthlyPaySheet,
  quarterlyPaySheet,
  withDeductions,
} from './sheets.js';
import type { YearData } from './sources.js';

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
  options: { by?: string; data?: YearData; bankFormat?: string } = {},
): Promise<WrittenReports> {
  // The bank's format, besides HR's CSV and XLSX copies: the one named, else the community's (issue 16).
  const bankFormat = await bankFormatFor(repos, communityId, options.bankFormat);
  const choice =
    bankFormat === 'csv' || bankFormat === 'xlsx'
      ? undefined
      : await bankFormatOf(repos, communityId, bankFormat);
  const data = options.data ?? (await loadYear(repos, communityId, year));
  const files: string[] = [];
  const bankFiles: string[] = [];
  const notTransferred: WrittenReports['notTransferred'] = [];

  const write = async (path: string, content: string | Buffer) => {
    const full = join(outDir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
    files.push(path);
  };
  const writeBank = async (
    dir: string,
    stem: string,
    sheet: PaySheet,
    staff: readonly Staff[],
    kind: SheetKind,
    cycle: CycleRecord,
  ) => {
    if (choice) {
      const {
        files: bankFormatFiles,
        summary,
        transfer,
      } = await renderBankFormat(choice, kind, sheet, staff);
      // A file meant for a bank pays changed accounts only once another HR user confirmed them (as export bank).
      const paid = new Set(transfer.lines.map((l) => l.staffId));
      await assertAccountsConfirmed(repos, communityId, cycle.datasetVersion, paid);
      for (const file of [...bankFormatFiles, summary]) {
        await write(`${dir}/bank/${file.name}`, Buffer.from(file.content));
        bankFiles.push(`${dir}/bank/${file.name}`);
      }
    }
    const csv = await renderBank(sheet, staff, 'csv');
    const xlsx = await renderBank(sheet, staff, 'xlsx');
    await write(`${dir}/bank/${stem}.csv`, csv.content);
    await write(`${dir}/bank/${stem}.xlsx`, xlsx.content);
    bankFiles.push(`${dir}/bank/${stem}.csv`, `${dir}/bank/${stem}.xlsx`);
    const left = csv.transfer.notTransferred;
    if (left.length > 0) {
      const file = `${dir}/bank/${stem === 'bank-transfer' ? '' : `${stem}-`}not-transferred.csv`;
      await write(file, notTransferredCsv(left));
      notTransferred.push({ file, rows: left });
    }
  };

  for (const m of data.monthly) {
    const dir = `monthly/${m.cycle.period}`;
    const report = monthlyDispatchReport(m);
    await write(`${dir}/report.json`, jsonText(report));
    await write(`${dir}/report.html`, renderReportHtml(report));
    // Issue 16: the month's withholding (deductions.csv), when it has any: 实发 on the sheet and in the bank files.
    const sheet = withDeductions(monthlyPaySheet(m), (await loadMonthDeductions(repos, m.cycle))?.rows);
    await write(`${dir}/paysheet.xlsx`, await paySheetXlsx(sheet));
    await writeBank(dir, 'bank-transfer', sheet, m.dataset.staff, 'monthly', m.cycle);
  }
  for (const q of data.quarterly) {
    const dir = `quarterly/${q.cycle.period}`;
    const report = quarterlyBulletinReport(q, data.quarterly);
    await write(`${dir}/bulletin-report.json`, jsonText(report));
    await write(`${dir}/bulletin-report.html`, renderReportHtml(report));
    const sheet = quarterlyPaySheet(q);
    await write(`${dir}/paysheet.xlsx`, await paySheetXlsx(sheet));
    await writeBank(dir, 'bank-transfer', sheet, q.dataset.staff, 'quarterly', q.cycle);
  }
  if (data.annual) {
    const a = data.annual;
    const dir = `annual/${a.cycle.period}`;
    const report = annualAppraisalReport(data);
    await write(`${dir}/appraisal-report.json`, jsonText(report));
    await write(`${dir}/appraisal-report.html`, renderReportHtml(report));
    const bonus = annualPaySheet(a);
    const leaders = leadersPaySheet(a);
    await write(`${dir}/paysheet.xlsx`, await paySheetXlsx(bonus));
    await write(`${dir}/leaders.xlsx`, await paySheetXlsx(leaders));
    await writeBank(dir, 'bank-transfer', bonus, a.dataset.staff, 'annual', a.cycle);
    await writeBank(dir, 'leaders-bank-transfer', leaders, a.dataset.staff, 'leaders', a.cycle);
  }

  await repos.audit.append(communityId, {
    actor: options.by ?? 'cli',
    action: 'export.all',
    subject: `year ${year}`,
    details: {
      files: files.length,
      ...(choice ? { bankFormat: choice.spec.name } : {}),
      bankFiles: auditList(bankFiles),
      notTransferred: notTransferred.reduce((n, x) => n + x.rows.length, 0),
    },
  });
  return { files, notTransferred };
}
