/**
 * One export of one cycle — a pay sheet, a report, a bank file — as the CLI and the HTTP API ask for it:
 * find the completed cycle, build, render, and append an audit entry naming who exported what (DOMAIN.md
 * §7: every export is audited). Returns the bytes; where they go is the caller's business.
 */

import { assertAccountsConfirmed } from '../app/account-changes.js';
import { formatYuan } from '../domain/money.js';
import { bilingual } from '../errors.js';
import type { PaySheet } from '../export/index.js';
import { sumFen } from '../export/money-format.js';
import type { AuditEntry } from '../store/audit.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import type { CycleKind } from '../store/keys.js';
import { annualAppraisalReport } from './annual.js';
import { quarterlyBulletinReport } from './bulletin.js';
import {
  completedCycle,
  DatasetContexts,
  loadAnnual,
  loadMonthDeductions,
  loadMonthly,
  loadQuarterly,
  loadQuartersUpTo,
  loadYear,
} from './load.js';
import { monthlyDispatchReport } from './monthly.js';
import {
  type AnyReport,
  type BankFormat,
  MEDIA_TYPES,
  type ReportFormat,
  renderBank,
  renderReport,
  renderSheet,
  type SheetFormat,
} from './render.js';
import type { NotTransferred } from './sheets.js';
import {
  annualPaySheet,
  leadersPaySheet,
  monthlyPaySheet,
  quarterlyPaySheet,
  withDeductions,
} from './sheets.js';
import type { DatasetContext } from './sources.js';

export type SheetKind = CycleKind | 'leaders';

/** A request that names something that cannot exist (a malformed period, a period of the wrong kind): a 400, not a 404. */
export class ExportRequestError extends Error {
  override readonly name = 'ExportRequestError' as const;
}

const KIND_WORDS: Readonly<Record<SheetKind, string>> = {
  monthly: '月度',
  quarterly: '季度',
  annual: '年度',
  leaders: '负责人年薪（年度）',
};
const PERIOD_FORMS: Readonly<Record<CycleKind, string>> = {
  monthly: 'YYYY-MM',
  quarterly: 'YYYY-Qn',
  annual: 'YYYY',
};

/** "2026-03" → monthly, "2026-Q1" → quarterly, "2026" → annual. */
export function periodKind(period: string): CycleKind {
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) return 'monthly';
  if (/^\d{4}-Q[1-4]$/.test(period)) return 'quarterly';
  if (/^\d{4}$/.test(period)) return 'annual';
  throw new RangeError(
    bilingual(
      `无法识别的期间 "${period}"（应为 YYYY-MM、YYYY-Qn 或 YYYY）`,
      `unknown period "${period}" (expected YYYY-MM, YYYY-Qn or YYYY)`,
    ),
  );
}

/** Checks that `period` is a period of `kind` (leaders are paid per year) and returns the cycle kind. */
export function cycleKindFor(kind: SheetKind, period: string): CycleKind {
  const expected: CycleKind = kind === 'leaders' ? 'annual' : kind;
  const actual = periodKind(period);
  if (actual !== expected) {
    throw new ExportRequestError(
      bilingual(
        `期间 ${period} 不是${KIND_WORDS[kind]}期间，应为 ${PERIOD_FORMS[expected]}`,
        `period ${period} is not a ${kind} period (expected ${PERIOD_FORMS[expected]})`,
      ),
    );
  }
  return expected;
}

export interface ExportRequest {
  communityId: string;
  period: string;
  /** Who exports (recorded in the audit trail). */
  by: string;
  /** Where the caller puts the file (a path, "stdout", an HTTP request id) — recorded in the audit. */
  target?: string;
}

export interface ExportedFile {
  content: string | Buffer;
  mediaType: string;
  /** A file name for the download, e.g. "paysheet-2026-03.xlsx". */
  filename: string;
  cycle: CycleRecord;
}

/** Appends the export's audit entry: who exported which cycle, `details` of what, and where to. */
async function audit(
  repos: Repositories,
  request: ExportRequest,
  cycle: CycleRecord,
  action: 'export.sheet' | 'export.report' | 'export.bank',
  details: AuditEntry['details'],
): Promise<void> {
  await repos.audit.append(request.communityId, {
    actor: request.by,
    action,
    subject: `${cycle.kind} ${cycle.period} r${cycle.revision}`,
    details: {
      ...details,
      datasetVersion: cycle.datasetVersion,
      ...(request.target ? { target: request.target } : {}),
    },
  });
}

/** The requested sheet of a completed cycle, with the dataset version it was paid from. */
export async function sheetFor(
  repos: Repositories,
  { communityId, kind, period }: ExportRequest & { kind: SheetKind },
): Promise<{
  cycle: CycleRecord;
  sheet: PaySheet;
  dataset: DatasetContext;
  /** The dataset version whose deductions.csv the monthly sheet withholds (issue 16), when it has any. */
  deductionsVersion?: number;
}> {
  const cycle = await completedCycle(repos, communityId, cycleKindFor(kind, period), period);
  if (kind === 'monthly') {
    const [m, deductions] = await Promise.all([loadMonthly(repos, cycle), loadMonthDeductions(repos, cycle)]);
    return {
      cycle,
      sheet: withDeductions(monthlyPaySheet(m), deductions?.rows),
      dataset: m.dataset,
      ...(deductions === undefined ? {} : { deductionsVersion: deductions.version }),
    };
  }
  if (kind === 'quarterly') {
    const q = await loadQuarterly(repos, cycle);
    return { cycle, sheet: quarterlyPaySheet(q), dataset: q.dataset };
  }
  const a = await loadAnnual(repos, cycle);
  return { cycle, sheet: kind === 'leaders' ? leadersPaySheet(a) : annualPaySheet(a), dataset: a.dataset };
}

const FILE_STEMS: Readonly<Record<SheetKind, string>> = {
  monthly: 'paysheet',
  quarterly: 'paysheet',
  annual: 'paysheet',
  leaders: 'leaders',
};

export async function exportSheet(
  repos: Repositories,
  request: ExportRequest & { kind: SheetKind; format: SheetFormat },
): Promise<ExportedFile> {
  const { cycle, sheet, deductionsVersion } = await sheetFor(repos, request);
  const content = await renderSheet(sheet, request.format);
  await audit(repos, request, cycle, 'export.sheet', {
    sheet: request.kind,
    format: request.format,
    rows: sheet.lines.length,
    total: formatYuan(sumFen(sheet.lines.map((l) => l.gross))),
    ...(deductionsVersion === undefined ? {} : { deductionsVersion }),
  });
  return {
    content,
    mediaType: MEDIA_TYPES[request.format],
    filename: `${FILE_STEMS[request.kind]}-${request.period}.${request.format}`,
    cycle,
  };
}

/** The report document of a completed cycle (an annual report reads the whole year for its lineage). */
export async function buildReport(
  repos: Repositories,
  communityId: string,
  kind: CycleKind,
  period: string,
): Promise<{ report: AnyReport; cycle: CycleRecord }> {
  const cycle = await completedCycle(repos, communityId, cycleKindFor(kind, period), period);
  if (kind === 'monthly') return { report: monthlyDispatchReport(await loadMonthly(repos, cycle)), cycle };
  if (kind === 'quarterly') {
    const contexts = new DatasetContexts(repos, communityId);
    const quarters = await loadQuartersUpTo(repos, communityId, period, contexts);
    const current =
      quarters.find((q) => q.cycle.period === period) ?? (await loadQuarterly(repos, cycle, contexts));
    return { report: quarterlyBulletinReport(current, quarters), cycle };
  }
  return { report: annualAppraisalReport(await loadYear(repos, communityId, Number(period))), cycle };
}

const REPORT_STEMS: Readonly<Record<CycleKind, string>> = {
  monthly: 'report',
  quarterly: 'bulletin-report',
  annual: 'appraisal-report',
};

export async function exportReport(
  repos: Repositories,
  request: ExportRequest & { kind: CycleKind; format: ReportFormat },
): Promise<ExportedFile> {
  const { report, cycle } = await buildReport(repos, request.communityId, request.kind, request.period);
  const content = renderReport(report, request.format);
  await audit(repos, request, cycle, 'export.report', { report: report.report, format: request.format });
  return {
    content,
    mediaType: MEDIA_TYPES[request.format],
    filename: `${REPORT_STEMS[request.kind]}-${request.period}.${request.format}`,
    cycle,
  };
}

export interface ExportedBankFile extends ExportedFile {
  lines: number;
  /** Integer fen the bank file pays in total. */
  total: number;
  /** People the bank file could not pay (no or invalid account, negative amount): HR settles them. */
  notTransferred: NotTransferred[];
}

/** The bank-transfer file for HR — the one output with full bank accounts; its export is always audited. */
export async function exportBank(
  repos: Repositories,
  request: ExportRequest & { kind: SheetKind; format: BankFormat },
): Promise<ExportedBankFile> {
  const { cycle, sheet, dataset, deductionsVersion } = await sheetFor(repos, request);
  const { content, transfer } = await renderBank(sheet, dataset.staff, request.format);
  // Accounts an import changed are paid only once another HR user has confirmed them (issue 16).
  const paid = new Set(transfer.lines.map((l) => l.staffId));
  await assertAccountsConfirmed(repos, request.communityId, cycle.datasetVersion, paid);
  const total = sumFen(transfer.lines.map((l) => l.amount));
  await audit(repos, request, cycle, 'export.bank', {
    sheet: request.kind,
    format: request.format,
    lines: transfer.lines.length,
    total: formatYuan(total),
    notTransferred: transfer.notTransferred.length,
    ...(deductionsVersion === undefined ? {} : { deductionsVersion }),
  });
  return {
    content,
    mediaType: MEDIA_TYPES[request.format],
    filename: `bank-${request.kind === 'leaders' ? 'leaders-' : ''}${request.period}.${request.format}`,
    cycle,
    lines: transfer.lines.length,
    total,
    notTransferred: transfer.notTransferred,
  };
}
