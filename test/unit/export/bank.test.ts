import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { bankTransferCsv, bankTransferXlsx, maskBankAccount } from '../../../shared/export/bank.js';
import { ExportError } from '../../../shared/export/errors.js';
import type { BankTransferLine } from '../../../shared/export/types.js';
import { decimalToFen, readXlsx } from './xlsx-reader.js';

const LINES: BankTransferLine[] = [
  { staffId: 'T02-001', name: '+86', bankAccount: '6222021234567891234', amount: 124461189 },
  { staffId: 'C01-001', name: '张三', bankAccount: '1590830166131860', amount: 353402 },
  { staffId: 'C01-002', name: '=HYPERLINK("http://x")', bankAccount: '0099603082462819', amount: 0 },
];
const TOTAL_FEN = 124461189 + 353402 + 0;

function records(csv: string): string[][] {
  return parse(csv, { bom: true }) as string[][];
}

describe('bankTransferCsv', () => {
  const csv = bankTransferCsv(LINES);
  const rows = records(csv);

  it('starts with a BOM and the exact header row, with CRLF line endings', () => {
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1).split('\r\n')[0]).toBe('工号,姓名,银行账号,金额');
  });

  it('writes every account in full, tab-prefixed so Excel keeps all digits as text', () => {
    expect(rows.slice(1, -1).map((r) => r[2])).toEqual([
      '\t1590830166131860',
      '\t0099603082462819',
      '\t6222021234567891234',
    ]);
    expect(csv).not.toContain('*');
  });

  it('writes bare digits when asked for plain accounts', () => {
    const plain = records(bankTransferCsv(LINES, { accountCell: 'plain' }));
    expect(plain.slice(1, -1).map((r) => r[2])).toEqual([
      '1590830166131860',
      '0099603082462819',
      '6222021234567891234',
    ]);
  });

  it('sorts by staffId, guards names and ends with a 合计 row summed from fen', () => {
    expect(rows.slice(1, -1).map((r) => r[0])).toEqual(['C01-001', 'C01-002', 'T02-001']);
    expect(rows.map((r) => r[1])).toContain('\'=HYPERLINK("http://x")');
    expect(rows.map((r) => r[1])).toContain("'+86");
    expect(rows.slice(1, -1).map((r) => decimalToFen(r[3] as string))).toEqual([353402, 0, 124461189]);
    expect(rows.at(-1)).toEqual(['合计', '', '', '1248145.91']);
    expect(decimalToFen(rows.at(-1)?.[3] as string)).toBe(TOTAL_FEN);
  });

  it('refuses a negative amount, which a bank cannot transfer', () => {
    expect(() => bankTransferCsv([{ ...(LINES[0] as BankTransferLine), amount: -1 }])).toThrow(
      /non-negative/,
    );
  });

  it('refuses a staff member listed twice, who would be paid twice', () => {
    expect(() => bankTransferCsv([LINES[0] as BankTransferLine, LINES[0] as BankTransferLine])).toThrow(
      /appears twice/,
    );
  });

  it('refuses an account that is not all digits without putting the account in the message', () => {
    const bad = { ...(LINES[1] as BankTransferLine), bankAccount: '6222 0212 3456 7891' };
    let error: unknown;
    try {
      bankTransferCsv([bad]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExportError);
    expect((error as ExportError).name).toBe('ExportError');
    expect((error as ExportError).code).toBe('INVALID_BANK_ACCOUNT');
    expect((error as Error).message).toContain('C01-001');
    expect((error as Error).message).toContain('************7891');
    expect((error as Error).message).not.toContain('6222');
    expect(() => bankTransferCsv([{ ...bad, bankAccount: '=1+2' }])).toThrow(ExportError);
  });
});

describe('bankTransferXlsx read back with an independent reader', () => {
  it('writes accounts as text cells formatted @ and amounts as #,##0.00 numbers, with a 合计 row', async () => {
    const book = readXlsx(await bankTransferXlsx(LINES, '2026-03 银行代发'));
    expect(book.creator).toBe('MedComm Pay');
    expect(book.title).toBe('2026-03 银行代发');
    expect(book.sheets).toHaveLength(1);
    const sheet = book.sheets[0]!;
    expect(sheet.pane).toMatchObject({ ySplit: '1', state: 'frozen' });
    expect(sheet.row(1).map((c) => c?.text)).toEqual(['工号', '姓名', '银行账号', '金额']);

    const accounts = [2, 3, 4].map((r) => sheet.row(r)[2]);
    expect(accounts.map((c) => c?.text)).toEqual([
      '1590830166131860',
      '0099603082462819',
      '6222021234567891234',
    ]);
    for (const c of accounts) {
      expect(c?.type).not.toBe('n');
      expect(c?.numFmt).toBe('@');
    }
    const amounts = [2, 3, 4, 5].map((r) => sheet.row(r)[3]);
    for (const c of amounts) {
      expect(c?.type).toBe('n');
      expect(c?.numFmt).toBe('#,##0.00');
    }
    expect(amounts.map((c) => decimalToFen(c?.text as string))).toEqual([353402, 0, 124461189, TOTAL_FEN]);
    expect(sheet.row(5)[0]?.text).toBe('合计');
    expect(sheet.row(3)[1]?.text).toBe('\'=HYPERLINK("http://x")');
  });
});

describe('maskBankAccount', () => {
  it('keeps only the last four digits behind twelve stars', () => {
    expect(maskBankAccount('6222021234567891234')).toBe('************1234');
    expect(maskBankAccount('1590830166131860')).toBe('************1860');
    expect(maskBankAccount('12345678')).toBe('************5678');
  });

  it('masks a value too short to spare four digits entirely', () => {
    expect(maskBankAccount('1234567')).toBe('****************');
    expect(maskBankAccount('')).toBe('****************');
  });
});
