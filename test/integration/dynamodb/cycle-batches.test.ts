/**
 * A cycle revision's batches of institution ids in the table (issue 12, Step Functions' 256 KiB): PrepareCycle
 * stores them and the Maps carry references. A province's 3,100 ids of 64 Chinese characters (~600 KB of
 * JSON, an id the import accepts) go to pages of ≤ 350 KB — in the store's AWS-limits mode, which refuses an
 * item over 400 KB as AWS does — and come back as the same batches; writing them again (a retried or resumed
 * PrepareCycle) writes the same items; the handlers' one resolver turns a reference into its batch's ids,
 * reading a list once per process.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { batchIds, cycleBatches, institutionBatches } from '../../../shared/app/institution-batches.js';
import { itemBytes } from '../../../shared/store/aws-limits.js';
import { CycleBatchRepository } from '../../../shared/store/batches.js';
import { keys } from '../../../shared/store/keys.js';
import type { Table } from '../../../shared/store/store.js';
import { type LimitedTable, limitedTable } from './helpers.js';

let store: LimitedTable;
let table: Table;
/** The same table without the model: to look at what was stored. */
let plain: Table;

beforeAll(async () => {
  store = await limitedTable('batches');
  table = store.table;
  plain = store.plain;
});
afterAll(() => store?.close());

const cycle = {
  communityId: 'province1',
  kind: 'monthly' as const,
  period: '2026-03',
  revision: 2,
  datasetVersion: 7,
};
const ids = Array.from({ length: 3_100 }, (_, i) => `${'医'.repeat(58)}${String(i).padStart(6, '0')}`).sort();
const pk = (list: string) =>
  keys.cycleBatches(cycle.communityId, cycle.kind, cycle.period, cycle.revision, list);

describe("a province's batches of 64-character Chinese ids in the AWS-limits mode", () => {
  const { stored, refs } = cycleBatches(ids, ids.slice(100, 1_300));

  it('are stored in pages of at most 350 KB and read back as the same batches', async () => {
    await Promise.all(
      stored.map(({ list, batches }) => new CycleBatchRepository(table).put(cycle, list, batches)),
    );
    const pages = await plain.queryPrefix<Record<string, unknown>>(pk('all'), '');
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const page of pages) expect(itemBytes(page)).toBeLessThanOrEqual(350 * 1024);
    const reader = new CycleBatchRepository(table);
    expect(await reader.batches(cycle, 'all')).toEqual(institutionBatches(ids));
    expect(await reader.batches(cycle, 'secondary')).toEqual(institutionBatches(ids.slice(100, 1_300)));
  }, 60_000);

  it('written again (a retried or resumed PrepareCycle), the items are the same', async () => {
    const before = await plain.queryPrefix(pk('all'), '');
    await new CycleBatchRepository(table).put(cycle, 'all', stored[0]!.batches);
    expect(await plain.queryPrefix(pk('all'), '')).toEqual(before);
  }, 60_000);

  it("the handlers' resolver gives a reference's batch, reading each list once per process", async () => {
    const repos = { batches: new CycleBatchRepository(table) };
    const reads = vi.spyOn(table, 'queryPrefix');
    const all = institutionBatches(ids);
    for (const batch of refs.institutionBatches)
      expect(await batchIds(repos, { cycle, batch })).toEqual(all[batch.index]);
    const secondary = institutionBatches(ids.slice(100, 1_300));
    for (const batch of refs.secondary!.institutionBatches)
      expect(await batchIds(repos, { cycle, batch })).toEqual(secondary[batch.index]);
    expect(reads).toHaveBeenCalledTimes(2);
    reads.mockRestore();
  });

  it('the process that stored a list finds it without reading it back (the local runtime: one process)', async () => {
    const writer = new CycleBatchRepository(table);
    await writer.put(cycle, 'all', stored[0]!.batches);
    const reads = vi.spyOn(table, 'queryPrefix');
    expect(await writer.batches(cycle, 'all')).toEqual(institutionBatches(ids));
    expect(reads).not.toHaveBeenCalled();
    // What it keeps is what a reader of the table finds.
    expect(await new CycleBatchRepository(table).batches(cycle, 'all')).toEqual(
      await writer.batches(cycle, 'all'),
    );
    reads.mockRestore();
  });

  it('ids given inline (a correction, or a month parked before references) and one institution need no read', async () => {
    const repos = { batches: new CycleBatchRepository(table) };
    const reads = vi.spyOn(table, 'queryPrefix');
    expect(await batchIds(repos, { cycle, institutionIds: ['A', 'B'] })).toEqual(['A', 'B']);
    expect(await batchIds(repos, { cycle, batch: ['C'] })).toEqual(['C']);
    expect(await batchIds(repos, { cycle, institutionId: 'D' })).toEqual(['D']);
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
  });

  it('a batch that was never stored is an error, not an empty batch', async () => {
    const repos = { batches: new CycleBatchRepository(table) };
    await expect(batchIds(repos, { cycle, batch: { list: 'all', index: 62 } })).rejects.toThrow(
      /no stored batch/,
    );
    await expect(
      batchIds(repos, { cycle: { ...cycle, revision: 3 }, batch: { list: 'all', index: 0 } }),
    ).rejects.toMatchObject({ name: 'StoreError', code: 'not_found' });
  });
});
