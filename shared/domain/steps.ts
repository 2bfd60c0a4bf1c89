/**
 * The cycle steps, one institution (or the whole community) at a time, from dataset slices to stored
 * results. The workflow handlers and the in-memory year (year.ts) both call exactly these.
 */
import type {
  Adjustment,
  Department,
  FinanceRow,
  Indicator,
  IndicatorValue,
  Institution,
  InsuranceRow,
  Leader,
  Scheme,
  Secondment,
  Staff,
  WorkloadRow,
} from '../schemas/dataset.js';
import type {
  AnnualInstitutionResult,
  AnnualSettlementResult,
  CommunityOwnResult,
  MonthlyInstitutionResult,
  PoolAllocation,
  QuarterlyInstitutionResult,
} from '../schemas/results.js';
import { splitPool } from './allocation.js';
import { communityOwnScore, communityScoreOn } from './community.js';
import { monthlyInstitutionPay, quarterSurplus, scoreAndGrade, settleYear } from './cycles.js';
import { gradeFor } from './grades.js';
import type { Fen } from './money.js';
import { monthNumber } from './periods.js';
import { pointsByStaff } from './points.js';
import { rational } from './rational.js';
import { toCommunityOwnResult, toScoreResult, toSettlementResult } from './results.js';
import type { ScoringContext } from './scoring.js';
import { allowancesFor } from './secondments.js';

export function monthlyStep(input: {
  scheme: Scheme;
  institution: Institution;
  roster: readonly Staff[];
  period: string;
  workload: readonly WorkloadRow[];
  adjustments: readonly Adjustment[];
  /** §9.5 the secondment register (absent when the dataset has no secondments.csv). */
  secondments?: readonly Secondment[];
  /** §9.1 the institution's departments (absent: one-level split). */
  departments?: readonly Department[];
  /** §9.1 manual mode: approved submissions by department (staff → fen); the others use the rule split. */
  manual?: ReadonlyMap<string, ReadonlyMap<string, Fen>>;
}): MonthlyInstitutionResult {
  const pay = monthlyInstitutionPay({
    scheme: input.scheme,
    approvedTotal: input.institution.approvedTotal,
    roster: input.roster,
    month: monthNumber(input.period),
    workload: input.workload,
    adjustments: input.adjustments,
    funding: input.institution.funding,
    ...(input.secondments === undefined
      ? {}
      : { allowances: allowancesFor(input.secondments, input.period) }),
    departments: input.departments,
    ...(input.manual === undefined ? {} : { manual: input.manual }),
  });
  return { institutionId: input.institution.id, ...pay };
}

export function quarterScoreStep(input: {
  scheme: Scheme;
  institution: Institution;
  indicators: readonly Indicator[];
  values: readonly IndicatorValue[];
  finance: readonly FinanceRow[];
  months: readonly string[];
  /** §9.4: the institution's rows of the same window a year earlier, when the store holds that year. */
  previousYear?: ScoringContext;
}): QuarterlyInstitutionResult {
  const scored = scoreAndGrade(
    input.scheme,
    input.institution,
    input.indicators,
    input.values,
    input.months,
    input.previousYear,
  );
  const window = new Set(input.months);
  const surplus = quarterSurplus(
    input.scheme,
    input.finance.filter((f) => window.has(f.period)),
  );
  return { ...toScoreResult(scored), kind: input.institution.kind, ...surplus };
}

/** Splits a pool over the institution's staff by points summed over the window's workload rows. */
export function poolAllocationStep(input: {
  scheme: Scheme;
  institutionId: string;
  pool: Fen;
  roster: readonly Staff[];
  workload: readonly WorkloadRow[];
  /** §9.1 the institution's departments (absent: one-level split). */
  departments?: readonly Department[];
}): PoolAllocation {
  const staffById = new Map(input.roster.map((s) => [s.staffId, s]));
  const points = pointsByStaff(input.workload, staffById, input.scheme.pay.tilt);
  // Points once: the split and the lines' points come from the same map.
  const { shares, undistributed, departments } = splitPool(
    input.pool,
    points,
    input.roster,
    input.departments,
  );
  const lines = [...points.keys()].sort().map((staffId) => ({
    staffId,
    amount: shares.get(staffId) ?? 0,
    points: points.get(staffId)!.toFraction(),
  }));
  return {
    institutionId: input.institutionId,
    pool: input.pool,
    undistributed,
    ...(departments === undefined ? {} : { departments }),
    lines,
  };
}

export function annualScoreStep(input: {
  scheme: Scheme;
  institution: Institution;
  indicators: readonly Indicator[];
  values: readonly IndicatorValue[];
  months: readonly string[];
  monthly: readonly Pick<MonthlyInstitutionResult, 'holdback' | 'undistributed'>[];
  previousYear?: ScoringContext;
}): AnnualInstitutionResult {
  const scored = scoreAndGrade(
    input.scheme,
    input.institution,
    input.indicators,
    input.values,
    input.months,
    input.previousYear,
  );
  const reserve = input.monthly.reduce((acc, m) => acc + m.holdback + m.undistributed, 0);
  return { ...toScoreResult(scored), reserve };
}

export function annualSettlementStep(input: {
  scheme: Scheme;
  institutions: readonly Institution[];
  headcounts: ReadonlyMap<string, number>;
  scores: readonly AnnualInstitutionResult[];
  insurance: InsuranceRow;
  leaders: readonly Leader[];
  staffInstitution: ReadonlyMap<string, string>;
  /** §9.3: the community's own appraisal over the year (communityOwnStep), when the scheme weighs it. */
  communityOwn?: CommunityOwnResult;
}): AnnualSettlementResult {
  const byId = new Map(input.scores.map((s) => [s.institutionId, s]));
  const members = input.institutions.map((institution) => {
    const result = byId.get(institution.id)!;
    const score = rational(result.score);
    return {
      institution,
      headcount: input.headcounts.get(institution.id) ?? 0,
      reserve: result.reserve,
      scored: {
        institutionId: institution.id,
        // The stored grade: a veto (§9.4) may have capped it below the score's band.
        grade:
          input.scheme.grades.find((g) => g.grade === result.grade) ?? gradeFor(score, input.scheme.grades),
        score: {
          exact: score,
          score,
          indicators: [],
          dimensions: new Map(
            result.publicHealthScore === null ? [] : [['public_health', rational(result.publicHealthScore)]],
          ),
        },
      },
    };
  });
  const settlement = settleYear({
    scheme: input.scheme,
    members,
    insurance: input.insurance,
    leaders: input.leaders,
    staffInstitution: input.staffInstitution,
    communityOwnScore: input.communityOwn === undefined ? undefined : rational(input.communityOwn.score),
  });
  return toSettlementResult(settlement, byId, input.communityOwn);
}

/**
 * §9.3: the community's own appraisal over a window (a quarter or the year), from the rows carrying the
 * community id; undefined when the scheme does not weigh it (the v1 results stay as they were).
 */
export function communityOwnStep(input: {
  scheme: Scheme;
  indicators: readonly Indicator[];
  values: readonly IndicatorValue[];
  months: readonly string[];
  previousYear?: ScoringContext;
}): CommunityOwnResult | undefined {
  if (!communityScoreOn(input.scheme)) return undefined;
  return toCommunityOwnResult(
    communityOwnScore(
      input.indicators,
      input.values,
      input.months,
      rational(input.scheme.bonusCap),
      input.previousYear,
    ),
  );
}
