/**
 * Loads what a workflow step needs for one cycle from the store: the dataset version the cycle
 * recorded, sliced by institution and window.
 */
import { monthsOfQuarter, monthsOfYear, parseQuarter } from '../domain/periods.js';
import { bilingual, NotFoundError } from '../errors.js';
import type { Institution } from '../schemas/dataset.js';
import type { CycleRef } from '../schemas/events.js';
import type { Repositories } from '../store/index.js';

/** The months a cycle's window covers. */
export function cycleMonths(cycle: Pick<CycleRef, 'kind' | 'period'>): string[] {
  if (cycle.kind === 'monthly') return [cycle.period];
  if (cycle.kind === 'quarterly') {
    const { year, quarter } = parseQuarter(cycle.period);
    return monthsOfQuarter(year, quarter);
  }
  return monthsOfYear(Number(cycle.period));
}

export async function loadCommon(repos: Repositories, cycle: CycleRef) {
  const { communityId: c, datasetVersion: v } = cycle;
  const [scheme, institutions, indicators] = await Promise.all([
    repos.datasets.scheme(c, v),
    repos.datasets.institutions(c, v),
    repos.datasets.indicators(c, v),
  ]);
  return { scheme, institutions, indicators };
}

export function findInstitution(institutions: readonly Institution[], id: string): Institution {
  const institution = institutions.find((i) => i.id === id);
  if (!institution) throw new NotFoundError(bilingual(`没有机构 ${id}`, `no institution ${id}`));
  return institution;
}

/**
 * One institution's share of a cycle: the common parts, its roster and its rows of the cycle's months
 * (read together in one BatchGetItem). `alsoMonths` are read in the same request for a later
 * `institutionMonths` of the same step.
 */
export async function loadInstitutionSlice(
  repos: Repositories,
  cycle: CycleRef,
  institutionId: string,
  alsoMonths: readonly string[] = [],
) {
  const common = await loadCommon(repos, cycle);
  const institution = findInstitution(common.institutions, institutionId);
  const months = cycleMonths(cycle);
  const { roster, rows } = await repos.datasets.institutionSlice(
    cycle.communityId,
    cycle.datasetVersion,
    institutionId,
    months,
    alsoMonths.filter((m) => !months.includes(m)),
  );
  return { ...common, institution, months, roster, rows };
}

/**
 * The reads a Map iteration's batch shares: the common parts, and every institution's roster and rows of
 * the cycle's months (plus `alsoMonths`) in one BatchGetItem, so the `loadInstitutionSlice` of each
 * institution that follows is served from the dataset cache instead of making a request of its own.
 */
export async function prefetchBatch(
  repos: Repositories,
  cycle: CycleRef,
  institutionIds: readonly string[],
  alsoMonths: readonly string[] = [],
) {
  const months = cycleMonths(cycle);
  const [common] = await Promise.all([
    loadCommon(repos, cycle),
    repos.datasets.prefetchInstitutions(cycle.communityId, cycle.datasetVersion, institutionIds, [
      ...months,
      ...alsoMonths.filter((m) => !months.includes(m)),
    ]),
  ]);
  return common;
}
