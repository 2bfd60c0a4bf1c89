/**
 * Finance review (DOMAIN.md §7): parks the workflow on a task token. The token and the paused state's
 * input are stored on the cycle record so an approval — on AWS through SendTaskSuccess, locally by
 * resuming the same definition at this state — can continue it, even from another process.
 */

import { z } from 'zod';
import { store } from '../shared/config.js';
import { ReviewTask } from '../shared/schemas/events.js';

const ReviewPayload = ReviewTask.extend({ stateName: z.string(), stateInput: z.unknown() });

export async function handler(event: unknown): Promise<{ awaiting: true }> {
  const { cycle, taskToken, stateName, stateInput } = ReviewPayload.parse(event);
  const repos = store();
  const current = await repos.cycles.get(cycle.communityId, cycle.kind, cycle.period);
  // PrepareCycle routes a run of an approved revision past this state; never overwrite a recorded decision.
  if (current?.revision === cycle.revision && current.decision) return { awaiting: true };
  await repos.cycles.transition(cycle, ['running', 'awaiting_review'], 'awaiting_review', {
    review: { token: taskToken, requestedAt: new Date().toISOString(), stateName, stateInput },
  });
  return { awaiting: true };
}
