/**
 * Starting and deciding cycles through the AWS ExecutionPort (Step Functions mocked): the role checks,
 * four eyes with its bilingual message, the task-token callbacks, throttling, and the audit entries.
 */
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ARNS, as, call, type FakeWorld, fakeWorld, putResult, useWorld } from './helpers.js';

const sfn = mockClient(SFNClient);
const office = as('office1', 'office');
const finance1 = as('finance1', 'finance');
const finance2 = as('finance2', 'finance');
const Q1 = { kind: 'quarterly', period: '2026-Q1' };
let world: FakeWorld;

function awaitingQ1(startedBy = 'finance1') {
  for (const m of ['2026-01', '2026-02', '2026-03']) world.addCycle('monthly', m, 'completed');
  const cycle = world.addCycle('quarterly', '2026-Q1', 'awaiting_review', {
    startedBy,
    review: {
      token: 'TASK-TOKEN-Q1',
      requestedAt: new Date().toISOString(),
      stateName: 'AwaitFinanceReview',
      stateInput: {},
    },
  });
  putResult(world, cycle, 'BULLETIN', {
    rows: [
      {
        institutionId: 'C01',
        score: '70.36',
        grade: '合格',
        rank: 1,
        peerGroup: 'county',
        change: null,
        surplus: 1000000,
        fundExtraction: 400000,
        pool: 420000,
      },
    ],
  });
  return cycle;
}

beforeEach(() => {
  sfn.reset();
  world = fakeWorld();
  useWorld(world);
});

describe('POST /api/cycles', () => {
  it('starts the monthly state machine with one execution name per cycle revision', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    const answer = await call('POST /api/cycles', {
      as: office,
      body: { kind: 'monthly', period: '2026-01' },
    });
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({
      created: true,
      cycle: { kind: 'monthly', period: '2026-01', status: 'running', startedBy: 'office1' },
    });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: ARNS.monthly,
      name: expect.stringMatching(/^xingguo-monthly-2026-01-r1-[0-9a-f]{16}$/),
    });
    expect(world.audit.map((e) => [e.actor, e.action])).toEqual([['office1', 'cycle.start']]);
  });

  it('returns an existing cycle with 200 and starts nothing', async () => {
    world.addCycle('monthly', '2026-01', 'completed');
    const answer = await call('POST /api/cycles', {
      as: office,
      body: { kind: 'monthly', period: '2026-01' },
    });
    expect(answer.status).toBe(200);
    expect(answer.json.created).toBe(false);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it("is 409 when the quarter's months are not done, saying which", async () => {
    const answer = await call('POST /api/cycles', { as: office, body: Q1 });
    expect(answer.status).toBe(409);
    expect(answer.json.error).toContain('monthly 2026-01, monthly 2026-02, monthly 2026-03');
  });

  it('answers Step Functions throttling with 503 and Retry-After', async () => {
    sfn.on(StartExecutionCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
        $retryable: { throttling: true },
      }),
    );
    const answer = await call('POST /api/cycles', {
      as: office,
      body: { kind: 'monthly', period: '2026-01' },
    });
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.json.error).toMatch(/try again/);
  });

  it('is 403 for finance: only the office starts cycles', async () => {
    const answer = await call('POST /api/cycles', {
      as: finance1,
      body: { kind: 'monthly', period: '2026-01' },
    });
    expect(answer.status).toBe(403);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});

describe('approve and reject', () => {
  it('an hr user cannot approve (403) and nothing is sent to the workflow', async () => {
    awaitingQ1('office1');
    const answer = await call('POST /api/cycles/{kind}/{period}/approve', {
      as: as('hr1', 'hr'),
      params: Q1,
    });
    expect(answer.status).toBe(403);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect(world.cycles.get('quarterly|2026-Q1')?.status).toBe('awaiting_review');
  });

  it('four eyes: the finance user who started the cycle may not approve it (403, bilingual)', async () => {
    awaitingQ1('finance1');
    const answer = await call('POST /api/cycles/{kind}/{period}/approve', { as: finance1, params: Q1 });
    expect(answer.status).toBe(403);
    expect(answer.json.error).toContain('双人复核');
    expect(answer.json.error).toContain('four eyes');
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('another finance user approves: SendTaskSuccess with the parked token, audited', async () => {
    awaitingQ1('finance1');
    sfn.on(SendTaskSuccessCommand).resolves({});
    const answer = await call('POST /api/cycles/{kind}/{period}/approve', { as: finance2, params: Q1 });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'running', decision: { approved: true, by: 'finance2' } });
    expect(answer.json).not.toHaveProperty('review');
    expect(JSON.stringify(answer.json)).not.toContain('TASK-TOKEN');
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'TASK-TOKEN-Q1' });
    expect(world.audit.at(-1)).toMatchObject({
      actor: 'finance2',
      action: 'review.approve',
      subject: 'quarterly 2026-Q1 r1',
    });
  });

  it('a rejection sends ReviewRejected with the reason', async () => {
    awaitingQ1('office1');
    sfn.on(SendTaskFailureCommand).resolves({});
    const answer = await call('POST /api/cycles/{kind}/{period}/reject', {
      as: finance1,
      params: Q1,
      body: { reason: 'C01 财务数据有误' },
    });
    expect(answer.status).toBe(200);
    expect(answer.json.status).toBe('rejected');
    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: 'TASK-TOKEN-Q1',
      error: 'ReviewRejected',
      cause: 'C01 财务数据有误',
    });
    expect(world.audit.at(-1)).toMatchObject({
      action: 'review.reject',
      details: { reason: 'C01 财务数据有误' },
    });
  });

  it('is 409 when nothing awaits review', async () => {
    world.addCycle('quarterly', '2026-Q1', 'completed');
    const answer = await call('POST /api/cycles/{kind}/{period}/approve', { as: finance2, params: Q1 });
    expect(answer.status).toBe(409);
  });

  it('is 404 for a cycle that was never started', async () => {
    const answer = await call('POST /api/cycles/{kind}/{period}/approve', { as: finance2, params: Q1 });
    expect(answer.status).toBe(404);
  });
});

describe('GET /api/reviews', () => {
  it("lists what awaits review with the bulletin's pools, and whether the caller may decide", async () => {
    awaitingQ1('finance1');
    const mine = await call('GET /api/reviews', { as: finance1 });
    expect(mine.status).toBe(200);
    expect(mine.json.reviews).toHaveLength(1);
    expect(mine.json.reviews[0]).toMatchObject({
      cycle: {
        kind: 'quarterly',
        period: '2026-Q1',
        waitsFor: { what: 'finance_review', notBy: 'finance1' },
      },
      youMayDecide: false,
      details: {
        institutions: [
          {
            institutionId: 'C01',
            name: '县人民医院',
            pool: '4200.00',
            surplus: '10000.00',
            peerGroup: 'county',
          },
        ],
        totals: { pool: '4200.00' },
      },
    });
    const theirs = await call('GET /api/reviews', { as: finance2 });
    expect(theirs.json.reviews[0].youMayDecide).toBe(true);
  });
});

describe('correction reviews within the answer budget (issue 12)', () => {
  const record = {
    communityId: 'xingguo',
    kind: 'quarterly' as const,
    period: '2026-Q1',
    revision: 2,
    status: 'awaiting_review' as const,
    baseRevision: 1,
    datasetVersion: 3,
    startedBy: 'office1',
    startedAt: '2026-04-10T08:00:00.000Z',
    totals: { old: 0, new: 0, difference: 0, people: 45, lines: 45 },
    version: 1,
  };
  // Three institutions, out of id order as a store page might give them; C02 the largest.
  const lines = (prefix: string, people: number, each: number) =>
    Array.from({ length: people }, (_, i) => ({
      staffId: `${prefix}-${String(i + 1).padStart(3, '0')}`,
      component: 'quarterlySurplus',
      old: 10_000,
      new: 10_000 + each,
      difference: each,
    }));
  const stored = [
    { institutionId: 'C03', lines: lines('C03', 2, -700) },
    { institutionId: 'C01', lines: lines('C01', 3, 1_250) },
    { institutionId: 'C02', lines: lines('C02', 40, 333) },
  ];
  let budget: number;
  /** What the queue read: every page (`differences` of all), or the pages of these institutions. */
  let read: string[];
  /** The stored per-institution summaries (none for a correction stored before them). */
  let summaries: boolean;

  beforeEach(async () => {
    const { DIFFERENCE_BUDGET } = await import('../../../functions/api/reviews.js');
    budget = DIFFERENCE_BUDGET.bytes;
    read = [];
    summaries = true;
    Object.assign(world.repos.corrections, {
      list: async () => [record],
      differences: async (_ref: unknown, institutionId?: string) => {
        read.push(institutionId ?? 'every page');
        return stored.filter((d) => institutionId === undefined || d.institutionId === institutionId);
      },
      differenceSummaries: async () =>
        summaries
          ? stored.map(({ institutionId, lines }) => ({
              institutionId,
              people: new Set(lines.map((l) => l.staffId)).size,
              lines: lines.length,
              difference: lines.reduce((sum, l) => sum + l.difference, 0),
              bytes: Buffer.byteLength(JSON.stringify(lines)),
              pages: 1,
            }))
          : [],
      differencesOf: async (_ref: unknown, wanted: { institutionId: string }[]) => {
        read.push(...wanted.map((w) => w.institutionId));
        return wanted.map((w) => stored.find((d) => d.institutionId === w.institutionId)!);
      },
    });
  });

  const setBudget = async (bytes: number) => {
    const { DIFFERENCE_BUDGET } = await import('../../../functions/api/reviews.js');
    DIFFERENCE_BUDGET.bytes = bytes;
  };

  it('answers every line when they fit, with a summary of every institution in id order', async () => {
    const answer = await call('GET /api/reviews', { as: finance2 });
    expect(answer.status).toBe(200);
    const [review] = answer.json.corrections;
    expect(review.differencesComplete).toBe(true);
    expect(review.summary).toEqual([
      { institutionId: 'C01', people: 3, lines: 3, difference: 3 * 1_250 },
      { institutionId: 'C02', people: 40, lines: 40, difference: 40 * 333 },
      { institutionId: 'C03', people: 2, lines: 2, difference: 2 * -700 },
    ]);
    expect(review.differences.map((d: { institutionId: string }) => d.institutionId)).toEqual([
      'C01',
      'C02',
      'C03',
    ]);
  });

  it('cuts the lines at the budget, says so with counts, and serves the rest one institution at a time', async () => {
    // Room for C01's lines, not C02's: C03 (which would fit) is left out too, so the lines are a prefix.
    const c01 = Buffer.byteLength(JSON.stringify(stored[1]!.lines));
    const c02 = Buffer.byteLength(JSON.stringify(stored[2]!.lines));
    await setBudget(c01 + Math.floor(c02 / 2));
    try {
      const answer = await call('GET /api/reviews', { as: finance2 });
      expect(answer.status).toBe(200);
      const [review] = answer.json.corrections;
      expect(review.differencesComplete).toBe(false);
      expect(review.counts).toEqual({
        institutions: 3,
        institutionsIncluded: 1,
        lines: 45,
        linesIncluded: 3,
      });
      expect(review.differences).toEqual([{ institutionId: 'C01', lines: stored[1]!.lines }]);
      expect(review.summary).toHaveLength(3);
      // From the stored summaries: only the lines it carries were read.
      expect(read).toEqual(['C01']);

      for (const who of [finance1, office, as('audit1', 'auditor')]) {
        const one = await call('GET /api/corrections/{kind}/{period}/differences', {
          as: who,
          params: { kind: 'quarterly', period: '2026-Q1' },
          query: { institution: 'C02' },
        });
        expect(one.status).toBe(200);
        expect(one.json).toEqual({
          kind: 'quarterly',
          period: '2026-Q1',
          revision: 2,
          institutionId: 'C02',
          lines: stored[2]!.lines,
        });
      }
      const none = await call('GET /api/corrections/{kind}/{period}/differences', {
        as: finance1,
        params: { kind: 'quarterly', period: '2026-Q1' },
        query: { institution: 'C02', revision: '7' },
      });
      expect(none.status).toBe(404);
      expect(none.json.error ?? none.json.message ?? JSON.stringify(none.json)).toMatch(/更正.*correction/);
    } finally {
      await setBudget(budget);
    }
  });
  it('a correction stored before the summaries (none, lines > 0) reads every page and answers the same', async () => {
    const c01 = Buffer.byteLength(JSON.stringify(stored[1]!.lines));
    const c02 = Buffer.byteLength(JSON.stringify(stored[2]!.lines));
    await setBudget(c01 + Math.floor(c02 / 2));
    try {
      const withSummaries = (await call('GET /api/reviews', { as: finance2 })).json.corrections;
      expect(read).toEqual(['C01']);
      read = [];
      summaries = false;
      const before = (await call('GET /api/reviews', { as: finance2 })).json.corrections;
      expect(read).toEqual(['every page']);
      expect(before).toEqual(withSummaries);
      expect(before[0].summary.map((s: { people: number }) => s.people)).toEqual([3, 40, 2]);
    } finally {
      await setBudget(budget);
    }
  });
});
