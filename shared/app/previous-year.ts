/**
 * §9.4 `improve`: the previous year's indicator values, read through the repositories when the store
 * holds that year — the year whose annual cycle completed (the year is locked then, so its values are
 * final). Without it, scoring falls back to the indicator's `base=`.
 */
import { previousYearMonths } from '../domain/periods.js';
import type { ScoringContext } from '../domain/scoring.js';
import { secondmentCounter } from '../domain/secondments.js';
import type { Department, Indicator, Secondment, Staff } from '../schemas/dataset.js';
import type { CycleRef } from '../schemas/events.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';

/** The previous year's rows of `months` (shifted a year back) for one institution, or undefined. */
export async function previousYearOf(
  repos: Repositories,
  cycle: Pick<CycleRef, 'communityId'>,
  indicators: readonly Indicator[],
  institutionId: string,
  months: readonly string[],
  /** The previous year's annual cycle (or none) as the caller read it for this step's batch; else read here. */
  previousAnnual?: { annual: CycleRecord | undefined },
): Promise<ScoringContext | undefined> {
  // Only `improve` reads it: every other dataset makes no extra request.
  if (!indicators.some((i) => i.method === 'improve') || months.length === 0) return undefined;
  const year = Number(months[0]!.slice(0, 4)) - 1;
  const annual = previousAnnual
    ? previousAnnual.annual
    : await repos.cycles.get(cycle.communityId, 'annual', String(year));
  if (annual?.status !== 'completed') return undefined;
  const window = previousYearMonths(months);
  const rows = await repos.datasets.institutionMonths(
    cycle.communityId,
    annual.datasetVersion,
    institutionId,
    window,
  );
  return { rows: rows.values };
}

/**
 * `scoringContextOf` for the institutions of a Map iteration's batch: the previous year's annual cycle is
 * read once — for the prefetch and for every institution's context, so the whole batch scores on one
 * reading of it (it was read again per institution: 39 reads a county quarter) — and every institution's
 * previous-year window in one BatchGetItem (only when an indicator is `improve`), then each institution's
 * context is made from the cache.
 */
export async function batchScoringContexts(
  repos: Repositories,
  cycle: Pick<CycleRef, 'communityId' | 'datasetVersion'>,
  indicators: readonly Indicator[],
  institutionIds: readonly string[],
  months: readonly string[],
): Promise<(institutionId: string, roster: readonly Staff[]) => Promise<ScoringContext | undefined>> {
  let previousAnnual: { annual: CycleRecord | undefined } | undefined;
  if (indicators.some((i) => i.method === 'improve') && months.length > 0) {
    const year = Number(months[0]!.slice(0, 4)) - 1;
    const annual = await repos.cycles.get(cycle.communityId, 'annual', String(year));
    previousAnnual = { annual };
    if (annual?.status === 'completed')
      await repos.datasets.prefetchInstitutions(
        cycle.communityId,
        annual.datasetVersion,
        institutionIds,
        previousYearMonths(months),
        false,
      );
  }
  return (institutionId, roster) =>
    scoringContextOf(repos, cycle, indicators, institutionId, roster, months, previousAnnual);
}

/**
 * Everything the §9 indicators read besides the window's rows, for one institution: the previous year
 * (improve) and the secondment register (secondment_count). Undefined for a v1 dataset.
 */
export async function scoringContextOf(
  repos: Repositories,
  cycle: Pick<CycleRef, 'communityId' | 'datasetVersion'>,
  indicators: readonly Indicator[],
  institutionId: string,
  roster: readonly Staff[],
  months: readonly string[],
  /** The previous year's annual cycle (or none) already read for this step (batchScoringContexts). */
  previousAnnual?: { annual: CycleRecord | undefined },
): Promise<ScoringContext | undefined> {
  const counts = indicators.some((i) => i.aggregation === 'secondment_count');
  const [previous, v2] = await Promise.all([
    previousYearOf(repos, cycle, indicators, institutionId, months, previousAnnual),
    counts ? repos.datasets.v2(cycle.communityId, cycle.datasetVersion) : Promise.resolve(undefined),
  ]);
  if (v2?.secondments === undefined) return previous;
  const homeOf = new Map(roster.map((s) => [s.staffId, s.institutionId]));
  return { ...previous, secondmentCount: secondmentCounter(v2.secondments, homeOf, institutionId, months) };
}

/**
 * The §9 inputs of a pay step for one institution: the secondment register (§9.5) and the institution's
 * departments (§9.1); {} for a v1 dataset, so the step computes exactly as before.
 */
export async function v2StepInputs(
  repos: Repositories,
  cycle: Pick<CycleRef, 'communityId' | 'datasetVersion'>,
  institutionId: string,
): Promise<{ secondments?: Secondment[]; departments?: Department[] }> {
  const v2 = await repos.datasets.v2(cycle.communityId, cycle.datasetVersion);
  const departments = v2.departments?.filter((d) => d.institutionId === institutionId) ?? [];
  return {
    ...(v2.secondments === undefined ? {} : { secondments: v2.secondments }),
    ...(departments.length === 0 ? {} : { departments }),
  };
}
