/**
 * Content-addressed dataset storage: rosters and months are blobs named by their content, so an import
 * writes only what the current version lacks, and every version still reads back exactly what was
 * imported into it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../shared/app/import-service.js';
import { parseDatasetFiles } from '../../../shared/dataset/index.js';
import type { LocalRuntime } from '../../../shared/local/runtime.js';
import { DatasetRepository, monthHash } from '../../../shared/store/datasets.js';
import { isStoreError } from '../../../shared/store/errors.js';
import { keys } from '../../../shared/store/keys.js';
import { metrics, Table } from '../../../shared/store/store.js';
import { setCell } from '../../fixtures/bad/cases.js';
import { openTestRuntime, scanTable, TINY_COMMUNITY, tinyFiles } from '../../reliability/helpers.js';

let rt: LocalRuntime;

const blobs = async () =>
  (await scanTable(rt.repos)).filter((item) =>
    String(item.pk).startsWith(`${keys.datasetBlobs(TINY_COMMUNITY)}#`),
  );

const parsed = (files: Record<string, string | Uint8Array>) => {
  const result = parseDatasetFiles(files);
  if (!result.ok) throw new Error('the fixture should parse');
  return result.dataset;
};

beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => {
  await rt?.close();
});

describe('dataset blobs', () => {
  it('a first import stores each roster and institution-month once, and reads the dataset back', async () => {
    const { pointer } = await importDataset(rt.repos, { files: tinyFiles() }, 'office1');
    const stored = await blobs();
    const dataset = parsed(tinyFiles());
    const institutionMonths = new Set(dataset.workload.map((w) => `${w.period} ${w.staffId.split('-')[0]}`))
      .size;
    expect(stored.filter((b) => b.kind === 'roster')).toHaveLength(dataset.institutions.length);
    expect(stored.filter((b) => b.kind === 'month').length).toBeGreaterThanOrEqual(institutionMonths);
    expect(await rt.repos.datasets.load(TINY_COMMUNITY, pointer.version)).toEqual(dataset);
  });

  it('importing the same files again writes no blob, only the new version’s small parts and indexes', async () => {
    const before = await blobs();
    const { pointer } = await importDataset(rt.repos, { files: tinyFiles() }, 'office1');
    expect(await blobs()).toEqual(before);
    const version = (await scanTable(rt.repos)).filter(
      (item) => item.pk === keys.datasetPartition(TINY_COMMUNITY, pointer.version),
    );
    expect(version.every((item) => item.type === 'DatasetPart' || item.type === 'DatasetIndex')).toBe(true);
    expect(await rt.repos.datasets.load(TINY_COMMUNITY, pointer.version)).toEqual(parsed(tinyFiles()));
  });

  it('a change to one institution’s month writes that one blob; the older version still reads its own', async () => {
    const older = (await rt.repos.datasets.current(TINY_COMMUNITY))!.version;
    const before = await blobs();
    // workload.csv row 190 is 2026-12 P01-001.
    const changed = setCell(tinyFiles(), 'workload.csv', 190, 'workPoints', '999');
    const { pointer } = await importDataset(rt.repos, { files: changed }, 'office1');

    const added = (await blobs()).filter((b) => !before.some((o) => o.sk === b.sk));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ kind: 'month' });
    expect(await rt.repos.datasets.load(TINY_COMMUNITY, pointer.version)).toEqual(parsed(changed));
    expect(await rt.repos.datasets.load(TINY_COMMUNITY, older)).toEqual(parsed(tinyFiles()));
    const december = await rt.repos.datasets.institutionMonths(TINY_COMMUNITY, older, 'P01', ['2026-12']);
    expect(december.workload.find((w) => w.staffId === 'P01-001')?.workPoints).not.toBe('999');
  });

  it('month hashes from the index are the content hashes of the rows read back', async () => {
    const { version } = (await rt.repos.datasets.current(TINY_COMMUNITY))!;
    const month = await rt.repos.datasets.month(TINY_COMMUNITY, version, '2026-12');
    const hashes = await rt.repos.datasets.monthHashes(TINY_COMMUNITY, version, '2026-12');
    expect(Object.keys(hashes).sort()).toEqual([...month.keys()].sort());
    for (const [institutionId, { rows, hash }] of month) {
      expect(hashes[institutionId]).toBe(monthHash(rows));
      expect(hash).toBe(monthHash(rows));
    }
  });

  it("a start's month rows are the month's; a repository that runs the cycles too keeps them for the pay step's reads", async () => {
    const { version } = (await rt.repos.datasets.current(TINY_COMMUNITY))!;
    const month = await rt.repos.datasets.month(TINY_COMMUNITY, version, '2026-03');
    const expected = new Map([...month].map(([id, { rows }]) => [id, rows]));
    expect(expected.size).toBeGreaterThan(1);
    // A Lambda serving the API keeps nothing: the pay step's read of an institution's month is its own.
    const api = new DatasetRepository(rt.repos.table);
    expect(await api.monthRows(TINY_COMMUNITY, version, '2026-03')).toEqual(expected);
    let before = metrics.requests;
    await api.institutionMonths(TINY_COMMUNITY, version, 'C01', ['2026-03']);
    expect(metrics.requests - before).toBe(1);
    // The local runtime keeps them: the same rows, then no request for them.
    const local = new DatasetRepository(rt.repos.table, { keepMonthsRead: true });
    expect(await local.monthRows(TINY_COMMUNITY, version, '2026-03')).toEqual(expected);
    before = metrics.requests;
    for (const id of expected.keys())
      expect(await local.institutionMonths(TINY_COMMUNITY, version, id, ['2026-03'])).toEqual(
        expected.get(id),
      );
    expect(metrics.requests - before).toBe(0);
    // The start also reads the rosters ahead for the pay step, without waiting for them: that read ends
    // here (it is shared), so none of its requests is counted by the next test.
    await local.rosters(TINY_COMMUNITY, version, [...expected.keys()]);
  });

  it('concurrent reads of one roster share the reads in flight: one index query, one BatchGetItem', async () => {
    const { version } = (await rt.repos.datasets.current(TINY_COMMUNITY))!;
    const fresh = new DatasetRepository(rt.repos.table);
    const before = metrics.requests;
    const rosters = await Promise.all(
      Array.from({ length: 5 }, () => fresh.roster(TINY_COMMUNITY, version, 'C01')),
    );
    expect(metrics.requests - before).toBe(2);
    expect(new Set(rosters.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(rosters[0]!.length).toBeGreaterThan(0);
  });

  it("reads an institution's roster and months in one request, and the months asked for besides", async () => {
    const { version } = (await rt.repos.datasets.current(TINY_COMMUNITY))!;
    const fresh = new DatasetRepository(rt.repos.table);
    const before = metrics.requests;

    const slice = await fresh.institutionSlice(
      TINY_COMMUNITY,
      version,
      'C01',
      ['2026-03'],
      ['2026-01', '2026-02'],
    );
    // One query for the version's indexes (roster and every month), one BatchGetItem for the four blobs.
    expect(metrics.requests - before).toBe(1 + 1);
    expect(slice.roster.map((s) => s.institutionId)).toEqual(slice.roster.map(() => 'C01'));
    expect(new Set(slice.rows.workload.map((w) => w.period))).toEqual(new Set(['2026-03']));

    const alone = new DatasetRepository(rt.repos.table);
    const indexItems = (await scanTable(rt.repos)).filter(
      (item) => item.pk === keys.datasetPartition(TINY_COMMUNITY, version) && item.type === 'DatasetIndex',
    ).length;
    const beforeMonths = metrics.requests;
    const itemsBefore = metrics.itemsRead;
    await alone.institutionMonths(TINY_COMMUNITY, version, 'C01', ['2026-01', '2026-02']);
    // The indexes and one BatchGetItem: no roster is read for months alone.
    expect(metrics.requests - beforeMonths).toBe(1 + 1);
    expect(metrics.itemsRead - itemsBefore).toBe(indexItems + 2);

    const afterSlice = metrics.requests;
    const quarter = await fresh.institutionMonths(TINY_COMMUNITY, version, 'C01', [
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
    expect(metrics.requests).toBe(afterSlice);
    expect(quarter).toEqual(
      await rt.repos.datasets.institutionMonths(TINY_COMMUNITY, version, 'C01', [
        '2026-01',
        '2026-02',
        '2026-03',
      ]),
    );
  });

  it('reads every roster in one index query and one BatchGetItem, in the order asked', async () => {
    const { version } = (await rt.repos.datasets.current(TINY_COMMUNITY))!;
    const ids = (await rt.repos.datasets.institutions(TINY_COMMUNITY, version)).map((i) => i.id).reverse();
    const fresh = new DatasetRepository(rt.repos.table);
    const before = metrics.requests;

    const rosters = await fresh.rosters(TINY_COMMUNITY, version, [...ids, 'NOSUCH']);

    expect(metrics.requests - before).toBe(2);
    expect(rosters.map((r) => r[0]?.institutionId)).toEqual([...ids, undefined]);
    for (const [i, id] of ids.entries()) {
      expect(rosters[i]).toEqual(await rt.repos.datasets.roster(TINY_COMMUNITY, version, id));
    }
  });

  it('a failed shared read fails only the caller that made it; the ones waiting for it read again', async () => {
    const { version } = (await rt.repos.datasets.current(TINY_COMMUNITY))!;
    const table = new Table(rt.repos.table.doc, rt.repos.table.name);
    const queryPrefix = table.queryPrefix.bind(table);
    let calls = 0;
    table.queryPrefix = (async (...args: Parameters<typeof queryPrefix>) => {
      if (++calls === 1) throw new Error('throttled (injected)');
      return queryPrefix(...args);
    }) as typeof table.queryPrefix;
    const fresh = new DatasetRepository(table);

    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, () => fresh.roster(TINY_COMMUNITY, version, 'C01')),
    );

    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(await fresh.roster(TINY_COMMUNITY, version, 'C01')).toEqual(
      (outcomes[1] as PromiseFulfilledResult<unknown>).value,
    );
  });

  it('a blob is checked against its name as read: the same rows stored with other spacing are read, changed rows refused', async () => {
    const { version } = (await rt.repos.datasets.current(TINY_COMMUNITY))!;
    const expected = await rt.repos.datasets.roster(TINY_COMMUNITY, version, 'C01');
    const item = (await blobs()).find((i) => i.kind === 'roster' && String(i.data).includes('"C01-001"'))!;
    const fresh = () => new DatasetRepository(rt.repos.table).roster(TINY_COMMUNITY, version, 'C01');
    try {
      await rt.repos.table.put({ ...item, data: JSON.stringify(JSON.parse(String(item.data)), null, 1) });
      expect(await fresh()).toEqual(expected);
      await rt.repos.table.put({ ...item, data: String(item.data).replace('"C01-001"', '"C01-009"') });
      await expect(fresh()).rejects.toThrow(/does not match its hash/);
    } finally {
      await rt.repos.table.put(item);
    }
    expect(await fresh()).toEqual(expected);
  });

  it('a version stored in the layout before blobs is refused with a message to import again', async () => {
    const pk = keys.datasetPartition(TINY_COMMUNITY, 999);
    await rt.repos.table.put({ pk, sk: 'ROSTER#C01#000', type: 'Roster', data: '[]' });
    const error = await rt.repos.datasets.roster(TINY_COMMUNITY, 999, 'C01').catch((e: unknown) => e);
    expect(isStoreError(error, 'not_found')).toBe(true);
    expect((error as Error).message).toContain('请重新导入');
    expect((error as Error).message).toContain('import the dataset again');
  });
});
