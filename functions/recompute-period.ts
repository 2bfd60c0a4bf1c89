/**
 * Recomputes a completed monthly or quarterly period as a correction revision (DOMAIN.md §7.1) with the
 * very handlers its cycle ran — the same rules, so a correction can never compute differently from the
 * cycle it corrects. The results go under the correction's own revision; nothing is locked or paid here.
 */
import { institutionBatches } from '../shared/app/institution-batches.js';
import type { CycleRef } from '../shared/schemas/events.js';
import { handler as allocatePool } from './allocate-pool.js';
import { handler as buildBulletin } from './build-bulletin.js';
import { handler as computeMonthlyPay } from './compute-monthly-pay.js';
import { handler as scoreQuarter } from './score-quarter.js';

/** Runs `step` over the institutions in the batches a cycle's Map takes, a few batches at a time (as the Map would). */
async function each(ids: readonly string[], step: (institutionIds: string[]) => Promise<unknown>) {
  const queue = institutionBatches([...ids]);
  const worker = async () => {
    for (let batch = queue.shift(); batch !== undefined; batch = queue.shift()) await step(batch);
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
}

export async function recomputePeriod(cycle: CycleRef, institutionIds: readonly string[]): Promise<void> {
  if (cycle.kind === 'monthly') {
    await each(institutionIds, (ids) => computeMonthlyPay({ cycle, institutionIds: ids }));
    return;
  }
  if (cycle.kind !== 'quarterly') throw new RangeError(`no correction of ${cycle.kind} cycles`);
  await each(institutionIds, (ids) => scoreQuarter({ cycle, institutionIds: ids }));
  await buildBulletin({ cycle });
  await each(institutionIds, (ids) => allocatePool({ cycle, institutionIds: ids }));
}
