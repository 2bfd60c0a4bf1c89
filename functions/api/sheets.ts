/**
 * Pay sheets of a completed cycle as CSV, XLSX or JSON (shared/reports builds, renders and audits the
 * export); locally the response is the file, on AWS a 5-minute link to it in the exports bucket.
 */

import { deliverExport, exportRequest } from '../../shared/api/exports.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { SheetQuery, SheetRef } from '../../shared/api/schemas.js';
import { exportSheet } from '../../shared/reports/index.js';
import { pagedSheet } from '../../shared/reports/sheet-page-load.js';

export const handler = apiHandler('sheets', {
  'GET /api/sheets/{kind}/{period}': route({
    params: SheetRef,
    query: SheetQuery,
    run: async (input, { repos, exports }) => {
      const { query, params } = input;
      if (query.page !== undefined && query.format === 'json') {
        const communityId = input.community;
        return { json: await pagedSheet(repos, { communityId, ...params }, { ...query, page: query.page }) };
      }
      const file = await exportSheet(repos, await exportRequest(input, repos));
      return deliverExport(exports, `sheets/${input.params.kind}/${input.params.period}`, file);
    },
  }),
});
