/**
 * Pay sheet as CSV for people who open it in Excel or WPS (DOMAIN.md §8): UTF-8 with a BOM (without it
 * Excel on a Chinese Windows reads the file as GBK and the headers turn to mojibake), CRLF line endings,
 * Chinese headers, amounts in yuan with two decimals, and a 合计 row summed exactly from fen.
 */
import { stringify } from 'csv-stringify/sync';
import { AMOUNT_KEYS, paySheetHeaders, TEXT_HEADERS, TOTAL_LABEL } from './labels.js';
import { fenToYuanString } from './money-format.js';
import { sortLines, textValues, totalsOf } from './pay-sheet-rows.js';
import { guardText } from './text-guard.js';
import type { PaySheet } from './types.js';

/** The CSV options every writer here shares. */
export const EXCEL_CSV_OPTIONS = { bom: true, record_delimiter: 'windows' } as const;

export function paySheetCsv(sheet: PaySheet): string {
  const lines = sortLines(sheet.lines);
  const rows: string[][] = [paySheetHeaders(sheet.kind)];
  for (const line of lines) {
    rows.push([
      ...textValues(line).map(guardText),
      ...AMOUNT_KEYS.map((key) => fenToYuanString(line[key], `${key} of staff ${line.staffId}`)),
    ]);
  }
  const totals = totalsOf(lines);
  rows.push([
    TOTAL_LABEL,
    ...TEXT_HEADERS.slice(1).map(() => ''),
    ...AMOUNT_KEYS.map((key) => fenToYuanString(totals[key])),
  ]);
  return stringify(rows, EXCEL_CSV_OPTIONS);
}
