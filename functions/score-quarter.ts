/** One institution's quarter: scores over the quarter's months and the surplus pool (两个允许, DOMAIN.md §5.4). */
import { loadInstitutionSlice } from '../shared/app/cycle-data.js';
import { scoringContextOf } from '../shared/app/previous-year.js';
import { store } from '../shared/config.js';
import { quarterScoreStep } from '../shared/domain/steps.js';
import { InstitutionTask } from '../shared/schemas/events.js';

export async function handler(event: unknown): Promise<{ institutionId: string }> {
  const { cycle, institutionId } = InstitutionTask.parse(event);
  const repos = store();
  const slice = await loadInstitutionSlice(repos, cycle, institutionId);
  const previousYear = await scoringContextOf(
    repos,
    cycle,
    slice.indicators,
    institutionId,
    slice.roster,
    slice.months,
  );
  const result = quarterScoreStep({
    scheme: slice.scheme,
    institution: slice.institution,
    indicators: slice.indicators,
    values: slice.rows.values,
    finance: slice.rows.finance,
    months: slice.months,
    previousYear,
  });
  await repos.results.putInstitution(cycle, institutionId, result);
  return { institutionId };
}
