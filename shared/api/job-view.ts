/**
 * A job of the API's long work as its asker reads it (shared/api/jobs.ts starts and runs them), and who
 * may read it: apart from the runner, so the route that answers `GET …/jobs/{id}` bundles none of the
 * exports' code.
 */
import { bilingual } from '../errors.js';
import { type ApiJob, type ApiJobKind, runnerDied } from '../store/api-jobs.js';
import type { Repositories } from '../store/index.js';
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

/** What a job whose runner died reads as (and is recorded as, shared/api/jobs.ts recordIfDead). */
export const DEAD_RUNNER = {
  errorStatus: 503,
  error: bilingual(
    '后台任务未完成：执行它的进程已停止（超时、内存不足或崩溃），请重新发起',
    'the job did not finish: its runner stopped (out of time or memory, or it crashed); start it again',
  ),
};

/**
 * Whether a job will never end by itself: running with a runner silent for JOB_STALE_MS (a job from
 * before heartbeats: running past the runner's 15 minutes), or queued past the event's maximum age.
 */
export function jobLost(job: ApiJob, now = Date.now()): 'runner' | 'queue' | undefined {
  const age = (at: string | undefined) => (now - Date.parse(at ?? job.createdAt)) / 1000;
  if (job.status === 'running') {
    if (job.heartbeatAt !== undefined) return runnerDied(job, now) ? 'runner' : undefined;
    return age(job.startedAt) > JOB_RUNNER_SECONDS + 60 ? 'runner' : undefined;
  }
  return job.status === 'queued' && age(job.createdAt) > JOB_QUEUE_SECONDS + 60 ? 'queue' : undefined;
}

/** A job as its asker reads it; a job whose runner died (out of time or memory, a lost event) reads as failed. */
export function jobView(job: ApiJob, now = Date.now()) {
  const lost = jobLost(job, now);
  const { errorIssues, errorStatus, request, runner: _runner, ...fields } = job;
  const rest = { ...fields, request: requestView(request) };
  if (lost === 'runner') return { ...rest, status: 'failed' as const, ...DEAD_RUNNER };
  if (lost === 'queue')
    return {
      ...rest,
      status: 'failed' as const,
      errorStatus: 503,
      error: bilingual(
        '后台任务未能启动（排队超过一小时），请重新发起',
        'the job never started (its event waited over an hour); start it again',
      ),
    };
  return {
    ...rest,
    ...(errorStatus === undefined ? {} : { errorStatus }),
    ...(errorIssues === undefined ? {} : { issues: errorIssues }),
  };
}

/**
 * Records a running job whose runner died as failed (DEAD_RUNNER), conditionally on it being still as
 * read (a heartbeat, a takeover or an end since then wins): what its asker reads either way.
 */
export async function recordIfDead(repos: Repositories, job: ApiJob, now = new Date()): Promise<void> {
  if (jobLost(job, now.getTime()) !== 'runner') return;
  await repos.apiJobs.failDead(job, DEAD_RUNNER, now);
}

/** Whether `caller` may read `job`: the asker, or anyone who may start a job of its kind in its community. */
export const mayReadJob = (job: ApiJob, caller: { user: string; groups: readonly string[] }) =>
  job.by === caller.user || mayCall(JOB_ROUTES[job.kind], caller.groups);
