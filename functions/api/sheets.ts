/**
 * Pay sheets of a completed cycle. A page of the sheet as JSON (the console's table) is answered here; the
 * whole sheet as CSV, XLSX or JSON is a job (issue 12: a province's sheet does not fit the API's 30 s):
 * 202 with the job, whose runner builds, renders and audits the file and hands out a link to it
 * (shared/api/jobs.ts) — an S3 presigned link on AWS, a link to `medcomm serve` locally.
 */

import { apiHandler, route } from '../../shared/api/handler.js';
import { assertExportable, startJob } from '../../shared/api/jobs.js';
import { SheetQuery, SheetRef } from '../../shared/api/schemas.js';
import { pagedSheet } from '../../shared/reports/sheet-page-load.js';

export const handler = apiHandler('sheets', {
  'GET /api/sheets/{kind}/{period}': route({
    params: SheetRef,
    query: SheetQuery,
    run: async (input, deps) => {
      const { query, params, community } = input;
      if (query.page !== undefined && query.format === 'json')
        return {
          json: await pagedSheet(
            deps.repos,
            { communityId: community, ...params },
            { ...query, page: query.page },
          ),
        };
      await assertExportable(deps.repos, community, params.kind, params.period);
      return startJob(input, deps, 'sheet', {
        kind: params.kind,
        period: params.period,
        format: query.format,
      });
    },
  }),
});
