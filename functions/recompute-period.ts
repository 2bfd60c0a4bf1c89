/**
 * Recomputes a completed monthly or quarterly period as a correction revision (DOMAIN.md §7.1) with the
 * very handlers its cycle ran — the same rules, so a correction can never compute differently from the
 * cycle it corrects. The results go under the correction's own revision; nothing is locked or paid here.
 */
import type { CycleRef } from '../shared/schemas/events.js';
import { handler as allocatePool } from './allocate-pool.js';
import { handler as buildBulletin } from './build-bulletin.js';
import { handler as computeMonthlyPay } from './compute-monthly-pay.js';
import { handler as scoreQuarter } from './score-quarter.js';

/** Runs `step` for every institution, a few at a time (as the Map would, within one process). */
async function each(ids: readonly string[], step: (institutionId: string) => Promise<unknown>) {
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await step(id);
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
}

export async function recomputePeriod(cycle: CycleRef, institutionIds: readonly string[]): Promise<void> {
  if (cycle.kind === 'monthly') {
    await each(institutionIds, (institutionId) => computeMonthlyPay({ cycle, institutionId }));
    return;
  }
  if (cycle.kind !== 'quarterly') throw new RangeError(`no correction of ${cycle.kind} cycles`);
  await each(institutionIds, (institutionId) => scoreQuarter({ cycle, institutionId }));
  await buildBulletin({ cycle });
  await each(institutionIds, (institutionId) => allocatePool({ cycle, institutionId }));
}
