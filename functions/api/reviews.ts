/**
 * Finance review: what awaits a decision with the figures to decide on, and approve/reject. Four eyes
 * and one-decision-wins are the service's rules (decideReview); this only passes the caller on.
 */

import { cycleView, oneCycle, reviewDetails } from '../../shared/api/cycle-views.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { CycleRef, RejectBody } from '../../shared/api/schemas.js';
import { decideReview, resolveCommunity } from '../../shared/app/cycle-service.js';

export const handler = apiHandler('reviews', {
  'GET /api/reviews': route({
    run: async ({ caller }, { repos }) => {
      const communityId = await repos.datasets.defaultCommunity();
      if (!communityId) return { json: { reviews: [] } };
      const waiting = (await repos.cycles.list(communityId)).filter((c) => c.status === 'awaiting_review');
      const reviews = await Promise.all(
        waiting.map(async (cycle) => ({
          cycle: cycleView(cycle, cycle, new Set()),
          // Four eyes: the starter sees the review but may not decide it.
          youMayDecide: cycle.startedBy !== caller.user,
          details: await reviewDetails(repos, cycle),
        })),
      );
      return { json: { communityId, reviews } };
    },
  }),
  'POST /api/cycles/{kind}/{period}/approve': route({
    params: CycleRef,
    run: async ({ params, caller }, { repos, executions }) => {
      const communityId = await resolveCommunity(repos);
      await decideReview(repos, executions, { communityId, ...params, by: caller.user, approve: true });
      return { json: await oneCycle(repos, communityId, params.kind, params.period) };
    },
  }),
  'POST /api/cycles/{kind}/{period}/reject': route({
    params: CycleRef,
    body: RejectBody,
    run: async ({ params, body, caller }, { repos, executions }) => {
      const communityId = await resolveCommunity(repos);
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
});
