/**
 * The whole import: every file is decoded, read and checked, then the cross-file rules run, and only a
 * dataset without a single issue comes out (DOMAIN.md §2: import is all-or-nothing). Issues of all files
 * are collected before answering, so one round trip shows the user everything to fix.
 */
import { Dataset } from '../schemas/dataset.js';
import { didYouMean } from './closest.js';
import { crossFileIssues, type Table, type Tables } from './cross.js';
import { type CsvRead, readCsv, readRows } from './csv.js';
import { decodeFile, type Encoding, tooLarge } from './decode.js';
import { type ImportIssue, issueAt, Problem } from './errors.js';
import { CSV_FORMATS, CSV_KEYS, type CsvKey, DATASET_FILES, SCHEME_FILE } from './formats/index.js';
import { parseScheme, type SchemeOutput } from './formats/scheme.js';
import { v2CrossIssues, withCommunityRows } from './formats/v2-rules.js';
import { validateRows } from './table.js';
import { isSheetSource, placeInSheets, type SheetSource } from './xlsx.js';

/** A file's raw content, or only its size when it is too large to be read at all. */
export type FileSource = Uint8Array | string | { tooLargeBytes: number } | SheetSource;

export interface ImportSummary {
  file: string;
  /** Data rows, header not counted. */
  rows: number;
  /** What the file was written in (UTF-8, GB18030, UTF-16…, or XLSX), so the user sees how it was read. */
  encoding?: Encoding | 'XLSX';
  /** For a file read from an Excel sheet: the workbook and sheet (`数据.xlsx › 职工`). */
  sheet?: string;
}

/** The file row (header = row 1, as issues name rows) of each of the dataset's monthly rows, in the same order. */
export type MonthlyRowNumbers = Record<'workload' | 'indicatorValues' | 'finance' | 'adjustments', number[]>;

export type ParseResult =
  | { ok: true; dataset: Dataset; summary: ImportSummary[]; rowNumbers: MonthlyRowNumbers }
  | { ok: false; issues: ImportIssue[] };

/**
 * Unexpected `.csv`/`.json` files are errors: a misspelt optional file (`adjustment.csv`) would otherwise be
 * skipped in silence and its rows lost. Anything else (a README, `.DS_Store`, an .xlsx original) is ignored.
 */
export function unexpectedFiles(names: Iterable<string>): ImportIssue[] {
  return [...names]
    .filter((name) => !DATASET_FILES.includes(name) && !name.startsWith('.') && /\.(csv|json)$/i.test(name))
    .map((name) => {
      const hint = didYouMean(name, DATASET_FILES);
      return issueAt(
        { file: name },
        new Problem(
          'file.unknown',
          `不是数据集的文件${hint.zh}（数据集文件：${DATASET_FILES.join(', ')}）`,
          `not a dataset file${hint.en} (dataset files: ${DATASET_FILES.join(', ')})`,
        ),
      );
    });
}

/** Text of one file, or undefined after reporting why it cannot be read; `encodings` learns how it was read. */
export function textOf(
  sources: ReadonlyMap<string, FileSource>,
  file: string,
  required: boolean,
  issues: ImportIssue[],
  encodings?: Map<string, Encoding>,
  limit?: number,
): string | undefined {
  const source = sources.get(file);
  if (source === undefined) {
    if (required) {
      issues.push(
        issueAt({ file }, new Problem('file.missing', '缺少必需的文件', 'this required file is missing')),
      );
    }
    return undefined;
  }
  if (isSheetSource(source)) return undefined; // read as rows by the caller
  if (typeof source === 'object' && 'tooLargeBytes' in source) {
    issues.push(issueAt({ file }, tooLarge(source.tooLargeBytes)));
    return undefined;
  }
  const decoded = decodeFile(source, limit);
  if (decoded.problem) {
    // scheme.json issues carry no row (its structure is not row-based); a CSV's bad line is worth naming.
    const row = file === SCHEME_FILE ? undefined : decoded.line;
    issues.push(issueAt({ file, row }, decoded.problem));
    return undefined;
  }
  if (decoded.encoding) encodings?.set(file, decoded.encoding);
  return decoded.text;
}

export function readTable<K extends CsvKey>(
  key: K,
  text: string | SheetSource,
  issues: ImportIssue[],
): Table<unknown> {
  const format = CSV_FORMATS[key];
  const read: CsvRead =
    typeof text === 'string'
      ? readCsv(format.file, text, format.columns)
      : readRows(format.file, text.sheet.rows, format.columns);
  const checked = read.headerUsable
    ? validateRows<unknown>(format, read)
    : { rows: { values: [], records: [] }, issues: [] };
  issues.push(...read.issues, ...checked.issues);
  return {
    records: read.records,
    index: read.index,
    rows: checked.rows,
    complete: read.complete,
    readableColumns: read.readableColumns,
  };
}

const fileRank = (file: string) => {
  const rank = DATASET_FILES.indexOf(file);
  return rank < 0 ? DATASET_FILES.length : rank;
};

/** By file in dataset order, then by row (file-level issues first); stable within a row. */
export function sortIssues(issues: ImportIssue[]): ImportIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort(
      (a, b) =>
        fileRank(a.issue.file) - fileRank(b.issue.file) ||
        a.issue.file.localeCompare(b.issue.file) ||
        (a.issue.row ?? 0) - (b.issue.row ?? 0) ||
        a.index - b.index,
    )
    .map(({ issue }) => issue);
}

/** A cell said to have lost its digits (a rounded file) need not also be said to fail Luhn. */
export function dropLuhnWhereDigitsLost(issues: ImportIssue[]): void {
  const lost = new Set(
    issues.filter((i) => i.rule === 'bankAccount.lostDigits').map((i) => `${i.file}\u0000${i.row}`),
  );
  if (lost.size === 0) return;
  const kept = issues.filter((i) => i.rule !== 'bankAccount.luhn' || !lost.has(`${i.file}\u0000${i.row}`));
  issues.splice(0, issues.length, ...kept);
}

export function assemble(scheme: SchemeOutput, tables: Tables): Dataset {
  const rows = <K extends CsvKey>(key: K) => tables[key]?.rows.values ?? [];
  const candidate: Dataset = {
    scheme,
    institutions: rows('institutions'),
    staff: rows('staff'),
    leaders: rows('leaders'),
    indicators: rows('indicators'),
    indicatorValues: rows('indicatorValues'),
    finance: rows('finance'),
    workload: rows('workload'),
    insurance: rows('insurance'),
    adjustments: rows('adjustments'),
    // §9 files: absent stays absent, so a v1 dataset is exactly what it was.
    ...(tables.departments ? { departments: rows('departments') } : {}),
    ...(tables.secondments ? { secondments: rows('secondments') } : {}),
    // Withholding (issue 16): absent stays absent, so a dataset without it is exactly what it was.
    ...(tables.deductions ? { deductions: rows('deductions') } : {}),
  };
  // The contract every later stage trusts; a failure here is a bug in this import, not in the user's data.
  // The monthly tables (nine in ten rows of a city) and staff.csv are checked on their first row: every
  // row of a file is made by the same cell conversions, and a zod copy of 400,000 rows costs more than the
  // rest of the check (a city's 35,000 staff: ~40 ms of the main thread before an import's first write).
  // test/unit/dataset/fast-path.test.ts holds every row of generated datasets and of edge cases to the
  // contract, with keys in the schema's order.
  const { staff, indicatorValues, finance, workload } = candidate;
  const checked = Dataset.parse({
    ...candidate,
    staff: staff.slice(0, 1),
    indicatorValues: indicatorValues.slice(0, 1),
    finance: finance.slice(0, 1),
    workload: workload.slice(0, 1),
  });
  return { ...checked, staff, indicatorValues, finance, workload };
}

export interface ParseOptions {
  /** A file's size limit in bytes (default MAX_FILE_BYTES, 50 MB; uploads to S3: UPLOAD_MAX_FILE_BYTES). */
  maxFileBytes?: number;
}

export function parseDataset(
  sources: ReadonlyMap<string, FileSource>,
  options: ParseOptions = {},
): ParseResult {
  const issues: ImportIssue[] = unexpectedFiles(sources.keys());

  const schemeText = textOf(sources, SCHEME_FILE, true, issues, undefined, options.maxFileBytes);
  const parsedScheme = schemeText === undefined ? undefined : parseScheme(schemeText);
  issues.push(...(parsedScheme?.issues ?? []));

  const tables: Record<string, Table<unknown>> = {};
  const summary: ImportSummary[] = [];
  const encodings = new Map<string, Encoding>();
  for (const key of CSV_KEYS) {
    const format = CSV_FORMATS[key];
    const source = sources.get(format.file);
    if (isSheetSource(source)) {
      tables[key] = readTable(key, source, issues);
      const sheet = `${source.sheet.workbook} › ${source.sheet.name}`;
      summary.push({ file: format.file, rows: tables[key].records.length, encoding: 'XLSX', sheet });
      continue;
    }
    const text = textOf(sources, format.file, format.fileRequired, issues, encodings, options.maxFileBytes);
    if (text === undefined) continue;
    tables[key] = readTable(key, text, issues);
    summary.push({
      file: format.file,
      rows: tables[key].records.length,
      encoding: encodings.get(format.file),
    });
  }
  const typed = tables as Tables;
  issues.push(
    ...withCommunityRows(parsedScheme?.scheme, typed, crossFileIssues(parsedScheme?.scheme?.year, typed)),
  );
  dropLuhnWhereDigitsLost(issues);
  issues.push(...v2CrossIssues(parsedScheme?.scheme, typed));

  if (issues.length > 0 || !parsedScheme?.scheme) {
    return { ok: false, issues: placeInSheets(sortIssues(issues), sources) };
  }
  // Blank lines are skipped and a quoted cell may span lines, so a row's place in its array is not its row.
  const rowsOf = (key: keyof MonthlyRowNumbers) => typed[key]?.rows.records.map((r) => r.row) ?? [];
  const rowNumbers: MonthlyRowNumbers = {
    workload: rowsOf('workload'),
    indicatorValues: rowsOf('indicatorValues'),
    finance: rowsOf('finance'),
    adjustments: rowsOf('adjustments'),
  };
  return { ok: true, dataset: assemble(parsedScheme.scheme, typed), summary, rowNumbers };
}
