/**
 * A job of the API's long work as its asker reads it (shared/api/jobs.ts starts and runs them), and who
 * may read it: apart from the runner, so the route that answers `GET …/jobs/{id}` bundles none of the
 * exports' code.
 */
import { bilingual } from '../errors.js';
import type { ApiJob, ApiJobKind } from '../store/api-jobs.js';
import { mayCall, type RouteKey } from './roles.js';

/** The runner's time on AWS (functions/registry.ts RunApiJob); a job running longer has died. */
export const JOB_RUNNER_SECONDS = 900;
/** How long an event may wait for the runner (Lambda's maximum event age, infra); a job queued longer is lost. */
export const JOB_QUEUE_SECONDS = 3600;

/** The route that starts each kind: whoever may call it may read its jobs (besides the asker). */
export const JOB_ROUTES: Record<ApiJobKind, RouteKey> = {
  sheet: 'GET /api/sheets/{kind}/{period}',
  bank: 'GET /api/bank/{kind}/{period}',
  'audit-verify': 'GET /api/audit/verify',
  simulation: 'POST /api/simulations',
  correction: 'POST /api/corrections',
  'correction-decision': 'POST /api/corrections/{kind}/{period}/approve',
  'appeal-acceptance': 'POST /api/appeals/{id}/accept',
};

/** A small correction's files kept on the job (`files`, `rows`): named, not echoed, when the job is read. */
const FILE_FIELDS = ['files', 'rows'] as const;

function requestView(request: ApiJob['request']): ApiJob['request'] {
  const named = FILE_FIELDS.filter((f) => typeof request[f] === 'object' && request[f] !== null);
  if (named.length === 0) return request;
  return {
    ...request,
    ...Object.fromEntries(named.map((f) => [f, Object.keys(request[f] as object)])),
  };
}

/** A job as its asker reads it; a job whose runner died (out of time or memory, a lost event) reads as failed. */
export function jobView(job: ApiJob, now = Date.now()) {
  const age = (at: string | undefined) => (now - Date.parse(at ?? job.createdAt)) / 1000;
  const lost =
    (job.status === 'running' && age(job.startedAt) > JOB_RUNNER_SECONDS + 60) ||
    (job.status === 'queued' && age(job.createdAt) > JOB_QUEUE_SECONDS + 60);
  const { errorIssues, errorStatus, request, ...fields } = job;
  const rest = { ...fields, request: requestView(request) };
  if (lost)
    return {
      ...rest,
      status: 'failed' as const,
      error: bilingual(
        '后台任务未完成（超时、内存不足或未能启动），请重试',
        'the job did not finish (out of time or memory, or never started); please try again',
      ),
    };
  return {
    ...rest,
    ...(errorStatus === undefined ? {} : { errorStatus }),
    ...(errorIssues === undefined ? {} : { issues: errorIssues }),
  };
}

/** Whether `caller` may read `job`: the asker, or anyone who may start a job of its kind in its community. */
export const mayReadJob = (job: ApiJob, caller: { user: string; groups: readonly string[] }) =>
  job.by === caller.user || mayCall(JOB_ROUTES[job.kind], caller.groups);
