/** `medcomm status`: every cycle of the year and what it waits for (the same view the API serves). */
import type { CycleView } from '../shared/api/cycle-views.js';
import { table } from './format.js';

const STATUS_ZH: Record<CycleView['status'], string> = {
  running: '运行中',
  awaiting_review: '待财务审核',
  completed: '已完成',
  rejected: '已驳回',
  failed: '失败',
  not_started: '未开始',
};

export function statusTable(views: readonly CycleView[], filter?: string): string {
  const rows = views
    .filter((v) => !filter || v.period.startsWith(filter))
    .map((v) => [
      v.kind,
      v.period,
      v.revision ? `r${v.revision}` : '',
      `${STATUS_ZH[v.status]} ${v.status}`,
      v.startedBy ?? '',
      v.datasetVersion ? `v${v.datasetVersion}` : '',
      v.status === 'running'
        ? `${v.waitsFor.message}；若其进程已退出：medcomm run ${v.kind} ${v.period} --resume / if its process died: --resume`
        : v.waitsFor.message,
    ]);
  return table(
    ['周期 kind', '期间 period', '版次', '状态 status', '发起 by', '数据 data', '等待 waits for'],
    rows,
  );
}
