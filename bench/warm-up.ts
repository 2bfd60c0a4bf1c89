/**
 * DynamoDB Local's JIT warmed before the first step with the requests the steps make (issue 17). The
 * warm-up used to be the floor's own writes (BatchWriteItem of `x`s), which left every other code path
 * cold: a city import on a server so warmed had DynamoDB Local compile ~2,900 methods (JFR: the request
 * models and Jackson deserializers of GetItem, Query, conditional PutItem, UpdateItem and transactions,
 * the expression parser, the escape and UTF-16 paths of text with quotes and Chinese names) and spend
 * 3.2–3.5 s of CPU, against 234 methods and 2.75–3.0 s for the same import on a server that had done one
 * before — while the floor it is divided by, measured after it, always met a warm server. So the warm-up
 * writes pages of JSON text like the blobs, reads them back as the cycles read them, and runs each kind of
 * single-item request, query and transaction the store makes, over a hundred times, on a scratch table it
 * drops.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { batchGetAll, batchWriteAll, type Item } from '../shared/store/batch.js';
import { createDynamoClients } from '../shared/store/client.js';
import { ensureTable } from '../shared/store/table.js';
import { jsonRowsText } from './lib/floor.js';

export const WARM_UP_TABLE = 'medcomm_bench_warm_up';

/** Pages read back: enough BatchGetItems of such text for the JIT (reading all doubled the warm-up). */
const READ_BACK_PAGES = 200;

/** Single-item requests, queries and transactions per kind: past the JIT's compile thresholds. */
const SMALL_REQUESTS = 120;

/**
 * Writes `items` pages of ~`bytes` each (BatchWriteItem, 4 at once), reads some back (BatchGetItem), then
 * makes SMALL_REQUESTS of each other kind of request the store makes.
 */
export async function warmUp(endpoint: string, items: number, bytes: number): Promise<void> {
  const { client, doc } = createDynamoClients({ endpoint });
  try {
    await ensureTable(client, WARM_UP_TABLE);
    const pages: Item[] = Array.from({ length: items }, (_, i) => ({
      pk: `WARM#${i % 16}`,
      sk: String(i).padStart(8, '0'),
      type: 'DatasetBlob',
      data: jsonRowsText(i, bytes),
    }));
    await batchWriteAll(
      doc,
      WARM_UP_TABLE,
      pages.map((put) => ({ put })),
      { concurrency: 4 },
    );
    await batchGetAll(
      doc,
      WARM_UP_TABLE,
      pages.slice(0, READ_BACK_PAGES).map(({ pk, sk }) => ({ pk, sk })),
      { consistentRead: true, concurrency: 4 },
    );
    const TableName = WARM_UP_TABLE;
    const small = async (request: (i: number) => Promise<unknown>) => {
      for (let i = 0; i < SMALL_REQUESTS; i += 8)
        await Promise.all(Array.from({ length: 8 }, (_, k) => request(i + k).catch(() => undefined)));
    };
    const key = (i: number) => ({ pk: `SMALL#${i % 8}`, sk: `ITEM#${String(i).padStart(5, '0')}` });
    await small((i) =>
      doc.send(
        new PutCommand({
          TableName,
          Item: { ...key(i), type: 'Warm', n: i, name: '王五', list: ['a', 'b'], map: { k: 'v' } },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    await small((i) =>
      doc.send(
        new UpdateCommand({
          TableName,
          Key: key(i),
          UpdateExpression: 'SET #s = :s, heartbeatAt = :now ADD revision :one',
          ConditionExpression: 'attribute_exists(pk) AND (#s <> :s OR attribute_not_exists(#s))',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': 'running', ':now': new Date().toISOString(), ':one': 1 },
          ReturnValues: 'ALL_NEW',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    await small((i) =>
      doc.send(
        new GetCommand({ TableName, Key: key(i), ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }),
      ),
    );
    await small((i) =>
      doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression:
            i % 2 === 0
              ? 'pk = :pk AND begins_with(sk, :prefix)'
              : 'pk = :pk AND sk BETWEEN :prefix AND :through',
          ExpressionAttributeValues: {
            ':pk': key(i).pk,
            ':prefix': 'ITEM#0',
            ...(i % 2 === 0 ? {} : { ':through': 'ITEM#1' }),
          },
          ConsistentRead: true,
          ScanIndexForward: i % 3 !== 0,
          ...(i % 5 === 0 ? { Limit: 3 } : {}),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    await small((i) =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName, Item: { ...key(i + SMALL_REQUESTS), type: 'Warm', at: i } } },
            {
              Update: {
                TableName,
                Key: key(i),
                UpdateExpression: 'SET revision = revision + :one',
                ConditionExpression: 'revision = :r',
                ExpressionAttributeValues: { ':one': 1, ':r': 1 },
              },
            },
            { ConditionCheck: { TableName, Key: key(i), ConditionExpression: 'attribute_exists(pk)' } },
          ],
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    await small((i) =>
      doc.send(
        new DeleteCommand({
          TableName,
          Key: key(i),
          ConditionExpression: 'revision = :r',
          ExpressionAttributeValues: { ':r': 2 },
        }),
      ),
    );
  } finally {
    await client.send(new DeleteTableCommand({ TableName: WARM_UP_TABLE })).catch(() => undefined);
    client.destroy();
  }
}
