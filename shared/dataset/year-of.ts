/**
 * The year a dataset's files are for, read from the files themselves (issue 15: scheme.json, which names
 * the year, is optional once the year has a scheme in force). insurance.csv holds the year; otherwise the
 * first row's period of a monthly file does. One row is enough: the import checks every other row
 * against the year afterwards (crossFileIssues), so a file mixing years is still refused, row by row.
 */
import { readCsv, readRows } from './csv.js';
import { decodeFile } from './decode.js';
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
    const decoded = decodeFile(source); // whole: a cut could split a character (insurance.csv is small)
    if (decoded.text === undefined) return undefined;
    read = readCsv(format.file, head(decoded.text), format.columns);
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
