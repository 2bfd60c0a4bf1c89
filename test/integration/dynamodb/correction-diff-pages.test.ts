/**
 * A correction's difference lines (DOMAIN.md §7.1) were paged by count: 2,000 lines an item. Staff ids may
 * be 64 letters, and Chinese letters are 3 bytes each, so such a page is ~570 KB — over DynamoDB's 400 KB,
 * which the store's AWS-limits mode refuses as AWS does. They are now cut by encoded size (≤ 349 KB a page,
 * as a version's lists are) and read back whole and in order; pages written by count still read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemBytes } from '../../../shared/store/aws-limits.js';
import { encode } from '../../../shared/store/codec.js';
import { type CorrectionLine, CorrectionRepository } from '../../../shared/store/corrections.js';
import { resultsPartition } from '../../../shared/store/results.js';
import type { Table } from '../../../shared/store/store.js';
import { type LimitedTable, limitedTable } from './helpers.js';

const ITEM_LIMIT = 400 * 1024;
let store: LimitedTable;
let table: Table;
let plain: Table;

beforeAll(async () => {
  store = await limitedTable('corrdiff');
  table = store.table;
  plain = store.plain;
});
afterAll(() => store?.close());

const COMPONENTS = ['reward', 'fiscalTopUp', 'allowance'];

/** `people` × 3 components, each staff id 64 Chinese letters (the longest id an import accepts). */
function longLines(people: number): CorrectionLine[] {
  const lines: CorrectionLine[] = [];
  for (let i = 0; i < people; i++) {
    const staffId = `${'医'.repeat(58)}${String(i).padStart(6, '0')}`;
    for (const [c, component] of COMPONENTS.entries())
      lines.push({ staffId, component, old: 123_456_789, new: 123_456_789 + c + 1, difference: c + 1 });
  }
  return lines;
}

describe('correction difference lines in the AWS-limits mode', () => {
  const ref = { communityId: 'province1', kind: 'monthly' as const, period: '2026-03', revision: 2 };

  it('2,000 lines of the longest ids would be refused as one item (the model refuses what AWS refuses)', async () => {
    const item = {
      pk: resultsPartition(ref),
      sk: 'DIFF#TRY#000',
      type: 'CorrectionDiff',
      institutionId: 'TRY',
      data: encode(longLines(700).slice(0, 2_000)),
    };
    expect(itemBytes(item)).toBeGreaterThan(ITEM_LIMIT);
    await expect(table.put(item)).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('are cut by size into pages of at most 350 KB and read back whole, in order', async () => {
    const lines = longLines(2_500);
    const repo = new CorrectionRepository(table);
    await repo.putDifferences(ref, 'H0001', lines);
    const pages = await plain.queryPrefix<Record<string, unknown>>(resultsPartition(ref), 'DIFF#H0001#');
    expect(pages.length).toBeGreaterThanOrEqual(6);
    for (const page of pages) expect(itemBytes(page)).toBeLessThanOrEqual(350 * 1024);
    expect(await repo.differences(ref, 'H0001')).toEqual([{ institutionId: 'H0001', lines }]);
  }, 60_000);

  it('pages written by count (before) read as they were written', async () => {
    const lines = longLines(30).map((l) => ({ ...l, staffId: l.staffId.slice(50) }));
    for (const [page, chunk] of [lines.slice(0, 50), lines.slice(50)].entries())
      await plain.put({
        pk: resultsPartition(ref),
        sk: `DIFF#H0002#${String(page).padStart(3, '0')}`,
        type: 'CorrectionDiff',
        institutionId: 'H0002',
        data: encode(chunk),
      });
    expect(await new CorrectionRepository(table).differences(ref, 'H0002')).toEqual([
      { institutionId: 'H0002', lines },
    ]);
  });
});
