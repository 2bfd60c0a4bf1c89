/**
 * Which stored rows an import may not change (DOMAIN.md §2 Locks, v1.1), and the import issues naming
 * every row that would. Rows are frozen by a completed cycle (its lock) and, while a cycle runs or
 * waits to be resumed or reviewed, by that cycle: a monthly one holds its month's workload and
 * adjustments, a quarterly one the finance rows and indicator values of its three months.
 */
import type { ImportIssue } from '../dataset/index.js';
import type { CycleRecord, MonthLock, QuarterLock } from '../store/cycles.js';
import { emptyMonth, type MonthRows } from '../store/datasets.js';
import type { Repositories } from '../store/index.js';
import { cycleMonths } from './cycle-data.js';

export type RowPart = keyof MonthRows;

/** What a completed monthly cycle freezes, and what a completed quarterly one freezes. */
export const MONTHLY_PARTS: readonly RowPart[] = ['workload', 'adjustments'];
export const QUARTERLY_PARTS: readonly RowPart[] = ['finance', 'values'];

/** One set of frozen rows: the parts of some months as a dataset version holds them, and why. */
export interface Freeze {
  /** The period that froze them (a month, a quarter) — also what a correction of them names. */
  period: string;
  months: readonly string[];
  parts: readonly RowPart[];
  datasetVersion: number;
  why: 'locked' | 'in_progress';
  /** For `in_progress`: the cycle or correction holding them, for the message. */
  holder?: string;
}

export function lockFreezes(months: readonly MonthLock[], quarters: readonly QuarterLock[]): Freeze[] {
  return [
    ...months.map((l) => ({
      period: l.period,
      months: [l.period],
      parts: MONTHLY_PARTS,
      datasetVersion: l.datasetVersion,
      why: 'locked' as const,
    })),
    ...quarters.map((l) => ({
      period: l.period,
      months: cycleMonths({ kind: 'quarterly', period: l.period }),
      parts: QUARTERLY_PARTS,
      datasetVersion: l.datasetVersion,
      why: 'locked' as const,
    })),
  ];
}

/** The rows a running (or interrupted, or reviewed) monthly or quarterly cycle holds. */
export function cycleFreeze(cycle: CycleRecord): Freeze | undefined {
  if (cycle.kind === 'annual') return undefined;
  return {
    period: cycle.period,
    months: cycleMonths(cycle),
    parts: cycle.kind === 'monthly' ? MONTHLY_PARTS : QUARTERLY_PARTS,
    datasetVersion: cycle.datasetVersion,
    why: 'in_progress',
    holder: `${cycle.kind} ${cycle.period} r${cycle.revision} (${cycle.status})`,
  };
}

const FILES: Record<RowPart, string> = {
  workload: 'workload.csv',
  values: 'indicator-values.csv',
  finance: 'finance.csv',
  adjustments: 'adjustments.csv',
};

/** What identifies a row within its file (the columns the cross-file checks keep unique). */
const ROW_KEY: Record<RowPart, (row: Record<string, unknown>) => string> = {
  workload: (r) => `${r.period} ${r.staffId}`,
  values: (r) => `${r.period} ${r.institutionId} ${r.indicatorId}`,
  finance: (r) => `${r.period} ${r.institutionId} ${r.category}`,
  adjustments: (r) => `${r.period} ${r.staffId} ${r.refPeriod} ${r.amount} ${r.reason}`,
};

type Row = Record<string, unknown>;

/** An incoming institution-month: its content hash (as a month lock records it), and its rows when asked. */
export interface IncomingMonth {
  hash: string;
  rows: () => MonthRows;
}

/**
 * Rows under `freezes` that the incoming months change: a changed field named by file, row and column
 * with the frozen value; an added row by its row; a removed row by its key. Months come by their hashes
 * (a streamed import keeps the rows of only the months whose hash differs from a freeze's, and a month
 * whose hash is unchanged is skipped without reading it); `rowNumber` knows the file row of each row
 * `rows` gives.
 */
export async function frozenChanges(
  repos: Repositories,
  communityId: string,
  incomingOf: (period: string) => ReadonlyMap<string, IncomingMonth>,
  rowNumber: ReadonlyMap<object, number>,
  freezes: readonly Freeze[],
): Promise<ImportIssue[]> {
  const storedMonths = new Map<string, ReturnType<Repositories['datasets']['month']>>();
  const stored = (version: number, period: string) => {
    const key = `${version}|${period}`;
    let read = storedMonths.get(key);
    if (!read) {
      read = repos.datasets.month(communityId, version, period);
      storedMonths.set(key, read);
    }
    return read;
  };
  const issues: ImportIssue[] = [];
  for (const freeze of freezes) {
    for (const period of freeze.months) {
      const now = incomingOf(period);
      const hashes = await repos.datasets.monthHashes(communityId, freeze.datasetVersion, period);
      const institutions = new Set([...Object.keys(hashes), ...now.keys()]);
      const changed = [...institutions].filter((id) => (hashes[id] ?? '') !== (now.get(id)?.hash ?? ''));
      if (changed.length === 0) continue;
      const before = await stored(freeze.datasetVersion, period);
      for (const institutionId of changed) {
        const old = before.get(institutionId)?.rows ?? emptyMonth();
        const fresh = now.get(institutionId)?.rows() ?? emptyMonth();
        for (const part of freeze.parts) {
          issues.push(
            ...partChanges(part, old[part] as Row[], fresh[part] as Row[], freeze, period, rowNumber),
          );
        }
      }
    }
  }
  return issues;
}

function partChanges(
  part: RowPart,
  old: readonly Row[],
  fresh: readonly Row[],
  freeze: Freeze,
  period: string,
  rowNumber: ReadonlyMap<object, number>,
): ImportIssue[] {
  const issues: ImportIssue[] = [];
  const key = ROW_KEY[part];
  const oldByKey = new Map(old.map((r) => [key(r), r]));
  const freshKeys = new Set(fresh.map(key));
  for (const row of fresh) {
    const locked = oldByKey.get(key(row));
    const at = { file: FILES[part], freeze, period, row: rowNumber.get(row) };
    if (!locked) {
      issues.push(frozenIssue({ ...at, column: 'period', value: key(row), how: 'added' }));
      continue;
    }
    for (const column of new Set([...Object.keys(row), ...Object.keys(locked)])) {
      if (String(row[column] ?? '') === String(locked[column] ?? '')) continue;
      issues.push(
        frozenIssue({
          ...at,
          column,
          value: String(row[column] ?? ''),
          was: String(locked[column] ?? ''),
          how: 'changed',
        }),
      );
    }
  }
  for (const row of old) {
    if (!freshKeys.has(key(row)))
      issues.push(
        frozenIssue({
          file: FILES[part],
          freeze,
          period,
          row: undefined,
          column: 'period',
          value: key(row),
          how: 'removed',
        }),
      );
  }
  return issues;
}

/** Why the rows are frozen and what to do instead, in both languages. */
function frozenBecause(freeze: Freeze): { zh: string; en: string } {
  if (freeze.why === 'in_progress') {
    return {
      zh: `${freeze.holder} 正在使用这些行（运行中、待续跑或待审核），完成前不能改变；请待其结束后再导入`,
      en: `${freeze.holder} is using these rows (running, waiting to be resumed or reviewed); they cannot change until it ends — import again afterwards`,
    };
  }
  const kind = freeze.period.includes('Q')
    ? { zh: '季通报已完成', en: 'its quarterly cycle completed', cmd: 'quarterly' }
    : { zh: '月调度已完成', en: 'its monthly cycle ran', cmd: 'monthly' };
  return {
    zh: `${freeze.period} 已锁定（${kind.zh}）；更正请用 medcomm correct ${kind.cmd} ${freeze.period}（差额计入下一个未锁定月份）`,
    en: `${freeze.period} is locked (${kind.en}); correct it with medcomm correct ${kind.cmd} ${freeze.period} (the differences are paid in the next open month)`,
  };
}

function frozenIssue(p: {
  file: string;
  freeze: Freeze;
  period: string;
  row: number | undefined;
  column: string;
  value: string;
  was?: string;
  how: 'changed' | 'added' | 'removed';
}): ImportIssue {
  const because = frozenBecause(p.freeze);
  const text = {
    changed: {
      zh: `${p.period} 的该行已冻结时为 "${p.was}"，不能改为 "${p.value}"。${because.zh}`,
      en: `this ${p.period} row was "${p.was}" when frozen and cannot become "${p.value}". ${because.en}`,
    },
    added: {
      zh: `${p.period} 的这些行已冻结，不能新增该行（${p.value}）。${because.zh}`,
      en: `the ${p.period} rows are frozen; this row (${p.value}) cannot be added. ${because.en}`,
    },
    removed: {
      zh: `${p.period} 的这些行已冻结，冻结时存在的行（${p.value}）不能删除。${because.zh}`,
      en: `the ${p.period} rows are frozen; the row ${p.value} that existed then cannot be removed. ${because.en}`,
    },
  }[p.how];
  return {
    file: p.file,
    ...(p.row ? { row: p.row } : {}),
    column: p.column,
    value: p.value,
    rule: p.freeze.why === 'locked' ? 'period.locked' : 'period.in_use',
    ...text,
  };
}
