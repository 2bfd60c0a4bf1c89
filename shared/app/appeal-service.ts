/**
 * Appeals (申诉/复核, issue 14). While the office's publication (公示) of a period is open, a member
 * institution files an appeal against one of its indicator values (a quarter or the year) or one of its
 * staff's pay lines (a month, a quarter, the year), with a reason and the names of its attachments. The
 * office — never the appellant — rejects it with a reason, or accepts it with the corrected rows, which
 * opens a correction of the period (DOMAIN.md §7.1, correction-service): finance reviews its per-person
 * differences (four eyes again) and, approved, they are paid in the next open month. Every filing and
 * decision is written in one transaction with its audit entry; the correction's own start and approval are
 * in the trail too, its reason naming the appeal.
 *
 * Which window: a quarter's or the year's own publication; a month's line, the publication of its quarter
 * or of its year. The annual cycle has no correction in §7.1, so an annual appeal can only be rejected
 * (the office then carries an agreed change into next year's adjustments.csv).
 */

import { readCsv } from '../dataset/csv.js';
import { decodeFile } from '../dataset/decode.js';
import { issueAt, Problem } from '../dataset/errors.js';
import { CSV_FORMATS } from '../dataset/formats/index.js';
import { DatasetInvalidError, type ImportIssue } from '../dataset/index.js';
import { validateRows } from '../dataset/table.js';
import { bilingual, FourEyesError, NotFoundError, PrerequisiteError, ReviewStateError } from '../errors.js';
import type { Adjustment, Dataset, FinanceRow, IndicatorValue, WorkloadRow } from '../schemas/dataset.js';
import { type Appeal, AppealRepository, type AppealTarget, appealId } from '../store/appeals.js';
import type { CorrectionRecord } from '../store/corrections.js';
import { isStoreError } from '../store/errors.js';
import type { Repositories } from '../store/index.js';
import type { CycleKind } from '../store/keys.js';
import type { Publication } from '../store/publications.js';
import { type RecomputePort, startCorrection } from './correction-service.js';
import { cycleMonths } from './cycle-data.js';
import { parsePeriod } from './prerequisites.js';

export const appealsOf = (repos: Repositories) => new AppealRepository(repos.table);

const KIND_ZH: Record<CycleKind, string> = { monthly: '月度', quarterly: '季度', annual: '年度' };
const MAX_ATTACHMENTS = 20;

/** The period's quarter (`2026-05` → `2026-Q2`). */
const quarterOf = (month: string) => `${month.slice(0, 4)}-Q${Math.ceil(Number(month.slice(5, 7)) / 3)}`;

/** The publications whose window covers the period: its own, or for a month its quarter's and its year's. */
function coveringPublications(
  kind: CycleKind,
  period: string,
): { kind: 'quarterly' | 'annual'; period: string }[] {
  if (kind === 'monthly')
    return [
      { kind: 'quarterly', period: quarterOf(period) },
      { kind: 'annual', period: period.slice(0, 4) },
    ];
  return [{ kind, period }];
}

const isOpen = (p: Publication, now: Date) =>
  Date.parse(p.from) <= now.getTime() && now.getTime() < Date.parse(p.to);

/** The open publication window an appeal of the period is filed in, or a refusal saying why not. */
async function openWindow(
  repos: Repositories,
  communityId: string,
  kind: CycleKind,
  period: string,
  now: Date,
): Promise<Publication> {
  const candidates = coveringPublications(kind, period);
  const found = await Promise.all(
    candidates.map((c) => repos.publications.get(communityId, c.kind, c.period)),
  );
  const open = found.find((p): p is Publication => p !== undefined && isOpen(p, now));
  if (open) return open;
  const names = candidates.map((c) => c.period).join(' / ');
  const closed = found.find((p) => p !== undefined);
  throw new PrerequisiteError(
    closed
      ? bilingual(
          `${period} 的公示期（${closed.from.slice(0, 16)} 至 ${closed.to.slice(0, 16)}）不在进行中，只能在公示期内申诉`,
          `the publication window of ${period} (${closed.from.slice(0, 16)} to ${closed.to.slice(0, 16)}) is not open; appeals are filed only while it is`,
        )
      : bilingual(
          `${names} 尚未公示，只能在公示期内申诉`,
          `${names} has not been published; appeals are filed only during a publication window`,
        ),
  );
}

export interface FileAppealRequest {
  communityId: string;
  kind: CycleKind;
  period: string;
  institutionId: string;
  target: AppealTarget;
  reason: string;
  attachments?: readonly string[];
  by: string;
}

export async function fileAppeal(
  repos: Repositories,
  request: FileAppealRequest,
  now = new Date(),
): Promise<Appeal> {
  const { communityId, kind, period, institutionId, target, by } = request;
  const { year } = parsePeriod(kind, period);
  const reason = request.reason.trim();
  if (!reason) throw new PrerequisiteError(bilingual('申诉必须填写理由', 'an appeal needs a reason'));
  const attachments = (request.attachments ?? []).map((a) => a.trim()).filter((a) => a !== '');
  if (attachments.length > MAX_ATTACHMENTS)
    throw new PrerequisiteError(
      bilingual(`附件最多 ${MAX_ATTACHMENTS} 个`, `at most ${MAX_ATTACHMENTS} attachment names`),
    );
  if (target.type === 'indicator' && kind === 'monthly')
    throw new PrerequisiteError(
      bilingual(
        '指标申诉针对季度或年度结果（YYYY-Qn 或 YYYY）',
        'an indicator appeal is against a quarterly or annual result (YYYY-Qn or YYYY)',
      ),
    );

  await openWindow(repos, communityId, kind, period, now);
  const cycle = await repos.cycles.get(communityId, kind, period);
  if (cycle?.status !== 'completed')
    throw new PrerequisiteError(
      bilingual(
        `${period} ${KIND_ZH[kind]}结果尚未完成（${cycle?.status ?? '未开始'}），无可申诉的内容`,
        `the ${kind} result of ${period} is not completed (${cycle?.status ?? 'not started'}); there is nothing to appeal yet`,
      ),
    );
  const v = cycle.datasetVersion;
  const institution = (await repos.datasets.institutions(communityId, v)).find((i) => i.id === institutionId);
  if (!institution)
    throw new NotFoundError(
      bilingual(
        `${period} 的数据中没有机构 ${institutionId}`,
        `${period}'s data has no institution ${institutionId}`,
      ),
    );
  if (target.type === 'indicator') {
    const indicator = (await repos.datasets.indicators(communityId, v)).find(
      (i) => i.id === target.indicatorId,
    );
    const applies =
      indicator && (indicator.appliesTo === '*' || indicator.appliesTo.includes(institution.kind));
    if (!applies)
      throw new NotFoundError(
        bilingual(
          `${institutionId} 在 ${period} 没有适用的指标 ${target.indicatorId}`,
          `no indicator ${target.indicatorId} applies to ${institutionId} in ${period}`,
        ),
      );
  } else {
    const roster = await repos.datasets.roster(communityId, v, institutionId);
    if (!roster.some((s) => s.staffId === target.staffId))
      throw new NotFoundError(
        bilingual(
          `${target.staffId} 不是 ${institutionId} 的职工，只能对本单位人员的结果申诉`,
          `${target.staffId} is not on ${institutionId}'s staff; an institution appeals only its own staff's lines`,
        ),
      );
  }

  const appeals = appealsOf(repos);
  for (let attempt = 0; attempt < 10; attempt++) {
    const number = await appeals.nextNumber(communityId, year);
    const appeal: Appeal = {
      communityId,
      id: appealId(year, number),
      year,
      number,
      kind,
      period,
      institutionId,
      target,
      reason,
      attachments,
      filedBy: by,
      filedAt: now.toISOString(),
      status: 'open',
      version: 1,
    };
    try {
      await repos.audit.append(
        communityId,
        {
          actor: by,
          action: 'appeal.file',
          subject: `appeal ${appeal.id} ${kind} ${period} ${institutionId}`,
          details: { target, reason, attachments },
        },
        [appeals.fileAction(appeal)],
      );
      return appeal;
    } catch (error) {
      if (!isStoreError(error, 'conditional_failed')) throw error; // that number was taken meanwhile
    }
  }
  throw new Error(`appeals of ${communityId} ${year} are too contended; try again`);
}

/** The appeals of a year (or all), for one institution when given. */
export async function listAppeals(
  repos: Repositories,
  communityId: string,
  filter: { year?: number; institutionId?: string } = {},
): Promise<Appeal[]> {
  const all = await appealsOf(repos).list(communityId, filter.year);
  return filter.institutionId ? all.filter((a) => a.institutionId === filter.institutionId) : all;
}

/** An open appeal the caller may decide: it exists, is open, and the caller did not file it. */
async function decidable(repos: Repositories, communityId: string, id: string, by: string): Promise<Appeal> {
  const appeal = await appealsOf(repos).get(communityId, id);
  if (!appeal) throw new NotFoundError(bilingual(`没有申诉 ${id}`, `no appeal ${id}`));
  if (appeal.status !== 'open')
    throw new ReviewStateError(
      bilingual(
        `申诉 ${id} 已由 ${appeal.decision?.by ?? '?'} 处理（${appeal.status}）`,
        `appeal ${id} was already decided by ${appeal.decision?.by ?? '?'} (${appeal.status})`,
      ),
    );
  if (appeal.filedBy === by)
    throw new FourEyesError(
      bilingual(
        `处理人不能是申诉人 ${appeal.filedBy}（双人复核）`,
        `the decider must not be ${appeal.filedBy}, who filed the appeal (four eyes)`,
      ),
    );
  return appeal;
}

function needReason(reason: string | undefined): string {
  const text = reason?.trim() ?? '';
  if (!text)
    throw new ReviewStateError(bilingual('处理申诉必须填写理由', 'a decision on an appeal needs a reason'));
  return text;
}

/** Commits a decision with its audit entry; someone else deciding first is refused, naming them. */
async function recordDecision(
  repos: Repositories,
  appeal: Appeal,
  decision: NonNullable<Appeal['decision']>,
  details: Record<string, unknown>,
  correction?: Appeal['correction'],
): Promise<Appeal> {
  try {
    await repos.audit.append(
      appeal.communityId,
      {
        actor: decision.by,
        action: decision.accepted ? 'appeal.accept' : 'appeal.reject',
        subject: `appeal ${appeal.id} ${appeal.kind} ${appeal.period} ${appeal.institutionId}`,
        details: { reason: decision.reason, ...details },
      },
      [appealsOf(repos).decideAction(appeal, decision, correction)],
    );
  } catch (error) {
    if (!isStoreError(error, 'conditional_failed')) throw error;
    const after = await appealsOf(repos).get(appeal.communityId, appeal.id);
    throw new ReviewStateError(
      bilingual(
        `申诉 ${appeal.id} 已由 ${after?.decision?.by ?? '?'} 处理`,
        `appeal ${appeal.id} was already decided by ${after?.decision?.by ?? '?'}`,
      ),
    );
  }
  return {
    ...appeal,
    status: decision.accepted ? 'accepted' : 'rejected',
    decision,
    ...(correction ? { correction } : {}),
    version: appeal.version + 1,
  };
}

export async function rejectAppeal(
  repos: Repositories,
  request: { communityId: string; id: string; by: string; reason: string },
): Promise<Appeal> {
  const reason = needReason(request.reason);
  const appeal = await decidable(repos, request.communityId, request.id, request.by);
  const decision = { accepted: false, by: request.by, at: new Date().toISOString(), reason };
  return recordDecision(repos, appeal, decision, {});
}

/** The corrected rows' files an accepted appeal of each kind brings (the rows §7.1 corrects). */
const CORRECTABLE = {
  monthly: ['workload', 'adjustments'],
  quarterly: ['finance', 'indicatorValues'],
} as const satisfies Record<'monthly' | 'quarterly', readonly (keyof typeof CSV_FORMATS)[]>;

type Corrected = {
  workload: WorkloadRow[];
  adjustments: Adjustment[];
  finance: FinanceRow[];
  indicatorValues: IndicatorValue[];
};

export const correctableFiles = (kind: 'monthly' | 'quarterly') =>
  CORRECTABLE[kind].map((key) => CSV_FORMATS[key].file);

/**
 * Reads the corrected rows the office gives (CSV text per file, with the import's header and checks) and
 * keeps them to the appeal: its period's months and its institution (its staff, for person rows).
 */
function readCorrectedRows(
  appeal: Appeal,
  kind: 'monthly' | 'quarterly',
  files: Record<string, string | Uint8Array>,
  staffIds: ReadonlySet<string>,
): Corrected {
  const issues: ImportIssue[] = [];
  const out: Corrected = { workload: [], adjustments: [], finance: [], indicatorValues: [] };
  const allowed = CORRECTABLE[kind];
  const months = cycleMonths({ kind, period: appeal.period });
  const byFile = new Map(allowed.map((key) => [CSV_FORMATS[key].file, key]));
  for (const [file, content] of Object.entries(files)) {
    const key = byFile.get(file);
    if (!key) {
      issues.push(
        issueAt(
          { file },
          new Problem(
            'file.unknown',
            `${KIND_ZH[kind]}更正只接受 ${[...byFile.keys()].join('、')}`,
            `a ${kind} correction takes only ${[...byFile.keys()].join(', ')}`,
          ),
        ),
      );
      continue;
    }
    const decoded = decodeFile(content);
    if (decoded.text === undefined) {
      issues.push(issueAt({ file }, decoded.problem!));
      continue;
    }
    const format = CSV_FORMATS[key];
    const read = readCsv(file, decoded.text, format.columns);
    issues.push(...read.issues);
    const { rows, issues: rowIssues } = validateRows(format as never, read);
    issues.push(...rowIssues);
    rows.values.forEach((value, i) => {
      const row = value as { period: string; staffId?: string; institutionId?: string };
      const at = { file, row: rows.records[i]!.row };
      if (!months.includes(row.period))
        issues.push(
          issueAt(
            { ...at, column: 'period', value: row.period },
            new Problem(
              'period.year',
              `更正的行须在申诉的期间 ${appeal.period} 内（${months.join('、')}）`,
              `corrected rows must be in the appealed period ${appeal.period} (${months.join(', ')})`,
            ),
          ),
        );
      else if (row.staffId !== undefined && !staffIds.has(row.staffId))
        issues.push(
          issueAt(
            { ...at, column: 'staffId', value: row.staffId },
            new Problem(
              'ref.unknown',
              `${row.staffId} 不是申诉机构 ${appeal.institutionId} 的职工`,
              `${row.staffId} is not on the staff of ${appeal.institutionId}, the appealing institution`,
            ),
          ),
        );
      else if (row.institutionId !== undefined && row.institutionId !== appeal.institutionId)
        issues.push(
          issueAt(
            { ...at, column: 'institutionId', value: row.institutionId },
            new Problem(
              'ref.unknown',
              `更正的行须属于申诉机构 ${appeal.institutionId}`,
              `corrected rows must be of ${appeal.institutionId}, the appealing institution`,
            ),
          ),
        );
      else (out[key] as unknown[]).push(value);
    });
  }
  const count = Object.values(out).reduce((n, rows) => n + rows.length, 0);
  if (issues.length === 0 && count === 0)
    issues.push(
      issueAt(
        { file: [...byFile.keys()].join(' | ') },
        new Problem(
          'file.noRows',
          '受理申诉须附更正后的行（更正期间的数据）',
          'accepting an appeal needs the corrected rows (the period data as it should be)',
        ),
      ),
    );
  if (issues.length > 0) throw new DatasetInvalidError(issues);
  return out;
}

/** `base` with each corrected row in place of the row of the same key (a new key is added). */
export function patchDataset<
  D extends Pick<Dataset, 'workload' | 'adjustments' | 'finance' | 'indicatorValues'>,
>(base: D, rows: Corrected): D {
  const replace = <R>(current: readonly R[], corrected: readonly R[], key: (r: R) => string): R[] => {
    if (corrected.length === 0) return [...current];
    const keys = new Set(corrected.map(key));
    return [...current.filter((r) => !keys.has(key(r))), ...corrected];
  };
  return {
    ...base,
    workload: replace(base.workload, rows.workload, (r) => `${r.period}|${r.staffId}`),
    // A person's adjustments of a month are given whole: those given replace all of theirs that month.
    adjustments: replace(base.adjustments, rows.adjustments, (r) => `${r.period}|${r.staffId}`),
    finance: replace(base.finance, rows.finance, (r) => `${r.period}|${r.institutionId}|${r.category}`),
    indicatorValues: replace(
      base.indicatorValues,
      rows.indicatorValues,
      (r) => `${r.period}|${r.institutionId}|${r.indicatorId}`,
    ),
  };
}

const appealMark = (id: string) => `申诉 ${id}`;

/**
 * An appeal `by` may accept: open, not their own (four eyes), of a month or a quarter (§7.1 corrects no
 * year). The API checks this before it records the acceptance's job (issue 12); the job checks it again.
 */
export async function acceptableAppeal(
  repos: Repositories,
  request: { communityId: string; id: string; by: string },
): Promise<Appeal> {
  const appeal = await decidable(repos, request.communityId, request.id, request.by);
  if (appeal.kind === 'annual')
    throw new PrerequisiteError(
      bilingual(
        `年度结果不能更正：DOMAIN.md §7.1 只更正已完成的月份和季度。申诉 ${appeal.id} 只能驳回（说明理由）；认可的差额请计入下一年度数据集的 adjustments.csv`,
        `an annual result cannot be corrected: DOMAIN.md §7.1 corrects completed months and quarters only. Reject appeal ${appeal.id} with a reason; an agreed difference goes into next year's adjustments.csv`,
      ),
    );
  return appeal;
}

/**
 * Accepts an appeal: starts the correction of its period on the corrected rows (awaiting finance) and
 * records the decision with the correction's revision. A correction this appeal started before (the
 * process stopped before the decision was recorded) is linked instead of starting another.
 */
export async function acceptAppeal(
  repos: Repositories,
  recompute: RecomputePort,
  request: {
    communityId: string;
    id: string;
    by: string;
    reason: string;
    rows: Record<string, string | Uint8Array>;
    /** What asked (an API job): a run of its correction that stopped part-way is gone on with. */
    key?: string;
  },
): Promise<{ appeal: Appeal; correction: CorrectionRecord }> {
  const reason = needReason(request.reason);
  const appeal = await acceptableAppeal(repos, request);
  const kind = appeal.kind as 'monthly' | 'quarterly';
  const { communityId } = appeal;
  const pending = (await repos.corrections.list(communityId, appeal.year)).find(
    (c) =>
      c.kind === kind &&
      c.period === appeal.period &&
      c.status === 'awaiting_review' &&
      c.reason?.startsWith(`${appealMark(appeal.id)}:`),
  );
  let correction = pending;
  if (!correction) {
    const cycle = await repos.cycles.get(communityId, kind, appeal.period);
    const roster = cycle
      ? await repos.datasets.roster(communityId, cycle.datasetVersion, appeal.institutionId)
      : [];
    const rows = readCorrectedRows(appeal, kind, request.rows, new Set(roster.map((s) => s.staffId)));
    correction = await startCorrection(repos, recompute, {
      communityId,
      kind,
      period: appeal.period,
      source: { patch: (base) => patchDataset(base, rows) },
      by: request.by,
      reason: `${appealMark(appeal.id)}: ${reason}`,
      ...(request.key ? { key: request.key } : {}),
    });
  }
  const link = { kind, period: appeal.period, revision: correction.revision };
  const decided = await recordDecision(
    repos,
    appeal,
    { accepted: true, by: request.by, at: new Date().toISOString(), reason },
    {
      correction: `${kind} ${appeal.period} r${correction.revision}`,
      difference: correction.totals.difference,
    },
    link,
  );
  return { appeal: decided, correction };
}
