/**
 * The allocation hot paths (points.ts `pointsByStaff`, money.ts `largestRemainderSplit`, the decimal fast
 * path of rational.ts) are optimised: bigint sums per person, one reduction per person, no Fraction per
 * share. These properties pin them to the straightforward formulas they replaced — kept here, written
 * directly on fraction.js and its own string parser — on random rows, rates and weights: same people,
 * same order, the same exact rationals and the same fen, ties included.
 */
import fc from 'fast-check';
import Fraction from 'fraction.js';
import { describe, expect, it } from 'vitest';
import { allocateByPoints } from '../../../shared/domain/allocation.js';
import { largestRemainderSplit, type Weighted } from '../../../shared/domain/money.js';
import { monthPoints, pointsByStaff, type TiltRates } from '../../../shared/domain/points.js';
import { decimalParts, rational } from '../../../shared/domain/rational.js';
import { poolAllocationStep } from '../../../shared/domain/steps.js';
import { FLAGS, type Flag, type Staff, type WorkloadRow } from '../../../shared/schemas/dataset.js';
import { scheme, staff } from './builders.js';

const RUNS = { numRuns: 300 };
type Infer<A> = A extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------------
// The reference: the formulas as they were before the optimisation
// ---------------------------------------------------------------------------------------------------

const f = (value: string | number | bigint) => new Fraction(value as never);

function referenceTilt(flags: readonly Flag[], rates: TiltRates): Fraction {
  const raised = flags.reduce((acc, flag) => acc.add(f(rates[flag])), f(1));
  const cap = f(rates.cap);
  return cap.compare(raised) <= 0 ? cap : raised;
}

function referenceMonthPoints(
  row: WorkloadRow,
  person: Pick<Staff, 'postCoefficient' | 'flags'>,
  rates: TiltRates,
): Fraction {
  const scheduled = f(row.scheduledDays);
  if (scheduled.n === 0n) return f(0);
  return f(row.workPoints)
    .mul(f(row.quality))
    .mul(f(row.attendedDays))
    .mul(f(person.postCoefficient))
    .mul(referenceTilt(person.flags, rates))
    .div(scheduled.mul(100));
}

function referencePointsByStaff(
  rows: readonly WorkloadRow[],
  staffById: ReadonlyMap<string, Pick<Staff, 'postCoefficient' | 'flags'>>,
  rates: TiltRates,
): Map<string, Fraction> {
  const totals = new Map<string, Fraction>();
  for (const row of rows) {
    const person = staffById.get(row.staffId);
    if (!person) continue;
    totals.set(row.staffId, (totals.get(row.staffId) ?? f(0)).add(referenceMonthPoints(row, person, rates)));
  }
  return totals;
}

/** Largest remainder on Fractions: floor each exact share, leftover fen to the largest remainders, ties by id. */
function referenceSplit(amount: number, parts: readonly Weighted[]): Map<string, number> | null {
  const total = parts.reduce((acc, p) => acc.add(p.weight), f(0));
  if (total.n === 0n) return null;
  if (parts.some((p) => p.weight.s < 0n)) throw new RangeError('negative weight');
  const absolute = f(Math.abs(amount));
  const shares = parts.map((p) => {
    const exact = absolute.mul(p.weight).div(total);
    const floor = exact.floor();
    return { id: p.id, floor: floor.n, remainder: exact.sub(floor), positive: p.weight.n !== 0n };
  });
  let leftover = BigInt(Math.abs(amount)) - shares.reduce((acc, s) => acc + s.floor, 0n);
  const order = shares
    .filter((s) => s.positive)
    .sort((a, b) => b.remainder.compare(a.remainder) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const share of order) {
    if (leftover <= 0n) break;
    share.floor += 1n;
    leftover -= 1n;
  }
  return new Map(shares.map((s) => [s.id, Number(amount < 0 ? -s.floor : s.floor)]));
}

/** Entries in order, each rational as sign/numerator/denominator, so `toEqual` compares order and value. */
function exactEntries(points: ReadonlyMap<string, Fraction>): [string, string][] {
  return [...points].map(([id, p]) => [id, `${p.s}:${p.n}/${p.d}`]);
}

// ---------------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------------

/** A plain decimal string with 0–3 places, e.g. "0", "12.5", "-0.125", "0040.10" (leading zeros too). */
const decimalArb = (maxUnits: number, { negative = false } = {}) =>
  fc
    .tuple(
      fc.integer({ min: negative ? -maxUnits * 1000 : 0, max: maxUnits * 1000 }),
      fc.integer({ min: 0, max: 3 }),
      fc.boolean(),
    )
    .map(([thousandths, places, padded]) => {
      const scaled = BigInt(thousandths) / 10n ** BigInt(3 - places); // drop digits to `places`
      const sign = scaled < 0n ? '-' : '';
      const digits = (scaled < 0n ? -scaled : scaled).toString().padStart(places + 1, '0');
      const whole = digits.slice(0, digits.length - places);
      const text = places === 0 ? whole : `${whole}.${digits.slice(digits.length - places)}`;
      return `${sign}${padded ? '00' : ''}${text}`;
    });

/** Days as the data has them, plus zero ("0", "0.0": the guard) and the odd fraction of a day. */
const daysArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 18, max: 23 }).map(String) },
  { weight: 2, arbitrary: decimalArb(31) },
  { weight: 1, arbitrary: fc.constantFrom('0', '0.0', '0.00') },
);

const ratesArb: fc.Arbitrary<TiltRates> = fc.record({
  key: decimalArb(1),
  scarce: decimalArb(1),
  high_risk: decimalArb(1),
  high_level: decimalArb(1),
  core: decimalArb(1),
  // often below 1 + Σ rates, so the cap binds; sometimes above every sum
  cap: fc.oneof(decimalArb(2), fc.constantFrom('1', '1.5', '9')),
});

const personArb = fc.record({
  postCoefficient: fc.oneof(decimalArb(3), fc.constantFrom('1', '1.25', '0.80')),
  // duplicates and any order, as an array of flags allows
  flags: fc.array(fc.constantFrom(...FLAGS), { maxLength: 6 }),
});

const rowArb = (people: number) =>
  fc.record({
    // index people + 1 and up: a row of someone not on the roster (ignored)
    person: fc.integer({ min: 0, max: people + 1 }),
    workPoints: fc.oneof(
      { weight: 4, arbitrary: decimalArb(5000) },
      { weight: 1, arbitrary: decimalArb(1e9) },
    ),
    quality: fc.oneof(decimalArb(100), fc.constant('100')),
    attendedDays: daysArb,
    scheduledDays: daysArb,
  });

const caseArb = fc
  .tuple(ratesArb, fc.array(personArb, { minLength: 1, maxLength: 8 }))
  .chain(([rates, people]) =>
    fc.record({
      rates: fc.constant(rates),
      people: fc.constant(people),
      rows: fc.array(rowArb(people.length), { maxLength: 60 }),
    }),
  );

function materialise(c: Infer<typeof caseArb>) {
  const roster = c.people.map((p, i) => staff(`S${i}`, p));
  const staffById = new Map(roster.map((s) => [s.staffId, s]));
  const rows: WorkloadRow[] = c.rows.map((r) => ({
    period: '2026-01',
    staffId: `S${r.person}`,
    workPoints: r.workPoints,
    quality: r.quality,
    attendedDays: r.attendedDays,
    scheduledDays: r.scheduledDays,
  }));
  return { roster, staffById, rows };
}

// ---------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------

describe('optimised points equal the reference formula', () => {
  it('pointsByStaff: the same people in the same order with the same exact points', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { staffById, rows } = materialise(c);
        expect(exactEntries(pointsByStaff(rows, staffById, c.rates))).toEqual(
          exactEntries(referencePointsByStaff(rows, staffById, c.rates)),
        );
      }),
      RUNS,
    );
  });

  it('monthPoints still equals the reference row by row (zero scheduled days → 0)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { staffById, rows } = materialise(c);
        for (const row of rows) {
          const person = staffById.get(row.staffId);
          if (!person) continue;
          expect(monthPoints(row, person, c.rates).toFraction()).toBe(
            referenceMonthPoints(row, person, c.rates).toFraction(),
          );
        }
      }),
      RUNS,
    );
  });

  it('negative figures keep their sign (import refuses them, the arithmetic must not care)', () => {
    const rates = scheme().pay.tilt;
    const person = staff('S0', { postCoefficient: '-1.2', flags: ['key'] });
    const rows: WorkloadRow[] = [
      {
        period: '2026-01',
        staffId: 'S0',
        workPoints: '-10.5',
        quality: '90',
        attendedDays: '20',
        scheduledDays: '22',
      },
      {
        period: '2026-02',
        staffId: 'S0',
        workPoints: '7',
        quality: '80',
        attendedDays: '3',
        scheduledDays: '-21',
      },
    ];
    const staffById = new Map([['S0', person]]);
    expect(exactEntries(pointsByStaff(rows, staffById, rates))).toEqual(
      exactEntries(referencePointsByStaff(rows, staffById, rates)),
    );
  });
});

describe('optimised allocation equals the reference split', () => {
  it('allocateByPoints over the optimised points hands out the same fen as the reference', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 1_000_000_000 }), (c, pool) => {
        const { staffById, rows } = materialise(c);
        const { shares, undistributed } = allocateByPoints(pool, pointsByStaff(rows, staffById, c.rates));
        const points = referencePointsByStaff(rows, staffById, c.rates);
        const expected = referenceSplit(
          pool,
          [...points].map(([id, weight]) => ({ id, weight })),
        );
        if (pool === 0) {
          expect({ shares: [...shares], undistributed }).toEqual({
            shares: [...points.keys()].map((id) => [id, 0]),
            undistributed: 0,
          });
        } else if (expected === null) {
          expect({ shares, undistributed }).toEqual({ shares: new Map(), undistributed: pool });
        } else {
          expect({ shares: [...shares], undistributed }).toEqual({ shares: [...expected], undistributed: 0 });
        }
      }),
      RUNS,
    );
  });

  it('poolAllocationStep lines: sorted ids, reference fen, reference points text', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 1_000_000_000 }), (c, pool) => {
        const { roster, staffById, rows } = materialise(c);
        const result = poolAllocationStep({
          scheme: scheme({ pay: { ...scheme().pay, tilt: c.rates } }),
          institutionId: 'T01',
          pool,
          roster,
          workload: rows,
        });
        const points = referencePointsByStaff(rows, staffById, c.rates);
        const split = referenceSplit(
          pool,
          [...points].map(([id, weight]) => ({ id, weight })),
        );
        expect(result.undistributed).toBe(split === null ? pool : 0);
        expect(result.lines).toEqual(
          [...points.keys()].sort().map((id) => ({
            staffId: id,
            amount: split?.get(id) ?? 0,
            points: points.get(id)!.toFraction(),
          })),
        );
      }),
      RUNS,
    );
  });

  // Weights from a tiny set, so equal remainders (ties broken by id) are the rule, not the exception.
  const tiedPartsArb = fc.uniqueArray(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 3 }),
      weight: fc.constantFrom('0', '1', '2', '3', '0.5', '1/3', '2/7').map((w) => f(w)),
    }),
    { selector: (p) => p.id, minLength: 1, maxLength: 15 },
  );

  it('largestRemainderSplit matches the reference, ties, zero weights and negative amounts included', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), tiedPartsArb, (amount, parts) => {
        const actual = largestRemainderSplit(amount, parts);
        const expected = referenceSplit(amount, parts);
        expect(actual === null ? null : [...actual]).toEqual(expected === null ? null : [...expected]);
      }),
      { numRuns: 1000 },
    );
  });

  it('largestRemainderSplit matches the reference on large amounts and arbitrary weights', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.uniqueArray(
          fc.record({
            id: fc.string({ minLength: 1, maxLength: 4 }),
            weight: fc
              .tuple(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.bigInt({ min: 1n, max: 10n ** 12n }))
              .map(([n, d]) => new Fraction(n, d)),
          }),
          { selector: (p) => p.id, minLength: 1, maxLength: 12 },
        ),
        (amount, parts) => {
          const actual = largestRemainderSplit(amount, parts);
          const expected = referenceSplit(amount, parts);
          expect(actual === null ? null : [...actual]).toEqual(expected === null ? null : [...expected]);
        },
      ),
      RUNS,
    );
  });

  it('largestRemainderSplit orders remainders closer than a double tells apart exactly (and beyond a double’s range)', () => {
    // Weights k/3 + ε·j: the remainders differ by far less than the doubles' 1e-12 margin (or not at all),
    // so their order comes from the exact comparison; denominators past 1e308 have no double at all.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(10n ** 20n, 10n ** 40n, 10n ** 320n),
        fc.uniqueArray(
          fc.record({
            id: fc.string({ minLength: 1, maxLength: 3 }),
            k: fc.integer({ min: 0, max: 5 }),
            j: fc.integer({ min: 0, max: 3 }),
          }),
          { selector: (p) => p.id, minLength: 1, maxLength: 12 },
        ),
        (amount, scale, picks) => {
          const parts = picks.map(({ id, k, j }) => ({
            id,
            weight: new Fraction(BigInt(k), 3n).add(new Fraction(BigInt(j), scale)),
          }));
          const actual = largestRemainderSplit(amount, parts);
          const expected = referenceSplit(amount, parts);
          expect(actual === null ? null : [...actual]).toEqual(expected === null ? null : [...expected]);
        },
      ),
      RUNS,
    );
  });
});

describe('decimal fast path', () => {
  it('rational() of a plain decimal string is exactly what fraction.js parses', () => {
    fc.assert(
      fc.property(
        fc.oneof(decimalArb(1e6, { negative: true }), decimalArb(1e15, { negative: true })),
        (text) => {
          const fast = rational(text);
          const slow = f(text);
          expect([fast.s, fast.n, fast.d]).toEqual([slow.s, slow.n, slow.d]);
          const parts = decimalParts(text)!;
          expect(f(parts.n).div(f(parts.d)).equals(slow)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('leaves anything but a plain decimal to fraction.js', () => {
    for (const text of ['1/3', '0.(3)', '-2 1/2', '.5', '1.', '1e3', ' 1', '']) {
      expect(decimalParts(text)).toBeNull();
    }
    expect(rational('1/3').toFraction()).toBe('1/3');
    expect(rational('0.(3)').toFraction()).toBe('1/3');
  });
});
