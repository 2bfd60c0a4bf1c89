/**
 * Starting cycles and deciding finance reviews — the rules that hold wherever the request comes from
 * (CLI, HTTP API, schedule): prerequisites, idempotent start, four eyes, audit. How an execution is
 * started or resumed is behind ExecutionPort: Step Functions on AWS, the local interpreter on one machine.
 */

import { monthlyStep } from '../domain/steps.js';
import { bilingual, FourEyesError, NotFoundError, PrerequisiteError, ReviewStateError } from '../errors.js';
import type { CycleExecutionInput } from '../schemas/events.js';
import { type CycleRecord, type Decision, type RunLease, runAttempt } from '../store/cycles.js';
import { isStoreError } from '../store/errors.js';
import type { Repositories } from '../store/index.js';
import type { CycleKind } from '../store/keys.js';
import { LEASE_HEARTBEAT_MS, leaseDeadBecause } from '../store/leases.js';
import type { SecondaryWindow } from '../store/secondary.js';
import { checkPrerequisites, parsePeriod } from './prerequisites.js';

export interface ExecutionPort {
  /**
   * Starts the cycle's state machine (idempotent per cycle revision; `attempt` > 1 is a resumed run, which
   * passes a review finance already approved by itself — the state machine reads the cycle record).
   */
  start(kind: CycleKind, input: CycleExecutionInput, options?: { attempt?: number }): Promise<void>;
  /** Answers the parked review task: success on approval, failure `ReviewRejected` on rejection. */
  resume(cycle: CycleRecord, decision: Decision): Promise<void>;
  /**
   * Whether a run attempt of the cycle is still going where this port runs it — for a port whose start
   * returns while the run goes on elsewhere (Step Functions: the attempt's execution, by its unique name,
   * is RUNNING). Ports that run the cycle inside the call (the local interpreter) omit it: there the run
   * lease's heartbeat is the run's liveness (shared/store/cycles.ts RunLease).
   */
  attemptRunning?(kind: CycleKind, input: CycleExecutionInput, attempt: number): Promise<boolean>;
  /**
   * §9.1 the office closed a month's secondary-distribution window: answer every waiting institution's
   * task token (AWS), or re-enter the definition at the waits (locally). Ports without manual mode omit it.
   */
  resumeSecondary?(cycle: CycleRecord, window: SecondaryWindow, tokens: readonly string[]): Promise<void>;
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

/**
 * The community a request is for: the one named, else (the CLI without --community) the deployment's
 * only community. With several, one must be named (tenancy, issue 12): the last one imported is no
 * default, or a command meant for one county would act on another.
 */
export async function resolveCommunity(repos: Repositories, communityId?: string): Promise<string> {
  if (communityId) return communityId;
  const all = (await repos.communities.list()).map((c) => c.communityId);
  if (all.length === 1) return all[0]!;
  if (all.length === 0)
    throw new NotFoundError(
      bilingual(
        '还没有导入任何数据集，请先运行 medcomm import',
        'no dataset imported yet; run medcomm import first',
      ),
    );
  throw new PrerequisiteError(
    bilingual(
      `本系统有 ${all.length} 个医共体（${all.join('、')}），请用 --community 指定其一`,
      `this deployment has ${all.length} communities (${all.join(', ')}): name one with --community <id>`,
    ),
  );
}

export async function startCycle(
  repos: Repositories,
  port: ExecutionPort,
  request: {
    communityId?: string;
    kind: CycleKind;
    period: string;
    by: string;
    /**
     * Institutions without workload rows in the month that the starter accepts to pay nothing this month:
     * their ids, or 'all'. The scheduler never passes any (it waits for the data).
     */
    allowMissing?: readonly string[] | 'all';
  },
): Promise<{ cycle: CycleRecord; created: boolean }> {
  const communityId = await resolveCommunity(repos, request.communityId);
  const { year } = parsePeriod(request.kind, request.period);
  // Read together (one round trip before every start, not two); the dataset is not needed when the
  // cycle exists, and reading it then changes nothing.
  const [existing, dataset] = await Promise.all([
    repos.cycles.get(communityId, request.kind, request.period),
    repos.datasets.current(communityId, year),
  ]);
  // An existing cycle is returned as it is — a completed or locked cycle is never recomputed.
  if (existing && existing.status !== 'rejected' && existing.status !== 'failed')
    return { cycle: existing, created: false };
  if (!dataset)
    throw new NotFoundError(
      bilingual(
        `${communityId} 没有 ${year} 年的数据集，请先导入`,
        `${communityId} has no dataset for ${year}; import it first`,
      ),
    );
  // The checks read independently of each other, so at once; a refusal is told in the order they are
  // written here (the prerequisites first), as when they ran one after another.
  const [prerequisites, correction, coverage] = await Promise.allSettled([
    checkPrerequisites(repos, communityId, request.kind, request.period, dataset.year),
    request.kind === 'monthly' ? undefined : refuseDuringCorrection(repos, communityId, year, request.kind),
    request.kind === 'monthly'
      ? monthCoverage(repos, communityId, dataset.version, request.period)
      : undefined,
  ]);
  for (const check of [prerequisites, correction, coverage])
    if (check.status === 'rejected') throw check.reason;
  let acknowledgedMissing: string[] | undefined;
  // Only a monthly start measured its coverage (the others' is undefined).
  if (coverage.status === 'fulfilled' && coverage.value)
    acknowledgedMissing = acknowledgeMissing(request.period, coverage.value, request.allowMissing);
  const outcome = await repos.cycles.start({
    communityId,
    kind: request.kind,
    period: request.period,
    by: request.by,
    datasetVersion: dataset.version,
    ...(acknowledgedMissing ? { acknowledgedMissing } : {}),
  });
  // The start's audit entry was written with the cycle record, in one transaction.
  if (!outcome.created) return outcome;
  // The run holds the cycle's run lease while it goes (locally: the whole run; on AWS: until the execution
  // is started), so a resume meanwhile is refused. Taken after the start: a resume that came in between
  // holds it instead and runs the cycle, and this start leaves the run to it.
  await continueRun(repos, outcome.cycle, request.by, () =>
    port.start(request.kind, cycleInput(outcome.cycle)),
  );
  return outcome;
}

/** What a run lease refused: the bilingual reason (who runs the cycle, where, since when). */
interface RunBusy {
  busy: string;
}

const running = (lease: RunLease) => {
  const where = `${lease.pid}@${lease.machine.split('|')[0]}`;
  const subject = `${lease.kind} ${lease.period} r${lease.revision}`;
  return lease.attempt > 1
    ? bilingual(
        `${subject} 已在续跑中（${lease.by} 于 ${lease.startedAt} 开始第 ${lease.attempt} 次运行，进程 ${where}，最近心跳 ${lease.heartbeatAt}）；该进程结束后才能再次续跑`,
        `${subject} is already being resumed (attempt ${lease.attempt} by ${lease.by} since ${lease.startedAt}, process ${where}, last heartbeat ${lease.heartbeatAt}); resume it again only once that process has ended`,
      )
    : bilingual(
        `${subject} 仍在运行中（${lease.by} 于 ${lease.startedAt} 开始，进程 ${where}，最近心跳 ${lease.heartbeatAt}），不能续跑；该进程结束后才能续跑`,
        `${subject} is still being run (started by ${lease.by} at ${lease.startedAt}, process ${where}, last heartbeat ${lease.heartbeatAt}); it cannot be resumed until that process has ended`,
      );
};

/**
 * What still runs a running cycle, as a bilingual reason; undefined when nothing does — the cycle is
 * interrupted and a resume may run it. A live run lease of the revision (a start, an approval's
 * continuation or a resume in a live process); on AWS the current attempt's execution, RUNNING; and a month
 * parked at the §9.1 department heads' wait (locally its run ended there; closing the window goes on).
 */
export async function stillRunning(
  repos: Repositories,
  port: ExecutionPort,
  cycle: CycleRecord,
): Promise<string | undefined> {
  const subject = `${cycle.kind} ${cycle.period} r${cycle.revision}`;
  const lease = await repos.cycles.runLease(cycle.communityId, cycle.kind, cycle.period);
  if (lease && lease.revision === cycle.revision && !leaseDeadBecause(lease)) return running(lease);
  if (cycle.kind === 'monthly') {
    const window = await repos.secondary.window({
      communityId: cycle.communityId,
      period: cycle.period,
      revision: cycle.revision,
    });
    if (window?.status === 'open' && window.resumeInput !== undefined)
      return bilingual(
        `${subject} 没有中断：它在等待科室负责人提交二次分配；用 medcomm secondary close ${cycle.period} 关闭后继续`,
        `${subject} is not interrupted: it waits for the department heads' splits (§9.1); close the window with medcomm secondary close ${cycle.period} to go on`,
      );
  }
  const attempt = runAttempt(cycle);
  if (port.attemptRunning && (await port.attemptRunning(cycle.kind, cycleInput(cycle), attempt)))
    return bilingual(
      `${subject} 的第 ${attempt} 次运行（Step Functions 执行）仍在进行，不能续跑；它结束后才能续跑`,
      `${subject} is already being run: its attempt ${attempt} (a Step Functions execution) is still running; resume it only once that execution has ended`,
    );
  return undefined;
}

/**
 * Takes the run lease of a running cycle for this process: refused while a live lease of the same
 * revision exists (a dead one, or one of an older revision, is replaced, and a resume records which and
 * why). With `resume` a new attempt is claimed with the lease and the resume's audit entry. One
 * transaction conditional on the cycle as read and on the lease as read: of two claimants, one wins.
 */
async function claimRun(
  repos: Repositories,
  cycle: CycleRecord,
  request: { by: string; resume?: boolean },
): Promise<{ lease: RunLease; cycle: CycleRecord } | RunBusy> {
  const subject = `${cycle.kind} ${cycle.period} r${cycle.revision}`;
  const audited = (replaced?: string) => ({
    actor: request.by,
    action: 'cycle.resume',
    subject,
    details: {
      // Which resume of the revision this is (its run attempt is one more).
      attempt: (cycle.attempt ?? 0) + 1,
      ...(replaced ? { replaced } : {}),
    },
  });
  // Mostly nobody holds the run (a lease is released when its run ends): claimed as free at once, its
  // condition that no lease exists; only when one does is it read, to tell a live holder from a dead one.
  const free = await repos.cycles.acquireRun(cycle, {
    by: request.by,
    ...(request.resume ? { resume: true, audited: audited() } : {}),
  });
  if (free) return free;
  const existing = await repos.cycles.runLease(cycle.communityId, cycle.kind, cycle.period);
  const dead =
    existing && (existing.revision !== cycle.revision ? 'an older revision' : leaseDeadBecause(existing));
  if (existing && !dead) return { busy: running(existing) };
  const claimed = await repos.cycles.acquireRun(cycle, {
    by: request.by,
    ...(existing ? { replacing: existing } : {}),
    ...(request.resume
      ? { resume: true, audited: audited(existing && dead ? `${existing.holder} (${dead})` : undefined) }
      : {}),
  });
  if (claimed) return claimed;
  // Another start, resume or change came first: say who holds the run, if anyone does.
  const winner = await repos.cycles.runLease(cycle.communityId, cycle.kind, cycle.period);
  if (winner && winner.revision === cycle.revision && !leaseDeadBecause(winner))
    return { busy: running(winner) };
  return {
    busy: bilingual(
      `${subject} 已在续跑中（刚刚被另一操作改动），请用 medcomm status 查看`,
      `${subject} is already being resumed (it changed just now); see medcomm status`,
    ),
  };
}

/**
 * Runs `run` holding the lease: renewed every LEASE_HEARTBEAT_MS while it goes, released when it ends
 * (however it ends). A heartbeat that finds the lease taken over (this process was judged dead) stops.
 */
async function runHolding(repos: Repositories, lease: RunLease, run: () => Promise<void>): Promise<void> {
  const heartbeat = setInterval(() => {
    repos.cycles.renewRun(lease).then(
      (held) => {
        if (!held) clearInterval(heartbeat);
      },
      () => undefined,
    );
  }, LEASE_HEARTBEAT_MS);
  heartbeat.unref();
  try {
    await run();
  } finally {
    clearInterval(heartbeat);
    // Best effort: a lease left behind (the store unreachable) stops binding once its heartbeat is stale.
    await repos.cycles.releaseRun(lease).catch(() => undefined);
  }
}

/** Which institutions of a version have workload rows in a month, and which with staff have none. */
export interface MonthCoverage {
  period: string;
  datasetVersion: number;
  withRows: string[];
  missing: { id: string; name: string; staff: number }[];
  /** People with a workload row (on the month's payroll). */
  headcount: number;
}

export async function monthCoverage(
  repos: Repositories,
  communityId: string,
  version: number,
  period: string,
): Promise<MonthCoverage> {
  const [institutions, headcounts, month] = await Promise.all([
    repos.datasets.institutions(communityId, version),
    repos.datasets.headcounts(communityId, version),
    // Locally kept for the month's pay step, which reads the same rows.
    repos.datasets.monthRows(communityId, version, period),
  ]);
  const withRows: string[] = [];
  let headcount = 0;
  for (const [institutionId, rows] of month) {
    if (rows.workload.length === 0) continue;
    withRows.push(institutionId);
    headcount += rows.workload.length;
  }
  const has = new Set(withRows);
  const missing = institutions
    .filter((i) => !has.has(i.id) && (headcounts[i.id] ?? 0) > 0)
    .map((i) => ({ id: i.id, name: i.name, staff: headcounts[i.id] ?? 0 }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return { period, datasetVersion: version, withRows: withRows.sort(), missing, headcount };
}

/**
 * DOMAIN.md §7 "no empty month": a month without any workload row is refused; institutions without rows
 * are paid nothing only when the starter names them (or says 'all'). Returns the acknowledged ids.
 */
export function acknowledgeMissing(
  period: string,
  coverage: MonthCoverage,
  allow: readonly string[] | 'all' | undefined,
): string[] | undefined {
  if (coverage.withRows.length === 0) {
    throw new PrerequisiteError(
      bilingual(
        `${period} 没有任何工作量数据（workload.csv 中没有该月的行），不能运行月调度；请先导入该月数据`,
        `${period} has no workload rows at all (workload.csv has none for the month); import the month's data before running it`,
      ),
    );
  }
  if (coverage.missing.length === 0) return undefined;
  const ids = coverage.missing.map((m) => m.id);
  const allowed = allow === 'all' ? new Set(ids) : new Set(allow ?? []);
  const unacknowledged = coverage.missing.filter((m) => !allowed.has(m.id));
  if (unacknowledged.length > 0) {
    // A message a person reads: the first MISSING_NAMED by name (a province may miss thousands; every id
    // stays on the error for callers, and `all` acknowledges them at once).
    const shown = unacknowledged.slice(0, MISSING_NAMED);
    const more = unacknowledged.length - shown.length;
    const list =
      shown.map((m) => `${m.id} ${m.name}（${m.staff} 人）`).join('、') +
      (more > 0 ? `，另有 ${more} 个机构（共 ${unacknowledged.length} 个）` : '');
    const listEn =
      shown.map((m) => `${m.id} (${m.staff} staff)`).join(', ') +
      (more > 0 ? `, and ${more} more (${unacknowledged.length} in all)` : '');
    const named = unacknowledged.map((m) => m.id).join(',');
    throw new MissingDataError(
      bilingual(
        `${period} 以下机构没有工作量数据：${list}。若确认本月不发放其绩效，请用 --allow-missing ${more > 0 ? 'all' : `${named}（或 all）`}确认；否则请先导入其数据`,
        `${period}: these institutions have no workload rows: ${listEn}. To pay them nothing this month, acknowledge with ` +
          `--allow-missing ${more > 0 ? 'all' : `${named} (or all)`}; otherwise import their data first`,
      ),
      unacknowledged.map((m) => m.id),
    );
  }
  return ids;
}

/** Institutions a missing-data message names one by one; the rest are counted. */
export const MISSING_NAMED = 20;

/** A month with institutions missing, not acknowledged: names them (the scheduler waits on this). */
export class MissingDataError extends PrerequisiteError {
  constructor(
    message: string,
    readonly institutionIds: readonly string[],
  ) {
    super(message);
  }
}

/**
 * What starting a month would lock and pay (the board's confirmation): which institutions have rows, who
 * is on the payroll, and the month's pay computed by the same step the cycle runs — before anything is
 * written. Corrections already posted into the month are included, as the cycle will include them.
 */
export async function previewMonth(repos: Repositories, communityId: string, period: string) {
  const { year } = parsePeriod('monthly', period);
  const dataset = await repos.datasets.current(communityId, year);
  if (!dataset)
    throw new NotFoundError(
      bilingual(`${communityId} 没有 ${year} 年的数据集`, `${communityId} has no dataset for ${year}`),
    );
  const version = dataset.version;
  const [coverage, scheme, institutions, month] = await Promise.all([
    monthCoverage(repos, communityId, version, period),
    repos.datasets.scheme(communityId, version),
    repos.datasets.institutions(communityId, version),
    repos.datasets.month(communityId, version, period),
  ]);
  const rosters = await repos.datasets.rosters(
    communityId,
    version,
    institutions.map((i) => i.id),
  );
  const totals = { basic: 0, reward: 0, adjustment: 0, gross: 0, people: 0 };
  const postings = await repos.corrections.postings(communityId, period);
  for (const [index, institution] of institutions.entries()) {
    const rows = month.get(institution.id)?.rows;
    const posted =
      postings.length === 0
        ? []
        : await repos.corrections.postedAdjustments(communityId, period, institution.id, postings);
    if (!rows && posted.length === 0) continue;
    const pay = monthlyStep({
      scheme,
      institution,
      roster: rosters[index]!,
      period,
      workload: rows?.workload ?? [],
      adjustments: [...(rows?.adjustments ?? []), ...posted],
    });
    for (const line of pay.lines) {
      totals.basic += line.basic;
      totals.reward += line.reward;
      totals.adjustment += line.adjustment;
      totals.gross += line.gross;
      totals.people++;
    }
  }
  const cycle = await repos.cycles.get(communityId, 'monthly', period);
  return { communityId, year, ...coverage, totals, cycle: cycle ?? null };
}

/** Quarterly and annual cycles wait while a correction of the year awaits review (their rows may change). */
async function refuseDuringCorrection(
  repos: Repositories,
  communityId: string,
  year: number,
  kind: CycleKind,
) {
  const pending = (await repos.corrections.list(communityId, year)).filter(
    (c) => c.status === 'awaiting_review',
  );
  if (pending.length === 0) return;
  const names = pending.map((c) => `${c.kind} ${c.period} r${c.revision}`).join(', ');
  throw new PrerequisiteError(
    bilingual(
      `${year} 年有待财务审核的更正（${names}），审核后才能运行 ${kind} 周期`,
      `${year} has corrections awaiting finance review (${names}); run the ${kind} cycle after they are decided`,
    ),
  );
}

/**
 * Runs an interrupted cycle again (the process running it died: the record still says `running`). The
 * same revision runs from the start; every step writes its results once (an identical rewrite is a
 * no-op, a different one is refused), so no one is paid twice, and a recorded approval is not asked for
 * again. The run lease decides whether it is interrupted: refused while the process running the cycle (the
 * original start, an approval's continuation or another resume) is alive — locally its heartbeat, on AWS
 * its execution — and allowed once that process is dead; the claim and its audit entry are one transaction.
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
  const why = await stillRunning(repos, port, cycle);
  if (why) throw new ReviewStateError(why);
  const claim = await claimRun(repos, cycle, { by: request.by, resume: true });
  if ('busy' in claim) throw new ReviewStateError(claim.busy);
  // A new attempt of the same revision: on AWS a new execution, named with the attempt.
  await runHolding(repos, claim.lease, () =>
    port.start(request.kind, cycleInput(cycle), { attempt: claim.lease.attempt }),
  );
  return claim.cycle;
}

/**
 * Runs a continuation of a running cycle's current attempt (`port.resumeSecondary` after the office closes
 * a §9.1 window, say) under the cycle's run lease, so no resume runs it meanwhile. Returns false, without
 * running it, when a live holder (a resume that took the cycle first) has the run.
 */
export async function continueRun(
  repos: Repositories,
  cycle: CycleRecord,
  by: string,
  run: () => Promise<void>,
): Promise<boolean> {
  const claim = await claimRun(repos, cycle, { by });
  if ('busy' in claim) return false;
  await runHolding(repos, claim.lease, run);
  return true;
}

/**
 * The scheduler's repair of a cycle recorded running whose execution may never have started (Step
 * Functions refused the start after the record was written): starts its current attempt again under the
 * run lease, unless a live holder is running or starting it. Only for a port whose start is idempotent per
 * attempt — on AWS the attempt's execution name is unique, so an execution that exists (running or ended)
 * is left as it is; a local port would run the cycle again. Returns false when a live holder has it.
 */
export async function startAgainIfNotStarted(
  repos: Repositories,
  port: ExecutionPort,
  cycle: CycleRecord,
  by: string,
): Promise<boolean> {
  if (cycle.status !== 'running') return false;
  const attempt = runAttempt(cycle);
  return continueRun(repos, cycle, by, () =>
    port.start(cycle.kind, cycleInput(cycle), attempt > 1 ? { attempt } : {}),
  );
}

/** A recorded decision as the second decider is told it: who, when, and which way. */
function verdictOf(decision: Decision | undefined) {
  return {
    by: decision?.by ?? '?',
    at: decision?.at ?? '',
    ...(decision?.approved ? { zh: '审核通过', en: 'approved' } : { zh: '驳回', en: 'rejected' }),
  };
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
    // Decided already — also when the other of two simultaneous decisions landed before this read: by whom.
    const decided = cycle.decision ? verdictOf(cycle.decision) : undefined;
    throw new ReviewStateError(
      bilingual(
        `周期 ${request.kind} ${request.period} 当前为 ${cycle.status}${decided ? `（已由 ${decided.by} 于 ${decided.at} ${decided.zh}）` : ''}，没有待审核事项`,
        `cycle ${request.kind} ${request.period} is ${cycle.status}${decided ? ` (already ${decided.en} by ${decided.by} at ${decided.at})` : ''}; nothing awaits review`,
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
      {
        actor: request.by,
        action: request.approve ? 'review.approve' : 'review.reject',
        subject: `${request.kind} ${request.period} r${cycle.revision}`,
        details: request.reason ? { reason: request.reason } : {},
      },
    );
  } catch (error) {
    if (!isStoreError(error, 'conditional_failed')) throw error;
    const now = await repos.cycles.get(communityId, request.kind, request.period);
    const { by, at, zh, en } = verdictOf(now?.decision);
    throw new ReviewStateError(
      bilingual(
        `周期 ${request.kind} ${request.period} 已由 ${by} 于 ${at} ${zh}`,
        `cycle ${request.kind} ${request.period} was already ${en} by ${by} at ${at}`,
      ),
    );
  }
  if (!request.approve) {
    // A rejected cycle is no longer running: nothing can resume it, so its last step needs no lease.
    await port.resume(decided, decision);
    return decided;
  }
  // The approved run goes on (locally in this call) under the run lease; if a resume took the cycle
  // between the approval and the lease, it runs with the recorded approval and this call leaves it to it.
  await continueRun(repos, decided, request.by, () => port.resume(decided, decision));
  return decided;
}
