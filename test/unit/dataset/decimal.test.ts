import fc from 'fast-check';
import Fraction from 'fraction.js';
import { describe, expect, it } from 'vitest';
import { decimal, month } from '../../../shared/dataset/cells.js';
import { closestName } from '../../../shared/dataset/closest.js';
import {
  canonicalDecimal,
  compareDecimal,
  decimalParser,
  numberToDecimal,
  parseYuan,
  plainDecimalWithin,
} from '../../../shared/dataset/decimal.js';
import { isProblem } from '../../../shared/dataset/errors.js';

const decimalText = fc
  .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,6}$/), fc.option(fc.stringMatching(/^[0-9]{1,6}$/)))
  .map(([negative, int, frac]) => `${negative ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}`);

describe('decimal text', () => {
  it('is canonicalised without changing its value or dropping written decimals', () => {
    expect(canonicalDecimal('007.50')).toBe('7.50');
    expect(canonicalDecimal(' +.5 ')).toBe('0.5');
    expect(canonicalDecimal('-0.00')).toBe('0.00');
    expect(canonicalDecimal('1e3')).toBeUndefined();
    expect(canonicalDecimal('1,000')).toBeUndefined();
    expect(canonicalDecimal('.')).toBeUndefined();
  });

  it('turns JSON numbers into the decimals they were written as', () => {
    expect(numberToDecimal(1.1)).toBe('1.1');
    expect(numberToDecimal(0.65)).toBe('0.65');
    expect(numberToDecimal(1e-7)).toBe('0.0000001');
    expect(numberToDecimal(-2.5e-8)).toBe('-0.000000025');
    expect(numberToDecimal(1e21)).toBe('1000000000000000000000');
    expect(numberToDecimal(720000)).toBe('720000');
  });

  it('compares exactly like rational arithmetic', () => {
    fc.assert(
      fc.property(decimalText, decimalText, (a, b) => {
        expect(compareDecimal(a, b)).toBe(Math.sign(new Fraction(a).compare(b)));
      }),
    );
  });
});

/** Cells near every edge of the quick decimal path: signs, zeros, points, spaces, letters, long and short. */
const decimalCell = fc.oneof(
  decimalText,
  fc
    .array(fc.constantFrom('0', '0', '1', '5', '9', '.', '-', '+', ' ', 'e', ',', '\u3000'), { maxLength: 8 })
    .map((chars) => chars.join('')),
  fc.constantFrom(
    '0',
    '00',
    '0.',
    '.5',
    '0.0',
    '100',
    '100.0',
    '99.99',
    '100.01',
    '1000',
    '9',
    '10',
    '0.000',
  ),
);

/** Bounds the formats use and others around them: zero, negative, fractional and whole limits. */
const BOUNDS = [
  {},
  { min: '0' },
  { min: '0', minExclusive: true },
  { min: '0', max: '100' },
  { min: '0', minExclusive: true, max: '100' },
  { min: '-0.00', max: '5' },
  { max: '0.5' },
  { max: '0' },
  { max: '-3' },
  { min: '1' },
  { min: '-2', minExclusive: true },
  { min: '0', max: '10.5' },
];

describe('a decimal cell read by its quick path', () => {
  it('gives what the parser gives, or leaves the cell to it', () => {
    for (const bounds of BOUNDS) {
      const parser = decimalParser(bounds);
      const quick = plainDecimalWithin(bounds);
      const cell = decimal(bounds);
      fc.assert(
        fc.property(decimalCell, (text) => {
          const expected = parser(text);
          const fast = quick(text);
          if (fast !== undefined) expect(fast, JSON.stringify({ bounds, text })).toBe(expected);
          const read = cell(text);
          // A problem may be renamed by the cell's hints (a full-width digit…), never turned into a value.
          if (isProblem(expected)) expect(isProblem(read), text).toBe(true);
          else expect(read, text).toBe(expected);
        }),
        { numRuns: 400 },
      );
    }
  });

  it('takes the plain cells a workload has, and nothing signed, padded or out of bounds', () => {
    const days = plainDecimalWithin({ min: '0', minExclusive: true });
    const score = plainDecimalWithin({ min: '0', max: '100' });
    expect(['21', '0.5', '1383', '82.40'].map(days)).toEqual(['21', '0.5', '1383', '82.40']);
    expect(['0', '0.00', '-1', '+1', ' 1', '01', '1.', '.5'].map(days)).toEqual(Array(8).fill(undefined));
    expect(['82.4', '0', '99.99'].map(score)).toEqual(['82.4', '0', '99.99']);
    // 100 itself and above are the parser's to decide.
    expect(['100', '100.0', '101', '1000'].map(score)).toEqual(Array(4).fill(undefined));
  });

  it('remembers the last period read as its first reading gave it', () => {
    expect(month('2026-01')).toBe('2026-01');
    expect(month('2026-01')).toBe('2026-01');
    expect(month(' 2026-02 ')).toBe('2026-02');
    expect(month(' 2026-02 ')).toBe('2026-02');
    expect(isProblem(month('2026-13'))).toBe(true);
    expect(isProblem(month('2026-13'))).toBe(true);
    expect(month('2026-02')).toBe('2026-02');
  });
});

describe('yuan to fen', () => {
  it('is exact for every amount with at most two decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(10 ** 12), max: 10 ** 12 }), (fen) => {
        const abs = Math.abs(fen);
        const text = `${fen < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
        expect(parseYuan(text, { signed: true })).toBe(fen === 0 ? 0 : fen);
      }),
    );
  });

  it('never rounds: a third non-zero decimal is refused', () => {
    const result = parseYuan('1234.565', { signed: false });
    expect(isProblem(result) && result.rule).toBe('amount.decimals');
    expect(parseYuan('0.10', { signed: false })).toBe(10);
    expect(Object.is(parseYuan('-0.00', { signed: true }), 0)).toBe(true);
  });

  it('refuses amounts beyond exact integer range', () => {
    const result = parseYuan('900719925474099.27', { signed: false });
    expect(isProblem(result) && result.rule).toBe('amount.range');
  });
});

describe('closest name', () => {
  it('suggests a name within a few typos and nothing for a different word', () => {
    const columns = ['staffId', 'institutionId', 'basicMonthly', 'bankAccount'];
    expect(closestName('basicMonthy', columns)).toBe('basicMonthly');
    expect(closestName('StaffID', columns)).toBe('staffId');
    expect(closestName('institution', columns)).toBe('institutionId');
    expect(closestName('remark', columns)).toBeUndefined();
  });
});
