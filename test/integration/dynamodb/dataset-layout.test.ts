/**
 * The dataset layout of issue 12 on DynamoDB Local: blobs spread over partitions by hash, every item cut
 * by its encoded size (≤ 350 KB), the institutions list paged, the layout recorded on the version — and
 * versions written in the layout before (one blob key, one INSTITUTIONS item) still read. Also the sweep
 * of blobs only a failed version wrote (issue 17).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../shared/app/import-service.js';
import { parseDatasetFiles } from '../../../shared/dataset/index.js';
import type { Dataset, Institution, Staff } from '../../../shared/schemas/dataset.js';
import { itemSize } from '../../../shared/store/batch.js';
import { DATASET_LAYOUT, DatasetRepository } from '../../../shared/store/datasets.js';
import { type Repositories, repositories } from '../../../shared/store/index.js';
import { keys } from '../../../shared/store/keys.js';
import { Table } from '../../../shared/store/store.js';
import { setCell } from '../../fixtures/bad/cases.js';
import { scanTable, TINY_COMMUNITY, tinyFiles } from '../../reliability/helpers.js';
import { type FreshTable, freshTable } from './helpers.js';

const C = TINY_COMMUNITY;
let fresh: FreshTable;
let repos: Repositories;

const parsed = (files: Record<string, string | Uint8Array>): Dataset => {
  const result = parseDatasetFiles(files);
  if (!result.ok) throw new Error('the fixture should parse');
  return result.dataset;
};

/** The tiny dataset with a hospital of 4,000 staff with long fields and 3,000 more institutions. */
function large(): Dataset {
  const dataset = parsed(tinyFiles());
  const model = dataset.staff.find((s) => s.institutionId === 'C01')!;
  const staff: Staff[] = Array.from({ length: 4000 }, (_, i) => ({
    ...model,
    staffId: `C01-9${String(i).padStart(4, '0')}`,
    name: `长名字${'医'.repeat(30)}${i}`,
  }));
  const institution = dataset.institutions[0]!;
  const institutions: Institution[] = Array.from({ length: 3000 }, (_, i) => ({
    ...institution,
    id: `X${String(i).padStart(4, '0')}`,
    name: `某某县某某镇第${i}卫生院${'院'.repeat(20)}`,
  }));
  return {
    ...dataset,
    staff: [...dataset.staff, ...staff],
    institutions: [...dataset.institutions, ...institutions],
  };
}

const byId = <T extends { staffId?: string; id?: string }>(rows: T[]) =>
  [...rows].sort((a, b) => String(a.staffId ?? a.id).localeCompare(String(b.staffId ?? b.id)));

beforeAll(async () => {
  fresh = await freshTable('layout');
  repos = repositories(new Table(fresh.doc, fresh.table));
});
afterAll(() => {
  fresh?.client.destroy();
});

describe('dataset layout 2', () => {
  it('spreads blobs over partitions by hash, keeps every item under 350 KB, pages the institutions', async () => {
    const dataset = large();
    const pointer = await repos.datasets.writeVersion(dataset, 'office1', undefined);
    const items = await scanTable(repos);

    const manifest = items.find(
      (i) => i.pk === keys.community(C) && i.sk === keys.datasetManifest(C, pointer.version).sk,
    );
    expect(manifest).toMatchObject({ status: 'complete', layout: DATASET_LAYOUT });

    const blobs = items.filter((i) => i.type === 'DatasetBlob');
    expect(blobs.length).toBeGreaterThan(10);
    for (const blob of blobs) {
      const hash = String(blob.sk).split('#')[0]!;
      expect(blob.pk).toBe(`DSBLOB#${C}#${hash.slice(0, 2)}`);
      expect(blob.writtenBy).toBe(pointer.version);
    }
    expect(new Set(blobs.map((b) => b.pk)).size).toBeGreaterThan(5);

    for (const item of items) expect(itemSize(item)).toBeLessThanOrEqual(350_000);
    // The big hospital's roster (≈ 4,000 × 250 bytes) needs several pages.
    expect(blobs.filter((b) => b.kind === 'roster' && !String(b.sk).endsWith('#000')).length).toBeGreaterThan(
      1,
    );
    // The institutions list is paged, each page a one-page blob in its own hash's shard (issue 12), and
    // the version's partition holds only their hashes.
    const own = items.filter((i) => i.pk === keys.datasetPartition(C, pointer.version));
    expect(own.filter((i) => String(i.sk).startsWith('INSTITUTIONS#'))).toEqual([]);
    const pageHashes = JSON.parse(String(own.find((i) => i.sk === 'INSTITUTIONS@')!.data)) as string[];
    expect(pageHashes.length).toBeGreaterThan(1);
    for (const hash of pageHashes) {
      const page = blobs.find((b) => b.sk === `${hash}#000`)!;
      expect(page).toMatchObject({ pk: `DSBLOB#${C}#${hash.slice(0, 2)}`, kind: 'list' });
      expect(blobs.some((b) => b.sk === `${hash}#001`)).toBe(false);
    }

    const reader = new DatasetRepository(repos.table);
    expect(await reader.institutions(C, pointer.version)).toEqual(dataset.institutions);
    const loaded = await reader.load(C, pointer.version);
    expect(byId(loaded.staff)).toEqual(byId(dataset.staff));
    expect(loaded.institutions).toEqual(dataset.institutions);
    expect(loaded.workload).toHaveLength(dataset.workload.length);
    expect(await reader.roster(C, pointer.version, 'C01')).toEqual(
      dataset.staff.filter((s) => s.institutionId === 'C01'),
    );
  });
});

/**
 * Rewrites a version as the layout before this change stored it: every blob under `DSBLOB#{c}`, index
 * items unmarked, the paged lists in one item each, no layout on the manifest.
 */
async function toLayoutOne(version: number): Promise<void> {
  const items = await scanTable(repos);
  const pk = keys.datasetPartition(C, version);
  const own = items.filter((i) => i.pk === pk);
  const indexes = own.filter((i) => i.type === 'DatasetIndex');
  const hashes = new Set(
    indexes.flatMap((i) => (JSON.parse(String(i.data)) as [string, string, number][]).map(([, h]) => h)),
  );
  const writes: Record<string, unknown>[] = [];
  const deletes: { pk: unknown; sk: unknown }[] = [];
  for (const blob of items.filter(
    (i) => i.type === 'DatasetBlob' && hashes.has(String(i.sk).split('#')[0]!),
  )) {
    const { writtenBy: _w, ...rest } = blob;
    writes.push({ ...rest, pk: keys.datasetBlobs(C) });
    deletes.push({ pk: blob.pk, sk: blob.sk });
  }
  for (const index of indexes) {
    const { layout: _l, ...rest } = index;
    writes.push(rest);
  }
  for (const name of ['INSTITUTIONS', 'LEADERS', 'INSURANCE']) {
    // The list's page blobs, in the order its reference names them.
    const ref = own.find((i) => i.sk === `${name}@`)!;
    const paged = (JSON.parse(String(ref.data)) as string[]).map(
      (hash) => items.find((i) => i.type === 'DatasetBlob' && i.sk === `${hash}#000`)!,
    );
    writes.push({
      pk,
      sk: name,
      type: 'DatasetPart',
      data: JSON.stringify(paged.flatMap((i) => JSON.parse(String(i.data)) as unknown[])),
    });
    deletes.push({ pk, sk: ref.sk });
  }
  for (const key of deletes) await repos.table.delete(key);
  for (const item of writes) await repos.table.put(item);
  await repos.table.update({
    Key: keys.datasetManifest(C, version),
    UpdateExpression: 'REMOVE #layout',
    ExpressionAttributeNames: { '#layout': 'layout' },
  });
}

describe('versions of the layout before', () => {
  it('read as they were stored, and the next import writes its own blobs in the new layout', async () => {
    const files = tinyFiles();
    const dataset = parsed(files);
    const current = await repos.datasets.current(C, dataset.scheme.year);
    const older = await repos.datasets.writeVersion(dataset, 'office1', current?.version);
    await toLayoutOne(older.version);
    const items = await scanTable(repos);
    expect(items.some((i) => i.pk === keys.datasetBlobs(C))).toBe(true);
    expect(
      items.some((i) => i.pk === keys.datasetPartition(C, older.version) && i.sk === 'INSTITUTIONS'),
    ).toBe(true);

    const reader = new DatasetRepository(repos.table);
    expect(await reader.load(C, older.version)).toEqual(dataset);
    expect(await reader.institutions(C, older.version)).toEqual(dataset.institutions);
    const month = await reader.month(C, older.version, '2026-03');
    expect(month.size).toBeGreaterThan(0);

    // Same content on top of a layout-1 version: its blobs are elsewhere, so the new version writes its own.
    const newer = await new DatasetRepository(repos.table).writeVersion(dataset, 'office1', older.version);
    const after = await scanTable(repos);
    const newBlobs = after.filter((i) => i.type === 'DatasetBlob' && i.writtenBy === newer.version);
    expect(newBlobs.length).toBeGreaterThan(0);
    expect(newBlobs.every((b) => String(b.pk).startsWith(`DSBLOB#${C}#`))).toBe(true);
    expect(await new DatasetRepository(repos.table).load(C, newer.version)).toEqual(dataset);
    expect(await new DatasetRepository(repos.table).load(C, older.version)).toEqual(dataset);
  });
});

describe('sweeping unreferenced blobs', () => {
  it('a failed version’s own blobs are removed, shared ones kept, and the sweep is audited', async () => {
    const base = tinyFiles();
    const { pointer } = await importDataset(repos, { files: base }, 'office1');
    // A version whose write failed after its blobs: one changed month (its own blob) and everything else shared.
    const changed = parsed(setCell(base, 'workload.csv', 190, 'workPoints', '999'));
    const planned = await repos.datasets.writeDataset(changed, 'office1', pointer.version);
    await repos.datasets.markFailed(C, planned.version);
    const own = (await scanTable(repos)).filter(
      (i) => i.type === 'DatasetBlob' && i.writtenBy === planned.version,
    );
    expect(own).toHaveLength(1);

    const outcome = await repos.datasets.sweep(C, 'office1');
    expect(outcome).toEqual({ versions: [planned.version], blobs: 1, pages: 1 });
    const after = await scanTable(repos);
    expect(after.some((i) => i.pk === own[0]!.pk && i.sk === own[0]!.sk)).toBe(false);
    expect(after.find((i) => i.sk === keys.datasetManifest(C, planned.version).sk)).toMatchObject({
      status: 'swept',
    });
    expect(await new DatasetRepository(repos.table).load(C, pointer.version)).toEqual(parsed(base));
    const trail = await repos.audit.entries(C);
    expect(trail.at(-1)).toMatchObject({ action: 'dataset.sweep', actor: 'office1' });
    expect(await repos.datasets.sweep(C, 'office1')).toBeUndefined();
  });

  it('the next import sweeps what a failed one left', async () => {
    const base = tinyFiles();
    const current = (await repos.datasets.current(C, parsed(base).scheme.year))!;
    const changed = parsed(setCell(base, 'workload.csv', 191, 'workPoints', '777'));
    const planned = await repos.datasets.writeDataset(changed, 'office1', current.version);
    await repos.datasets.markFailed(C, planned.version);
    expect((await scanTable(repos)).some((i) => i.writtenBy === planned.version)).toBe(true);

    await importDataset(repos, { files: base }, 'office1');
    expect(
      (await scanTable(repos)).some((i) => i.type === 'DatasetBlob' && i.writtenBy === planned.version),
    ).toBe(false);
    expect(
      (await repos.audit.entries(C)).some(
        (e) => e.action === 'dataset.sweep' && e.subject.includes(`v${planned.version}`),
      ),
    ).toBe(true);
  });

  it('keeps the list pages a complete version names, though a failed one wrote them last', async () => {
    const dataset = parsed(tinyFiles());
    const current = (await repos.datasets.current(C, dataset.scheme.year))!;
    // Written as if nothing were stored (no current version to skip): every page again, its own last.
    const planned = await repos.datasets.writeDataset(dataset, 'office1', undefined);
    await repos.datasets.markFailed(C, planned.version);
    const lists = (await scanTable(repos)).filter(
      (i) => i.type === 'DatasetBlob' && i.kind === 'list' && i.writtenBy === planned.version,
    );
    expect(lists.length).toBeGreaterThanOrEqual(3);

    await repos.datasets.sweep(C, 'office1');
    const after = await scanTable(repos);
    for (const page of lists) expect(after.some((i) => i.pk === page.pk && i.sk === page.sk)).toBe(true);
    const reader = new DatasetRepository(repos.table);
    expect(await reader.institutions(C, current.version)).toEqual(dataset.institutions);
    expect(await reader.load(C, current.version)).toEqual(dataset);
  });
});
