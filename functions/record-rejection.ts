/** Ends a cycle that finance rejected: nothing is paid, the cycle is marked rejected (a new revision may run). */
import { store } from '../shared/config.js';
import { FailedCycle } from '../shared/schemas/events.js';

export async function handler(event: unknown): Promise<{ status: 'rejected' }> {
  const { cycle } = FailedCycle.parse(event);
  const repos = store();
  const current = await repos.cycles.get(cycle.communityId, cycle.kind, cycle.period);
  if (current?.status !== 'rejected')
    await repos.cycles.transition(cycle, ['awaiting_review', 'running'], 'rejected');
  return { status: 'rejected' };
}
