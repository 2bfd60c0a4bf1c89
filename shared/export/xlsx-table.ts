/**
 * One table-shaped worksheet, as every workbook here lays it out: bold header in row 1 frozen in place,
 * money as real numbers formatted '#,##0.00', text guarded against formula injection, a bold 合计 row
 * whose values the caller computed in fen, and widths that fit the content (CJK counts double).
 */
import type ExcelJS from 'exceljs';
import { fenToYuanNumber, fenToYuanString } from './money-format.js';
import { guardText } from './text-guard.js';

/** text: guarded string; money: integer fen; count: plain integer; account: digits kept as text. */
export type ColumnType = 'text' | 'money' | 'count' | 'account';

export interface Column {
  header: string;
  type: ColumnType;
}

export type CellInput = string | number;

export const MONEY_FORMAT = '#,##0.00';
export const TEXT_FORMAT = '@';

const MIN_WIDTH = 8;
const MAX_WIDTH = 50;

/** Approximate display width: CJK and other wide characters take two columns. */
function displayWidth(value: string): number {
  let width = 0;
  for (const ch of value) width += (ch.codePointAt(0) ?? 0) >= 0x2e80 ? 2 : 1;
  return width;
}

/** "-1234567.50" → "-1,234,567.50", only to estimate how wide the formatted cell will be. */
function withThousands(decimal: string): string {
  const [whole = '', fraction = ''] = decimal.split('.');
  return `${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${fraction}`;
}

function cellValue(column: Column, value: CellInput): string | number {
  switch (column.type) {
    case 'money':
      if (typeof value !== 'number') throw new TypeError(`money column ${column.header} needs fen, got text`);
      return fenToYuanNumber(value, column.header);
    case 'count':
      return value;
    default:
      return guardText(String(value));
  }
}

function shownAs(column: Column, value: CellInput): string {
  return column.type === 'money' && typeof value === 'number'
    ? withThousands(fenToYuanString(value))
    : String(value);
}

/**
 * The data rows' cell styles, one object each shared by every such cell: exceljs serialises a style
 * object once (it remembers them by identity) instead of once per cell, ~0.5 s of a county's year of
 * sheets. Only for rows nothing restyles afterwards (the 合计 row is made bold cell by cell).
 */
const SHARED_STYLES: Partial<Record<ColumnType, Partial<ExcelJS.Style>>> = {
  money: { numFmt: MONEY_FORMAT },
  account: { numFmt: TEXT_FORMAT },
};

function fillRow(
  row: ExcelJS.Row,
  columns: readonly Column[],
  values: readonly CellInput[],
  sharedStyles = false,
): void {
  columns.forEach((column, i) => {
    const value = values[i] ?? '';
    if (value === '') return; // filler, e.g. beside the 合计 label: leave the cell empty
    const cell = row.getCell(i + 1);
    cell.value = cellValue(column, value);
    const shared = sharedStyles ? SHARED_STYLES[column.type] : undefined;
    if (shared) cell.style = shared;
    else if (column.type === 'money') cell.numFmt = MONEY_FORMAT;
    else if (column.type === 'account') cell.numFmt = TEXT_FORMAT;
  });
}

export interface TableSheet {
  name: string;
  columns: readonly Column[];
  rows: readonly (readonly CellInput[])[];
  total: readonly CellInput[];
  /** Free text written below the table after a blank row (period, lineage). */
  notes?: readonly string[];
}

export function addTableSheet(workbook: ExcelJS.Workbook, table: TableSheet): ExcelJS.Worksheet {
  const sheet = workbook.addWorksheet(table.name, {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });

  const header = sheet.addRow(table.columns.map((column) => guardText(column.header)));
  header.font = { bold: true };
  header.alignment = { horizontal: 'center', vertical: 'middle' };

  for (const values of table.rows) fillRow(sheet.addRow([]), table.columns, values, true);

  const total = sheet.addRow([]);
  fillRow(total, table.columns, table.total);
  total.font = { bold: true };

  if (table.notes?.length) {
    sheet.addRow([]);
    for (const note of table.notes) sheet.addRow([guardText(note)]);
  }

  table.columns.forEach((column, i) => {
    const widest = Math.max(
      displayWidth(column.header),
      ...[...table.rows, table.total].map((values) => displayWidth(shownAs(column, values[i] ?? ''))),
    );
    sheet.getColumn(i + 1).width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, widest + 2));
  });
  return sheet;
}

/**
 * How every workbook here is zipped: deflate at level 1 rather than jszip's 6. A county's monthly pay
 * sheet writes in ~150 ms instead of ~180 ms and is ~20 % larger (350 KB, not 288 KB); the cells are the
 * same and any reader inflates it alike (issue 17: `npm start` writes 36 of them).
 */
export const XLSX_WRITE = { zip: { compression: 'DEFLATE', compressionOptions: { level: 1 } } } as const;

/** Serialises a workbook to a Node Buffer. */
export async function workbookBuffer(workbook: ExcelJS.Workbook): Promise<Buffer> {
  const data = await workbook.xlsx.writeBuffer(XLSX_WRITE);
  return Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
}
