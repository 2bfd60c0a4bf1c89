/**
 * Money in integer fen (DOMAIN.md §4): half-up rounding to the fen and the largest-remainder split that
 * always hands out exactly the amount it is given.
 */
import { type Fraction, formatScaled, rational, roundHalfUp, sum } from './rational.js';

export type Fen = number;

/** Rounds a rational amount of fen half away from zero. */
export function roundFen(amount: Fraction): Fen {
  return toFen(roundHalfUp(amount));
}

/** amount × rate, rounded half-up to the fen. */
export function applyRate(amount: Fen, rate: Fraction | string): Fen {
  return roundFen(rational(amount).mul(typeof rate === 'string' ? rational(rate) : rate));
}

export function toFen(value: bigint): Fen {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${value} fen is beyond exact integer range`);
  return n;
}

/** 123456 → "1234.56"; -12050 → "-120.50". */
export function formatYuan(fen: Fen): string {
  return formatScaled(BigInt(fen), 2);
}

export interface Weighted<K extends string = string> {
  id: K;
  weight: Fraction;
}

/**
 * Largest-remainder split of `amount` fen by weights (DOMAIN.md §4): floor each exact share, then give the
 * leftover fen one each to the largest fractional parts, ties by id ascending. Parts always sum to
 * `amount`. Returns null when Σweights = 0 — the caller decides where the amount goes.
 * Zero weights receive 0 and never a leftover fen; negative weights are a programming error.
 */
export function largestRemainderSplit<K extends string>(
  amount: Fen,
  parts: Weighted<K>[],
): Map<K, Fen> | null {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount must be integer fen, got ${amount}`);
  const total = sum(parts.map((p) => p.weight));
  if (total.s === 0n || total.n === 0n) return null;
  if (parts.some((p) => p.weight.s < 0n))
    throw new RangeError('largest-remainder weights must not be negative');
  const negative = amount < 0;
  const absolute = BigInt(Math.abs(amount));
  // Each exact share |amount| × weight / total is kept as an unreduced bigint ratio n/d (d > 0): its floor
  // and remainder, and the comparison of remainders by cross-multiplication, are exact on any
  // representation, so nothing needs a gcd here (it was most of the split's time with one Fraction per part).
  const shares = parts.map((p) => {
    const n = absolute * p.weight.n * total.d;
    const d = p.weight.d * total.n;
    const floor = n / d; // n ≥ 0, d > 0: truncation is the floor
    const rest = n - floor * d;
    return { id: p.id, floor, rest, d, approx: approxRatio(rest, d), positive: p.weight.n !== 0n };
  });
  let leftover = absolute - shares.reduce((acc, s) => acc + s.floor, 0n);
  // Largest remainder first (rest/d compared exactly), ties by id ascending.
  const order = shares
    .filter((s) => s.positive)
    .sort((a, b) => compareRemainders(b, a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const share of order) {
    if (leftover <= 0n) break;
    share.floor += 1n;
    leftover -= 1n;
  }
  const result = new Map<K, Fen>();
  for (const s of shares) result.set(s.id, toFen(negative ? -s.floor : s.floor));
  return result;
}

/**
 * rest/d (0 ≤ rest < d) as a double, NaN where d is beyond a double's range. Each conversion and the
 * division round once (relative error ≤ 2^-53 each), so it is within 4e-16 of the exact ratio in [0, 1).
 */
function approxRatio(rest: bigint, d: bigint): number {
  const denominator = Number(d);
  return Number.isFinite(denominator) ? Number(rest) / denominator : Number.NaN;
}

/** Two remainders' doubles further apart than this are ordered by them; closer (or NaN), exactly. */
const SURELY_APART = 1e-12;

/** Sign of a.rest/a.d − b.rest/b.d: by the doubles where they differ beyond their error, else exactly. */
function compareRemainders(
  a: { rest: bigint; d: bigint; approx: number },
  b: { rest: bigint; d: bigint; approx: number },
): number {
  const difference = a.approx - b.approx;
  if (difference > SURELY_APART) return 1;
  if (difference < -SURELY_APART) return -1;
  return compareRatios(a.rest, a.d, b.rest, b.d);
}

/** Sign of a/b − c/d for b, d > 0. */
function compareRatios(a: bigint, b: bigint, c: bigint, d: bigint): number {
  const left = a * d;
  const right = c * b;
  return left > right ? 1 : left < right ? -1 : 0;
}
