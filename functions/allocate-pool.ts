/**
 * Splits an approved pool over each institution's staff of a batch by points over the cycle's window: the
 * quarterly surplus reward (§5.4) or the annual bonus (§5.5). Runs only after finance approved. The
 * batch's rows and pools come in one read each, its pay lines go out in one guarded write.
 */
import { loadInstitutionSlice, prefetchBatch } from '../shared/app/cycle-data.js';
import { batchIds, oneBatchAtATime, ownTurn } from '../shared/app/institution-batches.js';
import { v2StepInputs } from '../shared/app/previous-year.js';
import { SEALING_STEP, sealedGroup } from '../shared/app/seals.js';
import { store } from '../shared/config.js';
import { poolAllocationStep } from '../shared/domain/steps.js';
import { bilingual, NotFoundError } from '../shared/errors.js';
import { type CycleRef, InstitutionWork } from '../shared/schemas/events.js';
import type { AnnualSettlementResult, QuarterlyInstitutionResult } from '../shared/schemas/results.js';
import type { Repositories } from '../shared/store/index.js';
import { resultWrites } from '../shared/store/results.js';

/** The write guard's step name of allocation (shared/store/results.ts putBatch); its guards carry the seal. */
export const ALLOCATE_STEP = SEALING_STEP.quarterly;

/**
 * Each institution's stored result (its seal covers it) and approved pool: its quarterly result's, or its
 * line of the annual settlement.
 */
async function poolsOf(
  repos: Repositories,
  cycle: CycleRef,
  ids: readonly string[],
): Promise<{ results: unknown[]; pools: (number | undefined)[] }> {
  const results = await repos.results.institutionsOf<QuarterlyInstitutionResult>(cycle, ids);
  if (cycle.kind === 'quarterly') return { results, pools: results.map((r) => r?.pool) };
  const settlement = await repos.results.document<AnnualSettlementResult>(cycle, 'SETTLEMENT');
  return {
    results,
    pools: ids.map((id) => settlement?.institutions.find((i) => i.institutionId === id)?.annualBonusPool),
  };
}

export async function handler(event: unknown): Promise<{ institutions: number }> {
  const work = InstitutionWork.parse(event);
  const { cycle } = work;
  const ids = await batchIds(store(), work);
  const repos = store();
  const [{ institutions }, { results, pools }, rosters] = await Promise.all([
    prefetchBatch(repos, cycle, ids),
    poolsOf(repos, cycle, ids),
    repos.datasets.rosters(cycle.communityId, cycle.datasetVersion, ids),
  ]);
  // One batch of a process computes at a time, each institution in an event-loop turn of its own, so a
  // batch's guarded write goes out while the next computes (as the monthly pay step does).
  const groups = await oneBatchAtATime(async () => {
    const inputs = await Promise.all(
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
        const [slice, v2] = await Promise.all([
          loadInstitutionSlice(repos, cycle, institutionId),
          v2StepInputs(repos, cycle, institutionId),
        ]);
        return { pool, slice, departments: v2.departments };
      }),
    );
    return Promise.all(
      ids.map((institutionId, index) =>
        ownTurn(() => {
          const { pool, slice, departments } = inputs[index]!;
          const { lines, ...summary } = poolAllocationStep({
            scheme: slice.scheme,
            institutionId,
            pool,
            roster: slice.roster,
            workload: slice.rows.workload,
            departments,
          });
          const items = [
            ...resultWrites.payLines(institutionId, lines),
            resultWrites.part(`ALLOC#${institutionId}`, summary),
          ];
          return sealedGroup({ institutionId, items }, rosters[index]!, { storedResult: results[index] });
        }),
      ),
    );
  });
  await repos.results.putBatch(cycle, ALLOCATE_STEP, groups, { institutions: institutions.length });
  return { institutions: ids.length };
}
