/**
 * Member institutions and staff see only their own, and quarterly and annual results only once the
 * office has published them (公示); the office publishes only a completed cycle, for a window that closes
 * after it opens, and every publication is audited.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { as, call, completedMonth, type FakeWorld, fakeWorld, useWorld, type Who } from './helpers.js';

const member = (institutionId: string): Who => ({
  ...as('member1', 'member'),
  claims: { 'custom:institutionId': institutionId },
});
const staff = (staffId: string): Who => ({ ...as('staff1', 'staff'), claims: { 'custom:staffId': staffId } });
const office = as('office1', 'office');

let world: FakeWorld;

beforeEach(() => {
  world = fakeWorld();
  useWorld(world);
  completedMonth(world, '2026-01');
});

describe('scope', () => {
  it('a member may not see another institution', async () => {
    const answer = await call('GET /api/explain/{period}/institutions/{institutionId}', {
      as: member('C02'),
      params: { period: '2026-01', institutionId: 'C01' },
    });
    expect(answer.status).toBe(403);
    expect(answer.json.error).toMatch(/only their own/);
  });

  it('a staff member may not see a colleague, nor their slip, nor their year', async () => {
    for (const [key, params] of [
      ['GET /api/explain/{period}/staff/{staffId}', { period: '2026-01', staffId: 'C01-002' }],
      ['GET /api/slips/{staffId}/{period}', { period: '2026-01', staffId: 'C01-002' }],
      ['GET /api/slips/{staffId}/history/{year}', { year: '2026', staffId: 'C01-002' }],
    ] as const) {
      const answer = await call(key, { as: staff('C01-001'), params });
      expect([key, answer.status]).toEqual([key, 403]);
    }
  });

  it('a token without its scope claim sees nothing', async () => {
    const answer = await call('GET /api/slips/{staffId}/{period}', {
      as: as('staff9', 'staff'),
      params: { period: '2026-01', staffId: 'C01-001' },
    });
    expect(answer.status).toBe(403);
  });

  it('a staff member may not call an institution explanation at all', async () => {
    const answer = await call('GET /api/explain/{period}/institutions/{institutionId}', {
      as: staff('C01-001'),
      params: { period: '2026-01', institutionId: 'C01' },
    });
    expect(answer.status).toBe(403);
  });
});

describe('publication', () => {
  it('keeps an unpublished quarter from a member until the office publishes it', async () => {
    world.addCycle('quarterly', '2026-Q1', 'completed');
    const ask = () =>
      call('GET /api/explain/{period}/institutions/{institutionId}', {
        as: member('C01'),
        params: { period: '2026-Q1', institutionId: 'C01' },
      });
    const before = await ask();
    expect(before.status).toBe(403);
    expect(before.json.error).toMatch(/not been published/);

    const published = await call('POST /api/publications', {
      as: office,
      body: { kind: 'quarterly', period: '2026-Q1', to: '2099-01-01T00:00:00Z' },
    });
    expect(published.status).toBe(201);
    expect(published.json).toMatchObject({ kind: 'quarterly', period: '2026-Q1', publishedBy: 'office1' });
    expect(world.audit.at(-1)).toMatchObject({ action: 'publication.publish', actor: 'office1' });

    // Past the publication check now (the fake world holds no results, so the explanation is not found).
    const after = await ask();
    expect(after.status).not.toBe(403);

    const list = await call('GET /api/publications', { as: member('C01') });
    expect(list.json.publications).toEqual([expect.objectContaining({ period: '2026-Q1', open: true })]);
  });

  it('a window that has not opened yet still hides the result', async () => {
    world.addCycle('quarterly', '2026-Q1', 'completed');
    await call('POST /api/publications', {
      as: office,
      body: {
        kind: 'quarterly',
        period: '2026-Q1',
        from: '2098-01-01T00:00:00Z',
        to: '2099-01-01T00:00:00Z',
      },
    });
    const answer = await call('GET /api/explain/{period}/institutions/{institutionId}', {
      as: member('C01'),
      params: { period: '2026-Q1', institutionId: 'C01' },
    });
    expect(answer.status).toBe(403);
  });

  it('refuses a cycle that is not completed, and a window that closes before it opens', async () => {
    world.addCycle('quarterly', '2026-Q2', 'awaiting_review');
    const pending = await call('POST /api/publications', {
      as: office,
      body: { kind: 'quarterly', period: '2026-Q2', to: '2099-01-01T00:00:00Z' },
    });
    expect(pending.status).toBe(409);
    const backwards = await call('POST /api/publications', {
      as: office,
      body: { kind: 'annual', period: '2026', from: '2026-05-01T00:00:00Z', to: '2026-04-01T00:00:00Z' },
    });
    expect(backwards.status).toBe(400);
    expect(backwards.json.issues[0].path).toBe('body.to');
    const monthly = await call('POST /api/publications', {
      as: office,
      body: { kind: 'monthly', period: '2026-01', to: '2099-01-01T00:00:00Z' },
    });
    expect(monthly.status).toBe(400);
  });
});
