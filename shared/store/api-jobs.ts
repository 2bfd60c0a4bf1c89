/**
 * The API's long work as jobs (issue 12): a request that cannot finish inside API Gateway's 30 s (a
 * province's whole pay sheet or bank file, audit verify) records a job here and answers 202; the job
 * runner (functions/run-api-job.ts on AWS, the serve process locally) does the work and records how it
 * went; the asker follows it with `GET …/jobs/{id}`. One item per job, gone a week after it was asked
 * for (the table's TTL).
 */
import { keys } from './keys.js';
import type { Table } from './store.js';
import { TTL_ATTRIBUTE } from './table.js';

export type ApiJobKind =
  | 'sheet'
  | 'bank'
  | 'audit-verify'
  | 'simulation'
  // Corrections (DOMAIN.md §7.1) and an appeal's acceptance: a recompute of a period, off the API's 30 s.
  | 'correction'
  | 'correction-decision'
  | 'appeal-acceptance';
export type ApiJobStatus = 'queued' | 'running' | 'done' | 'failed';

/** A job's outcome: a download link (the export sink's answer) and/or a small JSON document. */
export interface ApiJobResult {
  /** `{url, filename, contentType, expiresIn}`: where the file is, for a few minutes. */
  download?: { url: string; filename: string; contentType: string; expiresIn: number };
  /** What the route would have answered beside the file (a bank file's people not transferred, a report). */
  json?: unknown;
}

export interface ApiJob {
  id: string;
  communityId: string;
  kind: ApiJobKind;
  /**
   * What was asked (the route's path and query parameters): small, at most a few hundred KB of a small
   * correction's files (a larger one names its upload instead).
   */
  request: Record<string, unknown>;
  /** Who asked, and the request id of the asking request (audit entries name it). */
  by: string;
  requestId: string;
  status: ApiJobStatus;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  /** The runner's last sign of life (RUNNING: renewed every JOB_HEARTBEAT_MS; stale after JOB_STALE_MS). */
  heartbeatAt?: string;
  /** Who runs it now: a token per claim, so a runner taken over as dead can neither renew nor end it. */
  runner?: string;
  /** How many runners have taken it (a stale job's redelivery may take it again, up to JOB_MAX_ATTEMPTS). */
  attempts?: number;
  finishedAt?: string;
  result?: ApiJobResult;
  /** Why a failed job failed, in Chinese and English (a user's mistake or a fault). */
  error?: string;
  /** A failure the asker caused (400/404/409 of the route before jobs): its status and issues. */
  errorStatus?: number;
  /** A body's field (`{path, message}`), or a dataset's row (`{file, row, column, zh, en, rule}`: a correction's). */
  errorIssues?: Record<string, unknown>[];
}

/** How long a job's record is kept (epoch seconds, the table's TTL attribute). */
export const JOB_KEPT_SECONDS = 7 * 24 * 3600;

const ENDED: readonly ApiJobStatus[] = ['done', 'failed'];

/** How often a runner says it is alive, and after how long without a word it counts as dead. */
export const JOB_HEARTBEAT_MS = 15_000;
export const JOB_STALE_MS = 120_000;
/** Runners a job may have: the first, and two that take it over when the one before died. */
export const JOB_MAX_ATTEMPTS = 3;

/** When a running job's runner last said it was alive (a job from before heartbeats: its start). */
export const lastSignOfLife = (job: ApiJob): string | undefined => job.heartbeatAt ?? job.startedAt;

/** A running job whose runner has said nothing for JOB_STALE_MS: it died (timeout, memory, a crash). */
export function runnerDied(job: ApiJob, now: number): boolean {
  const last = lastSignOfLife(job);
  return job.status === 'running' && last !== undefined && now - Date.parse(last) > JOB_STALE_MS;
}

/** The running job as it was read: a takeover or a failure recorded for it applies only if nothing moved. */
const unchangedSince = (job: ApiJob) => ({
  condition:
    '#status = :running AND ' +
    (job.runner === undefined ? 'attribute_not_exists(runner)' : 'runner = :seenRunner') +
    ' AND ' +
    (job.heartbeatAt === undefined ? 'attribute_not_exists(heartbeatAt)' : 'heartbeatAt = :seenBeat'),
  values: {
    ':running': 'running',
    ...(job.runner === undefined ? {} : { ':seenRunner': job.runner }),
    ...(job.heartbeatAt === undefined ? {} : { ':seenBeat': job.heartbeatAt }),
  },
});

export class ApiJobRepository {
  constructor(private readonly table: Table) {}

  async create(
    job: Pick<ApiJob, 'id' | 'communityId' | 'kind' | 'request' | 'by' | 'requestId'>,
    now = new Date(),
  ): Promise<ApiJob> {
    const at = now.toISOString();
    const record: ApiJob = { ...job, status: 'queued', createdAt: at, updatedAt: at };
    await this.table.put(
      {
        ...keys.apiJob(job.communityId, job.id),
        type: 'ApiJob',
        ...record,
        [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + JOB_KEPT_SECONDS,
      },
      { ConditionExpression: 'attribute_not_exists(pk)' },
    );
    return record;
  }

  async get(communityId: string, id: string): Promise<ApiJob | undefined> {
    const item = await this.table.get<ApiJob & Record<string, unknown>>(keys.apiJob(communityId, id));
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, type: _type, [TTL_ATTRIBUTE]: _ttl, ...job } = item;
    return job as ApiJob;
  }

  /**
   * The runner takes a queued job: true once, for the one invocation that moves it to running (Lambda
   * may deliver an asynchronous event twice; the second finds it taken and does nothing). `dead`: the
   * running job as read, whose runner died (runnerDied) — taken over only if it is still as read, so of
   * two redeliveries one takes it. `runner` is the new runner's token (heartbeat and finish name it).
   */
  async claim(
    communityId: string,
    id: string,
    now = new Date(),
    runner?: string,
    dead?: ApiJob,
  ): Promise<boolean> {
    const at = now.toISOString();
    const from = dead
      ? unchangedSince(dead)
      : { condition: '#status = :queued', values: { ':queued': 'queued' } as Record<string, unknown> };
    return this.table.updateIf({
      Key: keys.apiJob(communityId, id),
      UpdateExpression:
        'SET #status = :running, startedAt = :now, heartbeatAt = :now, updatedAt = :now' +
        (runner === undefined ? '' : ', runner = :runner') +
        ' ADD attempts :one',
      ConditionExpression: `attribute_exists(pk) AND ${from.condition}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...from.values,
        ':running': 'running',
        ':now': at,
        ':one': 1,
        ...(runner === undefined ? {} : { ':runner': runner }),
      },
    });
  }

  /** The runner `runner` is alive; false when the job is no longer its own (taken over, ended, gone). */
  async heartbeat(communityId: string, id: string, runner: string, now = new Date()): Promise<boolean> {
    return this.table.updateIf({
      Key: keys.apiJob(communityId, id),
      UpdateExpression: 'SET heartbeatAt = :now',
      ConditionExpression: '#status = :running AND runner = :runner',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':now': now.toISOString(), ':running': 'running', ':runner': runner },
    });
  }

  /**
   * Records that a running job's runner died (`dead`: the job as read, runnerDied), unless it moved
   * since (renewed, taken over, ended): true when this call recorded it.
   */
  async failDead(
    dead: ApiJob,
    failure: { error: string; errorStatus: number },
    now = new Date(),
  ): Promise<boolean> {
    const at = now.toISOString();
    const from = unchangedSince(dead);
    return this.table.updateIf({
      Key: keys.apiJob(dead.communityId, dead.id),
      UpdateExpression:
        'SET #status = :failed, #error = :error, errorStatus = :errorStatus, updatedAt = :now, finishedAt = :now',
      ConditionExpression: `attribute_exists(pk) AND ${from.condition}`,
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ...from.values,
        ':failed': 'failed',
        ':error': failure.error,
        ':errorStatus': failure.errorStatus,
        ':now': at,
      },
    });
  }

  /**
   * Records the end of a job; an ended job is never changed again. With `runner`, only while that runner
   * still holds it (one taken over as dead ends as its new runner says).
   */
  async finish(
    communityId: string,
    id: string,
    end:
      | { status: 'done'; result: ApiJobResult }
      | { status: 'failed'; error: string; errorStatus?: number; errorIssues?: ApiJob['errorIssues'] },
    now = new Date(),
    runner?: string,
  ): Promise<void> {
    const at = now.toISOString();
    const fields = Object.entries({ ...end, updatedAt: at, finishedAt: at }).filter(
      ([, v]) => v !== undefined,
    );
    await this.table.update({
      Key: keys.apiJob(communityId, id),
      UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
      ConditionExpression:
        'attribute_exists(pk) AND NOT (#status IN (:done, :failed))' +
        (runner === undefined ? '' : ' AND #runner = :runner'),
      ExpressionAttributeNames: {
        '#status': 'status',
        ...(runner === undefined ? {} : { '#runner': 'runner' }),
        ...Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
      },
      ExpressionAttributeValues: {
        ':done': ENDED[0],
        ':failed': ENDED[1],
        ...(runner === undefined ? {} : { ':runner': runner }),
        ...Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value])),
      },
    });
  }
}
