/**
 * A job whose runner dies is never "running" for ever (issue 12), on DynamoDB Local with an injected
 * clock (no sleeps): the runner's heartbeat goes stale after JOB_STALE_MS; `GET …/jobs/{id}` then reads
 * the job failed (503, "start it again") and records it so, conditionally; a redelivered event of a stale
 * job runs it again (a kind safe to re-run), up to JOB_MAX_ATTEMPTS runners, then records the failure;
 * a live job's redelivery does nothing, and a runner taken over as dead can neither renew nor end it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureApi, resetApi } from '../../../shared/api/deps.js';
import { jobView } from '../../../shared/api/job-view.js';
import { JOB_KINDS, runApiJob } from '../../../shared/api/jobs.js';
import { type ExportSink, inlineExportSink } from '../../../shared/api/ports.js';
import { JOB_MAX_ATTEMPTS, JOB_STALE_MS } from '../../../shared/store/api-jobs.js';
import { communityRegistration } from '../../../shared/store/communities.js';
import { type Repositories, repositories } from '../../../shared/store/index.js';
import { Table } from '../../../shared/store/store.js';
import { as, call } from '../../unit/api/helpers.js';
import { type FreshTable, freshTable } from './helpers.js';

let fresh: FreshTable;
let repos: Repositories;

beforeAll(async () => {
  fresh = await freshTable('apijoblive');
  repos = repositories(new Table(fresh.doc, fresh.table));
  // The community is known (its import registers it): its routes answer.
  await repos.table.transact([communityRegistration(C)]);
});
afterAll(() => {
  resetApi();
  fresh?.client.destroy();
});

const C = 'xingguo';
const newJob = async (by = 'auditor1') => {
  const job = {
    id: randomUUID(),
    communityId: C,
    kind: 'audit-verify' as const,
    request: {},
    by,
    requestId: 'r',
  };
  await repos.apiJobs.create(job);
  return job;
};

/** Files never reach this sink: audit verify of an empty community answers JSON. */
const noFiles: ExportSink = {
  deliver: async () => {
    throw new Error('no file expected');
  },
};

const at = (ms: number) => () => new Date(ms);
const T0 = Date.parse('2026-12-07T01:00:00Z');

describe('a job whose runner died', () => {
  it('reads running while its heartbeat is fresh, failed (503, start it again) once stale; a beat renews it', async () => {
    const job = await newJob();
    expect(await repos.apiJobs.claim(C, job.id, new Date(T0), 'runner-1')).toBe(true);
    const running = (await repos.apiJobs.get(C, job.id))!;
    expect(running).toMatchObject({
      status: 'running',
      heartbeatAt: new Date(T0).toISOString(),
      attempts: 1,
    });
    expect(jobView(running, T0 + JOB_STALE_MS).status).toBe('running');
    const dead = jobView(running, T0 + JOB_STALE_MS + 1);
    expect(dead).toMatchObject({ status: 'failed', errorStatus: 503 });
    expect(dead.error).toMatch(/请重新发起.* \/ .*start it again/);
    expect(dead).not.toHaveProperty('runner');
    // A beat moves the bound on; another runner's token cannot beat.
    expect(await repos.apiJobs.heartbeat(C, job.id, 'runner-1', new Date(T0 + 60_000))).toBe(true);
    expect(await repos.apiJobs.heartbeat(C, job.id, 'runner-2', new Date(T0 + 90_000))).toBe(false);
    const beaten = (await repos.apiJobs.get(C, job.id))!;
    expect(jobView(beaten, T0 + JOB_STALE_MS + 1).status).toBe('running');
    expect(jobView(beaten, T0 + 60_000 + JOB_STALE_MS + 1).status).toBe('failed');
  });

  it("GET …/jobs/{id} records a dead runner's job failed, once, and a live one stays running", async () => {
    configureApi({
      repos,
      executions: { start: async () => ({}) } as never,
      exports: inlineExportSink(),
      uploads: undefined,
    });
    const live = await newJob();
    await repos.apiJobs.claim(C, live.id, new Date(), 'alive');
    const dead = await newJob();
    // Its runner took it an hour ago and never beat again (the route reads the real clock).
    await repos.apiJobs.claim(C, dead.id, new Date(Date.now() - 3_600_000), 'gone');
    const read = (id: string) =>
      call('GET /api/jobs/{id}', { as: as('auditor1', 'auditor'), params: { id } });
    const first = await read(dead.id);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ status: 'failed', errorStatus: 503 });
    const recorded = (await repos.apiJobs.get(C, dead.id))!;
    expect(recorded).toMatchObject({ status: 'failed', errorStatus: 503, error: first.json.error });
    expect(recorded.finishedAt).toBeDefined();
    // Recorded once: a second read finds it ended and changes nothing; the dead runner cannot end it now.
    expect((await read(dead.id)).json).toMatchObject({ status: 'failed', errorStatus: 503 });
    expect(await repos.apiJobs.get(C, dead.id)).toEqual(recorded);
    await expect(
      repos.apiJobs.finish(C, dead.id, { status: 'done', result: { json: {} } }, new Date(), 'gone'),
    ).rejects.toThrow();
    expect((await read(live.id)).json.status).toBe('running');
    expect((await repos.apiJobs.get(C, live.id))!.status).toBe('running');
  });

  it('a redelivery of a live job does nothing; of a stale one runs it again (a kind safe to re-run)', async () => {
    expect(JOB_KINDS['audit-verify'].rerun).toBe(true);
    const job = await newJob();
    await repos.apiJobs.claim(C, job.id, new Date(T0), 'crashed');
    // Delivered again while the first runner may still be alive: nothing.
    await runApiJob({ repos, exports: noFiles, clock: at(T0 + JOB_STALE_MS) }, job);
    expect(await repos.apiJobs.get(C, job.id)).toMatchObject({
      status: 'running',
      runner: 'crashed',
      attempts: 1,
    });
    // Delivered again once it is stale: a second runner takes it over and ends it.
    await runApiJob({ repos, exports: noFiles, clock: at(T0 + JOB_STALE_MS + 1) }, job);
    const done = (await repos.apiJobs.get(C, job.id))!;
    expect(done).toMatchObject({
      status: 'done',
      attempts: 2,
      result: { json: { communityId: C, ok: true } },
    });
    expect(done.runner).not.toBe('crashed');
    // The crashed runner, had it woken up, can neither beat nor end it.
    expect(await repos.apiJobs.heartbeat(C, job.id, 'crashed')).toBe(false);
    await expect(
      repos.apiJobs.finish(C, job.id, { status: 'failed', error: 'x' }, new Date(), 'crashed'),
    ).rejects.toThrow();
  });

  it('of two redeliveries of a stale job, one takes it over', async () => {
    const job = await newJob();
    await repos.apiJobs.claim(C, job.id, new Date(T0), 'crashed');
    const stale = (await repos.apiJobs.get(C, job.id))!;
    const now = new Date(T0 + JOB_STALE_MS + 1);
    const taken = await Promise.all([
      repos.apiJobs.claim(C, job.id, now, 'a', stale),
      repos.apiJobs.claim(C, job.id, now, 'b', stale),
    ]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect((await repos.apiJobs.get(C, job.id))!.attempts).toBe(2);
  });

  it(`a job whose runners died ${JOB_MAX_ATTEMPTS} times is recorded failed, not run again`, async () => {
    const job = await newJob();
    let t = T0;
    await repos.apiJobs.claim(C, job.id, new Date(t), 'r1');
    for (let n = 2; n <= JOB_MAX_ATTEMPTS; n++) {
      const stale = (await repos.apiJobs.get(C, job.id))!;
      t += JOB_STALE_MS + 1;
      expect(await repos.apiJobs.claim(C, job.id, new Date(t), `r${n}`, stale)).toBe(true);
    }
    t += JOB_STALE_MS + 1;
    await runApiJob({ repos, exports: noFiles, clock: at(t) }, job);
    const failed = (await repos.apiJobs.get(C, job.id))!;
    expect(failed).toMatchObject({ status: 'failed', errorStatus: 503, attempts: JOB_MAX_ATTEMPTS });
    expect(failed.error).toMatch(/start it again/);
    expect(failed.result).toBeUndefined();
  });

  it("a job queued past the event's maximum age reads failed; a fresh one queued", async () => {
    const job = await newJob();
    const queued = (await repos.apiJobs.get(C, job.id))!;
    expect(jobView(queued, Date.parse(queued.createdAt)).status).toBe('queued');
    expect(jobView(queued, Date.parse(queued.createdAt) + 2 * 3_600_000)).toMatchObject({
      status: 'failed',
      errorStatus: 503,
    });
  });
});
