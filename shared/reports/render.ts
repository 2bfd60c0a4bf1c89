/**
 * Pure renderers from a sheet or a report document to the bytes of a file — what the CLI, the year
 * writer and the HTTP API share. Data in, string or Buffer out.
 */
import { excelCsv } from '../export/csv.js';
import {
  bankTransferCsv,
  bankTransferXlsx,
  fenToYuanString,
  guardText,
  type PaySheet,
  paySheetCsv,
  paySheetXlsx,
} from '../export/index.js';
import type { Staff } from '../schemas/dataset.js';
import { renderAnnualHtml } from './html/annual.js';
import { renderBulletinHtml } from './html/bulletin.js';
import { renderMonthlyHtml } from './html/monthly.js';
import type { AnnualAppraisalReport, MonthlyDispatchReport, QuarterlyBulletinReport } from './schemas.js';
import {
  type BankTransfer,
  bankTransfer,
  NOT_TRANSFERRED_REASONS,
  type NotTransferred,
  paySheetJson,
} from './sheets.js';

export type SheetFormat = 'csv' | 'xlsx' | 'json';
export type ReportFormat = 'html' | 'json';
export type BankFormat = 'csv' | 'xlsx';

export const MEDIA_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
} as const;

export const jsonText = (value: unknown) => `${JSON.stringify(value, null, 1)}\n`;

export async function renderSheet(sheet: PaySheet, format: SheetFormat): Promise<string | Buffer> {
  if (format === 'csv') return paySheetCsv(sheet);
  if (format === 'xlsx') return paySheetXlsx(sheet);
  return jsonText(paySheetJson(sheet));
}

export type AnyReport = MonthlyDispatchReport | QuarterlyBulletinReport | AnnualAppraisalReport;

export function renderReportHtml(report: AnyReport): string {
  switch (report.report) {
    case 'monthly-dispatch':
      return renderMonthlyHtml(report);
    case 'quarterly-bulletin':
      return renderBulletinHtml(report);
    case 'annual-appraisal':
      return renderAnnualHtml(report);
  }
}

export function renderReport(report: AnyReport, format: ReportFormat): string {
  return format === 'html' ? renderReportHtml(report) : jsonText(report);
}

const BANK_KIND_WORDS: Readonly<Record<PaySheet['kind'], string>> = {
  monthly: '月度绩效工资',
  quarterly: '季度结余奖励',
  annual: '年度考核奖励',
  leaders: '负责人年薪',
};

export const bankTitle = (sheet: PaySheet) =>
  `${sheet.communityName} ${sheet.period} 银行代发（${BANK_KIND_WORDS[sheet.kind]}）`;

/** The bank file for HR and what it leaves out (see sheets.ts bankTransfer). */
export async function renderBank(
  sheet: PaySheet,
  staff: readonly Staff[],
  format: BankFormat,
): Promise<{ content: string | Buffer; transfer: BankTransfer }> {
  const transfer = bankTransfer(sheet, staff);
  const content =
    format === 'csv'
      ? bankTransferCsv(transfer.lines)
      : await bankTransferXlsx(transfer.lines, bankTitle(sheet));
  return { content, transfer };
}

/** The people a bank file could not pay, for HR to settle another way (no accounts in it). */
export function notTransferredCsv(rows: readonly NotTransferred[]): string {
  return excelCsv([
    ['工号', '姓名', '机构编码', '金额', '原因'],
    ...rows.map((r) => [
      guardText(r.staffId),
      guardText(r.name),
      guardText(r.institutionId),
      fenToYuanString(r.amount),
      NOT_TRANSFERRED_REASONS[r.reason],
    ]),
  ]);
}
