import { describe, expect, it } from 'vitest';
import {
  DatasetInvalidError,
  datasetOrThrow,
  formatIssue,
  formatIssueGroups,
  formatIssues,
  groupIssues,
  type ImportIssue,
} from '../../../shared/dataset/index.js';
import { issuesOf, parseWith, setCell, tinyFiles } from './helpers.js';

const amountIssue: ImportIssue = {
  file: 'staff.csv',
  row: 3,
  column: 'basicMonthly',
  value: '1234.565',
  rule: 'amount.decimals',
  zh: '金额最多保留 2 位小数（到分）',
  en: 'an amount may have at most 2 decimals',
};

describe('issue messages', () => {
  it('print one line naming file, row, column and value in Chinese and then English', () => {
    expect(formatIssue(amountIssue)).toBe(
      'staff.csv 第 3 行 列 basicMonthly 值 "1234.565"：金额最多保留 2 位小数（到分） | ' +
        'staff.csv, row 3, column basicMonthly, value "1234.565": an amount may have at most 2 decimals [amount.decimals]',
    );
  });

  it('leave out the parts a file-level issue does not have', () => {
    const issue: ImportIssue = {
      file: 'workload.csv',
      rule: 'file.missing',
      zh: '缺少必需的文件',
      en: 'this required file is missing',
    };
    expect(formatIssue(issue)).toBe(
      'workload.csv：缺少必需的文件 | workload.csv: this required file is missing [file.missing]',
    );
  });

  it('stay on one line and short whatever the value holds', () => {
    const line = formatIssue({ ...amountIssue, value: `a\nb${'x'.repeat(200)}` });
    expect(line).not.toContain('\n');
    expect(line).toContain('"a\\nbxxx');
    expect(line.length).toBeLessThan(400);
  });

  it('print a whole list one issue per line', () => {
    const issues = issuesOf(
      parseWith({
        'finance.csv': setCell(setCell(tinyFiles()['finance.csv']!, 2, 'amount', 'x'), 3, 'amount', 'y'),
      }),
    );
    expect(formatIssues(issues).split('\n')).toHaveLength(2);
  });
});

describe('DatasetInvalidError', () => {
  it('carries every issue and a name Step Functions can match', () => {
    const result = parseWith({ 'workload.csv': undefined });
    let caught: unknown;
    try {
      datasetOrThrow(result);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DatasetInvalidError);
    const error = caught as DatasetInvalidError;
    expect(error.name).toBe('DatasetInvalidError');
    expect(error.issues).toEqual(issuesOf(result));
    expect(error.message).toContain('workload.csv: this required file is missing');
  });

  it('keeps its message short when there are many issues', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ ...amountIssue, row: i + 2 }));
    const error = new DatasetInvalidError(many);
    expect(error.issues).toHaveLength(50);
    expect(error.message).toContain('… and 30 more');
  });

  it('is not thrown for a valid dataset', () => {
    expect(datasetOrThrow(parseWith({})).staff).toHaveLength(16);
  });
});

describe('grouped issues', () => {
  // A month of periods Excel turned into dates, and one other mistake in between.
  const mangled = () => {
    let text = tinyFiles()['workload.csv']!;
    for (let row = 2; row <= 17; row++) text = setCell(text, row, 'period', '2026/1/1');
    return setCell(text, 10, 'workPoints', 'abc');
  };

  it('groups by file, rule and column: the count, the first five rows and the first message', () => {
    const issues = issuesOf(parseWith({ 'workload.csv': mangled() }));
    expect(issues).toHaveLength(17);
    const groups = groupIssues(issues);
    expect(
      groups.map(({ file, column, rule, count, rows }) => ({ file, column, rule, count, rows })),
    ).toEqual([
      { file: 'workload.csv', column: 'period', rule: 'period.excelDate', count: 16, rows: [2, 3, 4, 5, 6] },
      { file: 'workload.csv', column: 'workPoints', rule: 'decimal.format', count: 1, rows: [10] },
    ]);
    expect(groups[0]!.zh).toBe(issues[0]!.zh);
  });

  it('prints a group on one line with the count and rows, and a lone issue as it always was', () => {
    const issues = issuesOf(parseWith({ 'workload.csv': mangled() }));
    const lines = formatIssueGroups(issues).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('workload.csv 列 period（16 处，第 2、3、4、5、6… 行）');
    expect(lines[0]).toContain('workload.csv, column period (16 times, rows 2, 3, 4, 5, 6…)');
    expect(lines[0]).toMatch(/\[period\.excelDate\]$/);
    expect(lines[1]).toBe(formatIssue(issues.find((i) => i.column === 'workPoints')!));
  });
});
