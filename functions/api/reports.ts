/**
 * A cycle's report as JSON: the monthly dispatch report (调度表), the quarterly bulletin (通报), the
 * annual appraisal and settlement. (The printable HTML page is shared/reports' job; see TODO below.)
 */
import { annualResults, bulletin } from '../../shared/app/cycle-results.js';
import { resolveCommunity } from '../../shared/app/cycle-service.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { CycleRef } from '../../shared/api/schemas.js';
import { NotFoundError, bilingual } from '../../shared/errors.js';
import { appraisalJson, bulletinJson } from '../../shared/results/contract.js';
import type { CycleRecord } from '../../shared/store/cycles.js';
import type { Repositories } from '../../shared/store/index.js';

async function reportOf(repos: Repositories, cycle: CycleRecord): Promise<unknown> {
  if (cycle.kind === 'monthly') return (await repos.results.document(cycle, 'REPORT')) ?? null;
  if (cycle.kind === 'quarterly') {
    const rows = await bulletin(repos, cycle);
    if (rows.length === 0) return null;
    const peer = new Map(rows.map((r) => [r.institutionId, r.peerGroup]));
    return { institutions: bulletinJson(rows).institutions.map((r) => ({ ...r, peerGroup: peer.get(r.institutionId) })) };
  }
  const { scores, settlement } = await annualResults(repos, cycle);
  return settlement ? { appraisal: appraisalJson(scores, settlement), settlement } : null;
}

// TODO(reports): when shared/reports/index.ts lands, answer `?format=html` with renderReportHtml(...).
export const handler = apiHandler('reports', {
  'GET /api/reports/{kind}/{period}': route({
    params: CycleRef,
    run: async ({ params }, { repos }) => {
      const communityId = await resolveCommunity(repos);
      const cycle = await repos.cycles.get(communityId, params.kind, params.period);
      const report = cycle ? await reportOf(repos, cycle) : null;
      if (!cycle || report === null) {
        const state = cycle ? cycle.status : 'not started';
        throw new NotFoundError(
          bilingual(`${params.kind} ${params.period} 的报告尚未生成（${state}）`, `the ${params.kind} ${params.period} report is not ready (cycle ${state})`),
        );
      }
      return {
        json: { kind: cycle.kind, period: cycle.period, revision: cycle.revision, status: cycle.status, datasetVersion: cycle.datasetVersion, report },
      };
    },
  }),
});
