/**
 * HR's bank-transfer file (DOMAIN.md §8): the only place full bank accounts leave the system, so it is
 * its own function with its own role (hr) and every download is in the audit trail — without accounts.
 */
import { resolveCommunity } from '../../shared/app/cycle-service.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { buildSheet, encodeBankFile } from '../../shared/api/pay-sheets.js';
import { BankQuery, SheetRef } from '../../shared/api/schemas.js';

export const handler = apiHandler('bank', {
  'GET /api/bank/{kind}/{period}': route({
    params: SheetRef,
    query: BankQuery,
    run: async ({ params, query, caller }, { repos, exports }) => {
      const communityId = await resolveCommunity(repos);
      const built = await buildSheet(repos, communityId, params.kind, params.period);
      const { lines, total, ...file } = await encodeBankFile(built, query.format);
      await repos.audit.append(communityId, {
        actor: caller.user,
        action: 'export.bank',
        subject: `${params.kind} ${params.period} r${built.cycle.revision}`,
        details: { format: query.format, lines, total },
      });
      return exports.deliver({ kind: `${params.kind}/${params.period}`, sensitive: true, ...file });
    },
  }),
});
