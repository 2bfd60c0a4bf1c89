/**
 * A CSV file format (its columns and its row schema) and the check of its rows. Each row is parsed on
 * its own so every bad cell of every row is reported, not only the first.
 */

import { z } from 'zod';
import { shownValue } from '../privacy.js';
import type { Cell } from './cells.js';
import type { CsvColumns, CsvRecord } from './csv.js';
import { type ImportIssue, issueAt, type Problem } from './errors.js';
import { problemOf } from './zod-problems.js';

type Cells = Record<string, Cell<unknown>>;
type RowShape<C extends Cells> = { [K in keyof C]: C[K]['schema'] };

export interface CsvFormat<R> {
  file: string;
  /** The folder must contain this file (leaders.csv and adjustments.csv may be absent). */
  fileRequired: boolean;
  columns: CsvColumns;
  schema: z.ZodType<R, Record<string, string | undefined>>;
}

/** The row as a zod object of its cells; add row rules with `.superRefine(check, whenValid(…))`. */
export function rowSchema<C extends Cells>(cells: C): z.ZodObject<RowShape<C>> {
  const shape = Object.fromEntries(Object.entries(cells).map(([column, cell]) => [column, cell.schema]));
  return z.object(shape) as z.ZodObject<RowShape<C>>;
}

export function csvFormat<R>(
  file: string,
  fileRequired: boolean,
  cells: Cells,
  schema: z.ZodType<R, Record<string, string | undefined>>,
): CsvFormat<R> {
  const columns = Object.keys(cells);
  const optional = new Set(columns.filter((column) => cells[column]!.optional));
  return { file, fileRequired, columns: { all: columns, optional }, schema };
}

/** Runs a row rule only when the cells it reads parsed, so it never sees a half-read row. */
export function whenValid(...columns: string[]) {
  return {
    when: (payload: z.core.ParsePayload) =>
      !payload.issues.some((i) => columns.includes(String(i.path?.[0]))),
  };
}

/** Reports a row rule's problem against one column. */
export function reportAt(ctx: z.core.$RefinementCtx, column: string, problem: Problem): void {
  ctx.addIssue({ code: 'custom', message: problem.en, path: [column], params: { problem } });
}

export interface ValidRow<R> {
  row: number;
  value: R;
  /** The cells as written, for messages that quote them. */
  cells: Record<string, string>;
}

// Optional cells that were empty come out as undefined; the dataset leaves such keys out.
function withoutUndefined<R>(value: R): R {
  return Object.fromEntries(Object.entries(value as object).filter(([, v]) => v !== undefined)) as R;
}

export function validateRows<R>(
  format: CsvFormat<R>,
  records: readonly CsvRecord[],
): { rows: ValidRow<R>[]; issues: ImportIssue[] } {
  const rows: ValidRow<R>[] = [];
  const issues: ImportIssue[] = [];
  for (const { row, cells } of records) {
    const result = format.schema.safeParse(cells);
    if (result.success) {
      rows.push({ row, value: withoutUndefined(result.data), cells });
      continue;
    }
    for (const issue of result.error.issues) {
      const column = String(issue.path[0] ?? '');
      // A bank account is never quoted back in full, not even a malformed one.
      const value = shownValue(column, cells[column]);
      issues.push(issueAt({ file: format.file, row, column, value }, problemOf(issue, value ?? '')));
    }
  }
  return { rows, issues };
}
