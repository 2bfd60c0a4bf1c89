import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clamp,
  Fraction,
  floorToBigInt,
  formatScaled,
  gcd,
  HUNDRED,
  max,
  min,
  ONE,
  rational,
  reduced,
  roundHalfUp,
  roundTo2,
  sum,
  toFixedHalfUp,
  ZERO,
} from '../../../shared/domain/rational.js';

const r = rational;

describe('roundHalfUp', () => {
  it.each([
    ['2.5', 3n],
    ['-2.5', -3n],
    ['-2.4', -2n],
    ['2.4', 2n],
    ['2.6', 3n],
    ['-2.6', -3n],
    ['0.5', 1n],
    ['-0.5', -1n],
    ['0.4999', 0n],
    ['-0.4999', 0n],
    ['0', 0n],
    ['7', 7n],
    ['-7', -7n],
  ])('rounds %s half away from zero to %d', (value, expected) => {
    expect(roundHalfUp(r(value))).toBe(expected);
  });

  it('rounds an exact third and two thirds to the nearest integer', () => {
    // 1/3 → 0, 2/3 → 1, −2/3 → −1
    expect(roundHalfUp(new Fraction(1, 3))).toBe(0n);
    expect(roundHalfUp(new Fraction(2, 3))).toBe(1n);
    expect(roundHalfUp(new Fraction(-2, 3))).toBe(-1n);
  });

  it('rounds a half that a binary float cannot hold exactly, because the input is an exact rational', () => {
    // 1.005 × 100 = 100.5 exactly → 101 (as a double 1.005 × 100 = 100.49999… → 100)
    expect(roundHalfUp(r('1.005').mul(100))).toBe(101n);
  });

  it('handles amounts beyond 2^53 without losing the last digit', () => {
    // 9007199254740993.5 → 9007199254740994
    expect(roundHalfUp(r('9007199254740993.5'))).toBe(9007199254740994n);
  });
});

describe('floorToBigInt', () => {
  it.each([
    ['2.9', 2n],
    ['-2.1', -3n],
    ['-3', -3n],
    ['0', 0n],
    ['-0.5', -1n],
  ])('floors %s to %d (towards −∞, not towards zero)', (value, expected) => {
    expect(floorToBigInt(r(value))).toBe(expected);
  });
});

describe('toFixedHalfUp', () => {
  it.each([
    ['70.365', '70.37'], // the third decimal is exactly 5 → up
    ['70.364', '70.36'],
    ['-70.365', '-70.37'], // away from zero
    ['1.005', '1.01'],
    ['89.995', '90.00'],
    ['0', '0.00'],
    ['5', '5.00'],
    ['-0.004', '0.00'], // rounds to zero: no "-0.00"
    ['-0.005', '-0.01'],
  ])('writes %s as %s', (value, text) => {
    expect(toFixedHalfUp(r(value))).toBe(text);
  });

  it('writes an exact fraction rounded to 2 decimals', () => {
    // 200/3 = 66.666… → 66.67; 1/8 = 0.125 → 0.13
    expect(toFixedHalfUp(new Fraction(200, 3))).toBe('66.67');
    expect(toFixedHalfUp(new Fraction(1, 8))).toBe('0.13');
  });

  it('honours the number of places', () => {
    // 2.5 → "3" with no decimals; 1/3 → "0.3333" with four
    expect(toFixedHalfUp(r('2.5'), 0)).toBe('3');
    expect(toFixedHalfUp(new Fraction(1, 3), 4)).toBe('0.3333');
  });
});

describe('formatScaled', () => {
  it.each([
    [12345n, 2, '123.45'],
    [5n, 2, '0.05'],
    [-5n, 2, '-0.05'],
    [-12050n, 2, '-120.50'],
    [0n, 2, '0.00'],
    [42n, 0, '42'],
  ])('writes %d in 10^-%d units as %s', (scaled, places, text) => {
    expect(formatScaled(scaled, places)).toBe(text);
  });
});

describe('roundTo2', () => {
  it('keeps the rounded figure as an exact rational so it can be reused in later formulas', () => {
    // 89.995 → 90 (exactly 9000/100); 82.8125 → 82.81
    expect(roundTo2(r('89.995')).equals(90)).toBe(true);
    expect(roundTo2(r('82.8125')).toFraction()).toBe(r('82.81').toFraction());
  });
});

describe('sum, min, max and clamp', () => {
  it('sums exactly, and an empty list sums to zero', () => {
    // 0.1 + 0.2 = 0.3 exactly (a double gives 0.30000000000000004)
    expect(sum([r('0.1'), r('0.2')]).equals(r('0.3'))).toBe(true);
    expect(sum([]).equals(0)).toBe(true);
  });

  it('picks the smaller and the larger value and clamps into a range', () => {
    expect(min(r('1/3'), r('0.3')).equals(r('0.3'))).toBe(true);
    expect(max(r('1/3'), r('0.3')).equals(r('1/3'))).toBe(true);
    expect(clamp(r('1.2'), r(0), r(1)).equals(1)).toBe(true);
    expect(clamp(r('-0.2'), r(0), r(1)).equals(0)).toBe(true);
    expect(clamp(r('0.7'), r(0), r(1)).equals(r('0.7'))).toBe(true);
  });
});

describe('the faster reduction: gcd, reduced and sum give what fraction.js gives', () => {
  /** A Fraction's own fields, as its constructor set them. */
  const fields = (f: Fraction) => ({ s: f.s, n: f.n, d: f.d, own: Object.keys(f) });
  // Sizes around 2^53, where gcd switches from bigint steps to double steps, and far beyond it.
  const big = fc.oneof(
    fc.bigInt({ min: 0n, max: 1n << 20n }),
    fc.bigInt({ min: (1n << 52n) - 1000n, max: (1n << 54n) + 1000n }),
    fc.bigInt({ min: 0n, max: 1n << 200n }),
  );
  const referenceGcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : referenceGcd(b, a % b));

  it('gcd is Euclid’s, on either side of 2^53 and with a zero', () => {
    fc.assert(
      fc.property(big, big, fc.bigInt({ min: 1n, max: 1n << 70n }), (a, b, k) => {
        expect(gcd(a, b)).toBe(referenceGcd(a, b));
        expect(gcd(a * k, b * k)).toBe(referenceGcd(a * k, b * k));
      }),
      { numRuns: 500 },
    );
    expect(gcd(0n, 0n)).toBe(0n);
    expect(gcd(0n, 12n)).toBe(12n);
    expect(gcd(12n, 0n)).toBe(12n);
  });

  it('reduced(n, d) is the object new Fraction(n, d) is, for any sign and size', () => {
    fc.assert(
      fc.property(big, big, fc.boolean(), fc.boolean(), (n, d, negN, negD) => {
        const num = negN ? -n : n;
        const den = (negD ? -1n : 1n) * (d === 0n ? 1n : d);
        const mine = reduced(num, den);
        expect(mine).toBeInstanceOf(Fraction);
        expect(fields(mine)).toEqual(fields(new Fraction(num, den)));
        expect(mine.toFraction()).toBe(new Fraction(num, den).toFraction());
      }),
      { numRuns: 500 },
    );
    expect(fields(reduced(0n, 7n))).toEqual(fields(new Fraction(0n, 7n)));
    expect(() => reduced(1n, 0n)).toThrow();
  });

  it('sum is the Fraction that adding one by one gives', () => {
    const fraction = fc
      .tuple(big, fc.bigInt({ min: 1n, max: 1n << 64n }), fc.boolean())
      .map(([n, d, negative]) => new Fraction(negative ? -n : n, d));
    fc.assert(
      fc.property(fc.array(fraction, { maxLength: 40 }), (values) => {
        const added = values.reduce((total, v) => total.add(v), new Fraction(0));
        expect(fields(sum(values))).toEqual(fields(added));
      }),
      { numRuns: 300 },
    );
  });
});

describe('rounding on the numerator and denominator: what adding the Fraction 1/2 and flooring gives', () => {
  // The definitions as they were written before (DOMAIN.md §4 "round"), on fraction.js alone.
  const referenceRound = (v: Fraction): bigint =>
    v.s < 0n ? -floorToBigInt(v.neg().add(new Fraction(1, 2))) : floorToBigInt(v.add(new Fraction(1, 2)));
  const referenceFixed = (v: Fraction, places: number): string =>
    formatScaled(referenceRound(v.mul(new Fraction(10n ** BigInt(places)))), places);
  const fraction = fc
    .tuple(
      fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: 1n << 120n })),
      fc.oneof(fc.constantFrom(1n, 2n, 3n, 4n, 8n, 10n, 200n, 1000n), fc.bigInt({ min: 1n, max: 1n << 80n })),
      fc.boolean(),
    )
    .map(([n, d, negative]) => new Fraction(negative ? -n : n, d));

  it('roundHalfUp and toFixedHalfUp give the reference for any sign, size and number of places', () => {
    fc.assert(
      fc.property(fraction, fc.integer({ min: 0, max: 6 }), (v, places) => {
        expect(roundHalfUp(v)).toBe(referenceRound(v));
        expect(toFixedHalfUp(v, places)).toBe(referenceFixed(v, places));
      }),
      { numRuns: 2_000 },
    );
  });

  it('exact halves go away from zero, on either side', () => {
    for (let k = -40n; k <= 40n; k++) {
      const half = new Fraction(2n * k + 1n, 2n);
      expect(roundHalfUp(half)).toBe(referenceRound(half));
      expect(toFixedHalfUp(new Fraction(2n * k + 1n, 200n))).toBe(
        referenceFixed(new Fraction(2n * k + 1n, 200n), 2),
      );
    }
  });
});

describe('rational builds every Fraction as fraction.js arithmetic does', () => {
  const fields = (f: Fraction) => ({ s: f.s, n: f.n, d: f.d, own: Object.keys(f) });
  it('gives the fields new Fraction gives, for decimals, fraction texts, integers and Fractions', () => {
    const decimal = fc
      .tuple(fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }), fc.integer({ min: 0, max: 8 }))
      .map(([n, places]) => formatScaled(n, places));
    const fractionText = fc
      .tuple(fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }), fc.bigInt({ min: 1n, max: 1n << 40n }))
      .map(([n, d]) => `${n}/${d}`);
    fc.assert(
      fc.property(fc.oneof(decimal, fractionText, fc.integer()), (value) => {
        expect(fields(rational(value))).toEqual(fields(new Fraction(value)));
        expect(Object.getPrototypeOf(rational(value))).toBe(Fraction.prototype);
      }),
      { numRuns: 1_000 },
    );
    expect(fields(ZERO)).toEqual(fields(new Fraction(0)));
    expect(fields(ONE)).toEqual(fields(new Fraction(1)));
    expect(fields(HUNDRED)).toEqual(fields(new Fraction(100)));
    const third = new Fraction(1, 3);
    expect(fields(rational(third))).toEqual(fields(third));
  });
});
