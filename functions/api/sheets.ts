/**
 * Pay sheets of a completed cycle as CSV, XLSX or JSON (shared/reports builds, renders and audits the
 * export); locally the response is the file, on AWS a 5-minute link to it in the exports bucket.
 */

import { apiHandler, route } from '../../shared/api/handler.js';
import { SheetQuery, SheetRef } from '../../shared/api/schemas.js';
import { resolveCommunity } from '../../shared/app/cycle-service.js';
import { exportSheet } from '../../shared/reports/index.js';

export const handler = apiHandler('sheets', {
  'GET /api/sheets/{kind}/{period}': route({
    params: SheetRef,
    query: SheetQuery,
    run: async ({ params, query, caller, event }, { repos, exports }) => {
      const communityId = await resolveCommunity(repos);
      const file = await exportSheet(repos, {
        communityId,
        kind: params.kind,
        period: params.period,
        format: query.format,
        by: caller.user,
        target: `api ${event.requestContext.requestId}`,
      });
      return exports.deliver({
        kind: `sheets/${params.kind}/${params.period}`,
        filename: file.filename,
        contentType: file.mediaType,
        bytes: file.content,
      });
    },
  }),
});
