/**
 * The cycles through the synthesized state machines on the local interpreter and a real DynamoDB Local:
 * prerequisites, idempotent start, the finance review (approve, reject, four eyes), locks, and a review
 * pause that survives the process (resumed by a second runtime).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideReview, startCycle } from '../../../shared/app/cycle-service.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { runCycleToEnd } from '../../../shared/app/year-runner.js';
import { DatasetInvalidError } from '../../../shared/dataset/index.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { verifyChain } from '../../../shared/store/audit.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';
import { readDatasetFiles } from './dataset-files.js';

const tiny = join(import.meta.dirname, '../../fixtures/tiny/dataset');
const community = 'county7';
let rt: LocalRuntime;
const tableName = `cycles-${Date.now().toString(36)}`;

beforeAll(async () => {
  rt = await openLocalRuntime({ endpoint: dynamoEndpoint(), tableName, workflows: { retryIntervalMs: 0 } });
  await importDataset(rt.repos, { dir: tiny }, 'office1');
}, 120_000);

afterAll(async () => {
  await rt?.close();
});

const step = (kind: 'monthly' | 'quarterly' | 'annual', period: string) => ({
  communityId: community,
  kind,
  period,
  by: 'office1',
});

describe('the cycles on the local engine', () => {
  it('refuses a quarter before its months are done, naming the missing months', async () => {
    await expect(startCycle(rt.repos, rt.workflows, step('quarterly', '2026-Q1'))).rejects.toThrow(
      /2026-01.*2026-02.*2026-03/,
    );
    expect(await rt.repos.cycles.get(community, 'quarterly', '2026-Q1')).toBeUndefined();
  });

  it('refuses the annual cycle before the year is complete', async () => {
    await expect(startCycle(rt.repos, rt.workflows, step('annual', '2026'))).rejects.toThrow(
      /needs these cycles completed first/,
    );
  });

  it('runs a month to completion, locks it, and returns it unchanged when started again', async () => {
    const done = await runCycleToEnd(rt.repos, rt.workflows, {
      ...step('monthly', '2026-01'),
      approver: 'finance1',
    });
    expect(done.status).toBe('completed');
    const locks = await rt.repos.cycles.locks(community);
    expect(locks.map((l) => l.period)).toContain('2026-01');
    const again = await startCycle(rt.repos, rt.workflows, step('monthly', '2026-01'));
    expect(again.created).toBe(false);
    expect(again.cycle.revision).toBe(done.revision);
    expect(again.cycle.version).toBe(done.version);
  });

  it('refuses an import that changes a locked month, naming the row, and keeps the data current', async () => {
    const before = await rt.repos.datasets.current(community);

    const files = await readDatasetFiles(tiny);
    files['workload.csv'] = files['workload.csv']!.replace('2026-01,C01-001,1420,', '2026-01,C01-001,1421,');
    const dir = await mkdtemp(join(tmpdir(), 'locked-'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const error = await importDataset(rt.repos, { dir }, 'office1')
      .catch((e) => e)
      .finally(() => rm(dir, { recursive: true, force: true }));
    expect(error).toBeInstanceOf(DatasetInvalidError);
    const issue = (error as DatasetInvalidError).issues[0]!;
    expect(issue).toMatchObject({ file: 'workload.csv', row: 2, rule: 'period.locked' });
    expect(issue.zh).toContain('已锁定');
    expect(await rt.repos.datasets.current(community)).toEqual(before);
  });

  it('names the file row of a locked change when blank lines come before it', async () => {
    const files = await readDatasetFiles(tiny);
    // Spreadsheets leave blank lines; the import skips them, so the row is the line, not the place in the file's rows.
    const workload = files['workload.csv']!;
    const finance = files['finance.csv']!;
    const eol = (text: string) => (text.includes('\r\n') ? '\r\n' : '\n');
    files['workload.csv'] = workload.replace(
      `${eol(workload)}2026-01,C01-002,746,`,
      `${eol(workload).repeat(3)}2026-01,C01-002,747,`,
    );
    files['finance.csv'] = finance.replace(
      `${eol(finance)}2026-01,C01,bed,14496.17`,
      `${eol(finance).repeat(2)}2026-01,C01,bed,1.00`,
    );
    const dir = await mkdtemp(join(tmpdir(), 'locked-rows-'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);

    const error = await importDataset(rt.repos, { dir }, 'office1')
      .catch((e) => e)
      .finally(() => rm(dir, { recursive: true, force: true }));

    expect(error).toBeInstanceOf(DatasetInvalidError);
    const issues = (error as DatasetInvalidError).issues.map(({ file, row, column }) => ({
      file,
      row,
      column,
    }));
    expect(issues).toEqual([{ file: 'workload.csv', row: 5, column: 'workPoints' }]);
    // Finance rows are frozen by the quarter, not the month (DOMAIN.md v1.1): the changed January row is
    // not among the issues.
  });

  it('pauses a quarter for finance review, refuses the starter as approver, and a rejection pays nothing', async () => {
    for (const m of ['2026-02', '2026-03'])
      await runCycleToEnd(rt.repos, rt.workflows, { ...step('monthly', m), approver: 'finance1' });
    await startCycle(rt.repos, rt.workflows, step('quarterly', '2026-Q1'));
    const paused = await rt.repos.cycles.get(community, 'quarterly', '2026-Q1');
    expect(paused?.status).toBe('awaiting_review');
    expect(paused?.review?.stateName).toBe('AwaitFinanceReview');

    await expect(
      decideReview(rt.repos, rt.workflows, { ...step('quarterly', '2026-Q1'), by: 'office1', approve: true }),
    ).rejects.toThrow(/four eyes/);

    await decideReview(rt.repos, rt.workflows, {
      ...step('quarterly', '2026-Q1'),
      by: 'finance1',
      approve: false,
      reason: '结余核算有误',
    });
    const rejected = await rt.repos.cycles.get(community, 'quarterly', '2026-Q1');
    expect(rejected?.status).toBe('rejected');
    const ref = { communityId: community, kind: 'quarterly' as const, period: '2026-Q1', revision: 1 };
    expect(await rt.repos.results.payLines(ref)).toEqual([]);
  });

  it('runs a new revision after a rejection and resumes the approval from a second process', async () => {
    const { created, cycle } = await startCycle(rt.repos, rt.workflows, step('quarterly', '2026-Q1'));
    expect(created).toBe(true);
    expect(cycle.revision).toBe(2);
    // A second runtime stands in for a later `medcomm approve` process: same table, fresh engines.
    const later = await openLocalRuntime({
      endpoint: dynamoEndpoint(),
      tableName,
      workflows: { retryIntervalMs: 0 },
    });
    try {
      await decideReview(later.repos, later.workflows, {
        ...step('quarterly', '2026-Q1'),
        by: 'finance2',
        approve: true,
      });
    } finally {
      await later.close();
    }
    await rt.close();
    rt = await openLocalRuntime({ endpoint: dynamoEndpoint(), tableName, workflows: { retryIntervalMs: 0 } });
    const done = await rt.repos.cycles.get(community, 'quarterly', '2026-Q1');
    expect(done?.status).toBe('completed');
    expect(done?.decision).toMatchObject({ approved: true, by: 'finance2' });
    const pay = await rt.repos.results.payLines<{ amount: number }>({
      communityId: community,
      kind: 'quarterly',
      period: '2026-Q1',
      revision: 2,
    });
    const total = pay.flatMap((p) => p.lines).reduce((a, l) => a + l.amount, 0);
    // Q1 pools of the golden bulletin: 14220.40 + 4163.97 + 3688.50 + 1780.28
    expect(total).toBe(1422040 + 416397 + 368850 + 178028);
  });

  it('refuses a second decision on a decided review', async () => {
    await expect(
      decideReview(rt.repos, rt.workflows, {
        ...step('quarterly', '2026-Q1'),
        by: 'finance3',
        approve: true,
      }),
    ).rejects.toThrow(/nothing awaits review/);
  });

  it('records every import, start, decision and completion in a verifiable audit chain', async () => {
    const entries = await rt.repos.audit.entries(community);
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'dataset.import',
        'cycle.start',
        'review.reject',
        'review.approve',
        'cycle.complete',
      ]),
    );
    expect(verifyChain(entries).ok).toBe(true);
  });
});
