/**
 * A bank file in a bank's own format (issue 16, shared/export/bank-formats.ts): the completed cycle's
 * sheet, the transfer lines (one per person, accounts of the roster the cycle used), written as the
 * format says — possibly one file per institution, always with the totals in a separate summary file —
 * and the export audited like every other.
 */

import { type BankFile, bankFormatNamed, paymentsOf, renderBankFiles } from '../export/bank-formats.js';
import { fenToYuanString, sumFen } from '../export/money-format.js';
import { type ExportRequest, type SheetKind, sheetFor } from '../reports/exports.js';
import { bankTransfer, type NotTransferred } from '../reports/sheets.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import { assertAccountsConfirmed } from './account-changes.js';

const KIND_WORDS: Readonly<Record<SheetKind, string>> = {
  monthly: '月度绩效工资',
  quarterly: '季度结余奖励',
  annual: '年度考核奖励',
  leaders: '负责人年薪',
};

export interface ExportedBankFiles {
  files: BankFile[];
  summary: BankFile;
  cycle: CycleRecord;
  lines: number;
  /** Integer fen the files pay in total. */
  total: number;
  notTransferred: NotTransferred[];
}

export async function exportBankFormat(
  repos: Repositories,
  request: ExportRequest & { kind: SheetKind; format: string },
): Promise<ExportedBankFiles> {
  const spec = bankFormatNamed(request.format); // an unknown name fails before anything is read
  const { cycle, sheet, dataset, deductionsVersion } = await sheetFor(repos, request);
  const transfer = bankTransfer(sheet, dataset.staff);
  // Changed accounts are paid only once another HR user has confirmed them (account-changes.ts).
  const paid = new Set(transfer.lines.map((l) => l.staffId));
  await assertAccountsConfirmed(repos, request.communityId, cycle.datasetVersion, paid);
  const stem = `bank-${request.kind === 'leaders' ? 'leaders-' : ''}${request.period}`;
  const { files, summary } = await renderBankFiles(spec, paymentsOf(sheet, transfer.lines), {
    period: request.period,
    kindWords: KIND_WORDS[request.kind],
    stem,
  });
  const total = sumFen(transfer.lines.map((l) => l.amount));
  await repos.audit.append(request.communityId, {
    actor: request.by,
    action: 'export.bank',
    subject: `${cycle.kind} ${cycle.period} r${cycle.revision}`,
    details: {
      sheet: request.kind,
      format: spec.name,
      files: files.map((f) => f.name).join(' '),
      lines: transfer.lines.length,
      total: fenToYuanString(total),
      notTransferred: transfer.notTransferred.length,
      datasetVersion: cycle.datasetVersion,
      // Issue 16: the version whose deductions.csv the amounts withhold (the year's current one).
      ...(deductionsVersion === undefined ? {} : { deductionsVersion }),
      ...(request.target ? { target: request.target } : {}),
    },
  });
  return {
    files,
    summary,
    cycle,
    lines: transfer.lines.length,
    total,
    notTransferred: transfer.notTransferred,
  };
}
