/**
 * Rules that span rows or files (DOMAIN.md §2): unique ids and keys, references that resolve, periods in
 * the scheme's year, one insurance row, the indicator-value shape its indicator needs, and an approved
 * total that covers basic pay.
 *
 * Keys and references are read from the raw cells of every row that could be read, not only from rows
 * that passed: a row with a bad amount still declares its id, so it must not cause "unknown institution"
 * noise elsewhere. A rule is skipped when a file it reads could not be read in full.
 */
import type { ColumnIndex, CsvRecord } from './csv.js';
import { fenToYuan } from './decimal.js';
import { type ImportIssue, issueAt, Problem } from './errors.js';
import { CSV_FORMATS, type CsvKey, type RowOf } from './formats/index.js';
import { sharedIdNumbers } from './id-number-rows.js';
import { confusableIds, roundedAccounts, sharedAccounts } from './identity.js';
import type { ValidRows } from './table.js';

export interface Table<R> {
  records: CsvRecord[];
  /** Where the format's columns are in the records' fields. */
  index: ColumnIndex;
  rows: ValidRows<R>;
  complete: boolean;
  /** Columns read from every row even when the file is not complete (e.g. a header missing another column). */
  readableColumns?: ReadonlySet<string>;
}

export type Tables = { [K in CsvKey]?: Table<RowOf<K>> };

interface ColumnReader {
  /** The cell as written; undefined when the header lacks the column. */
  raw: (record: CsvRecord) => string | undefined;
  /** The cell trimmed; '' when the header lacks the column. */
  cell: (record: CsvRecord) => string;
}

/** Reads one column of a table's records (its place in the fields is looked up once). */
function columnOf(table: Table<unknown>, column: string): ColumnReader {
  const at = table.index.get(column);
  if (at === undefined) return { raw: () => undefined, cell: () => '' };
  return { raw: (record) => record.fields[at], cell: (record) => record.fields[at]!.trim() };
}

/**
 * The first row of each key, a key being its cells joined with " / " (as the message shows it). Keys
 * whose cells hold no "/" are kept as nested maps of the cells themselves — for them equal joins mean
 * equal cells, and a join with more "/" than separators cannot equal theirs — which spares building and
 * hashing a joined string per row; the others are kept by their join.
 */
class FirstRows {
  private readonly plain = new Map<string, unknown>();
  private readonly joined = new Map<string, number>();

  /** The row that had the key first, or undefined after remembering `row` as that row. */
  firstOf(parts: readonly string[], row: number): number | undefined {
    if (anyHasSlash(parts)) {
      const key = parts.join(' / ');
      const first = this.joined.get(key);
      if (first === undefined) this.joined.set(key, row);
      return first;
    }
    let level = this.plain;
    const last = parts.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(parts[i]!) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(parts[i]!, next);
      }
      level = next;
    }
    const first = level.get(parts[last]!) as number | undefined;
    if (first === undefined) level.set(parts[last]!, row);
    return first;
  }
}

function anyHasSlash(parts: readonly string[]): boolean {
  for (let i = 0; i < parts.length; i++) if (parts[i]!.includes('/')) return true;
  return false;
}

function uniqueKey(tables: Tables, key: CsvKey, columns: string[]): ImportIssue[] {
  const table = tables[key];
  if (!table) return [];
  const file = CSV_FORMATS[key].file;
  const shown = columns.at(-1)!;
  const readers = columns.map((column) => columnOf(table, column).cell);
  const shownCell = columnOf(table, shown).raw;
  const issues: ImportIssue[] = [];
  const firstRows = new FirstRows();
  const parts: string[] = [];
  for (const record of table.records) {
    parts.length = 0;
    let empty = false;
    for (let i = 0; i < readers.length; i++) {
      const cell = readers[i]!(record);
      if (cell === '') empty = true;
      parts.push(cell);
    }
    if (empty) continue; // an empty key cell is reported by the row check
    const first = firstRows.firstOf(parts, record.row);
    if (first === undefined) continue;
    issues.push(duplicateIssue(file, columns, parts, first, record.row, shownCell(record)));
  }
  return issues;
}

/** A key seen before: on `row`, duplicating row `first` (the key's cells `parts` of `columns`). */
export function duplicateIssue(
  file: string,
  columns: readonly string[],
  parts: readonly string[],
  first: number,
  row: number,
  value: string | undefined,
): ImportIssue {
  const joined = parts.join(' / ');
  const what =
    columns.length > 1
      ? { zh: `（${columns.join(' / ')} = ${joined}）`, en: ` (${columns.join(' / ')} = ${joined})` }
      : { zh: '', en: '' };
  return issueAt(
    { file, row, column: columns.at(-1)!, value },
    new Problem('id.duplicate', `与第 ${first} 行重复${what.zh}`, `duplicate of row ${first}${what.en}`),
  );
}

/** A reference from `file`'s `column` that no row of `targetFile`'s `toColumn` has. */
export function unknownReferenceIssue(
  file: string,
  row: number,
  column: string,
  value: string | undefined,
  targetFile: string,
  toColumn: string,
): ImportIssue {
  return issueAt(
    { file, row, column, value },
    new Problem(
      'ref.unknown',
      `在 ${targetFile} 的 ${toColumn} 列中找不到此编码`,
      `no row of ${targetFile} has this ${toColumn}`,
    ),
  );
}

/** A period of another year than the scheme's. */
export function periodYearIssue(
  file: string,
  row: number,
  column: string,
  value: string | undefined,
  year: number,
): ImportIssue {
  return issueAt(
    { file, row, column, value },
    new Problem(
      'period.year',
      `期间不在方案年度 ${year} 内`,
      `the period is outside the scheme's year ${year}`,
    ),
  );
}

/**
 * Whether a reference rule from another file into `to`'s `toColumn` runs, and the ids it knows (an empty
 * target is reported once as file.noRows rather than once per referring row).
 */
export function referenceTarget(
  tables: Tables,
  to: CsvKey,
  toColumn: string,
): ReadonlySet<string> | undefined {
  const target = tables[to];
  if (!target || target.records.length === 0) return undefined;
  if (!target.complete && !target.readableColumns?.has(toColumn)) return undefined;
  // staff.csv's ids are the target of four rules and of the streamed workload check: made once per records.
  let byColumn = targetIds.get(target.records);
  if (!byColumn) {
    byColumn = new Map();
    targetIds.set(target.records, byColumn);
  }
  let ids = byColumn.get(toColumn);
  if (!ids) {
    ids = new Set(target.records.map(columnOf(target, toColumn).cell));
    byColumn.set(toColumn, ids);
  }
  return ids;
}

/** referenceTarget's sets, per table's records (a table read again has new records) and column. */
const targetIds = new WeakMap<readonly CsvRecord[], Map<string, Set<string>>>();

export { FirstRows, MONTH };

function reference(
  tables: Tables,
  from: CsvKey,
  column: string,
  to: CsvKey,
  toColumn: string,
): ImportIssue[] {
  const source = tables[from];
  const known = source ? referenceTarget(tables, to, toColumn) : undefined;
  if (!source || !known) return [];
  const { raw, cell } = columnOf(source, column);
  const file = CSV_FORMATS[from].file;
  const targetFile = CSV_FORMATS[to].file;
  return source.records
    .filter((record) => {
      const id = cell(record);
      return id !== '' && !known.has(id);
    })
    .map((record) => unknownReferenceIssue(file, record.row, column, raw(record), targetFile, toColumn));
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function periodsInYear(year: number, tables: Tables): ImportIssue[] {
  const checks: [CsvKey, string][] = [
    ['indicatorValues', 'period'],
    ['finance', 'period'],
    ['workload', 'period'],
    ['adjustments', 'period'],
    ['adjustments', 'refPeriod'],
    ['deductions', 'period'],
  ];
  const prefix = `${year}-`;
  return checks.flatMap(([key, column]) => {
    const table = tables[key];
    if (!table) return [];
    const { raw, cell } = columnOf(table, column);
    return table.records
      .filter((record) => {
        const period = cell(record);
        return !period.startsWith(prefix) && MONTH.test(period);
      })
      .map((record) => periodYearIssue(CSV_FORMATS[key].file, record.row, column, raw(record), year));
  });
}

function insurance(year: number | undefined, tables: Tables): ImportIssue[] {
  const table = tables.insurance;
  if (!table?.complete) return [];
  const file = CSV_FORMATS.insurance.file;
  const issues: ImportIssue[] = [];
  if (table.records.length !== 1) {
    issues.push(
      issueAt(
        { file, row: table.records[1]?.row },
        new Problem(
          'insurance.rows',
          `医保总额预算须正好一行（本年度），现有 ${table.records.length} 行`,
          `insurance.csv must have exactly one row (the year's budget); it has ${table.records.length}`,
        ),
      ),
    );
  }
  if (year === undefined) return issues;
  const { raw, cell } = columnOf(table, 'year');
  for (const record of table.records) {
    const written = cell(record);
    if (/^\d+$/.test(written) && Number(written) !== year) {
      issues.push(
        issueAt(
          { file, row: record.row, column: 'year', value: raw(record) },
          new Problem(
            'insurance.year',
            `年度须为方案年度 ${year}`,
            `the year must be the scheme's year ${year}`,
          ),
        ),
      );
    }
  }
  return issues;
}

const RATIO_COLUMNS = ['numerator', 'denominator'] as const;
const VALUE_COLUMNS = ['value'] as const;

/** Ratio indicators take numerator and denominator, all others a value — and not the other's columns. */
function indicatorValueShapes(tables: Tables): ImportIssue[] {
  const values = tables.indicatorValues;
  if (!values || !tables.indicators) return [];
  const aggregation = new Map(tables.indicators.rows.values.map((value) => [value.id, value.aggregation]));
  const file = CSV_FORMATS.indicatorValues.file;
  const read = (column: string) => columnOf(values, column);
  const columns: Record<string, ColumnReader> = {
    value: read('value'),
    numerator: read('numerator'),
    denominator: read('denominator'),
  };
  const indicatorOf = read('indicatorId').cell;
  const filled = (column: string, record: CsvRecord) => columns[column]!.cell(record) !== '';
  const issues: ImportIssue[] = [];
  for (const record of values.records) {
    const indicatorId = indicatorOf(record);
    const kind = aggregation.get(indicatorId);
    if (kind === undefined) continue; // unknown or invalid indicator: reported elsewhere
    const ratio = kind === 'ratio';
    const needed = ratio ? RATIO_COLUMNS : VALUE_COLUMNS;
    const unwanted = ratio ? VALUE_COLUMNS : RATIO_COLUMNS;
    // Nearly every row has its shape: the check reads cells and builds nothing else.
    if (needed.every((c) => filled(c, record)) && !unwanted.some((c) => filled(c, record))) continue;
    const shape = ratio
      ? {
          zh: `比率指标 ${indicatorId} 须填写 numerator 和 denominator，value 留空`,
          en: `ratio indicator ${indicatorId} takes numerator and denominator, with value left empty`,
        }
      : {
          zh: `指标 ${indicatorId}（${kind}）须填写 value，numerator 和 denominator 留空`,
          en: `indicator ${indicatorId} (${kind}) takes value, with numerator and denominator left empty`,
        };
    for (const column of needed.filter((c) => !filled(c, record))) {
      issues.push(
        issueAt(
          { file, row: record.row, column, value: columns[column]!.raw(record) },
          new Problem(
            'indicatorValue.shape',
            `缺少 ${column}：${shape.zh}`,
            `${column} is missing: ${shape.en}`,
          ),
        ),
      );
    }
    for (const column of unwanted.filter((c) => filled(c, record))) {
      issues.push(
        issueAt(
          { file, row: record.row, column, value: columns[column]!.raw(record) },
          new Problem(
            'indicatorValue.shape',
            `不应填写 ${column}：${shape.zh}`,
            `${column} must be empty: ${shape.en}`,
          ),
        ),
      );
    }
  }
  return issues;
}

/** R = T − 12·Σ basicMonthly must not be negative (DOMAIN.md §5.3). */
function approvedTotals(tables: Tables): ImportIssue[] {
  if (!tables.institutions || !tables.staff) return [];
  const basic = new Map<string, { fen: number; people: number }>();
  for (const value of tables.staff.rows.values) {
    const sum = basic.get(value.institutionId) ?? { fen: 0, people: 0 };
    basic.set(value.institutionId, { fen: sum.fen + value.basicMonthly, people: sum.people + 1 });
  }
  const file = CSV_FORMATS.institutions.file;
  const { values, records } = tables.institutions.rows;
  const approvedTotal = columnOf(tables.institutions, 'approvedTotal').raw;
  return values.flatMap((value, i) => {
    const record = records[i]!;
    const { row } = record;
    const sum = basic.get(value.id);
    const payroll = 12 * (sum?.fen ?? 0);
    if (!sum || payroll <= value.approvedTotal) return [];
    const total = fenToYuan(value.approvedTotal);
    const yearly = fenToYuan(payroll);
    return [
      issueAt(
        { file, row, column: 'approvedTotal', value: approvedTotal(record) },
        new Problem(
          'approvedTotal.belowBasicPayroll',
          `核定绩效工资总量低于基础性绩效：${sum.people} 人的 12 × 月基础性绩效合计 ${yearly} 元，超过核定总量 ${total} 元`,
          `approved total below basic payroll: 12 × basicMonthly of its ${sum.people} staff is ${yearly} yuan, more than the approved total ${total} yuan`,
        ),
      ),
    ];
  });
}

function rowsNeeded(tables: Tables): ImportIssue[] {
  const keys: CsvKey[] = ['institutions', 'staff', 'indicators'];
  return keys
    .filter((key) => tables[key]?.complete && tables[key].records.length === 0)
    .map((key) =>
      issueAt(
        { file: CSV_FORMATS[key].file },
        new Problem('file.noRows', '文件只有表头，没有数据行', 'the file has a header but no data rows'),
      ),
    );
}

export function crossFileIssues(year: number | undefined, tables: Tables): ImportIssue[] {
  return [
    ...rowsNeeded(tables),
    ...uniqueKey(tables, 'institutions', ['id']),
    ...uniqueKey(tables, 'staff', ['staffId']),
    ...confusableIds(tables, 'institutions', 'id'),
    ...confusableIds(tables, 'staff', 'staffId'),
    ...sharedAccounts(tables),
    ...sharedIdNumbers(tables),
    ...roundedAccounts(tables),
    ...uniqueKey(tables, 'leaders', ['staffId']),
    ...uniqueKey(tables, 'indicators', ['id']),
    ...uniqueKey(tables, 'indicatorValues', ['period', 'institutionId', 'indicatorId']),
    ...uniqueKey(tables, 'finance', ['period', 'institutionId', 'category']),
    ...uniqueKey(tables, 'workload', ['period', 'staffId']),
    ...reference(tables, 'staff', 'institutionId', 'institutions', 'id'),
    ...reference(tables, 'leaders', 'staffId', 'staff', 'staffId'),
    ...reference(tables, 'indicatorValues', 'institutionId', 'institutions', 'id'),
    ...reference(tables, 'indicatorValues', 'indicatorId', 'indicators', 'id'),
    ...reference(tables, 'finance', 'institutionId', 'institutions', 'id'),
    ...reference(tables, 'workload', 'staffId', 'staff', 'staffId'),
    ...reference(tables, 'adjustments', 'staffId', 'staff', 'staffId'),
    ...reference(tables, 'deductions', 'staffId', 'staff', 'staffId'),
    ...(year === undefined ? [] : periodsInYear(year, tables)),
    ...insurance(year, tables),
    ...indicatorValueShapes(tables),
    ...approvedTotals(tables),
  ];
}
