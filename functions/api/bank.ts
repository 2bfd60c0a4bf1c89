/**
 * HR's bank-transfer file (DOMAIN.md §8): the only place full bank accounts leave the system, so it is
 * its own function with its own role (hr), stored apart on AWS (bank/, expiring after a day), and every
 * download is in the audit trail — without accounts. People the bank cannot pay (no account, a negative
 * net) are left out of the file and listed for HR, never silently dropped.
 */

import { apiHandler, route } from '../../shared/api/handler.js';
import type { RouteResult } from '../../shared/api/http.js';
import { BankQuery, SheetRef } from '../../shared/api/schemas.js';
import { resolveCommunity } from '../../shared/app/cycle-service.js';
import { exportBank } from '../../shared/reports/index.js';

export const handler = apiHandler('bank', {
  'GET /api/bank/{kind}/{period}': route({
    params: SheetRef,
    query: BankQuery,
    run: async ({ params, query, caller, event }, { repos, exports }) => {
      const communityId = await resolveCommunity(repos);
      const file = await exportBank(repos, {
        communityId,
        kind: params.kind,
        period: params.period,
        format: query.format,
        by: caller.user,
        target: `api ${event.requestContext.requestId}`,
      });
      const delivered: RouteResult = await exports.deliver({
        kind: `${params.kind}/${params.period}`,
        sensitive: true,
        filename: file.filename,
        contentType: file.mediaType,
        bytes: file.content,
      });
      const left = file.notTransferred;
      // A download carries the count in a header (the body is the file); a link carries the list.
      if ('file' in delivered)
        return { ...delivered, headers: { ...delivered.headers, 'X-Not-Transferred': String(left.length) } };
      return {
        ...delivered,
        json: { ...(delivered.json as object), lines: file.lines, notTransferred: left },
      };
    },
  }),
});
