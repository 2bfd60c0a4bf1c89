/**
 * All or nothing, on the stored side (DOMAIN.md §2, §7): every refused import — the whole bad-input
 * corpus, a 50 MB file, a change to a locked month, a write that dies half way — leaves what is stored
 * exactly as it was: the current dataset, its content, the cycles, and every other item of the table.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCycle } from '../../shared/app/cycle-service.js';
import { importDataset } from '../../shared/app/import-service.js';
import { DatasetInvalidError, type ImportIssue, MAX_FILE_BYTES } from '../../shared/dataset/index.js';
import type { LocalRuntime } from '../../shared/local/runtime.js';
import { appendLine, BAD_CASES, type Files, line, setCell } from '../fixtures/bad/cases.js';
import {
  cycleOf,
  openTestRuntime,
  oversizedDatasetDir,
  scanTable,
  TINY_COMMUNITY,
  tinyFiles,
} from './helpers.js';

let rt: LocalRuntime;

async function snapshot() {
  const current = await rt.repos.datasets.current(TINY_COMMUNITY);
  return {
    current,
    dataset: current ? await rt.repos.datasets.load(TINY_COMMUNITY, current.version) : undefined,
    cycles: await rt.repos.cycles.list(TINY_COMMUNITY),
    items: await scanTable(rt.repos),
  };
}

async function refused(source: Parameters<typeof importDataset>[1]): Promise<ImportIssue[]> {
  const error = await importDataset(rt.repos, source, 'office2').then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetInvalidError);
  return [...(error as DatasetInvalidError).issues];
}

const where = (issues: readonly ImportIssue[]) =>
  issues.map(({ file, row, column, rule }) => ({ file, row, column, rule }));

beforeAll(async () => {
  rt = await openTestRuntime();
  await importDataset(rt.repos, { files: tinyFiles() }, 'office1');
}, 120_000);

afterAll(async () => {
  await rt?.close();
});

describe('a refused import changes nothing stored', () => {
  let first: Awaited<ReturnType<typeof snapshot>>;
  beforeAll(async () => {
    first = await snapshot();
  });

  it.each(BAD_CASES.map((c) => [c.name, c] as const))('%s', async (_name, badCase) => {
    const before = first;
    const issues = await refused({ files: badCase.patch(tinyFiles()) });
    expect(where(issues)).toEqual(where(badCase.expect as ImportIssue[]));
    expect(await snapshot()).toEqual(before);
  });

  it('a 50 MB file in the folder', async () => {
    const before = await snapshot();
    const dir = await oversizedDatasetDir(MAX_FILE_BYTES);
    try {
      expect((await refused({ dir })).map((i) => `${i.file}:${i.rule}`)).toEqual([
        'workload.csv:file.tooLarge',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('an import whose writes fail half way leaves the previous version current and intact; the next import succeeds', async () => {
    const before = await snapshot();
    let batches = 0;
    rt.repos.table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'BatchWriteItemCommand' && ++batches === 2) {
          const error = new Error('socket hang up (injected)');
          error.name = 'TimeoutError';
          throw error;
        }
        return next(args);
      },
      { step: 'initialize', name: 'failSecondBatch' },
    );
    // A row of every month changes, so the import has a blob per month to write: more than one batch
    // (an import writes only the content the current version lacks).
    let changed = setCell(tinyFiles(), 'workload.csv', 190, 'workPoints', '999');
    for (let month = 0; month < 12; month++) {
      changed = setCell(changed, 'workload.csv', 2 + 16 * month, 'workPoints', '998');
    }
    try {
      await expect(importDataset(rt.repos, { files: changed }, 'office2')).rejects.toThrow('socket hang up');
    } finally {
      rt.repos.table.doc.middlewareStack.remove('failSecondBatch');
    }
    const after = await snapshot();
    expect({ ...after, items: undefined }).toEqual({ ...before, items: undefined });

    // The half-written version is never current and never reused (it is marked failed): the next import
    // writes a version of its own, so no row of the failed attempt can mix into it.
    const { pointer } = await importDataset(rt.repos, { files: changed }, 'office2');
    expect(pointer.version).toBe(before.current!.version + 2);
    const stored = await rt.repos.datasets.load(TINY_COMMUNITY, pointer.version);
    // workload.csv row 190 is 2026-12 P01-001.
    expect(stored.workload.find((w) => w.period === '2026-12' && w.staffId === 'P01-001')?.workPoints).toBe(
      '999',
    );
  });
});

describe('locked months', () => {
  let locked: Awaited<ReturnType<typeof snapshot>>;
  const current = () => tinyFiles();

  beforeAll(async () => {
    // Back to the tiny data, then run January and February (a monthly cycle locks its month).
    await importDataset(rt.repos, { files: tinyFiles() }, 'office1');
    for (const period of ['2026-01', '2026-02']) {
      await startCycle(rt.repos, rt.workflows, {
        communityId: TINY_COMMUNITY,
        kind: 'monthly',
        period,
        by: 'office1',
      });
      expect((await cycleOf(rt.repos, TINY_COMMUNITY, 'monthly', period)).status).toBe('completed');
    }
    locked = await snapshot();
  });

  const expectLockedRefusal = async (files: Files, expected: Partial<ImportIssue>[]) => {
    const issues = await refused({ files });
    expect(where(issues)).toEqual(
      expected.map(({ file, row, column, rule }) => ({ file, row, column, rule })),
    );
    for (const issue of issues) {
      expect(issue.zh).toContain('已锁定');
      expect(issue.en).toContain('is locked');
      expect(issue.en).toContain('medcomm correct monthly');
    }
    expect(await snapshot()).toEqual(locked);
    return issues;
  };

  it('refuses a changed row of a locked month, naming the row', async () => {
    // workload.csv row 3 is 2026-01 C01-002.
    expect(line(current(), 'workload.csv', 3)).toMatch(/^2026-01,C01-002,/);
    const issues = await expectLockedRefusal(setCell(current(), 'workload.csv', 3, 'workPoints', '747'), [
      { file: 'workload.csv', row: 3, column: 'workPoints', rule: 'period.locked' },
    ]);
    expect(issues[0]!.zh).toContain('2026-01');
    expect(issues[0]!.value).toBe('747');
    expect(issues[0]!.en).toContain('"746"');
  });

  it('refuses a row added to a locked month (a late adjustment paid in February)', async () => {
    await expectLockedRefusal(
      appendLine(current(), 'adjustments.csv', '2026-02,C01-003,50.00,漏发补发,2026-01'),
      [{ file: 'adjustments.csv', row: 4, column: 'period', rule: 'period.locked' }],
    );
  });

  it('refuses a row removed from a locked month, quoting what was there', async () => {
    // workload.csv row 2 is 2026-01 C01-001.
    const files = {
      ...current(),
      'workload.csv': current()
        ['workload.csv']!.split('\n')
        .filter((_, i) => i !== 1)
        .join('\n'),
    };
    const issues = await expectLockedRefusal(files, [
      { file: 'workload.csv', column: 'period', rule: 'period.locked' },
    ]);
    expect(issues[0]!.value).toBe('2026-01 C01-001');
  });

  it('accepts a change to an open month, keeping the locks', async () => {
    // workload.csv row 34 is 2026-03: March has not run.
    expect(line(current(), 'workload.csv', 34)).toMatch(/^2026-03,/);
    const { pointer } = await importDataset(
      rt.repos,
      { files: setCell(current(), 'workload.csv', 34, 'workPoints', '1') },
      'office2',
    );
    expect(pointer.version).toBe(locked.current!.version + 1);
    expect((await rt.repos.cycles.locks(TINY_COMMUNITY)).map((l) => l.period).sort()).toEqual([
      '2026-01',
      '2026-02',
    ]);
  });
});
