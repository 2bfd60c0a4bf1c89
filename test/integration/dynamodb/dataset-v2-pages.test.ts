/**
 * DOMAIN.md §9 lists at province scale (issue 12): a province whose 3,100 institutions each have
 * departments has tens of thousands of departments.csv rows (three each: ~1.3 MB; eight each, ~25,000 rows:
 * ~3.5 MB), and secondments grow with its staff (4,000 rows: ~0.6 MB). In one `V2` item, as versions were
 * written before, either list would pass DynamoDB's 400 KB, which the store's AWS-limits mode refuses as AWS
 * does. Written through the one version writer, each list is in pages of ≤ 350 KB and reads back whole; a
 * version written before (one `V2` item) reads as it is.
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

function tiny(): Dataset {
  const parsed = parseDatasetFiles(tinyFiles());
  if (!parsed.ok) throw new Error('the tiny fixture should parse');
  return parsed.dataset;
}

/** A province's §9 lists: 3,100 institutions × 3 departments, and 4,000 secondments. */
function provinceV2(): Required<Pick<Dataset, 'departments' | 'secondments'>> {
  const departments: Dataset['departments'] & object = [];
  for (let i = 0; i < 3_100; i++) {
    const institutionId = `D${String(Math.floor(i / 31) + 1).padStart(2, '0')}C${String((i % 31) + 1).padStart(2, '0')}`;
    for (const [d, name] of ['内科', '外科', '家庭医生团队'].entries())
      departments.push({
        institutionId,
        departmentId: name,
        name,
        coefficient: d === 1 ? '1.2' : '1.0',
        capMultiple: '3',
        headStaffId: `${institutionId}-${String(d + 1).padStart(4, '0')}`,
      });
  }
  const secondments: Dataset['secondments'] & object = Array.from({ length: 4_000 }, (_, i) => ({
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

  it('are written in pages of at most 350 KB by the version writer and read back whole', async () => {
    const dataset = { ...tiny(), ...v2 };
    const repo = new DatasetRepository(table);
    const pointer = await repo.writeVersion(dataset, 'office1', undefined);
    const pk = keys.datasetPartition(TINY_COMMUNITY, pointer.version);
    const pages = await plain.queryPrefix<Record<string, unknown>>(pk, 'V2');
    expect(pages.map((p) => p.sk)).not.toContain('V2');
    expect(pages.filter((p) => String(p.sk).startsWith('V2#DEPARTMENTS#')).length).toBeGreaterThanOrEqual(4);
    expect(pages.filter((p) => String(p.sk).startsWith('V2#SECONDMENTS#')).length).toBeGreaterThanOrEqual(2);
    for (const page of pages) expect(itemBytes(page)).toBeLessThanOrEqual(350 * 1024);
    // A fresh repository (nothing cached): the lists in order, and the whole version.
    expect(await new DatasetRepository(table).v2(TINY_COMMUNITY, pointer.version)).toEqual(v2);
    expect(await new DatasetRepository(table).load(TINY_COMMUNITY, pointer.version)).toEqual(dataset);
  }, 180_000);

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
