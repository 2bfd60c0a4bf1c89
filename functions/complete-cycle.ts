/**
 * Last step of every cycle: marks it completed and locks what it closed (DOMAIN.md §2 Locks, v1.1) — the
 * month's workload and adjustments after a monthly cycle (with what each institution put into the
 * reserve), the quarter's finance rows and indicator values, the year after the annual cycle —
 * in one transaction, so a lock never exists without its completed cycle.
 */
import { recordSeal, SEALING_STEP, type SealSummary } from '../shared/app/seals.js';
import { store } from '../shared/config.js';
import { CycleExecutionInput } from '../shared/schemas/events.js';
import type { MonthlyInstitutionResult } from '../shared/schemas/results.js';
import type { PeriodLock } from '../shared/store/cycles.js';
import type { WriteGuard } from '../shared/store/results.js';
import { SCORE_STEP } from './score-quarter.js';

export async function handler(event: unknown): Promise<{ status: 'completed' }> {
  const { cycle } = CycleExecutionInput.parse(event);
  const repos = store();
  const lockedAt = new Date().toISOString();
  let lock: PeriodLock | undefined;
  // Monthly: the results (for the reserve) and the write guards (for the seal) of the month's
  // institutions (its dataset's), by key.
  let guards: WriteGuard<Partial<SealSummary>>[] | undefined;
  if (cycle.kind === 'monthly') {
    const ids = (await repos.datasets.institutions(cycle.communityId, cycle.datasetVersion)).map((i) => i.id);
    const [hashes, listing] = await Promise.all([
      repos.datasets.monthHashes(cycle.communityId, cycle.datasetVersion, cycle.period),
      repos.results.resultsAndGuardsOf<
        Omit<MonthlyInstitutionResult, 'lines'> & { institutionId: string },
        Partial<SealSummary>
      >(cycle, ids, SEALING_STEP.monthly),
    ]);
    const results = listing.institutions;
    guards = listing.guards;
    lock = {
      period: cycle.period,
      revision: cycle.revision,
      datasetVersion: cycle.datasetVersion,
      lockedAt,
      hashes,
      reserve: Object.fromEntries(
        results.map((r) => [r.institutionId, { holdback: r.holdback, undistributed: r.undistributed }]),
      ),
    };
  }
  // A quarter freezes the finance rows and indicator values of its months as this version holds them.
  if (cycle.kind === 'quarterly') {
    lock = { period: cycle.period, revision: cycle.revision, datasetVersion: cycle.datasetVersion, lockedAt };
  }
  if (cycle.kind === 'annual') {
    lock = { period: cycle.period, revision: cycle.revision, datasetVersion: cycle.datasetVersion, lockedAt };
  }
  // A quarter or a year: the write guards (for the seal) of the steps that write for its institutions
  // (its dataset's: scored, then allocated), by key — as the month reads its own — instead of listing
  // every shard of the revision (a city's 64 queries). An institution scored but not sealed by the
  // allocation still sends the seal to every stored item (sealFromGuards), as a listing did.
  if (cycle.kind !== 'monthly') {
    const ids = (await repos.datasets.institutions(cycle.communityId, cycle.datasetVersion)).map((i) => i.id);
    guards = await repos.results.guardsOf<Partial<SealSummary>>(cycle, ids, [
      SCORE_STEP,
      SEALING_STEP[cycle.kind],
    ]);
  }
  // The results are sealed (every pay line with the account it pays); the completion, its lock and its
  // audit entry carrying the seal are one transaction; a retried step finds it completed.
  const seal = await recordSeal(repos, cycle, guards);
  await repos.cycles.complete(cycle, lock, seal);
  return { status: 'completed' };
}
