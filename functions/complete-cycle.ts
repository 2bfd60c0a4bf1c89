/**
 * Last step of every cycle: marks it completed and locks what it closed — the month's inputs after a
 * monthly cycle (with what each institution put into the reserve), the year after the annual cycle.
 */
import { store } from '../shared/config.js';
import { CycleExecutionInput } from '../shared/schemas/events.js';
import type { MonthlyInstitutionResult } from '../shared/schemas/results.js';

export async function handler(event: unknown): Promise<{ status: 'completed' }> {
  const { cycle } = CycleExecutionInput.parse(event);
  const repos = store();
  if (cycle.kind === 'monthly') {
    const [month, results] = await Promise.all([
      repos.datasets.month(cycle.communityId, cycle.datasetVersion, cycle.period),
      repos.results.institutions<Omit<MonthlyInstitutionResult, 'lines'> & { institutionId: string }>(cycle),
    ]);
    await repos.cycles.lockMonth(cycle.communityId, {
      period: cycle.period,
      revision: cycle.revision,
      datasetVersion: cycle.datasetVersion,
      lockedAt: new Date().toISOString(),
      hashes: Object.fromEntries([...month].map(([id, m]) => [id, m.hash])),
      reserve: Object.fromEntries(results.map((r) => [r.institutionId, { holdback: r.holdback, undistributed: r.undistributed }])),
    });
  }
  if (cycle.kind === 'annual') await repos.cycles.lockYear(cycle.communityId, cycle.period, cycle.revision);
  const current = await repos.cycles.get(cycle.communityId, cycle.kind, cycle.period);
  // A retried step after a crash finds the cycle already completed: done is done.
  if (current?.status !== 'completed' || current.revision !== cycle.revision) {
    await repos.cycles.transition(cycle, ['running', 'awaiting_review'], 'completed');
  }
  await repos.audit.append(cycle.communityId, {
    actor: 'workflow',
    action: 'cycle.complete',
    subject: `${cycle.kind} ${cycle.period} r${cycle.revision}`,
    details: { datasetVersion: cycle.datasetVersion },
  });
  return { status: 'completed' };
}
