/** A malformed request is a 400 whose issues name each field, so the console can mark the input to fix. */
import { beforeEach, describe, expect, it } from 'vitest';
import { as, call, completedMonth, fakeWorld, useWorld } from './helpers.js';

const office = as('office1', 'office');
const finance = as('finance1', 'finance');

beforeEach(() => {
  const world = fakeWorld();
  completedMonth(world);
  useWorld(world);
});

describe('400 naming the field', () => {
  it('names body.kind for an unknown cycle kind and body.period when it is missing', async () => {
    const answer = await call('POST /api/cycles', { as: office, body: { kind: 'weekly' } });
    expect(answer.status).toBe(400);
    expect(answer.json.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'body.kind',
      'body.period',
    ]);
    expect(answer.json.error).toContain('body.kind');
  });

  it('names body.period when it does not fit the kind', async () => {
    const answer = await call('POST /api/cycles', {
      as: office,
      body: { kind: 'quarterly', period: '2026-03' },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.issues).toEqual([
      { path: 'body.period', message: expect.stringContaining('YYYY-Qn') },
    ]);
  });

  it('names path.period for a malformed period in the URL', async () => {
    const answer = await call('GET /api/cycles/{kind}/{period}', {
      as: office,
      params: { kind: 'monthly', period: '2026-13' },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.issues[0].path).toBe('path.period');
  });

  it('names query.format for a format the sheets do not come in', async () => {
    const answer = await call('GET /api/sheets/{kind}/{period}', {
      as: office,
      params: { kind: 'monthly', period: '2026-01' },
      query: { format: 'pdf' },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.issues[0].path).toBe('query.format');
  });

  it('names body.reason for a rejection without one (whitespace is not a reason)', async () => {
    const answer = await call('POST /api/cycles/{kind}/{period}/reject', {
      as: finance,
      params: { kind: 'quarterly', period: '2026-Q1' },
      body: { reason: '   ' },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.issues).toEqual([
      { path: 'body.reason', message: expect.stringContaining('a rejection needs a reason') },
    ]);
  });

  it('names body.files.<file> for content that is not base64', async () => {
    const answer = await call('POST /api/datasets', {
      as: office,
      body: { files: { 'staff.csv': 'not base64!' } },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.issues[0].path).toBe('body.files.staff.csv');
  });

  it('answers malformed JSON with 400 naming the body', async () => {
    const answer = await call('POST /api/cycles', {
      as: office,
      rawBody: '{"kind": "monthly",',
      contentType: 'application/json',
    });
    expect(answer.status).toBe(400);
    expect(answer.json.issues[0].path).toBe('body');
  });

  it('answers a body that is not JSON with 415', async () => {
    const answer = await call('POST /api/cycles', {
      as: office,
      rawBody: 'kind=monthly',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(answer.status).toBe(415);
  });

  it('checks the token before the body: a malformed body without a token is still 401', async () => {
    const answer = await call('POST /api/cycles', { rawBody: '{', contentType: 'application/json' });
    expect(answer.status).toBe(401);
  });
});
