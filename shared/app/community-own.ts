/**
 * §9.3: the community's own appraisal (总院) of a cycle's window, read through the repositories: the rows
 * carrying the community id are stored like an institution's. Nothing is read when the scheme does not
 * weigh the community's own score.
 */
import { communityScoreOn } from '../domain/community.js';
import { communityOwnStep } from '../domain/steps.js';
import type { Indicator, Scheme } from '../schemas/dataset.js';
import type { CycleRef } from '../schemas/events.js';
import type { CommunityOwnResult } from '../schemas/results.js';
import type { Repositories } from '../store/index.js';
import { previousYearOf } from './previous-year.js';

export async function communityOwnOf(
  repos: Repositories,
  cycle: Pick<CycleRef, 'communityId' | 'datasetVersion'>,
  scheme: Scheme,
  indicators: readonly Indicator[],
  months: readonly string[],
): Promise<CommunityOwnResult | undefined> {
  if (!communityScoreOn(scheme)) return undefined;
  const id = scheme.community.id;
  const [rows, previousYear] = await Promise.all([
    repos.datasets.institutionMonths(cycle.communityId, cycle.datasetVersion, id, months),
    previousYearOf(repos, cycle, indicators, id, months),
  ]);
  return communityOwnStep({ scheme, indicators, values: rows.values, months, previousYear });
}
