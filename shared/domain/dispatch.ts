/**
 * The monthly dispatch checks (月调度, DOMAIN.md §7): which submissions are missing this month, which
 * roster staff have no workload row, and the year-to-date status of every indicator.
 */
import type {
  Indicator,
  IndicatorValue,
  InstitutionKind,
  Scheme,
  Staff,
  WorkloadRow,
} from '../schemas/dataset.js';
import { monthNumber, monthsToDate } from './periods.js';
import { type Fraction, rational, rationalConstant, toFixedHalfUp, ZERO } from './rational.js';
import { appliesTo, scoreInstitution } from './scoring.js';

export type Status = 'green' | 'amber' | 'red' | 'grey';

/** Whether data for the indicator is due in this month: monthly always, quarterly in 3/6/9/12, annual in 12. */
export function isDue(indicator: Indicator, month: number): boolean {
  if (indicator.cadence === 'monthly') return true;
  if (indicator.cadence === 'quarterly') return month % 3 === 0;
  return month === 12;
}

export function missingSubmissions(
  kind: InstitutionKind,
  indicators: readonly Indicator[],
  values: readonly IndicatorValue[],
  period: string,
): string[] {
  const submitted = new Set(values.filter((v) => v.period === period).map((v) => v.indicatorId));
  const month = monthNumber(period);
  return (
    indicators
      // §9.5: a secondment_count is counted from the register; nobody submits a row for it.
      .filter(
        (i) =>
          appliesTo(i, kind) &&
          isDue(i, month) &&
          !submitted.has(i.id) &&
          i.aggregation !== 'secondment_count',
      )
      .map((i) => i.id)
      .sort()
  );
}

export function staffWithoutWorkload(
  roster: readonly Staff[],
  workload: readonly WorkloadRow[],
  period: string,
): string[] {
  const present = new Set(workload.filter((w) => w.period === period).map((w) => w.staffId));
  return roster
    .filter((s) => !present.has(s.staffId))
    .map((s) => s.staffId)
    .sort();
}

const GREEN_FROM = rational('0.95');
const AMBER_FROM = rational('0.80');

/** Score fraction ≥ 0.95 green, ≥ 0.80 amber, else red; missing grey. */
export function statusOf(attainment: string, missing: boolean): Status {
  if (missing) return 'grey';
  return statusOfRatio(rational(attainment));
}

/** `statusOf` of an attainment already held as a rational (not written out and parsed back). */
function statusOfRatio(a: Fraction): Status {
  if (a.compare(GREEN_FROM) >= 0) return 'green';
  if (a.compare(AMBER_FROM) >= 0) return 'amber';
  return 'red';
}

export interface YearToDate {
  score: string;
  indicators: { indicatorId: string; value: string | null; score: string; status: Status }[];
}

export function yearToDateStatus(
  scheme: Scheme,
  kind: InstitutionKind,
  indicators: readonly Indicator[],
  values: readonly IndicatorValue[],
  period: string,
): YearToDate {
  const scored = scoreInstitution(
    kind,
    indicators,
    values,
    monthsToDate(period),
    rationalConstant(scheme.bonusCap),
  );
  return {
    score: toFixedHalfUp(scored.score),
    indicators: scored.indicators.map((s) => ({
      indicatorId: s.indicatorId,
      value: s.value === null ? null : toFixedHalfUp(s.value),
      score: toFixedHalfUp(s.score),
      status: s.missing ? 'grey' : statusOfRatio(s.weight.n === 0n ? ZERO : s.score.div(s.weight)),
    })),
  };
}
