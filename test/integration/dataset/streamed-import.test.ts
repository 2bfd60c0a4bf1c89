/**
 * The streamed import on the stored side (issues 12 and 17): months are written while workload.csv is
 * still being read, yet a refused import — whose last row is wrong, after eleven months went out —
 * leaves every item of the table as it was, and an accepted one reads back exactly the rows given.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../shared/app/import-service.js';
import { DatasetInvalidError, parseDatasetFiles } from '../../../shared/dataset/index.js';
import { generateCounty } from '../../../shared/demo/index.js';
import type { LocalRuntime } from '../../../shared/local/runtime.js';
import { VersionWriter } from '../../../shared/store/datasets.js';
import { type Files, setCell } from '../../fixtures/bad/cases.js';
import { openTestRuntime, scanTable } from '../../reliability/helpers.js';

let rt: LocalRuntime;
const { flushItems } = VersionWriter;
const county = generateCounty({ staff: 400, counties: 1, seed: 17 }) as Record<string, string>;
const workloadRows = county['workload.csv']!.split('\n').filter((l) => l.trim() !== '').length;

/** Counts the blob pages BatchWriteItem put while `work` runs. */
async function blobPagesPut(work: () => Promise<unknown>): Promise<number> {
  let pages = 0;
  rt.repos.table.doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchWriteItemCommand') {
        const input = args.input as {
          RequestItems: Record<string, { PutRequest?: { Item: { type?: string } } }[]>;
        };
        for (const writes of Object.values(input.RequestItems))
          pages += writes.filter((w) => w.PutRequest?.Item.type === 'DatasetBlob').length;
      }
      return next(args);
    },
    { step: 'initialize', name: 'countBlobPages' },
  );
  try {
    await work().catch(() => undefined);
  } finally {
    rt.repos.table.doc.middlewareStack.remove('countBlobPages');
  }
  return pages;
}

beforeAll(async () => {
  rt = await openTestRuntime();
}, 120_000);

afterAll(async () => {
  await rt?.close();
});

describe('a streamed import', () => {
  it('refused on its last workload row, after writing months, leaves the table as it was', async () => {
    const before = await scanTable(rt.repos);
    const bad = setCell(county as Files, 'workload.csv', workloadRows, 'quality', '120');
    let error: unknown;
    const pages = await blobPagesPut(async () => {
      error = await importDataset(rt.repos, { files: bad }, 'office1').catch((e: unknown) => e);
    });
    expect(error).toBeInstanceOf(DatasetInvalidError);
    expect((error as DatasetInvalidError).issues.map((i) => [i.file, i.row, i.column])).toEqual([
      ['workload.csv', workloadRows, 'quality'],
    ]);
    expect(pages).toBeGreaterThan(0); // months went out before the bad row was read
    expect(await scanTable(rt.repos)).toEqual(before);
  });

  it('accepted, stores exactly the rows given, and a refused one later changes nothing', async () => {
    const { pointer } = await importDataset(rt.repos, { files: county }, 'office1');
    const parsed = parseDatasetFiles(county);
    if (!parsed.ok) throw new Error('the county is valid');
    const stored = await rt.repos.datasets.load(pointer.communityId, pointer.version);
    const byKey = (rows: { period: string; staffId: string }[]) =>
      [...rows].sort((a, b) => `${a.period}${a.staffId}`.localeCompare(`${b.period}${b.staffId}`));
    expect(byKey(stored.workload)).toEqual(byKey(parsed.dataset.workload));
    expect(stored.staff).toEqual(
      [...parsed.dataset.staff].sort((a, b) =>
        a.institutionId < b.institutionId ? -1 : a.institutionId > b.institutionId ? 1 : 0,
      ),
    );

    // March changes (new content, written when April begins), then a duplicate row at the end refuses the import.
    const rows = county['workload.csv']!.split('\n');
    const march = rows.findIndex((l) => l.startsWith('2026-03'));
    let changed = setCell(county as Files, 'workload.csv', march + 1, 'workPoints', '7');
    changed = { ...changed, 'workload.csv': `${String(changed['workload.csv']).trimEnd()}\n${rows[1]}\n` };
    const before = await scanTable(rt.repos);
    let error: unknown;
    VersionWriter.flushItems = 1; // each blob goes out as soon as its month is read
    const pages = await blobPagesPut(async () => {
      error = await importDataset(rt.repos, { files: changed }, 'office1').catch((e: unknown) => e);
    }).finally(() => {
      VersionWriter.flushItems = flushItems;
    });
    expect(error).toBeInstanceOf(DatasetInvalidError);
    expect((error as DatasetInvalidError).issues.map((i) => i.rule)).toEqual(['id.duplicate']);
    expect(pages).toBeGreaterThan(0); // March's new blob went out before the duplicate was read
    expect(await scanTable(rt.repos)).toEqual(before);
  });
});
