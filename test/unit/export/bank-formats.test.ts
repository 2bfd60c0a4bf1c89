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
import { luhnCheckDigit } from '../../../shared/dataset/accounts.js';
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
import { encodeGbk } from '../../../shared/export/bank-gbk.js';
import { checkedPayerAccount, payerAccountsCsv } from '../../../shared/export/bank-payers.js';
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
/** C01 and C02 pay from one corporate account (17 digits, not a card), T01 from its own card-like one. */
const SHARED = '12345678901234567';
const OWN = luhnCard('6228480402564890');
const payers = {
  C01: { account: SHARED, name: '某县医共体总院', bank: '农业银行某县支行', nonCard: true },
  C02: { account: SHARED, name: '某县医共体总院', bank: '农业银行某县支行', nonCard: true },
  T01: { account: OWN, name: '第1乡镇分院', bank: '农村信用社某乡分社' },
};
function luhnCard(body: string): string {
  return body + luhnCheckDigit(body);
}
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
      const { files, summary } = await renderBankFiles(spec, payments(), ctx, { payers });
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
      } else if (spec.split === 'payerAccount') {
        expect(files.map((f) => f.name).sort()).toEqual(
          [`bank-2026-03-付款${SHARED.slice(-4)}.csv`, `bank-2026-03-付款${OWN.slice(-4)}.csv`].sort(),
        );
      } else expect(files).toHaveLength(1);
      const summaryText = new TextDecoder(spec.encoding === 'GBK' ? 'gb18030' : 'utf-8').decode(
        summary.content,
      );
      expect(summaryText).toMatch(new RegExp(`\r\n总计,(,,,,)?${expected.size},12349215\\.02\r\n$`));
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

describe('one file per payer account', () => {
  const spec = bankFormatNamed('代发-按付款账户');
  const decode = (content: Uint8Array) => new TextDecoder('gb18030', { fatal: true }).decode(content);

  it('puts the institutions paying from one account in one file, and the summary names each file’s account masked', async () => {
    const { files, summary } = await renderBankFiles(spec, payments(), ctx, { payers });
    const byFile = new Map<string, Record<string, string>[]>();
    for (const file of files) byFile.set(file.name, await readBack(spec, file.content));
    const shared = byFile.get(`bank-2026-03-付款${SHARED.slice(-4)}.csv`)!;
    const own = byFile.get(`bank-2026-03-付款${OWN.slice(-4)}.csv`)!;
    // C01 and C02 (县人民医院, 县中医院) in one file; T01 in the other; amounts as the sheet pays them.
    expect(new Set(shared.map((r) => r.institution))).toEqual(new Set(['县人民医院', '县中医院']));
    expect(own.map((r) => [r.account, r.amount, r.institution])).toEqual([
      ['6222021234567890128', '0.99', '第1乡镇分院'],
    ]);
    expect(new Map(shared.map((r) => [r.account, r.amount]))).toEqual(
      new Map(
        ['C01-001', 'C01-002', 'C02-001'].map((id) => [expected.get(id)!.account, expected.get(id)!.amount]),
      ),
    );
    const text = decode(summary.content);
    const rows = parse(text.split('\r\n').slice(1).join('\r\n')) as string[][];
    expect(rows[0]).toEqual(['文件', '付款账户', '付款户名', '开户行', '单位', '笔数', '金额合计']);
    const line = (name: string) => rows.find((r) => r[0] === name)!;
    expect(line(`bank-2026-03-付款${SHARED.slice(-4)}.csv`)).toEqual([
      `bank-2026-03-付款${SHARED.slice(-4)}.csv`,
      `************${SHARED.slice(-4)}`,
      '某县医共体总院',
      '农业银行某县支行',
      'C01 C02',
      '3',
      '12349214.03', // 3534.13 + 1.00 + 12345678.90
    ]);
    expect(line(`bank-2026-03-付款${OWN.slice(-4)}.csv`).slice(4)).toEqual(['T01', '1', '0.99']);
    expect(rows.at(-1)).toEqual(['总计', '', '', '', '', '4', '12349215.02']);
    // A payer account never appears in full: not in the summary, not in a file name.
    for (const account of [SHARED, OWN]) {
      expect(text).not.toContain(account);
      for (const f of files) expect(f.name).not.toContain(account);
    }
  });

  it('refuses an institution without a payer account, naming it in both languages', async () => {
    const { T01: _t01, ...withoutT01 } = payers;
    const error = await renderBankFiles(spec, payments(), ctx, { payers: withoutT01 }).catch((e) => e);
    expect(error).toBeInstanceOf(ExportError);
    expect((error as ExportError).code).toBe('MISSING_PAYER_ACCOUNT');
    expect((error as Error).message).toContain('T01 第1乡镇分院');
    expect((error as Error).message).toContain('没有设置付款账户');
    expect((error as Error).message).toContain('have no payer account');
    // A format that does not split by payer needs none.
    await expect(renderBankFiles(bankFormatNamed('批量代发'), payments(), ctx)).resolves.toBeDefined();
  });

  it('refuses one account under two holders', async () => {
    const clash = { ...payers, C02: { ...payers.C02, name: '县中医院' } };
    await expect(renderBankFiles(spec, payments(), ctx, { payers: clash })).rejects.toThrow(
      /different holders or banks/,
    );
  });

  it('checks a payer account as staff.csv’s: digits, Luhn for a card-like length unless declared not a card', () => {
    expect(checkedPayerAccount('T01', payers.T01)).toEqual(payers.T01);
    const cut = `${OWN.slice(0, -1)}${(Number(OWN.at(-1)) + 1) % 10}`;
    expect(() => checkedPayerAccount('T01', { ...payers.T01, account: cut })).toThrow(/Luhn/);
    expect(() => checkedPayerAccount('T01', { ...payers.T01, account: cut })).toThrow(/截断/);
    expect(checkedPayerAccount('T01', { ...payers.T01, account: cut, nonCard: true }).account).toBe(cut);
    expect(() => checkedPayerAccount('T01', { ...payers.T01, account: '6.22848E+18' })).toThrow(
      /8 to 34 digits/,
    );
    expect(() => checkedPayerAccount('T01', { account: OWN, name: '第1乡镇分院' })).toThrow(/bank/);
    expect(() => checkedPayerAccount('T 01', payers.T01)).toThrow(/institution id/);
    // An error never carries the full account.
    const error = (() => {
      try {
        checkedPayerAccount('T01', { ...payers.T01, account: cut });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).not.toContain(cut);
  });

  it('are read for a whole community from a CSV as Excel saves it (GBK, Chinese headers), every bad row named', () => {
    const good = [
      '机构编号,付款账号,户名,开户行,账号校验',
      `C01,${SHARED},某县医共体总院,农业银行某县支行,nonCard`,
      `T01,${OWN},第1乡镇分院,农村信用社某乡分社,`,
    ];
    expect(payerAccountsCsv('付款账户.csv', encodeGbk(`${good.join('\r\n')}\r\n`))).toEqual({
      C01: { ...payers.C01 },
      T01: payers.T01,
    });
    const cut = `${OWN.slice(0, -1)}${(Number(OWN.at(-1)) + 1) % 10}`;
    const bad = [
      'institutionId,account,name,bank',
      `C01,${SHARED},某县医共体总院,农业银行某县支行`, // card-like without nonCard: fails Luhn
      `T01,${cut},第1乡镇分院,农村信用社某乡分社`,
      `T01,${OWN},第1乡镇分院,农村信用社某乡分社`,
      'T02,6.22848E+18,第2乡镇分院,农村信用社',
    ];
    const error = (() => {
      try {
        payerAccountsCsv('payers.csv', new TextEncoder().encode(bad.join('\n')));
      } catch (e) {
        return e as ExportError;
      }
    })();
    expect(error).toBeInstanceOf(ExportError);
    const lines = error!.message.split('\n');
    expect(lines.map((l) => /第 (\d+) 行/.exec(l)?.[1])).toEqual(['2', '3', '4', '5']);
    expect(lines[0]).toContain('Luhn');
    expect(lines[2]).toContain('appears twice');
    expect(lines[3]).toContain('8 to 34 digits');
    expect(error!.message).not.toContain(cut);
    expect(() => payerAccountsCsv('p.csv', new TextEncoder().encode('institutionId,account\nC01,1'))).toThrow(
      /name.*bank|户名/,
    );
  });
});
