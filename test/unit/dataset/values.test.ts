import { describe, expect, it } from 'vitest';
import { expectIssues, issuesOf, parseWith, setCell, tinyFiles } from './helpers.js';

const files = tinyFiles();
const staff = files['staff.csv']!;
const institutions = files['institutions.csv']!;
const workload = files['workload.csv']!;
const finance = files['finance.csv']!;

describe('amounts in yuan', () => {
  it('rejects an amount with three decimals', () => {
    const [issue] = expectIssues(parseWith({ 'staff.csv': setCell(staff, 2, 'basicMonthly', '2000.255') }), [
      { file: 'staff.csv', row: 2, column: 'basicMonthly', rule: 'amount.decimals' },
    ]);
    expect(issue!.value).toBe('2000.255');
    expect(issue!.en).toContain('at most 2 decimals');
    expect(issue!.zh).toContain('最多保留 2 位小数');
  });

  it('rejects letters, thousands separators and currency signs in an amount', () => {
    let text = setCell(finance, 2, 'amount', '15870.2five');
    text = setCell(text, 3, 'amount', '"14,496.17"');
    text = setCell(text, 4, 'amount', '¥14118.15');
    expectIssues(parseWith({ 'finance.csv': text }), [
      { file: 'finance.csv', row: 2, column: 'amount', rule: 'amount.format' },
      { file: 'finance.csv', row: 3, column: 'amount', rule: 'number.thousandsSeparator' },
      { file: 'finance.csv', row: 4, column: 'amount', rule: 'amount.format' },
    ]);
  });

  it('rejects a negative amount where only adjustments may be signed', () => {
    expectIssues(parseWith({ 'finance.csv': setCell(finance, 2, 'amount', '-1.00') }), [
      { file: 'finance.csv', row: 2, column: 'amount', rule: 'amount.negative' },
    ]);
  });

  it('reads one decimal, no decimals and harmless trailing zeros exactly', () => {
    let text = setCell(staff, 2, 'basicMonthly', '1234.5');
    text = setCell(text, 3, 'basicMonthly', '1234');
    text = setCell(text, 4, 'basicMonthly', '1234.500');
    const result = parseWith({ 'staff.csv': text });
    expect(result.ok && result.dataset.staff.slice(0, 3).map((s) => s.basicMonthly)).toEqual([
      123450, 123400, 123450,
    ]);
  });
});

describe('workload', () => {
  it('rejects attendance above the scheduled days', () => {
    const [issue] = expectIssues(parseWith({ 'workload.csv': setCell(workload, 2, 'attendedDays', '23') }), [
      { file: 'workload.csv', row: 2, column: 'attendedDays', rule: 'workload.attendance' },
    ]);
    expect(issue!.en).toContain('scheduled days (22)');
  });

  it('rejects zero scheduled days', () => {
    let text = setCell(workload, 4, 'scheduledDays', '0');
    text = setCell(text, 4, 'attendedDays', '0');
    const [issue] = expectIssues(parseWith({ 'workload.csv': text }), [
      { file: 'workload.csv', row: 4, column: 'scheduledDays', rule: 'decimal.range' },
    ]);
    expect(issue!.en).toContain('greater than 0');
  });

  it('rejects quality above 100 and negative work points', () => {
    let text = setCell(workload, 5, 'quality', '100.5');
    text = setCell(text, 6, 'workPoints', '-3');
    expectIssues(parseWith({ 'workload.csv': text }), [
      { file: 'workload.csv', row: 5, column: 'quality', rule: 'decimal.range' },
      { file: 'workload.csv', row: 6, column: 'workPoints', rule: 'decimal.range' },
    ]);
  });

  it('accepts quality of exactly 0 and 100 and half days', () => {
    let text = setCell(workload, 2, 'quality', '100');
    text = setCell(text, 3, 'quality', '0');
    text = setCell(text, 4, 'attendedDays', '20.5');
    const result = parseWith({ 'workload.csv': text });
    expect(result.ok && result.dataset.workload.slice(0, 3).map((w) => [w.quality, w.attendedDays])).toEqual([
      ['100', '22'],
      ['0', '21'],
      ['79.8', '20.5'],
    ]);
  });

  it('rejects a period that is not YYYY-MM', () => {
    let text = setCell(workload, 2, 'period', '2026/01');
    text = setCell(text, 3, 'period', '2026-13');
    text = setCell(text, 4, 'period', '2026-1');
    const [issue] = expectIssues(parseWith({ 'workload.csv': text }), [
      { file: 'workload.csv', row: 2, column: 'period', rule: 'period.excelDate' },
      { file: 'workload.csv', row: 3, column: 'period', rule: 'period.format' },
      { file: 'workload.csv', row: 4, column: 'period', rule: 'period.format' },
    ]);
    expect(issue!.en).toContain('YYYY-MM');
    expect(issue!.en).toContain('turned the period into a date');
  });
});

describe('enumerations', () => {
  it('rejects an unknown institution kind and lists the allowed kinds', () => {
    const [issue] = expectIssues(
      parseWith({ 'institutions.csv': setCell(institutions, 3, 'kind', 'tcm_hospital') }),
      [{ file: 'institutions.csv', row: 3, column: 'kind', rule: 'enum.value' }],
    );
    expect(issue!.en).toContain('county_hospital, county_tcm, county_mch');
    expect(issue!.zh).toContain('可选值');
  });

  it('rejects an unknown finance category, post and funding class', () => {
    expectIssues(
      parseWith({
        'finance.csv': setCell(finance, 2, 'category', 'medicine'),
        'staff.csv': setCell(staff, 2, 'post', 'surgeon'),
        'institutions.csv': setCell(institutions, 2, 'funding', '3'),
      }),
      [
        { file: 'institutions.csv', row: 2, column: 'funding', rule: 'enum.value' },
        { file: 'staff.csv', row: 2, column: 'post', rule: 'enum.value' },
        { file: 'finance.csv', row: 2, column: 'category', rule: 'enum.value' },
      ],
    );
  });

  it('reads flags as a set: empty is none, unknown or repeated flags are errors', () => {
    let text = setCell(staff, 2, 'flags', 'core;rural');
    text = setCell(text, 3, 'flags', 'key;key');
    text = setCell(text, 4, 'flags', ' scarce ; core ;');
    const issues = expectIssues(parseWith({ 'staff.csv': text }), [
      { file: 'staff.csv', row: 2, column: 'flags', rule: 'enum.value' },
      { file: 'staff.csv', row: 3, column: 'flags', rule: 'list.duplicate' },
    ]);
    expect(issues[0]!.en).toContain('"rural" is not allowed');
    const fixed = parseWith({ 'staff.csv': setCell(staff, 4, 'flags', ' scarce ; core ;') });
    expect(fixed.ok && fixed.dataset.staff[2]!.flags).toEqual(['scarce', 'core']);
    expect(fixed.ok && fixed.dataset.staff[0]!.flags).toEqual([]);
  });
});

describe('other cells', () => {
  it('rejects a servedPopulation that is negative or not whole, and a tier of zero', () => {
    let text = setCell(institutions, 2, 'servedPopulation', '-1');
    text = setCell(text, 3, 'servedPopulation', '12.5');
    text = setCell(text, 4, 'tier', '0');
    expectIssues(parseWith({ 'institutions.csv': text }), [
      { file: 'institutions.csv', row: 2, column: 'servedPopulation', rule: 'integer.range' },
      { file: 'institutions.csv', row: 3, column: 'servedPopulation', rule: 'integer.format' },
      { file: 'institutions.csv', row: 4, column: 'tier', rule: 'decimal.range' },
    ]);
  });

  it('rejects a bank account with anything but digits, and accepts an empty one', () => {
    const rejected = parseWith({ 'staff.csv': setCell(staff, 2, 'bankAccount', '6222 0212') });
    expectIssues(rejected, [
      { file: 'staff.csv', row: 2, column: 'bankAccount', rule: 'bankAccount.format' },
    ]);
    const accepted = parseWith({ 'staff.csv': setCell(staff, 2, 'bankAccount', '') });
    expect(accepted.ok && accepted.dataset.staff[0]).not.toHaveProperty('bankAccount');
  });

  it('rejects empty required cells and ids with spaces or separators', () => {
    let text = setCell(staff, 2, 'name', '  ');
    text = setCell(text, 3, 'postCoefficient', '');
    text = setCell(text, 4, 'staffId', 'C01 003');
    text = setCell(text, 5, 'staffId', 'C01#004');
    const issues = issuesOf(parseWith({ 'staff.csv': text })).filter((i) => i.file === 'staff.csv');
    expect(issues.map(({ row, column, rule }) => [row, column, rule])).toEqual([
      [2, 'name', 'value.required'],
      [3, 'postCoefficient', 'value.required'],
      [4, 'staffId', 'id.format'],
      [5, 'staffId', 'id.format'],
    ]);
  });

  it('reports every bad cell of a file, several in one row and across rows', () => {
    let text = setCell(workload, 2, 'quality', 'high');
    text = setCell(text, 2, 'scheduledDays', '0');
    text = setCell(text, 2, 'workPoints', '"1,420"');
    text = setCell(text, 9, 'attendedDays', '40');
    text = setCell(text, 100, 'period', '26-05');
    expectIssues(parseWith({ 'workload.csv': text }), [
      { file: 'workload.csv', row: 2, column: 'workPoints', rule: 'number.thousandsSeparator' },
      { file: 'workload.csv', row: 2, column: 'quality', rule: 'decimal.format' },
      { file: 'workload.csv', row: 2, column: 'scheduledDays', rule: 'decimal.range' },
      { file: 'workload.csv', row: 9, column: 'attendedDays', rule: 'workload.attendance' },
      { file: 'workload.csv', row: 100, column: 'period', rule: 'period.format' },
    ]);
  });

  it('keeps names with HTML or spreadsheet formulas exactly as written', () => {
    let text = setCell(staff, 2, 'name', '<b>王</b>');
    text = setCell(text, 3, 'name', '=1+2');
    text = setCell(text, 4, 'department', '@SUM(A1)');
    text = setCell(text, 5, 'name', ' 李 四 ');
    const result = parseWith({
      'staff.csv': text,
      'institutions.csv': setCell(institutions, 2, 'name', '<script>alert(1)</script>'),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.dataset.staff.slice(0, 4).map((s) => [s.name, s.department])).toEqual([
      ['<b>王</b>', '医技科'],
      ['=1+2', '护理部'],
      ['职工C013', '@SUM(A1)'],
      [' 李 四 ', '外科'],
    ]);
    expect(result.dataset.institutions[0]!.name).toBe('<script>alert(1)</script>');
  });
});
