/**
 * Payer accounts (付款账户, issue 16): the account each institution's pay leaves from. A bank's 批量代发
 * upload debits one account, so a format that splits by payer account writes one file per account, with
 * every institution paying from it. The community's settings hold the map institution → account, set by
 * HR or finance (shared/app/bank-export.ts); the writer only reads it.
 *
 * An account is checked as staff.csv's are: digits only, and a card-like length (16–19) must pass the Luhn
 * check unless it is declared not a card (a corporate account of that length): a spreadsheet that cut its
 * last digits would otherwise send the whole month's pay from a wrong account.
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { luhnValid } from '../dataset/accounts.js';
import { decodeFile } from '../dataset/decode.js';
import { maskBankAccount } from '../privacy.js';
import { ExportError } from './errors.js';

export const PayerAccount = z
  .object({
    /** The paying account's digits. */
    account: z.string(),
    /** 户名: the account holder as the bank has it. */
    name: z.string().trim().min(1).max(100),
    /** 开户行. */
    bank: z.string().trim().min(1).max(100),
    /** A real account of a card-like length that is not a card: no Luhn check. */
    nonCard: z.boolean().optional(),
  })
  .strict();
export type PayerAccount = z.output<typeof PayerAccount>;

/** institutionId → the account it pays from. */
export type PayerAccounts = Readonly<Record<string, PayerAccount>>;

// \s and every other invisible or control character.
const INSTITUTION_ID = /^[^\s\p{C}]{1,64}$/u;

/** A payer account as given by a user, checked; every problem named in Chinese and English. */
export function checkedPayerAccount(institutionId: string, given: unknown): PayerAccount {
  if (!INSTITUTION_ID.test(institutionId)) {
    throw new ExportError(
      'INVALID_PAYER_ACCOUNT',
      `机构编号“${institutionId}”无效（1–64 个字符，不含空白）| the institution id "${institutionId}" is invalid (1 to 64 characters, no spaces)`,
    );
  }
  const parsed = PayerAccount.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(account)'}: ${i.message}`);
    throw new ExportError(
      'INVALID_PAYER_ACCOUNT',
      `${institutionId} 的付款账户有误：${problems.join('; ')}（需要 account 账号、name 户名、bank 开户行）| the payer account of ${institutionId} is invalid: ${problems.join('; ')} (give account, name and bank)`,
    );
  }
  const payer = { ...parsed.data, account: parsed.data.account.trim() };
  const masked = maskBankAccount(payer.account);
  if (!/^\d{8,34}$/.test(payer.account)) {
    throw new ExportError(
      'INVALID_PAYER_ACCOUNT',
      `${institutionId} 的付款账号（${masked}）须为 8–34 位数字，不要有空格、横线或科学计数法 | the payer account of ${institutionId} (${masked}) must be 8 to 34 digits: no spaces, dashes or scientific notation`,
    );
  }
  const cardLike = payer.account.length >= 16 && payer.account.length <= 19;
  if (cardLike && !payer.nonCard && !luhnValid(payer.account)) {
    throw new ExportError(
      'INVALID_PAYER_ACCOUNT',
      `${institutionId} 的付款账号（${masked}）是 ${payer.account.length} 位，但未通过银行卡校验位（Luhn）检查：最后几位很可能被电子表格截断或改写了，请从开户资料重新填写；若它确实不是银行卡号（对公账户），请声明为非卡号（--non-card / "nonCard": true）| ` +
        `the payer account of ${institutionId} (${masked}) has ${payer.account.length} digits but fails the bank-card check digit (Luhn): its last digits were probably cut by a spreadsheet; type it again from the bank's papers, or, if it really is not a card number (a corporate account), declare it so (--non-card / "nonCard": true)`,
    );
  }
  if (!payer.nonCard) delete payer.nonCard;
  return payer;
}

/** What a file's payer shows where accounts must not appear in full (summary, audit, console). */
export const maskedPayer = (payer: PayerAccount & { setBy?: string; setAt?: string }) => ({
  account: maskBankAccount(payer.account),
  name: payer.name,
  bank: payer.bank,
  ...(payer.setBy ? { setBy: payer.setBy } : {}),
  ...(payer.setAt ? { setAt: payer.setAt } : {}),
});

/** payer-accounts.csv's columns, by their English or Chinese header. */
const COLUMNS = {
  institutionId: ['institutionId', '机构编号'],
  account: ['account', '付款账号'],
  name: ['name', '户名'],
  bank: ['bank', '开户行'],
  accountCheck: ['accountCheck', '账号校验'],
} as const;

/**
 * A whole community's payer accounts from one CSV (UTF-8, GB18030 or UTF-16, as Excel or WPS saves it):
 * `institutionId,account,name,bank[,accountCheck]` (or 机构编号,付款账号,户名,开户行[,账号校验]);
 * accountCheck `nonCard` declares a card-length corporate account. Every problem is named by file, row
 * (as a spreadsheet numbers it) and column, all at once.
 */
export function payerAccountsCsv(file: string, content: Uint8Array): Record<string, PayerAccount> {
  const decoded = decodeFile(content);
  if (decoded.text === undefined) {
    const problem = decoded.problem;
    throw new ExportError(
      'INVALID_PAYER_ACCOUNT',
      `${file}${decoded.line ? ` 第 ${decoded.line} 行` : ''}：${problem?.zh ?? '无法读取'} | ${file}${decoded.line ? ` line ${decoded.line}` : ''}: ${problem?.en ?? 'cannot be read'}`,
    );
  }
  let rows: string[][];
  try {
    rows = parse(decoded.text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true });
  } catch (error) {
    throw new ExportError(
      'INVALID_PAYER_ACCOUNT',
      `${file} 不是有效的 CSV：${(error as Error).message} | ${file} is not a valid CSV: ${(error as Error).message}`,
    );
  }
  const header = (rows[0] ?? []).map((h) => h.trim());
  const at = Object.fromEntries(
    Object.entries(COLUMNS).map(([key, names]) => [
      key,
      header.findIndex((h) => (names as readonly string[]).includes(h)),
    ]),
  ) as Record<keyof typeof COLUMNS, number>;
  const missing = (['institutionId', 'account', 'name', 'bank'] as const).filter((k) => at[k] < 0);
  if (missing.length > 0) {
    const names = missing.map((k) => COLUMNS[k].join('/')).join(', ');
    throw new ExportError(
      'INVALID_PAYER_ACCOUNT',
      `${file} 缺少列：${names}（表头应为 institutionId,account,name,bank）| ${file} lacks the column(s) ${names} (header: institutionId,account,name,bank)`,
    );
  }
  const payers: Record<string, PayerAccount> = {};
  const problems: string[] = [];
  const seen = new Set<string>();
  rows.slice(1).forEach((cells, i) => {
    const row = i + 2; // the header is row 1
    const cell = (k: keyof typeof COLUMNS) => (at[k] < 0 ? '' : (cells[at[k]] ?? '').trim());
    const id = cell('institutionId');
    if (seen.has(id)) {
      problems.push(`${file} 第 ${row} 行：${id} 重复 | ${file} row ${row}: ${id} appears twice`);
      return;
    }
    seen.add(id);
    const check = cell('accountCheck');
    if (check !== '' && check !== 'nonCard') {
      problems.push(
        `${file} 第 ${row} 行 accountCheck：只能为空或 nonCard | ${file} row ${row} accountCheck: empty or nonCard only`,
      );
      return;
    }
    try {
      payers[id] = checkedPayerAccount(id, {
        account: cell('account'),
        name: cell('name'),
        bank: cell('bank'),
        ...(check === 'nonCard' ? { nonCard: true } : {}),
      });
    } catch (error) {
      if (!(error instanceof ExportError)) throw error;
      problems.push(`${file} 第 ${row} 行 | row ${row}: ${error.message}`);
    }
  });
  if (problems.length > 0) throw new ExportError('INVALID_PAYER_ACCOUNT', problems.join('\n'));
  if (Object.keys(payers).length === 0) {
    throw new ExportError('INVALID_PAYER_ACCOUNT', `${file} 没有数据行 | ${file} has no rows`);
  }
  return payers;
}
