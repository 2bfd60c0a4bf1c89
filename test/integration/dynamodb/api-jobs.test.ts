/**
 * The API's jobs in the table (issue 12, shared/store/api-jobs.ts) on DynamoDB Local: a job is created
 * once with its TTL, taken by one runner however often its event is delivered (Lambda's asynchronous
 * invocations are at least once), ended once; the runner over the real store records an audit verify's
 * report, and a second delivery of the same event changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApiJob } from '../../../shared/api/jobs.js';
import type { ExportSink } from '../../../shared/api/ports.js';
import { JOB_KEPT_SECONDS } from '../../../shared/store/api-jobs.js';
import { type Repositories, repositories } from '../../../shared/store/index.js';
import { keys } from '../../../shared/store/keys.js';
import { Table } from '../../../shared/store/store.js';
import { TTL_ATTRIBUTE } from '../../../shared/store/table.js';
import { type FreshTable, freshTable } from './helpers.js';

let fresh: FreshTable;
let repos: Repositories;

beforeAll(async () => {
  fresh = await freshTable('apijobs');
  repos = repositories(new Table(fresh.doc, fresh.table));
});
afterAll(() => {
  fresh?.client.destroy();
});

const newJob = (communityId = '兴国.县') => ({
  id: randomUUID(),
  communityId,
  kind: 'audit-verify' as const,
  request: {},
  by: 'auditor1',
  requestId: randomUUID(),
});

/** Files never reach this sink: audit verify of a small community answers JSON. */
const noFiles: ExportSink = {
  deliver: async () => {
    throw new Error('no file expected');
  },
};

describe('API jobs in the table', () => {
  it('creates a job once, queued, with the table TTL a week out', async () => {
    const job = newJob();
    const before = Math.floor(Date.now() / 1000);
    await repos.apiJobs.create(job);
    await expect(repos.apiJobs.create(job)).rejects.toThrow();
    const raw = await repos.table.get<Record<string, unknown>>(keys.apiJob(job.communityId, job.id));
    expect(raw?.[TTL_ATTRIBUTE]).toBeGreaterThanOrEqual(before + JOB_KEPT_SECONDS);
    expect(raw?.[TTL_ATTRIBUTE]).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + JOB_KEPT_SECONDS);
    const read = await repos.apiJobs.get(job.communityId, job.id);
    expect(read).toMatchObject({ ...job, status: 'queued' });
    expect(read).not.toHaveProperty(TTL_ATTRIBUTE);
    expect(await repos.apiJobs.get('other', job.id)).toBeUndefined();
  });

  it('lets one of two runners take a job, and ends it once', async () => {
    const job = newJob();
    await repos.apiJobs.create(job);
    const claims = await Promise.all([
      repos.apiJobs.claim(job.communityId, job.id),
      repos.apiJobs.claim(job.communityId, job.id),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await repos.apiJobs.claim('other', job.id)).toBe(false);
    await repos.apiJobs.finish(job.communityId, job.id, { status: 'done', result: { json: { ok: true } } });
    await expect(
      repos.apiJobs.finish(job.communityId, job.id, { status: 'failed', error: '失败 / failed' }),
    ).rejects.toThrow();
    expect(await repos.apiJobs.get(job.communityId, job.id)).toMatchObject({
      status: 'done',
      result: { json: { ok: true } },
    });
  });

  it('runs an audit verify over the store and records its report; a second delivery changes nothing', async () => {
    const job = newJob('county-jobs');
    await repos.apiJobs.create(job);
    await Promise.all([
      runApiJob({ repos, exports: noFiles }, job),
      runApiJob({ repos, exports: noFiles }, job),
    ]);
    const done = await repos.apiJobs.get(job.communityId, job.id);
    expect(done).toMatchObject({
      status: 'done',
      result: { json: { communityId: 'county-jobs', ok: true, cyclesChecked: 0 } },
    });
    await runApiJob({ repos, exports: noFiles }, job);
    expect(await repos.apiJobs.get(job.communityId, job.id)).toEqual(done);
  });
});
