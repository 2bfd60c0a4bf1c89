/**
 * What a rejected import tells the user: one issue per broken rule, each naming the file, row, column and
 * value, in Chinese and English (DOMAIN.md §2), so office, HR and finance staff can fix the file themselves.
 */
import { z } from 'zod';
import { RULE_CODES, type RuleCode } from './rules.js';

export const ImportIssue = z.object({
  file: z.string(),
  /** 1-based line in the file where the record starts; the header is row 1. Absent for file-level and JSON issues. */
  row: z.number().int().positive().optional(),
  /** CSV column name, or the JSON field path in scheme.json (e.g. `grades[2].min`). */
  column: z.string().optional(),
  /** The offending value as written (absent when there is none, e.g. a missing file). */
  value: z.string().optional(),
  rule: z.enum(RULE_CODES),
  zh: z.string(),
  en: z.string(),
  /** For a file read from an Excel sheet: the workbook and sheet (`数据.xlsx › 职工`). */
  sheet: z.string().optional(),
  /** For a file read from an Excel sheet: the column's letter as Excel shows it (beside `column`). */
  columnLetter: z.string().optional(),
});
export type ImportIssue = z.infer<typeof ImportIssue>;

/** A broken rule before it is placed in a file: the code and what to fix, in both languages. */
export class Problem {
  constructor(
    readonly rule: RuleCode,
    readonly zh: string,
    readonly en: string,
  ) {}
}

export const isProblem = (value: unknown): value is Problem => value instanceof Problem;

export interface Place {
  file: string;
  row?: number;
  column?: string;
  value?: string;
}

/** Places a problem; undefined location parts are left out so issues compare and serialise cleanly. */
export function issueAt(place: Place, problem: Problem): ImportIssue {
  const issue: ImportIssue = { file: place.file, rule: problem.rule, zh: problem.zh, en: problem.en };
  if (place.row !== undefined) issue.row = place.row;
  if (place.column !== undefined) issue.column = place.column;
  if (place.value !== undefined) issue.value = place.value;
  return issue;
}

// Long cells (a pasted paragraph, a whole JSON object) would drown the line; the user needs only enough to find it.
const MAX_VALUE_CHARS = 60;

function quote(value: string): string {
  const shown = value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value;
  // JSON quoting shows empty and blank values and keeps embedded newlines from breaking the one-line format.
  return JSON.stringify(shown);
}

/** One line: the Chinese sentence, then the English one, then the rule code. */
export function formatIssue(issue: ImportIssue): string {
  const zh = [issue.file];
  const en = [issue.file];
  if (issue.sheet !== undefined) {
    zh.push(`（工作表 ${issue.sheet}）`);
    en.push(`(sheet ${issue.sheet})`);
  }
  if (issue.row !== undefined) {
    zh.push(`第 ${issue.row} 行`);
    en.push(`row ${issue.row}`);
  }
  if (issue.column !== undefined) {
    const letter = issue.columnLetter === undefined ? '' : `${issue.columnLetter} `;
    zh.push(`列 ${letter}${issue.column}`);
    en.push(`column ${letter}${issue.column}`);
  }
  if (issue.value !== undefined) {
    zh.push(`值 ${quote(issue.value)}`);
    en.push(`value ${quote(issue.value)}`);
  }
  return `${zh.join(' ')}：${issue.zh} | ${en.join(', ')}: ${issue.en} [${issue.rule}]`;
}

export function formatIssues(issues: readonly ImportIssue[]): string {
  return issues.map(formatIssue).join('\n');
}

/** Rows a group names; the rest are counted. */
const ROWS_SHOWN = 5;

/**
 * Issues of one rule in one column of one file, said once: a column Excel mangled breaks every row the
 * same way, and 41,655 lines of the same sentence hide the one other mistake.
 */
export const IssueGroup = z.object({
  file: z.string(),
  column: z.string().optional(),
  rule: z.enum(RULE_CODES),
  count: z.number().int().positive(),
  /** The first rows (at most five), in file order; absent for file-level issues. */
  rows: z.array(z.number().int().positive()),
  /** The first issue's sentences (a group's issues share the rule; details such as "row 2" may differ). */
  zh: z.string(),
  en: z.string(),
});
export type IssueGroup = z.infer<typeof IssueGroup>;

/** Groups by file, rule and column, in the order each group first appears. */
export function groupIssues(issues: readonly ImportIssue[]): IssueGroup[] {
  const groups = new Map<string, IssueGroup>();
  for (const issue of issues) {
    const key = JSON.stringify([issue.file, issue.rule, issue.column ?? null]);
    let group = groups.get(key);
    if (!group) {
      group = { file: issue.file, rule: issue.rule, count: 0, rows: [], zh: issue.zh, en: issue.en };
      if (issue.column !== undefined) group.column = issue.column;
      groups.set(key, group);
    }
    group.count++;
    if (issue.row !== undefined && group.rows.length < ROWS_SHOWN) group.rows.push(issue.row);
  }
  return [...groups.values()];
}

/**
 * The issues as the CLI prints them: an issue alone in its group as one full line, a group of several
 * as one line with the count and the first five rows.
 */
export function formatIssueGroups(issues: readonly ImportIssue[]): string {
  const groups = groupIssues(issues);
  return groups
    .map((group) => {
      if (group.count === 1) return formatIssue(issues.find((i) => sameGroup(i, group))!);
      const more = group.count > group.rows.length ? '…' : '';
      const zh = [group.file];
      const en = [group.file];
      if (group.column !== undefined) {
        zh.push(`列 ${group.column}`);
        en.push(`column ${group.column}`);
      }
      const rowsZh = group.rows.length > 0 ? `，第 ${group.rows.join('、')}${more} 行` : '';
      const rowsEn = group.rows.length > 0 ? `, rows ${group.rows.join(', ')}${more}` : '';
      return `${zh.join(' ')}（${group.count} 处${rowsZh}）：${group.zh} | ${en.join(', ')} (${group.count} times${rowsEn}): ${group.en} [${group.rule}]`;
    })
    .join('\n');
}

const sameGroup = (issue: ImportIssue, group: IssueGroup) =>
  issue.file === group.file && issue.rule === group.rule && issue.column === group.column;

// The error message is for logs and Step Functions `Cause`; the full list travels in `issues`.
const MAX_LINES_IN_MESSAGE = 20;

/** Thrown where a caller needs an exception rather than a result; Step Functions matches on `name`. */
export class DatasetInvalidError extends Error {
  override readonly name = 'DatasetInvalidError' as const;
  readonly issues: readonly ImportIssue[];

  constructor(issues: readonly ImportIssue[]) {
    const shown = issues.slice(0, MAX_LINES_IN_MESSAGE);
    const more = issues.length - shown.length;
    const tail = more > 0 ? `\n… 另有 ${more} 个问题 | … and ${more} more` : '';
    super(
      `数据集有 ${issues.length} 个问题，未导入 | Dataset rejected with ${issues.length} issue(s)\n${formatIssues(shown)}${tail}`,
    );
    this.issues = issues;
  }
}
