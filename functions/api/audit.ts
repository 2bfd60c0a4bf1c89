/**
 * The audit trail for auditors: the entries (paged by sequence number), and a check of the hash chain —
 * a job (issue 12: every completed cycle's results and every blob they paid on do not fit the API's
 * 30 s at a province's scale), whose report `GET …/jobs/{id}` gives (shared/api/jobs.ts).
 */

import { apiHandler, route } from '../../shared/api/handler.js';
import { startJob } from '../../shared/api/jobs.js';
import { AuditQuery } from '../../shared/api/schemas.js';

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
    run: (input, deps) => startJob(input, deps, 'audit-verify', {}),
  }),
});
