/** The read routes: who am I, the year's cycles and what each waits for, reports, the audit trail. */
import { beforeEach, describe, expect, it } from 'vitest';
import { as, call, callJob, type FakeWorld, fakeWorld, useWorld } from './helpers.js';

let world: FakeWorld;
const auditor = as('auditor1', 'auditor');

beforeEach(() => {
  world = fakeWorld();
  useWorld(world);
});

describe('GET /api/me', () => {
  it('answers the caller, their deployment-wide groups and the groups the API knows per community', async () => {
    const answer = await call('GET /api/me', {
      as: as('finance2', 'finance', 'everyone', 'other:auditor', 'commission'),
    });
    expect(answer.json).toEqual({
      user: 'finance2',
      groups: ['commission'],
      communities: [
        { communityId: 'other', name: null, imported: false, groups: ['auditor'] },
        { communityId: 'xingguo', name: '兴国县卫生健康总院', imported: true, groups: ['finance'] },
      ],
    });
  });
});

describe('GET /api/cycles', () => {
  it('lists all 17 cycles of the year in running order with what each waits for', async () => {
    world.addCycle('monthly', '2026-01', 'completed');
    world.addCycle('monthly', '2026-02', 'failed', { error: { name: 'StoreError', message: 'boom' } });
    const answer = await call('GET /api/cycles', { as: as('hr1', 'hr') });
    expect(answer.status).toBe(200);
    const cycles = answer.json.cycles as {
      kind: string;
      period: string;
      status: string;
      waitsFor: { what: string; cycles?: unknown[] };
    }[];
    expect(cycles).toHaveLength(17);
    expect(cycles.slice(0, 4).map((c) => [c.period, c.status, c.waitsFor.what])).toEqual([
      ['2026-01', 'completed', 'nothing'],
      ['2026-02', 'failed', 'restart'],
      ['2026-03', 'not_started', 'start'],
      ['2026-Q1', 'not_started', 'prerequisites'],
    ]);
    expect(cycles[3]!.waitsFor.cycles).toEqual([
      { kind: 'monthly', period: '2026-02' },
      { kind: 'monthly', period: '2026-03' },
    ]);
    expect(cycles.at(-1)).toMatchObject({ kind: 'annual', period: '2026' });
  });

  it('shows one cycle without its task token', async () => {
    world.addCycle('quarterly', '2026-Q1', 'awaiting_review', {
      review: {
        token: 'SECRET-TOKEN',
        requestedAt: '2026-04-10T02:00:00Z',
        stateName: 'AwaitFinanceReview',
        stateInput: { x: 1 },
      },
    });
    const answer = await call('GET /api/cycles/{kind}/{period}', {
      as: auditor,
      params: { kind: 'quarterly', period: '2026-Q1' },
    });
    expect(answer.json).toMatchObject({
      status: 'awaiting_review',
      reviewRequestedAt: '2026-04-10T02:00:00Z',
      waitsFor: { what: 'finance_review', notBy: 'office1' },
    });
    expect(JSON.stringify(answer.json)).not.toMatch(/SECRET-TOKEN|stateInput/);
  });
});

describe('GET /api/reports', () => {
  it('is 404 for a cycle never run and 409 for one still awaiting review', async () => {
    expect(
      (
        await call('GET /api/reports/{kind}/{period}', {
          as: auditor,
          params: { kind: 'monthly', period: '2026-05' },
        })
      ).status,
    ).toBe(404);
    world.addCycle('quarterly', '2026-Q1', 'awaiting_review');
    const waiting = await call('GET /api/reports/{kind}/{period}', {
      as: auditor,
      params: { kind: 'quarterly', period: '2026-Q1' },
    });
    expect(waiting.status).toBe(409);
    expect(waiting.json.error).toContain('awaiting_review');
  });

  it('names query.format for a report format that does not exist', async () => {
    const answer = await call('GET /api/reports/{kind}/{period}', {
      as: auditor,
      params: { kind: 'annual', period: '2026' },
      query: { format: 'pdf' },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.issues[0].path).toBe('query.format');
  });
});

describe('GET /api/audit', () => {
  beforeEach(async () => {
    for (let i = 0; i < 5; i++)
      await world.repos.audit.append('xingguo', {
        actor: 'office1',
        action: 'cycle.start',
        subject: `s${i}`,
        details: {},
      });
  });

  it('pages by sequence number', async () => {
    const first = await call('GET /api/audit', { as: auditor, query: { limit: '2' } });
    expect(first.json.entries.map((e: { sequence: number }) => e.sequence)).toEqual([1, 2]);
    expect(first.json).toMatchObject({ total: 5, next: '?after=2&limit=2' });
    const last = await call('GET /api/audit', { as: auditor, query: { after: '4', limit: '2' } });
    expect(last.json.entries.map((e: { sequence: number }) => e.sequence)).toEqual([5]);
    expect(last.json).not.toHaveProperty('next');
  });

  it('names query.limit when it is out of range', async () => {
    const answer = await call('GET /api/audit', { as: auditor, query: { limit: '100000' } });
    expect(answer.status).toBe(400);
    expect(answer.json.issues[0].path).toBe('query.limit');
  });

  it('reports where the chain breaks, as a job (issue 12)', async () => {
    const { started, job } = await callJob('GET /api/audit/verify', { as: auditor });
    expect(started.status).toBe(202);
    expect(job.json).toMatchObject({ kind: 'audit-verify', status: 'done', by: 'auditor1' });
    // The fake entries carry no hashes: the check must say so, not pass.
    expect(job.json.result.json).toMatchObject({
      communityId: 'xingguo',
      ok: false,
      entries: 5,
      brokenAt: 1,
    });
  });
});
