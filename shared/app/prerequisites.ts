/**
 * What each cycle needs before it may start (DOMAIN.md §7), as clear bilingual messages. Checked when
 * a cycle is started and again by the workflow's first step.
 */

import { monthsOfQuarter, monthsOfYear, parseQuarter, quarterKey } from '../domain/periods.js';
import { bilingual, PrerequisiteError } from '../errors.js';
import type { Repositories } from '../store/index.js';
import type { CycleKind } from '../store/keys.js';

export function parsePeriod(kind: CycleKind, period: string): { year: number } {
  const patterns: Record<CycleKind, RegExp> = {
    monthly: /^(\d{4})-(0[1-9]|1[0-2])$/,
    quarterly: /^(\d{4})-Q[1-4]$/,
    annual: /^(\d{4})$/,
  };
  const match = patterns[kind].exec(period);
  if (!match) {
    const shapes = { monthly: 'YYYY-MM', quarterly: 'YYYY-Qn', annual: 'YYYY' };
    throw new PrerequisiteError(
      bilingual(
        `期间 "${period}" 格式不对，${kind} 周期应为 ${shapes[kind]}`,
        `period "${period}" is not ${shapes[kind]} for a ${kind} cycle`,
      ),
    );
  }
  return { year: Number(match[1]) };
}

/** The cycles that must be completed first. */
export function requiredCycles(kind: CycleKind, period: string): { kind: CycleKind; period: string }[] {
  if (kind === 'quarterly') {
    const { year, quarter } = parseQuarter(period);
    return monthsOfQuarter(year, quarter).map((m) => ({ kind: 'monthly' as const, period: m }));
  }
  if (kind === 'annual') {
    const year = Number(period);
    return [
      ...monthsOfYear(year).map((m) => ({ kind: 'monthly' as const, period: m })),
      ...([1, 2, 3, 4] as const).map((q) => ({ kind: 'quarterly' as const, period: quarterKey(year, q) })),
    ];
  }
  return [];
}

const kindZh: Record<CycleKind, string> = { monthly: '月调度', quarterly: '季通报', annual: '年考核' };

export async function checkPrerequisites(
  repos: Repositories,
  communityId: string,
  kind: CycleKind,
  period: string,
  datasetYear: number,
): Promise<void> {
  const { year } = parsePeriod(kind, period);
  if (year !== datasetYear) {
    throw new PrerequisiteError(
      bilingual(
        `当前数据集是 ${datasetYear} 年的，不能运行 ${period}`,
        `the current dataset is for ${datasetYear}; cannot run ${period}`,
      ),
    );
  }
  const required = requiredCycles(kind, period);
  // Both read at once (one round trip, not two, before every start); the lock is still told first.
  const [locks, cycles] = await Promise.all([
    repos.cycles.locks(communityId),
    required.length === 0 ? [] : repos.cycles.list(communityId),
  ]);
  if (locks.some((l) => l.period === String(year))) {
    throw new PrerequisiteError(bilingual(`${year} 年度已锁定`, `the year ${year} is locked`));
  }
  if (required.length === 0) return;
  const done = new Set(cycles.filter((c) => c.status === 'completed').map((c) => `${c.kind}|${c.period}`));
  const missing = required.filter((r) => !done.has(`${r.kind}|${r.period}`));
  if (missing.length > 0) {
    const list = missing.map((m) => `${kindZh[m.kind]} ${m.period}`).join('、');
    const listEn = missing.map((m) => `${m.kind} ${m.period}`).join(', ');
    throw new PrerequisiteError(
      bilingual(
        `${kindZh[kind]} ${period} 需要先完成：${list}`,
        `${kind} ${period} needs these cycles completed first: ${listEn}`,
      ),
    );
  }
}
