/**
 * The commission (卫健委/医保局, issue 12): every community of the deployment, and one period's scores,
 * grades and fund settlements side by side — from completed cycles only, read only, no personal data.
 */
import { z } from 'zod';
import { apiHandler, route } from '../../shared/api/handler.js';
import { CYCLE_KINDS } from '../../shared/api/schemas.js';
import { compareCommunities, listCommunities } from '../../shared/app/commission-service.js';

const PERIOD = {
  monthly: { pattern: /^\d{4}-(0[1-9]|1[0-2])$/, shape: 'YYYY-MM' },
  quarterly: { pattern: /^\d{4}-Q[1-4]$/, shape: 'YYYY-Qn' },
  annual: { pattern: /^\d{4}$/, shape: 'YYYY' },
} as const;

/** `?kind=quarterly&period=2026-Q1`; an annual comparison may name its `year` instead of `period`. */
export const CompareQuery = z
  .object({
    kind: z.enum(CYCLE_KINDS, {
      message: `应为 ${CYCLE_KINDS.join(' | ')} / expected one of ${CYCLE_KINDS.join(', ')}`,
    }),
    period: z.string().optional(),
    year: z.string().optional(),
  })
  .transform((q, ctx) => {
    const period = q.period ?? (q.kind === 'annual' ? q.year : undefined);
    const { pattern, shape } = PERIOD[q.kind];
    if (period === undefined || !pattern.test(period)) {
      ctx.addIssue({
        code: 'custom',
        path: ['period'],
        message: `期间应为 ${shape} / a ${q.kind} period is ${shape}, got "${period ?? ''}"`,
      });
      return z.NEVER;
    }
    if (q.year !== undefined && !period.startsWith(q.year)) {
      ctx.addIssue({
        code: 'custom',
        path: ['year'],
        message: `期间 ${period} 不在 ${q.year} 年 / the period ${period} is not in the year ${q.year}`,
      });
      return z.NEVER;
    }
    return { kind: q.kind, period };
  });

export const handler = apiHandler('commission', {
  'GET /api/commission/communities': route({
    run: async (_input, { repos }) => ({ json: { communities: await listCommunities(repos) } }),
  }),
  'GET /api/commission/compare': route({
    query: CompareQuery,
    run: async ({ query }, { repos }) => ({
      json: await compareCommunities(repos, query.kind, query.period),
    }),
  }),
});
