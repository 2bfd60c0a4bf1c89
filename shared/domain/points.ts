/**
 * Performance points (DOMAIN.md §5.1), from service workload only — never from drug, consumable or
 * test income: pts = workPoints × quality/100 × attendedDays/scheduledDays × postCoefficient × tilt.
 */
import type { Scheme, Staff, WorkloadRow } from '../schemas/dataset.js';
import {
  type BigRatio,
  decimalParts,
  type Fraction,
  HUNDRED,
  min,
  ONE,
  rational,
  reduced,
  sum,
  ZERO,
} from './rational.js';

export type TiltRates = Scheme['pay']['tilt'];

/** tilt = min(cap, 1 + Σ rates of the person's flags) */
export function tilt(flags: Staff['flags'], rates: TiltRates): Fraction {
  const raised = ONE.add(sum(flags.map((flag) => rational(rates[flag]))));
  return min(rational(rates.cap), raised);
}

/** One month's points for one person (the formula as written; `pointsByStaff` computes the same sums). */
export function monthPoints(
  row: WorkloadRow,
  staff: Pick<Staff, 'postCoefficient' | 'flags'>,
  rates: TiltRates,
): Fraction {
  const scheduled = rational(row.scheduledDays);
  if (scheduled.n === 0n) return ZERO; // import forbids it; never divide by zero on stored data
  return rational(row.workPoints)
    .mul(rational(row.quality))
    .mul(rational(row.attendedDays))
    .mul(rational(staff.postCoefficient))
    .mul(tilt(staff.flags, rates))
    .div(scheduled.mul(HUNDRED));
}

/**
 * Points per staff member summed over the given workload rows (a month, a quarter or a year).
 *
 * Every allocation runs this over all of an institution's rows (a city year: 416,000), so it avoids the
 * ~20 normalised Fractions per row that `monthPoints` builds. By distributivity
 *   Σ_rows monthPoints = (Σ_rows workPoints × quality × attendedDays / scheduledDays) × postCoefficient × tilt / 100,
 * and the per-row part is summed on unreduced bigints, grouped by denominator (a person's rows share a few
 * scheduledDays values, so the numbers stay small); each person then gets one Fraction, reduced once. Exact
 * arithmetic throughout, so the result is the same rational as summing `monthPoints`.
 */
export function pointsByStaff(
  rows: readonly WorkloadRow[],
  staffById: ReadonlyMap<string, Pick<Staff, 'postCoefficient' | 'flags'>>,
  rates: TiltRates,
): Map<string, Fraction> {
  const factorOf = personFactors(rates);
  const decimal = decimalCache();
  // Insertion order = first row of each person, as before (it is the order the LR split sees).
  const people = new Map<string, PersonSum>();
  for (const row of rows) {
    let person = people.get(row.staffId);
    if (person === undefined) {
      const staff = staffById.get(row.staffId);
      if (!staff) continue;
      person = { factor: factorOf(staff), terms: [] };
      people.set(row.staffId, person);
    }
    const scheduled = decimal(row.scheduledDays);
    if (scheduled.n === 0n) continue; // import forbids it; never divide by zero on stored data
    const work = decimalParts(row.workPoints) ?? fractionParts(rational(row.workPoints));
    const quality = decimal(row.quality);
    const attended = decimal(row.attendedDays);
    let n = work.n * quality.n * attended.n * scheduled.d;
    let d = work.d * quality.d * attended.d * scheduled.n;
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const term = person.terms.find((t) => t.d === d);
    if (term) term.n += n;
    else person.terms.push({ n, d });
  }
  const totals = new Map<string, Fraction>();
  for (const [staffId, person] of people) {
    let n = 0n;
    let d = 1n;
    for (const term of person.terms) {
      n = n * term.d + term.n * d;
      d *= term.d;
    }
    const { factor } = person;
    totals.set(staffId, reduced(n * factor.n, d * factor.d)); // the one reduction per person
  }
  return totals;
}

interface PersonSum {
  /** postCoefficient × tilt / 100, shared by everyone with the same coefficient and flags. */
  factor: BigRatio;
  /** Σ workPoints × quality × attendedDays / scheduledDays, one unreduced term per distinct denominator. */
  terms: BigRatio[];
}

/**
 * postCoefficient × tilt / 100 per person as an unreduced ratio, computed once per distinct (coefficient,
 * flags) in one call; tilt once per distinct flag set (a roster has a handful).
 */
function personFactors(rates: TiltRates): (staff: Pick<Staff, 'postCoefficient' | 'flags'>) => BigRatio {
  const tilts = new Map<string, Fraction>();
  const factors = new Map<string, BigRatio>();
  return (staff) => {
    const flags = staff.flags.join(',');
    const key = `${staff.postCoefficient}|${flags}`;
    let factor = factors.get(key);
    if (factor === undefined) {
      let raised = tilts.get(flags);
      if (raised === undefined) {
        raised = tilt(staff.flags, rates);
        tilts.set(flags, raised);
      }
      const coefficient =
        decimalParts(staff.postCoefficient) ?? fractionParts(rational(staff.postCoefficient));
      factor = { n: coefficient.n * raised.s * raised.n, d: coefficient.d * raised.d * 100n };
      factors.set(key, factor);
    }
    return factor;
  };
}

/**
 * Decimal strings as bigint ratios, each distinct string parsed once per call (days and quality repeat
 * across rows). Plain decimals take the fast path; anything else goes through fraction.js as before.
 */
function decimalCache(): (value: string) => BigRatio {
  const cache = new Map<string, BigRatio>();
  return (value) => {
    let parts = cache.get(value);
    if (parts === undefined) {
      parts = decimalParts(value) ?? fractionParts(rational(value));
      cache.set(value, parts);
    }
    return parts;
  };
}

function fractionParts(f: Fraction): BigRatio {
  return { n: f.s * f.n, d: f.d };
}
