/**
 * 身份证号 across the rows of staff.csv (issue 16). Apart from id-number.ts, which formats/staff.ts
 * imports: this module reads the formats, and the formats must not import it back.
 */
import { maskBankAccount } from '../privacy.js';
import type { Tables } from './cross.js';
import { type ImportIssue, issueAt, Problem } from './errors.js';
import { CSV_FORMATS } from './formats/index.js';
import { idNumber } from './id-number.js';

/**
 * One 身份证号 on two staff ids is one person on two rows — paid twice — unless every row holding it
 * says why in sharedAccountReason (one person on two rosters by decision, as for a shared account).
 */
export function sharedIdNumbers(tables: Tables): ImportIssue[] {
  const table = tables.staff;
  if (!table) return [];
  const file = CSV_FORMATS.staff.file;
  const at = (column: string) => table.index.get(column);
  const [idAt, staffAt, reasonAt] = [at('idNumber'), at('staffId'), at('sharedAccountReason')];
  if (idAt === undefined) return [];
  const cell = (fields: string[], i: number | undefined) => (i === undefined ? '' : fields[i]!.trim());
  const holders = new Map<string, { staffId: string; row: number; reason: string }[]>();
  for (const { fields, row } of table.records) {
    const value = cell(fields, idAt).toUpperCase();
    if (typeof idNumber(value) !== 'string') continue; // empty or invalid: the row check reports it
    const list = holders.get(value) ?? [];
    list.push({ staffId: cell(fields, staffAt), row, reason: cell(fields, reasonAt) });
    holders.set(value, list);
  }
  const issues: ImportIssue[] = [];
  for (const [value, list] of holders) {
    if (new Set(list.map((h) => h.staffId)).size < 2) continue; // one id twice is id.duplicate
    if (list.every((h) => h.reason !== '')) continue;
    const [first, ...others] = list;
    for (const holder of others) {
      issues.push(
        issueAt(
          { file, row: holder.row, column: 'idNumber', value: maskBankAccount(value) },
          new Problem(
            'idNumber.shared',
            `与第 ${first!.row} 行（${first!.staffId}）是同一个身份证号：同一个人不能有两个工号。若确为同一人按决定列入两处，请在这些行的 sharedAccountReason 列写明原因`,
            `the same identity number as row ${first!.row} (${first!.staffId}): one person cannot hold two staff ids. If one person is on two rosters by decision, give the reason in the sharedAccountReason column of those rows`,
          ),
        ),
      );
    }
  }
  return issues;
}
