/**
 * Bank-file formats as data (issue 16): every preset's files, read back as a bank reads them (decoded
 * with the format's encoding, split by its separator, or opened as a workbook), pay exactly the sheet's
 * amounts to exactly the accounts on file; totals live only in the summary file; accounts are plain
 * digits (no TAB, no 合计 row, no BOM).
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
// SheetJS reads .xls independently of our BIFF8 writer (a test-only dependency).
import XLSX from 'xlsx';
import { idNumberCheck } from '../../../shared/dataset/id-number.js';
import { BANK_FORMAT_NAMES } from '../../../shared/export/bank-format-names.js';
import {
  BANK_FORMAT_PRESETS,
  type BankFormatSpec,
  bankFormatNamed,
  parseBankFormat,
  paymentsOf,
  renderBankFiles,
} from '../../../shared/export/bank-formats.js';
import { ExportError } from '../../../shared/export/errors.js';
import type { PaySheet } from '../../../shared/export/types.js';
import { bankTransfer } from '../../../shared/reports/sheets.js';
import type { Staff } from '../../../shared/schemas/dataset.js';
import { line } from './fixtures.js';

// A sheet over three institutions: 19-, 18- and 16-digit cards, a person with two lines (merged), a
// name with a comma, one person without an account and one with a negative amount (both left out).
const people = [
  ['C01', '县人民医院', 'C01-001', '张三', '6217000012345678903', 353402],
  ['C01', '县人民医院', 'C01-002', '欧阳娜', '621226000012345675', 100],
  ['C02', '县中医院', 'C02-001', '李四', '6214830101234561', 1234567890],
  ['C02', '县中医院', 'C02-002', '王五', '', 50000],
  ['T01', '第1乡镇分院', 'T01-001', '赵六', '6228480402564890018', -500],
  ['T01', '第1乡镇分院', 'T01-002', '钱七', '6222021234567890128', 99],
] as const;

const sheet: PaySheet = {
  kind: 'monthly',
  period: '2026-03',
  communityName: '某县医共体',
  lines: [
    ...people.map(([institutionId, institutionName, staffId, name, , gross]) =>
      line({ institutionId, institutionName, staffId, name, gross }),
    ),
    line({
      institutionId: 'C01',
      institutionName: '县人民医院',
      staffId: 'C01-001',
      name: '张三',
      gross: 11,
    }),
  ],
};
/** A valid 身份证号 for the i-th person (region 110105, born 1980-01-0i). */
const idOf = (i: number) => {
  const body = `1101051980010${i + 1}00${i}`;
  return body + idNumberCheck(body);
};
const branchOf = (i: number) => `中国农业银行某县支行第${i + 1}营业所`;
const staff = people.map(([institutionId, , staffId, name, bankAccount], i) => ({
  staffId,
  name,
  institutionId,
  bankAccount,
  idNumber: idOf(i),
  branch: branchOf(i),
})) as unknown as Staff[];

/** What the sheet says each person is paid (their lines summed), for those a bank can pay. */
const expected = new Map([
  ['C01-001', { account: '6217000012345678903', amount: '3534.13', idNumber: idOf(0), branch: branchOf(0) }],
  ['C01-002', { account: '621226000012345675', amount: '1.00', idNumber: idOf(1), branch: branchOf(1) }],
  ['C02-001', { account: '6214830101234561', amount: '12345678.90', idNumber: idOf(2), branch: branchOf(2) }],
  ['T01-002', { account: '6222021234567890128', amount: '0.99', idNumber: idOf(5), branch: branchOf(5) }],
]);

const ctx = { period: '2026-03', kindWords: '月度绩效工资', stem: 'bank-2026-03' };
const payments = () => paymentsOf(sheet, bankTransfer(sheet, staff).lines, staff);

/** The rows of one data file as a bank reads them: field → cell text. */
async function readBack(spec: BankFormatSpec, content: Uint8Array): Promise<Record<string, string>[]> {
  let rows: string[][];
  if (spec.fileType === 'xls') {
    expect([...content.slice(0, 8)]).toEqual([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]); // OLE
    const workbook = XLSX.read(Buffer.from(content), { type: 'buffer' });
    expect(workbook.SheetNames).toEqual(['代发']);
    const sheet = workbook.Sheets['代发']!;
    const cells = XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, raw: true });
    rows = cells.map((cellsOfRow, r) =>
      cellsOfRow.map((v, c) => {
        const field = spec.columns[c]!.field;
        const isData = !spec.header || r > 0;
        // Accounts and 身份证号 are text cells (never numbers that lose digits); amounts are numbers.
        if (isData && (field === 'account' || field === 'idNumber')) expect(typeof v).toBe('string');
        if (isData && field === 'amount') expect(typeof v).toBe('number');
        return typeof v === 'number' ? v.toFixed(2) : String(v);
      }),
    );
  } else if (spec.fileType === 'xlsx') {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(content) as never);
    rows = [];
    workbook.worksheets[0]!.eachRow((row) => {
      rows.push(
        (row.values as unknown[]).slice(1).map((v) => (typeof v === 'number' ? v.toFixed(2) : String(v))),
      );
    });
  } else {
    expect([...content.slice(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]); // no BOM
    const text = new TextDecoder(spec.encoding === 'GBK' ? 'gb18030' : 'utf-8', { fatal: true }).decode(
      content,
    );
    expect(text).not.toContain('\t');
    rows = parse(text, { delimiter: spec.separator, relax_quotes: false });
  }
  const body = spec.header ? rows.slice(1) : rows;
  if (spec.header) expect(rows[0]).toEqual(spec.columns.map((c) => c.header ?? expect.any(String)));
  return body.map((cells) => Object.fromEntries(spec.columns.map((c, i) => [c.field, cells[i]!])));
}

describe('bank-file presets', () => {
  it('are the names the CLI offers (listed apart so the CLI parses without loading the writers)', () => {
    expect(BANK_FORMAT_PRESETS.map((s) => s.name)).toEqual([...BANK_FORMAT_NAMES]);
  });

  it('ship a generic 批量代发 and at least two more layouts', () => {
    expect(BANK_FORMAT_PRESETS.map((s) => s.name)).toContain('批量代发');
    expect(BANK_FORMAT_PRESETS.length).toBeGreaterThanOrEqual(3);
    expect(new Set(BANK_FORMAT_PRESETS.map((s) => s.fileType)).size).toBeGreaterThanOrEqual(3);
  });

  for (const spec of BANK_FORMAT_PRESETS) {
    it(`${spec.name}: read back with its encoding, pays the sheet's amounts to the accounts on file, totals only in the summary`, async () => {
      const { files, summary } = await renderBankFiles(spec, payments(), ctx);
      const read = new Map<string, Record<string, string>>();
      for (const file of files) {
        expect(file.name.endsWith(`.${spec.fileType}`)).toBe(true);
        for (const row of await readBack(spec, file.content)) {
          expect(read.has(row.account!), 'nobody is paid twice').toBe(false);
          read.set(row.account!, row);
          expect(Object.values(row).join(' ')).not.toMatch(/合计|总计/);
        }
      }
      expect(new Map([...read.values()].map((r) => [r.account, r.amount]))).toEqual(
        new Map([...expected.values()].map((e) => [e.account, e.amount])),
      );
      // 身份证号 and 开户行 are the roster's, on the person's own row.
      for (const field of ['idNumber', 'branch'] as const) {
        if (!spec.columns.some((c) => c.field === field)) continue;
        expect(new Map([...read.values()].map((r) => [r.account, r[field]]))).toEqual(
          new Map([...expected.values()].map((e) => [e.account, e[field]])),
        );
      }
      for (const row of read.values()) {
        if ('purpose' in row) expect(row.purpose).toBe('2026-03月度绩效工资');
      }
      if (spec.split === 'institution') {
        expect(files.map((f) => f.name).sort()).toEqual(
          ['C01', 'C02', 'T01'].map((id) => `bank-2026-03-${id}.${spec.fileType}`),
        );
      } else expect(files).toHaveLength(1);
      const summaryText = new TextDecoder(spec.encoding === 'GBK' ? 'gb18030' : 'utf-8').decode(
        summary.content,
      );
      expect(summaryText).toContain(`总计,${expected.size},12349215.02`);
    });
  }
});

describe('a format from JSON', () => {
  const json = {
    name: '某农商行',
    columns: [
      { field: 'name' },
      { field: 'account' },
      { field: 'amount' },
      { field: 'branch', header: '开户网点' },
    ],
    header: false,
    encoding: 'GBK',
    separator: ',',
    fileType: 'txt',
  };

  it('is read with its defaults and renders', async () => {
    const spec = parseBankFormat(JSON.stringify(json));
    expect(spec).toMatchObject({ split: 'none', lineEnding: 'CRLF' });
    const { files } = await renderBankFiles(spec, payments(), ctx);
    const text = new TextDecoder('gb18030').decode(files[0]!.content);
    expect(text.split('\r\n')[0]).toBe(`张三,6217000012345678903,3534.13,${branchOf(0)}`);
  });

  it('refuses a key written twice, an unknown field and a missing account column, each named', () => {
    const twice = JSON.stringify(json).replace('"header":false', '"header":false,"header":true');
    expect(() => parseBankFormat(twice)).toThrow(/header/);
    expect(() => parseBankFormat(JSON.stringify({ ...json, columns: [{ field: 'iban' }] }))).toThrow(
      ExportError,
    );
    expect(() =>
      parseBankFormat(JSON.stringify({ ...json, columns: [{ field: 'name' }, { field: 'amount' }] })),
    ).toThrow(/account/);
    expect(parseBankFormat(JSON.stringify({ ...json, fileType: 'xls' })).fileType).toBe('xls');
    expect(() => bankFormatNamed('nope')).toThrow(/批量代发/);
  });

  it('with an idNumber column, refuses people without a 身份证号, naming them', async () => {
    const spec = bankFormatNamed('代发-身份证-xls');
    const without = payments().map((p, i) => (i === 1 ? { ...p, idNumber: undefined } : p));
    const error = await renderBankFiles(spec, without, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExportError);
    expect((error as ExportError).code).toBe('MISSING_ID_NUMBER');
    expect((error as Error).message).toContain('C01-002');
    expect((error as Error).message).toContain('idNumber');
    // A format without the column does not need it.
    await expect(renderBankFiles(bankFormatNamed('批量代发'), without, ctx)).resolves.toBeDefined();
  });

  it('refuses a name GBK cannot hold instead of writing a "?"', async () => {
    const rare = payments().map((p, i) => (i === 0 ? { ...p, name: '𠮷田' } : p));
    await expect(renderBankFiles(bankFormatNamed('批量代发'), rare, ctx)).rejects.toThrow(/GBK/);
    // A UTF-8 format writes it.
    const { files } = await renderBankFiles(bankFormatNamed('代发-utf8-csv'), rare, ctx);
    expect(new TextDecoder().decode(files[0]!.content)).toContain('𠮷田');
  });

  it('refuses a separator inside a cell of a format without quoting', async () => {
    const piped = payments().map((p, i) => (i === 0 ? { ...p, name: '张|三' } : p));
    await expect(renderBankFiles(bankFormatNamed('代发-按单位-txt'), piped, ctx)).rejects.toThrow(
      /separator/,
    );
  });
});
