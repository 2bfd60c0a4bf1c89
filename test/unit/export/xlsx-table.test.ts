/**
 * The table workbooks are written with exceljs's streaming writer (issue 17). These tests hold them to
 * what the in-memory Workbook wrote before — kept here as the reference, the way xlsx-table.ts laid a
 * sheet out until then — read back cell for cell with the independent reader: sheet names, values and
 * their types, number formats, bold, the frozen header, column widths and the workbook's properties.
 */
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fenToYuanNumber, fenToYuanString } from '../../../shared/export/money-format.js';
import { guardText } from '../../../shared/export/text-guard.js';
import {
  type CellInput,
  type Column,
  columnWidths,
  type TableSheet,
  tableWorkbook,
  type WorkbookProperties,
} from '../../../shared/export/xlsx-table.js';
import { readXlsx, unzip, type XlsxBook } from './xlsx-reader.js';

// ── the reference: a table sheet as the buffered Workbook wrote it ───────────────────────────────────

function referenceDisplayWidth(value: string): number {
  let width = 0;
  for (const ch of value) width += (ch.codePointAt(0) ?? 0) >= 0x2e80 ? 2 : 1;
  return width;
}

function referenceShown(column: Column, value: CellInput): string {
  if (column.type !== 'money' || typeof value !== 'number') return String(value);
  const [whole = '', fraction = ''] = fenToYuanString(value).split('.');
  return `${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${fraction}`;
}

function referenceWidths(table: TableSheet): number[] {
  return table.columns.map((column, i) => {
    const widest = Math.max(
      referenceDisplayWidth(column.header),
      ...[...table.rows, table.total].map((values) =>
        referenceDisplayWidth(referenceShown(column, values[i] ?? '')),
      ),
    );
    return Math.min(50, Math.max(8, widest + 2));
  });
}

function referenceFill(row: ExcelJS.Row, columns: readonly Column[], values: readonly CellInput[]): void {
  columns.forEach((column, i) => {
    const value = values[i] ?? '';
    if (value === '') return;
    const cell = row.getCell(i + 1);
    if (column.type === 'money') {
      cell.value = fenToYuanNumber(value as number);
      cell.numFmt = '#,##0.00';
    } else if (column.type === 'count') cell.value = value;
    else {
      cell.value = guardText(String(value));
      if (column.type === 'account') cell.numFmt = '@';
    }
  });
}

async function referenceWorkbook(
  properties: WorkbookProperties,
  tables: readonly TableSheet[],
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'MedComm Pay';
  workbook.lastModifiedBy = 'MedComm Pay';
  workbook.title = properties.title;
  if (properties.subject) workbook.subject = properties.subject;
  if (properties.description) workbook.description = properties.description;
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.name, {
      views: [{ state: 'frozen', ySplit: 1 }],
      pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    });
    const header = sheet.addRow(table.columns.map((column) => guardText(column.header)));
    header.font = { bold: true };
    header.alignment = { horizontal: 'center', vertical: 'middle' };
    for (const values of table.rows) referenceFill(sheet.addRow([]), table.columns, values);
    const total = sheet.addRow([]);
    referenceFill(total, table.columns, table.total);
    total.font = { bold: true };
    if (table.notes?.length) {
      sheet.addRow([]);
      for (const note of table.notes) sheet.addRow([guardText(note)]);
    }
    referenceWidths(table).forEach((width, i) => {
      sheet.getColumn(i + 1).width = width;
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

// ── comparison ───────────────────────────────────────────────────────────────────────────────────────

/** What a person or a program reading the file gets; a string is a string whether shared or inline. */
function contents(book: XlsxBook) {
  return {
    creator: book.creator,
    title: book.title,
    description: book.description || undefined,
    sheets: book.sheets.map((sheet) => ({
      name: sheet.name,
      pane: sheet.pane,
      widths: [...sheet.widths],
      cells: sheet.cells.map((c) => ({
        ref: c.ref,
        kind: c.type === 'n' ? 'number' : 'string',
        text: c.text,
        numFmt: c.numFmt,
        bold: c.bold,
        formula: c.hasFormula,
      })),
    })),
  };
}

const COLUMNS: Column[] = [
  { header: '工号', type: 'text' },
  { header: '姓名', type: 'text' },
  { header: '人数', type: 'count' },
  { header: '银行账号', type: 'account' },
  { header: '基础性绩效', type: 'money' },
  { header: '应发合计', type: 'money' },
];

const SAMPLE: TableSheet[] = [
  {
    name: '汇总',
    columns: COLUMNS,
    rows: [
      ['C01-001', '张三', 3, '6222020200112233445', 123456789, -12050],
      ['=1+2', '@SUM(A1)', 1, '00012345678', 5, 0],
      ['-x', '<b>李四</b> & "引号"', 0, '6217000010002000300', -1, 100000000000],
      ['T02-009', '', 2, '12345678', 99, 1],
      [
        '𠀋𠀋 emoji 👩‍⚕️',
        '某某县第一人民医院某某分院某某社区卫生服务中心某某站点附属门诊部',
        7,
        '99999999',
        0,
        2,
      ],
    ],
    total: ['合计', '', 13, '', 123456893, 100000000003 - 12050],
    notes: ['期间：2026-03', '数据来源：cycle 2026-03 · dataset v7', '=not a formula'],
  },
  {
    name: '县人民医院',
    columns: COLUMNS.slice(0, 2).concat(COLUMNS.slice(4)),
    rows: [['C01-001', '张三', 200025, 353402]],
    total: ['合计', '', 200025, 353402],
  },
  { name: '空表', columns: COLUMNS, rows: [], total: ['合计', '', 0, '', 0, 0] },
];

const PROPERTIES: WorkbookProperties = {
  title: '某县医共体 2026-03 月度绩效工资表',
  subject: '月度绩效工资表',
  description: 'cycle 2026-03 · dataset v7 · scheme 3f2a9c',
};

describe('tableWorkbook (streamed) against the buffered Workbook it replaced', () => {
  it('reads back cell for cell as the buffered workbook: values, types, formats, bold, panes, widths, properties', async () => {
    const streamed = readXlsx(await tableWorkbook(PROPERTIES, SAMPLE));
    const buffered = readXlsx(await referenceWorkbook(PROPERTIES, SAMPLE));
    expect(contents(streamed)).toEqual(contents(buffered));
    // The comparison is not vacuous: the sample has every kind of cell.
    const summary = streamed.sheets[0]!;
    expect(summary.cell('E2')).toMatchObject({
      type: 'n',
      text: '1234567.89',
      numFmt: '#,##0.00',
      bold: false,
    });
    expect(summary.cell('D2')).toMatchObject({ text: '6222020200112233445', numFmt: '@' });
    expect(summary.cell('A3')?.text).toBe("'=1+2");
    expect(summary.cell('A7')).toMatchObject({ text: '合计', bold: true });
    expect(summary.cell('A1')).toMatchObject({ text: '工号', bold: true });
    expect(summary.pane).toMatchObject({ state: 'frozen', ySplit: '1' });
    expect(summary.widths.get(2)).toBe(50);
  });

  it('matches the buffered workbook for random tables', async () => {
    // Text a spreadsheet can hold (XML 1.0 characters), CJK and characters outside the BMP included.
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom('=', '+', '-', '@', '\t', '&', '<', '"', "'", ' ', '张', '医', '（', '𠀋', '👩'),
        fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      ),
      maxLength: 40,
    });
    const fen = fc.oneof(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), fc.maxSafeInteger());
    const row = fc.tuple(text, text, fc.nat(10_000), fc.stringMatching(/^\d{8,34}$/), fen, fen);
    const table = fc.record({
      rows: fc.array(row, { maxLength: 12 }),
      total: fc.tuple(fc.constant('合计'), fc.constant(''), fc.nat(), fc.constant(''), fen, fen),
      notes: fc.array(text, { maxLength: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(table, { minLength: 1, maxLength: 3 }), async (drawn) => {
        const tables: TableSheet[] = drawn.map((t, i) => ({ name: `表${i + 1}`, columns: COLUMNS, ...t }));
        const streamed = readXlsx(await tableWorkbook(PROPERTIES, tables));
        const buffered = readXlsx(await referenceWorkbook(PROPERTIES, tables));
        expect(contents(streamed)).toEqual(contents(buffered));
      }),
      { numRuns: 25, seed: 20261207 },
    );
  });

  it('writes text inline (no shared-strings part) and deflates every part', async () => {
    const file = await tableWorkbook(PROPERTIES, SAMPLE);
    const parts = unzip(file);
    expect(parts.has('xl/sharedStrings.xml')).toBe(false);
    const sheet = readXlsx(file).sheets[0]!;
    expect(sheet.cell('B2')).toMatchObject({ type: 'str', text: '张三' });
    // Central directory: every entry's method is 8 (deflate).
    const eocd = file.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    let p = file.readUInt32LE(eocd + 16);
    for (let k = 0; k < file.readUInt16LE(eocd + 10); k++) {
      expect(file.readUInt16LE(p + 10)).toBe(8);
      p += 46 + file.readUInt16LE(p + 28) + file.readUInt16LE(p + 30) + file.readUInt16LE(p + 32);
    }
  });
});

describe('columnWidths', () => {
  it('equals the widths measured on the text as shown, for any text and any amount of fen', () => {
    const anyText = fc.string({ unit: 'binary', maxLength: 30 });
    // Lone surrogates, which the buffered writer counted as wide characters too.
    const loneSurrogates = fc
      .array(fc.integer({ min: 0xd800, max: 0xdfff }), { maxLength: 4 })
      .map((units) => String.fromCharCode(...units));
    const fen = fc.oneof(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), fc.maxSafeInteger());
    const cells = fc.tuple(fc.oneof(anyText, loneSurrogates), fen, fc.nat());
    fc.assert(
      fc.property(fc.array(cells, { maxLength: 20 }), cells, (rows, total) => {
        const table: TableSheet = {
          name: 't',
          columns: [
            { header: '名称', type: 'text' },
            { header: '金额', type: 'money' },
            { header: '人数', type: 'count' },
          ],
          rows,
          total,
        };
        expect(columnWidths(table)).toEqual(referenceWidths(table));
      }),
      { numRuns: 500, seed: 20261207 },
    );
  });

  it('counts separators and sign of an amount: -1,234,567.50 takes 13 columns (15 with the margin)', () => {
    const table: TableSheet = {
      name: 't',
      columns: [{ header: '金额', type: 'money' }],
      rows: [[-123456750]],
      total: [0],
    };
    expect(columnWidths(table)).toEqual([15]);
  });
});
