/**
 * Finance review: what awaits a decision with the figures to decide on, and approve/reject. Four eyes
 * and one-decision-wins are the service's rules (decideReview); this only passes the caller on.
 */

import { z } from 'zod';
import { cycleView, oneCycle, reviewDetails } from '../../shared/api/cycle-views.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { startJob } from '../../shared/api/jobs.js';
import { CorrectionRef, CycleRef, RejectBody } from '../../shared/api/schemas.js';
import { correctionReview } from '../../shared/app/correction-review.js';
import { decidableCorrection, rejectCorrection } from '../../shared/app/correction-service.js';
import { decideReview } from '../../shared/app/cycle-service.js';
import { bilingual, NotFoundError } from '../../shared/errors.js';
import type { CorrectionRecord } from '../../shared/store/corrections.js';

/**
 * How many bytes of difference lines the review queue carries per correction (issue 12): a province's
 * quarterly correction may give all 350,000 people a line, tens of MB against Lambda's 6 MB answer. The
 * queue carries every institution's summary and the lines of the first institutions (id order) within
 * this budget; the rest come one institution at a time (GET …/corrections/{kind}/{period}/differences).
 * The queue reads the institutions' stored summaries and only the pages of the lines it carries
 * (shared/app/correction-review.ts). An object so that a test may lower it.
 */
export const DIFFERENCE_BUDGET = { bytes: 1_000_000 };

/** GET …/differences: which revision (the one awaiting review unless named) and which institution. */
const DifferencesQuery = z.object({
  institution: z.string().min(1).max(64),
  revision: z.coerce.number().int().positive().optional(),
});

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
          // A summary of every institution; lines within DIFFERENCE_BUDGET (issue 12).
          ...(await correctionReview(repos, correction, DIFFERENCE_BUDGET.bytes)),
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
  // One institution's difference lines (bounded: its staff), for the review page's institutions whose
  // lines the queue left out. The correction awaiting review, unless `revision` names another.
  'GET /api/corrections/{kind}/{period}/differences': route({
    params: CorrectionRef,
    query: DifferencesQuery,
    run: async ({ params, query, community }, { repos }) => {
      const { kind, period } = params;
      const ofPeriod = (await repos.corrections.list(community, Number(period.slice(0, 4)))).filter(
        (c) => c.kind === kind && c.period === period,
      );
      const correction =
        query.revision !== undefined
          ? ofPeriod.find((c) => c.revision === query.revision)
          : (ofPeriod.find((c) => c.status === 'awaiting_review') ??
            ofPeriod.reduce<CorrectionRecord | undefined>(
              (last, c) => (!last || c.revision > last.revision ? c : last),
              undefined,
            ));
      if (!correction)
        throw new NotFoundError(
          bilingual(
            `${community} 没有 ${period} 的更正${query.revision ? ` r${query.revision}` : ''}`,
            `${community} has no correction of ${kind} ${period}${query.revision ? ` r${query.revision}` : ''}`,
          ),
        );
      const [found] = await repos.corrections.differences(correction, query.institution);
      return {
        json: {
          kind,
          period,
          revision: correction.revision,
          institutionId: query.institution,
          lines: found?.lines ?? [],
        },
      };
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
