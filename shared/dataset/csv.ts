/**
 * CSV text → records keyed by column, with the row number a user finds in an editor. Checks the file's
 * structure only (quoting, header, field counts); what the values mean is the formats' job.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { didYouMean } from './closest.js';
import { type ImportIssue, issueAt, Problem } from './errors.js';

export interface CsvRecord {
  /** Line where the record starts; the header is row 1. Equals the spreadsheet row unless a cell spans lines. */
  row: number;
  /** Only the columns the header names and the format knows. */
  cells: Record<string, string>;
}

export interface CsvColumns {
  all: readonly string[];
  /** Columns that may be left out of the header. */
  optional: ReadonlySet<string>;
}

export interface CsvRead {
  records: CsvRecord[];
  issues: ImportIssue[];
  /** False when some rows could not be read or the header lacks required columns: rows were not all checked. */
  complete: boolean;
  /** False when the header lacks a required column: rows are read for their keys but not checked. */
  headerUsable: boolean;
  /** Columns whose cells were read from every row (for references into this file). */
  readableColumns: ReadonlySet<string>;
}

const LINE_BREAK = /\r\n|\r|\n/g;
const lineBreaks = (text: string) => text.match(LINE_BREAK)?.length ?? 0;

interface RawRecord {
  fields: string[];
  row: number;
}

function quoteProblem(error: CsvError, startRow: number): Problem {
  const stopped = typeof error.lines === 'number' ? error.lines : startRow;
  const where =
    stopped === startRow
      ? { zh: `第 ${startRow} 行`, en: `line ${startRow}` }
      : {
          zh: `从第 ${startRow} 行开始的记录（解析停在第 ${stopped} 行）`,
          en: `the record starting on line ${startRow} (parsing stopped on line ${stopped})`,
        };
  return new Problem(
    'csv.quote',
    `${where.zh}引号不配对：含逗号、引号或换行的单元格须整体用英文双引号括起，单元格内的引号写成两个 ""`,
    `broken quoting in ${where.en}: a cell with commas, quotes or line breaks must be wrapped in double quotes, and a quote inside it written twice ("")`,
  );
}

// Empty lines come back as records of one empty cell, which keeps the line count exact; they are skipped later.
const OPTIONS = { relax_column_count: true } as const; // field counts are checked per row, so one bad row hides nothing

/** Numbers records by the line they start on: each ends with one line break plus those inside its cells. */
function numbered(records: string[][]): { raw: RawRecord[]; nextLine: number } {
  let line = 1;
  const raw = records.map((fields) => {
    const record = { fields, row: line };
    line += 1 + fields.reduce((n, f) => n + lineBreaks(f), 0);
    return record;
  });
  return { raw, nextLine: line };
}

/** Parses the whole text or returns the one syntax problem that stopped it (RFC 4180 quoting is strict). */
function parseRecords(file: string, text: string): { raw: RawRecord[]; issue?: ImportIssue } {
  try {
    return { raw: numbered(parse(text, OPTIONS)).raw };
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // Only for a broken file: read again up to the error, keeping the good rows so they are still checked.
    const good: string[][] = [];
    try {
      parse(text, { ...OPTIONS, on_record: (fields: string[]) => void good.push(fields) });
    } catch {}
    const { raw, nextLine } = numbered(good);
    // The broken record starts on the first non-blank line after the last good one.
    const blanks = text
      .split(LINE_BREAK)
      .slice(nextLine - 1)
      .findIndex((line) => line.trim() !== '');
    const startRow = nextLine + Math.max(0, blanks);
    const problem = /QUOTE/.test(error.code)
      ? quoteProblem(error, startRow)
      : new Problem('csv.syntax', `CSV 格式错误：${error.message}`, `malformed CSV: ${error.message}`);
    return { raw, issue: issueAt({ file, row: startRow }, problem) };
  }
}

function headerIssues(file: string, row: number, header: string[], columns: CsvColumns): ImportIssue[] {
  const issues: ImportIssue[] = [];
  const seen = new Set<string>();
  const known = columns.all.join(', ');
  for (const name of header) {
    const place = { file, row, column: name, value: name };
    if (seen.has(name)) {
      issues.push(
        issueAt(
          place,
          new Problem('header.duplicate', '表头中该列出现了两次', 'this column appears twice in the header'),
        ),
      );
    } else if (!columns.all.includes(name)) {
      const hint = didYouMean(
        name,
        columns.all.filter((c) => !header.includes(c)),
      );
      issues.push(
        issueAt(
          place,
          new Problem(
            'header.unknown',
            `未知的列${hint.zh}（可用的列：${known}）`,
            `unknown column${hint.en} (known columns: ${known})`,
          ),
        ),
      );
    }
    seen.add(name);
  }
  for (const name of columns.all) {
    if (!columns.optional.has(name) && !seen.has(name)) {
      issues.push(
        issueAt(
          { file, row, column: name },
          new Problem('header.missing', '表头缺少必需的列', 'the header lacks this required column'),
        ),
      );
    }
  }
  return issues;
}

export function readCsv(file: string, text: string, columns: CsvColumns): CsvRead {
  const { raw, issue } = parseRecords(file, text);
  const issues: ImportIssue[] = issue ? [issue] : [];
  // Blank lines and rows of bare commas (spreadsheets export them around the data) carry nothing.
  const [headerRecord, ...body] = raw.filter(({ fields }) => fields.some((f) => f.trim() !== ''));
  if (!headerRecord) {
    if (!issue) {
      issues.push(
        issueAt(
          { file },
          new Problem('file.empty', '文件为空，缺少表头行', 'the file is empty: it has no header row'),
        ),
      );
    }
    return { records: [], issues, complete: false, headerUsable: false, readableColumns: new Set() };
  }
  const header = headerRecord.fields.map((name) => name.trim());
  const problems = headerIssues(file, headerRecord.row, header, columns);
  issues.push(...problems);
  // Without a required column every row would fail the same way; the header issue says it once. The rows
  // are still read, so the ids they declare can be checked against other files in the same pass.
  const headerUsable = !problems.some((p) => p.rule !== 'header.unknown');

  const records: CsvRecord[] = [];
  let complete = !issue && headerUsable;
  let rowsReadable = !issue;
  for (const { fields, row } of body) {
    if (fields.length !== header.length) {
      complete = false;
      rowsReadable = false;
      issues.push(
        issueAt(
          { file, row },
          new Problem(
            'csv.fieldCount',
            `该行有 ${fields.length} 个单元格，表头有 ${header.length} 列（检查多余或缺少的逗号，含逗号的内容须加引号）`,
            `this row has ${fields.length} cells but the header has ${header.length} columns (check for extra or missing commas; quote cells that contain commas)`,
          ),
        ),
      );
      continue;
    }
    const cells: Record<string, string> = {};
    header.forEach((name, i) => {
      if (columns.all.includes(name)) cells[name] = fields[i]!;
    });
    records.push({ row, cells });
  }
  const readableColumns = new Set(rowsReadable ? header.filter((name) => columns.all.includes(name)) : []);
  return { records, issues, complete, headerUsable, readableColumns };
}
