/**
 * Pay sheet as CSV for people who open it in Excel or WPS (DOMAIN.md §8): UTF-8 with a BOM (without it
 * Excel on a Chinese Windows reads the file as GBK and the headers turn to mojibake), CRLF line endings,
 * Chinese headers, amounts in yuan with two decimals, and a 合计 row summed exactly from fen.
 */
import { stringify } from 'csv-stringify/sync';
import { sheetAmountColumns, TEXT_HEADERS, TOTAL_LABEL } from './labels.js';
import { fenToYuanString } from './money-format.js';
import { sortLines, textValues, totalsOf } from './pay-sheet-rows.js';
import { guardText } from './text-guard.js';
import type { PaySheet } from './types.js';

/**
 * The files' CSV dialect (csv-stringify's options). quote_record_delimiter: a field with a line break is
 * quoted — csv-stringify 6 leaves a bare CR or LF unquoted once record_delimiter is set, and a name with a
 * line break (an XLSX cell with Alt+Enter) then split its row in two for Excel, WPS and csv-parse alike.
 */
export const EXCEL_CSV_OPTIONS = {
  bom: true,
  record_delimiter: 'windows',
  quote_record_delimiter: true,
} as const;

/**
 * Rows of text in that dialect: a BOM, fields joined by commas, a field quoted when it holds a quote, a
 * comma or a line break (its quotes doubled), CRLF after every row. Written by csv-stringify, the library
 * the project keeps for CSV; a hand-written loop was ~0.25 s faster over a county year's CSV files
 * (issue 17), not worth a second CSV writer to keep right.
 */
export function excelCsv(rows: Iterable<readonly string[]>): string {
  return stringify(Array.isArray(rows) ? rows : [...rows], EXCEL_CSV_OPTIONS);
}

export function paySheetCsv(sheet: PaySheet): string {
  const lines = sortLines(sheet.lines);
  // §9.6: 补贴 / 财政保底补足 join the columns only on sheets whose lines carry them.
  const columns = sheetAmountColumns(sheet);
  const keys = columns.map(([key]) => key);
  const rows: string[][] = [[...TEXT_HEADERS, ...columns.map(([, label]) => label)]];
  for (const line of lines) {
    const row = textValues(line).map(guardText);
    for (const key of keys)
      row.push(fenToYuanString(line[key] ?? 0, () => `${key} of staff ${line.staffId}`));
    rows.push(row);
  }
  const totals = totalsOf(lines, keys);
  rows.push([
    TOTAL_LABEL,
    ...TEXT_HEADERS.slice(1).map(() => ''),
    ...keys.map((key) => fenToYuanString(totals[key])),
  ]);
  return excelCsv(rows);
}
