/**
 * A whole year computed in memory, step by step, exactly as the workflows run it. Used by the golden
 * test and as the reference the workflow results are compared against.
 */
import type { Dataset } from '../schemas/dataset.js';
import type {
  AnnualInstitutionResult,
  AnnualSettlementResult,
  BulletinRow,
  CommunityOwnResult,
  MonthlyInstitutionResult,
  PoolAllocation,
  QuarterlyInstitutionResult,
} from '../schemas/results.js';
import { DatasetIndex } from './dataset-index.js';
import { monthsOfQuarter, monthsOfYear, previousYearMonths, type Quarter, quarterKey } from './periods.js';
import { bulletinRows } from './results.js';
import type { ScoringContext } from './scoring.js';
import { secondmentCounter } from './secondments.js';
import {
  annualScoreStep,
  annualSettlementStep,
  communityOwnStep,
  monthlyStep,
  poolAllocationStep,
  quarterScoreStep,
} from './steps.js';

export interface QuarterResults {
  institutions: QuarterlyInstitutionResult[];
  bulletin: BulletinRow[];
  allocations: PoolAllocation[];
  /** §9.3 the community's own appraisal over the quarter, when the scheme weighs it. */
  community?: CommunityOwnResult;
}

export interface YearResults {
  monthly: Map<string, MonthlyInstitutionResult[]>;
  quarterly: Map<string, QuarterResults>;
  annual: {
    institutions: AnnualInstitutionResult[];
    settlement: AnnualSettlementResult;
    allocations: PoolAllocation[];
  };
}

/**
 * `previousDataset` is the year before as the store would hold it (§9.4 `improve` compares against it); without
 * it, `improve` falls back to `base=`.
 */
export function computeYear(dataset: Dataset, previousDataset?: Dataset): YearResults {
  const ix = new DatasetIndex(dataset);
  const previousIx = previousDataset === undefined ? undefined : new DatasetIndex(previousDataset);
  const homeOf = ix.staffInstitution();
  const departmentsOf = (institutionId: string) => {
    const own = dataset.departments?.filter((d) => d.institutionId === institutionId) ?? [];
    return own.length === 0 ? undefined : own;
  };
  const previousYear = (institutionId: string, months: readonly string[]): ScoringContext | undefined => {
    const register = dataset.secondments;
    const counter =
      register === undefined
        ? {}
        : { secondmentCount: secondmentCounter(register, homeOf, institutionId, months) };
    if (previousIx === undefined) return register === undefined ? undefined : counter;
    const window = new Set(previousYearMonths(months));
    return { rows: previousIx.values(institutionId).filter((v) => window.has(v.period)), ...counter };
  };
  const { scheme } = dataset;
  const year = scheme.year;
  const institutions = [...dataset.institutions].sort((a, b) => (a.id < b.id ? -1 : 1));

  const monthly = new Map<string, MonthlyInstitutionResult[]>();
  for (const period of monthsOfYear(year)) {
    monthly.set(
      period,
      institutions.map((institution) =>
        monthlyStep({
          scheme,
          institution,
          roster: ix.roster(institution.id),
          period,
          workload: ix.workload(institution.id, [period]),
          adjustments: ix.adjustments(institution.id, period),
          ...(dataset.secondments === undefined ? {} : { secondments: dataset.secondments }),
          departments: departmentsOf(institution.id),
        }),
      ),
    );
  }

  const quarterly = new Map<string, QuarterResults>();
  let previous: ReadonlyMap<string, string> | null = null;
  for (const quarter of [1, 2, 3, 4] as Quarter[]) {
    const months = monthsOfQuarter(year, quarter);
    const scored = institutions.map((institution) =>
      quarterScoreStep({
        scheme,
        institution,
        indicators: dataset.indicators,
        values: ix.values(institution.id),
        finance: ix.finance(institution.id, months),
        months,
        previousYear: previousYear(institution.id, months),
      }),
    );
    const bulletin = bulletinRows(scored, previous);
    const allocations = scored.map((s) =>
      poolAllocationStep({
        scheme,
        institutionId: s.institutionId,
        pool: s.pool,
        roster: ix.roster(s.institutionId),
        workload: ix.workload(s.institutionId, months),
        departments: departmentsOf(s.institutionId),
      }),
    );
    const community = communityOwnStep({
      scheme,
      indicators: dataset.indicators,
      values: ix.values(scheme.community.id),
      months,
      previousYear: previousYear(scheme.community.id, months),
    });
    quarterly.set(quarterKey(year, quarter), {
      institutions: scored,
      bulletin,
      allocations,
      ...(community === undefined ? {} : { community }),
    });
    previous = new Map(scored.map((s) => [s.institutionId, s.score]));
  }

  const months = monthsOfYear(year);
  const annualScores = institutions.map((institution) =>
    annualScoreStep({
      scheme,
      institution,
      indicators: dataset.indicators,
      values: ix.values(institution.id),
      months,
      monthly: months.map((m) => monthly.get(m)!.find((r) => r.institutionId === institution.id)!),
      previousYear: previousYear(institution.id, months),
    }),
  );
  const settlement = annualSettlementStep({
    scheme,
    institutions,
    headcounts: ix.headcounts(),
    scores: annualScores,
    insurance: dataset.insurance[0]!,
    leaders: dataset.leaders,
    staffInstitution: ix.staffInstitution(),
    communityOwn: communityOwnStep({
      scheme,
      indicators: dataset.indicators,
      values: ix.values(scheme.community.id),
      months,
      previousYear: previousYear(scheme.community.id, months),
    }),
  });
  const allocations = settlement.institutions.map((s) =>
    poolAllocationStep({
      scheme,
      institutionId: s.institutionId,
      pool: s.annualBonusPool,
      roster: ix.roster(s.institutionId),
      workload: ix.workload(s.institutionId, months),
      departments: departmentsOf(s.institutionId),
    }),
  );
  return { monthly, quarterly, annual: { institutions: annualScores, settlement, allocations } };
}
