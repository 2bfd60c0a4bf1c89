/** One institution's year: annual scores and grade, and its reserve (Σ monthly holdbacks + undistributed). */
import { loadInstitutionSlice } from '../shared/app/cycle-data.js';
import { scoringContextOf } from '../shared/app/previous-year.js';
import { store } from '../shared/config.js';
import { annualScoreStep } from '../shared/domain/steps.js';
import { InstitutionTask } from '../shared/schemas/events.js';
import type { MonthLock } from '../shared/store/cycles.js';
import type { Repositories } from '../shared/store/index.js';

/**
 * Month locks are written once and never change, and each holds every institution's reserve: one read
 * serves every institution this container scores (otherwise reads grow with institutions²).
 */
const lockCache = new Map<string, MonthLock[]>();

async function monthLocks(
  repos: Repositories,
  communityId: string,
  months: readonly string[],
): Promise<MonthLock[]> {
  const cached = lockCache.get(communityId);
  if (cached && months.every((m) => cached.some((l) => l.period === m))) return cached;
  const locks = await repos.cycles.locks(communityId);
  lockCache.set(communityId, locks);
  return locks;
}

export async function handler(event: unknown): Promise<{ institutionId: string }> {
  const { cycle, institutionId } = InstitutionTask.parse(event);
  const repos = store();
  const slice = await loadInstitutionSlice(repos, cycle, institutionId);
  const locks = await monthLocks(repos, cycle.communityId, slice.months);
  const monthly = locks
    .filter((l) => slice.months.includes(l.period))
    .map((l) => l.reserve?.[institutionId] ?? { holdback: 0, undistributed: 0 });
  const previousYear = await scoringContextOf(
    repos,
    cycle,
    slice.indicators,
    institutionId,
    slice.roster,
    slice.months,
  );
  const result = annualScoreStep({
    scheme: slice.scheme,
    institution: slice.institution,
    indicators: slice.indicators,
    values: slice.rows.values,
    months: slice.months,
    monthly,
    previousYear,
  });
  await repos.results.putInstitution(cycle, institutionId, result);
  return { institutionId };
}
