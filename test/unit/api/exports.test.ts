/**
 * Pay sheets and HR's bank file: who may download them, what they contain, the audit entries, and on
 * AWS the S3 write and 5-minute presigned link (S3 mocked).
 */

import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { sfnImportStarter } from '../../../shared/api/import-starter.js';
import { lambdaJobStarter } from '../../../shared/api/job-starter.js';
import { jobView } from '../../../shared/api/job-view.js';
import type { ImportStarter } from '../../../shared/api/ports.js';
import { s3ExportSink, s3UploadStore } from '../../../shared/api/s3.js';
import { type ImportJobRef, prepareImport } from '../../../shared/app/import-workflow.js';
import { s3ImportStaging } from '../../../shared/aws/import-staging.js';
import { bilingual, NotFoundError } from '../../../shared/errors.js';
import { as, call, callJob, completedMonth, type FakeWorld, fakeWorld, useWorld } from './helpers.js';

const s3 = mockClient(S3Client);
const client = () =>
  new S3Client({ region: 'cn-north-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
const JAN = { kind: 'monthly', period: '2026-01' };
const hr = as('hr1', 'hr');
let world: FakeWorld;

beforeEach(() => {
  s3.reset();
  world = fakeWorld();
  completedMonth(world);
  useWorld(world);
});

describe('GET /api/sheets (a job, issue 12)', () => {
  it('answers 202 with the job and where to follow it; the job gives a link to the CSV, and the export is recorded', async () => {
    const office = as('office1', 'office');
    const { started, job, file } = await callJob('GET /api/sheets/{kind}/{period}', {
      as: office,
      params: JAN,
      query: { format: 'csv' },
    });
    expect(started.status).toBe(202);
    const id = started.json.job.id;
    expect(started.headers.location).toBe(`/api/communities/xingguo/jobs/${id}`);
    expect(started.json).toMatchObject({ job: { id, kind: 'sheet', status: 'queued', by: 'office1' } });
    expect(job.status).toBe(200);
    expect(job.json).toMatchObject({
      id,
      status: 'done',
      request: { kind: 'monthly', period: '2026-01', format: 'csv' },
      result: { download: { filename: 'paysheet-2026-01.csv', expiresIn: 300 } },
    });
    expect(file!.contentType).toMatch(/^text\/csv/);
    const text = file!.bytes.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('应发合计');
    expect(text).toContain('4234.56');
    // Pay sheets never show bank accounts.
    expect(text).not.toContain('6222021234567891234');
    expect(world.audit).toEqual([
      expect.objectContaining({
        actor: 'office1',
        action: 'export.sheet',
        subject: 'monthly 2026-01 r1',
        details: expect.objectContaining({
          format: 'csv',
          rows: 2,
          target: `api ${started.json.job.requestId}`,
        }),
      }),
    ]);
  });

  it('gives the whole sheet as JSON lines with yuan strings', async () => {
    const { file } = await callJob('GET /api/sheets/{kind}/{period}', {
      as: as('finance1', 'finance'),
      params: JAN,
      query: { format: 'json' },
    });
    const lines = JSON.parse(file!.bytes.toString('utf8'));
    expect(lines[1]).toMatchObject({
      staffId: 'C01-002',
      name: '李护士',
      basic: '2800.00',
      adjustment: '-5.00',
      gross: '3795.01',
    });
  });

  it('is 409 while the cycle awaits review, and 404 for a cycle never run: no job, nothing exported', async () => {
    world.addCycle('quarterly', '2026-Q1', 'awaiting_review');
    const answer = await call('GET /api/sheets/{kind}/{period}', {
      as: hr,
      params: { kind: 'quarterly', period: '2026-Q1' },
    });
    expect(answer.status).toBe(409);
    const missing = await call('GET /api/sheets/{kind}/{period}', {
      as: hr,
      params: { kind: 'monthly', period: '2026-05' },
    });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatch(/没有.*has no monthly cycle 2026-05/);
    expect(world.audit).toHaveLength(0);
  });

  it('records a failure found by the runner on the job, in both languages, with its status', async () => {
    // What only the runner finds (here: the results it reads are gone) fails the job, not the request.
    (world.repos.results as { payLines: unknown }).payLines = async () => {
      throw new NotFoundError(bilingual('结果缺失', 'the results are missing'));
    };
    const { started, job } = await callJob('GET /api/sheets/{kind}/{period}', { as: hr, params: JAN });
    expect(started.status).toBe(202);
    expect(job.json).toMatchObject({
      status: 'failed',
      error: '结果缺失 / the results are missing',
      errorStatus: 404,
    });
    expect(world.audit).toHaveLength(0);
  });
});

describe('GET /api/jobs/{id}', () => {
  it('lets the asker and the roles that may start its kind read a job; not another role, not another community', async () => {
    const started = await call('GET /api/bank/{kind}/{period}', { as: hr, params: JAN, query: HR_CSV });
    expect(started.status).toBe(202);
    const id = started.json.job.id;
    const read = (who: ReturnType<typeof as>, community?: string) =>
      call('GET /api/jobs/{id}', { as: who, params: { id, ...(community ? { community } : {}) } });
    expect((await read(as('hr2', 'hr'))).status).toBe(200);
    // Finance may not download bank files, so it may not read their jobs either.
    const finance = await read(as('finance1', 'finance'));
    expect(finance.status).toBe(403);
    expect(finance.json.error).toMatch(/只有发起人.* \/ only its asker/);
    expect(JSON.stringify(finance.json)).not.toContain('download');
    // Another community holds no such job (and the same role there is refused by the route itself).
    expect((await read(as('hr1', 'hr', 'other:hr'), 'other')).status).toBe(404);
  });

  it('reads a job whose runner died (out of time) as failed, and an unknown id as 404', async () => {
    const started = await call('GET /api/sheets/{kind}/{period}', {
      as: hr,
      params: JAN,
      query: { format: 'csv' },
    });
    const id = started.json.job.id;
    // A runner that never finished: taken 20 minutes ago (its limit is 15), still recorded running.
    const job = (await world.repos.apiJobs.get('xingguo', id))!;
    const stale = {
      ...job,
      status: 'running' as const,
      startedAt: new Date(Date.now() - 20 * 60_000).toISOString(),
    };
    expect(jobView(stale).status).toBe('failed');
    expect(jobView(stale).error).toMatch(/后台任务未完成.* \/ the job did not finish/);
    expect(jobView({ ...stale, startedAt: new Date().toISOString() }).status).toBe('running');
    const unknown = await call('GET /api/jobs/{id}', {
      as: hr,
      params: { id: '0b7c9e2e-1111-4a4a-8b8b-123456789abc' },
    });
    expect(unknown.status).toBe(404);
  });
});

// HR's own CSV named outright: the community's chosen format (issue 16) is read from the table, which
// this stand-in does not have; test/integration/reports/bank-settings-api.test.ts covers that default.
const HR_CSV = { format: 'csv' };
// A card number of the stand-in's staff (helpers.ts), not its 4-digit prefix: a random request id may hold "6222".
const ACCOUNT_NUMBER = /622202\d{6,}/;

describe('GET /api/bank (a job, issue 12)', () => {
  it('a finance user cannot download the bank file (403), and no job is made', async () => {
    const answer = await call('GET /api/bank/{kind}/{period}', {
      as: as('finance1', 'finance'),
      params: JAN,
    });
    expect(answer.status).toBe(403);
    expect(answer.bytes.toString()).not.toMatch(ACCOUNT_NUMBER);
  });

  it('HR gets the accounts and amounts through the link; the job and the audit entry have neither', async () => {
    const { started, job, file } = await callJob('GET /api/bank/{kind}/{period}', {
      as: hr,
      params: JAN,
      query: HR_CSV,
    });
    expect(started.status).toBe(202);
    const text = file!.bytes.toString('utf8');
    expect(text).toContain('6222021234567891234');
    expect(text).toContain('4234.56');
    expect(world.audit).toHaveLength(1);
    expect(world.audit[0]).toMatchObject({
      actor: 'hr1',
      action: 'export.bank',
      details: { format: 'csv', lines: 2, total: '8029.57', notTransferred: 0 },
    });
    expect(job.json.result.json).toMatchObject({
      lines: 2,
      total: '8029.57',
      notTransferred: [],
      notTransferredCount: 0,
    });
    expect(JSON.stringify(world.audit)).not.toMatch(ACCOUNT_NUMBER);
    expect(JSON.stringify(job.json)).not.toMatch(ACCOUNT_NUMBER);
  });

  it('leaves out (and lists) whoever has no account, rather than refusing the whole file', async () => {
    delete world.staff[1]!.bankAccount;
    const { job, file } = await callJob('GET /api/bank/{kind}/{period}', {
      as: hr,
      params: JAN,
      query: HR_CSV,
    });
    expect(job.json.result.json.notTransferredCount).toBe(1);
    expect(job.json.result.json.notTransferred[0]).toMatchObject({ staffId: 'C01-002' });
    const text = file!.bytes.toString('utf8');
    expect(text).toContain('C01-001');
    expect(text).not.toContain('C01-002');
  });
});

describe('on AWS: the exports bucket', () => {
  it('the runner writes the file under exports/ and the job gives a 5-minute presigned GET link', async () => {
    s3.on(PutObjectCommand).resolves({});
    useWorld(world, { exports: s3ExportSink('medcomm-exports', client()) });
    const { started, job } = await callJob('GET /api/sheets/{kind}/{period}', {
      as: hr,
      params: JAN,
      query: { format: 'xlsx' },
    });
    expect(started.status).toBe(202);
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put.Bucket).toBe('medcomm-exports');
    expect(put.Key).toMatch(/^exports\/sheets\/monthly\/2026-01\/[0-9a-f-]{36}\/paysheet-2026-01\.xlsx$/);
    const link = job.json.result.download;
    const url = new URL(link.url);
    expect(url.pathname).toContain(encodeURI(put.Key!).replace(/^\//, ''));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('response-content-disposition')).toContain('attachment');
    expect(link.expiresIn).toBe(300);
  });

  it('keeps bank files under bank/ (a shorter lifecycle) and never in an answer', async () => {
    s3.on(PutObjectCommand).resolves({});
    useWorld(world, { exports: s3ExportSink('medcomm-exports', client()) });
    const { started, job } = await callJob('GET /api/bank/{kind}/{period}', {
      as: hr,
      params: JAN,
      query: HR_CSV,
    });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Key).toMatch(/^bank\/monthly\/2026-01\//);
    expect(job.json.result).toMatchObject({
      download: { url: expect.stringContaining('X-Amz-Expires=300') },
      json: { lines: 2, notTransferred: [] },
    });
    expect(started.bytes.toString()).not.toMatch(ACCOUNT_NUMBER);
    expect(job.bytes.toString()).not.toMatch(ACCOUNT_NUMBER);
  });

  it('fails the job on S3 throttling (SlowDown) with 503 and a retry message', async () => {
    s3.on(PutObjectCommand).rejects(
      Object.assign(new Error('Please reduce your request rate.'), {
        name: 'SlowDown',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    useWorld(world, { exports: s3ExportSink('medcomm-exports', client()) });
    const { job } = await callJob('GET /api/sheets/{kind}/{period}', { as: hr, params: JAN });
    expect(job.json).toMatchObject({ status: 'failed', errorStatus: 503 });
    expect(job.json.error).toMatch(/稍后重试/);
  });

  it('starts the runner with an asynchronous invoke of the RunApiJob function', async () => {
    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    useWorld(world, {
      jobs: lambdaJobStarter('medcomm-run-api-job', new LambdaClient({ region: 'cn-north-1' })),
    });
    const started = await call('GET /api/audit/verify', { as: as('auditor1', 'auditor') });
    expect(started.status).toBe(202);
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'medcomm-run-api-job', InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({
      communityId: 'xingguo',
      id: started.json.job.id,
    });
    // Lambda refusing the event fails the job and the request.
    lambda.on(InvokeCommand).resolves({ StatusCode: 500 });
    const refused = await call('GET /api/audit/verify', { as: as('auditor1', 'auditor') });
    expect(refused.status).toBe(500);
    lambda.restore();
  });
});

describe('on AWS: dataset uploads', () => {
  const office = as('office1', 'office');
  const IMPORT_ID = '0b7c9e2e-1111-4a4a-8b8b-123456789abc';
  /** What a test's import starter was asked to start. */
  let started: ImportJobRef[];
  /** The import machine's first step, as StartExecution would run it, on the mocked import bucket. */
  const runningFirstStep = (): ImportStarter => ({
    async start(job) {
      started.push(job);
      await prepareImport(world.repos, s3ImportStaging('medcomm-imports', client()), job);
    },
  });
  const onAws = () =>
    useWorld(world, { uploads: s3UploadStore('medcomm-imports', client()), imports: runningFirstStep() });
  beforeEach(() => {
    started = [];
  });

  it('hands out presigned PUT URLs into the import bucket under the community, the uploader and a fresh import id', async () => {
    onAws();
    const answer = await call('POST /api/datasets/upload-url', {
      as: office,
      body: { files: ['staff.csv', 'workload.csv'] },
    });
    expect(answer.status).toBe(200);
    expect(answer.json.prefix).toMatch(/^uploads\/xingguo\/office1\/[0-9a-f-]{36}\/$/);
    expect(answer.json.prefix).toBe(`uploads/xingguo/office1/${answer.json.importId}/`);
    const url = new URL(answer.json.files[0].url);
    expect(url.hostname + url.pathname).toContain('medcomm-imports');
    expect(url.pathname).toContain(`${answer.json.prefix}staff.csv`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
  });

  it('gives communities whose ids are not plain ASCII prefixes of their own', () => {
    const store = s3UploadStore('medcomm-imports', client());
    expect(store.ownPrefix('兴国', 'office1')).not.toBe(store.ownPrefix('瑞金', 'office1'));
    expect(store.ownPrefix('兴国', 'office1')).toMatch(/^uploads\/[A-Za-z0-9._~-]+\/office1\/$/);
  });

  it('names an unknown file in body.files', async () => {
    onAws();
    const answer = await call('POST /api/datasets/upload-url', { as: office, body: { files: ['staf.csv'] } });
    expect(answer.status).toBe(400);
    expect(answer.json.issues[0].path).toBe('body.files.0');
  });

  it('takes Excel workbooks beside the dataset files (the workflow reads them)', async () => {
    onAws();
    const answer = await call('POST /api/datasets/upload-url', {
      as: office,
      body: { files: ['数据集.xlsx', 'scheme.json'] },
    });
    expect(answer.status).toBe(200);
    expect(answer.json.files.map((f: { name: string }) => f.name)).toEqual(['数据集.xlsx', 'scheme.json']);
    const bad = await call('POST /api/datasets/upload-url', {
      as: office,
      body: { files: ['../staff.csv'] },
    });
    expect(bad.status).toBe(400);
  });

  it("imports only from the caller's own uploads in the path's community (403 otherwise)", async () => {
    onAws();
    for (const prefix of [`uploads/xingguo/office2/${IMPORT_ID}/`, `uploads/OTHER/office1/${IMPORT_ID}/`]) {
      const answer = await call('POST /api/datasets/import-from-upload', { as: office, body: { prefix } });
      expect(answer.status).toBe(403);
    }
    expect(started).toEqual([]);
    expect(s3).not.toHaveReceivedCommand(ListObjectsV2Command);
  });

  it('starts the import workflow and answers 202; GET shows the refusal with every issue, grouped', async () => {
    const prefix = `uploads/xingguo/office1/${IMPORT_ID}/`;
    const uploaded: Record<string, string> = {
      'scheme.json': JSON.stringify({ community: { id: 'xingguo' }, year: 2026 }),
      'staff.csv': 'staffId,name\n',
    };
    s3.on(ListObjectsV2Command).resolves({
      Contents: Object.keys(uploaded).map((name) => ({ Key: `${prefix}${name}`, Size: 10 })),
      IsTruncated: false,
    });
    // Only the part of the SDK stream the staging reads.
    for (const [name, text] of Object.entries(uploaded)) {
      s3.on(GetObjectCommand, { Key: `${prefix}${name}` }).resolves({
        Body: { transformToByteArray: async () => new TextEncoder().encode(text) },
      } as never);
    }
    onAws();
    const answer = await call('POST /api/datasets/import-from-upload', { as: office, body: { prefix } });
    expect(answer.status).toBe(202);
    expect(answer.json.importId).toBe(IMPORT_ID);
    expect(started).toEqual([{ id: IMPORT_ID, prefix, by: 'office1', communityId: 'xingguo' }]);
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, {
      Bucket: 'medcomm-imports',
      Key: `${prefix}staff.csv`,
    });
    const state = await call('GET /api/datasets/imports/{importId}', {
      as: office,
      params: { importId: IMPORT_ID },
    });
    expect(state.status).toBe(200);
    expect(state.json.status).toBe('refused');
    expect(state.json.issues.length).toBeGreaterThan(1);
    expect(state.json.issueCount).toBe(state.json.issues.length);
    expect(state.json.issues[0]).toHaveProperty('file');
    expect(state.json.groups.length).toBeGreaterThan(0);
    // Another community's office does not see it; an unknown import is 404.
    const elsewhere = await call('GET /api/datasets/imports/{importId}', {
      as: as('office1', 'OTHER:office'),
      params: { importId: IMPORT_ID, community: 'OTHER' },
    });
    expect(elsewhere.status).toBe(404);
    const unknown = await call('GET /api/datasets/imports/{importId}', {
      as: office,
      params: { importId: '0b7c9e2e-2222-4a4a-8b8b-123456789abc' },
    });
    expect(unknown.status).toBe(404);
  });

  it('a retried start keeps the same import (same record, same execution name)', async () => {
    const sfn = mockClient(SFNClient);
    try {
      sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
      const starter = sfnImportStarter(
        'arn:aws-cn:states:cn-north-1:111111111111:stateMachine:medcomm-import',
        new SFNClient({
          region: 'cn-north-1',
          credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
        }),
      );
      useWorld(world, { uploads: s3UploadStore('medcomm-imports', client()), imports: starter });
      const prefix = `uploads/xingguo/office1/${IMPORT_ID}/`;
      for (let i = 0; i < 2; i++) {
        const answer = await call('POST /api/datasets/import-from-upload', {
          as: office,
          body: { prefix, year: 2026 },
        });
        expect(answer.status).toBe(202);
        expect(answer.json.importId).toBe(IMPORT_ID);
      }
      const job = { id: IMPORT_ID, prefix, by: 'office1', communityId: 'xingguo', year: 2026 };
      expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
      expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
        name: `import-${IMPORT_ID}`,
        input: JSON.stringify({ job }),
      });
      const state = await call('GET /api/datasets/imports/{importId}', {
        as: office,
        params: { importId: IMPORT_ID },
      });
      expect(state.json).toMatchObject({ importId: IMPORT_ID, status: 'parsing', by: 'office1' });
    } finally {
      sfn.restore();
    }
  });

  it('locally there is no object storage: 501 pointing to POST /api/datasets', async () => {
    const answer = await call('POST /api/datasets/upload-url', {
      as: office,
      body: { files: ['staff.csv'] },
    });
    expect(answer.status).toBe(501);
    expect(answer.json.error).toContain('POST /api/datasets');
  });
});
