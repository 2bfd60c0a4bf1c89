/**
 * Target of the EventBridge schedules: works out which period is due (in China Standard Time) and
 * starts that cycle of every community of the deployment (issue 12 tenancy) through the same service as
 * the CLI and API. The schedules fire daily from the due day on: a period whose data is not all there (a
 * month with institutions missing, or months not yet done) is never started with anything acknowledged —
 * the starter records, for that community, that it waits for data and tries again the next day; once the
 * cycle exists, a start is a no-op. One community's failure does not keep the others from starting: each
 * is tried, and the run fails afterwards naming the ones that failed (so the alarm and the dead-letter
 * queue see it; a retry starts nothing twice).
 */
import { z } from 'zod';
import type { ExecutionPort } from '../shared/app/cycle-service.js';
import { startAgainIfNotStarted, startCycle } from '../shared/app/cycle-service.js';
import { sfnExecutionPort } from '../shared/app/sfn-port.js';
import { store } from '../shared/config.js';
import { duePeriod } from '../shared/domain/periods.js';
import { bilingual, NotFoundError, PrerequisiteError } from '../shared/errors.js';
import type { Repositories } from '../shared/store/index.js';
import type { CycleKind } from '../shared/store/keys.js';

const Event = z.object({
  kind: z.enum(['monthly', 'quarterly', 'annual']),
  /** One community only (a manual re-run); absent, as the schedules send it: every community. */
  communityId: z.string().min(1).optional(),
});
const Arns = z.object({
  STATE_MACHINE_MONTHLY: z.string(),
  STATE_MACHINE_QUARTERLY: z.string(),
  STATE_MACHINE_ANNUAL: z.string(),
});

/** Some communities' due cycles could not be started (the others were). */
export class ScheduledStartFailed extends Error {
  override readonly name = 'ScheduledStartFailed' as const;
  constructor(
    readonly failures: { communityId: string; error: string }[],
    readonly outcomes: unknown[],
  ) {
    super(
      bilingual(
        `${failures.length} 个医共体的定时启动失败：${failures.map((f) => `${f.communityId}（${f.error}）`).join('；')}`,
        `the scheduled start failed for ${failures.length} communit${failures.length === 1 ? 'y' : 'ies'}: ${failures.map((f) => `${f.communityId} (${f.error})`).join('; ')}`,
      ),
    );
  }
}

/** Starts (or records as waiting for data) one community's due cycle. */
async function startOne(
  repos: Repositories,
  port: ExecutionPort,
  communityId: string,
  kind: CycleKind,
  period: string,
) {
  try {
    const { cycle, created } = await startCycle(repos, port, { communityId, kind, period, by: 'scheduler' });
    // A cycle recorded as running whose execution never started (Step Functions refused the start after
    // the record was written) would wait forever: the start is made again, under the cycle's run lease (a
    // resume or start holding it is left alone). It is idempotent per revision and attempt (the same
    // execution name and input), so an execution that exists is left as it is.
    if (!created && cycle.status === 'running') await startAgainIfNotStarted(repos, port, cycle, 'scheduler');
    await repos.cycles.clearWaiting(communityId, kind, period);
    return {
      communityId,
      kind: cycle.kind,
      period: cycle.period,
      revision: cycle.revision,
      status: cycle.status,
      created,
    };
  } catch (error) {
    // Missing data is not a failure: wait for it (the next daily run tries again); anything else is.
    if (!(error instanceof PrerequisiteError)) throw error;
    const waiting = await repos.cycles.recordWaiting(communityId, kind, period, error.message);
    return {
      communityId,
      kind,
      period,
      status: 'waiting_for_data' as const,
      since: waiting.since,
      attempts: waiting.attempts,
    };
  }
}

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
  if (communityId !== undefined) {
    if (!(await repos.communities.get(communityId)))
      throw new NotFoundError(
        bilingual(`没有医共体 ${communityId}`, `no community ${communityId} in this deployment`),
      );
    return startOne(repos, port, communityId, kind, period);
  }
  const communities = (await repos.communities.list()).map((c) => c.communityId);
  // One after another: a deployment's communities start within a minute, far from Step Functions' quotas.
  const outcomes: unknown[] = [];
  const failures: { communityId: string; error: string }[] = [];
  for (const c of communities) {
    try {
      outcomes.push(await startOne(repos, port, c, kind, period));
    } catch (error) {
      failures.push({
        communityId: c,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      outcomes.push({ communityId: c, kind, period, status: 'start_failed' as const });
    }
  }
  if (failures.length > 0) throw new ScheduledStartFailed(failures, outcomes);
  return { kind, period, communities: outcomes };
}
