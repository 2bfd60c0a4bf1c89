/**
 * Pay sheets of a completed cycle as CSV, XLSX or JSON. Every download is recorded in the audit trail;
 * locally the response is the file, on AWS a 5-minute link to it in the exports bucket.
 */
import { resolveCommunity } from '../../shared/app/cycle-service.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { buildSheet, encodeSheet } from '../../shared/api/pay-sheets.js';
import { SheetQuery, SheetRef } from '../../shared/api/schemas.js';

export const handler = apiHandler('sheets', {
  'GET /api/sheets/{kind}/{period}': route({
    params: SheetRef,
    query: SheetQuery,
    run: async ({ params, query, caller }, { repos, exports }) => {
      const communityId = await resolveCommunity(repos);
      const built = await buildSheet(repos, communityId, params.kind, params.period);
      const file = await encodeSheet(built.sheet, query.format);
      await repos.audit.append(communityId, {
        actor: caller.user,
        action: 'export.sheet',
        subject: `${params.kind} ${params.period} r${built.cycle.revision}`,
        details: { format: query.format, lines: built.sheet.lines.length },
      });
      return exports.deliver({ kind: `sheets/${params.kind}/${params.period}`, ...file });
    },
  }),
});
