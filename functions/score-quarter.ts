/**
 * A batch of institutions' quarter: scores over the quarter's months and the surplus pool (两个允许,
 * DOMAIN.md §5.4). The batch's rows come in one read, its results go out in one guarded write.
 */
import { cycleMonths, loadInstitutionSlice, prefetchBatch } from '../shared/app/cycle-data.js';
import { batchIds } from '../shared/app/institution-batches.js';
import { batchScoringContexts } from '../shared/app/previous-year.js';
import { store } from '../shared/config.js';
import { quarterScoreStep } from '../shared/domain/steps.js';
import { InstitutionWork } from '../shared/schemas/events.js';
import { resultWrites } from '../shared/store/results.js';

/** The write guard's step name of scoring (shared/store/results.ts putBatch). */
export const SCORE_STEP = 'SCORE';

export async function handler(event: unknown): Promise<{ institutions: number }> {
  const work = InstitutionWork.parse(event);
  const { cycle } = work;
  const ids = await batchIds(store(), work);
  const repos = store();
  const { indicators, institutions } = await prefetchBatch(repos, cycle, ids);
  const contextOf = await batchScoringContexts(repos, cycle, indicators, ids, cycleMonths(cycle));
  const groups = await Promise.all(
    ids.map(async (institutionId) => {
      const slice = await loadInstitutionSlice(repos, cycle, institutionId);
      const result = quarterScoreStep({
        scheme: slice.scheme,
        institution: slice.institution,
        indicators: slice.indicators,
        values: slice.rows.values,
        finance: slice.rows.finance,
        months: slice.months,
        previousYear: await contextOf(institutionId, slice.roster),
      });
      return { institutionId, items: [resultWrites.institution(institutionId, result)] };
    }),
  );
  await repos.results.putBatch(cycle, SCORE_STEP, groups, { institutions: institutions.length });
  return { institutions: ids.length };
}
