/**
 * The year a dataset's files are for, read from the files themselves (issue 15: scheme.json, which names
 * the year, is optional once the year has a scheme in force). insurance.csv holds the year; otherwise the
 * first row's period of a monthly file does. One row is enough: the import checks every other row
 * against the year afterwards (crossFileIssues), so a file mixing years is still refused, row by row.
 */
import { readCsv, readRows } from './csv.js';
import { decodeFile, decodeSlices, decodeSlicesLimit } from './decode.js';
import { CSV_FORMATS, type CsvKey } from './formats/index.js';
import type { FileSource } from './parse.js';
import { isSheetSource } from './xlsx.js';

/** Header and first data rows of a text: enough for one record without reading a whole month file. */
function head(text: string, lines = 3): string {
  let at = -1;
  for (let i = 0; i < lines; i++) {
    const next = text.indexOf('\n', at + 1);
    if (next < 0) return text;
    at = next;
  }
  return text.slice(0, at + 1);
}

/**
 * The header and first data rows of a file, or undefined when the file is not text (as `decodeFile`
 * says). Bytes are decoded slice by slice to the end (a province's workload.csv is never one string):
 * a file that does not decode gives no year, wherever its bad line is.
 */
function headOf(source: Uint8Array | string): string | undefined {
  if (typeof source === 'string' || decodeSlicesLimit(source)) {
    const decoded = decodeFile(source);
    return decoded.text === undefined ? undefined : head(decoded.text);
  }
  const slices = decodeSlices(source);
  let start = '';
  for (;;) {
    const next = slices.next();
    if (next.done) return 'problem' in next.value ? undefined : head(start);
    if (head(start) === start) start += next.value; // until it holds the header and a row or two
  }
}

/** The first data row's cell of `column` in one dataset file, as written (trimmed). */
function firstCell(
  sources: ReadonlyMap<string, FileSource>,
  key: CsvKey,
  column: string,
): string | undefined {
  const format = CSV_FORMATS[key];
  const source = sources.get(format.file);
  if (source === undefined) return undefined;
  let read: ReturnType<typeof readCsv>;
  if (isSheetSource(source)) {
    read = readRows(format.file, source.sheet.rows.slice(0, 3), format.columns);
  } else if (typeof source === 'object' && 'tooLargeBytes' in source) {
    return undefined;
  } else {
    const text = headOf(source);
    if (text === undefined) return undefined;
    read = readCsv(format.file, text, format.columns);
  }
  const at = read.index.get(column);
  const record = read.records[0];
  return at === undefined || !record ? undefined : record.fields[at]?.trim();
}

/** The year the files are for, or undefined when none of them says it plainly. */
export function yearOfSources(sources: ReadonlyMap<string, FileSource>): number | undefined {
  const year = firstCell(sources, 'insurance', 'year');
  if (year && /^\d{4}$/.test(year)) return Number(year);
  for (const key of ['workload', 'indicatorValues', 'finance', 'deductions'] as const) {
    const period = firstCell(sources, key, 'period');
    const match = period ? /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period) : null;
    if (match) return Number(match[1]);
  }
  return undefined;
}

/**
 * A step between reading a dataset's files and parsing them: the import uses it to add scheme.json from
 * the scheme in force when the files leave it out (shared/app/scheme-rule.ts). It may throw to refuse.
 */
export type CompleteSources = (
  sources: ReadonlyMap<string, FileSource>,
) => Promise<ReadonlyMap<string, FileSource>>;
