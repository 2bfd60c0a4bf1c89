/**
 * §9.1 manual mode, one batch of waiting institutions: opens the month's secondary-distribution window
 * (once, naming every institution that waits) and stores each institution's draft — each department's pool
 * X_d, its members on the month's payroll and the rule split — which the department heads start from.
 * Writing it again writes the same thing.
 */

import { prefetchBatch } from '../shared/app/cycle-data.js';
import { batchIds } from '../shared/app/institution-batches.js';
import { buildDraft, manualInstitutions, refOf } from '../shared/app/secondary-service.js';
import { store } from '../shared/config.js';
import { InstitutionBatchWork } from '../shared/schemas/events.js';

export async function handler(event: unknown): Promise<{ institutions: number }> {
  const work = InstitutionBatchWork.parse(event);
  const { cycle } = work;
  const repos = store();
  const institutionIds = await batchIds(repos, work);
  const ref = refOf(cycle);
  // The batch's rosters and month in one read; the window's list is PrepareCycle's (the same data).
  const [, waiting] = await Promise.all([
    prefetchBatch(repos, cycle, institutionIds),
    manualInstitutions(repos, cycle),
  ]);
  await repos.secondary.open(ref, waiting);
  for (const institutionId of institutionIds)
    await repos.secondary.putDraft(ref, await buildDraft(repos, cycle, institutionId));
  return { institutions: institutionIds.length };
}
