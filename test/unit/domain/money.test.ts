import { describe, expect, it } from 'vitest';
import {
  applyRate,
  formatYuan,
  largestRemainderSplit,
  roundFen,
  toFen,
} from '../../../shared/domain/money.js';
import { Fraction, rational } from '../../../shared/domain/rational.js';

const r = rational;
const w = (entries: Record<string, string>) =>
  Object.entries(entries).map(([id, weight]) => ({ id, weight: r(weight) }));
const asObject = (map: Map<string, number> | null) => (map === null ? null : Object.fromEntries(map));

describe('roundFen and applyRate', () => {
  it('rounds a rational amount of fen half away from zero', () => {
    expect(roundFen(r('2.5'))).toBe(3);
    expect(roundFen(r('-2.5'))).toBe(-3);
    expect(roundFen(r('-2.4'))).toBe(-2);
  });

  it.each([
    [12345, '0.20', 2469], // 2469.0
    [12347, '0.20', 2469], // 2469.4 → down
    [12348, '0.20', 2470], // 2469.6 → up
    [5, '0.5', 3], // 2.5 → 3
    [-5, '0.5', -3], // −2.5 → −3
    [10, '0.25', 3], // 2.5 → 3
    [0, '0.40', 0],
  ])('applies %d fen × %s = %d fen', (amount, rate, expected) => {
    expect(applyRate(amount, rate)).toBe(expected);
  });

  it('refuses amounts beyond the exact integer range of a double', () => {
    expect(() => toFen(2n ** 53n)).toThrow(RangeError);
    expect(toFen(2n ** 53n - 1n)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('formatYuan', () => {
  it.each([
    [123456, '1234.56'],
    [100, '1.00'],
    [99, '0.99'], // below one yuan keeps the leading zero
    [5, '0.05'],
    [0, '0.00'],
    [-0, '0.00'],
    [-5, '-0.05'], // a negative below one yuan keeps its sign
    [-99, '-0.99'],
    [-12050, '-120.50'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
  ])('writes %d fen as %s yuan', (fen, text) => {
    expect(formatYuan(fen)).toBe(text);
  });
});

describe('largestRemainderSplit', () => {
  it('hands the leftover fen to the largest fractional parts', () => {
    // 1000 × 1/6 = 166.67, × 2/6 = 333.33, × 3/6 = 500 → floors 166 + 333 + 500 = 999; the 1 leftover fen
    // goes to a (remainder 2/3 beats 1/3 and 0)
    expect(asObject(largestRemainderSplit(1000, w({ a: '1', b: '2', c: '3' })))).toEqual({
      a: 167,
      b: 333,
      c: 500,
    });
  });

  it('prefers a larger remainder over a smaller id', () => {
    // 10 × 1/3 = 3.33, 10 × 2/3 = 6.67 → floors 3 + 6 = 9; leftover to b (2/3 > 1/3) although a sorts first
    expect(asObject(largestRemainderSplit(10, w({ a: '1', b: '2' })))).toEqual({ a: 3, b: 7 });
  });

  it('breaks equal remainders by id ascending, whatever order the parts come in', () => {
    // 100 / 3 = 33.33 each → floors 99; the 1 leftover fen goes to the smallest id
    expect(asObject(largestRemainderSplit(100, w({ c: '1', b: '1', a: '1' })))).toEqual({
      a: 34,
      b: 33,
      c: 33,
    });
    // 200 / 3 = 66.67 each → floors 198; 2 leftover fen to a and b
    expect(asObject(largestRemainderSplit(200, w({ c: '1', a: '1', b: '1' })))).toEqual({
      a: 67,
      b: 67,
      c: 66,
    });
  });

  it('compares ids as plain strings, so "S10" sorts before "S2"', () => {
    // 1 fen / 2 equal weights: remainders tie at 1/2; "S10" < "S2" as strings
    expect(asObject(largestRemainderSplit(1, w({ S2: '1', S10: '1' })))).toEqual({ S10: 1, S2: 0 });
  });

  it('splits by exact rational weights', () => {
    // 100 × (1/3) / 1 = 33.33, 100 × (2/3) = 66.67 → 33 + 66 = 99; leftover to b (2/3 > 1/3)
    const parts = [
      { id: 'a', weight: new Fraction(1, 3) },
      { id: 'b', weight: new Fraction(2, 3) },
    ];
    expect(asObject(largestRemainderSplit(100, parts))).toEqual({ a: 33, b: 67 });
  });

  it('returns null when the weights sum to zero, so the caller decides where the amount goes', () => {
    expect(largestRemainderSplit(500, w({ a: '0', b: '0' }))).toBeNull();
    expect(largestRemainderSplit(500, [])).toBeNull();
  });

  it('never gives a leftover fen to a zero weight, even one whose id sorts first', () => {
    // 3 fen over b:1, c:1 → 1.5 each → floors 2; leftover to b (tie, b < c); a has weight 0 and stays 0
    expect(asObject(largestRemainderSplit(3, w({ a: '0', b: '1', c: '1' })))).toEqual({ a: 0, b: 2, c: 1 });
    // 1 fen over a:0, b:3 → b takes it
    expect(asObject(largestRemainderSplit(1, w({ a: '0', b: '3' })))).toEqual({ a: 0, b: 1 });
  });

  it('gives every part 0 when the amount is 0', () => {
    expect(asObject(largestRemainderSplit(0, w({ a: '1', b: '2' })))).toEqual({ a: 0, b: 0 });
  });

  it('mirrors a negative amount so the parts still sum to it', () => {
    // −100 / 3 → −34, −33, −33 (the same leftover rule applied to the absolute amount)
    expect(asObject(largestRemainderSplit(-100, w({ a: '1', b: '1', c: '1' })))).toEqual({
      a: -34,
      b: -33,
      c: -33,
    });
  });

  it('refuses negative weights and fractional amounts, which are programming errors', () => {
    expect(() => largestRemainderSplit(100, w({ a: '-1', b: '2' }))).toThrow(RangeError);
    expect(() => largestRemainderSplit(10.5, w({ a: '1' }))).toThrow(RangeError);
  });
});
