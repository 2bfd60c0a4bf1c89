/**
 * A CSV file format (its columns and its row schema) and the check of its rows. Each row is parsed on
 * its own so every bad cell of every row is reported, not only the first.
 *
 * Rows are checked twice over only when something is wrong: a fast path calls each cell's own `read`
 * (the function its zod schema wraps) and the format's row rule directly, and takes the row when all of
 * them pass; at the first problem the row goes through the zod schema, which reports every issue exactly
 * as it always has. Both paths run the same functions, so they agree by construction
 * (test/unit/dataset/fast-path.test.ts checks it).
 */

import { z } from 'zod';
import { shownValue } from '../privacy.js';
import type { Cell } from './cells.js';
import { type ColumnIndex, type CsvColumns, type CsvRecord, cellsOf, rawCell } from './csv.js';
import { type ImportIssue, issueAt, Problem } from './errors.js';
import { problemOf } from './zod-problems.js';

type Cells = Record<string, Cell<unknown>>;
type RowShape<C extends Cells> = { [K in keyof C]: C[K]['schema'] };
/** A row as its cells parse it, before any row rule or transform. */
export type CellsRow<C extends Cells> = z.output<z.ZodObject<RowShape<C>>>;

export interface CsvFormat<R> {
  file: string;
  /** The folder must contain this file (leaders.csv and adjustments.csv may be absent). */
  fileRequired: boolean;
  columns: CsvColumns;
  schema: z.ZodType<R, Record<string, string | undefined>>;
  /**
   * For records with these columns: the row's value when every cell and the row rule pass (what `schema`
   * would give, without undefined keys); undefined when the row has a problem, which the schema then reports.
   */
  quick: (index: ColumnIndex) => (record: CsvRecord) => R | undefined;
}

/** A rule over a whole row (e.g. attended ≤ scheduled days), reporting each problem against one column. */
export interface RowRule<Row> {
  /** Columns the rule reads: it runs only when they all parsed, so it never sees a half-read row. */
  reads: readonly string[];
  check: (row: Row, report: (column: string, problem: Problem) => void) => void;
}

/** The row as a zod object of its cells. */
export function rowSchema<C extends Cells>(cells: C): z.ZodObject<RowShape<C>> {
  const shape = Object.fromEntries(Object.entries(cells).map(([column, cell]) => [column, cell.schema]));
  return z.object(shape) as z.ZodObject<RowShape<C>>;
}

/** Runs a row rule only when the cells it reads parsed, so it never sees a half-read row. */
function whenValid(columns: readonly string[]) {
  return {
    when: (payload: z.core.ParsePayload) =>
      !payload.issues.some((i) => columns.includes(String(i.path?.[0]))),
  };
}

/** Reports a row rule's problem against one column. */
function reportAt(ctx: z.core.$RefinementCtx, column: string, problem: Problem): void {
  ctx.addIssue({ code: 'custom', message: problem.en, path: [column], params: { problem } });
}

// Optional cells that were empty come out as undefined; the dataset leaves such keys out.
function withoutUndefined<R>(value: R): R {
  return Object.fromEntries(Object.entries(value as object).filter(([, v]) => v !== undefined)) as R;
}

/**
 * A format from its cells, an optional row rule and an optional transform of the checked row. The zod
 * schema (cells, then the rule, then the transform) and the fast path are both built from these.
 */
export function csvFormat<C extends Cells, R = CellsRow<C>>(
  file: string,
  fileRequired: boolean,
  cells: C,
  { rule, transform }: { rule?: RowRule<CellsRow<C>>; transform?: (row: CellsRow<C>) => R } = {},
): CsvFormat<R> {
  const columns = Object.keys(cells);
  const optional = new Set(columns.filter((column) => cells[column]!.optional));

  const base = rowSchema(cells);
  const refined = rule
    ? base.superRefine(
        (row, ctx) => rule.check(row, (column, problem) => reportAt(ctx, column, problem)),
        whenValid(rule.reads),
      )
    : base;
  const schema = (transform ? refined.transform(transform) : refined) as z.ZodType<
    R,
    Record<string, string | undefined>
  >;

  const reads = columns.map((column) => cells[column]!.read);
  let failed = false;
  const fail = () => {
    failed = true;
  };
  const quick = (index: ColumnIndex) => {
    // Where each of the format's columns is in the record (-1: not in the header, read as undefined).
    const at = columns.map((column) => index.get(column) ?? -1);
    return ({ fields }: CsvRecord): R | undefined => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i++) {
        const value = reads[i]!(at[i]! < 0 ? undefined : fields[at[i]!]);
        if (value instanceof Problem) return undefined;
        if (value !== undefined) row[columns[i]!] = value;
      }
      if (rule) {
        failed = false;
        rule.check(row as CellsRow<C>, fail);
        if (failed) return undefined;
      }
      return transform ? withoutUndefined(transform(row as CellsRow<C>)) : (row as R);
    };
  };

  return { file, fileRequired, columns: { all: columns, optional }, schema, quick };
}

/** The rows that passed, as their values and (in the same order) the records they were read from. */
export interface ValidRows<R> {
  values: R[];
  records: CsvRecord[];
}

/**
 * Checks one record at a time, as `validateRows` does for a whole file: the row's value, or its issues
 * (an import that streams a large file checks each row as it is read and keeps only what it needs).
 */
export function rowChecker<R>(
  format: CsvFormat<R>,
  index: ColumnIndex,
): (record: CsvRecord, issues: ImportIssue[]) => R | undefined {
  const quick = format.quick(index);
  return (record, issues) => {
    const value = quick(record);
    if (value !== undefined) return value;
    const result = format.schema.safeParse(cellsOf(index, record));
    if (result.success) return withoutUndefined(result.data);
    for (const issue of result.error.issues) {
      const column = String(issue.path[0] ?? '');
      // A bank account is never quoted back in full, not even a malformed one.
      const value = shownValue(column, rawCell(index, record, column));
      issues.push(
        issueAt({ file: format.file, row: record.row, column, value }, problemOf(issue, value ?? '')),
      );
    }
    return undefined;
  };
}

export function validateRows<R>(
  format: CsvFormat<R>,
  { records, index }: { records: readonly CsvRecord[]; index: ColumnIndex },
): { rows: ValidRows<R>; issues: ImportIssue[] } {
  const rows: ValidRows<R> = { values: [], records: [] };
  const issues: ImportIssue[] = [];
  const check = rowChecker(format, index);
  for (const record of records) {
    const value = check(record, issues);
    if (value === undefined) continue;
    rows.values.push(value);
    rows.records.push(record);
  }
  return { rows, issues };
}
