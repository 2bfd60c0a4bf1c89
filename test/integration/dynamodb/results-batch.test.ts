/**
 * A Map iteration's results written once (results.putBatch): a guard per institution with the digest of
 * everything it writes, in one transaction, then the items by BatchWriteItem — a retried batch writes the
 * same bytes again, a batch whose content differs is refused before anything of it is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStoreError } from '../../../shared/store/errors.js';
import {
  ResultRepository,
  resultsPartition,
  resultWrites,
  writeGuardKey,
  writesDigest,
} from '../../../shared/store/results.js';
import { resetMetrics, Table } from '../../../shared/store/store.js';
import { type FreshTable, freshTable } from './helpers.js';

const ref = { communityId: 'c1', kind: 'monthly' as const, period: '2026-03', revision: 1 };
let t: FreshTable;
let results: ResultRepository;
let table: Table;

/** An institution's monthly writes: 2,500 pay lines (three pages) and its result. */
const groupOf = (institutionId: string, amount: number) => {
  const lines = Array.from({ length: 2_500 }, (_, i) => ({
    staffId: `${institutionId}-${i}`,
    gross: amount + i,
  }));
  return {
    institutionId,
    items: [
      ...resultWrites.payLines(institutionId, lines),
      resultWrites.institution(institutionId, { institutionId, pool: amount, headcount: lines.length }),
    ],
  };
};

beforeAll(async () => {
  t = await freshTable('results-batch');
  table = new Table(t.doc, t.table);
  results = new ResultRepository(table);
});

afterAll(() => t.client.destroy());

describe('results.putBatch', () => {
  it('writes every item of the batch and reads back as the per-item writes did', async () => {
    await results.putBatch(ref, 'MONTHLY', [groupOf('A01', 100), groupOf('A02', 200)]);
    const pay = await results.payLines<{ staffId: string; gross: number }>(ref);
    expect(pay.map((p) => [p.institutionId, p.lines.length])).toEqual([
      ['A01', 2_500],
      ['A02', 2_500],
    ]);
    expect(pay[1]!.lines[7]).toEqual({ staffId: 'A02-7', gross: 207 });
    expect(await results.institutionsOf<{ pool: number }>(ref, ['A02', 'ZZ', 'A01'])).toEqual([
      { institutionId: 'A02', pool: 200, headcount: 2_500 },
      undefined,
      { institutionId: 'A01', pool: 100, headcount: 2_500 },
    ]);
    const guards = await table.queryPrefix<{ sk: string; items: number; digest: string }>(
      resultsPartition(ref),
      'ONCE#',
    );
    expect(guards.map((g) => [g.sk, g.items])).toEqual([
      [writeGuardKey('MONTHLY', 'A01'), 4],
      [writeGuardKey('MONTHLY', 'A02'), 4],
    ]);
    expect(guards[0]!.digest).toBe(writesDigest(groupOf('A01', 100).items));
  });

  it('accepts a retried batch with the same content and writes nothing again', async () => {
    resetMetrics();
    await results.putBatch(ref, 'MONTHLY', [groupOf('A01', 100), groupOf('A02', 200)]);
    expect(resetMetrics().itemsWritten).toBe(0);
    const pay = await results.payLines<{ gross: number }>(ref, 'A01');
    expect(pay[0]!.lines.length).toBe(2_500);
    expect(pay[0]!.lines[0]!.gross).toBe(100);
  });

  it('refuses a batch in which one institution differs, naming it, and writes nothing of that batch', async () => {
    const error = await results
      .putBatch(ref, 'MONTHLY', [groupOf('A03', 300), groupOf('A02', 999)])
      .catch((e: unknown) => e);
    expect(isStoreError(error, 'conditional_failed')).toBe(true);
    expect((error as Error).message).toMatch(/A02/);
    expect((error as Error).message).toMatch(/拒绝覆盖/);
    expect((error as Error).message).toMatch(/refusing to overwrite/);
    // A02 keeps what it had; A03, in the same refused transaction, got neither a guard nor an item.
    const [a02] = await results.payLines<{ gross: number }>(ref, 'A02');
    expect(a02!.lines[0]!.gross).toBe(200);
    expect(await results.payLines(ref, 'A03')).toEqual([]);
    expect(await results.institution(ref, 'A03')).toBeUndefined();
  });

  it('after a run that died between its guards and its items, a retry writes only the items missing', async () => {
    const other = { ...ref, period: '2026-05' };
    const pk = resultsPartition(other);
    const [a04, a05] = [groupOf('A04', 400), groupOf('A05', 500)];
    // What the dead run left: both guards, and only A04's first pay page.
    for (const g of [a04, a05])
      await table.put({
        pk,
        sk: writeGuardKey('MONTHLY', g.institutionId),
        type: 'WriteGuard',
        institutionId: g.institutionId,
        digest: writesDigest(g.items),
        items: g.items.length,
      });
    await table.put({ pk, ...a04.items[0]! });
    resetMetrics();
    await results.putBatch(other, 'MONTHLY', [a04, a05]);
    expect(resetMetrics().itemsWritten).toBe(a04.items.length - 1 + a05.items.length);
    const pay = await results.payLines<{ gross: number }>(other);
    expect(pay.map((p) => [p.institutionId, p.lines.length, p.lines[0]!.gross])).toEqual([
      ['A04', 2_500, 400],
      ['A05', 2_500, 500],
    ]);
    expect(
      (await results.institutionsOf<{ pool: number }>(other, ['A04', 'A05'])).map((r) => r?.pool),
    ).toEqual([400, 500]);
  });

  it('guards more than 100 institutions in several transactions', async () => {
    const other = { ...ref, period: '2026-04' };
    const groups = Array.from({ length: 130 }, (_, i) => ({
      institutionId: `B${String(i).padStart(3, '0')}`,
      items: [resultWrites.institution(`B${String(i).padStart(3, '0')}`, { pool: i })],
    }));
    await results.putBatch(other, 'SCORE', groups);
    expect((await results.institutions(other)).length).toBe(130);
  });
});
