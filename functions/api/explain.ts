/**
 * Why this amount (issue 14): a person's or an institution's explanation of a completed cycle, pay slips
 * per period and a person's year. Member institutions and staff see only their own (shared/api/scope.ts),
 * and quarterly and annual results only once published.
 */

import type { RouteInput } from '../../shared/api/handler.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import {
  ExplainInstitutionRef,
  ExplainStaffRef,
  SlipQuery,
  SlipRef,
  SlipYearRef,
} from '../../shared/api/schemas.js';
import {
  assertMaySeeInstitution,
  assertMaySeeStaff,
  assertPublishedFor,
  isUnscoped,
} from '../../shared/api/scope.js';
import {
  explainInstitutionOf,
  explainPersonOf,
  staffOf,
  staffYearOf,
} from '../../shared/reports/explain-load.js';
import { periodKind } from '../../shared/reports/exports.js';
import { completedCycle, DatasetContexts } from '../../shared/reports/load.js';
import { paySlip, renderSlipHtml, renderStaffYearHtml, staffYearTotals } from '../../shared/reports/slips.js';
import type { Repositories } from '../../shared/store/index.js';

/** The person of a period's dataset, after the caller's scope and the publication are checked. */
async function personInScope(
  repos: Repositories,
  input: Pick<RouteInput<unknown, unknown, unknown>, 'caller' | 'community'>,
  period: string,
  staffId: string,
) {
  const communityId = input.community;
  const kind = periodKind(period);
  const contexts = new DatasetContexts(repos, communityId);
  const cycle = await completedCycle(repos, communityId, kind, period);
  const person = staffOf(await contexts.get(cycle.datasetVersion), staffId);
  assertMaySeeStaff(input.caller, staffId, person.institutionId);
  await assertPublishedFor(input.caller, repos, communityId, kind, period);
  return { communityId, contexts };
}

export const handler = apiHandler('explain', {
  'GET /api/explain/{period}/staff/{staffId}': route({
    params: ExplainStaffRef,
    run: async (input, { repos }) => {
      const { period, staffId } = input.params;
      const { communityId, contexts } = await personInScope(repos, input, period, staffId);
      return { json: await explainPersonOf(repos, communityId, period, staffId, contexts) };
    },
  }),
  'GET /api/explain/{period}/institutions/{institutionId}': route({
    params: ExplainInstitutionRef,
    run: async ({ params, caller, community }, { repos }) => {
      assertMaySeeInstitution(caller, params.institutionId);
      const communityId = community;
      await assertPublishedFor(caller, repos, communityId, periodKind(params.period), params.period);
      const e = await explainInstitutionOf(repos, communityId, params.period, params.institutionId);
      return { json: e.institution };
    },
  }),
  'GET /api/slips/{staffId}/{period}': route({
    params: SlipRef,
    query: SlipQuery,
    run: async (input, { repos }) => {
      const { period, staffId } = input.params;
      const { communityId, contexts } = await personInScope(repos, input, period, staffId);
      const slip = paySlip(await explainPersonOf(repos, communityId, period, staffId, contexts));
      if (input.query.format === 'html')
        return {
          file: {
            bytes: renderSlipHtml(slip),
            contentType: 'text/html; charset=utf-8',
            filename: `工资条-${staffId}-${period}.html`,
            inline: true,
          },
        };
      return { json: slip };
    },
  }),
  'GET /api/slips/{staffId}/history/{year}': route({
    params: SlipYearRef,
    query: SlipQuery,
    run: async ({ params, query, caller, community }, { repos }) => {
      const communityId = community;
      const year = await staffYearOf(repos, communityId, Number(params.year), params.staffId);
      assertMaySeeStaff(caller, params.staffId, year.institution.id);
      // A scoped caller's year shows quarters and the annual bonus only once each is published.
      const visible = { ...year };
      if (!isUnscoped(caller)) {
        const published = new Set(
          (await repos.publications.list(communityId))
            .filter((p) => Date.parse(p.from) <= Date.now())
            .map((p) => p.period),
        );
        visible.quarters = year.quarters.filter((q) => published.has(q.period));
        visible.annual = year.annual && published.has(year.annual.period) ? year.annual : null;
        visible.totals = staffYearTotals(visible);
      }
      if (query.format === 'html')
        return {
          file: {
            bytes: renderStaffYearHtml(visible),
            contentType: 'text/html; charset=utf-8',
            filename: `工资条-${params.staffId}-${params.year}.html`,
            inline: true,
          },
        };
      return { json: visible };
    },
  }),
});
