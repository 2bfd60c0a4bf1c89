/**
 * No dataset through API Gateway (issue 12): the routes that take files in their body take only a small
 * fix (≤ 256 KB, kept on the job's record), and say how to send more — the upload store — before anything
 * is read or a job is recorded; a job's request over what its record holds is a 413.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { INLINE_FILES_BYTES } from '../../../shared/api/schemas.js';
import { as, call, completedMonth, type FakeWorld, fakeWorld, useWorld } from './helpers.js';

const office = as('office1', 'office');
const over = 'a'.repeat(INLINE_FILES_BYTES + 4);
let starts = 0;
let world: FakeWorld;

beforeEach(() => {
  world = fakeWorld();
  completedMonth(world);
  starts = 0;
  useWorld(world, {
    jobs: {
      async start() {
        starts++;
      },
    },
  });
});

describe('bounded file bodies', () => {
  it('POST /api/corrections: files over 256 KB are refused, pointing to the upload store; no job', async () => {
    const answer = await call('POST /api/corrections', {
      as: office,
      body: {
        kind: 'monthly',
        period: '2026-01',
        files: { 'workload.csv': btoa(over).slice(0, over.length) },
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.issues[0]).toMatchObject({
      path: 'body.files',
      message: expect.stringMatching(/上传.*upload-url.*upload/),
    });
    expect(starts).toBe(0);
  });

  it('POST /api/corrections: files or an upload, exactly one', async () => {
    for (const body of [
      { kind: 'monthly', period: '2026-01' },
      {
        kind: 'monthly',
        period: '2026-01',
        files: { 'workload.csv': 'YQ==' },
        upload: 'uploads/xingguo/office1/00000000-0000-4000-8000-000000000000/',
      },
    ]) {
      const answer = await call('POST /api/corrections', { as: office, body });
      expect(answer.status).toBe(400);
      expect(answer.json.issues[0].path).toBe('body.files');
    }
    expect(starts).toBe(0);
  });

  it('POST /api/corrections: a small fix in the body is a job (202), where it once was a 29 s recompute', async () => {
    const answer = await call('POST /api/corrections', {
      as: office,
      body: { kind: 'monthly', period: '2026-01', files: { 'workload.csv': 'YQ==' } },
    });
    expect(answer.status).toBe(202);
    expect(answer.headers.location).toBe(answer.json.location);
    expect(answer.json.job).toMatchObject({
      kind: 'correction',
      status: 'queued',
      request: { files: ['workload.csv'] },
    });
    expect(starts).toBe(1);
  });

  it("POST /api/corrections: an upload is the caller's own (403); a server without upload storage fails its job (501)", async () => {
    const upload = (user: string) => ({
      kind: 'monthly',
      period: '2026-01',
      upload: `uploads/xingguo/${user}/00000000-0000-4000-8000-000000000000/`,
    });
    const theirs = await call('POST /api/corrections', { as: office, body: upload('office2') });
    expect(theirs.status).toBe(403);
    expect(starts).toBe(0);
    // The runner of this process, which has no upload store (the route functions never read the bucket).
    const { jobs } = useWorld(world);
    const own = await call('POST /api/corrections', { as: office, body: upload('office1') });
    expect(own.status).toBe(202);
    await jobs.idle();
    const job = await call('GET /api/jobs/{id}', { as: office, params: { id: own.json.job.id } });
    expect(job.json).toMatchObject({ status: 'failed', errorStatus: 501 });
    expect(job.json.error).toMatch(/没有上传存储.*no upload storage/);
  });

  it('POST /api/appeals/{id}/accept: rows over 256 KB are refused, pointing to the upload store', async () => {
    const answer = await call('POST /api/appeals/{id}/accept', {
      as: office,
      params: { id: '2026-0001' },
      body: { reason: '属实', rows: { 'workload.csv': over } },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.issues[0]).toMatchObject({
      path: 'body.rows',
      message: expect.stringMatching(/upload-url/),
    });
    expect(starts).toBe(0);
  });
});
