/** Marks a cycle failed after a step failed beyond its retries, keeping the error for the status table. */
import { store } from '../shared/config.js';
import { FailedCycle } from '../shared/schemas/events.js';

export async function handler(event: unknown): Promise<{ status: 'failed' }> {
  const { cycle, error } = FailedCycle.parse(event);
  const repos = store();
  await repos.cycles.transition(cycle, ['running', 'awaiting_review'], 'failed', {
    error: { name: error?.Error ?? 'Error', message: (error?.Cause ?? '').slice(0, 2000) },
  });
  return { status: 'failed' };
}
