/** One institution's year: annual scores and grade, and its reserve (Σ monthly holdbacks + undistributed). */
import { loadInstitutionSlice } from '../shared/app/cycle-data.js';
import { store } from '../shared/config.js';
import { annualScoreStep } from '../shared/domain/steps.js';
import { InstitutionTask } from '../shared/schemas/events.js';

export async function handler(event: unknown): Promise<{ institutionId: string }> {
  const { cycle, institutionId } = InstitutionTask.parse(event);
  const repos = store();
  const slice = await loadInstitutionSlice(repos, cycle, institutionId);
  const locks = await repos.cycles.locks(cycle.communityId);
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
  });
  await repos.results.putInstitution(cycle, institutionId, result);
  return { institutionId };
}
