/**
 * One person, one account, one id (issue 13): a bank account on two staff ids would be paid twice on
 * one bank file, and ids a reader cannot tell apart (Latin C01 and Cyrillic С01, 全角 Ｃ01, c01) make
 * two people of one. Both are refused at import; a real shared account (a couple's joint account, one
 * person on two rosters by decision) is allowed only when every row sharing it says why.
 */
import { maskBankAccount } from '../privacy.js';
import { idSkeleton, LOST_DIGITS_ADVICE, NON_CARD } from './accounts.js';
import type { Table, Tables } from './cross.js';
import { type ImportIssue, issueAt, Problem } from './errors.js';
import { CSV_FORMATS, type CsvKey } from './formats/index.js';

const cellReader = (table: Table<unknown>, column: string) => {
  const at = table.index.get(column);
  return (fields: string[]) => (at === undefined ? '' : fields[at]!.trim());
};

/** Each later row whose id differs from an earlier one's only by width, case or look-alike letters. */
export function confusableIds(tables: Tables, key: CsvKey, column: string): ImportIssue[] {
  const table = tables[key];
  if (!table) return [];
  const file = CSV_FORMATS[key].file;
  const read = cellReader(table, column);
  const { records } = table;
  // Each skeleton's first record, by its place: a city's 35,000 ids make no object each.
  const first = new Map<string, number>();
  const issues: ImportIssue[] = [];
  for (let i = 0; i < records.length; i++) {
    const { fields, row } = records[i]!;
    const id = read(fields);
    if (id === '') continue;
    const skeleton = idSkeleton(id);
    const firstAt = first.get(skeleton);
    if (firstAt === undefined) {
      first.set(skeleton, i);
      continue;
    }
    const seen = { id: read(records[firstAt]!.fields), row: records[firstAt]!.row };
    if (seen.id !== id) {
      // Equal ids are id.duplicate's to report; these differ in code points only.
      issues.push(
        issueAt(
          { file, row, column, value: id },
          new Problem(
            'id.confusable',
            `与第 ${seen.row} 行的 "${seen.id}" 看起来相同（只差全角/半角、大小写或形似的外文字母），会被当成两个人：请统一写法`,
            `looks the same as "${seen.id}" on row ${seen.row} (it differs only in width, case or look-alike letters of another script), so one person would become two: write both the same way`,
          ),
        ),
      );
    }
  }
  return issues;
}

const DIGITS = /^\d+$/;

/** A bank account on more than one staff id, unless every row of it gives a sharedAccountReason. */
export function sharedAccounts(tables: Tables): ImportIssue[] {
  const table = tables.staff;
  if (!table) return [];
  const file = CSV_FORMATS.staff.file;
  const account = cellReader(table, 'bankAccount');
  const staffId = cellReader(table, 'staffId');
  const reason = cellReader(table, 'sharedAccountReason');
  const { records } = table;
  // Each account's records by their place: the first alone (nearly every account), a list once shared.
  const byAccount = new Map<string, number | number[]>();
  for (let i = 0; i < records.length; i++) {
    const value = account(records[i]!.fields);
    if (!DIGITS.test(value)) continue; // empty or malformed: the row check reports it
    const seen = byAccount.get(value);
    if (seen === undefined) byAccount.set(value, i);
    else if (typeof seen === 'number') byAccount.set(value, [seen, i]);
    else seen.push(i);
  }
  const issues: ImportIssue[] = [];
  for (const [value, places] of byAccount) {
    if (typeof places === 'number') continue;
    const holders = places.map((i) => {
      const { fields, row } = records[i]!;
      return { staffId: staffId(fields), row, reason: reason(fields) };
    });
    if (new Set(holders.map((h) => h.staffId)).size < 2) continue; // one id twice is id.duplicate
    if (holders.every((h) => h.reason !== '')) continue;
    const [first, ...others] = holders;
    for (const holder of others) {
      issues.push(
        issueAt(
          { file, row: holder.row, column: 'bankAccount', value: maskBankAccount(value) },
          new Problem(
            'bankAccount.shared',
            `与第 ${first!.row} 行（${first!.staffId}）是同一个银行账号：银行文件会向这个账号付两笔。若确为共用账号，请在共用它的每一行的 sharedAccountReason 列写明原因`,
            `the same bank account as row ${first!.row} (${first!.staffId}): the bank file would pay this account twice. If the account really is shared, give the reason in the sharedAccountReason column of every row that uses it`,
          ),
        ),
      );
    }
  }
  return issues;
}

/** Card-like accounts needed before their last digits say anything about the file. */
const ROUNDING_SAMPLE = 3;

/**
 * A file a spreadsheet has saved rounds every card number to 15 significant digits: its 16–19 digit
 * accounts all end in 0, where real card numbers end in 0 one time in ten. Luhn misses a rounding that
 * happens to keep the check (it changes two digits when it rounds up), so in such a file every card-like
 * account ending in 0 is refused as one whose digits were lost. `accountCheck = nonCard` still opts out.
 */
export function roundedAccounts(tables: Tables): ImportIssue[] {
  const table = tables.staff;
  if (!table) return [];
  const file = CSV_FORMATS.staff.file;
  const account = cellReader(table, 'bankAccount');
  const check = cellReader(table, 'accountCheck');
  const cardLike: { row: number; value: string }[] = [];
  for (const { fields, row } of table.records) {
    const value = account(fields);
    if (/^\d{16,19}$/.test(value) && check(fields) !== NON_CARD) cardLike.push({ row, value });
  }
  const zeros = cardLike.filter((a) => a.value.endsWith('0'));
  if (zeros.length < ROUNDING_SAMPLE || zeros.length * 2 <= cardLike.length) return [];
  return zeros.map(({ row, value }) =>
    issueAt(
      { file, row, column: 'bankAccount', value: maskBankAccount(value) },
      new Problem(
        'bankAccount.lostDigits',
        `本文件 ${cardLike.length} 个 16–19 位账号中有 ${zeros.length} 个以 0 结尾（真实卡号约十分之一）：文件经过了电子表格的改写，超过 15 位的数字被四舍五入，这个账号的末几位已经丢失：${LOST_DIGITS_ADVICE.zh}`,
        `${zeros.length} of the ${cardLike.length} accounts of 16–19 digits in this file end in 0 (about one real card number in ten does): a spreadsheet has rewritten the file, rounding numbers to 15 digits, and this account's last digits are lost: ${LOST_DIGITS_ADVICE.en}`,
      ),
    ),
  );
}
