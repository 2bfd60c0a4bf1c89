/**
 * HR's bank-transfer file (DOMAIN.md §8): the only place full bank accounts leave the system, so it is
 * its own function with its own role (hr), stored apart on AWS (bank/, expiring after a day), and every
 * download is in the audit trail — without accounts. People the bank cannot pay (no account, a negative
 * net) are left out of the file and listed for HR, never silently dropped.
 */

import { deliverExport, exportRequest } from '../../shared/api/exports.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { BankQuery, SheetRef } from '../../shared/api/schemas.js';
import { exportBank } from '../../shared/reports/index.js';

export const handler = apiHandler('bank', {
  'GET /api/bank/{kind}/{period}': route({
    params: SheetRef,
    query: BankQuery,
    run: async (input, { repos, exports }) => {
      const file = await exportBank(repos, await exportRequest(input, repos));
      const { kind, period } = input.params;
      const delivered = await deliverExport(exports, `${kind}/${period}`, file, { sensitive: true });
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
