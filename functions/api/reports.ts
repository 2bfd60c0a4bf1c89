/**
 * A completed cycle's report (shared/reports): the monthly dispatch report (调度表), the quarterly
 * bulletin (通报), the annual appraisal and settlement — as JSON for the console, or as the printable
 * HTML page (an export, so it is audited and, on AWS, handed out as a link).
 */

import { deliverExport, exportRequest } from '../../shared/api/exports.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { CycleRef, ReportQuery } from '../../shared/api/schemas.js';
import { buildReport, exportReport } from '../../shared/reports/index.js';

export const handler = apiHandler('reports', {
  'GET /api/reports/{kind}/{period}': route({
    params: CycleRef,
    query: ReportQuery,
    run: async (input, { repos, exports }) => {
      const { params, query } = input;
      if (query.format === 'html') {
        const file = await exportReport(repos, { ...(await exportRequest(input, repos)), format: 'html' });
        return deliverExport(exports, `reports/${params.kind}/${params.period}`, file, { inline: true });
      }
      const communityId = input.community;
      const { report, cycle } = await buildReport(repos, communityId, params.kind, params.period);
      return {
        json: {
          kind: cycle.kind,
          period: cycle.period,
          revision: cycle.revision,
          datasetVersion: cycle.datasetVersion,
          report,
        },
      };
    },
  }),
});
