/**
 * The .xls (BIFF8) writer read back by readers that share none of its code: SheetJS (pure JS, always) and
 * LibreOffice (when installed: `soffice --convert-to csv`). Text cells keep every digit of accounts and
 * 身份证号, numbers stay numbers, Chinese text survives, and a sheet large enough to need DIFAT sectors in
 * its compound file (more than 109 FAT sectors) reads back whole.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import XLSX from 'xlsx';
import { type XlsCell, xlsWorkbook } from '../../../shared/export/xls-biff8.js';

const rows: XlsCell[][] = [
  ['账号', '户名', '身份证号', '金额', '开户行'],
  ['6217000012345678903', '张三', '11010519491231002X', 3534.13, '中国农业银行某县支行'],
  ['0012345678901234567', '欧阳娜', '110105198001010018', 0.01, ''],
  ['6214830101234561', '𠮷田', '110105198001020023', 12345678.9, 'Bank of China, "North" branch'],
];

/** Every row as SheetJS reads it (values raw: strings stay strings, numbers numbers). */
function sheetJsRows(content: Uint8Array): unknown[][] {
  const workbook = XLSX.read(Buffer.from(content), { type: 'buffer' });
  const sheet = workbook.Sheets[workbook.SheetNames[0]!]!;
  return XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, raw: true, defval: '' });
}

describe('an .xls workbook', () => {
  it('reads back in SheetJS cell for cell: text as text, numbers as numbers', () => {
    const content = xlsWorkbook({ name: '代发', rows, header: true, widths: [24, 10, 24, 12, 20] });
    const workbook = XLSX.read(Buffer.from(content), { type: 'buffer' });
    expect(workbook.SheetNames).toEqual(['代发']);
    expect(sheetJsRows(content)).toEqual(rows);
    const sheet = workbook.Sheets['代发']!;
    expect(sheet.A2).toMatchObject({ t: 's', v: '6217000012345678903' });
    expect(sheet.A3).toMatchObject({ t: 's', v: '0012345678901234567' }); // leading zeros kept
    expect(sheet.D2).toMatchObject({ t: 'n', v: 3534.13 });
  });

  it("of a city's 35,000 people (a compound file with DIFAT sectors) reads back whole", {
    timeout: 180_000,
  }, () => {
    const big: XlsCell[][] = Array.from({ length: 35_000 }, (_, i) => [
      `62170000${String(i).padStart(11, '0')}`,
      `职工${i}`,
      '11010519491231002X',
      (i * 37) / 100,
      '中国农业银行某县支行营业部',
      '2026-03月度绩效工资',
    ]);
    const content = xlsWorkbook({ name: 'big', rows: big });
    expect(content.length).toBeGreaterThan(109 * 128 * 512); // beyond what the header's FAT ids address
    const read = sheetJsRows(content);
    expect(read).toHaveLength(big.length);
    expect(read[34_999]).toEqual(big[34_999]);
    expect(read.map((r) => r[0])).toEqual(big.map((r) => r[0]));
  });

  it('refuses what the format cannot hold', () => {
    expect(() => xlsWorkbook({ name: 'a/b', rows })).toThrow(/sheet/);
    expect(() => xlsWorkbook({ name: 'x', rows: [[Number.NaN]] })).toThrow(/finite/);
    expect(() => xlsWorkbook({ name: 'x', rows: Array.from({ length: 65537 }, () => ['a']) })).toThrow(
      /65536/,
    );
  });
});

const SOFFICE = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => existsSync(p));

describe.skipIf(!SOFFICE)('an .xls workbook in LibreOffice', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(import.meta.dirname, '.xls-libreoffice-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('converts to the same rows (CSV, UTF-8), amounts shown with two decimals', async () => {
    const file = join(dir, 'bank.xls');
    await writeFile(file, xlsWorkbook({ name: '代发', rows, header: true }));
    // A profile of its own, so a LibreOffice already running for someone else is not reused.
    await promisify(execFile)(
      SOFFICE!,
      [
        `-env:UserInstallation=file://${join(dir, 'profile')}`,
        '--headless',
        '--convert-to',
        'csv:Text - txt - csv (StarCalc):44,34,76',
        '--outdir',
        dir,
        file,
      ],
      { timeout: 180_000 },
    );
    const { parse } = await import('csv-parse/sync');
    const csv = parse(await readFile(join(dir, 'bank.csv'), 'utf8')) as string[][];
    expect(csv).toEqual(rows.map((r) => r.map((v) => (typeof v === 'number' ? v.toFixed(2) : v))));
  }, 200_000);
});

if (!SOFFICE)
  console.warn(
    'LibreOffice not installed: the .xls LibreOffice read-back is skipped (SheetJS still reads it)',
  );
