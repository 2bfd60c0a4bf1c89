/**
 * The community's bank format over HTTP (issue 16), through `medcomm serve`'s real server and handlers on
 * DynamoDB Local: HR and the office read the formats and choose one (audited); finance may not; an
 * unknown name is 422 in both languages; the community's own JSON format is added and chosen.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../../cli/serve.js';
import { routeParts } from '../../../shared/api/roles.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { tinyAs } from '../../reliability/helpers.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const C = 'county7';
let runtime: LocalRuntime;
let server: ApiServer;
const tokens: Record<string, string> = {};

/** The route's path as the server serves it (under the community where routes name one). */
const pathOf = (key: 'GET /api/settings' | 'POST /api/settings/bank-format') =>
  routeParts(key).path.replace('{community}', C);

async function api(key: 'GET /api/settings' | 'POST /api/settings/bank-format', as: string, body?: unknown) {
  const response = await fetch(`${server.url}${pathOf(key)}`, {
    method: routeParts(key).method,
    headers: {
      authorization: `Bearer ${tokens[as]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  runtime = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `bank-api-${randomBytes(4).toString('hex')}`,
    workflows: { retryIntervalMs: 0 },
  });
  await importDataset(runtime.repos, { files: tinyAs(C) }, 'office1');
  server = await startApiServer({ repos: runtime.repos, executions: runtime.workflows, port: 0 });
  for (const user of ['office1', 'hr1', 'finance1']) {
    const response = await fetch(`${server.url}/api/auth/dev-login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
    });
    expect(response.status).toBe(200);
    tokens[user] = ((await response.json()) as { token: string }).token;
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  await runtime?.close();
});

describe('the bank format setting over HTTP', () => {
  it('lists the shipped formats with none chosen yet', async () => {
    const answer = await api('GET /api/settings', 'hr1');
    expect(answer.status).toBe(200);
    expect(answer.json.bankFormat).toBeNull();
    expect(answer.json.bankFormats.map((f: { name: string }) => f.name)).toContain('代发-身份证-xls');
  });

  it('is chosen by HR, audited, and read back by the office', async () => {
    const set = await api('POST /api/settings/bank-format', 'hr1', { name: '代发-按单位-txt' });
    expect(set).toMatchObject({ status: 200, json: { bankFormat: '代发-按单位-txt', revision: 1 } });
    const read = await api('GET /api/settings', 'office1');
    expect(read.json).toMatchObject({ bankFormat: '代发-按单位-txt', updatedBy: 'hr1' });
    const entries = await runtime.repos.audit.entries(C);
    expect(entries.at(-1)).toMatchObject({ actor: 'hr1', action: 'settings.bank-format' });
  });

  it('is not finance’s to read or change', async () => {
    expect((await api('GET /api/settings', 'finance1')).status).toBe(403);
    expect((await api('POST /api/settings/bank-format', 'finance1', { name: '批量代发' })).status).toBe(403);
  });

  it('refuses an unknown name (422, both languages) and a body without name or format (400)', async () => {
    const unknown = await api('POST /api/settings/bank-format', 'office1', { name: '某银行' });
    expect(unknown.status).toBe(422);
    expect(JSON.stringify(unknown.json)).toContain('no bank-file format named');
    expect(JSON.stringify(unknown.json)).toContain('没有名为');
    expect((await api('POST /api/settings/bank-format', 'office1', {})).status).toBe(400);
    expect((await api('GET /api/settings', 'office1')).json.bankFormat).toBe('代发-按单位-txt');
  });

  it('adds the community’s own format from its JSON and chooses it', async () => {
    const format = {
      name: '县农商行',
      columns: [{ field: 'account' }, { field: 'name' }, { field: 'amount' }],
      header: false,
      encoding: 'GBK',
      separator: ',',
      fileType: 'txt',
    };
    const set = await api('POST /api/settings/bank-format', 'office1', { format });
    expect(set).toMatchObject({ status: 200, json: { bankFormat: '县农商行' } });
    const read = await api('GET /api/settings', 'hr1');
    expect(read.json.bankFormats[0]).toMatchObject({ name: '县农商行', own: true, fileType: 'txt' });
  });
});
