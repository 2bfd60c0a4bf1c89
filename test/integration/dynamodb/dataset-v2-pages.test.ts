/**
 * DOMAIN.md §9 lists at province scale (issue 12): a province whose 3,100 institutions each have eight
 * departments has ~25,000 departments.csv rows (~3.5 MB), and secondments grow with its staff (12,500
 * rows: ~1.8 MB). In one `V2` item, as versions were written before, either list would pass DynamoDB's
 * 400 KB, which the store's AWS-limits mode refuses as AWS does; in pages under the version's one
 * partition key, the 5.3 MB took over 5 s of that key's 1,000 WCU/s (the batch writer gave up) and every
 * cold reader read them from that one key. Written through the one version writer, each list is in pages
 * of ≤ 350 KB, each page a blob in its own hash's shard, the version holding their hashes; they read back
 * whole; an unchanged list is not written again; versions written before (pages in the version's
 * partition, or one `V2` item) read as they are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatasetFiles } from '../../../shared/dataset/index.js';
import type { Dataset } from '../../../shared/schemas/dataset.js';
import { itemBytes } from '../../../shared/store/aws-limits.js';
import { createDynamoClients } from '../../../shared/store/client.js';
import { encode } from '../../../shared/store/codec.js';
import { DatasetRepository } from '../../../shared/store/datasets.js';
import { keys } from '../../../shared/store/keys.js';
import { Table } from '../../../shared/store/store.js';
import { TINY_COMMUNITY, tinyFiles } from '../../reliability/helpers.js';
import { type FreshTable, freshTable } from './helpers.js';

const ITEM_LIMIT = 400 * 1024;
let fresh: FreshTable;
let limited: ReturnType<typeof createDynamoClients>;
/** Through the AWS-limits model, and the same table without it (to look at what was stored). */
let table: Table;
let plain: Table;

beforeAll(async () => {
  fresh = await freshTable('v2pages');
  limited = createDynamoClients({ endpoint: fresh.endpoint, awsLimits: true });
  table = new Table(limited.doc, fresh.table);
  plain = new Table(fresh.doc, fresh.table);
});
afterAll(() => {
  limited?.client.destroy();
  fresh?.client.destroy();
});

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');
const listPagesCount = async (pk: string, prefix: string) => (await plain.queryPrefix(pk, prefix)).length;

function tiny(): Dataset {
  const parsed = parseDatasetFiles(tinyFiles());
  if (!parsed.ok) throw new Error('the tiny fixture should parse');
  return parsed.dataset;
}

/** A province's §9 lists: 3,100 institutions × 8 departments, and 12,500 secondments. */
function provinceV2(): Required<Pick<Dataset, 'departments' | 'secondments'>> {
  const departments: Dataset['departments'] & object = [];
  for (let i = 0; i < 3_100; i++) {
    const institutionId = `D${String(Math.floor(i / 31) + 1).padStart(2, '0')}C${String((i % 31) + 1).padStart(2, '0')}`;
    for (const [d, name] of [
      '内科',
      '外科',
      '妇产科',
      '儿科',
      '中医科',
      '公共卫生科',
      '家庭医生团队一',
      '家庭医生团队二',
    ].entries())
      departments.push({
        institutionId,
        departmentId: name,
        name,
        coefficient: d === 1 ? '1.2' : '1.0',
        capMultiple: '3',
        headStaffId: `${institutionId}-${String(d + 1).padStart(4, '0')}`,
      });
  }
  const secondments: Dataset['secondments'] & object = Array.from({ length: 12_500 }, (_, i) => ({
    staffId: `D${String((i % 99) + 1).padStart(2, '0')}C01-${String(i + 1).padStart(5, '0')}`,
    hostInstitutionId: `D${String((i % 99) + 1).padStart(2, '0')}C${String((i % 30) + 2).padStart(2, '0')}`,
    kind: i % 5 === 0 ? 'dispatch' : 'down',
    from: '2026-01',
    ...(i % 3 === 0 ? {} : { to: '2026-12' }),
    monthlyAllowance: 80_000,
    leaderRole: i % 50 === 0 ? 'yes' : 'no',
  }));
  return { departments, secondments };
}

describe('§9 lists of a province in the AWS-limits mode', () => {
  const v2 = provinceV2();

  it('would be refused as one V2 item (the model refuses what AWS refuses)', async () => {
    for (const value of [v2, { departments: v2.departments }, { secondments: v2.secondments }]) {
      const item = { pk: 'DS#try#v000001', sk: 'V2', type: 'DatasetPart', data: encode(value) };
      expect(itemBytes(item)).toBeGreaterThan(ITEM_LIMIT);
    }
    await expect(
      table.put({ pk: 'DS#try#v000001', sk: 'V2', type: 'DatasetPart', data: encode(v2) }),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  /** The hashes a version's list reference names, and the page blobs they name (read without the model). */
  async function listPages(version: number, name: string) {
    const pk = keys.datasetPartition(TINY_COMMUNITY, version);
    const ref = await plain.get<{ data: string }>({ pk, sk: `${name}@` });
    const hashes = JSON.parse(ref!.data) as string[];
    const pages = await Promise.all(
      hashes.map((hash) =>
        plain.get<Record<string, unknown>>({
          pk: keys.datasetBlobShard(TINY_COMMUNITY, hash),
          sk: `${hash}#000`,
        }),
      ),
    );
    return pages.map((page) => page!);
  }

  it('are written as page blobs of at most 350 KB spread over the shards, and read back whole', async () => {
    expect(utf8(encode(v2.departments)) + utf8(encode(v2.secondments))).toBeGreaterThan(5_200_000);
    const dataset = { ...tiny(), ...v2 };
    const repo = new DatasetRepository(table);
    const pointer = await repo.writeVersion(dataset, 'office1', undefined);
    const pk = keys.datasetPartition(TINY_COMMUNITY, pointer.version);
    // The version's partition holds only the two references: no V2 item, no pages.
    const own = await plain.queryPrefix<Record<string, unknown>>(pk, 'V2');
    expect(own.map((p) => p.sk).sort()).toEqual(['V2#DEPARTMENTS@', 'V2#SECONDMENTS@']);
    const departments = await listPages(pointer.version, 'V2#DEPARTMENTS');
    const secondments = await listPages(pointer.version, 'V2#SECONDMENTS');
    expect(departments.length).toBeGreaterThanOrEqual(10);
    expect(secondments.length).toBeGreaterThanOrEqual(5);
    const bytesByPk = new Map<string, number>();
    let total = 0;
    for (const page of [...departments, ...secondments]) {
      expect(page).toMatchObject({ type: 'DatasetBlob', kind: 'list', writtenBy: pointer.version });
      expect(itemBytes(page)).toBeLessThanOrEqual(350 * 1024);
      bytesByPk.set(String(page.pk), (bytesByPk.get(String(page.pk)) ?? 0) + itemBytes(page));
      total += itemBytes(page);
    }
    // Spread: no shard takes more than a few pages of the 5.3 MB.
    expect(bytesByPk.size).toBeGreaterThanOrEqual(10);
    expect(Math.max(...bytesByPk.values())).toBeLessThan(total / 4);
    // A fresh repository (nothing cached): the lists in order, and the whole version.
    expect(await new DatasetRepository(table).v2(TINY_COMMUNITY, pointer.version)).toEqual(v2);
    expect(await new DatasetRepository(table).load(TINY_COMMUNITY, pointer.version)).toEqual(dataset);

    // The next version with the same lists names the same pages and writes none of them again.
    const next = await new DatasetRepository(table).writeVersion(dataset, 'office1', pointer.version);
    const again = await listPages(next.version, 'V2#DEPARTMENTS');
    expect(again.map((p) => p.sk)).toEqual(departments.map((p) => p.sk));
    for (const page of again) expect(page.writtenBy).toBe(pointer.version);
    expect(await new DatasetRepository(table).v2(TINY_COMMUNITY, next.version)).toEqual(v2);
  }, 300_000);

  it('a version written before list blobs (pages in its partition) reads as it is', async () => {
    const repo = new DatasetRepository(table);
    const small = { departments: v2.departments.slice(0, 6_000), secondments: v2.secondments.slice(0, 30) };
    const pointer = await repo.writeVersion(
      { ...tiny(), ...small },
      'office1',
      (await repo.current(TINY_COMMUNITY))?.version,
    );
    const pk = keys.datasetPartition(TINY_COMMUNITY, pointer.version);
    // As the writer of earlier versions left it: each list's pages `{name}#000…` in the version's partition.
    for (const name of ['V2#DEPARTMENTS', 'V2#SECONDMENTS', 'INSTITUTIONS']) {
      const pages = await listPages(pointer.version, name);
      await plain.delete({ pk, sk: `${name}@` });
      for (const [i, page] of pages.entries())
        await plain.put({
          pk,
          sk: `${name}#${String(i).padStart(3, '0')}`,
          type: 'DatasetPart',
          data: page.data,
        });
    }
    expect((await listPagesCount(pk, 'V2#DEPARTMENTS#')) > 1).toBe(true);
    const reader = new DatasetRepository(table);
    expect(await reader.v2(TINY_COMMUNITY, pointer.version)).toEqual(small);
    expect(await reader.institutions(TINY_COMMUNITY, pointer.version)).toEqual(tiny().institutions);
    expect(await new DatasetRepository(table).load(TINY_COMMUNITY, pointer.version)).toEqual({
      ...tiny(),
      ...small,
    });
  }, 120_000);

  it('one list without the other, and a version without §9 files, read as they were written', async () => {
    const repo = new DatasetRepository(table);
    const current = async () => (await repo.current(TINY_COMMUNITY))?.version;
    const only = await repo.writeVersion(
      { ...tiny(), secondments: v2.secondments.slice(0, 3) },
      'office1',
      await current(),
    );
    expect(await new DatasetRepository(table).v2(TINY_COMMUNITY, only.version)).toEqual({
      secondments: v2.secondments.slice(0, 3),
    });
    const none = await repo.writeVersion(tiny(), 'office1', await current());
    expect(await new DatasetRepository(table).v2(TINY_COMMUNITY, none.version)).toEqual({});
    const empty = await repo.writeVersion({ ...tiny(), departments: [] }, 'office1', await current());
    expect(await new DatasetRepository(table).v2(TINY_COMMUNITY, empty.version)).toEqual({ departments: [] });
  }, 120_000);

  it('a version written before paging (one V2 item) reads as it is', async () => {
    const repo = new DatasetRepository(table);
    const small = { departments: v2.departments.slice(0, 40), secondments: v2.secondments.slice(0, 7) };
    const expected = (await repo.current(TINY_COMMUNITY))?.version;
    const pointer = await repo.writeVersion({ ...tiny(), ...small }, 'office1', expected);
    const pk = keys.datasetPartition(TINY_COMMUNITY, pointer.version);
    // As the writer of earlier versions left it: the §9 part whole in `V2`, no pages.
    for (const page of await plain.queryPrefix<{ sk: string }>(pk, 'V2#'))
      await plain.delete({ pk, sk: page.sk });
    await plain.put({ pk, sk: 'V2', type: 'DatasetPart', data: encode(small) });
    expect(await new DatasetRepository(table).v2(TINY_COMMUNITY, pointer.version)).toEqual(small);
    expect(await new DatasetRepository(table).load(TINY_COMMUNITY, pointer.version)).toMatchObject(small);
  }, 120_000);
});
