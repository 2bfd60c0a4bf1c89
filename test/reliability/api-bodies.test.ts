/**
 * Malformed request bodies for the two routes that change what is stored — POST /api/datasets and
 * POST /api/cycles — through the real API handlers (functions/api, middy, zod) over the real store:
 * each is answered 4xx with a bilingual message naming the field (or, for a broken dataset, every issue
 * by file, row and column), never a 500, and nothing stored changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApiHandler } from '../../functions/api/index.js';
import { configureApi, resetApi } from '../../shared/api/deps.js';
import { asGatewayClaims } from '../../shared/api/dev-tokens.js';
import { gatewayEvent } from '../../shared/api/local-gateway.js';
import { inlineExportSink } from '../../shared/api/ports.js';
import { ROUTES, type RouteKey, routeParts } from '../../shared/api/roles.js';
import { importDataset } from '../../shared/app/import-service.js';
import type { LocalRuntime } from '../../shared/local/runtime.js';
import { BAD_CASES, DAMAGED_UTF8_INSTITUTIONS } from '../fixtures/bad/cases.js';
import { openTestRuntime, scanTable, TINY_COMMUNITY, tinyFiles } from './helpers.js';

let rt: LocalRuntime;

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: problem bodies and results of several shapes
  json: any;
}

async function call(
  routeKey: RouteKey,
  request: { body?: unknown; raw?: string; contentType?: string; user?: string; group?: string },
): Promise<Answer> {
  const { method, path } = routeParts(routeKey);
  const body = request.raw ?? (request.body === undefined ? '' : JSON.stringify(request.body));
  const contentType = request.contentType ?? 'application/json';
  // The tiny community's routes, as its office (tenancy: groups per community).
  const event = gatewayEvent(
    {
      method,
      url: path.replace('{community}', TINY_COMMUNITY),
      headers: { 'content-type': contentType },
      body: Buffer.from(body),
    },
    { routeKey, pathParameters: { community: TINY_COMMUNITY } },
    asGatewayClaims({
      username: request.user ?? 'office1',
      'cognito:groups': [`${TINY_COMMUNITY}:${request.group ?? 'office'}`],
    }),
  );
  const handler = await loadApiHandler(ROUTES[routeKey].group);
  const response = await handler(event, {});
  const text = Buffer.from(response.body ?? '', response.isBase64Encoded ? 'base64' : 'utf8').toString(
    'utf8',
  );
  return { status: response.statusCode ?? 200, json: text ? JSON.parse(text) : undefined };
}

const b64 = (content: string | Uint8Array) => Buffer.from(content).toString('base64');
const encoded = (files: Record<string, string | Uint8Array>) =>
  Object.fromEntries(Object.entries(files).map(([name, c]) => [name, b64(c)]));

/** A 4xx whose message has both languages. */
function expectClearProblem(answer: Answer, status: number): void {
  expect(answer.status, JSON.stringify(answer.json)).toBe(status);
  expect(typeof answer.json.error).toBe('string');
  expect(answer.json.error).toMatch(/[\u4e00-\u9fff]/);
  expect(answer.json.error).toMatch(/ \/ [a-z]/i);
}

const fieldsOf = (answer: Answer) => (answer.json.issues as { path: string }[]).map((i) => i.path);

beforeAll(async () => {
  rt = await openTestRuntime();
  configureApi({
    repos: rt.repos,
    executions: rt.workflows,
    exports: inlineExportSink(),
    uploads: undefined,
  });
  await importDataset(rt.repos, { files: tinyFiles() }, 'office1');
}, 120_000);

afterAll(async () => {
  resetApi();
  await rt?.close();
});

describe('POST /api/datasets with a malformed body', () => {
  let before: Awaited<ReturnType<typeof scanTable>>;
  beforeAll(async () => {
    before = await scanTable(rt.repos);
  });

  it.each([
    ['cut-off JSON', { raw: '{"files": {"scheme.json": "e30=' }, 400, ['body']],
    ['a JSON array', { body: [] }, 400, ['body']],
    ['no files', { body: {} }, 400, ['body.files']],
    ['files as a list', { body: { files: ['scheme.json'] } }, 400, ['body.files']],
    ['an empty file map', { body: { files: {} } }, 400, ['body.files']],
    [
      'a file that is not base64',
      { body: { files: { 'scheme.json': 'not base64!' } } },
      400,
      ['body.files.scheme.json'],
    ],
    ['a file given as a number', { body: { files: { 'staff.csv': 12 } } }, 400, ['body.files.staff.csv']],
  ] as const)('%s is refused naming the field', async (_name, request, status, fields) => {
    const answer = await call('POST /api/datasets', request);
    expectClearProblem(answer, status);
    expect(fieldsOf(answer)).toEqual(fields);
  });

  it('XML or a form instead of JSON → 415 or 400, never 500', async () => {
    for (const [raw, contentType] of [
      ['<files/>', 'application/xml'],
      ['files=1', 'application/x-www-form-urlencoded'],
    ] as const) {
      const answer = await call('POST /api/datasets', { raw, contentType });
      expect([400, 415], `${contentType}: ${JSON.stringify(answer.json)}`).toContain(answer.status);
    }
  });

  it('a broken dataset (damaged bytes in institutions.csv, a 3-decimal amount) → 422 with every issue by file, row and column', async () => {
    const files = BAD_CASES.find((c) => c.name === 'an amount with 3 decimals')!.patch({
      ...tinyFiles(),
      'institutions.csv': DAMAGED_UTF8_INSTITUTIONS,
    });
    const answer = await call('POST /api/datasets', { body: { files: encoded(files) } });
    expectClearProblem(answer, 422);
    expect(
      answer.json.issues.map(({ file, row, column, rule }: Record<string, unknown>) => ({
        file,
        row,
        column,
        rule,
      })),
    ).toEqual([
      { file: 'institutions.csv', row: 3, column: undefined, rule: 'file.encoding' },
      { file: 'staff.csv', row: 2, column: 'basicMonthly', rule: 'amount.decimals' },
    ]);
    for (const issue of answer.json.issues) {
      expect(issue.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(issue.en).toMatch(/[a-z]{3}/);
    }
  });

  it('a user outside the office group is refused before the body is read', async () => {
    const answer = await call('POST /api/datasets', {
      body: { files: encoded(tinyFiles()) },
      user: 'finance1',
      group: 'finance',
    });
    expect(answer.status).toBe(403);
  });

  it('changed nothing stored', async () => {
    expect(await scanTable(rt.repos)).toEqual(before);
  });
});

describe('POST /api/cycles with a malformed body', () => {
  let before: Awaited<ReturnType<typeof scanTable>>;
  beforeAll(async () => {
    before = await scanTable(rt.repos);
  });

  it.each([
    ['cut-off JSON', { raw: '{"kind": "monthly", ' }, 400, ['body']],
    ['no kind or period', { body: {} }, 400, ['body.kind', 'body.period']],
    ['an unknown kind', { body: { kind: 'weekly', period: '2026-01' } }, 400, ['body.kind']],
    ['month 13', { body: { kind: 'monthly', period: '2026-13' } }, 400, ['body.period']],
    ['a period as a number', { body: { kind: 'annual', period: 2026 } }, 400, ['body.period']],
    [
      'a month for a quarterly cycle',
      { body: { kind: 'quarterly', period: '2026-03' } },
      400,
      ['body.period'],
    ],
    ['a quarter 5', { body: { kind: 'quarterly', period: '2026-Q5' } }, 400, ['body.period']],
  ] as const)('%s is refused naming the field', async (_name, request, status, fields) => {
    const answer = await call('POST /api/cycles', request);
    expectClearProblem(answer, status);
    expect(fieldsOf(answer)).toEqual(fields);
  });

  it('a well-formed period of a year with no data → 404 saying that year has no dataset', async () => {
    const answer = await call('POST /api/cycles', { body: { kind: 'monthly', period: '2025-01' } });
    expectClearProblem(answer, 404);
    expect(answer.json.error).toContain('no dataset for 2025');
  });

  it('the annual cycle before its months and quarters → 409 listing what must run first', async () => {
    const answer = await call('POST /api/cycles', { body: { kind: 'annual', period: '2026' } });
    expectClearProblem(answer, 409);
    expect(answer.json.error).toContain('monthly 2026-01');
    expect(answer.json.error).toContain('quarterly 2026-Q4');
  });

  it('changed nothing stored', async () => {
    expect(await scanTable(rt.repos)).toEqual(before);
    expect(await rt.repos.cycles.list(TINY_COMMUNITY)).toEqual([]);
  });

  it('takes the starter from the token, never from the body (four eyes depends on it)', async () => {
    const answer = await call('POST /api/cycles', {
      body: { kind: 'monthly', period: '2026-01', by: 'finance1', startedBy: 'finance1', revision: 7 },
      user: 'office2',
    });
    expect(answer.status).toBe(201);
    const cycle = await rt.repos.cycles.get(TINY_COMMUNITY, 'monthly', '2026-01');
    expect(cycle).toMatchObject({ startedBy: 'office2', revision: 1, status: 'completed' });
  });
});

describe('odd but harmless', () => {
  it('prototype keys as file names are ignored like any other non-dataset name, and nothing is polluted', async () => {
    const raw = JSON.stringify({ files: encoded(tinyFiles()) }).replace(
      '{"files":{',
      '{"files":{"__proto__":"e30=","constructor":"e30=",',
    );
    const answer = await call('POST /api/datasets', { raw });
    expect(answer.status, JSON.stringify(answer.json)).toBe(201);
    expect(answer.json.version).toBe(2);
    expect(({} as Record<string, unknown>).files).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('scheme.json');
  });
});
