/** The quarterly bulletin (季通报): ranks within peer groups and the change since the previous quarter. */

import { communityOwnOf } from '../shared/app/community-own.js';
import { cycleMonths, loadCommon } from '../shared/app/cycle-data.js';
import { store } from '../shared/config.js';
import { parseQuarter, quarterKey } from '../shared/domain/periods.js';
import { bulletinRows } from '../shared/domain/results.js';
import { CycleExecutionInput } from '../shared/schemas/events.js';
import type { QuarterlyInstitutionResult } from '../shared/schemas/results.js';

export async function handler(event: unknown): Promise<{ ok: true }> {
  const { cycle } = CycleExecutionInput.parse(event);
  const repos = store();
  const current = await repos.results.institutions<QuarterlyInstitutionResult>(cycle);
  const { year, quarter } = parseQuarter(cycle.period);
  let previous: Map<string, string> | null = null;
  if (quarter > 1) {
    const prevPeriod = quarterKey(year, (quarter - 1) as 1 | 2 | 3);
    const prevCycle = await repos.cycles.get(cycle.communityId, 'quarterly', prevPeriod);
    if (prevCycle?.status === 'completed') {
      const rows = await repos.results.institutions<QuarterlyInstitutionResult>({
        ...cycle,
        period: prevPeriod,
        revision: prevCycle.revision,
      });
      previous = new Map(rows.map((r) => [r.institutionId, r.score]));
    }
  }
  const { scheme, indicators } = await loadCommon(repos, cycle);
  const community = await communityOwnOf(repos, cycle, scheme, indicators, cycleMonths(cycle));
  await repos.results.putDocument(cycle, 'BULLETIN', {
    period: cycle.period,
    rows: bulletinRows(current, previous),
    ...(community === undefined ? {} : { community }),
  });
  return { ok: true };
}
