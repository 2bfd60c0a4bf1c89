/**
 * Exact rational arithmetic for the domain core (DOMAIN.md §3: no binary floats, no fixed-precision
 * decimals). A thin layer over fraction.js 5 so the rest of the core never touches floats or the library's
 * own `round()` (which rounds halves toward +∞, not away from zero as our contract requires).
 */
import Fraction from 'fraction.js';
import { memoByText } from './memo.js';

export { Fraction };
export type Rational = Fraction;

/**
 * fraction.js called as a function rather than with `new`: the same Fraction (same prototype, the same
 * fields in the same order) built as its arithmetic builds every result (`Object.create` of the
 * prototype), so every Fraction the core holds has one hidden class. `new Fraction(…)` objects have
 * another (the constructor's), and code that met both — sums, splits, comparisons — was compiled for two
 * shapes and thrown away again ("wrong map" deoptimisations), which in a process's first city month cost
 * hundreds of milliseconds of recompiling.
 */
const fraction = Fraction as unknown as (value: string | number | bigint | Fraction) => Fraction;

export const ZERO = fraction(0);
export const ONE = fraction(1);
export const HUNDRED = fraction(100);

/** Parses an exact decimal string (or an integer) into a rational. */
export function rational(value: string | number | bigint | Fraction): Fraction {
  if (typeof value === 'string') {
    // Plain decimals (every Decimal field of the dataset) skip fraction.js's generic string parser, a
    // profiled hot spot; the value is the same, and anything else ("1/3", "0.(3)") still goes through it.
    const parts = decimalParts(value);
    if (parts !== null) return reduced(parts.n, parts.d);
  }
  return fraction(value);
}

/**
 * `rational(text)` of a text that recurs — an indicator's weight, target or floor, a scheme's rate — parsed
 * once per distinct text instead of at every use (a city month scores ~4,600 indicators). Fractions are
 * never changed after they are made (every operation returns a new one), so one parse can be shared.
 * Bounded: the texts are a dataset's constants, a few hundred; anything beyond is parsed again.
 */
export const rationalConstant: (text: string) => Fraction = memoByText(10_000, rational);

/** An exact ratio of bigints, not reduced: what the hot loops accumulate before building a Fraction. */
export interface BigRatio {
  n: bigint;
  d: bigint;
}

const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;
const POWERS_OF_TEN: bigint[] = [1n];

function powerOfTen(exponent: number): bigint {
  for (let k = POWERS_OF_TEN.length; k <= exponent; k++) POWERS_OF_TEN.push(POWERS_OF_TEN[k - 1]! * 10n);
  return POWERS_OF_TEN[exponent]!;
}

/**
 * A plain decimal string as numerator over a power of ten, unreduced: "123.45" → 12345n/100n, "-0.5" →
 * -5n/10n, "7" → 7n/1n. Null for anything that is not `-?digits[.digits]`.
 */
export function decimalParts(value: string): BigRatio | null {
  if (!PLAIN_DECIMAL.test(value)) return null;
  const point = value.indexOf('.');
  if (point < 0) return { n: BigInt(value), d: 1n };
  return {
    n: BigInt(value.slice(0, point) + value.slice(point + 1)),
    d: powerOfTen(value.length - point - 1),
  };
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * gcd(a, b) of a, b ≥ 0 (gcd(0, b) = b): Euclid's steps on bigints only while the smaller number is beyond
 * 2^53, then on doubles, whose `%` is exact on integers below 2^53 — fraction.js runs every step on
 * bigints, a new bigint each, which was most of the domain core's time in a city month.
 */
export function gcd(a: bigint, b: bigint): bigint {
  while (b > SAFE) {
    const r = a % b;
    a = b;
    b = r;
  }
  if (b === 0n) return a;
  let x = Number(a > SAFE ? a % b : a);
  let y = Number(b);
  while (y !== 0) {
    const r = x % y;
    x = y;
    y = r;
  }
  return BigInt(x);
}

/**
 * The Fraction n/d (d > 0) in lowest terms — the very object `new Fraction(n, d)` makes (sign in `s`,
 * `n` ≥ 0 and `d` > 0 coprime, 0 as 0/1), reduced by `gcd` above instead of fraction.js's.
 */
export function reduced(n: bigint, d: bigint): Fraction {
  if (d <= 0n) {
    if (d === 0n) throw new RangeError('division by zero');
    n = -n;
    d = -d;
  }
  const negative = n < 0n;
  const magnitude = negative ? -n : n;
  const g = gcd(magnitude, d);
  const f = Object.create(Fraction.prototype) as { s: bigint; n: bigint; d: bigint };
  f.s = negative ? -1n : 1n;
  f.n = magnitude / g;
  f.d = d / g;
  return f as unknown as Fraction;
}

/**
 * Sum of rationals; an empty list sums to zero. Each partial sum is reduced (as `Fraction.add` reduces
 * it) by the faster `gcd`; a rational has one lowest-terms form, so the result is the one `add` gives.
 */
export function sum(values: Iterable<Fraction>): Fraction {
  let n = 0n;
  let d = 1n;
  for (const v of values) {
    n = n * v.d + v.s * v.n * d;
    d *= v.d;
    const g = gcd(n < 0n ? -n : n, d);
    if (g !== 1n) {
      n /= g;
      d /= g;
    }
  }
  return reduced(n, d);
}

export function min(a: Fraction, b: Fraction): Fraction {
  return a.compare(b) <= 0 ? a : b;
}

export function max(a: Fraction, b: Fraction): Fraction {
  return a.compare(b) >= 0 ? a : b;
}

export function clamp(v: Fraction, lo: Fraction, hi: Fraction): Fraction {
  return min(max(v, lo), hi);
}

/** Largest integer ≤ v, as a bigint. */
export function floorToBigInt(v: Fraction): bigint {
  const n = v.s * v.n;
  const q = n / v.d;
  return n < 0n && q * v.d !== n ? q - 1n : q;
}

/** Rounds half away from zero to an integer (DOMAIN.md §4 "round"). */
export function roundHalfUp(v: Fraction): bigint {
  return roundRatioHalfUp(v.n, v.d, v.s < 0n);
}

/**
 * |n|/d (n ≥ 0, d > 0) rounded half away from zero, negated when `negative`: floor(n/d + 1/2) =
 * floor((2n + d) / 2d), which bigint division (truncating, all terms ≥ 0) gives exactly — the same integer
 * as adding the Fraction 1/2 and flooring, without two Fractions and their gcds per rounding.
 */
function roundRatioHalfUp(n: bigint, d: bigint, negative: boolean): bigint {
  const rounded = (2n * n + d) / (2n * d);
  return negative ? -rounded : rounded;
}

/** Rounds half away from zero to `places` decimals and returns the exact decimal string ("70.36"). */
export function toFixedHalfUp(v: Fraction, places = 2): string {
  // v × 10^places rounded, on v's own numerator and denominator (no reduction needed to round).
  const scaled = roundRatioHalfUp(v.n * powerOfTen(places), v.d, v.s < 0n);
  return formatScaled(scaled, places);
}

/** Formats an integer counted in 10^-places units as a decimal string: (12345n, 2) → "123.45". */
export function formatScaled(scaled: bigint, places: number): string {
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const frac = places > 0 ? `.${digits.slice(digits.length - places)}` : '';
  return `${negative ? '-' : ''}${whole}${frac}`;
}

/** The rational rounded half-up to 2 decimals, kept as a rational (used where a rounded figure is reused). */
export function roundTo2(v: Fraction): Fraction {
  return reduced(roundRatioHalfUp(v.n * 100n, v.d, v.s < 0n), 100n);
}
