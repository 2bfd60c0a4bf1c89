/** The monthly dispatch report (调度表): every institution's pool, warnings and dispatch checks in one document. */

import { buildMonthlyReport } from '../shared/app/reports.js';
import { store } from '../shared/config.js';
import { CycleExecutionInput } from '../shared/schemas/events.js';

export async function handler(event: unknown): Promise<{ ok: true }> {
  const { cycle } = CycleExecutionInput.parse(event);
  const repos = store();
  await repos.results.putDocument(cycle, 'REPORT', await buildMonthlyReport(repos, cycle));
  return { ok: true };
}
