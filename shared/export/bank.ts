/**
 * The bank-transfer file for HR (DOMAIN.md §8): the one output in which full bank accounts appear.
 * Everywhere else — logs, reports, error messages — an account goes through maskBankAccount.
 *
 * Because a bank file pays people, it refuses input a pay sheet would merely display: a negative amount
 * (a bank cannot transfer one), a duplicate staffId (someone would be paid twice) and an account that is
 * not all digits (the bank would bounce it, or worse, credit someone else).
 */
import { maskBankAccount } from '../privacy.js';
import { excelCsv } from './csv.js';
import { ExportError } from './errors.js';
import { TOTAL_LABEL } from './labels.js';
import { fenToYuanString, sumFen } from './money-format.js';
import { compareCodeUnits } from './pay-sheet-rows.js';

export { maskBankAccount };

import { guardText } from './text-guard.js';
import type { BankTransferLine } from './types.js';
import { type Column, tableWorkbook } from './xlsx-table.js';

export const BANK_HEADERS = ['工号', '姓名', '银行账号', '金额'] as const;
export const BANK_SHEET_NAME = '银行代发';

const ACCOUNT = /^\d{8,34}$/;

/** Sorted by staffId, after refusing anything a bank should not be asked to pay. */
function checkedLines(lines: readonly BankTransferLine[]): BankTransferLine[] {
  const seen = new Set<string>();
  for (const line of lines) {
    if (seen.has(line.staffId)) {
      throw new ExportError(
        'DUPLICATE_STAFF',
        `Staff ${line.staffId} appears twice in the bank-transfer file; merge the amounts into one line so nobody is paid twice.`,
      );
    }
    seen.add(line.staffId);
    if (!ACCOUNT.test(line.bankAccount)) {
      throw new ExportError(
        'INVALID_BANK_ACCOUNT',
        `Bank account of staff ${line.staffId} (${maskBankAccount(line.bankAccount)}) must be 8 to 34 digits with no spaces or other characters; correct it in staff.csv.`,
      );
    }
    if (!Number.isSafeInteger(line.amount) || line.amount < 0) {
      throw new ExportError(
        'INVALID_AMOUNT',
        `Transfer amount of staff ${line.staffId} must be a whole, non-negative number of fen, got ${String(line.amount)}; a negative net pay has to be settled outside the bank file.`,
      );
    }
  }
  return [...lines].sort((a, b) => compareCodeUnits(a.staffId, b.staffId));
}

export interface BankCsvOptions {
  /**
   * How the account cell is written. 'excel-text' (default) prefixes a tab, 'plain' writes the bare
   * digits for programs that read the file directly.
   *
   * Why a tab: Excel and WPS keep only 15 significant digits of a number, so opening a CSV with a
   * 16–19 digit card number as a number shows 6.22E+18 and, if saved, destroys the last digits for good.
   * A CSV has no cell types, so the only levers are in the text itself:
   * - `="6222…"` works but is a formula — exactly what the injection guard exists to keep out of files —
   *   and a program reading the CSV gets the formula, not the account;
   * - a leading apostrophe is shown literally when a CSV is opened (it only means "text" when typed);
   * - a leading tab makes Excel and WPS take the cell as text, and readers that trim whitespace get
   *   the bare digits.
   * The injection guard would neutralise a tab-led cell, and rightly so for free text: Excel drops the
   * tab and may evaluate what follows. Here what follows is proven to be digits only (checked above),
   * so the tab cannot carry a formula; the account cell therefore bypasses the text guard, and only it.
   * For a spreadsheet with no such trade-off use bankTransferXlsx: its account cells are typed text.
   */
  accountCell?: 'excel-text' | 'plain';
}

export function bankTransferCsv(lines: readonly BankTransferLine[], options: BankCsvOptions = {}): string {
  const accountPrefix = (options.accountCell ?? 'excel-text') === 'excel-text' ? '\t' : '';
  const sorted = checkedLines(lines);
  const rows: string[][] = [[...BANK_HEADERS]];
  for (const line of sorted) {
    rows.push([
      guardText(line.staffId),
      guardText(line.name),
      accountPrefix + line.bankAccount,
      fenToYuanString(line.amount, () => `amount of staff ${line.staffId}`),
    ]);
  }
  rows.push([TOTAL_LABEL, '', '', fenToYuanString(sumFen(sorted.map((line) => line.amount)))]);
  return excelCsv(rows);
}

const BANK_COLUMNS: Column[] = [
  { header: '工号', type: 'text' },
  { header: '姓名', type: 'text' },
  { header: '银行账号', type: 'account' },
  { header: '金额', type: 'money' },
];

/** The same file as a workbook; account cells are strings with the text format '@'. */
export async function bankTransferXlsx(lines: readonly BankTransferLine[], title?: string): Promise<Buffer> {
  const sorted = checkedLines(lines);
  return tableWorkbook({ title: title ?? BANK_SHEET_NAME }, [
    {
      name: BANK_SHEET_NAME,
      columns: BANK_COLUMNS,
      rows: sorted.map((line) => [line.staffId, line.name, line.bankAccount, line.amount]),
      total: [TOTAL_LABEL, '', '', sumFen(sorted.map((line) => line.amount))],
    },
  ]);
}
