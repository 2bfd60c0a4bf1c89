import fc from 'fast-check';
import Fraction from 'fraction.js';
import { describe, expect, it } from 'vitest';
import { closestName } from '../../../shared/dataset/closest.js';
import {
  canonicalDecimal,
  compareDecimal,
  numberToDecimal,
  parseYuan,
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
