/** The cycles: every cycle of the year with what it waits for, starting one (office), one cycle's detail. */

import { oneCycle, yearOverview } from '../../shared/api/cycle-views.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { CycleRef } from '../../shared/api/schemas.js';
import { resolveCommunity, startCycle } from '../../shared/app/cycle-service.js';

export const handler = apiHandler('cycles', {
  'GET /api/cycles': route({
    run: async (_input, { repos }) => {
      const communityId = await repos.datasets.defaultCommunity();
      const dataset = communityId ? await repos.datasets.current(communityId) : undefined;
      if (!communityId || !dataset) {
        return {
          json: {
            communityId: null,
            year: null,
            datasetVersion: null,
            cycles: [],
            message: '还没有导入数据集 / no dataset imported yet: POST /api/datasets',
          },
        };
      }
      return {
        json: {
          communityId,
          year: dataset.year,
          datasetVersion: dataset.version,
          cycles: await yearOverview(repos, communityId, dataset.year),
        },
      };
    },
  }),
  'POST /api/cycles': route({
    body: CycleRef,
    run: async ({ body, caller }, { repos, executions }) => {
      const communityId = await resolveCommunity(repos);
      const { created } = await startCycle(repos, executions, {
        communityId,
        kind: body.kind,
        period: body.period,
        by: caller.user,
      });
      // Locally the run has already gone as far as it can (completed, or paused for review); read where it is.
      return {
        status: created ? 201 : 200,
        json: { created, cycle: await oneCycle(repos, communityId, body.kind, body.period) },
      };
    },
  }),
  'GET /api/cycles/{kind}/{period}': route({
    params: CycleRef,
    run: async ({ params }, { repos }) => {
      const communityId = await resolveCommunity(repos);
      return { json: await oneCycle(repos, communityId, params.kind, params.period) };
    },
  }),
});
