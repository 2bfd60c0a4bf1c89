/**
 * The community's annual settlement (DOMAIN.md §5.5, §6): community score, reserve releases, the
 * medical-insurance and public-health settlements, next-year totals and leader salaries — what finance
 * reviews before any annual pay is released.
 */

import { communityOwnOf } from '../shared/app/community-own.js';
import { cycleMonths, loadCommon } from '../shared/app/cycle-data.js';
import { store } from '../shared/config.js';
import { annualSettlementStep } from '../shared/domain/steps.js';
import { bilingual, PrerequisiteError } from '../shared/errors.js';
import { CycleExecutionInput } from '../shared/schemas/events.js';
import type { AnnualInstitutionResult } from '../shared/schemas/results.js';

export async function handler(event: unknown): Promise<{ ok: true }> {
  const { cycle } = CycleExecutionInput.parse(event);
  const repos = store();
  const { scheme, institutions, indicators } = await loadCommon(repos, cycle);
  const [scores, headcounts, insurance, leaders] = await Promise.all([
    repos.results.institutions<AnnualInstitutionResult>(cycle),
    repos.datasets.headcounts(cycle.communityId, cycle.datasetVersion),
    repos.datasets.insurance(cycle.communityId, cycle.datasetVersion),
    repos.datasets.leaders(cycle.communityId, cycle.datasetVersion),
  ]);
  const row = insurance.find((r) => r.year === scheme.year);
  if (!row || row.actual === undefined) {
    throw new PrerequisiteError(
      bilingual(
        'insurance.csv 缺少本年度医保基金实际支出（actual），无法结算',
        'insurance.csv has no actual spending for the year; the settlement needs it',
      ),
    );
  }
  const communityOwn = await communityOwnOf(repos, cycle, scheme, indicators, cycleMonths(cycle));
  const settlement = annualSettlementStep({
    scheme,
    institutions: [...institutions].sort((a, b) => (a.id < b.id ? -1 : 1)),
    headcounts: new Map(Object.entries(headcounts)),
    scores,
    insurance: row,
    leaders,
    staffInstitution: new Map(leaders.map((l) => [l.staffId, l.institutionId])),
    communityOwn,
  });
  await repos.results.putDocument(cycle, 'SETTLEMENT', settlement);
  return { ok: true };
}
