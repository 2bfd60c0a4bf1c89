/** The audit trail for auditors: the entries (paged by sequence number) and a check of the hash chain. */

import { apiHandler, route } from '../../shared/api/handler.js';
import { AuditQuery } from '../../shared/api/schemas.js';
import { describeAudit, verifyAudit } from '../../shared/app/audit-verify.js';

export const handler = apiHandler('audit', {
  'GET /api/audit': route({
    query: AuditQuery,
    run: async ({ query, community }, { repos }) => {
      const communityId = community;
      const all = await repos.audit.entries(communityId);
      const entries = all.filter((e) => e.sequence > query.after).slice(0, query.limit);
      const last = entries.at(-1)?.sequence;
      const more = last !== undefined && all.some((e) => e.sequence > last);
      return {
        json: {
          communityId,
          total: all.length,
          entries,
          ...(more ? { next: `?after=${last}&limit=${query.limit}` } : {}),
        },
      };
    },
  }),
  'GET /api/audit/verify': route({
    run: async ({ community }, { repos }) => {
      const communityId = community;
      // The chain against its head and anchor, every completed cycle against its seal, the dataset blobs.
      const report = await verifyAudit(repos, communityId);
      return { json: { ...report.chain, ...report, lines: describeAudit(report) } };
    },
  }),
});
