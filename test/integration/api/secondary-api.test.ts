/**
 * §9.1 manual mode over `medcomm serve`'s real server and the local state machines: a department head
 * (dept_head, scoped to C01/内科 by the token) reads the department's pool and people, is refused over the
 * cap with the excess named and outside their department, submits; the head cannot approve, another user of
 * the institution (institution, C01) does; the office closes the window and the month pays the split.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../../cli/serve.js';
import { startCycle } from '../../../shared/app/cycle-service.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';
import { manualModeWithInternalMedicine, readDatasetFiles } from '../workflows/dataset-files.js';
import { callAs } from './serve-client.js';

const TINY = join(import.meta.dirname, '../../fixtures/tiny/dataset');
const BASE = '/api/communities/county7/secondary/2026-01';
const INTERNAL = `${BASE}/departments/C01/${encodeURIComponent('内科')}`;
let runtime: LocalRuntime;
let server: ApiServer;
let dir: string;

const api = (method: 'GET' | 'POST', path: string, user: string, group: string, body?: unknown) =>
  callAs(server, method, path, user, group, body);

beforeAll(async () => {
  const files = manualModeWithInternalMedicine(await readDatasetFiles(TINY));
  dir = await mkdtemp(join(tmpdir(), 'secondary-api-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  runtime = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `secondary-api-${randomBytes(4).toString('hex')}`,
    workflows: { retryIntervalMs: 0 },
  });
  await importDataset(runtime.repos, { dir }, 'office1');
  server = await startApiServer({ repos: runtime.repos, executions: runtime.workflows, port: 0 });
  await startCycle(runtime.repos, runtime.workflows, {
    communityId: 'county7',
    kind: 'monthly',
    period: '2026-01',
    by: 'office1',
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the secondary-distribution API (§9.1)', () => {
  let pool = 0;
  let members: { staffId: string; rule: number }[] = [];
  let cap = 0;

  it('shows the head their department: pool, people with the rule split, cap', async () => {
    const view = await api('GET', INTERNAL, 'head1', 'dept_head');
    expect(view.status).toBe(200);
    pool = view.json.department.pool;
    members = view.json.department.members;
    cap = view.json.department.cap;
    expect(members.map((m) => m.staffId)).toEqual(['C01-002', 'C01-003']);
    expect(members[0]!.rule + members[1]!.rule).toBe(pool);
    expect(cap).toBe(Math.round((1.5 * pool) / 2));
  });

  it('keeps the head to their own department', async () => {
    const other = await api(
      'GET',
      `${BASE}/departments/C01/${encodeURIComponent('外科')}`,
      'head1',
      'dept_head',
    );
    expect(other.status).toBe(403);
  });

  it('refuses amounts over the cap, naming the person and the excess (422)', async () => {
    const over = cap + 1;
    const answer = await api('POST', INTERNAL, 'head1', 'dept_head', {
      amounts: { 'C01-002': (over / 100).toFixed(2), 'C01-003': ((pool - over) / 100).toFixed(2) },
    });
    expect(answer.status).toBe(422);
    expect(answer.json.error).toContain('C01-002');
    expect(answer.json.error).toContain('by 0.01 yuan');
  });

  it('takes a split pasted as CSV; the head may not approve it, another user of C01 does', async () => {
    const first = Math.floor(pool * 0.45);
    const csv = `staffId\tamount\nC01-002\t${(first / 100).toFixed(2)}\nC01-003\t${((pool - first) / 100).toFixed(2)}\n`;
    const submitted = await api('POST', INTERNAL, 'head1', 'dept_head', { csv });
    expect(submitted.status).toBe(201);
    expect(submitted.json).toMatchObject({ status: 'submitted', submittedBy: 'head1' });
    expect((await api('POST', `${INTERNAL}/approve`, 'head1', 'dept_head')).status).toBe(403);
    const approved = await api('POST', `${INTERNAL}/approve`, 'inst1', 'institution');
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ status: 'approved', decidedBy: 'inst1' });
    const queue = await api('GET', BASE, 'inst1', 'institution');
    expect(queue.json.institutions.map((i: { institutionId: string }) => i.institutionId)).toEqual(['C01']);
  });

  it('the office closes the window and the month pays the approved split', async () => {
    expect((await api('POST', `${BASE}/close`, 'inst1', 'institution')).status).toBe(403);
    const closed = await api('POST', `${BASE}/close`, 'office1', 'office');
    expect(closed.status).toBe(200);
    const cycle = await runtime.repos.cycles.get('county7', 'monthly', '2026-01');
    expect(cycle?.status).toBe('completed');
    const [c01] = await runtime.repos.results.payLines<{ staffId: string; reward: number }>(
      { communityId: 'county7', kind: 'monthly', period: '2026-01', revision: cycle!.revision },
      'C01',
    );
    const reward = new Map(c01!.lines.map((l) => [l.staffId, l.reward]));
    expect(reward.get('C01-002')).toBe(Math.floor(pool * 0.45));
    expect(reward.get('C01-003')).toBe(pool - Math.floor(pool * 0.45));
    expect((await api('POST', `${INTERNAL}/reject`, 'inst1', 'institution', { reason: 'late' })).status).toBe(
      409,
    );
  });
});
