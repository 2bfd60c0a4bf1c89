/**
 * The appeal routes over `medcomm serve`'s real server (DynamoDB Local, the local state machines): a member
 * files only for the institution its token names and only during the publication window; it lists only its
 * own appeals; the office decides (accepting opens a correction), finance and the auditor read, HR and
 * staff may not; a bad body is a 400 naming the field.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../../cli/serve.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { runFirstQuarter } from '../../reliability/helpers.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';
import { readDatasetFiles } from '../workflows/dataset-files.js';
import { callAs } from './serve-client.js';

const TINY = new URL('../../fixtures/tiny/dataset', import.meta.url).pathname;
const BASE = '/api/communities/county7';
let runtime: LocalRuntime;
let server: ApiServer;
let header = '';
let corrected = '';

const api = (method: 'GET' | 'POST', path: string, user: string, group: string, body?: unknown) =>
  callAs(server, method, `${BASE}${path}`, user, group, body);

beforeAll(async () => {
  const files = await readDatasetFiles(TINY);
  const workload = files['workload.csv']!.split(/\r?\n/);
  header = workload[0]!;
  const cells = workload.find((l) => l.startsWith('2026-02,C01-001,'))!.split(',');
  cells[2] = String(Number(cells[2]) + 120);
  corrected = cells.join(',');
  runtime = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `appeals-api-${randomBytes(4).toString('hex')}`,
    workflows: { retryIntervalMs: 0 },
  });
  await importDataset(runtime.repos, { files }, 'office1');
  await runFirstQuarter(runtime, 'county7');
  server = await startApiServer({ repos: runtime.repos, executions: runtime.workflows, port: 0 });
}, 240_000);

afterAll(async () => {
  await server?.close();
  await runtime?.close();
});

/** POST …/accept: 202 with the job's Location; the job's record once the server's background is idle. */
async function accept(user: string, body: unknown) {
  const started = await api('POST', '/appeals/2026-0001/accept', user, 'office', body);
  expect(started.status, JSON.stringify(started.json)).toBe(202);
  expect(started.json.location).toMatch(/^\/api\/communities\/county7\/jobs\//);
  await server.idle();
  return (await api('GET', started.json.location.slice(BASE.length), user, 'office')).json;
}

const appeal = { period: '2026-02', staffId: 'C01-001', reason: '手术工分漏记', attachments: ['记录.pdf'] };

describe('the appeal routes', () => {
  it('refuse an appeal before publication (409), and publish Q1', async () => {
    const early = await api('POST', '/appeals', 'member1', 'member', appeal);
    expect(early.status).toBe(409);
    expect(early.json.error).toMatch(/has not been published/);
    const published = await api('POST', '/publications', 'office1', 'office', {
      kind: 'quarterly',
      period: '2026-Q1',
      to: '2099-01-01T00:00:00Z',
    });
    expect(published.status).toBe(201);
  });

  it('keep a member to the institution its token names', async () => {
    const other = await api('POST', '/appeals', 'member1', 'member', { ...appeal, institutionId: 'C02' });
    expect(other.status).toBe(403);
    expect(other.json.error).toMatch(/only for its own institution \(C01\)/);
    const colleague = await api('POST', '/appeals', 'member1', 'member', { ...appeal, staffId: 'C02-001' });
    expect(colleague.status).toBe(404);
    const office = await api('POST', '/appeals', 'office1', 'office', appeal);
    expect(office.status).toBe(403);
    const bad = await api('POST', '/appeals', 'member1', 'member', { period: '2026-02', reason: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json.issues[0].path).toBe('body.indicatorId');
  });

  it('file an appeal that the member, the office, finance and the auditor see — not HR or staff', async () => {
    const filed = await api('POST', '/appeals', 'member1', 'member', appeal);
    expect(filed.status).toBe(201);
    expect(filed.json).toMatchObject({ id: '2026-0001', institutionId: 'C01', filedBy: 'member1' });
    for (const [user, group] of [
      ['member1', 'member'],
      ['office1', 'office'],
      ['finance1', 'finance'],
      ['auditor1', 'auditor'],
    ] as const) {
      const list = await api('GET', '/appeals', user, group);
      expect([user, list.status, list.json.appeals.map((a: { id: string }) => a.id)]).toEqual([
        user,
        200,
        ['2026-0001'],
      ]);
    }
    expect((await api('GET', '/appeals', 'hr1', 'hr')).status).toBe(403);
    expect((await api('GET', '/appeals', 'staff1', 'staff')).status).toBe(403);
  });

  it('let only the office decide; accepting opens a correction awaiting finance', async () => {
    const body = { reason: '属实', rows: { 'workload.csv': `${header}\n${corrected}\n` } };
    expect((await api('POST', '/appeals/2026-0001/accept', 'member1', 'member', body)).status).toBe(403);
    expect((await api('POST', '/appeals/2026-0001/accept', 'finance1', 'finance', body)).status).toBe(403);
    // Accepting recomputes the period: a job (issue 12), 202 and its Location; its record says how it ended.
    const wrongFile = await accept('office1', {
      reason: '属实',
      rows: { 'finance.csv': 'period,institutionId,category,amount\n2026-02,C01,bed,1.00\n' },
    });
    expect(wrongFile).toMatchObject({ status: 'failed', errorStatus: 422 });
    expect(wrongFile.issues[0]).toMatchObject({ file: 'finance.csv', rule: 'file.unknown' });
    const accepted = await accept('office1', body);
    expect(accepted.status).toBe('done');
    expect(accepted.result.json.appeal).toMatchObject({
      status: 'accepted',
      correction: { period: '2026-02' },
    });
    expect(accepted.result.json.correction).toMatchObject({ status: 'awaiting_review', kind: 'monthly' });
    const again = await api('POST', '/appeals/2026-0001/reject', 'office2', 'office', { reason: 'x' });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatch(/already decided by office1/);
  });
});
