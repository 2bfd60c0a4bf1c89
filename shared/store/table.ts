/**
 * The single table's shape, written once: the CDK stack maps TABLE onto its construct and the local
 * bootstrap turns it into a CreateTable call, so AWS and DynamoDB Local cannot drift apart.
 * No CDK imports here — this file is loaded by Lambda handlers and the CLI.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { StoreError } from './errors.js';

export interface KeyAttribute {
  readonly name: string;
  /** DynamoDB's attribute type; equal to CDK's `AttributeType.STRING` ('S'). */
  readonly type: 'S';
}

export interface IndexDescription {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** Equal to CDK's `ProjectionType.ALL`. */
  readonly projection: 'ALL';
}

export interface TableShape {
  readonly defaultName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly IndexDescription[];
  /** Equal to CDK's `BillingMode.PAY_PER_REQUEST` (TableV2: `Billing.onDemand()`). */
  readonly billingMode: 'PAY_PER_REQUEST';
  /** Epoch seconds; items with a past value are deleted by DynamoDB in the background. */
  readonly timeToLiveAttribute: string;
}

export const TABLE_NAME_DEFAULT = 'medcomm';
export const PK = 'pk';
export const SK = 'sk';
export const GSI1 = 'gsi1';
export const GSI1_PK = 'gsi1pk';
export const GSI1_SK = 'gsi1sk';
export const TTL_ATTRIBUTE = 'expiresAt';

export const TABLE: TableShape = {
  defaultName: TABLE_NAME_DEFAULT,
  partitionKey: { name: PK, type: 'S' },
  sortKey: { name: SK, type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: GSI1,
      partitionKey: { name: GSI1_PK, type: 'S' },
      sortKey: { name: GSI1_SK, type: 'S' },
      projection: 'ALL',
    },
  ],
  billingMode: 'PAY_PER_REQUEST',
  timeToLiveAttribute: TTL_ATTRIBUTE,
};

/** The primary key of an item in the table. */
export interface TableKey {
  pk: string;
  sk: string;
}

/**
 * TABLE in the shape of CDK's TableProps/TablePropsV2 (string values equal CDK's enum values, so the
 * stack maps them with e.g. `AttributeType.STRING` or a cast), kept free of CDK imports.
 */
export function tableKeySchemaForCdk() {
  return {
    partitionKey: { ...TABLE.partitionKey },
    sortKey: { ...TABLE.sortKey },
    globalSecondaryIndexes: TABLE.globalSecondaryIndexes.map((gsi) => ({
      indexName: gsi.indexName,
      partitionKey: { ...gsi.partitionKey },
      sortKey: { ...gsi.sortKey },
      projectionType: gsi.projection,
    })),
    billingMode: TABLE.billingMode,
    timeToLiveAttribute: TABLE.timeToLiveAttribute,
  };
}

export function createTableInput(name: string = TABLE.defaultName): CreateTableCommandInput {
  const attributes = new Map<string, 'S'>();
  for (const key of [TABLE.partitionKey, TABLE.sortKey]) attributes.set(key.name, key.type);
  for (const gsi of TABLE.globalSecondaryIndexes) {
    attributes.set(gsi.partitionKey.name, gsi.partitionKey.type);
    attributes.set(gsi.sortKey.name, gsi.sortKey.type);
  }
  return {
    TableName: name,
    BillingMode: TABLE.billingMode,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE.globalSecondaryIndexes.map((gsi) => ({
      IndexName: gsi.indexName,
      KeySchema: [
        { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: gsi.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: gsi.projection },
    })),
  };
}

export interface EnsureTableOptions {
  /** How long to wait for ACTIVE (AWS takes seconds; DynamoDB Local is immediate). Default 5 min. */
  timeoutMs?: number;
}

export interface EnsureTableResult {
  created: boolean;
  description: TableDescription;
}

/**
 * Creates the table if missing and waits until it and its indexes are ACTIVE, then makes sure TTL is
 * on. Safe to call on every start and from concurrent callers. An existing table with other keys is
 * an error, not something to paper over.
 */
export async function ensureTable(
  client: DynamoDBClient,
  name: string = TABLE.defaultName,
  options: EnsureTableOptions = {},
): Promise<EnsureTableResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let created = false;
  let description = await describe(client, name);
  if (description === undefined) {
    try {
      await client.send(new CreateTableCommand(createTableInput(name)));
      created = true;
    } catch (error) {
      // Another caller created it between our Describe and Create: that is success too.
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    }
    description = await describe(client, name);
  }
  let delay = 50;
  while (description === undefined || !isActive(description)) {
    if (Date.now() > deadline) {
      throw new Error(
        `Table ${name} did not become ACTIVE in time (status ${description?.TableStatus ?? 'missing'})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 5_000);
    description = await describe(client, name);
  }
  assertShape(name, description);
  await ensureTimeToLive(client, name);
  return { created, description };
}

async function describe(client: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  let output: DescribeTableCommandOutput;
  try {
    output = await client.send(new DescribeTableCommand({ TableName: name }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
  return output.Table;
}

function isActive(table: TableDescription): boolean {
  return (
    table.TableStatus === 'ACTIVE' &&
    (table.GlobalSecondaryIndexes ?? []).every((gsi) => gsi.IndexStatus === 'ACTIVE')
  );
}

function keyNames(schema: readonly { AttributeName?: string; KeyType?: string }[] | undefined): string {
  return (schema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
}

function assertShape(name: string, table: TableDescription): void {
  const want = createTableInput(name);
  const problems: string[] = [];
  if (keyNames(table.KeySchema) !== keyNames(want.KeySchema)) {
    problems.push(`key schema is ${keyNames(table.KeySchema)}, expected ${keyNames(want.KeySchema)}`);
  }
  for (const gsi of want.GlobalSecondaryIndexes ?? []) {
    const have = table.GlobalSecondaryIndexes?.find((g) => g.IndexName === gsi.IndexName);
    if (!have) problems.push(`index ${gsi.IndexName} is missing`);
    else if (keyNames(have.KeySchema) !== keyNames(gsi.KeySchema)) {
      problems.push(`index ${gsi.IndexName} has keys ${keyNames(have.KeySchema)}`);
    }
  }
  if (problems.length > 0) {
    throw new StoreError(
      'table_mismatch',
      `Table ${name} exists but does not match shared/store/table.ts: ${problems.join('; ')}. ` +
        'Delete it (locally: remove the data folder) or choose another table name.',
      { details: { problems } },
    );
  }
}

async function ensureTimeToLive(client: DynamoDBClient, name: string): Promise<void> {
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') {
    const current = ttl.TimeToLiveDescription?.AttributeName;
    if (current !== TABLE.timeToLiveAttribute) {
      throw new StoreError(
        'table_mismatch',
        `Table ${name} has TTL on "${current}", expected "${TABLE.timeToLiveAttribute}"`,
      );
    }
    return;
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    // A concurrent ensureTable enabled it first.
    if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
  }
}
