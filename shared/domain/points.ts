/**
 * Performance points (DOMAIN.md §5.1), from service workload only — never from drug, consumable or
 * test income: pts = workPoints × quality/100 × attendedDays/scheduledDays × postCoefficient × tilt.
 */
import type { Scheme, Staff, WorkloadRow } from '../schemas/dataset.js';
import { type Fraction, HUNDRED, min, ONE, rational, sum, ZERO } from './rational.js';

export type TiltRates = Scheme['pay']['tilt'];

/** tilt = min(cap, 1 + Σ rates of the person's flags) */
export function tilt(flags: Staff['flags'], rates: TiltRates): Fraction {
  const raised = ONE.add(sum(flags.map((flag) => rational(rates[flag]))));
  return min(rational(rates.cap), raised);
}

/** One month's points for one person. */
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

/** Points per staff member summed over the given workload rows (a month, a quarter or a year). */
export function pointsByStaff(
  rows: readonly WorkloadRow[],
  staffById: ReadonlyMap<string, Pick<Staff, 'postCoefficient' | 'flags'>>,
  rates: TiltRates,
): Map<string, Fraction> {
  const totals = new Map<string, Fraction>();
  for (const row of rows) {
    const staff = staffById.get(row.staffId);
    if (!staff) continue;
    totals.set(row.staffId, (totals.get(row.staffId) ?? ZERO).add(monthPoints(row, staff, rates)));
  }
  return totals;
}
