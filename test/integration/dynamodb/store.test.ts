import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchGetAll, batchPutAll, batchWriteAll, queryAll } from '../../../shared/store/batch.js';
import { createDynamoClients } from '../../../shared/store/client.js';
import { isStoreError, toStoreError } from '../../../shared/store/errors.js';
import { ensureTable } from '../../../shared/store/table.js';
import { dynamoEndpoint, type FreshTable, freshTable } from './helpers.js';

describe('ensureTable on DynamoDB Local', () => {
  it('creates the table once and is a no-op the second time', async () => {
    const { client } = createDynamoClients({ endpoint: dynamoEndpoint() });
    const name = `ensure-${Date.now().toString(36)}`;

    const first = await ensureTable(client, name);
    const second = await ensureTable(client, name);

    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.Projection?.ProjectionType])).toEqual([
      ['gsi1', 'ALL'],
    ]);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
    client.destroy();
  });

  it('survives concurrent callers racing to create the same table', async () => {
    const { client } = createDynamoClients({ endpoint: dynamoEndpoint() });
    const name = `race-${Date.now().toString(36)}`;

    const results = await Promise.all([
      ensureTable(client, name),
      ensureTable(client, name),
      ensureTable(client, name),
    ]);

    expect(results.filter((r) => r.created)).toHaveLength(1);
    client.destroy();
  });

  it('refuses an existing table with a different key schema', async () => {
    const { client } = createDynamoClients({ endpoint: dynamoEndpoint() });
    const name = `other-${Date.now().toString(36)}`;
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );

    const error = await ensureTable(client, name).catch((e: unknown) => e);

    expect(isStoreError(error, 'table_mismatch')).toBe(true);
    client.destroy();
  });
});

describe('batch writes and reads on DynamoDB Local', () => {
  let t: FreshTable;
  beforeAll(async () => {
    t = await freshTable('batch');
  });

  it('writes 1,000 items and reads them all back through paginated queries', async () => {
    // ~1.5 KB each, so the 1 MB page cap alone splits the result into pages.
    const items = Array.from({ length: 1_000 }, (_, i) => ({
      pk: 'COMMUNITY#c1',
      sk: `STAFF#${String(i).padStart(5, '0')}`,
      gsi1pk: `INST#${i % 4}`,
      gsi1sk: `STAFF#${String(i).padStart(5, '0')}`,
      type: 'staff',
      note: '医'.repeat(500),
      optional: undefined,
    }));

    const written = await batchPutAll(t.doc, t.table, items);

    expect(written.items).toBe(1_000);
    expect(written.calls).toBeGreaterThanOrEqual(40);
    expect(written.consumedCapacity).toBeGreaterThanOrEqual(1_000);
    expect(written.bytes).toBeGreaterThan(1_000 * 1_500);

    const all = await queryAll<{ sk: string }>(t.doc, {
      TableName: t.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'COMMUNITY#c1' },
    });
    expect(all.items).toHaveLength(1_000);
    expect(all.pages).toBeGreaterThan(1);
    expect(all.consumedCapacity).toBeGreaterThan(0);
    expect(all.items.map((i) => i.sk)).toEqual(items.map((i) => i.sk));

    const paged = await queryAll(t.doc, {
      TableName: t.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'COMMUNITY#c1' },
      Limit: 90,
    });
    expect(paged.items).toHaveLength(1_000);
    expect(paged.pages).toBe(12); // 11 full pages of 90, one of 10 (the last reports no LastEvaluatedKey)

    const byIndex = await queryAll(t.doc, {
      TableName: t.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :g',
      ExpressionAttributeValues: { ':g': 'INST#2' },
    });
    expect(byIndex.items).toHaveLength(250);
  });

  it('reads keys back with batchGetAll, leaving out the ones that do not exist', async () => {
    await batchPutAll(
      t.doc,
      t.table,
      Array.from({ length: 150 }, (_, i) => ({ pk: 'GET', sk: String(i), value: i })),
    );
    const keys = [
      ...Array.from({ length: 150 }, (_, i) => ({ pk: 'GET', sk: String(i) })),
      { pk: 'GET', sk: 'missing' },
    ];

    const result = await batchGetAll<{ value: number }>(t.doc, t.table, keys);

    expect(result.items.map((i) => i.value).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 150 }, (_, i) => i),
    );
    expect(result.calls).toBe(2);
  });

  it('deletes with batchWriteAll', async () => {
    await batchPutAll(t.doc, t.table, [
      { pk: 'DEL', sk: '1' },
      { pk: 'DEL', sk: '2' },
    ]);

    const result = await batchWriteAll(t.doc, t.table, [{ delete: { pk: 'DEL', sk: '1' } }]);

    expect(result.deletes).toBe(1);
    const left = await queryAll(t.doc, {
      TableName: t.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'DEL' },
    });
    expect(left.items).toEqual([{ pk: 'DEL', sk: '2' }]);
  });

  it('rejects a conditional put on an existing item with ConditionalCheckFailedException', async () => {
    const put = () =>
      t.doc.send(
        new PutCommand({
          TableName: t.table,
          Item: { pk: 'COND', sk: 'once', version: 1 },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    await put();

    const error = await put().catch((e: unknown) => e);

    expect((error as Error).name).toBe('ConditionalCheckFailedException');
    const mapped = toStoreError(error, 'create period');
    expect(isStoreError(mapped, 'conditional_failed')).toBe(true);
    expect(isStoreError(mapped) && mapped.details.item).toMatchObject({ pk: { S: 'COND' } });
    const { Item } = await t.doc.send(
      new GetCommand({ TableName: t.table, Key: { pk: 'COND', sk: 'once' } }),
    );
    expect(Item?.version).toBe(1);
  });
});
