/**
 * Target of the EventBridge schedules: works out which period is due (in China Standard Time) and
 * starts that cycle for every community through the same service as the CLI and API.
 */
import { z } from 'zod';
import { startCycle } from '../shared/app/cycle-service.js';
import { sfnExecutionPort } from '../shared/app/sfn-port.js';
import { store } from '../shared/config.js';
import { duePeriod } from '../shared/domain/periods.js';

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
  const { cycle, created } = await startCycle(store(), port, {
    communityId,
    kind,
    period: duePeriod(kind, new Date()),
    by: 'scheduler',
  });
  return { kind: cycle.kind, period: cycle.period, revision: cycle.revision, status: cycle.status, created };
}
