/**
 * A province's headcounts (issue 12): 3,100 institutions whose ids are 64 Chinese characters (192 UTF-8
 * bytes, what the import accepts) make the version's HEADCOUNTS part ~600 KB of JSON — in one item, as
 * versions were written before, over DynamoDB's 400 KB, which the store's AWS-limits mode refuses as AWS
 * does: a province's import could never finish. Written through the version writer, it is in pages of
 * ≤ 350 KB when it does not fit one and reads back whole; a county's stays one item; a version written
 * before reads as it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatasetFiles } from '../../../shared/dataset/index.js';
import type { Dataset } from '../../../shared/schemas/dataset.js';
import { itemBytes } from '../../../shared/store/aws-limits.js';
import { encode } from '../../../shared/store/codec.js';
import { DatasetRepository } from '../../../shared/store/datasets.js';
import { keys } from '../../../shared/store/keys.js';
import type { Table } from '../../../shared/store/store.js';
import { TINY_COMMUNITY, tinyFiles } from '../../reliability/helpers.js';
import { type LimitedTable, limitedTable } from './helpers.js';

const ITEM_LIMIT = 400 * 1024;
const DIGITS = '零一二三四五六七八九';
let store: LimitedTable;
let table: Table;
let plain: Table;

beforeAll(async () => {
  store = await limitedTable('headcounts');
  table = store.table;
  plain = store.plain;
});
afterAll(() => store?.close());

function tiny(): Dataset {
  const parsed = parseDatasetFiles(tinyFiles());
  if (!parsed.ok) throw new Error('the tiny fixture should parse');
  return parsed.dataset;
}

/** The tiny county with 3,100 more institutions whose ids are 64 Chinese characters. */
function province(): Dataset {
  const base = tiny();
  const model = base.institutions[base.institutions.length - 1]!;
  const more = Array.from({ length: 3_100 }, (_, i) => {
    const number = [...String(i + 1).padStart(6, '0')].map((d) => DIGITS[Number(d)]).join('');
    const id = `江西省赣州市兴国县人民医院第${'分'.repeat(64 - 15 - number.length)}院${number}`;
    return { ...model, id, name: `分院${i + 1}` };
  });
  return { ...base, institutions: [...base.institutions, ...more] };
}

const headcountsOf = (dataset: Dataset) => {
  const counts: Record<string, number> = Object.fromEntries(dataset.institutions.map((i) => [i.id, 0]));
  for (const s of dataset.staff) counts[s.institutionId]! += 1;
  return counts;
};

describe("a province's headcounts in the AWS-limits mode", () => {
  const dataset = province();

  it('would be refused as one HEADCOUNTS item (the model refuses what AWS refuses)', async () => {
    expect(dataset.institutions.at(-1)!.id).toHaveLength(64);
    const item = {
      pk: 'DS#try#000001',
      sk: 'HEADCOUNTS',
      type: 'DatasetPart',
      data: encode(headcountsOf(dataset)),
    };
    expect(itemBytes(item)).toBeGreaterThan(ITEM_LIMIT);
    await expect(table.put(item)).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('is written in pages of at most 350 KB by the version writer and reads back whole', async () => {
    const pointer = await new DatasetRepository(table).writeVersion(dataset, 'office1', undefined);
    const pk = keys.datasetPartition(TINY_COMMUNITY, pointer.version);
    // The version holds a reference naming its pages; each page is a one-page blob in its hash's shard.
    const own = await plain.queryPrefix<Record<string, unknown>>(pk, 'HEADCOUNTS');
    expect(own.map((p) => p.sk)).toEqual(['HEADCOUNTS@']);
    const hashes = JSON.parse(String(own[0]!.data)) as string[];
    expect(hashes.length).toBeGreaterThanOrEqual(2);
    const pages = await Promise.all(
      hashes.map((hash) =>
        plain.get<Record<string, unknown>>({
          pk: keys.datasetBlobShard(TINY_COMMUNITY, hash),
          sk: `${hash}#000`,
        }),
      ),
    );
    for (const page of pages) expect(itemBytes(page!)).toBeLessThanOrEqual(350 * 1024);
    const read = await new DatasetRepository(table).headcounts(TINY_COMMUNITY, pointer.version);
    expect(read).toEqual(headcountsOf(dataset));
    expect(Object.values(read).reduce((a, b) => a + b, 0)).toBe(dataset.staff.length);

    // As a version written before list blobs kept them: pages `HEADCOUNTS#000…` in its partition.
    await plain.delete({ pk, sk: 'HEADCOUNTS@' });
    for (const [i, page] of pages.entries())
      await plain.put({
        pk,
        sk: `HEADCOUNTS#${String(i).padStart(3, '0')}`,
        type: 'DatasetPart',
        data: page!.data,
      });
    expect(await new DatasetRepository(table).headcounts(TINY_COMMUNITY, pointer.version)).toEqual(
      headcountsOf(dataset),
    );
  }, 180_000);

  it("a county's stays one item, and one written before reads as it is", async () => {
    const repo = new DatasetRepository(table);
    const county = tiny();
    const pointer = await repo.writeVersion(county, 'office1', (await repo.current(TINY_COMMUNITY))?.version);
    const pk = keys.datasetPartition(TINY_COMMUNITY, pointer.version);
    const stored = await plain.queryPrefix<{ sk: string; data: string }>(pk, 'HEADCOUNTS');
    expect(stored.map((p) => p.sk)).toEqual(['HEADCOUNTS']);
    expect(JSON.parse(stored[0]!.data)).toEqual(headcountsOf(county));
    expect(await new DatasetRepository(table).headcounts(TINY_COMMUNITY, pointer.version)).toEqual(
      headcountsOf(county),
    );
  }, 120_000);
});
