/**
 * Starting cycles and deciding finance reviews — the rules that hold wherever the request comes from
 * (CLI, HTTP API, schedule): prerequisites, idempotent start, four eyes, audit. How an execution is
 * started or resumed is behind ExecutionPort: Step Functions on AWS, the local interpreter on one machine.
 */
import { bilingual, FourEyesError, NotFoundError, ReviewStateError } from '../errors.js';
import type { CycleExecutionInput } from '../schemas/events.js';
import type { CycleRecord, Decision } from '../store/cycles.js';
import { isStoreError } from '../store/errors.js';
import type { Repositories } from '../store/index.js';
import type { CycleKind } from '../store/keys.js';
import { checkPrerequisites } from './prerequisites.js';

export interface ExecutionPort {
  /**
   * Starts the cycle's state machine (idempotent per cycle revision; `attempt` > 1 is a resumed run, which
   * passes a review finance already approved by itself — the state machine reads the cycle record).
   */
  start(kind: CycleKind, input: CycleExecutionInput, options?: { attempt?: number }): Promise<void>;
  /** Answers the parked review task: success on approval, failure `ReviewRejected` on rejection. */
  resume(cycle: CycleRecord, decision: Decision): Promise<void>;
}

export const cycleInput = (c: CycleRecord): CycleExecutionInput => ({
  cycle: {
    communityId: c.communityId,
    kind: c.kind,
    period: c.period,
    revision: c.revision,
    datasetVersion: c.datasetVersion,
  },
});

export async function resolveCommunity(repos: Repositories, communityId?: string): Promise<string> {
  const id = communityId ?? (await repos.datasets.defaultCommunity());
  if (!id)
    throw new NotFoundError(
      bilingual(
        '还没有导入任何数据集，请先运行 medcomm import',
        'no dataset imported yet; run medcomm import first',
      ),
    );
  return id;
}

export async function startCycle(
  repos: Repositories,
  port: ExecutionPort,
  request: { communityId?: string; kind: CycleKind; period: string; by: string },
): Promise<{ cycle: CycleRecord; created: boolean }> {
  const communityId = await resolveCommunity(repos, request.communityId);
  const existing = await repos.cycles.get(communityId, request.kind, request.period);
  // An existing cycle is returned as it is — a completed or locked cycle is never recomputed.
  if (existing && existing.status !== 'rejected' && existing.status !== 'failed')
    return { cycle: existing, created: false };
  const dataset = await repos.datasets.current(communityId);
  if (!dataset)
    throw new NotFoundError(
      bilingual(`${communityId} 没有当前数据集`, `${communityId} has no current dataset`),
    );
  await checkPrerequisites(repos, communityId, request.kind, request.period, dataset.year);
  const outcome = await repos.cycles.start({
    communityId,
    kind: request.kind,
    period: request.period,
    by: request.by,
    datasetVersion: dataset.version,
  });
  if (!outcome.created) return outcome;
  await repos.audit.append(communityId, {
    actor: request.by,
    action: 'cycle.start',
    subject: `${request.kind} ${request.period} r${outcome.cycle.revision}`,
    details: { datasetVersion: dataset.version },
  });
  await port.start(request.kind, cycleInput(outcome.cycle));
  return outcome;
}

/**
 * Runs an interrupted cycle again (the process running it died: the record still says `running`). The
 * same revision runs from the start; every step writes its results once (an identical rewrite is a
 * no-op, a different one is refused), so no one is paid twice, and a recorded approval is not asked for
 * again. Only the operator knows no other process is still running it, hence an explicit command.
 */
export async function resumeInterruptedCycle(
  repos: Repositories,
  port: ExecutionPort,
  request: { communityId?: string; kind: CycleKind; period: string; by: string },
): Promise<CycleRecord> {
  const communityId = await resolveCommunity(repos, request.communityId);
  const cycle = await repos.cycles.get(communityId, request.kind, request.period);
  if (cycle?.status !== 'running') {
    throw new ReviewStateError(
      bilingual(
        `只有中断（运行中）的周期可以续跑；${request.kind} ${request.period} 当前为 ${cycle?.status ?? '未开始'}`,
        `only an interrupted (running) cycle can be resumed; ${request.kind} ${request.period} is ${cycle?.status ?? 'not started'}`,
      ),
    );
  }
  const claimed = await repos.cycles.claimResume(cycle, request.by);
  if (!claimed) {
    throw new ReviewStateError(
      bilingual(
        `${request.kind} ${request.period} 已在续跑中`,
        `${request.kind} ${request.period} is already being resumed`,
      ),
    );
  }
  await repos.audit.append(communityId, {
    actor: request.by,
    action: 'cycle.resume',
    subject: `${request.kind} ${request.period} r${cycle.revision}`,
    details: { attempt: claimed.attempt ?? 1 },
  });
  await port.start(request.kind, cycleInput(cycle), { attempt: (claimed.attempt ?? 1) + 1 });
  return claimed;
}

/**
 * Records a finance decision (four eyes: not by the user who started the cycle; only one decision wins)
 * and resumes the parked workflow with it.
 */
export async function decideReview(
  repos: Repositories,
  port: ExecutionPort,
  request: {
    communityId?: string;
    kind: CycleKind;
    period: string;
    by: string;
    approve: boolean;
    reason?: string;
  },
): Promise<CycleRecord> {
  const communityId = await resolveCommunity(repos, request.communityId);
  const cycle = await repos.cycles.get(communityId, request.kind, request.period);
  if (!cycle)
    throw new NotFoundError(
      bilingual(`没有周期 ${request.kind} ${request.period}`, `no cycle ${request.kind} ${request.period}`),
    );
  if (cycle.status !== 'awaiting_review' || !cycle.review || cycle.decision) {
    throw new ReviewStateError(
      bilingual(
        `周期 ${request.kind} ${request.period} 当前为 ${cycle.status}${cycle.decision ? '（已有审核结论）' : ''}，没有待审核事项`,
        `cycle ${request.kind} ${request.period} is ${cycle.status}${cycle.decision ? ' (already decided)' : ''}; nothing awaits review`,
      ),
    );
  }
  if (request.by === cycle.startedBy) {
    throw new FourEyesError(
      bilingual(
        `审核人不能是发起人 ${cycle.startedBy}（双人复核），请由另一位财务人员审核`,
        `the approver must not be ${cycle.startedBy}, who started the cycle (four eyes); another finance user must decide`,
      ),
    );
  }
  if (!request.approve && !request.reason?.trim()) {
    throw new ReviewStateError(bilingual('驳回必须填写原因', 'a rejection needs a reason'));
  }
  const decision: Decision = {
    approved: request.approve,
    by: request.by,
    at: new Date().toISOString(),
    ...(request.reason ? { reason: request.reason } : {}),
  };
  // The conditional transition is what makes one of two concurrent decisions win; the loser is told who won.
  let decided: CycleRecord;
  try {
    decided = await repos.cycles.transition(
      cycle,
      ['awaiting_review'],
      request.approve ? 'running' : 'rejected',
      { decision },
    );
  } catch (error) {
    if (!isStoreError(error, 'conditional_failed')) throw error;
    const now = await repos.cycles.get(communityId, request.kind, request.period);
    const by = now?.decision?.by ?? '?';
    const verdict = now?.decision?.approved
      ? { zh: '审核通过', en: 'approved' }
      : { zh: '驳回', en: 'rejected' };
    throw new ReviewStateError(
      bilingual(
        `周期 ${request.kind} ${request.period} 已由 ${by} 于 ${now?.decision?.at ?? ''} ${verdict.zh}`,
        `cycle ${request.kind} ${request.period} was already ${verdict.en} by ${by} at ${now?.decision?.at ?? ''}`,
      ),
    );
  }
  await repos.audit.append(communityId, {
    actor: request.by,
    action: request.approve ? 'review.approve' : 'review.reject',
    subject: `${request.kind} ${request.period} r${cycle.revision}`,
    details: request.reason ? { reason: request.reason } : {},
  });
  await port.resume(decided, decision);
  return decided;
}
