/**
 * Cycles as the API shows them: status, what each waits for (prerequisites, a start, a finance review
 * by someone other than the starter), and for a review the figures finance decides on. The workflow's
 * task token and paused state stay inside: they are a capability, not information.
 */
import { annualResults, bulletin } from '../app/cycle-results.js';
import { requiredCycles } from '../app/prerequisites.js';
import { type YearStep, yearSteps } from '../app/year-runner.js';
import { formatYuan } from '../domain/money.js';
import { appraisalJson, bulletinJson } from '../results/contract.js';
import type { CycleRecord, CycleStatus, WaitingForData } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import type { CycleKind } from '../store/keys.js';

export type WaitsFor =
  | { what: 'prerequisites'; cycles: YearStep[]; message: string }
  | { what: 'start'; message: string }
  | { what: 'running'; message: string }
  | { what: 'finance_review'; notBy: string; message: string }
  | { what: 'restart'; message: string }
  | { what: 'nothing'; message: string };

export interface CycleView {
  kind: CycleKind;
  period: string;
  status: CycleStatus | 'not_started';
  revision?: number;
  datasetVersion?: number;
  startedBy?: string;
  startedAt?: string;
  updatedAt?: string;
  reviewRequestedAt?: string;
  decision?: CycleRecord['decision'];
  error?: CycleRecord['error'];
  /** Institutions without rows that the starter acknowledged (paid nothing that month). */
  acknowledgedMissing?: string[];
  /** The scheduler found the period's data incomplete and tries again daily (等待数据). */
  waitingForData?: Pick<WaitingForData, 'since' | 'lastTriedAt' | 'attempts' | 'message'>;
  waitsFor: WaitsFor;
}

const kindZh: Record<CycleKind, string> = { monthly: '月调度', quarterly: '季通报', annual: '年考核' };

function waitsFor(step: YearStep, cycle: CycleRecord | undefined, completed: ReadonlySet<string>): WaitsFor {
  if (!cycle) {
    const missing = requiredCycles(step.kind, step.period).filter(
      (r) => !completed.has(`${r.kind}|${r.period}`),
    );
    if (missing.length > 0) {
      const list = missing.map((m) => m.period).join(', ');
      return {
        what: 'prerequisites',
        cycles: missing,
        message: `需先完成 ${list} / needs ${list} completed first`,
      };
    }
    return { what: 'start', message: `可以开始 ${kindZh[step.kind]} / ready to start` };
  }
  switch (cycle.status) {
    case 'awaiting_review':
      return {
        what: 'finance_review',
        notBy: cycle.startedBy,
        message: `等待财务审核（须由 ${cycle.startedBy} 以外的财务人员）/ awaiting finance review by someone other than ${cycle.startedBy}`,
      };
    case 'running':
      return { what: 'running', message: '运行中 / running' };
    case 'rejected':
      return {
        what: 'restart',
        message: `已驳回：${cycle.decision?.reason ?? ''}；更正后可重新运行 / rejected; start it again after corrections`,
      };
    case 'failed':
      return {
        what: 'restart',
        message: `失败：${cycle.error?.name ?? ''} ${cycle.error?.message ?? ''}；可重新运行 / failed; start it again`,
      };
    default:
      return { what: 'nothing', message: '已完成 / completed' };
  }
}

export function cycleView(
  step: YearStep,
  cycle: CycleRecord | undefined,
  completed: ReadonlySet<string>,
): CycleView {
  const view: CycleView = {
    kind: step.kind,
    period: step.period,
    status: cycle?.status ?? 'not_started',
    waitsFor: waitsFor(step, cycle, completed),
  };
  if (!cycle) return view;
  return {
    ...view,
    revision: cycle.revision,
    datasetVersion: cycle.datasetVersion,
    startedBy: cycle.startedBy,
    startedAt: cycle.startedAt,
    updatedAt: cycle.updatedAt,
    ...(cycle.review ? { reviewRequestedAt: cycle.review.requestedAt } : {}),
    ...(cycle.decision ? { decision: cycle.decision } : {}),
    ...(cycle.error ? { error: cycle.error } : {}),
    ...(cycle.acknowledgedMissing ? { acknowledgedMissing: cycle.acknowledgedMissing } : {}),
  };
}

const completedSet = (cycles: readonly CycleRecord[]) =>
  new Set(cycles.filter((c) => c.status === 'completed').map((c) => `${c.kind}|${c.period}`));

/** Every cycle of the year in running order (started or not), with what each waits for. */
export async function yearOverview(
  repos: Repositories,
  communityId: string,
  year: number,
): Promise<CycleView[]> {
  const [cycles, waiting] = await Promise.all([
    repos.cycles.list(communityId),
    repos.cycles.waiting(communityId),
  ]);
  const byKey = new Map(cycles.map((c) => [`${c.kind}|${c.period}`, c]));
  const waits = new Map(waiting.map((w) => [`${w.kind}|${w.period}`, w]));
  const completed = completedSet(cycles);
  // §9.1 a running month whose secondary-distribution window is open waits for its department heads.
  const heads = new Set<string>();
  for (const c of cycles.filter((x) => x.kind === 'monthly' && x.status === 'running')) {
    const window = await repos.secondary.window({ communityId, period: c.period, revision: c.revision });
    if (window?.status === 'open') heads.add(c.period);
  }
  return yearSteps(year).map((step) => {
    const found = cycleView(step, byKey.get(`${step.kind}|${step.period}`), completed);
    const view: CycleView =
      step.kind === 'monthly' && heads.has(step.period)
        ? {
            ...found,
            waitsFor: {
              what: 'running',
              message: `等待科室主任分配与本机构审核，办公室关闭窗口后发放（medcomm secondary close ${step.period}）/ waiting for the department heads' split and its approval; pays when the office closes the window`,
            },
          }
        : found;
    const wait = waits.get(`${step.kind}|${step.period}`);
    return wait && view.status === 'not_started'
      ? {
          ...view,
          waitingForData: {
            since: wait.since,
            lastTriedAt: wait.lastTriedAt,
            attempts: wait.attempts,
            message: wait.message,
          },
        }
      : view;
  });
}

export async function oneCycle(
  repos: Repositories,
  communityId: string,
  kind: CycleKind,
  period: string,
): Promise<CycleView> {
  const cycles = await repos.cycles.list(communityId);
  const cycle = cycles.find((c) => c.kind === kind && c.period === period);
  return cycleView({ kind, period }, cycle, completedSet(cycles));
}

const sumFen = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/**
 * What finance decides on: the bulletin with its surplus pools (quarterly), the settlement (annual); each
 * institution with its name from the cycle's dataset, so a reviewer need not know the ids.
 */
export async function reviewDetails(repos: Repositories, cycle: CycleRecord): Promise<unknown> {
  if (cycle.kind !== 'quarterly' && cycle.kind !== 'annual') return null;
  const institutions = await repos.datasets.institutions(cycle.communityId, cycle.datasetVersion);
  const names = new Map(institutions.map((i) => [i.id, i.name]));
  const named = <R extends { institutionId: string }>(row: R) => ({
    ...row,
    name: names.get(row.institutionId),
  });
  if (cycle.kind === 'quarterly') {
    const rows = await bulletin(repos, cycle);
    const peer = new Map(rows.map((r) => [r.institutionId, r.peerGroup]));
    return {
      institutions: bulletinJson(rows).institutions.map((r) => ({
        ...named(r),
        peerGroup: peer.get(r.institutionId),
      })),
      totals: {
        surplus: formatYuan(sumFen(rows.map((r) => r.surplus))),
        fundExtraction: formatYuan(sumFen(rows.map((r) => r.fundExtraction))),
        pool: formatYuan(sumFen(rows.map((r) => r.pool))),
      },
    };
  }
  if (cycle.kind === 'annual') {
    const { scores, settlement } = await annualResults(repos, cycle);
    if (!settlement) return null;
    const appraisal = appraisalJson(scores, settlement);
    return {
      settlement: { ...appraisal, institutions: appraisal.institutions.map(named) },
      totals: {
        annualBonusPools: formatYuan(sumFen(settlement.institutions.map((i) => i.annualBonusPool))),
        leaderSalaries: formatYuan(sumFen(settlement.leaders.map((l) => l.salary))),
      },
    };
  }
  return null;
}
