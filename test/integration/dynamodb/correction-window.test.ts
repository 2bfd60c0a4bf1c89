/**
 * A correction's dataset version written for its window only (issue 12): `writeWindowVersion` makes the
 * version that writing the whole corrected dataset made — the same blobs, blob log, parts, list
 * references and window indexes, read back as the same dataset — while reading and writing nothing of
 * the base outside the window. The one difference: the indexes of months outside the window are the
 * base's items as they are (the same institutions naming the same blobs), where the whole write listed
 * them in the order a loaded dataset gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readCorrectedWindow,
  windowOf,
  windowOfDataset,
  withCorrectedRows,
} from '../../../shared/app/correction-service.js';
import { MONTHLY_PARTS, QUARTERLY_PARTS, type RowPart } from '../../../shared/app/frozen-rows.js';
import { parseDatasetFiles } from '../../../shared/dataset/index.js';
import { parseDatasetStreamed, parseThread, type WorkloadGroup } from '../../../shared/dataset/stream.js';
import type { Dataset } from '../../../shared/schemas/dataset.js';
import type { MonthRows } from '../../../shared/store/datasets.js';
import { type Repositories, repositories } from '../../../shared/store/index.js';
import { keys } from '../../../shared/store/keys.js';
import { Table } from '../../../shared/store/store.js';
import { scanTable, TINY_COMMUNITY, tinyFiles } from '../../reliability/helpers.js';
import { type FreshTable, freshTable } from './helpers.js';

const C = TINY_COMMUNITY;
let fresh: FreshTable;
let repos: Repositories;

const parsed = (files: Record<string, string>): Dataset => {
  const result = parseDatasetFiles(files);
  if (!result.ok) throw new Error(`the fixture should parse: ${JSON.stringify(result.issues[0])}`);
  return result.dataset;
};

/** The tiny files with each line `edit` returns something for replaced (null drops it). */
function edited(name: string, edit: (line: string) => string | null | undefined): Record<string, string> {
  const files = tinyFiles();
  files[name] = files[name]!.split('\n')
    .flatMap((line) => {
      const out = edit(line);
      return out === undefined ? [line] : out === null ? [] : [out];
    })
    .join('\n');
  return files;
}

const cells = (line: string, column: number, value: string) => {
  const out = line.split(',');
  out[column] = value;
  return out.join(',');
};

beforeAll(async () => {
  fresh = await freshTable('correction-window');
  repos = repositories(new Table(fresh.doc, fresh.table));
});
afterAll(() => {
  fresh?.client.destroy();
});

/** A version's own items by sort key, without their partition key. */
async function ownItems(version: number): Promise<Map<string, Record<string, unknown>>> {
  const pk = keys.datasetPartition(C, version);
  const items = (await scanTable(repos)).filter((i) => i.pk === pk);
  return new Map(items.map(({ pk: _pk, ...item }) => [String(item.sk), item]));
}

/** The whole corrected dataset written as every correction wrote it, and the window version beside it. */
async function bothWays(base: Dataset, from: Dataset, months: string[], parts: readonly RowPart[]) {
  const baseVersion = (
    await repos.datasets.writeVersion(base, 'office1', undefined, undefined, { makeCurrent: false })
  ).version;
  const loaded = await repos.datasets.load(C, baseVersion);
  const corrected = withCorrectedRows(loaded, from, months, parts);
  const whole = await repos.datasets.writeVersion(corrected, 'office1', baseVersion, undefined, {
    makeCurrent: false,
  });
  const inWindow = (row: { period: string }) => months.includes(row.period);
  const rows: MonthRows = {
    workload: corrected.workload.filter(inWindow),
    values: corrected.indicatorValues.filter(inWindow),
    finance: corrected.finance.filter(inWindow),
    adjustments: corrected.adjustments.filter(inWindow),
  };
  const staff = await repos.datasets.staffInstitutions(C, baseVersion);
  const written = await repos.datasets.writeWindowVersion(
    C,
    2026,
    baseVersion,
    months,
    rows,
    (id) => staff.get(id)!,
    'office1',
  );
  expect(written).toBeDefined();
  const window = await repos.datasets.completeVersion(written!, baseVersion, { makeCurrent: false });
  return { baseVersion, whole: whole.version, window: window.version };
}

async function expectSameVersion(whole: number, window: number, months: readonly string[]) {
  const [a, b] = await Promise.all([ownItems(whole), ownItems(window)]);
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [sk, item] of a) {
    const outside = sk.startsWith('INDEX#MONTH#') && !months.some((m) => sk.startsWith(`INDEX#MONTH#${m}#`));
    if (!outside) {
      expect(b.get(sk), sk).toEqual(item);
      continue;
    }
    const entries = (x: Record<string, unknown>) =>
      (JSON.parse(String(x.data)) as string[][]).map(String).sort();
    expect(entries(b.get(sk)!), sk).toEqual(entries(item));
  }
  const manifest = async (v: number) => {
    const {
      importedAt: _at,
      sk: _sk,
      ...rest
    } = (await repos.table.get<Record<string, unknown>>(keys.datasetManifest(C, v)))!;
    return rest;
  };
  expect(await manifest(window)).toEqual(await manifest(whole));
  expect(await repos.datasets.load(C, window)).toEqual(await repos.datasets.load(C, whole));
}

describe('a correction version written for its window', () => {
  it('holds what writing the whole corrected month held: changed workload, a new adjustment, a row the base lacked', async () => {
    // The base lacks C01-003's February row, so the corrected row needs the rosters to find its institution.
    const base = parsed(edited('workload.csv', (l) => (l.startsWith('2026-02,C01-003,') ? null : undefined)));
    const from = parsed({
      ...edited('workload.csv', (l) =>
        l.startsWith('2026-02,C01-001,') || l.startsWith('2026-02,C01-002,') ? cells(l, 2, '999') : undefined,
      ),
      'adjustments.csv': `${tinyFiles()['adjustments.csv']!.trimEnd()}\n2026-02,C01-002,55.00,补,2026-01\n`,
    });
    const months = ['2026-02'];
    const { whole, window } = await bothWays(base, from, months, MONTHLY_PARTS);
    await expectSameVersion(whole, window, months);
    const feb = await repos.datasets.month(C, window, '2026-02');
    const rows = [...feb.values()].flatMap((m) => m.rows.workload);
    expect(rows.find((r) => r.staffId === 'C01-001')?.workPoints).toBe('999');
    expect(rows.some((r) => r.staffId === 'C01-003')).toBe(true);
  });

  it('holds what writing the whole corrected quarter held: changed finance rows of its three months', async () => {
    const base = parsed(tinyFiles());
    const from = parsed(
      edited('finance.csv', (l) => (/^2026-0[123],C01,bed,/.test(l) ? cells(l, 3, '20000.00') : undefined)),
    );
    const months = ['2026-01', '2026-02', '2026-03'];
    const { whole, window } = await bothWays(base, from, months, QUARTERLY_PARTS);
    await expectSameVersion(whole, window, months);
  });

  it('knows every staff member of a version from its rosters, and refuses rows outside its window', async () => {
    const dataset = parsed(tinyFiles());
    const version = (
      await repos.datasets.writeVersion(dataset, 'office1', undefined, undefined, { makeCurrent: false })
    ).version;
    expect(await repos.datasets.staffInstitutions(C, version)).toEqual(
      new Map(dataset.staff.map((s) => [s.staffId, s.institutionId])),
    );
    const row = dataset.workload.find((r) => r.period === '2026-02')!;
    await expect(
      repos.datasets.writeWindowVersion(
        C,
        2026,
        version,
        ['2026-01'],
        { workload: [row], values: [], finance: [], adjustments: [] },
        () => 'C01',
        'office1',
      ),
    ).rejects.toThrow(/outside the window/);
  });

  it('reads a window of a version as the loaded dataset holds it, and of corrected files as parsed whole', async () => {
    // workload.csv by person, not by month: the stream hands a month over again, rows come back in file order.
    const files = tinyFiles();
    const [header, ...lines] = files['workload.csv']!.trimEnd().split('\n');
    const byPerson = [...lines].sort((a, b) => a.split(',')[1]!.localeCompare(b.split(',')[1]!));
    files['workload.csv'] = `${[header, ...byPerson].join('\n')}\n`;
    const whole = parsed(files);
    for (const months of [['2026-02'], ['2026-04', '2026-05', '2026-06']]) {
      const read = await readCorrectedWindow({ files }, months, {});
      expect(read.rows).toEqual(windowOfDataset(whole, months));
      expect(read.scheme).toEqual(whole.scheme);
    }
    const version = (
      await repos.datasets.writeVersion(whole, 'office1', undefined, undefined, { makeCurrent: false })
    ).version;
    const loaded = await repos.datasets.load(C, version);
    const months = ['2026-01', '2026-02', '2026-03'];
    const window = await windowOf(repos, C, version, months);
    expect(window.rows).toEqual(windowOfDataset(loaded, months));
    for (const row of window.rows.workload)
      expect(window.staff.get(row.staffId)).toBe(
        loaded.staff.find((s) => s.staffId === row.staffId)?.institutionId,
      );
  });

  it('reads corrected files on the parse worker as on this thread: only the window months are grouped and handed over', async () => {
    // issue 12: the rows of the other months are checked, never grouped, copied from the worker or held.
    const byMonth = tinyFiles();
    const byPerson = tinyFiles();
    const [header, ...lines] = byPerson['workload.csv']!.trimEnd().split('\n');
    const sorted = [...lines].sort((a, b) => a.split(',')[1]!.localeCompare(b.split(',')[1]!));
    byPerson['workload.csv'] = `${[header, ...sorted].join('\n')}\n`;
    const saved = { minBytes: parseThread.minBytes, earlyMaxBytes: parseThread.earlyMaxBytes };
    try {
      for (const files of [byMonth, byPerson]) {
        const whole = parsed(files);
        const bytes = Object.fromEntries(Object.entries(files).map(([n, t]) => [n, Buffer.from(t)]));
        // This thread; the worker started at once (a city's file); the worker after the other files (a province's).
        for (const [minBytes, earlyMaxBytes] of [
          [Number.POSITIVE_INFINITY, saved.earlyMaxBytes],
          [0, saved.earlyMaxBytes],
          [0, 0],
        ] as const) {
          parseThread.minBytes = minBytes;
          parseThread.earlyMaxBytes = earlyMaxBytes;
          for (const months of [['2026-02'], ['2026-04', '2026-05', '2026-06']]) {
            const read = await readCorrectedWindow({ files: bytes }, months, {});
            expect(read.rows).toEqual(windowOfDataset(whole, months));
            // A quarter's correction takes finance and indicator values: no workload row is kept.
            const quarterly = await readCorrectedWindow({ files: bytes }, months, {}, QUARTERLY_PARTS);
            expect(quarterly.rows).toEqual({
              ...windowOfDataset(whole, months),
              workload: [],
              adjustments: [],
            });
            const monthly = await readCorrectedWindow({ files: bytes }, months, {}, MONTHLY_PARTS);
            expect(monthly.rows).toEqual({ ...windowOfDataset(whole, months), finance: [], values: [] });
            // A month handed over again (the file went back to it) replaces what it was handed before.
            const handed = new Map<string, number>();
            const result = await parseDatasetStreamed(
              new Map(Object.entries(bytes)),
              {
                open: true,
                onlyMonths: new Set(months),
                begin: async () => true,
                month: (period: string, groups: Map<string, WorkloadGroup>) => {
                  handed.set(period, [...groups.values()].flatMap((g) => g.rows).length);
                },
                pause: async () => undefined,
              },
              {},
            );
            expect(result.ok).toBe(true);
            expect(Object.fromEntries(handed)).toEqual(
              Object.fromEntries(months.map((m) => [m, whole.workload.filter((r) => r.period === m).length])),
            );
          }
        }
      }
    } finally {
      parseThread.minBytes = saved.minBytes;
      parseThread.earlyMaxBytes = saved.earlyMaxBytes;
    }
  });

  it('refuses corrected files with the issues the whole parse names', async () => {
    const files = edited('workload.csv', (l) =>
      l.startsWith('2026-02,C01-001,') ? cells(l, 2, 'abc') : undefined,
    );
    const whole = parseDatasetFiles(files);
    expect(whole.ok).toBe(false);
    const refused = await readCorrectedWindow({ files }, ['2026-02'], {}).catch((error: unknown) => error);
    expect((refused as { issues?: unknown }).issues).toEqual(whole.ok ? [] : whole.issues);
  });
});
