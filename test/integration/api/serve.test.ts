/**
 * `medcomm serve` end to end, in-process: the real node:http server, the real handlers, DynamoDB Local
 * and the local state machines. Office imports the tiny dataset and runs January–March and Q1 over
 * HTTP; finance2 approves what office1 started; HR downloads the Q1 sheet as CSV and XLSX, and the
 * amounts are the golden ones. One runtime for the file (opening one is the slow part).
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../../cli/serve.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { readXlsx } from '../../unit/export/xlsx-reader.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/tiny');
let runtime: LocalRuntime;
let server: ApiServer;
const tokens: Record<string, string> = {};

async function api(method: string, path: string, options: { as?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.as) headers.authorization = `Bearer ${tokens[options.as]}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    bytes,
    json: type.startsWith('application/json') ? JSON.parse(bytes.toString('utf8')) : undefined,
  };
}

/**
 * A route that answers with a job (issue 12: whole sheets, bank files, audit verify): 202 and a Location;
 * once the server's jobs are idle the job is read there and its link followed as a browser would (no token).
 */
async function job(path: string, as: string) {
  const started = await api('GET', path, { as });
  expect(started.status, JSON.stringify(started.json)).toBe(202);
  const location = started.headers.get('location')!;
  expect(location).toBe(`/api/communities/county7/jobs/${started.json.job.id}`);
  await server.idle();
  const ended = await api('GET', location, { as });
  expect(ended.status).toBe(200);
  const url: string | undefined = ended.json.result?.download?.url;
  if (!url) return { job: ended.json, file: undefined };
  const response = await fetch(url);
  return {
    job: ended.json,
    file: {
      status: response.status,
      headers: response.headers,
      bytes: Buffer.from(await response.arrayBuffer()),
    },
  };
}

beforeAll(async () => {
  // The run's DynamoDB Local with a table of our own (the same isolation as the other integration tests).
  const tableName = `api-${randomBytes(4).toString('hex')}`;
  runtime = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName,
    workflows: { retryIntervalMs: 0 },
  });
  server = await startApiServer({ repos: runtime.repos, executions: runtime.workflows, port: 0 });
  for (const user of ['office1', 'hr1', 'finance1', 'finance2', 'auditor1']) {
    const login = await api('POST', '/api/auth/dev-login', { body: { user } });
    expect(login.status).toBe(200);
    tokens[user] = login.json.token;
  }
});

afterAll(async () => {
  await server?.close();
  await runtime?.close();
});

describe('medcomm serve', () => {
  it('refuses a request without a token, as the gateway would', async () => {
    expect((await api('GET', '/api/communities/county7/cycles')).status).toBe(401);
    // A sample user holds the role in every community here (none imported yet).
    expect((await api('GET', '/api/me', { as: 'hr1' })).json).toEqual({
      user: 'hr1',
      groups: [],
      communities: [],
      anyCommunity: ['hr'],
    });
  });

  it('signs in only the sample users', async () => {
    const answer = await api('POST', '/api/auth/dev-login', { body: { user: 'root' } });
    expect(answer.status).toBe(400);
    expect(answer.json.issues[0].path).toBe('body.user');
  });

  it('imports the tiny dataset through POST /api/datasets', async () => {
    const dir = join(FIXTURES, 'dataset');
    const files: Record<string, string> = {};
    for (const name of await readdir(dir)) files[name] = (await readFile(join(dir, name))).toString('base64');
    const answer = await api('POST', '/api/communities/county7/datasets', { as: 'office1', body: { files } });
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({ year: 2026, version: 1, importedBy: 'office1' });
  });

  it('runs January to March, each to completion', async () => {
    for (const period of ['2026-01', '2026-02', '2026-03']) {
      const answer = await api('POST', '/api/communities/county7/cycles', {
        as: 'office1',
        body: { kind: 'monthly', period },
      });
      expect(answer.status).toBe(201);
      expect(answer.json.cycle).toMatchObject({ period, status: 'completed', startedBy: 'office1' });
    }
  });

  it('runs Q1 to the finance review, which finance sees with its pools', async () => {
    const started = await api('POST', '/api/communities/county7/cycles', {
      as: 'office1',
      body: { kind: 'quarterly', period: '2026-Q1' },
    });
    expect(started.status).toBe(201);
    expect(started.json.cycle).toMatchObject({
      status: 'awaiting_review',
      waitsFor: { what: 'finance_review', notBy: 'office1' },
    });

    const reviews = await api('GET', '/api/communities/county7/reviews', { as: 'finance2' });
    expect(reviews.json.reviews).toHaveLength(1);
    const golden = JSON.parse(
      await readFile(join(FIXTURES, 'expected/quarterly/2026-Q1/bulletin.json'), 'utf8'),
    );
    const pools = reviews.json.reviews[0].details.institutions.map(
      (i: { institutionId: string; pool: string }) => [i.institutionId, i.pool],
    );
    expect(pools).toEqual(
      golden.institutions.map((i: { institutionId: string; pool: string }) => [i.institutionId, i.pool]),
    );

    const overview = await api('GET', '/api/communities/county7/cycles', { as: 'auditor1' });
    const q2 = overview.json.cycles.find((c: { period: string }) => c.period === '2026-Q2');
    expect(q2.waitsFor).toMatchObject({ what: 'prerequisites' });
  });

  it('lets neither HR nor the sheet be had before approval; finance2 approves and Q1 completes', async () => {
    expect(
      (await api('POST', '/api/communities/county7/cycles/quarterly/2026-Q1/approve', { as: 'hr1' })).status,
    ).toBe(403);
    expect(
      (await api('GET', '/api/communities/county7/sheets/quarterly/2026-Q1', { as: 'hr1' })).status,
    ).toBe(409);
    const approved = await api('POST', '/api/communities/county7/cycles/quarterly/2026-Q1/approve', {
      as: 'finance2',
    });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({
      status: 'completed',
      decision: { approved: true, by: 'finance2' },
    });
  });

  it('downloads the Q1 sheet as CSV with the golden amounts', async () => {
    const { job: done, file: answer } = await job(
      '/api/communities/county7/sheets/quarterly/2026-Q1?format=csv',
      'hr1',
    );
    expect(done).toMatchObject({ status: 'done', kind: 'sheet', by: 'hr1' });
    expect(answer!.status).toBe(200);
    expect(answer!.headers.get('content-disposition')).toContain('paysheet-2026-Q1.csv');
    const rows = answer!.bytes
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .map((line) => line.split(','));
    const header = rows[0]!;
    const [staffCol, surplusCol] = [header.indexOf('工号'), header.indexOf('季度结余奖励')];
    const golden: { staffId: string; quarterlySurplus: string }[] = JSON.parse(
      await readFile(join(FIXTURES, 'expected/quarterly/2026-Q1/paysheet.json'), 'utf8'),
    );
    const bodyRows = rows.slice(1).filter((r) => r[staffCol]);
    expect(bodyRows.map((r) => [r[staffCol], r[surplusCol]])).toEqual(
      golden.map((g) => [g.staffId, g.quarterlySurplus]),
    );
    expect(rows.at(-1)![0]).toBe('合计');
  });

  it('downloads the Q1 sheet as XLSX', async () => {
    const { file: answer } = await job(
      '/api/communities/county7/sheets/quarterly/2026-Q1?format=xlsx',
      'finance1',
    );
    expect(answer!.status).toBe(200);
    expect(answer!.headers.get('content-type')).toContain('spreadsheetml');
    const book = readXlsx(answer!.bytes);
    const cells = book.sheets.flatMap((s) => s.cells.map((c) => ({ sheet: s, cell: c })));
    const person = cells.find((c) => c.cell.text === 'C01-001');
    expect(person).toBeDefined();
    const row = person!.sheet.row(person!.cell.row).map((c) => c?.text);
    expect(row).toContain('2641.26');
  });

  it('shows the Q1 bulletin as JSON, and as a printable page to the auditor but not to HR', async () => {
    const json = await api('GET', '/api/communities/county7/reports/quarterly/2026-Q1', { as: 'office1' });
    expect(json.status).toBe(200);
    expect(json.json).toMatchObject({ kind: 'quarterly', period: '2026-Q1', revision: 1 });
    expect(JSON.stringify(json.json.report)).toContain('C01');
    const html = await api('GET', '/api/communities/county7/reports/quarterly/2026-Q1?format=html', {
      as: 'auditor1',
    });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(html.bytes.toString('utf8')).toContain('<html');
    expect(
      (await api('GET', '/api/communities/county7/reports/quarterly/2026-Q1', { as: 'hr1' })).status,
    ).toBe(403);
    expect(
      (await api('GET', '/api/communities/county7/reports/quarterly/2026-Q2', { as: 'office1' })).status,
    ).toBe(404);
  });

  it('gives HR the bank file and records every step in the audit trail', async () => {
    const bank = await job('/api/communities/county7/bank/quarterly/2026-Q1', 'hr1');
    expect(bank.file!.status).toBe(200);
    expect(bank.file!.bytes.toString('utf8')).toContain('6290830166131868');
    // The job's record has the counts, never an account; finance may not read it.
    expect(JSON.stringify(bank.job)).not.toContain('6290830166131868');
    expect(
      (await api('GET', `/api/communities/county7/jobs/${bank.job.id}`, { as: 'finance1' })).status,
    ).toBe(403);
    // The link is the file's only key, and it expires: a made-up one is 404.
    expect((await fetch(`${server.url}/downloads/${'0'.repeat(32)}/x.csv`)).status).toBe(404);
    expect(
      (await api('GET', '/api/communities/county7/bank/quarterly/2026-Q1', { as: 'finance1' })).status,
    ).toBe(403);

    const audit = await api('GET', '/api/communities/county7/audit', { as: 'auditor1' });
    // People's actions; the workflow's own entries (cycle.complete, …) are the workflows' business.
    const actions = audit.json.entries
      .filter((e: { actor: string }) => e.actor !== 'workflow')
      .map((e: { actor: string; action: string }) => `${e.actor} ${e.action}`);
    expect(actions).toEqual([
      'office1 dataset.import',
      'office1 cycle.start',
      'office1 cycle.start',
      'office1 cycle.start',
      'office1 cycle.start',
      'finance2 review.approve',
      'hr1 export.sheet',
      'finance1 export.sheet',
      'auditor1 export.report',
      'hr1 export.bank',
    ]);
    expect(JSON.stringify(audit.json)).not.toContain('6290830166131868');
    const verify = await job('/api/communities/county7/audit/verify', 'auditor1');
    expect(verify.job.status).toBe('done');
    expect(verify.job.result.json.entries).toBe(audit.json.total);
    expect((await api('GET', '/api/communities/county7/audit', { as: 'office1' })).status).toBe(403);
  });

  it('keeps the audit chain intact through imports, cycles, approvals and exports', async () => {
    const verify = await job('/api/communities/county7/audit/verify', 'auditor1');
    expect(verify.job.result.json).toMatchObject({
      ok: true,
      entries: (await api('GET', '/api/communities/county7/audit', { as: 'auditor1' })).json.total,
    });
  });
});
