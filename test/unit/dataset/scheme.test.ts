import { describe, expect, it } from 'vitest';
import { expectIssues, parseWith, tinyFiles } from './helpers.js';

const schemeText = tinyFiles()['scheme.json']!;

/** The tiny scheme with a change applied to its parsed JSON. */
// biome-ignore lint/suspicious/noExplicitAny: tests write deliberately wrong types into the raw JSON
function schemeWith(change: (scheme: any) => void) {
  const scheme = JSON.parse(schemeText);
  change(scheme);
  return parseWith({ 'scheme.json': JSON.stringify(scheme, null, 2) });
}

describe('scheme.json', () => {
  it('keeps decimal strings as written and expands exponent numbers', () => {
    const result = schemeWith((s) => {
      s.pay.holdbackRate = '0.200';
      s.pay.growthRate = 1e-7;
      s.publicHealth.perCapita = 99.5;
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.dataset.scheme.pay.holdbackRate).toBe('0.200');
    expect(result.dataset.scheme.pay.growthRate).toBe('0.0000001');
    expect(result.dataset.scheme.publicHealth.perCapita).toBe(9950);
  });

  it('rejects a perCapita with more than two decimals', () => {
    expectIssues(
      schemeWith((s) => {
        s.publicHealth.perCapita = '99.005';
      }),
      [{ file: 'scheme.json', column: 'publicHealth.perCapita', rule: 'amount.decimals' }],
    );
  });

  it('orders grades by min descending whatever order they are written in', () => {
    const result = schemeWith((s) => {
      s.grades.reverse();
    });
    expect(result.ok && result.dataset.scheme.grades.map((g) => g.min)).toEqual(['90', '80', '60', '0']);
  });

  it('needs at least one grade', () => {
    expectIssues(
      schemeWith((s) => {
        s.grades = [];
      }),
      [{ file: 'scheme.json', column: 'grades', rule: 'scheme.grades.empty' }],
    );
  });

  it('rejects grades with the same min or name, and grades that leave low scores without a grade', () => {
    expectIssues(
      schemeWith((s) => {
        s.grades[1].min = 90;
        s.grades[2].grade = '优秀';
        s.grades[3].min = 10;
      }),
      [
        { file: 'scheme.json', column: 'grades[1].min', rule: 'scheme.grades.duplicateMin' },
        { file: 'scheme.json', column: 'grades[2].grade', rule: 'scheme.grades.duplicateName' },
        { file: 'scheme.json', column: 'grades', rule: 'scheme.grades.noZero' },
      ],
    );
  });

  it('rejects a misspelt key, suggests the right one and reports the field it left missing', () => {
    const [missing, unknown] = expectIssues(
      schemeWith((s) => {
        s.pay.holdbakRate = s.pay.holdbackRate;
        delete s.pay.holdbackRate;
      }),
      [
        { file: 'scheme.json', column: 'pay.holdbackRate', rule: 'json.required' },
        { file: 'scheme.json', column: 'pay.holdbakRate', rule: 'json.unknownKey' },
      ],
    );
    expect(unknown!.en).toContain('did you mean holdbackRate?');
    expect(unknown!.zh).toContain('是否应为 holdbackRate？');
    expect(missing!.en).toBe('this field is missing');
  });

  it('rejects values of the wrong type or out of range, naming the field path and value', () => {
    const issues = expectIssues(
      schemeWith((s) => {
        s.year = 'twenty';
        s.pay.tilt.cap = 0.9;
        s.grades[0].reserveRelease = 1.2;
        s.community = undefined;
      }),
      [
        { file: 'scheme.json', column: 'community', rule: 'json.required' },
        { file: 'scheme.json', column: 'year', rule: 'json.type' },
        { file: 'scheme.json', column: 'grades[0].reserveRelease', rule: 'decimal.range' },
        { file: 'scheme.json', column: 'pay.tilt.cap', rule: 'decimal.range' },
      ],
    );
    expect(issues[1]!.value).toBe('twenty');
    expect(issues[2]!.value).toBe('1.2');
  });

  it('rejects retention tiers out of order and a basic share range upside down', () => {
    expectIssues(
      schemeWith((s) => {
        s.insurance.retentionTiers = [
          { upTo: null, rate: 0.5 },
          { upTo: 0.05, rate: 1 },
        ];
        s.pay.basicShareRange = [0.8, 0.5];
      }),
      [
        { file: 'scheme.json', column: 'pay.basicShareRange', rule: 'scheme.range.order' },
        { file: 'scheme.json', column: 'insurance.retentionTiers[0].upTo', rule: 'scheme.tiers' },
      ],
    );
  });

  it('rejects text that is not JSON, saying near which line', () => {
    const [issue] = expectIssues(
      parseWith({ 'scheme.json': schemeText.replace('"year": 2026,', '"year": 2026') }),
      [{ file: 'scheme.json', rule: 'json.syntax' }],
    );
    expect(issue!.en).toMatch(/near line 8/);
  });

  it('checks the CSV files even when scheme.json is broken', () => {
    const result = parseWith({
      'scheme.json': '{',
      'leaders.csv': 'staffId,targetAnnualSalary\nC01-001,1.234\n',
    });
    expectIssues(result, [
      { file: 'scheme.json', rule: 'json.syntax' },
      { file: 'leaders.csv', row: 2, column: 'targetAnnualSalary', rule: 'amount.decimals' },
    ]);
  });
});
