/**
 * Appeals (申诉/复核, issue 14): a member institution files one during a publication window against its
 * own indicator value or staff member's line; the office (never the appellant) rejects it or accepts it
 * with the corrected rows, which opens a correction for finance to review (DOMAIN.md §7.1). Members see
 * their own institution's appeals; the office, finance and the auditor see all.
 */

import {
  AcceptAppealBody,
  AppealListQuery,
  AppealRef,
  FileAppealBody,
  kindOfPeriod,
  RejectAppealBody,
} from '../../shared/api/appeal-schemas.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { problem } from '../../shared/api/http.js';
import { isUnscoped } from '../../shared/api/scope.js';
import { acceptAppeal, fileAppeal, listAppeals, rejectAppeal } from '../../shared/app/appeal-service.js';
import { recomputePeriod } from '../recompute-period.js';

export const handler = apiHandler('appeals', {
  'GET /api/appeals': route({
    query: AppealListQuery,
    run: async ({ query, caller, community }, { repos }) => {
      // A member sees its own institution's appeals only; a token without the claim sees none.
      const own = isUnscoped(caller) ? undefined : (caller.institutionId ?? '\u0000');
      const appeals = await listAppeals(repos, community, {
        ...(query.year ? { year: query.year } : {}),
        ...(own ? { institutionId: own } : {}),
      });
      return { json: { communityId: community, appeals } };
    },
  }),
  'POST /api/appeals': route({
    body: FileAppealBody,
    run: async ({ body, caller, community }, { repos }) => {
      const own = caller.institutionId;
      if (!own)
        throw problem(
          403,
          `${caller.user} 的令牌没有所属机构（custom:institutionId）/ ${caller.user}'s token names no institution (custom:institutionId)`,
        );
      if (body.institutionId !== undefined && body.institutionId !== own)
        throw problem(
          403,
          `${caller.user} 只能为本单位 ${own} 申诉 / ${caller.user} may appeal only for its own institution (${own})`,
        );
      const appeal = await fileAppeal(repos, {
        communityId: community,
        kind: kindOfPeriod(body.period),
        period: body.period,
        institutionId: own,
        target:
          body.indicatorId !== undefined
            ? { type: 'indicator', indicatorId: body.indicatorId }
            : { type: 'person', staffId: body.staffId! },
        reason: body.reason,
        attachments: body.attachments,
        by: caller.user,
      });
      return { status: 201, json: appeal };
    },
  }),
  'POST /api/appeals/{id}/accept': route({
    params: AppealRef,
    body: AcceptAppealBody,
    run: async ({ params, body, caller, community }, { repos }) => {
      const { appeal, correction } = await acceptAppeal(repos, recomputePeriod, {
        communityId: community,
        id: params.id,
        by: caller.user,
        reason: body.reason,
        rows: body.rows,
      });
      return { json: { appeal, correction } };
    },
  }),
  'POST /api/appeals/{id}/reject': route({
    params: AppealRef,
    body: RejectAppealBody,
    run: async ({ params, body, caller, community }, { repos }) => {
      const appeal = await rejectAppeal(repos, {
        communityId: community,
        id: params.id,
        by: caller.user,
        reason: body.reason,
      });
      return { json: appeal };
    },
  }),
});
