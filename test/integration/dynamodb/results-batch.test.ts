/**
 * A Map iteration's results written once (results.putBatch): a guard per institution with the digest of
 * everything it writes, in one transaction, then the items by BatchWriteItem — a retried batch writes the
 * same bytes again, a batch whose content differs is refused before anything of it is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClients } from '../../../shared/store/client.js';
import { isStoreError } from '../../../shared/store/errors.js';
import { keys } from '../../../shared/store/keys.js';
import {
  institutionPartition,
  RESULT_LAYOUT_SK,
  ResultRepository,
  resultsPartition,
  resultWrites,
  shardCount,
  shardOf,
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
    const shards = await results.shards(ref);
    expect(shards).toBeGreaterThan(0);
    const guards = await table.queryPrefix<{ sk: string; items: number; digest: string }>(
      institutionPartition(ref, shards, 'A01'),
      writeGuardKey('MONTHLY', 'A01'),
    );
    expect(guards.map((g) => [g.sk, g.items])).toEqual([[writeGuardKey('MONTHLY', 'A01'), 4]]);
    expect(guards[0]!.digest).toBe(writesDigest(groupOf('A01', 100).items));
    expect((await results.guards(ref, 'MONTHLY')).map((g) => [g.step, g.institutionId, g.digest])).toEqual([
      ['MONTHLY', 'A01', writesDigest(groupOf('A01', 100).items)],
      ['MONTHLY', 'A02', writesDigest(groupOf('A02', 200).items)],
    ]);
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

  it('after a run that died between its guards and its items (one partition: layout 1), a retry writes only the items missing', async () => {
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

  it("spreads a revision over shards by institution (layout 2): the revision's own partition keeps the layout item", async () => {
    const other = { ...ref, period: '2026-06' };
    const ids = Array.from({ length: 130 }, (_, i) => `D${String(i).padStart(3, '0')}`);
    await results.putBatch(
      other,
      'MONTHLY',
      ids.map((id, i) => ({ institutionId: id, items: [resultWrites.institution(id, { id, pool: i })] })),
      { institutions: 130 },
    );
    expect(shardCount(130)).toBe(32);
    expect(await results.shards(other)).toBe(32);
    // The revision's own partition holds the layout item only; each result is in its institution's shard.
    expect(await table.queryPrefix<{ sk: string; shards: number }>(resultsPartition(other))).toEqual([
      expect.objectContaining({ sk: RESULT_LAYOUT_SK, shards: 32, layout: 2 }),
    ]);
    const used = new Set(ids.map((id) => shardOf(id, 32)));
    expect(used.size).toBeGreaterThan(16);
    for (const id of ['D000', 'D077']) {
      const pk = keys.resultShard('c1', 'monthly', '2026-06', 1, shardOf(id, 32));
      expect(await table.get({ pk, sk: keys.institutionResult(id) })).toMatchObject({
        type: 'InstitutionResult',
      });
    }
    // A listing merges the shards in sort-key order, as one partition gave them.
    expect((await results.institutions<{ id: string }>(other)).map((r) => r.id)).toEqual(ids);
    expect((await results.institution<{ pool: number }>(other, 'D077'))?.pool).toBe(77);
    // A fresh repository (another process) finds the layout from the stored item.
    expect((await new ResultRepository(table).institutions(other)).length).toBe(130);
  });

  it('reads every result and write guard of a revision in one query per shard, as the two listings give them (both layouts)', async () => {
    // Layout 2: 40 institutions over 8 shards, each with a result, a summary on its guard and pay lines
    // (which sort after the guards and must not be read); plus a second step's guards.
    const sharded = { ...ref, period: '2025-09' };
    const ids = Array.from({ length: 40 }, (_, i) => `H${String(i).padStart(3, '0')}`);
    await results.putBatch(
      sharded,
      'MONTHLY',
      ids.map((id, i) => ({ ...groupOf(id, i), summary: { seal: `s${i}` } })),
      { institutions: 40 },
    );
    await results.putBatch(
      sharded,
      'EXTRA',
      ids.slice(0, 3).map((id) => ({ institutionId: id, items: [resultWrites.part(`ALLOC#${id}`, { id })] })),
    );
    // Layout 1: one partition that also holds a document and the seal parts.
    const single = { ...ref, period: '2025-10' };
    const pk = resultsPartition(single);
    for (const g of [groupOf('J01', 1), groupOf('J02', 2)]) {
      for (const item of g.items) await table.put({ pk, ...item });
      await table.put({
        pk,
        sk: writeGuardKey('MONTHLY', g.institutionId),
        type: 'WriteGuard',
        institutionId: g.institutionId,
        digest: writesDigest(g.items),
        items: g.items.length,
      });
    }
    await table.put({ pk, sk: 'REPORT', type: 'Document', data: '{}' });
    await table.put({ pk, sk: 'SEAL#J01', type: 'ResultPart', data: '[]' });
    for (const revision of [sharded, single]) {
      resetMetrics();
      const both = await results.resultsAndGuards<{ institutionId: string }, { seal: string }>(revision);
      const requests = resetMetrics().requests;
      expect(both.institutions).toEqual(await results.institutions(revision));
      expect(both.guards).toEqual(await results.guards(revision));
      // One query per shard (layout 2, its layout known); layout 1: its one partition, after looking for a layout item.
      const shards = await results.shards(revision);
      expect(requests).toBe(shards > 0 ? shards : 2);
    }
    // By key, for the institutions a step knows: the same lists (of one step's guards), in a few BatchGetItems.
    // (Read through another process's repository: the writer's own keeps what it created, below.)
    const reader = new ResultRepository(table);
    for (const [revision, known] of [
      [sharded, ids],
      [single, ['J02', 'J01', 'J03']],
    ] as const) {
      const listed = await reader.resultsAndGuards(revision);
      resetMetrics();
      const byKey = await reader.resultsAndGuardsOf(revision, known, 'MONTHLY');
      const requests = resetMetrics().requests;
      expect(byKey.institutions).toEqual(listed.institutions);
      expect(byKey.guards).toEqual(listed.guards.filter((g) => g.step === 'MONTHLY'));
      const shards = await reader.shards(revision);
      expect(requests).toBe(Math.ceil((known.length * 2) / 100) + (shards > 0 ? 0 : 1));
      // The same read again (a month's completion after its report) is the first one's when that found
      // every institution's result and guard; J03 has none, so that read is made again.
      resetMetrics();
      expect(await reader.resultsAndGuardsOf(revision, known, 'MONTHLY')).toEqual(byKey);
      expect(resetMetrics().requests).toBe(known.includes('J03') ? requests : 0);
      // The guards of several steps by key (a quarter's completion: scoring and allocation): the listing's
      // guards of those steps, in its order, in BatchGetItems of 100 keys.
      resetMetrics();
      const guards = await reader.guardsOf(revision, known, ['MONTHLY', 'EXTRA']);
      expect(resetMetrics().requests).toBe(Math.ceil((known.length * 2) / 100) + (shards > 0 ? 0 : 1));
      expect(guards).toEqual(listed.guards);
      expect(await reader.guardsOf(revision, known, ['EXTRA'])).toEqual(
        listed.guards.filter((g) => g.step === 'EXTRA'),
      );
    }
    // The process that created the guards and wrote the items finds them without reading; the same lists.
    resetMetrics();
    const own = await results.resultsAndGuardsOf(sharded, ids, 'MONTHLY');
    expect(resetMetrics().requests).toBe(0);
    expect(own).toEqual(await reader.resultsAndGuardsOf(sharded, ids, 'MONTHLY'));
    const both = await results.resultsAndGuards<{ institutionId: string }, { seal: string }>(sharded);
    expect(both.institutions.map((r) => r.institutionId)).toEqual(ids);
    expect(both.guards.filter((g) => g.step === 'MONTHLY').map((g) => g.summary?.seal)).toEqual(
      ids.map((_, i) => `s${i}`),
    );
    expect(both.guards.filter((g) => g.step === 'EXTRA').map((g) => g.institutionId)).toEqual(
      ids.slice(0, 3),
    );
  });

  it('two first writers of a revision at once agree on one layout', async () => {
    const other = { ...ref, period: '2026-07' };
    const group = (id: string) => ({ institutionId: id, items: [resultWrites.institution(id, { id })] });
    await Promise.all([
      new ResultRepository(table).putBatch(other, 'MONTHLY', [group('E01')], { institutions: 40 }),
      new ResultRepository(table).putBatch(other, 'MONTHLY', [group('E02')], { institutions: 40 }),
    ]);
    expect(await results.shards(other)).toBe(shardCount(40));
    expect((await results.institutions<{ id: string }>(other)).map((r) => r.id)).toEqual(['E01', 'E02']);
  });

  it('reads and continues a revision stored in one partition (layout 1, before shards) where it is', async () => {
    const other = { ...ref, period: '2026-08' };
    const pk = resultsPartition(other);
    const old = groupOf('F01', 10);
    for (const item of old.items) await table.put({ pk, ...item });
    await results.putBatch(other, 'ALLOCATE', [groupOf('F02', 20)]);
    expect(await results.shards(other)).toBe(0);
    expect((await table.queryPrefix(pk, 'PAY#F02#')).length).toBe(3);
    const pay = await results.payLines<{ gross: number }>(other);
    expect(pay.map((p) => [p.institutionId, p.lines.length])).toEqual([
      ['F01', 2_500],
      ['F02', 2_500],
    ]);
  });

  it("settles a revision's layout in PrepareCycle with one round trip of reads: new (layout 2), known, or layout 1 left as it is", async () => {
    // New: the layout item and the partition's first items are read together, then the item is created.
    const fresh = { ...ref, communityId: 'c-layout', period: '2026-09' };
    const order: string[] = [];
    class Watched extends Table {
      override async get<T>(key: Record<string, unknown>, consistent?: boolean) {
        order.push('get');
        const item = await super.get<T>(key, consistent);
        order.push('got');
        return item;
      }
      override queryPrefix<T>(pk: string, prefix?: string, options?: Parameters<Table['queryPrefix']>[2]) {
        order.push('query');
        return super.queryPrefix<T>(pk, prefix, options);
      }
    }
    resetMetrics();
    expect(await new ResultRepository(new Watched(t.doc, t.table)).prepareLayout(fresh, 40)).toBe(
      shardCount(40),
    );
    expect(resetMetrics().requests).toBe(3); // GetItem and Query side by side, then the conditional PutItem
    expect(order).toEqual(['get', 'query', 'got']);
    // Known (a retried PrepareCycle in another process): the stored layout, nothing written.
    resetMetrics();
    expect(await new ResultRepository(table).prepareLayout(fresh, 999)).toBe(shardCount(40));
    expect(resetMetrics().itemsWritten).toBe(0);
    // Layout 1 (a revision that began before shards): left in its one partition, no layout item written.
    const old = { ...ref, communityId: 'c-layout', period: '2026-10' };
    await table.put({ pk: resultsPartition(old), ...groupOf('H01', 10).items.at(-1)! });
    expect(await new ResultRepository(table).prepareLayout(old, 40)).toBe(0);
    expect(await table.queryPrefix(resultsPartition(old), RESULT_LAYOUT_SK)).toEqual([]);
  });

  it("in the store's AWS-limits mode, a revision's busiest key takes a fraction of what one key took", async () => {
    const ids = Array.from({ length: 64 }, (_, i) => `G${String(i).padStart(3, '0')}`);
    const groups = ids.map((id) => ({
      institutionId: id,
      items: [
        ...resultWrites.payLines(
          id,
          Array.from({ length: 40 }, (_, i) => ({ staffId: `${id}-${i}`, gross: i })),
        ),
        resultWrites.institution(id, { id }),
      ],
    }));
    /** Seconds the busiest partition key needs at AWS's 1,000 WCU/s for the batch's writes. */
    const busiest = async (period: string, layout1: boolean) => {
      const { doc, awsLimits, client } = createDynamoClients({ endpoint: t.endpoint, awsLimits: {} });
      const other = { ...ref, period };
      // A revision that already holds an item in its own partition is written in layout 1.
      if (layout1) await table.put({ pk: resultsPartition(other), sk: 'ALLOC#', type: 'T', data: '{}' });
      await new ResultRepository(new Table(doc, t.table)).putBatch(other, 'MONTHLY', groups, {
        institutions: 64,
      });
      client.destroy();
      return awsLimits!.busiestPartitionSeconds;
    };
    const oneKey = await busiest('2026-09', true);
    const sharded = await busiest('2026-10', false);
    expect(oneKey).toBeGreaterThan(0);
    // 64 institutions over 8 shards: the busiest shard holds far less than all of them.
    expect(sharded).toBeLessThan(oneKey / 3);
  });

  it("keeps a big document's head in the revision's own partition and its parts round the shards (layout 2)", async () => {
    const other = { ...ref, period: '2026-11' };
    await results.putBatch(
      other,
      'MONTHLY',
      [{ institutionId: 'H01', items: [resultWrites.institution('H01', { id: 'H01' })] }],
      { institutions: 40 },
    );
    const shards = await results.shards(other);
    expect(shards).toBe(8);
    const report = { rows: Array.from({ length: 30_000 }, (_, i) => ({ i, name: `机构${i}` })) };
    await results.putDocument(other, 'REPORT', report);
    const head = await table.get<{ parts: number; partShards: number }>({
      pk: resultsPartition(other),
      sk: 'REPORT',
    });
    expect(head?.parts).toBeGreaterThan(2);
    expect(head?.partShards).toBe(8);
    expect(await table.queryPrefix(resultsPartition(other), 'REPORT#')).toEqual([]);
    const part2 = keys.resultShard('c1', 'monthly', '2026-11', 1, 1);
    expect(await table.get({ pk: part2, sk: 'REPORT#002' })).toMatchObject({ type: 'DocumentPart' });
    // Another process reads it whole; a part deleted is refused, not read short.
    expect(await new ResultRepository(table).document(other, 'REPORT')).toEqual(report);
    await table.delete({ pk: part2, sk: 'REPORT#002' });
    await expect(new ResultRepository(table).document(other, 'REPORT')).rejects.toThrow(/of its \d+ parts/);
  });
});
