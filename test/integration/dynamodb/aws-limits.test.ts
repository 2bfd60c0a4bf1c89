/**
 * The AWS-limits mode of the store's client (shared/store/aws-limits.ts) on DynamoDB Local, with limits
 * scaled down so that a test crosses them with a few items: the store's retry paths (batch leftovers with
 * backoff, the SDK's retry of a throttled write, a transaction cancelled by throttling) get the work done,
 * and what AWS refuses outright (an item over 400 KB, a conditional failure) stays refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemBytes } from '../../../shared/store/aws-limits.js';
import { createDynamoClients } from '../../../shared/store/client.js';
import { isStoreError } from '../../../shared/store/errors.js';
import { Table } from '../../../shared/store/store.js';
import { type FreshTable, freshTable } from './helpers.js';

let fresh: FreshTable;
beforeAll(async () => {
  fresh = await freshTable('limits');
});
afterAll(() => fresh?.client.destroy());

/** A table with the model on: `wcu`/`rcu` per partition and second; the real clock refills them. */
function limited(limits: {
  writeUnitsPerSecond?: number;
  readUnitsPerSecond?: number;
  maxItemBytes?: number;
}) {
  const { doc, awsLimits, client } = createDynamoClients({ endpoint: fresh.endpoint, awsLimits: limits });
  return { table: new Table(doc, fresh.table), tally: awsLimits!, client };
}

const item = (pk: string, i: number, bytes = 900) => ({
  pk,
  sk: String(i).padStart(4, '0'),
  type: 'T',
  data: 'x'.repeat(bytes),
});

describe('the AWS-limits mode', () => {
  it('hands back a hot partition’s excess as unprocessed items, which the batch writer retries with backoff until all are written', async () => {
    const { table, tally, client } = limited({ writeUnitsPerSecond: 40 });
    const items = Array.from({ length: 120 }, (_, i) => item('HOT#1', i));
    await table.batchWrite(items.map((put) => ({ put })));
    expect(tally.throttled).toBeGreaterThan(0);
    const stored = await new Table(fresh.doc, fresh.table).queryPrefix('HOT#1');
    expect(stored).toHaveLength(120);
    // 120 one-KB writes at 40 WCU/s on one key: the busiest partition needs about three seconds on AWS.
    expect(tally.busiestPartitionSeconds).toBeCloseTo(3, 0);
    client.destroy();
  }, 60_000);

  it('spreads nothing: the same items over many partitions are not throttled', async () => {
    const { table, tally, client } = limited({ writeUnitsPerSecond: 40 });
    await table.batchWrite(Array.from({ length: 120 }, (_, i) => ({ put: item(`SPREAD#${i % 8}`, i) })));
    expect(tally.throttled).toBe(0);
    client.destroy();
  });

  it('throttles a single write with ProvisionedThroughputExceededException, which the SDK retries', async () => {
    const { table, tally, client } = limited({ writeUnitsPerSecond: 2 });
    for (let i = 0; i < 4; i++) await table.put(item('SINGLE#1', i));
    expect(tally.throttled).toBeGreaterThan(0);
    expect(await new Table(fresh.doc, fresh.table).queryPrefix('SINGLE#1')).toHaveLength(4);
    client.destroy();
  }, 60_000);

  it('cancels a transaction on a throttled partition with ThrottlingError, and the store tries it again', async () => {
    const { table, tally, client } = limited({ writeUnitsPerSecond: 4 });
    for (let i = 0; i < 3; i++)
      await table.transact([
        { Put: { Item: item('TX#1', i, 100) } },
        { Put: { Item: item('TX#2', i, 100) } },
      ]);
    expect(tally.throttled).toBeGreaterThan(0);
    expect(await new Table(fresh.doc, fresh.table).queryPrefix('TX#1')).toHaveLength(3);
    client.destroy();
  }, 60_000);

  it('keeps a conditional failure final (it is not throttling)', async () => {
    const { table, client } = limited({});
    await table.put(item('COND#1', 1, 10));
    const refused = await table
      .transact([{ Put: { Item: item('COND#1', 1, 10), ConditionExpression: 'attribute_not_exists(pk)' } }])
      .catch((e: unknown) => e);
    expect(isStoreError(refused, 'transaction_cancelled')).toBe(true);
    expect(JSON.stringify((refused as { details: unknown }).details)).toContain('ConditionalCheckFailed');
    client.destroy();
  });

  it('refuses an item over 400 KB with a ValidationException, as AWS does', async () => {
    const { table, client } = limited({});
    const big = item('BIG#1', 1, 401 * 1024);
    await expect(table.put(big)).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(table.batchWrite([{ put: big }])).rejects.toThrow(/400 KB|maximum allowed size/);
    client.destroy();
  });

  it('counts an item’s size as DynamoDB does: attribute names plus values', () => {
    expect(itemBytes({ pk: { S: 'ab' }, n: { N: '12345' } })).toBe(2 + 2 + 1 + 4);
  });
});
