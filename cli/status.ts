/** `medcomm status`: every cycle of the year and what it waits for. */
import { requiredCycles } from '../shared/app/prerequisites.js';
import { type YearStep, yearSteps } from '../shared/app/year-runner.js';
import type { CycleRecord } from '../shared/store/cycles.js';
import { table } from './format.js';

const STATUS_ZH: Record<string, string> = {
  running: '运行中',
  awaiting_review: '待财务审核',
  completed: '已完成',
  rejected: '已驳回',
  failed: '失败',
  none: '未开始',
};

function waitsFor(c: CycleRecord | undefined, step: YearStep, done: Set<string>): string {
  if (!c) {
    const missing = requiredCycles(step.kind, step.period)
      .filter((r) => !done.has(`${r.kind}|${r.period}`))
      .map((r) => r.period);
    return missing.length ? `需先完成 needs ${missing.join(',')}` : '可以开始 ready to start';
  }
  if (c.status === 'awaiting_review')
    return `财务审核（非 ${c.startedBy}）finance review (not ${c.startedBy})`;
  if (c.status === 'rejected')
    return `已驳回：${c.decision?.reason ?? ''}；可重新运行 rerun for a new revision`;
  if (c.status === 'failed') return `${c.error?.name ?? ''} ${c.error?.message?.slice(0, 80) ?? ''}`;
  if (c.status === 'running') return '运行中或中断 running (or interrupted)';
  return c.decision ? `${c.decision.by} 已审核 approved` : '';
}

export function statusTable(cycles: CycleRecord[], year: number, filter?: string): string {
  const byKey = new Map(cycles.map((c) => [`${c.kind}|${c.period}`, c]));
  const done = new Set(cycles.filter((c) => c.status === 'completed').map((c) => `${c.kind}|${c.period}`));
  const rows = yearSteps(year)
    .filter((s) => !filter || s.period === filter || s.period.startsWith(filter))
    .map((s) => {
      const c = byKey.get(`${s.kind}|${s.period}`);
      return [
        s.kind,
        s.period,
        c ? `r${c.revision}` : '',
        `${STATUS_ZH[c?.status ?? 'none']} ${c?.status ?? 'not started'}`,
        c?.startedBy ?? '',
        c ? `v${c.datasetVersion}` : '',
        waitsFor(c, s, done),
      ];
    });
  return table(
    ['周期 kind', '期间 period', '版次', '状态 status', '发起 by', '数据 data', '等待 waits for'],
    rows,
  );
}
