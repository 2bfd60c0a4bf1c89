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

/** The CSV options every writer here shares. */
export const EXCEL_CSV_OPTIONS = { bom: true, record_delimiter: 'windows' } as const;

export function paySheetCsv(sheet: PaySheet): string {
  const lines = sortLines(sheet.lines);
  // §9.6: 补贴 / 财政保底补足 join the columns only on sheets whose lines carry them.
  const columns = sheetAmountColumns(sheet);
  const keys = columns.map(([key]) => key);
  const rows: string[][] = [[...TEXT_HEADERS, ...columns.map(([, label]) => label)]];
  for (const line of lines) {
    rows.push([
      ...textValues(line).map(guardText),
      ...keys.map((key) => fenToYuanString(line[key] ?? 0, `${key} of staff ${line.staffId}`)),
    ]);
  }
  const totals = totalsOf(lines, keys);
  rows.push([
    TOTAL_LABEL,
    ...TEXT_HEADERS.slice(1).map(() => ''),
    ...keys.map((key) => fenToYuanString(totals[key])),
  ]);
  return stringify(rows, EXCEL_CSV_OPTIONS);
}
