import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { isStoreError } from '../../../shared/store/errors.js';
import { createTableInput, ensureTable, TABLE, tableKeySchemaForCdk } from '../../../shared/store/table.js';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({
  region: 'local',
  credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
});
const notFound = () =>
  new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} });

function activeTable(name: string) {
  const input = createTableInput(name);
  return {
    TableName: name,
    TableStatus: 'ACTIVE' as const,
    KeySchema: input.KeySchema,
    GlobalSecondaryIndexes: input.GlobalSecondaryIndexes?.map((gsi) => ({
      ...gsi,
      IndexStatus: 'ACTIVE' as const,
    })),
  };
}

beforeEach(() => ddb.reset());

describe('createTableInput', () => {
  it('describes pk/sk, the gsi1 index with all attributes projected, and on-demand billing', () => {
    expect(createTableInput('t1')).toEqual({
      TableName: 't1',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('defaults the table name to medcomm', () => {
    expect(createTableInput().TableName).toBe('medcomm');
  });

  it('gives CDK the same keys, index, billing and TTL attribute', () => {
    expect(tableKeySchemaForCdk()).toEqual({
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      globalSecondaryIndexes: [
        {
          indexName: 'gsi1',
          partitionKey: { name: 'gsi1pk', type: 'S' },
          sortKey: { name: 'gsi1sk', type: 'S' },
          projectionType: 'ALL',
        },
      ],
      billingMode: 'PAY_PER_REQUEST',
      timeToLiveAttribute: 'expiresAt',
    });
    expect(TABLE.timeToLiveAttribute).toBe('expiresAt');
  });
});

describe('ensureTable', () => {
  it('creates a missing table, waits until it and its index are ACTIVE, then enables TTL', async () => {
    const creating = { ...activeTable('t1'), TableStatus: 'CREATING' as const };
    const indexCreating = {
      ...activeTable('t1'),
      GlobalSecondaryIndexes: activeTable('t1').GlobalSecondaryIndexes?.map((g) => ({
        ...g,
        IndexStatus: 'CREATING' as const,
      })),
    };
    ddb
      .on(DescribeTableCommand)
      .rejectsOnce(notFound())
      .resolvesOnce({ Table: creating })
      .resolvesOnce({ Table: indexCreating })
      .resolves({ Table: activeTable('t1') });
    ddb.on(CreateTableCommand).resolves({});
    ddb.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
    ddb.on(UpdateTimeToLiveCommand).resolves({});

    const result = await ensureTable(client, 't1');

    expect(result.created).toBe(true);
    expect(ddb).toHaveReceivedCommandWith(CreateTableCommand, { ...createTableInput('t1') });
    expect(ddb).toHaveReceivedCommandTimes(DescribeTableCommand, 4);
    expect(ddb).toHaveReceivedCommandWith(UpdateTimeToLiveCommand, {
      TableName: 't1',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('leaves an existing, matching table with TTL on alone', async () => {
    ddb.on(DescribeTableCommand).resolves({ Table: activeTable('t1') });
    ddb
      .on(DescribeTimeToLiveCommand)
      .resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' } });

    const result = await ensureTable(client, 't1');

    expect(result.created).toBe(false);
    expect(ddb).toHaveReceivedCommandTimes(CreateTableCommand, 0);
    expect(ddb).toHaveReceivedCommandTimes(UpdateTimeToLiveCommand, 0);
  });

  it('treats a table created concurrently by someone else as success', async () => {
    ddb
      .on(DescribeTableCommand)
      .rejectsOnce(notFound())
      .resolves({ Table: activeTable('t1') });
    ddb
      .on(CreateTableCommand)
      .rejects(Object.assign(new Error('Table already exists'), { name: 'ResourceInUseException' }));
    ddb
      .on(DescribeTimeToLiveCommand)
      .resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' } });

    await expect(ensureTable(client, 't1')).resolves.toMatchObject({ created: false });
  });

  it('refuses a table whose keys differ from the definition', async () => {
    ddb.on(DescribeTableCommand).resolves({
      Table: { ...activeTable('t1'), KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] },
    });

    const error = await ensureTable(client, 't1').catch((e: unknown) => e);

    expect(isStoreError(error, 'table_mismatch')).toBe(true);
    expect((error as Error).message).toMatch(/key schema is id:HASH/);
  });

  it('gives up when the table never becomes ACTIVE', async () => {
    ddb.on(DescribeTableCommand).resolves({ Table: { ...activeTable('t1'), TableStatus: 'CREATING' } });

    await expect(ensureTable(client, 't1', { timeoutMs: 150 })).rejects.toThrow(/did not become ACTIVE/);
  });
});
