/**
 * Many communities in one deployment (issue 12 tenancy), through the HTTP API on DynamoDB Local: two
 * counties import the tiny dataset into one table under their own ids and each runs January; a user of
 * one county gets 403 on the other's routes (whatever their role), a dataset naming the other county is
 * refused, each auditor verifies their own chain; the commission compares both, side by side and without
 * personal data, and every write route refuses it; the scheduler starts both counties' due cycles, and
 * one county's failure does not keep the other from starting.
 */
import { randomBytes } from 'node:crypto';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ApiServer, startApiServer } from '../../../cli/serve.js';
import { handler as scheduledStart } from '../../../functions/start-scheduled-cycle.js';
import type { Group } from '../../../shared/api/roles.js';
import { ROUTE_KEYS, routeParts } from '../../../shared/api/roles.js';
import { resolveCommunity } from '../../../shared/app/cycle-service.js';
import { resetStore } from '../../../shared/config.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { tinyAs } from '../../reliability/helpers.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const A = 'xingguo';
// A Chinese id with a period: the path carries it percent-encoded.
const B = '于都.县';
let runtime: LocalRuntime;
let server: ApiServer;

/** A token for `user` with `group` in the communities named (none: a deployment-wide group). */
const token = (user: string, group: Group, communities: string[]) =>
  server.tokens.issue(user, group, Date.now(), communities).token;

async function api(
  method: string,
  path: string,
  bearer: string | undefined,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of many shapes
): Promise<{ status: number; json: any; text: string }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').startsWith('application/json')
    ? JSON.parse(text)
    : undefined;
  return { status: response.status, json, text };
}

const at = (community: string, rest: string) => `/api/communities/${encodeURIComponent(community)}${rest}`;
const base64Files = (files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([n, t]) => [n, Buffer.from(t).toString('base64')]));

beforeAll(async () => {
  runtime = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `tenancy-${randomBytes(4).toString('hex')}`,
    workflows: { retryIntervalMs: 0 },
  });
  server = await startApiServer({ repos: runtime.repos, executions: runtime.workflows, port: 0 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await runtime?.close();
});

describe('two communities in one table, through the API', () => {
  it('each office imports its own county; the other county’s dataset is refused', async () => {
    for (const c of [A, B]) {
      const answer = await api('POST', at(c, '/datasets'), token('office1', 'office', [c]), {
        files: base64Files(tinyAs(c)),
      });
      expect(answer.status, answer.text).toBe(201);
      expect(answer.json).toMatchObject({ communityId: c, version: 1 });
    }
    // A's office, importing B's files into A (or into B, where it holds no group): refused.
    const mixed = await api('POST', at(A, '/datasets'), token('office1', 'office', [A]), {
      files: base64Files(tinyAs(B)),
    });
    expect(mixed.status).toBe(409);
    expect(mixed.json.error).toContain(B);
    const elsewhere = await api('POST', at(B, '/datasets'), token('office1', 'office', [A]), {
      files: base64Files(tinyAs(B)),
    });
    expect(elsewhere.status).toBe(403);
    // The CLI's community: with two in the store, none is a default any more.
    await expect(resolveCommunity(runtime.repos)).rejects.toThrow(/--community/);
    await expect(resolveCommunity(runtime.repos)).rejects.toThrow(B);
    expect(await resolveCommunity(runtime.repos, B)).toBe(B);
  }, 120_000);

  it('runs January in each county independently', async () => {
    for (const c of [A, B]) {
      const answer = await api('POST', at(c, '/cycles'), token('office1', 'office', [c]), {
        kind: 'monthly',
        period: '2026-01',
      });
      expect(answer.status, answer.text).toBe(201);
      expect(answer.json.cycle).toMatchObject({ period: '2026-01', status: 'completed' });
    }
    const a = await api('GET', at(A, '/cycles'), token('hr1', 'hr', [A]));
    expect(a.json.communityId).toBe(A);
    expect(a.json.cycles.find((x: { period: string }) => x.period === '2026-01').status).toBe('completed');
  }, 120_000);

  it('refuses a user of one county on the other county’s routes, whatever the role (403)', async () => {
    for (const [mine, theirs] of [
      [A, B],
      [B, A],
    ] as const) {
      for (const role of ['office', 'hr', 'finance', 'auditor'] as const) {
        const bearer = token(`${role}1`, role, [mine]);
        for (const path of ['/cycles', '/reviews', '/audit', '/audit/verify', '/sheets/monthly/2026-01']) {
          const answer = await api('GET', at(theirs, path), bearer);
          expect(answer.status, `${role} of ${mine} on ${theirs}${path}`).toBe(403);
        }
      }
      const start = await api('POST', at(theirs, '/cycles'), token('office1', 'office', [mine]), {
        kind: 'monthly',
        period: '2026-02',
      });
      expect(start.status).toBe(403);
      expect(start.json.error).toContain(`community ${theirs}`);
    }
    // The same person holding a role in both counties acts in the one the path names.
    const both = token('hr1', 'hr', [A, B]);
    const sheet = await api('GET', at(B, '/sheets/monthly/2026-01?format=json'), both);
    expect(sheet.status).toBe(202);
    await server.idle();
    expect((await api('GET', at(B, `/jobs/${sheet.json.job.id}`), both)).json.status).toBe('done');
    // The job is B's: its id means nothing in A, and A's HR may not read it in B.
    expect((await api('GET', at(A, `/jobs/${sheet.json.job.id}`), both)).status).toBe(404);
    expect((await api('GET', at(B, `/jobs/${sheet.json.job.id}`), token('hr1', 'hr', [A]))).status).toBe(403);
    // A community that does not exist: 404 for a role there, 403 for anyone else.
    expect((await api('GET', at('nowhere', '/cycles'), token('hr1', 'hr', ['nowhere']))).status).toBe(404);
    expect((await api('GET', at('nowhere', '/cycles'), token('hr1', 'hr', [A]))).status).toBe(403);
  }, 120_000);

  it('lets each auditor verify their own county’s chain, which holds only that county’s entries', async () => {
    const actions: Record<string, string[]> = {};
    for (const c of [A, B]) {
      const auditor = token('auditor1', 'auditor', [c]);
      const started = await api('GET', at(c, '/audit/verify'), auditor);
      expect(started.status).toBe(202);
      await server.idle();
      const verify = await api('GET', at(c, `/jobs/${started.json.job.id}`), auditor);
      expect(verify.json).toMatchObject({ status: 'done', result: { json: { ok: true, communityId: c } } });
      const trail = await api('GET', at(c, '/audit?limit=500'), auditor);
      expect(trail.json.communityId).toBe(c);
      actions[c] = trail.json.entries.map((e: { action: string }) => e.action);
    }
    // Each chain holds its own county's: the refused imports wrote nothing, and only B's sheet was read.
    expect(actions[A]).toEqual(['dataset.import', 'cycle.start', 'cycle.complete']);
    expect(actions[B]).toEqual(['dataset.import', 'cycle.start', 'cycle.complete', 'export.sheet']);
  }, 120_000);

  it('gives the commission both counties side by side, from completed cycles, without personal data', async () => {
    const commission = token('commission1', 'commission', []);
    const list = await api('GET', '/api/commission/communities', commission);
    expect(list.status).toBe(200);
    expect(list.json.communities.map((c: { communityId: string }) => c.communityId).sort()).toEqual(
      [A, B].sort(),
    );
    const january = await api('GET', '/api/commission/compare?kind=monthly&period=2026-01', commission);
    expect(january.status).toBe(200);
    const byId = new Map(
      january.json.communities.map((c: { communityId: string }) => [c.communityId, c] as const),
    );
    for (const c of [A, B]) {
      const entry = byId.get(c) as { status: string; institutions: unknown[]; totals: { reward: number } };
      expect(entry.status).toBe('completed');
      expect(entry.institutions.length).toBeGreaterThan(0);
      expect(Number.isInteger(entry.totals.reward)).toBe(true);
    }
    // Same data, same figures: the two counties compare equal.
    expect((byId.get(A) as { totals: unknown }).totals).toEqual((byId.get(B) as { totals: unknown }).totals);
    // No staff id, name or bank account of the roster anywhere in the answer.
    const staff = tinyAs(A)['staff.csv']!.trim().split('\n').slice(1);
    const header = tinyAs(A)['staff.csv']!.split('\n')[0]!.split(',');
    const column = (name: string) => header.indexOf(name);
    for (const row of staff) {
      const cells = row.split(',');
      for (const name of ['staffId', 'name', 'bankAccount'])
        if (column(name) >= 0 && cells[column(name)]) expect(january.text).not.toContain(cells[column(name)]);
    }
    // A period not run: listed, without figures.
    const march = await api('GET', '/api/commission/compare?kind=monthly&period=2026-03', commission);
    expect(march.json.communities.every((c: { status: string }) => c.status === 'none')).toBe(true);
    const bad = await api('GET', '/api/commission/compare?kind=quarterly&period=2026-13', commission);
    expect(bad.status).toBe(400);
  }, 120_000);

  it('refuses the commission every write route, and every community route (it reads only its own)', async () => {
    const commission = token('commission1', 'commission', []);
    for (const key of ROUTE_KEYS) {
      const { method, path } = routeParts(key);
      if (!path.includes('{community}') && method === 'GET') continue;
      const filled = path
        .replace('{community}', encodeURIComponent(A))
        .replace(
          /\{(\w+)\}/g,
          (_, name: string) =>
            ({ kind: 'monthly', period: '2026-01', year: '2026', version: '1' })[name] ?? 'x',
        );
      const answer = await api(method, filled, commission, method === 'POST' ? {} : undefined);
      expect(answer.status, key).toBe(403);
    }
    // Nothing was written for it: January is still the only cycle of A.
    const cycles = await runtime.repos.cycles.list(A);
    expect(cycles.map((c) => `${c.kind} ${c.period}`)).toEqual(['monthly 2026-01']);
  }, 120_000);
});

describe('the scheduler with two communities', () => {
  const sfn = mockClient(SFNClient);

  beforeAll(() => {
    process.env.STATE_MACHINE_MONTHLY = 'arn:aws:states:cn-north-1:111122223333:stateMachine:Monthly';
    process.env.STATE_MACHINE_QUARTERLY = 'arn:aws:states:cn-north-1:111122223333:stateMachine:Quarterly';
    process.env.STATE_MACHINE_ANNUAL = 'arn:aws:states:cn-north-1:111122223333:stateMachine:Annual';
    process.env.AWS_REGION = 'cn-north-1';
    resetStore();
  });

  afterAll(() => {
    sfn.restore();
    vi.useRealTimers();
  });

  it('starts each community’s due month; one county’s failure does not stop the other', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    // 5 March 2026, 02:00 in Shanghai: February is due in both counties.
    vi.setSystemTime(new Date(Date.UTC(2026, 2, 4, 18)));
    sfn.reset();
    // B's start fails at Step Functions; A's goes through.
    sfn.on(StartExecutionCommand).callsFake((input: { input?: string }) => {
      if (String(input.input).includes(B))
        throw Object.assign(new Error('boom'), { name: 'InternalFailure' });
      return { executionArn: 'arn:exec', startDate: new Date() };
    });
    await expect(scheduledStart({ kind: 'monthly' })).rejects.toMatchObject({
      name: 'ScheduledStartFailed',
      failures: [{ communityId: B }],
    });
    expect((await runtime.repos.cycles.get(A, 'monthly', '2026-02'))?.status).toBe('running');

    const firstA = sfn
      .commandCalls(StartExecutionCommand)
      .map((c) => c.args[0].input)
      .find((i) => String(i.input).includes(A))!;

    // The next day B's start goes through; A's is asked again under the same execution name and input,
    // which Step Functions answers as the execution it already has (no second run).
    vi.setSystemTime(new Date(Date.UTC(2026, 2, 5, 18)));
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    const next = (await scheduledStart({ kind: 'monthly' })) as {
      communities: { communityId: string; created?: boolean; status: string }[];
    };
    const outcome = new Map(next.communities.map((c) => [c.communityId, c]));
    expect(outcome.get(A)).toMatchObject({ created: false });
    // B's record was written before Step Functions refused the start: today's run makes the start again.
    expect(outcome.get(B)).toMatchObject({ period: '2026-02', status: 'running', created: false });
    const today = sfn
      .commandCalls(StartExecutionCommand)
      .slice(-2)
      .map((c) => c.args[0].input);
    expect(today.find((i) => String(i.input).includes(B))).toBeDefined();
    const againA = today.find((i) => String(i.input).includes(A))!;
    expect([againA.name, againA.input]).toEqual([firstA.name, firstA.input]);
  }, 120_000);

  it('records waiting for data per community', async () => {
    vi.setSystemTime(new Date(Date.UTC(2026, 3, 4, 18)));
    // Q1 is due in April; February never completed here (its executions are mocked), so both wait.
    const answer = (await scheduledStart({ kind: 'quarterly' })) as {
      communities: { communityId: string; status: string }[];
    };
    expect(answer.communities.map((c) => c.status)).toEqual(['waiting_for_data', 'waiting_for_data']);
    for (const c of [A, B])
      expect((await runtime.repos.cycles.waiting(c)).map((w) => w.period)).toEqual(['2026-Q1']);
  }, 60_000);
});
