/**
 * Pay sheet as CSV for people who open it in Excel or WPS (DOMAIN.md §8): UTF-8 with a BOM (without it
 * Excel on a Chinese Windows reads the file as GBK and the headers turn to mojibake), CRLF line endings,
 * Chinese headers, amounts in yuan with two decimals, and a 合计 row summed exactly from fen.
 */
import { sheetAmountColumns, TEXT_HEADERS, TOTAL_LABEL } from './labels.js';
import { fenToYuanString } from './money-format.js';
import { sortLines, textValues, totalsOf } from './pay-sheet-rows.js';
import { guardText } from './text-guard.js';
import type { PaySheet } from './types.js';

/**
 * The files' CSV dialect in csv-stringify's terms; excelCsv writes exactly what stringify writes with
 * these options. quote_record_delimiter: a field with a line break is quoted — csv-stringify 6 leaves a
 * bare CR or LF unquoted once record_delimiter is set, and a name with a line break (an XLSX cell with
 * Alt+Enter) then split its row in two for Excel, WPS and csv-parse alike.
 */
export const EXCEL_CSV_OPTIONS = {
  bom: true,
  record_delimiter: 'windows',
  quote_record_delimiter: true,
} as const;

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Rows of text as csv-stringify writes them with EXCEL_CSV_OPTIONS — a BOM, fields joined by commas, a
 * field quoted when it holds a quote, a comma or a line break (its quotes doubled), CRLF after every
 * row — without its per-field machinery (casts, option lookups, separator checks for any delimiter):
 * csv-stringify took ~0.2 s of a county year's CSV files and was compiled again and again by V8 while
 * doing it (issue 17). A property test holds the two to the same bytes.
 */
export function excelCsv(rows: Iterable<readonly string[]>): string {
  let text = '\uFEFF';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const field = row[i] as string;
      if (i > 0) text += ',';
      text += NEEDS_QUOTES.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
    }
    text += '\r\n';
  }
  return text;
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
