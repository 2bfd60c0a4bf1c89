/**
 * §9.4 `improve`: the previous year's indicator values, read through the repositories when the store
 * holds that year — the year whose annual cycle completed (the year is locked then, so its values are
 * final). Without it, scoring falls back to the indicator's `base=`.
 */
import { previousYearMonths } from '../domain/periods.js';
import type { PreviousYear } from '../domain/scoring.js';
import type { Indicator } from '../schemas/dataset.js';
import type { CycleRef } from '../schemas/events.js';
import type { Repositories } from '../store/index.js';

/** The previous year's rows of `months` (shifted a year back) for one institution, or undefined. */
export async function previousYearOf(
  repos: Repositories,
  cycle: Pick<CycleRef, 'communityId'>,
  indicators: readonly Indicator[],
  institutionId: string,
  months: readonly string[],
): Promise<PreviousYear | undefined> {
  // Only `improve` reads it: every other dataset makes no extra request.
  if (!indicators.some((i) => i.method === 'improve') || months.length === 0) return undefined;
  const year = Number(months[0]!.slice(0, 4)) - 1;
  const annual = await repos.cycles.get(cycle.communityId, 'annual', String(year));
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
