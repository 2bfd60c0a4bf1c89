/**
 * A batch of institutions' year: annual scores and grade, and each one's reserve (Σ monthly holdbacks +
 * undistributed). The batch's rows come in one read, its results go out in one guarded write.
 */
import { cycleMonths, loadInstitutionSlice, prefetchBatch } from '../shared/app/cycle-data.js';
import { batchIds } from '../shared/app/institution-batches.js';
import { batchScoringContexts } from '../shared/app/previous-year.js';
import { store } from '../shared/config.js';
import { annualScoreStep } from '../shared/domain/steps.js';
import { InstitutionWork } from '../shared/schemas/events.js';
import type { MonthLock } from '../shared/store/cycles.js';
import type { Repositories } from '../shared/store/index.js';
import { resultWrites } from '../shared/store/results.js';
import { SCORE_STEP } from './score-quarter.js';

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

export async function handler(event: unknown): Promise<{ institutions: number }> {
  const work = InstitutionWork.parse(event);
  const { cycle } = work;
  const ids = await batchIds(store(), work);
  const repos = store();
  const months = cycleMonths(cycle);
  const [{ indicators, institutions }, locks] = await Promise.all([
    prefetchBatch(repos, cycle, ids),
    monthLocks(repos, cycle.communityId, months),
  ]);
  const contextOf = await batchScoringContexts(repos, cycle, indicators, ids, months);
  const groups = await Promise.all(
    ids.map(async (institutionId) => {
      const slice = await loadInstitutionSlice(repos, cycle, institutionId);
      const monthly = locks
        .filter((l) => slice.months.includes(l.period))
        .map((l) => l.reserve?.[institutionId] ?? { holdback: 0, undistributed: 0 });
      const result = annualScoreStep({
        scheme: slice.scheme,
        institution: slice.institution,
        indicators: slice.indicators,
        values: slice.rows.values,
        months: slice.months,
        monthly,
        previousYear: await contextOf(institutionId, slice.roster),
      });
      return { institutionId, items: [resultWrites.institution(institutionId, result)] };
    }),
  );
  await repos.results.putBatch(cycle, SCORE_STEP, groups, { institutions: institutions.length });
  return { institutions: ids.length };
}
