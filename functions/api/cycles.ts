/**
 * The cycles: every cycle of a year with what it waits for, starting one (office; a month with
 * institutions that have no rows only when they are acknowledged), what starting a month would pay (the
 * board's confirmation), one cycle's detail; and corrections of completed periods (DOMAIN.md §7.1),
 * started as jobs of the API's long work (shared/api/correction-jobs.ts).
 */

import { assertOwnUpload } from '../../shared/api/correction-jobs.js';
import { oneCycle, yearOverview } from '../../shared/api/cycle-views.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { startJob } from '../../shared/api/jobs.js';
import { CorrectionBody, CycleRef, MonthRef, StartCycleBody, YearQuery } from '../../shared/api/schemas.js';
import { assertCorrectable } from '../../shared/app/correction-service.js';
import { previewMonth, startCycle } from '../../shared/app/cycle-service.js';

export const handler = apiHandler('cycles', {
  'GET /api/cycles': route({
    query: YearQuery,
    run: async ({ query, community }, { repos }) => {
      const communityId = community;
      const dataset = await repos.datasets.current(communityId, query.year);
      if (!dataset) {
        return {
          json: {
            communityId,
            year: query.year ?? null,
            years: await repos.datasets.years(communityId),
            datasetVersion: null,
            cycles: [],
            corrections: [],
            message: '还没有导入该年度的数据集 / no dataset imported for that year yet: POST /api/datasets',
          },
        };
      }
      const [cycles, years, corrections] = await Promise.all([
        yearOverview(repos, communityId, dataset.year),
        repos.datasets.years(communityId),
        repos.corrections.list(communityId, dataset.year),
      ]);
      return {
        json: {
          communityId,
          year: dataset.year,
          years,
          datasetVersion: dataset.version,
          importedBy: dataset.importedBy,
          importedAt: dataset.importedAt,
          cycles,
          corrections,
        },
      };
    },
  }),
  'POST /api/cycles': route({
    body: StartCycleBody,
    run: async ({ body, caller, community }, { repos, executions }) => {
      const communityId = community;
      const { created } = await startCycle(repos, executions, {
        communityId,
        kind: body.kind,
        period: body.period,
        by: caller.user,
        ...(body.allowMissing ? { allowMissing: body.allowMissing } : {}),
      });
      // Locally the run has already gone as far as it can (completed, or paused for review); read where it is.
      return {
        status: created ? 201 : 200,
        json: { created, cycle: await oneCycle(repos, communityId, body.kind, body.period) },
      };
    },
  }),
  'GET /api/cycles/monthly/{period}/preview': route({
    params: MonthRef,
    run: async ({ params, community }, { repos }) => {
      const communityId = community;
      return { json: await previewMonth(repos, communityId, params.period) };
    },
  }),
  'GET /api/cycles/{kind}/{period}': route({
    params: CycleRef,
    run: async ({ params, community }, { repos }) => {
      const communityId = community;
      return { json: await oneCycle(repos, communityId, params.kind, params.period) };
    },
  }),
  'GET /api/corrections': route({
    query: YearQuery,
    run: async ({ query, community }, { repos }) => {
      const communityId = community;
      return { json: { communityId, corrections: await repos.corrections.list(communityId, query.year) } };
    },
  }),
  // 补发/扣回 as a job (issue 12): a province's recompute does not fit the API's 30 s. The files come
  // through the upload store (or, a small fix, in the body); the job records the correction or the error.
  'POST /api/corrections': route({
    body: CorrectionBody,
    run: async (input, deps) => {
      const { body, caller, community } = input;
      if (body.upload !== undefined) assertOwnUpload(community, caller.user, body.upload);
      await assertCorrectable(deps.repos, community, body.kind, body.period);
      return startJob(input, deps, 'correction', {
        kind: body.kind,
        period: body.period,
        ...(body.reason ? { reason: body.reason } : {}),
        ...(body.upload !== undefined ? { upload: body.upload } : { files: body.files }),
      });
    },
  }),
});
