/**
 * Corrections and an appeal's acceptance as jobs of the API's long work (issue 12), through `medcomm
 * serve`'s real server on DynamoDB Local with its upload store: the routes check at once what they can
 * (a period never run, the body's shape, an inline body over its bound, someone else's upload, four
 * eyes) and otherwise answer 202 with the job's Location; the job records the correction, the decision
 * or the appeal with its correction — or the refusal, in both languages, with its status. A correction's
 * files come through an upload, which is gone once used. A job delivered twice runs once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../../cli/serve.js';
import { recomputePeriod } from '../../../functions/recompute-period.js';
import { type JobDeps, runApiJob } from '../../../shared/api/jobs.js';
import { inlineExportSink } from '../../../shared/api/ports.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import type { ApiJobKind } from '../../../shared/store/api-jobs.js';
import { runFirstQuarter, tinyAs } from '../../reliability/helpers.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';
import { callAs, type Json } from './serve-client.js';

const C = 'county7';
const BASE = `/api/communities/${C}`;
let work: string;
let runtime: LocalRuntime;
let server: ApiServer;

const api = (method: 'GET' | 'POST', path: string, user: string, group: string, body?: unknown) =>
  callAs(server, method, `${BASE}${path}`, user, group, body);

/** A route that answers with a job: 202 and its Location, then the job's record once the server is idle. */
async function job(path: string, user: string, group: string, body?: unknown): Promise<Json> {
  const started = await api('POST', path, user, group, body);
  expect(started.status, JSON.stringify(started.json)).toBe(202);
  expect(started.location).toBe(started.json.location);
  expect(started.location).toMatch(new RegExp(`^${BASE}/jobs/[0-9a-f-]{36}$`));
  await server.idle();
  const read = await api('GET', started.location!.slice(BASE.length), user, group);
  expect(read.status).toBe(200);
  return read.json;
}

/** The tiny dataset with one person's workload points of one month moved by `delta`. */
function withPoints(month: string, staffId: string, delta: number): Record<string, string> {
  const files = tinyAs(C);
  files['workload.csv'] = files['workload.csv']!.split('\n')
    .map((line) => {
      if (!line.startsWith(`${month},${staffId},`)) return line;
      const cells = line.split(',');
      cells[2] = String(Number(cells[2]) + delta);
      return cells.join(',');
    })
    .join('\n');
  return files;
}

const base64 = (files: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(files).map(([name, text]) => [name, Buffer.from(text).toString('base64')]),
  );

/** Upload links for the files (as office1 unless named), each file PUT to its link. */
async function upload(files: Record<string, string>, user = 'office1'): Promise<string> {
  const ticket = await api('POST', '/datasets/upload-url', user, 'office', { files: Object.keys(files) });
  expect(ticket.status).toBe(200);
  for (const signed of ticket.json.files as { name: string; url: string }[]) {
    const put = await fetch(signed.url, { method: 'PUT', body: files[signed.name]! });
    expect(put.status).toBe(200);
  }
  return ticket.json.prefix as string;
}

/** The runner as serve runs it, for jobs a test records itself (a second delivery, a job the route would refuse). */
const runnerDeps = (): JobDeps => ({
  repos: runtime.repos,
  exports: inlineExportSink(),
  recompute: recomputePeriod,
});

const recordJob = (kind: ApiJobKind, by: string, request: Record<string, unknown>) =>
  runtime.repos.apiJobs.create({ id: randomUUID(), communityId: C, kind, request, by, requestId: 'test' });

const bothLanguages = (text: string) => expect(text).toMatch(/[\u4e00-\u9fff].* \/ .*[a-z]/);

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'medcomm-correction-jobs-'));
  runtime = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `correction-jobs-${randomBytes(4).toString('hex')}`,
    workflows: { retryIntervalMs: 0 },
  });
  await importDataset(runtime.repos, { files: tinyAs(C) }, 'office1');
  await runFirstQuarter(runtime, C);
  server = await startApiServer({
    repos: runtime.repos,
    executions: runtime.workflows,
    port: 0,
    uploads: { root: join(work, 'data') },
  });
}, 240_000);

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('POST /api/corrections as a job', () => {
  it('refuses at once what the route can check, and starts no job', async () => {
    const files = base64(withPoints('2026-03', 'C01-001', 100));
    const never = await api('POST', '/corrections', 'office1', 'office', {
      kind: 'monthly',
      period: '2026-05',
      files,
    });
    expect(never.status).toBe(404);
    bothLanguages(never.json.error);
    const neither = await api('POST', '/corrections', 'office1', 'office', {
      kind: 'monthly',
      period: '2026-03',
    });
    expect(neither.status).toBe(400);
    expect(neither.json.issues[0].path).toBe('body.files');
    // A file body is bounded (256 KB, kept on the job); anything larger goes through the upload store.
    const large = await api('POST', '/corrections', 'office1', 'office', {
      kind: 'monthly',
      period: '2026-03',
      files: { 'workload.csv': Buffer.alloc(300 * 1024, 'a').toString('base64') },
    });
    expect(large.status).toBe(400);
    expect(large.json.issues[0].message).toMatch(/upload-url/);
    // Uploads are private to the uploader.
    const theirs = await upload({ 'workload.csv': 'x' }, 'office2');
    const foreign = await api('POST', '/corrections', 'office1', 'office', {
      kind: 'monthly',
      period: '2026-03',
      upload: theirs,
    });
    expect(foreign.status).toBe(403);
    expect(
      (await api('POST', '/corrections', 'hr1', 'hr', { kind: 'monthly', period: '2026-03', files })).status,
    ).toBe(403);
    expect(await runtime.repos.corrections.list(C, 2026)).toEqual([]);
  });

  it('records what the job refuses on the job, in both languages, with the status the route used to answer', async () => {
    const unchanged = await job('/corrections', 'office1', 'office', {
      kind: 'monthly',
      period: '2026-03',
      files: base64(tinyAs(C)),
    });
    expect(unchanged).toMatchObject({ kind: 'correction', status: 'failed', errorStatus: 409 });
    expect(unchanged.error).toMatch(/没有可更正的内容.*nothing to correct/);
    // The job's record names the files it kept, not their content.
    expect(unchanged.request.files).toContain('workload.csv');
    const broken = await job('/corrections', 'office1', 'office', {
      kind: 'monthly',
      period: '2026-03',
      files: base64({ ...tinyAs(C), 'workload.csv': 'period,staffId,points\n2026-03,C01-001,many\n' }),
    });
    expect(broken).toMatchObject({ status: 'failed', errorStatus: 422 });
    expect(broken.issues[0]).toMatchObject({ file: 'workload.csv', row: expect.any(Number) });
    bothLanguages(`${broken.issues[0].zh} / ${broken.issues[0].en}`);
    expect(await runtime.repos.corrections.list(C, 2026)).toEqual([]);
  });

  it('runs a job delivered twice once, and the same correction asked twice makes one revision', async () => {
    const recorded = await recordJob('correction', 'office1', {
      kind: 'monthly',
      period: '2026-02',
      files: base64(withPoints('2026-02', 'C01-001', 80)),
    });
    // The same correction asked for again (a retried request is a second job) while the first runs.
    const retried = await recordJob('correction', 'office1', recorded.request);
    const ref = { communityId: C, id: recorded.id };
    await Promise.all([
      runApiJob(runnerDeps(), ref),
      runApiJob(runnerDeps(), ref),
      runApiJob(runnerDeps(), { communityId: C, id: retried.id }),
    ]);
    await runApiJob(runnerDeps(), ref); // a late third delivery
    const ended = await Promise.all([recorded, retried].map((j) => runtime.repos.apiJobs.get(C, j.id)));
    // One of the two makes the revision; the other is refused (the year's lease, or the correction awaiting review).
    expect(ended.map((j) => j?.status).sort()).toEqual(['done', 'failed']);
    const failed = ended.find((j) => j?.status === 'failed')!;
    expect(failed.errorStatus, failed.error).toBe(409);
    const after = ended.find((j) => j?.status === 'done');
    expect(after).toMatchObject({ status: 'done', result: { json: { period: '2026-02', revision: 2 } } });
    const corrections = (await runtime.repos.corrections.list(C, 2026)).filter((c) => c.period === '2026-02');
    expect(corrections.map((c) => c.revision)).toEqual([2]);
    const starts = (await runtime.repos.audit.entries(C)).filter(
      (e) => e.action === 'correction.start' && e.subject.startsWith('monthly 2026-02'),
    );
    expect(starts).toHaveLength(1);
  });

  it('runs an approval delivered twice once: one decision, one posting of each difference', async () => {
    const recorded = await recordJob('correction-decision', 'finance1', {
      kind: 'monthly',
      period: '2026-02',
    });
    const ref = { communityId: C, id: recorded.id };
    await Promise.all([runApiJob(runnerDeps(), ref), runApiJob(runnerDeps(), ref)]);
    expect(await runtime.repos.apiJobs.get(C, recorded.id)).toMatchObject({
      status: 'done',
      result: { json: { period: '2026-02', status: 'completed', postedTo: '2026-04' } },
    });
    const approvals = (await runtime.repos.audit.entries(C)).filter(
      (e) => e.action === 'correction.approve' && e.subject.startsWith('monthly 2026-02'),
    );
    expect(approvals).toHaveLength(1);
    const posted = await runtime.repos.corrections.postings(C, '2026-04');
    expect(posted.filter((p) => JSON.stringify(p).includes('2026-02'))).toHaveLength(1);
  });

  it('takes its files through an upload: the job records the correction, and the uploaded files are gone', async () => {
    const prefix = await upload(withPoints('2026-03', 'C01-001', 200));
    expect(await exists(join(work, 'data', prefix))).toBe(true);
    const done = await job('/corrections', 'office1', 'office', {
      kind: 'monthly',
      period: '2026-03',
      reason: '三月工分漏记',
      upload: prefix,
    });
    expect(done.status, done.error).toBe('done');
    expect(done.result.json).toMatchObject({
      kind: 'monthly',
      period: '2026-03',
      revision: 2,
      status: 'awaiting_review',
      startedBy: 'office1',
      reason: '三月工分漏记',
    });
    // The points move shares within C01: people's lines change (the pool, and so the total, may not).
    expect(done.result.json.totals.people).toBeGreaterThan(0);
    expect(await exists(join(work, 'data', prefix))).toBe(false);
    // An upload used once is not there to use again.
    const again = await job('/corrections', 'office1', 'office', {
      kind: 'monthly',
      period: '2026-03',
      upload: prefix,
    });
    expect(again).toMatchObject({ status: 'failed', errorStatus: 409 });
    expect(again.error).toMatch(/没有已上传的文件.*nothing has been uploaded/);
  });
});

describe('POST /api/corrections/{kind}/{period}/approve as a job', () => {
  it('keeps four eyes: the starter is refused at once, and a job of theirs fails the same way', async () => {
    const own = await api('POST', '/corrections/monthly/2026-03/approve', 'office1', 'finance');
    expect(own.status).toBe(403);
    expect(own.json.error).toMatch(/双人复核.*four eyes/);
    // Should a job of the starter's be recorded anyway (a race with the route's check), the job refuses it.
    const recorded = await recordJob('correction-decision', 'office1', {
      kind: 'monthly',
      period: '2026-03',
    });
    await runApiJob(runnerDeps(), { communityId: C, id: recorded.id });
    const failed = await runtime.repos.apiJobs.get(C, recorded.id);
    expect(failed).toMatchObject({ status: 'failed', errorStatus: 403 });
    expect(failed?.error).toMatch(/双人复核.*four eyes/);
    const pending = (await runtime.repos.corrections.list(C, 2026)).find((c) => c.period === '2026-03');
    expect(pending?.status).toBe('awaiting_review');
  });

  it('lets finance approve: the job posts the differences to the next open month', async () => {
    const done = await job('/corrections/monthly/2026-03/approve', 'finance1', 'finance');
    expect(done.status, done.error).toBe('done');
    expect(done.result.json).toMatchObject({
      period: '2026-03',
      revision: 2,
      status: 'completed',
      postedTo: '2026-04',
      decision: { approved: true, by: 'finance1' },
    });
    const posted = await runtime.repos.corrections.postings(C, '2026-04');
    expect(posted.length).toBeGreaterThan(0);
    // Decided: nothing awaits review, said at once.
    const twice = await api('POST', '/corrections/monthly/2026-03/approve', 'finance2', 'finance');
    expect(twice.status).toBe(404);
  });
});

/** A member's appeal of `staffId`'s line of `period`: its id. */
async function fileAppeal(period: string, staffId: string, reason: string): Promise<string> {
  const filed = await api('POST', '/appeals', 'member1', 'member', { period, staffId, reason });
  expect(filed.status).toBe(201);
  return filed.json.id as string;
}

/** The corrected rows an acceptance carries: workload.csv's header and the person's row with `delta` more points. */
function appealedRow(period: string, staffId: string, delta: number): string {
  const workload = withPoints(period, staffId, delta)['workload.csv']!.split('\n');
  return `${workload[0]}\n${workload.find((l) => l.startsWith(`${period},${staffId},`))}\n`;
}

describe('POST /api/appeals/{id}/accept with an upload', () => {
  it('opens the appeal’s correction in the job, from the uploaded rows', async () => {
    const published = await api('POST', '/publications', 'office1', 'office', {
      kind: 'quarterly',
      period: '2026-Q1',
      to: '2099-01-01T00:00:00Z',
    });
    expect(published.status).toBe(201);
    const id = await fileAppeal('2026-02', 'C01-001', '手术工分漏记');
    const prefix = await upload({ 'workload.csv': appealedRow('2026-02', 'C01-001', 120) });
    // The appellant's side may not decide: said at once.
    expect(
      (await api('POST', `/appeals/${id}/accept`, 'member1', 'member', { reason: '属实', upload: prefix }))
        .status,
    ).toBe(403);
    const done = await job(`/appeals/${id}/accept`, 'office1', 'office', { reason: '属实', upload: prefix });
    expect(done.status, done.error).toBe('done');
    expect(done.result.json.appeal).toMatchObject({
      id,
      status: 'accepted',
      correction: { period: '2026-02' },
    });
    expect(done.result.json.correction).toMatchObject({ status: 'awaiting_review', kind: 'monthly' });
    expect(done.result.json.correction.reason).toMatch(new RegExp(`^申诉 ${id}: 属实`));
    const twice = await api('POST', `/appeals/${id}/accept`, 'office2', 'office', {
      reason: '属实',
      rows: { 'workload.csv': 'x' },
    });
    expect(twice.status).toBe(409);
    expect(twice.json.error).toMatch(/already decided by office1/);
    // A rejection is one conditional write: answered at once (200), no job.
    const rejected = await api('POST', '/corrections/monthly/2026-02/reject', 'finance1', 'finance', {
      reason: '复核无误',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.json).toMatchObject({ status: 'rejected', period: '2026-02' });
  });

  it('runs an acceptance delivered twice once: one correction, one decision', async () => {
    const id = await fileAppeal('2026-03', 'C01-002', '夜班漏记');
    const recorded = await recordJob('appeal-acceptance', 'office1', {
      id,
      reason: '属实',
      rows: { 'workload.csv': appealedRow('2026-03', 'C01-002', 50) },
    });
    const ref = { communityId: C, id: recorded.id };
    await Promise.all([runApiJob(runnerDeps(), ref), runApiJob(runnerDeps(), ref)]);
    const after = await runtime.repos.apiJobs.get(C, recorded.id);
    expect(after?.status, after?.error).toBe('done');
    const march = (await runtime.repos.corrections.list(C, 2026)).filter((c) => c.period === '2026-03');
    expect(march.map((c) => [c.revision, c.status])).toEqual([
      [2, 'completed'],
      [3, 'awaiting_review'],
    ]);
    const decisions = (await runtime.repos.audit.entries(C)).filter(
      (e) => e.action === 'appeal.accept' && e.subject.startsWith(`appeal ${id} `),
    );
    expect(decisions).toHaveLength(1);
  });
});
