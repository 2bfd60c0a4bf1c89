/**
 * Target of the EventBridge schedules: works out which period is due (in China Standard Time) and
 * starts that cycle through the same service as the CLI and API. The schedules fire daily from the due
 * day on: a period whose data is not all there (a month with institutions missing, or months not yet
 * done) is never started with anything acknowledged — the starter records that it waits for data and
 * tries again the next day; once the cycle exists, a start is a no-op.
 */
import { z } from 'zod';
import { resolveCommunity, startCycle } from '../shared/app/cycle-service.js';
import { sfnExecutionPort } from '../shared/app/sfn-port.js';
import { store } from '../shared/config.js';
import { duePeriod } from '../shared/domain/periods.js';
import { PrerequisiteError } from '../shared/errors.js';

const Event = z.object({
  kind: z.enum(['monthly', 'quarterly', 'annual']),
  communityId: z.string().optional(),
});
const Arns = z.object({
  STATE_MACHINE_MONTHLY: z.string(),
  STATE_MACHINE_QUARTERLY: z.string(),
  STATE_MACHINE_ANNUAL: z.string(),
});

export async function handler(event: unknown) {
  const { kind, communityId } = Event.parse(event);
  const arns = Arns.parse(process.env);
  const port = sfnExecutionPort({
    monthly: arns.STATE_MACHINE_MONTHLY,
    quarterly: arns.STATE_MACHINE_QUARTERLY,
    annual: arns.STATE_MACHINE_ANNUAL,
  });
  const repos = store();
  const period = duePeriod(kind, new Date());
  const community = await resolveCommunity(repos, communityId);
  try {
    const { cycle, created } = await startCycle(repos, port, {
      communityId: community,
      kind,
      period,
      by: 'scheduler',
    });
    await repos.cycles.clearWaiting(community, kind, period);
    return {
      kind: cycle.kind,
      period: cycle.period,
      revision: cycle.revision,
      status: cycle.status,
      created,
    };
  } catch (error) {
    // Missing data is not a failure: wait for it (the next daily run tries again); anything else is.
    if (!(error instanceof PrerequisiteError)) throw error;
    const waiting = await repos.cycles.recordWaiting(community, kind, period, error.message);
    return {
      kind,
      period,
      status: 'waiting_for_data' as const,
      since: waiting.since,
      attempts: waiting.attempts,
    };
  }
}
