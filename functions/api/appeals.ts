/**
 * Appeals (申诉/复核, issue 14): a member institution files one during a publication window against its
 * own indicator value or staff member's line; the office (never the appellant) rejects it or accepts it
 * with the corrected rows, which opens a correction for finance to review (DOMAIN.md §7.1) — a job of the
 * API's long work (issue 12), as a correction's own start is. Members see
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
import { assertOwnUpload } from '../../shared/api/correction-jobs.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { problem } from '../../shared/api/http.js';
import { startJob } from '../../shared/api/jobs.js';
import { isUnscoped } from '../../shared/api/scope.js';
import { acceptableAppeal, fileAppeal, listAppeals, rejectAppeal } from '../../shared/app/appeal-service.js';

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
  // Accepting opens a correction, a recompute of the period: a job (issue 12). What the appeal allows
  // (open, not one's own, not a year) is checked here at once, and again by the job.
  'POST /api/appeals/{id}/accept': route({
    params: AppealRef,
    body: AcceptAppealBody,
    run: async (input, deps) => {
      const { params, body, caller, community } = input;
      if (body.upload !== undefined) assertOwnUpload(community, caller.user, body.upload);
      await acceptableAppeal(deps.repos, { communityId: community, id: params.id, by: caller.user });
      return startJob(input, deps, 'appeal-acceptance', {
        id: params.id,
        reason: body.reason,
        ...(body.upload !== undefined ? { upload: body.upload } : { rows: body.rows }),
      });
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
