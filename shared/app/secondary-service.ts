/**
 * Secondary distribution in manual mode (科室二次分配, DOMAIN.md §9.1), wherever the request comes from (CLI,
 * HTTP API, workflow steps, the demo): which institutions wait, each department's pool and the rule split
 * a head starts from, the head's submission checked to the fen and against the cap, the approval by another
 * user of the institution (four eyes), and the office closing the window — after which departments without
 * an approved submission are paid by the rule split. How a waiting workflow is resumed is behind
 * SecondaryPort: SendTaskSuccess per waiting batch on AWS, re-entering the definition locally.
 */

import { parseYuan } from '../dataset/decimal.js';
import { decodeFile } from '../dataset/decode.js';
import { checkSubmission, type SubmissionProblem } from '../domain/departments.js';
import { applyRate, type Fen, formatYuan } from '../domain/money.js';
import { rational } from '../domain/rational.js';
import { monthlyStep } from '../domain/steps.js';
import { bilingual, FourEyesError, NotFoundError, ReviewStateError } from '../errors.js';
import type { CycleRef } from '../schemas/events.js';
import type { CycleRecord } from '../store/cycles.js';
import { isStoreError } from '../store/errors.js';
import type { Repositories } from '../store/index.js';
import type {
  DraftDepartment,
  SecondaryDraft,
  SecondaryRef,
  SecondaryWindow,
  Submission,
} from '../store/secondary.js';
import { loadInstitutionSlice } from './cycle-data.js';
import { continueRun, resolveCommunity } from './cycle-service.js';
import { v2StepInputs } from './previous-year.js';

/** Answers the waiting institutions' task tokens once the window is closed (cycle-service's ExecutionPort). */
export interface SecondaryPort {
  resumeSecondary?(cycle: CycleRecord, window: SecondaryWindow, tokens: readonly string[]): Promise<void>;
}

/** Who acts: the user, and for the scoped roles the institution (and department) the token names. */
export interface SecondaryActor {
  by: string;
  /** `dept_head` and `institution` are scoped; the office and the local CLI operator are not. */
  role?: string;
  institutionId?: string;
  departmentId?: string;
}

/** A submission that breaks §9.1: every problem, each naming the person and the excess where there is one. */
export class SubmissionInvalidError extends Error {
  override readonly name = 'SubmissionInvalidError' as const;
  readonly statusCode = 422;
  constructor(
    message: string,
    readonly problems: readonly SubmissionProblem[],
  ) {
    super(message);
  }
}

export const refOf = (c: Pick<CycleRef, 'communityId' | 'period' | 'revision'>): SecondaryRef => ({
  communityId: c.communityId,
  period: c.period,
  revision: c.revision,
});

/**
 * The institutions a monthly cycle waits for: every institution with departments when scheme.pay.secondary
 * is manual; [] otherwise (rule mode and v1 datasets read nothing more than the scheme).
 */
export async function manualInstitutions(
  repos: Repositories,
  cycle: Pick<CycleRef, 'communityId' | 'kind' | 'datasetVersion'>,
): Promise<string[]> {
  if (cycle.kind !== 'monthly') return [];
  const scheme = await repos.datasets.scheme(cycle.communityId, cycle.datasetVersion);
  if (scheme.pay.secondary?.mode !== 'manual') return [];
  const v2 = await repos.datasets.v2(cycle.communityId, cycle.datasetVersion);
  return [...new Set((v2.departments ?? []).map((d) => d.institutionId))].sort();
}

/** The draft of one institution: the month's department pools and members, with the rule split. */
export async function buildDraft(
  repos: Repositories,
  cycle: CycleRef,
  institutionId: string,
): Promise<SecondaryDraft> {
  const slice = await loadInstitutionSlice(repos, cycle, institutionId);
  const v2 = await v2StepInputs(repos, cycle, institutionId);
  const result = monthlyStep({
    scheme: slice.scheme,
    institution: slice.institution,
    roster: slice.roster,
    period: cycle.period,
    workload: slice.rows.workload,
    // Adjustments change no pool and no share of it.
    adjustments: [],
    ...v2,
  });
  const staff = new Map(slice.roster.map((s) => [s.staffId, s]));
  const onPayroll = new Set(slice.rows.workload.map((w) => w.staffId).filter((id) => staff.has(id)));
  const lines = new Map(result.lines.map((l) => [l.staffId, l]));
  const departments: DraftDepartment[] = (result.departments ?? []).map((d) => {
    const definition = v2.departments?.find((x) => x.departmentId === d.departmentId);
    const members = [...onPayroll]
      .filter((id) => staff.get(id)!.department === d.departmentId)
      .sort()
      .map((id) => ({
        staffId: id,
        name: staff.get(id)!.name,
        points: lines.get(id)?.points ?? '0',
        rule: lines.get(id)?.reward ?? 0,
      }));
    const capMultiple = definition?.capMultiple;
    return {
      departmentId: d.departmentId,
      name: definition?.name ?? d.departmentId,
      ...(definition?.headStaffId ? { headStaffId: definition.headStaffId } : {}),
      points: d.points,
      pool: d.pool,
      ...(capMultiple === undefined
        ? {}
        : {
            capMultiple,
            ...(members.length > 0
              ? { cap: applyRate(d.pool, rational(capMultiple).div(members.length)) }
              : {}),
          }),
      members,
    };
  });
  return { institutionId, institutionName: slice.institution.name, departments };
}

/**
 * The approved submissions of a waiting institution, as the pay step takes them. Each is checked again
 * against the pool the step computes (the same data, so it holds; if it did not, paying it would be wrong).
 */
export async function approvedSplits(
  repos: Repositories,
  cycle: CycleRef,
  institutionId: string,
): Promise<Map<string, Map<string, Fen>> | undefined> {
  // Only a waiting institution can have submissions (a submission needs its institution in the window):
  // the others are not queried (the window's ids are read once per process; ~30 queries a county month).
  const waiting = await repos.secondary.waitingIds(refOf(cycle));
  if (!waiting?.includes(institutionId)) return undefined;
  const approved = await repos.secondary.submissions(refOf(cycle), institutionId, 'approved');
  if (approved.length === 0) return undefined;
  return new Map(approved.map((s) => [s.departmentId, new Map(Object.entries(s.amounts))]));
}

async function monthlyCycle(
  repos: Repositories,
  communityId: string | undefined,
  period: string,
): Promise<CycleRecord> {
  const community = await resolveCommunity(repos, communityId);
  const cycle = await repos.cycles.get(community, 'monthly', period);
  if (!cycle)
    throw new NotFoundError(
      bilingual(`没有月调度周期 ${period}`, `no monthly cycle ${period} has been started`),
    );
  return cycle;
}

/** A monthly cycle revision, as the §9.1 calls need it: read, or named by the caller's view. */
type MonthRevision = Pick<CycleRecord, 'communityId' | 'period' | 'revision'>;

/**
 * The month the call acts on: with the caller's view of revision `seen.revision` (and its community), that
 * revision, not read — the call's write holds only while it is still the cycle's revision (its condition),
 * and where it is not the call is made again from the cycle as read, as without the view. Else read.
 * (The demo's heads and approvers: ~350 reads of the cycle record a year fewer.)
 */
async function monthAsSeen(
  repos: Repositories,
  request: { communityId?: string; period: string; seen?: SeenWindow },
): Promise<{ month: MonthRevision; read: boolean }> {
  if (request.seen && request.communityId)
    return {
      month: { communityId: request.communityId, period: request.period, revision: request.seen.revision },
      read: false,
    };
  return { month: await monthlyCycle(repos, request.communityId, request.period), read: true };
}

/** A refused write made on a view of the month: was it refused because the month is no longer that revision? */
async function monthMoved(repos: Repositories, month: MonthRevision, error: unknown): Promise<boolean> {
  if (!isStoreError(error, 'conditional_failed')) return false;
  const now = await repos.cycles.get(month.communityId, 'monthly', month.period);
  return now?.revision !== month.revision;
}

async function openWindow(repos: Repositories, cycle: MonthRevision): Promise<SecondaryWindow> {
  const window = await repos.secondary.window(refOf(cycle));
  if (!window)
    throw new NotFoundError(
      bilingual(
        `${cycle.period} 没有科室二次分配窗口（方案未启用手工模式，或周期尚未算出科室奖励池）`,
        `${cycle.period} has no secondary-distribution window (the scheme's mode is not manual, or the cycle has not computed the department pools yet)`,
      ),
    );
  return window;
}

/**
 * What a caller's view of cycle revision `revision` showed: the revision, and the window (open) when it
 * has it. That window is not read again: every write that uses it holds only while the window is still
 * open (its condition), and its waiting institutions never change once it is opened.
 */
export interface SeenWindow {
  revision: number;
  window?: SecondaryWindow;
}

/** The cycle revision's window: as the caller's view of this revision showed it open, else read. */
function windowOf(repos: Repositories, cycle: MonthRevision, seen?: SeenWindow): Promise<SecondaryWindow> {
  if (seen?.revision === cycle.revision && seen.window?.status === 'open')
    return Promise.resolve(seen.window);
  return openWindow(repos, cycle);
}

function requireOpen(window: SecondaryWindow, period: string) {
  if (window.status !== 'open')
    throw new ReviewStateError(
      bilingual(
        `${period} 的科室二次分配窗口已于 ${window.closedAt ?? ''} 关闭（${window.closedBy ?? ''}）`,
        `the secondary-distribution window of ${period} was closed at ${window.closedAt ?? ''} by ${window.closedBy ?? ''}`,
      ),
    );
}

function inScope(actor: SecondaryActor, institutionId: string, departmentId?: string) {
  const scoped = actor.role === 'dept_head' || actor.role === 'institution';
  if (!scoped) return;
  const outside =
    actor.institutionId !== institutionId ||
    (actor.role === 'dept_head' && departmentId !== undefined && actor.departmentId !== departmentId);
  if (outside)
    throw new FourEyesError(
      bilingual(
        `${actor.by} 只能处理本${actor.role === 'dept_head' ? '科室' : '机构'}的二次分配`,
        `${actor.by} may act only on their own ${actor.role === 'dept_head' ? 'department' : 'institution'}`,
      ),
    );
}

async function departmentOf(
  repos: Repositories,
  cycle: MonthRevision,
  window: SecondaryWindow,
  institutionId: string,
  departmentId: string,
): Promise<DraftDepartment> {
  if (!window.institutionIds.includes(institutionId))
    throw new NotFoundError(
      bilingual(
        `${institutionId} 不在 ${cycle.period} 的科室二次分配中（没有科室）`,
        `${institutionId} takes no part in the secondary distribution of ${cycle.period} (it has no departments)`,
      ),
    );
  const draft = await repos.secondary.draft(refOf(cycle), institutionId);
  const department = draft?.departments.find((d) => d.departmentId === departmentId);
  if (!department)
    throw new NotFoundError(
      bilingual(
        `${institutionId} 没有科室 ${departmentId}${draft ? '' : '（科室奖励池尚未算出）'}`,
        `${institutionId} has no department ${departmentId}${draft ? '' : ' (its pools are not computed yet)'}`,
      ),
    );
  return department;
}

/** One department's pool, members with the rule split as the default, cap, and its submission. */
export async function departmentView(
  repos: Repositories,
  request: { communityId?: string; period: string; institutionId: string; departmentId: string },
  actor: SecondaryActor,
) {
  inScope(actor, request.institutionId, request.departmentId);
  const cycle = await monthlyCycle(repos, request.communityId, request.period);
  const window = await openWindow(repos, cycle);
  const department = await departmentOf(repos, cycle, window, request.institutionId, request.departmentId);
  const submission = await repos.secondary.submission(
    refOf(cycle),
    request.institutionId,
    request.departmentId,
  );
  return {
    period: cycle.period,
    revision: cycle.revision,
    window: { status: window.status, closedAt: window.closedAt ?? null, closedBy: window.closedBy ?? null },
    institutionId: request.institutionId,
    department,
    submission: submission ?? null,
  };
}

/** A head's amounts (fen per staff id), checked to the fen and against the cap before anything is stored. */
export async function submitSplit(
  repos: Repositories,
  request: {
    communityId?: string;
    period: string;
    institutionId: string;
    departmentId: string;
    amounts: ReadonlyMap<string, Fen>;
    /**
     * What the head's view of cycle revision `revision` showed of the department's submission — none, or
     * that version — when the caller has it: then it is not read again, and the write holds only if it is
     * still so (none there, or that version and not approved), else it is refused as changed by someone
     * else. A view of another revision is not used; its window, see SeenWindow.
     */
    seen?: SeenWindow & { previous: Submission | undefined };
  },
  actor: SecondaryActor,
): Promise<Submission> {
  inScope(actor, request.institutionId, request.departmentId);
  const { month: cycle, read } = await monthAsSeen(repos, request);
  const window = await windowOf(repos, cycle, request.seen);
  requireOpen(window, cycle.period);
  const department = await departmentOf(repos, cycle, window, request.institutionId, request.departmentId);
  const payroll = department.members.map((m) => m.staffId);
  const problems = checkSubmission(department.pool, payroll, request.amounts, department.capMultiple);
  // Everyone on the department's payroll gets an amount, 0 included: a missing row is a forgotten person.
  for (const staffId of payroll) {
    if (!request.amounts.has(staffId))
      problems.push({
        code: 'notMember',
        staffId,
        zh: `缺少 ${staffId} 的金额（本科室本月在册人员都要填写，可以填 0）`,
        en: `no amount for ${staffId} (every member of the department on this month's payroll needs one; 0 is allowed)`,
      });
  }
  if (problems.length > 0)
    throw new SubmissionInvalidError(
      bilingual(
        `${request.institutionId}/${request.departmentId} ${cycle.period} 的分配未提交：${problems.map((p) => p.zh).join('；')}`,
        `the split of ${request.institutionId}/${request.departmentId} ${cycle.period} was not submitted: ${problems.map((p) => p.en).join('; ')}`,
      ),
      problems,
    );
  const ref = refOf(cycle);
  const previous =
    request.seen?.revision === cycle.revision
      ? request.seen.previous
      : await repos.secondary.submission(ref, request.institutionId, request.departmentId);
  if (previous?.status === 'approved')
    throw new ReviewStateError(
      bilingual(
        `${request.institutionId}/${request.departmentId} 的分配已由 ${previous.decidedBy} 审核通过，不能再修改`,
        `the split of ${request.institutionId}/${request.departmentId} was already approved by ${previous.decidedBy}; it cannot change`,
      ),
    );
  try {
    return await repos.secondary.submit(
      ref,
      {
        institutionId: request.institutionId,
        departmentId: request.departmentId,
        amounts: Object.fromEntries([...request.amounts].sort(([a], [b]) => (a < b ? -1 : 1))),
        submittedBy: actor.by,
        submittedAt: new Date().toISOString(),
      },
      previous,
      { details: { pool: formatYuan(department.pool), people: payroll.length } },
    );
  } catch (error) {
    if (!read && (await monthMoved(repos, cycle, error))) {
      const { seen: _stale, ...afresh } = request;
      return submitSplit(repos, afresh, actor);
    }
    throw await explainConflict(repos, cycle, error, request.institutionId, request.departmentId);
  }
}

/** Approval or rejection by a user of the institution who did not submit it (four eyes). */
export async function decideSplit(
  repos: Repositories,
  request: {
    communityId?: string;
    period: string;
    institutionId: string;
    departmentId: string;
    approve: boolean;
    reason?: string;
    /**
     * The submitted version the approver looked at in cycle revision `revision`, when the caller has it:
     * then it is not read again, and the decision holds only if exactly that version (its submitter
     * included) is still submitted. A view of another revision or department is not used; its window,
     * see SeenWindow.
     */
    seen?: SeenWindow & { submission: Submission };
  },
  actor: SecondaryActor,
): Promise<Submission> {
  if (actor.role === 'dept_head')
    throw new FourEyesError(
      bilingual(
        '科室主任不能审核科室分配，须由本机构的另一位用户（机构角色）审核',
        'a department head cannot approve a split; another user of the institution (role institution) decides',
      ),
    );
  inScope(actor, request.institutionId);
  const { month: cycle, read } = await monthAsSeen(repos, request);
  requireOpen(await windowOf(repos, cycle, request.seen), cycle.period);
  const ref = refOf(cycle);
  const seen = request.seen?.revision === cycle.revision ? request.seen.submission : undefined;
  const submission =
    seen?.institutionId === request.institutionId && seen.departmentId === request.departmentId
      ? seen
      : await repos.secondary.submission(ref, request.institutionId, request.departmentId);
  if (submission?.status !== 'submitted')
    throw new ReviewStateError(
      bilingual(
        `${request.institutionId}/${request.departmentId} 没有待审核的分配${submission ? `（当前为 ${submission.status}）` : ''}`,
        `${request.institutionId}/${request.departmentId} has no split awaiting approval${submission ? ` (it is ${submission.status})` : ''}`,
      ),
    );
  if (submission.submittedBy === actor.by)
    throw new FourEyesError(
      bilingual(
        `审核人不能是提交人 ${actor.by}（双人复核），请由本机构另一位用户审核`,
        `the approver must not be ${actor.by}, who submitted the split (four eyes); another user of the institution must decide`,
      ),
    );
  if (!request.approve && !request.reason?.trim())
    throw new ReviewStateError(bilingual('驳回必须填写原因', 'a rejection needs a reason'));
  try {
    return await repos.secondary.decide(ref, submission, {
      approved: request.approve,
      by: actor.by,
      ...(request.reason ? { reason: request.reason } : {}),
    });
  } catch (error) {
    if (!read && (await monthMoved(repos, cycle, error))) {
      const { seen: _stale, ...afresh } = request;
      return decideSplit(repos, afresh, actor);
    }
    throw await explainConflict(repos, cycle, error, request.institutionId, request.departmentId);
  }
}

/** A refused conditional write: the window closed, or someone else changed the submission first. */
async function explainConflict(
  repos: Repositories,
  cycle: MonthRevision,
  error: unknown,
  institutionId: string,
  departmentId: string,
): Promise<unknown> {
  if (!isStoreError(error, 'conditional_failed')) return error;
  const ref = refOf(cycle);
  const window = await repos.secondary.window(ref);
  if (window?.status === 'closed') {
    try {
      requireOpen(window, cycle.period);
    } catch (closed) {
      return closed;
    }
  }
  const now = await repos.secondary.submission(ref, institutionId, departmentId);
  return new ReviewStateError(
    bilingual(
      `${institutionId}/${departmentId} 的分配已被他人改变（当前为 ${now?.status ?? '无'}，${now?.decidedBy ?? now?.submittedBy ?? ''}），请刷新后重试`,
      `the split of ${institutionId}/${departmentId} was changed by someone else (now ${now?.status ?? 'none'}, ${now?.decidedBy ?? now?.submittedBy ?? ''}); reload and try again`,
    ),
  );
}

/**
 * The office closes the window: from then on nothing is submitted or approved, the waiting workflow goes
 * on, and departments without an approved submission are paid by the rule split.
 */
export async function closeWindow(
  repos: Repositories,
  port: SecondaryPort,
  request: { communityId?: string; period: string },
  actor: SecondaryActor,
) {
  const cycle = await monthlyCycle(repos, request.communityId, request.period);
  const ref = refOf(cycle);
  const window = await openWindow(repos, cycle);
  requireOpen(window, cycle.period);
  const submissions = await repos.secondary.submissionStates(ref);
  const approved = submissions.filter((s) => s.status === 'approved').length;
  const closed = await repos.secondary.close(ref, actor.by, {
    approved,
    institutions: window.institutionIds.length,
  });
  if (!closed) requireOpen((await repos.secondary.window(ref))!, cycle.period);
  const now = (await repos.secondary.window(ref))!;
  if (!port.resumeSecondary)
    throw new ReviewStateError(
      bilingual('此运行环境不能继续等待中的月调度', 'this runtime cannot resume a waiting monthly cycle'),
    );
  const tokens = (await repos.secondary.tokens(ref)).map((t) => t.token);
  const resumeSecondary = port.resumeSecondary.bind(port);
  // Under the cycle's run lease, as every continuation of a run: a live holder is already running it on.
  await continueRun(repos, cycle, actor.by, () => resumeSecondary(cycle, now, tokens));
  return { communityId: cycle.communityId, period: cycle.period, revision: cycle.revision, approved };
}

/** Every waiting institution and department of a month: pool, mode so far, submission status. */
export async function windowStatus(
  repos: Repositories,
  request: { communityId?: string; period: string },
  actor?: SecondaryActor,
) {
  const cycle = await monthlyCycle(repos, request.communityId, request.period);
  const ref = refOf(cycle);
  const window = await repos.secondary.window(ref);
  if (!window) return { period: cycle.period, revision: cycle.revision, window: null, institutions: [] };
  // States only: a province's amounts are ~7 MB, and the status shows none of them.
  const submissions = await repos.secondary.submissionStates(ref);
  const scoped = actor?.role === 'dept_head' || actor?.role === 'institution';
  const ids = window.institutionIds.filter((id) => !scoped || id === actor?.institutionId);
  // The drafts' heads in one query (a province's 3,100 drafts are ~35 MB of members; their heads are not).
  const drafts = await repos.secondary.draftSummaries(ref);
  const byDepartment = new Map(submissions.map((x) => [`${x.institutionId}\u0000${x.departmentId}`, x]));
  const institutions = [];
  for (const institutionId of ids) {
    const draft = drafts.get(institutionId);
    institutions.push({
      institutionId,
      institutionName: draft?.institutionName ?? institutionId,
      departments: (draft?.departments ?? [])
        .filter((d) => actor?.role !== 'dept_head' || d.departmentId === actor.departmentId)
        .map((d) => {
          const s = byDepartment.get(`${institutionId}\u0000${d.departmentId}`);
          return {
            departmentId: d.departmentId,
            name: d.name,
            pool: d.pool,
            people: d.people,
            status: s?.status ?? 'none',
            submittedBy: s?.submittedBy ?? null,
            decidedBy: s?.decidedBy ?? null,
            reason: s?.reason ?? null,
          };
        }),
    });
  }
  return {
    period: cycle.period,
    revision: cycle.revision,
    cycleStatus: cycle.status,
    window: {
      status: window.status,
      openedAt: window.openedAt,
      closedAt: window.closedAt ?? null,
      closedBy: window.closedBy ?? null,
    },
    institutions,
  };
}

/**
 * A head's amounts as CSV (a file, or a column pasted from a spreadsheet with its header): the columns
 * `staffId` and `amount` in yuan with at most 2 decimals (others, such as name, ignored); UTF-8, UTF-16 or
 * GB18030 like every import. Every problem names the file, row and column.
 */
export function parseAmountsCsv(content: Uint8Array | string, file: string): Map<string, Fen> {
  const decoded = decodeFile(content);
  if (decoded.text === undefined)
    throw new SubmissionInvalidError(
      bilingual(
        `${file}${decoded.line ? ` 第 ${decoded.line} 行` : ''}：${decoded.problem?.zh ?? '无法读取'}`,
        `${file}${decoded.line ? ` row ${decoded.line}` : ''}: ${decoded.problem?.en ?? 'unreadable'}`,
      ),
      [],
    );
  const rows = decoded.text.split(/\r?\n/).map((line) => line.split(/[,\t]/).map((c) => c.trim()));
  const header = rows[0] ?? [];
  const staffColumn = header.indexOf('staffId');
  const amountColumn = header.indexOf('amount');
  if (staffColumn < 0 || amountColumn < 0)
    throw new SubmissionInvalidError(
      bilingual(
        `${file} 第 1 行：表头须包含 staffId 和 amount 两列`,
        `${file} row 1: the header needs the columns staffId and amount`,
      ),
      [],
    );
  const amounts = new Map<string, Fen>();
  // Every id given, its amount valid or not: a second row for it is a duplicate either way.
  const seen = new Set<string>();
  const problems: string[][] = [];
  rows.slice(1).forEach((cells, i) => {
    if (cells.every((c) => c === '')) return;
    const row = i + 2;
    const staffId = cells[staffColumn] ?? '';
    const parsed = parseYuan(cells[amountColumn] ?? '', { signed: false });
    if (!staffId) problems.push([`${file} 第 ${row} 行 staffId：为空`, `${file} row ${row} staffId: empty`]);
    else if (seen.has(staffId))
      problems.push([
        `${file} 第 ${row} 行 staffId：${staffId} 重复`,
        `${file} row ${row} staffId: ${staffId} appears twice`,
      ]);
    if (staffId) seen.add(staffId);
    if (typeof parsed !== 'number')
      problems.push([`${file} 第 ${row} 行 amount：${parsed.zh}`, `${file} row ${row} amount: ${parsed.en}`]);
    else if (staffId) amounts.set(staffId, parsed);
  });
  if (problems.length > 0)
    throw new SubmissionInvalidError(
      bilingual(problems.map((p) => p[0]).join('；'), problems.map((p) => p[1]).join('; ')),
      [],
    );
  return amounts;
}
