/**
 * Splits an approved pool over one institution's staff by points over the cycle's window: the quarterly
 * surplus reward (§5.4) or the annual bonus (§5.5). Runs only after finance approved.
 */
import { loadInstitutionSlice } from '../shared/app/cycle-data.js';
import { v2StepInputs } from '../shared/app/previous-year.js';
import { store } from '../shared/config.js';
import { poolAllocationStep } from '../shared/domain/steps.js';
import { bilingual, NotFoundError } from '../shared/errors.js';
import { InstitutionTask } from '../shared/schemas/events.js';
import type { AnnualSettlementResult, QuarterlyInstitutionResult } from '../shared/schemas/results.js';

export async function handler(event: unknown): Promise<{ institutionId: string }> {
  const { cycle, institutionId } = InstitutionTask.parse(event);
  const repos = store();
  const slice = await loadInstitutionSlice(repos, cycle, institutionId);
  let pool: number | undefined;
  if (cycle.kind === 'quarterly') {
    pool = (await repos.results.institution<QuarterlyInstitutionResult>(cycle, institutionId))?.pool;
  } else {
    const settlement = await repos.results.document<AnnualSettlementResult>(cycle, 'SETTLEMENT');
    pool = settlement?.institutions.find((i) => i.institutionId === institutionId)?.annualBonusPool;
  }
  if (pool === undefined) {
    throw new NotFoundError(
      bilingual(
        `${institutionId} 没有可分配的奖励池`,
        `no pool to allocate for ${institutionId} in ${cycle.kind} ${cycle.period}`,
      ),
    );
  }
  const { lines, ...summary } = poolAllocationStep({
    scheme: slice.scheme,
    institutionId,
    pool,
    roster: slice.roster,
    workload: slice.rows.workload,
    departments: (await v2StepInputs(repos, cycle, institutionId)).departments,
  });
  await repos.results.putPayLines(cycle, institutionId, lines);
  await repos.results.putPart(cycle, `ALLOC#${institutionId}`, summary);
  return { institutionId };
}
