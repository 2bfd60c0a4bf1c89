/** The quarterly bulletin (季通报): ranks within peer groups and the change since the previous quarter. */

import { communityOwnOf } from '../shared/app/community-own.js';
import { cycleMonths, loadCommon } from '../shared/app/cycle-data.js';
import { store } from '../shared/config.js';
import { parseQuarter, quarterKey } from '../shared/domain/periods.js';
import { bulletinRows } from '../shared/domain/results.js';
import { CycleExecutionInput } from '../shared/schemas/events.js';
import type { QuarterlyInstitutionResult } from '../shared/schemas/results.js';
import { inListingOrder } from '../shared/store/results.js';

export async function handler(event: unknown): Promise<{ ok: true }> {
  const { cycle } = CycleExecutionInput.parse(event);
  const repos = store();
  // The quarter's results are its dataset's institutions' (each scored by a batch): read by key, in the
  // order a listing of the revision gives them, instead of a query per shard (a city's 64).
  const ids = inListingOrder(
    (await repos.datasets.institutions(cycle.communityId, cycle.datasetVersion)).map((i) => i.id),
  );
  const resultsOf = async (ref: typeof cycle) =>
    (await repos.results.institutionsOf<QuarterlyInstitutionResult>(ref, ids)).filter(
      (r): r is QuarterlyInstitutionResult => r !== undefined,
    );
  const current = await resultsOf(cycle);
  const { year, quarter } = parseQuarter(cycle.period);
  let previous: Map<string, string> | null = null;
  if (quarter > 1) {
    const prevPeriod = quarterKey(year, (quarter - 1) as 1 | 2 | 3);
    const prevCycle = await repos.cycles.get(cycle.communityId, 'quarterly', prevPeriod);
    if (prevCycle?.status === 'completed') {
      // Only this quarter's institutions' changes are shown: their previous scores, by key too.
      const rows = await resultsOf({ ...cycle, period: prevPeriod, revision: prevCycle.revision });
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
