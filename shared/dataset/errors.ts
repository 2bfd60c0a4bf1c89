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
  if (issue.row !== undefined) {
    zh.push(`第 ${issue.row} 行`);
    en.push(`row ${issue.row}`);
  }
  if (issue.column !== undefined) {
    zh.push(`列 ${issue.column}`);
    en.push(`column ${issue.column}`);
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
