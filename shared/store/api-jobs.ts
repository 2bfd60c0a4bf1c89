/**
 * The API's long work as jobs (issue 12): a request that cannot finish inside API Gateway's 30 s (a
 * province's whole pay sheet or bank file, audit verify) records a job here and answers 202; the job
 * runner (functions/run-api-job.ts on AWS, the serve process locally) does the work and records how it
 * went; the asker follows it with `GET …/jobs/{id}`. One item per job, gone a week after it was asked
 * for (the table's TTL).
 */
import { isStoreError } from './errors.js';
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
   * may deliver an asynchronous event twice; the second finds it taken and does nothing).
   */
  async claim(communityId: string, id: string, now = new Date()): Promise<boolean> {
    try {
      await this.table.update({
        Key: keys.apiJob(communityId, id),
        UpdateExpression: 'SET #status = :running, startedAt = :now, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND #status = :queued',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running', ':queued': 'queued', ':now': now.toISOString() },
      });
      return true;
    } catch (error) {
      // Taken already (or gone): the store reports a failed condition as its own error.
      if (isStoreError(error, 'conditional_failed')) return false;
      throw error;
    }
  }

  /** Records the end of a job; an ended job is never changed again. */
  async finish(
    communityId: string,
    id: string,
    end:
      | { status: 'done'; result: ApiJobResult }
      | { status: 'failed'; error: string; errorStatus?: number; errorIssues?: ApiJob['errorIssues'] },
    now = new Date(),
  ): Promise<void> {
    const at = now.toISOString();
    const fields = Object.entries({ ...end, updatedAt: at, finishedAt: at }).filter(
      ([, v]) => v !== undefined,
    );
    await this.table.update({
      Key: keys.apiJob(communityId, id),
      UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk) AND NOT (#status IN (:done, :failed))',
      ExpressionAttributeNames: {
        '#status': 'status',
        ...Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
      },
      ExpressionAttributeValues: {
        ':done': ENDED[0],
        ':failed': ENDED[1],
        ...Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value])),
      },
    });
  }
}
