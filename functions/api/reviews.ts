/**
 * Finance review: what awaits a decision with the figures to decide on, and approve/reject. Four eyes
 * and one-decision-wins are the service's rules (decideReview); this only passes the caller on.
 */

import { cycleView, oneCycle, reviewDetails } from '../../shared/api/cycle-views.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { startJob } from '../../shared/api/jobs.js';
import { CorrectionRef, CycleRef, RejectBody } from '../../shared/api/schemas.js';
import { decidableCorrection, rejectCorrection } from '../../shared/app/correction-service.js';
import { decideReview } from '../../shared/app/cycle-service.js';

export const handler = apiHandler('reviews', {
  'GET /api/reviews': route({
    run: async ({ caller, community }, { repos }) => {
      const communityId = community;
      const waiting = (await repos.cycles.list(communityId)).filter((c) => c.status === 'awaiting_review');
      // Corrections (DOMAIN.md §7.1) are reviewed like a quarter: the differences, four eyes.
      const corrections = (await repos.corrections.list(communityId))
        .filter((c) => c.status === 'awaiting_review')
        .map(async (correction) => ({
          correction,
          youMayDecide: correction.startedBy !== caller.user,
          differences: await repos.corrections.differences(correction),
        }));
      const reviews = await Promise.all(
        waiting.map(async (cycle) => ({
          cycle: cycleView(cycle, cycle, new Set()),
          // Four eyes: the starter sees the review but may not decide it.
          youMayDecide: cycle.startedBy !== caller.user,
          details: await reviewDetails(repos, cycle),
        })),
      );
      return { json: { communityId, reviews, corrections: await Promise.all(corrections) } };
    },
  }),
  'POST /api/cycles/{kind}/{period}/approve': route({
    params: CycleRef,
    run: async ({ params, caller, community }, { repos, executions }) => {
      const communityId = community;
      await decideReview(repos, executions, { communityId, ...params, by: caller.user, approve: true });
      return { json: await oneCycle(repos, communityId, params.kind, params.period) };
    },
  }),
  'POST /api/cycles/{kind}/{period}/reject': route({
    params: CycleRef,
    body: RejectBody,
    run: async ({ params, body, caller, community }, { repos, executions }) => {
      const communityId = community;
      await decideReview(repos, executions, {
        communityId,
        ...params,
        by: caller.user,
        approve: false,
        reason: body.reason,
      });
      return { json: await oneCycle(repos, communityId, params.kind, params.period) };
    },
  }),
  // An approval writes the year's data with the corrected rows (two whole versions read): a job (issue 12).
  // Four eyes is checked here, at once, and again by the job.
  'POST /api/corrections/{kind}/{period}/approve': route({
    params: CorrectionRef,
    run: async (input, deps) => {
      const { params, caller, community } = input;
      await decidableCorrection(deps.repos, community, params.kind, params.period, caller.user);
      return startJob(input, deps, 'correction-decision', { kind: params.kind, period: params.period });
    },
  }),
  // A rejection writes one record and its audit entry: answered at once.
  'POST /api/corrections/{kind}/{period}/reject': route({
    params: CorrectionRef,
    body: RejectBody,
    run: async ({ params, body, caller, community }, { repos }) => {
      const communityId = community;
      return {
        json: await rejectCorrection(repos, { communityId, ...params, by: caller.user, reason: body.reason }),
      };
    },
  }),
});
