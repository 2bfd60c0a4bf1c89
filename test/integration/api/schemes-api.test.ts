/**
 * The schemes API over `medcomm serve`'s real server: a draft whose files break the import rules is
 * refused naming file, row and column; drafting, the diff against the scheme in force, simulating the
 * draft's files directly, and the committee's decisions (a rejection needs a reason; the office may not
 * decide).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../../cli/serve.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';
import { callAs } from './serve-client.js';

const DATASET = join(import.meta.dirname, '../../fixtures/tiny/dataset');
let runtime: LocalRuntime;
let server: ApiServer;
let indicators: string;

const api = (method: 'GET' | 'POST', path: string, as: [string, string], body?: unknown) =>
  callAs(server, method, path, as[0], as[1], body);
const office: [string, string] = ['office1', 'office'];
const committee: [string, string] = ['committee1', 'committee'];

beforeAll(async () => {
  runtime = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `schemes-api-${randomBytes(4).toString('hex')}`,
  });
  await importDataset(runtime.repos, { dir: DATASET }, 'office1');
  server = await startApiServer({ repos: runtime.repos, executions: runtime.workflows, port: 0 });
  indicators = await readFile(join(DATASET, 'indicators.csv'), 'utf8');
}, 120_000);

afterAll(async () => {
  await server?.close();
  await runtime?.close();
});

describe('the schemes API', () => {
  it('refuses a draft that breaks the import rules, naming file, row and column (422)', async () => {
    const bad = indicators.replace('ge_target,10,120', 'ge_target,0,120');
    const answer = await api('POST', '/api/communities/county7/schemes', office, {
      year: 2026,
      files: { 'indicators.csv': bad },
    });
    expect(answer.status).toBe(422);
    expect(answer.json.issues).toContainEqual(
      expect.objectContaining({ file: 'indicators.csv', row: 5, column: 'weight' }),
    );
    expect((await api('GET', '/api/communities/county7/schemes', office)).json.versions).toEqual([]);
  });

  it('drafts from files, diffs against the scheme in force, and simulates files directly', async () => {
    const changed = indicators.replace('ge_target,10,120', 'ge_target,10,200');
    const created = await api('POST', '/api/communities/county7/schemes', office, {
      year: 2026,
      files: { 'indicators.csv': changed },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ version: 1, status: 'draft', createdBy: 'office1' });

    const diff = await api('GET', '/api/communities/county7/schemes/2026/1/diff', committee);
    expect(diff.json.changes).toEqual([
      expect.objectContaining({
        kind: 'indicator.changed',
        id: 'referrals_down',
        field: 'target',
        from: '120',
        to: '200',
      }),
    ]);

    // A simulation is a job (issue 12): 202 and its Location; the answer is on the job once it is done.
    const simulate = async (as: [string, string], body: unknown) => {
      const started = await api('POST', '/api/communities/county7/simulations', as, body);
      expect(started.status).toBe(202);
      await server.idle();
      const job = await api('GET', started.json.location as string, as);
      expect(job.json.status, JSON.stringify(job.json)).toBe('done');
      return { status: 200, json: (job.json.result as { json: Record<string, unknown> }).json };
    };
    const byVersion = await simulate(committee, { year: 2026, version: 1 });
    const byFiles = await simulate(office, { year: 2026, files: { 'indicators.csv': changed } });
    // A draft that does not read, and a version that does not exist, are refused at once (no job).
    const broken = await api('POST', '/api/communities/county7/simulations', office, {
      year: 2026,
      files: { 'scheme.json': '{' },
    });
    expect([400, 422]).toContain(broken.status);
    expect(
      (await api('POST', '/api/communities/county7/simulations', office, { year: 2026, version: 9 })).status,
    ).toBe(404);
    expect(byVersion.status).toBe(200);
    expect(byFiles.json.counts).toEqual(byVersion.json.counts);
    expect(byFiles.json.distribution).toEqual(byVersion.json.distribution);
    expect((byVersion.json.periods as unknown[]).length).toBe(17);
  });

  it('lets only the committee decide, and a rejection needs a reason', async () => {
    expect((await api('POST', '/api/communities/county7/schemes/2026/1/submit', office)).status).toBe(200);
    expect((await api('POST', '/api/communities/county7/schemes/2026/1/approve', office)).status).toBe(403);
    const noReason = await api('POST', '/api/communities/county7/schemes/2026/1/reject', committee, {});
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.json)).toContain('body.reason');
    const rejected = await api('POST', '/api/communities/county7/schemes/2026/1/reject', committee, {
      reason: '目标过高',
    });
    expect(rejected.json).toMatchObject({ status: 'rejected', decidedBy: 'committee1', reason: '目标过高' });
    expect((await api('POST', '/api/communities/county7/schemes/2026/1/publish', committee)).status).toBe(
      409,
    );
    const list = await api('GET', '/api/communities/county7/schemes', ['auditor1', 'auditor']);
    expect(list.json).toMatchObject({
      year: 2026,
      inForce: { source: 'dataset', version: null },
      pending: [],
    });
  });
});
