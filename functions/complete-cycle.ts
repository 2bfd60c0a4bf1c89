/**
 * Last step of every cycle: marks it completed and locks what it closed — the month's inputs after a
 * monthly cycle (with what each institution put into the reserve), the year after the annual cycle —
 * in one transaction, so a lock never exists without its completed cycle.
 */
import { store } from '../shared/config.js';
import { CycleExecutionInput } from '../shared/schemas/events.js';
import type { MonthlyInstitutionResult } from '../shared/schemas/results.js';
import type { MonthLock, YearLock } from '../shared/store/cycles.js';

export async function handler(event: unknown): Promise<{ status: 'completed' }> {
  const { cycle } = CycleExecutionInput.parse(event);
  const repos = store();
  const lockedAt = new Date().toISOString();
  let lock: MonthLock | YearLock | undefined;
  if (cycle.kind === 'monthly') {
    const [hashes, results] = await Promise.all([
      repos.datasets.monthHashes(cycle.communityId, cycle.datasetVersion, cycle.period),
      repos.results.institutions<Omit<MonthlyInstitutionResult, 'lines'> & { institutionId: string }>(cycle),
    ]);
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
  if (cycle.kind === 'annual') lock = { period: cycle.period, revision: cycle.revision, lockedAt };
  const before = await repos.cycles.get(cycle.communityId, cycle.kind, cycle.period);
  await repos.cycles.complete(cycle, lock);
  // Only the run that completed the cycle records it (a retried step finds it completed already).
  if (before?.status !== 'completed') {
    await repos.audit.append(cycle.communityId, {
      actor: 'workflow',
      action: 'cycle.complete',
      subject: `${cycle.kind} ${cycle.period} r${cycle.revision}`,
      details: { datasetVersion: cycle.datasetVersion },
    });
  }
  return { status: 'completed' };
}
