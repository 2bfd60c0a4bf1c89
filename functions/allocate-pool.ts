/**
 * Splits an approved pool over each institution's staff of a batch by points over the cycle's window: the
 * quarterly surplus reward (§5.4) or the annual bonus (§5.5). Runs only after finance approved. The
 * batch's rows and pools come in one read each, its pay lines go out in one guarded write.
 */
import { loadInstitutionSlice, prefetchBatch } from '../shared/app/cycle-data.js';
import { v2StepInputs } from '../shared/app/previous-year.js';
import { store } from '../shared/config.js';
import { poolAllocationStep } from '../shared/domain/steps.js';
import { bilingual, NotFoundError } from '../shared/errors.js';
import { type CycleRef, InstitutionWork, idsOf } from '../shared/schemas/events.js';
import type { AnnualSettlementResult, QuarterlyInstitutionResult } from '../shared/schemas/results.js';
import type { Repositories } from '../shared/store/index.js';
import { resultWrites } from '../shared/store/results.js';

/** The write guard's step name of allocation (shared/store/results.ts putBatch). */
export const ALLOCATE_STEP = 'ALLOCATE';

/** Each institution's approved pool: its quarterly result's, or its line of the annual settlement. */
async function poolsOf(
  repos: Repositories,
  cycle: CycleRef,
  ids: readonly string[],
): Promise<(number | undefined)[]> {
  if (cycle.kind === 'quarterly') {
    const results = await repos.results.institutionsOf<QuarterlyInstitutionResult>(cycle, ids);
    return results.map((r) => r?.pool);
  }
  const settlement = await repos.results.document<AnnualSettlementResult>(cycle, 'SETTLEMENT');
  return ids.map((id) => settlement?.institutions.find((i) => i.institutionId === id)?.annualBonusPool);
}

export async function handler(event: unknown): Promise<{ institutions: number }> {
  const work = InstitutionWork.parse(event);
  const { cycle } = work;
  const ids = idsOf(work);
  const repos = store();
  const [, pools] = await Promise.all([prefetchBatch(repos, cycle, ids), poolsOf(repos, cycle, ids)]);
  const groups = await Promise.all(
    ids.map(async (institutionId, index) => {
      const pool = pools[index];
      if (pool === undefined) {
        throw new NotFoundError(
          bilingual(
            `${institutionId} 没有可分配的奖励池`,
            `no pool to allocate for ${institutionId} in ${cycle.kind} ${cycle.period}`,
          ),
        );
      }
      const slice = await loadInstitutionSlice(repos, cycle, institutionId);
      const { lines, ...summary } = poolAllocationStep({
        scheme: slice.scheme,
        institutionId,
        pool,
        roster: slice.roster,
        workload: slice.rows.workload,
        departments: (await v2StepInputs(repos, cycle, institutionId)).departments,
      });
      return {
        institutionId,
        items: [
          ...resultWrites.payLines(institutionId, lines),
          resultWrites.part(`ALLOC#${institutionId}`, summary),
        ],
      };
    }),
  );
  await repos.results.putBatch(cycle, ALLOCATE_STEP, groups);
  return { institutions: ids.length };
}
