import { describe, expect, it } from 'vitest';
import { appendRow, expectIssues, issuesOf, parseWith, setCell, tinyFiles } from './helpers.js';

const files = tinyFiles();
const line = (file: string, row: number) => files[file]!.split('\n')[row - 1]!;

describe('ids and keys', () => {
  it('rejects a duplicate institution, staff and indicator id, naming the first row', () => {
    const [institution] = expectIssues(
      parseWith({
        'institutions.csv': appendRow(
          files['institutions.csv']!,
          line('institutions.csv', 2).replace('县人民医院', '县医院'),
        ),
        'staff.csv': appendRow(files['staff.csv']!, line('staff.csv', 3)),
        'indicators.csv': appendRow(files['indicators.csv']!, line('indicators.csv', 12)),
      }),
      [
        { file: 'institutions.csv', row: 6, column: 'id', rule: 'id.duplicate' },
        { file: 'staff.csv', row: 18, column: 'staffId', rule: 'id.duplicate' },
        { file: 'indicators.csv', row: 13, column: 'id', rule: 'id.duplicate' },
      ],
    );
    expect(institution!.en).toBe('duplicate of row 2');
    expect(institution!.zh).toBe('与第 2 行重复');
  });

  it('rejects two rows for the same month and person, or the same month, institution and category', () => {
    const [, , , workload] = expectIssues(
      parseWith({
        'workload.csv': appendRow(files['workload.csv']!, line('workload.csv', 2).replace('1420', '1000')),
        'finance.csv': appendRow(files['finance.csv']!, line('finance.csv', 5)),
        'indicator-values.csv': appendRow(files['indicator-values.csv']!, line('indicator-values.csv', 2)),
        'leaders.csv': appendRow(files['leaders.csv']!, 'C01-001,1.00'),
      }),
      [
        { file: 'leaders.csv', row: 5, column: 'staffId', rule: 'id.duplicate' },
        { file: 'indicator-values.csv', row: 317, column: 'indicatorId', rule: 'id.duplicate' },
        { file: 'finance.csv', row: 722, column: 'category', rule: 'id.duplicate' },
        { file: 'workload.csv', row: 194, column: 'staffId', rule: 'id.duplicate' },
      ],
    );
    expect(workload!.en).toBe('duplicate of row 2 (period / staffId = 2026-01 / C01-001)');
  });
});

describe('references', () => {
  it('rejects a workload row for a staff id that is not in staff.csv', () => {
    const [issue] = expectIssues(
      parseWith({ 'workload.csv': setCell(files['workload.csv']!, 7, 'staffId', 'C01-099') }),
      [{ file: 'workload.csv', row: 7, column: 'staffId', rule: 'ref.unknown' }],
    );
    expect(issue!.value).toBe('C01-099');
    expect(issue!.en).toBe('no row of staff.csv has this staffId');
    expect(issue!.zh).toContain('staff.csv');
  });

  it('resolves every reference: staff, leaders, indicator values, finance and adjustments', () => {
    expectIssues(
      parseWith({
        'staff.csv': setCell(files['staff.csv']!, 2, 'institutionId', 'C09'),
        'leaders.csv': setCell(files['leaders.csv']!, 3, 'staffId', 'X-1'),
        'indicator-values.csv': setCell(
          setCell(files['indicator-values.csv']!, 2, 'institutionId', 'Q01'),
          3,
          'indicatorId',
          'no_such_indicator',
        ),
        'finance.csv': setCell(files['finance.csv']!, 2, 'institutionId', 'c01'),
        'adjustments.csv': setCell(files['adjustments.csv']!, 2, 'staffId', 'C01-0001'),
      }),
      [
        { file: 'staff.csv', row: 2, column: 'institutionId', rule: 'ref.unknown' },
        { file: 'leaders.csv', row: 3, column: 'staffId', rule: 'ref.unknown' },
        { file: 'indicator-values.csv', row: 2, column: 'institutionId', rule: 'ref.unknown' },
        { file: 'indicator-values.csv', row: 3, column: 'indicatorId', rule: 'ref.unknown' },
        { file: 'finance.csv', row: 2, column: 'institutionId', rule: 'ref.unknown' },
        { file: 'adjustments.csv', row: 2, column: 'staffId', rule: 'ref.unknown' },
      ],
    );
  });

  it('does not call an id unknown when the row declaring it has another problem', () => {
    expectIssues(parseWith({ 'staff.csv': setCell(files['staff.csv']!, 2, 'basicMonthly', 'n/a') }), [
      { file: 'staff.csv', row: 2, column: 'basicMonthly', rule: 'amount.format' },
    ]);
  });
});

describe('periods and the scheme year', () => {
  it('rejects periods outside the scheme year, including the corrected period of an adjustment', () => {
    const [finance] = expectIssues(
      parseWith({
        'finance.csv': setCell(files['finance.csv']!, 2, 'period', '2025-12'),
        'workload.csv': setCell(files['workload.csv']!, 193, 'period', '2027-01'),
        'adjustments.csv': setCell(files['adjustments.csv']!, 2, 'refPeriod', '2025-12'),
        'indicator-values.csv': setCell(files['indicator-values.csv']!, 10, 'period', '2025-01'),
      }),
      [
        { file: 'indicator-values.csv', row: 10, column: 'period', rule: 'period.year' },
        { file: 'finance.csv', row: 2, column: 'period', rule: 'period.year' },
        { file: 'workload.csv', row: 193, column: 'period', rule: 'period.year' },
        { file: 'adjustments.csv', row: 2, column: 'refPeriod', rule: 'period.year' },
      ],
    );
    expect(finance!.en).toBe("the period is outside the scheme's year 2026");
  });

  it('rejects an adjustment that corrects its own or a later month', () => {
    expectIssues(
      parseWith({ 'adjustments.csv': setCell(files['adjustments.csv']!, 3, 'refPeriod', '2026-06') }),
      [{ file: 'adjustments.csv', row: 3, column: 'refPeriod', rule: 'adjustment.refPeriod.order' }],
    );
  });

  it('needs exactly one insurance row, for the scheme year', () => {
    expectIssues(parseWith({ 'insurance.csv': setCell(files['insurance.csv']!, 2, 'year', '2025') }), [
      { file: 'insurance.csv', row: 2, column: 'year', rule: 'insurance.year' },
    ]);
    expectIssues(parseWith({ 'insurance.csv': appendRow(files['insurance.csv']!, '2026,1.00,,') }), [
      { file: 'insurance.csv', row: 3, rule: 'insurance.rows' },
    ]);
    expectIssues(parseWith({ 'insurance.csv': 'year,budget,actual,reasonableOverspend\n' }), [
      { file: 'insurance.csv', rule: 'insurance.rows' },
    ]);
  });
});

describe('indicator values', () => {
  it('needs numerator and denominator for ratio indicators and value for the others, not both', () => {
    // row 2: inpatient_cost_growth (mean) with a value; row 3: insurance_in_county (ratio)
    let text = setCell(files['indicator-values.csv']!, 3, 'denominator', '');
    text = setCell(text, 2, 'numerator', '3');
    text = setCell(text, 4, 'value', '');
    const [ratio] = expectIssues(parseWith({ 'indicator-values.csv': text }), [
      { file: 'indicator-values.csv', row: 2, column: 'numerator', rule: 'indicatorValue.shape' },
      { file: 'indicator-values.csv', row: 3, column: 'denominator', rule: 'indicatorValue.shape' },
      { file: 'indicator-values.csv', row: 4, column: 'value', rule: 'indicatorValue.shape' },
    ]);
    expect(ratio!.en).toContain('numerator must be empty');
  });

  it('rejects a negative denominator but accepts zero', () => {
    const rejected = parseWith({
      'indicator-values.csv': setCell(files['indicator-values.csv']!, 3, 'denominator', '-1'),
    });
    expectIssues(rejected, [
      { file: 'indicator-values.csv', row: 3, column: 'denominator', rule: 'decimal.range' },
    ]);
    const accepted = parseWith({
      'indicator-values.csv': setCell(files['indicator-values.csv']!, 3, 'denominator', '0'),
    });
    expect(accepted.ok).toBe(true);
  });
});

describe('approved total and basic payroll', () => {
  // C01's six staff: 12 × 19101.75 = 229221.00 yuan of basic pay a year.
  it('rejects an approved total below 12 × the basic monthly pay of its staff, in both languages', () => {
    const text = setCell(files['institutions.csv']!, 2, 'approvedTotal', '229220.99');
    const [issue] = expectIssues(parseWith({ 'institutions.csv': text }), [
      { file: 'institutions.csv', row: 2, column: 'approvedTotal', rule: 'approvedTotal.belowBasicPayroll' },
    ]);
    expect(issue!.value).toBe('229220.99');
    expect(issue!.en).toContain('approved total below basic payroll');
    expect(issue!.en).toContain('229221.00');
    expect(issue!.zh).toContain('核定绩效工资总量低于基础性绩效');
  });

  it('accepts an approved total exactly equal to the basic payroll', () => {
    const text = setCell(files['institutions.csv']!, 2, 'approvedTotal', '229221');
    expect(parseWith({ 'institutions.csv': text }).ok).toBe(true);
  });
});

describe('files of the folder', () => {
  it('rejects a dataset without a required file', () => {
    const [issue] = expectIssues(parseWith({ 'workload.csv': undefined }), [
      { file: 'workload.csv', rule: 'file.missing' },
    ]);
    expect(issue!.en).toBe('this required file is missing');
  });

  it('accepts a dataset without the optional leaders and adjustments', () => {
    const result = parseWith({ 'leaders.csv': undefined, 'adjustments.csv': undefined });
    expect(result.ok && [result.dataset.leaders, result.dataset.adjustments]).toEqual([[], []]);
    expect(result.ok && result.summary.map((s) => s.file)).not.toContain('leaders.csv');
  });

  it('rejects an unexpected CSV file with the name it probably meant, and ignores other files', () => {
    const result = parseWith({
      'adjustments.csv': undefined,
      'adjustment.csv': files['adjustments.csv'],
      'README.md': '# notes',
      '.DS_Store': '\u0000',
    });
    const [issue] = expectIssues(result, [{ file: 'adjustment.csv', rule: 'file.unknown' }]);
    expect(issue!.en).toContain('did you mean adjustments.csv?');
  });

  it('reports a whole broken folder at once', () => {
    const issues = issuesOf(
      parseWith({ 'scheme.json': undefined, 'staff.csv': undefined, 'institutions.csv': '' }),
    );
    expect(issues.map((i) => [i.file, i.rule])).toEqual([
      ['scheme.json', 'file.missing'],
      ['institutions.csv', 'file.empty'],
      ['staff.csv', 'file.missing'],
    ]);
  });
});
