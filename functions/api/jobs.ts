/**
 * The API's long work, followed (issue 12): `GET …/jobs/{id}` answers a job's state — queued, running,
 * done with its download link (and what the route would have said beside the file), or failed with a
 * bilingual error — to the asker, or to anyone who may start a job of that kind in the community. A job
 * whose runner stopped renewing its heartbeat reads as failed (503), and is recorded so here.
 */
import { apiHandler, route } from '../../shared/api/handler.js';
import { problem } from '../../shared/api/http.js';
import { jobView, mayReadJob, recordIfDead } from '../../shared/api/job-view.js';
import { JobRef } from '../../shared/api/schemas.js';

export const handler = apiHandler('jobs', {
  'GET /api/jobs/{id}': route({
    params: JobRef,
    run: async ({ params, community, caller }, { repos }) => {
      const job = await repos.apiJobs.get(community, params.id);
      if (!job)
        throw problem(
          404,
          `没有这个任务（或已过期，任务保留 7 天）/ no job ${params.id} in ${community} (or it expired: jobs are kept 7 days)`,
        );
      if (!mayReadJob(job, caller))
        throw problem(
          403,
          '只有发起人或有权发起此类任务的角色可查看 / only its asker, or a role that may start such a job, may read it',
        );
      // A runner that died is recorded so (conditionally) by the first read that sees it.
      const now = new Date();
      await recordIfDead(repos, job, now).catch(() => undefined);
      return { json: jobView(job, now.getTime()) };
    },
  }),
});
