import { beforeAll, describe, expect, it } from 'vitest';
import type { PaySheet, PaySheetLine } from '../../../shared/export/types.js';
import { paySheetXlsx } from '../../../shared/export/xlsx.js';
import { AMOUNT_KEYS, expectedOrder, line, sampleSheet, sumOf } from './fixtures.js';
import { decimalToFen, readXlsx, type XlsxBook, type XlsxCell, type XlsxSheet } from './xlsx-reader.js';

const HEADERS = ['期间', '机构编码', '机构名称', '科室', '工号', '姓名', '岗位'];
const AMOUNT_HEADERS = ['基础性绩效', '奖励性绩效', '季度结余奖励', '年度考核奖励', '调整', '应发合计'];

function texts(cells: (XlsxCell | undefined)[]): (string | undefined)[] {
  return cells.map((c) => c?.text);
}

/** The fen of a money cell, after checking it is a real number formatted #,##0.00. */
function fenOf(cell: XlsxCell | undefined): number {
  expect(cell, 'money cell present').toBeDefined();
  const c = cell as XlsxCell;
  expect(c.type, `${c.ref} is a number`).toBe('n');
  expect(c.numFmt, `${c.ref} format`).toBe('#,##0.00');
  expect(c.hasFormula, `${c.ref} holds a value, not a formula`).toBe(false);
  return decimalToFen(c.text);
}

/** exceljs leaves out a column whose width equals its default (9); Excel then shows its own 8.43. */
function widthOf(sheet: XlsxSheet, col: number): number {
  return sheet.widths.get(col) ?? 8.43;
}

function sheetNamed(book: XlsxBook, name: string): XlsxSheet {
  const sheet = book.sheets.find((s) => s.name === name);
  if (!sheet) throw new Error(`no sheet ${name} in ${book.sheets.map((s) => s.name).join(', ')}`);
  return sheet;
}

describe('paySheetXlsx read back with an independent zip/XML reader', () => {
  const sheet = sampleSheet();
  let book: XlsxBook;

  beforeAll(async () => {
    book = readXlsx(await paySheetXlsx(sheet));
  });

  it('has the 汇总 sheet first and then one sheet per institution in institutionId order', () => {
    expect(book.sheets.map((s) => s.name)).toEqual(['汇总', '县人民医院', '城关镇卫生院']);
  });

  it('sets the workbook creator, a title with the period and the lineage', () => {
    expect(book.creator).toBe('MedComm Pay');
    expect(book.title).toContain('2026-03');
    expect(book.title).toContain('某县医共体');
    expect(book.description).toBe(sheet.lineage);
  });

  it('freezes the header row on every sheet', () => {
    for (const s of book.sheets) {
      expect(s.pane, s.name).toMatchObject({ ySplit: '1', state: 'frozen' });
      expect(s.xml).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"[^>]*\/>/);
    }
  });

  it('writes a bold header with the CSV column names on each institution sheet', () => {
    for (const s of book.sheets.slice(1)) {
      const header = s.row(1);
      expect(texts(header)).toEqual([...HEADERS, ...AMOUNT_HEADERS]);
      for (const cell of header) expect(cell?.bold).toBe(true);
    }
  });

  it('writes every amount as a #,##0.00 number equal to the fen on the line', () => {
    for (const [name, id] of [
      ['县人民医院', 'C01'],
      ['城关镇卫生院', 'T02'],
    ] as const) {
      const s = sheetNamed(book, name);
      const expected = expectedOrder(sheet.lines.filter((l) => l.institutionId === id));
      expect(s.rowCount).toBe(1 + expected.length + 1);
      expected.forEach((l, i) => {
        const row = s.row(i + 2);
        expect(row[4]?.text).toBe(l.staffId);
        expect(row.slice(7).map(fenOf)).toEqual(AMOUNT_KEYS.map((k) => l[k]));
      });
    }
  });

  it('ends each institution sheet with a bold 合计 row equal to its fen sums', () => {
    for (const [name, id] of [
      ['县人民医院', 'C01'],
      ['城关镇卫生院', 'T02'],
    ] as const) {
      const s = sheetNamed(book, name);
      const total = s.row(s.rowCount);
      const lines = sheet.lines.filter((l) => l.institutionId === id);
      expect(total[0]?.text).toBe('合计');
      expect(total[0]?.bold).toBe(true);
      expect(total.slice(1, 7).every((c) => c === undefined)).toBe(true);
      expect(total.slice(7).map(fenOf)).toEqual(AMOUNT_KEYS.map((k) => sumOf(lines, k)));
    }
  });

  it('summarises each institution with its headcount and sums, then a grand 合计', () => {
    const s = sheetNamed(book, '汇总');
    expect(texts(s.row(1))).toEqual(['机构编码', '机构名称', '人数', ...AMOUNT_HEADERS]);
    const byInstitution = (id: string) => sheet.lines.filter((l) => l.institutionId === id);
    for (const [n, id, name] of [
      [2, 'C01', '县人民医院'],
      [3, 'T02', '城关镇卫生院'],
    ] as const) {
      const row = s.row(n);
      expect(texts(row.slice(0, 2))).toEqual([id, name]);
      expect(row[2]?.text).toBe(String(byInstitution(id).length));
      expect(row.slice(3).map(fenOf)).toEqual(AMOUNT_KEYS.map((k) => sumOf(byInstitution(id), k)));
    }
    const total = s.row(4);
    expect(total[0]?.text).toBe('合计');
    expect(total[2]?.text).toBe('5');
    expect(total.slice(3).map(fenOf)).toEqual(AMOUNT_KEYS.map((k) => sumOf(sheet.lines, k)));
    expect(s.cells.some((c) => c.text.includes(sheet.lineage as string))).toBe(true);
  });

  it('contains no formulas anywhere', () => {
    for (const s of book.sheets) expect(s.xml).not.toContain('<f>');
  });

  it('neutralises formula-looking text and keeps HTML as literal text', () => {
    const names = [...sheetNamed(book, '县人民医院').cells, ...sheetNamed(book, '城关镇卫生院').cells]
      .filter((c) => c.col === 6 && c.row > 1)
      .map((c) => c.text);
    expect(names).toEqual(
      expect.arrayContaining(["'=1+2", "'@SUM(A1)", "'+86", '<b>李四</b> & <script>alert(1)</script>']),
    );
    expect(sheetNamed(book, '城关镇卫生院').cells.map((c) => c.text)).toContain("'-x");
    for (const s of book.sheets) {
      for (const c of s.cells) if (c.type !== 'n') expect(c.text, c.ref).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('keeps a negative amount a negative number', () => {
    const s = sheetNamed(book, '城关镇卫生院');
    const row = s.cells.filter((c) => c.row === 3);
    expect(row[4]?.text).toBe('T02-002');
    expect(s.cell('L3')?.text).toBe('-120.5');
    expect(fenOf(s.cell('L3'))).toBe(-12050);
  });

  it('sets column widths that fit the content', () => {
    for (const s of book.sheets) {
      for (let col = 1; col <= s.row(1).length; col++) {
        const width = widthOf(s, col);
        expect(width, `${s.name} column ${col}`).toBeGreaterThanOrEqual(8);
        expect(width).toBeLessThanOrEqual(50);
      }
    }
    // 机构名称 in Chinese is wider than the period column.
    const s = sheetNamed(book, '县人民医院');
    expect(widthOf(s, 3)).toBeGreaterThan(widthOf(s, 1));
  });
});

describe('paySheetXlsx sheet names', () => {
  async function names(institutionNames: string[]): Promise<string[]> {
    const lines: PaySheetLine[] = institutionNames.map((institutionName, i) =>
      line({ institutionId: `I${String(i).padStart(2, '0')}`, institutionName, staffId: `S${i}` }),
    );
    const sheet: PaySheet = { ...sampleSheet(), lines };
    return readXlsx(await paySheetXlsx(sheet)).sheets.map((s) => s.name);
  }

  it('removes the characters Excel forbids and leading or trailing apostrophes', async () => {
    expect(await names(['a[b]c:d*e?f/g\\h', "'引号'"])).toEqual(['汇总', 'abcdefgh', '引号']);
  });

  it('truncates to 31 characters and keeps names unique ignoring case', async () => {
    const long = '某某县第一人民医院某某分院某某社区卫生服务中心某某站点附属门诊部';
    const result = await names([long, long, 'Clinic', 'CLINIC', '汇总', 'History']);
    for (const n of result) expect(n.length).toBeLessThanOrEqual(31);
    expect(result[1]).toBe(long.slice(0, 31));
    expect(result[2]).toMatch(/ \(2\)$/);
    expect(result.slice(3)).toEqual(['Clinic', 'CLINIC (2)', '汇总 (2)', 'History (2)']);
    expect(new Set(result.map((n) => n.toLowerCase())).size).toBe(result.length);
  });

  it('falls back to the institution id when nothing of the name survives', async () => {
    expect(await names(['[]:*?/\\'])).toEqual(['汇总', 'I00']);
  });
});

describe('paySheetXlsx with no lines', () => {
  it('writes only the summary with a zero 合计 row', async () => {
    const book = readXlsx(await paySheetXlsx({ ...sampleSheet(), lines: [], lineage: undefined }));
    expect(book.sheets.map((s) => s.name)).toEqual(['汇总']);
    const total = (book.sheets[0] as XlsxSheet).row(2);
    expect(total[0]?.text).toBe('合计');
    expect(total.slice(3).map(fenOf)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
