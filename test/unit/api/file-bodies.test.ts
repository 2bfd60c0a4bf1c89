/**
 * No dataset through API Gateway (issue 12): the routes that take files in their body take only a small
 * fix (≤ 256 KB, kept on the job's record), and say how to send more — the upload store — before anything
 * is read or a job is recorded; a job's request over what its record holds is a 413. A dataset's import
 * in the body is held to the same 256 KB, and every route that takes a body refuses one over
 * MAX_JSON_BODY_BYTES (413) before it is parsed.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_JSON_BODY_BYTES } from '../../../shared/api/handler.js';
import { ROUTES, type RouteKey, routeParts } from '../../../shared/api/roles.js';
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

  it('POST /api/datasets: a dataset over 256 KB in the body is refused, pointing to upload-url; nothing is imported', async () => {
    const before = world.audit.length;
    // Valid base64 of a workload file a little over the bound.
    const workload = Buffer.from('x'.repeat(Math.ceil((INLINE_FILES_BYTES * 3) / 4) + 8)).toString('base64');
    const answer = await call('POST /api/datasets', {
      as: office,
      body: { files: { 'workload.csv': workload } },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.issues[0]).toMatchObject({
      path: 'body.files',
      message: expect.stringMatching(/上传.*datasets\/upload-url.*import-from-upload.*upload them/),
    });
    expect(world.audit.length).toBe(before);
  });
});

/** Every route that takes a body: the route table's POSTs (GETs take none). */
const BODY_ROUTES = (Object.keys(ROUTES) as RouteKey[]).filter((key) => routeParts(key).method === 'POST');

describe('every route that takes a body', () => {
  it('is more than a handful of routes (the table is read, not a list kept here)', () => {
    expect(BODY_ROUTES.length).toBeGreaterThan(20);
    expect(BODY_ROUTES).toContain('POST /api/datasets');
    expect(BODY_ROUTES).toContain('POST /api/simulations');
  });

  it.each(BODY_ROUTES)(
    '%s: a body over the bound is a 413 naming the upload store, before any work',
    async (key) => {
      const before = world.audit.length;
      const allowed = ROUTES[key].allow as readonly string[];
      const answer = await call(key, {
        as: {
          ...as('someone', ...allowed),
          claims: { 'custom:institutionId': 'C01', 'custom:departmentId': 'D1' },
        },
        rawBody: JSON.stringify({ files: { 'workload.csv': 'a'.repeat(MAX_JSON_BODY_BYTES) } }),
        contentType: 'application/json',
      });
      expect(answer.status, JSON.stringify(answer.json)).toBe(413);
      expect(answer.json.error).toMatch(/请求体超过.*upload-url.* \/ the body is over .*upload-url/);
      expect(starts).toBe(0);
      expect(world.audit.length).toBe(before);
    },
  );

  it('a body just under the bound reaches the route (its own checks answer)', async () => {
    const answer = await call('POST /api/publications', {
      as: as('office1', 'office'),
      rawBody: JSON.stringify({ pad: 'a'.repeat(MAX_JSON_BODY_BYTES - 100) }),
      contentType: 'application/json',
    });
    expect(answer.status).toBe(400);
  });
});
