import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type BatchWrite,
  batchGetAll,
  batchPutAll,
  batchWriteAll,
  itemSize,
  queryAll,
  RequestSlots,
} from '../../../shared/store/batch.js';
import { isStoreError, StoreError } from '../../../shared/store/errors.js';

const TABLE = 'unit';
const fast = { baseDelayMs: 1, maxDelayMs: 2 };
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'local', credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' } }),
);
const ddb = mockClient(DynamoDBDocumentClient);

const item = (i: number) => ({ pk: 'P#1', sk: `S#${String(i).padStart(4, '0')}`, n: i });
const items = (count: number) => Array.from({ length: count }, (_, i) => item(i));
const sentWrites = (call: number) => {
  const input = ddb.commandCalls(BatchWriteCommand)[call]?.args[0].input as
    | BatchWriteCommandInput
    | undefined;
  return input?.RequestItems?.[TABLE] ?? [];
};

beforeEach(() => ddb.reset());
afterEach(() => ddb.reset());

describe('batchWriteAll', () => {
  it('writes in chunks of 25 and sums items, bytes and consumed capacity', async () => {
    ddb.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => ({
      UnprocessedItems: {},
      ConsumedCapacity: [{ TableName: TABLE, CapacityUnits: input.RequestItems?.[TABLE]?.length ?? 0 }],
    }));
    const all = items(60);

    const result = await batchPutAll(doc, TABLE, all);

    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 3);
    expect([0, 1, 2].map((call) => sentWrites(call).length).sort()).toEqual([10, 25, 25]);
    expect(ddb).toHaveReceivedCommandWith(BatchWriteCommand, { ReturnConsumedCapacity: 'TOTAL' });
    expect(result).toMatchObject({ items: 60, puts: 60, deletes: 0, consumedCapacity: 60, calls: 3 });
    expect(result.bytes).toBe(all.reduce((sum, i) => sum + itemSize(i), 0));
  });

  it('retries unprocessed items until every one is written, sending only those again', async () => {
    const all = items(10);
    const leftOver = all.slice(3, 6).map((i) => ({ PutRequest: { Item: i } }));
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: leftOver }, ConsumedCapacity: [{ CapacityUnits: 7 }] })
      .resolvesOnce({
        UnprocessedItems: { [TABLE]: leftOver.slice(0, 1) },
        ConsumedCapacity: [{ CapacityUnits: 2 }],
      })
      .resolves({ UnprocessedItems: {}, ConsumedCapacity: [{ CapacityUnits: 1 }] });

    const result = await batchPutAll(doc, TABLE, all, fast);

    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 3);
    expect(sentWrites(1)).toEqual(leftOver);
    expect(sentWrites(2)).toEqual(leftOver.slice(0, 1));
    expect(result).toMatchObject({ items: 10, consumedCapacity: 10, calls: 3 });
  });

  it('gives up with a StoreError after maxAttempts calls when items stay unprocessed', async () => {
    const all = items(5);
    ddb.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => ({
      UnprocessedItems: { [TABLE]: input.RequestItems?.[TABLE] },
    }));

    const error = await batchPutAll(doc, TABLE, all, { ...fast, maxAttempts: 4 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StoreError);
    expect(isStoreError(error, 'unprocessed_exhausted')).toBe(true);
    expect((error as StoreError).name).toBe('StoreError');
    expect((error as StoreError).details).toMatchObject({ unprocessed: 5, written: 0, total: 5 });
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 4);
  });

  it('waits longer before each retry (exponential backoff)', async () => {
    const stamps: number[] = [];
    let calls = 0;
    ddb.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => {
      stamps.push(performance.now());
      calls++;
      return { UnprocessedItems: calls < 4 ? { [TABLE]: input.RequestItems?.[TABLE] } : {} };
    });

    await batchPutAll(doc, TABLE, items(1), { baseDelayMs: 20, maxDelayMs: 1_000 });

    const gaps = stamps.slice(1).map((t, i) => t - (stamps[i] as number));
    // Retry n waits between half and all of 20·2ⁿ⁻¹ ms: [10,20], [20,40], [40,80].
    expect(gaps[0]).toBeGreaterThanOrEqual(9);
    expect(gaps[1]).toBeGreaterThanOrEqual(19);
    expect(gaps[2]).toBeGreaterThanOrEqual(39);
  });

  it('never has more than `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    ddb.on(BatchWriteCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return { UnprocessedItems: {} };
    });

    const result = await batchPutAll(doc, TABLE, items(25 * 12), { concurrency: 3 });

    expect(result.items).toBe(300);
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 12);
    expect(peak).toBe(3);
  });

  it('keeps the calls of batch writes that share slots within the slots, all of them written', async () => {
    let inFlight = 0;
    let peak = 0;
    ddb.on(BatchWriteCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return { UnprocessedItems: {} };
    });
    const slots = new RequestSlots(4);
    const writes = [0, 1, 2].map((w) =>
      batchPutAll(
        doc,
        TABLE,
        items(25 * 6).map((i) => ({ ...i, pk: `P#${w}` })),
        { concurrency: 4, slots },
      ),
    );

    const results = await Promise.all(writes);

    expect(results.map((r) => r.items)).toEqual([150, 150, 150]);
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 18);
    expect(peak).toBeLessThanOrEqual(4);
    // A slot is free again after the writes: all four can be taken at once.
    const taken = await Promise.all([1, 2, 3, 4].map(() => slots.take()));
    expect(taken).toHaveLength(4);
  });

  it('mixes puts and deletes and counts each kind', async () => {
    ddb.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    const writes: BatchWrite[] = [{ put: item(1) }, { delete: { pk: 'P#1', sk: 'S#0002' } }];

    const result = await batchWriteAll(doc, TABLE, writes);

    expect(sentWrites(0)).toEqual([
      { PutRequest: { Item: item(1) } },
      { DeleteRequest: { Key: { pk: 'P#1', sk: 'S#0002' } } },
    ]);
    expect(result).toMatchObject({ items: 2, puts: 1, deletes: 1, bytes: itemSize(item(1)) });
  });

  it('refuses a batch that names one key twice, before sending anything', async () => {
    const error = await batchWriteAll(doc, TABLE, [
      { put: item(1) },
      { delete: { pk: 'P#1', sk: 'S#0001' } },
    ]).catch((e: unknown) => e);

    expect(isStoreError(error, 'duplicate_key')).toBe(true);
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 0);
  });

  it('refuses an item over 400 KB, before sending anything', async () => {
    const error = await batchPutAll(doc, TABLE, [{ pk: 'P', sk: 'S', blob: 'x'.repeat(410_000) }]).catch(
      (e: unknown) => e,
    );

    expect(isStoreError(error, 'item_too_large')).toBe(true);
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 0);
  });

  it('starts no new chunk after one fails, and rethrows the SDK error', async () => {
    let calls = 0;
    ddb.on(BatchWriteCommand).callsFake(async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (calls === 2) throw Object.assign(new Error('bad request'), { name: 'ValidationException' });
      return { UnprocessedItems: {} };
    });

    const error = await batchPutAll(doc, TABLE, items(25 * 10), { concurrency: 2 }).catch((e: unknown) => e);

    expect((error as Error).name).toBe('ValidationException');
    // Two were in flight when the second failed; the first worker may have taken one more before it saw the failure.
    expect(calls).toBeLessThanOrEqual(3);
  });

  it('takes a lazy iterable only as calls free up, never more than the chunks in flight ahead', async () => {
    let made = 0;
    let aheadAtMost = 0;
    ddb.on(BatchWriteCommand).callsFake(async (input: BatchWriteCommandInput) => {
      const sent = ddb.commandCalls(BatchWriteCommand).length;
      aheadAtMost = Math.max(aheadAtMost, made - (sent - 1) * 25);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return {
        UnprocessedItems: {},
        ConsumedCapacity: [{ CapacityUnits: input.RequestItems?.[TABLE]?.length }],
      };
    });
    function* lazily(): Generator<BatchWrite> {
      for (let i = 0; i < 250; i++) {
        made++;
        yield { put: item(i) };
      }
    }
    const progress: [number, number][] = [];

    const result = await batchWriteAll(doc, TABLE, lazily(), {
      concurrency: 2,
      total: 250,
      onProgress: (done, total) => progress.push([done, total]),
    });

    expect(result).toMatchObject({ items: 250, puts: 250, consumedCapacity: 250, calls: 10 });
    expect(result.bytes).toBe(items(250).reduce((sum, i) => sum + itemSize(i), 0));
    // When a call is sent, at most its own chunk and the one other worker's chunk have been made.
    expect(aheadAtMost).toBeLessThanOrEqual(2 * 25);
    expect(progress.at(-1)).toEqual([250, 250]);
  });

  it('stops a lazy write at a repeated key, after the chunks before it and before the chunk holding it', async () => {
    ddb.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    function* withRepeat(): Generator<BatchWrite> {
      for (let i = 0; i < 60; i++) yield { put: item(i) };
      yield { put: item(3) };
    }

    const error = await batchWriteAll(doc, TABLE, withRepeat(), { concurrency: 1 }).catch((e: unknown) => e);

    expect(isStoreError(error, 'duplicate_key')).toBe(true);
    expect(ddb.commandCalls(BatchWriteCommand).map((_, call) => sentWrites(call).length)).toEqual([25, 25]);
  });

  it('does nothing for an empty batch', async () => {
    const result = await batchWriteAll(doc, TABLE, []);
    expect(result).toMatchObject({ items: 0, calls: 0 });
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 0);
  });
});

describe('batchGetAll', () => {
  const keyOf = (i: number) => ({ pk: 'P#1', sk: `S#${String(i).padStart(4, '0')}` });
  const sentKeys = (call: number) => {
    const input = ddb.commandCalls(BatchGetCommand)[call]?.args[0].input as BatchGetCommandInput | undefined;
    return input?.RequestItems?.[TABLE]?.Keys ?? [];
  };

  it('reads in chunks of 100, drops duplicate keys and sums consumed capacity', async () => {
    ddb.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => ({
      Responses: { [TABLE]: (input.RequestItems?.[TABLE]?.Keys ?? []).map((k) => ({ ...k, found: true })) },
      ConsumedCapacity: [{ CapacityUnits: 0.5 }],
    }));
    const keys = [...Array.from({ length: 250 }, (_, i) => keyOf(i)), keyOf(3), { sk: 'S#0004', pk: 'P#1' }];

    const result = await batchGetAll(doc, TABLE, keys, { consistentRead: true });

    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 3);
    expect([0, 1, 2].map((call) => sentKeys(call).length).sort()).toEqual([100, 100, 50]);
    expect(ddb).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: { [TABLE]: expect.objectContaining({ ConsistentRead: true }) },
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(result.items).toHaveLength(250);
    expect(result.consumedCapacity).toBe(1.5);
  });

  it('retries unprocessed keys until all are read', async () => {
    const keys = Array.from({ length: 4 }, (_, i) => keyOf(i));
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [keyOf(0), keyOf(1)] },
        UnprocessedKeys: { [TABLE]: { Keys: [keyOf(2), keyOf(3)] } },
      })
      .resolves({ Responses: { [TABLE]: [keyOf(2), keyOf(3)] } });

    const result = await batchGetAll(doc, TABLE, keys, fast);

    expect(sentKeys(1)).toEqual([keyOf(2), keyOf(3)]);
    expect(result.items).toEqual(keys);
    expect(result.calls).toBe(2);
  });

  it('gives up with a StoreError when keys stay unprocessed', async () => {
    ddb.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => ({
      Responses: {},
      UnprocessedKeys: { [TABLE]: { Keys: input.RequestItems?.[TABLE]?.Keys } },
    }));

    const error = await batchGetAll(doc, TABLE, [keyOf(1)], { ...fast, maxAttempts: 3 }).catch(
      (e: unknown) => e,
    );

    expect(isStoreError(error, 'unprocessed_exhausted')).toBe(true);
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 3);
  });

  it('respects the concurrency limit', async () => {
    let inFlight = 0;
    let peak = 0;
    ddb.on(BatchGetCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return { Responses: {} };
    });

    await batchGetAll(
      doc,
      TABLE,
      Array.from({ length: 1_000 }, (_, i) => keyOf(i)),
      { concurrency: 2 },
    );

    expect(peak).toBe(2);
  });
});

describe('queryAll', () => {
  it('follows LastEvaluatedKey to the last page and sums consumed capacity', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [item(1), item(2)],
        ScannedCount: 2,
        LastEvaluatedKey: { pk: 'P#1', sk: 'S#0002' },
        ConsumedCapacity: { CapacityUnits: 1 },
      })
      .resolvesOnce({
        Items: [item(3)],
        ScannedCount: 3,
        LastEvaluatedKey: { pk: 'P#1', sk: 'S#0003' },
        ConsumedCapacity: { CapacityUnits: 0.5 },
      })
      .resolves({ Items: [], ScannedCount: 0, ConsumedCapacity: { CapacityUnits: 0.5 } });

    const result = await queryAll(doc, {
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'P#1' },
    });

    expect(result).toEqual({
      items: [item(1), item(2), item(3)],
      scannedCount: 5,
      pages: 3,
      consumedCapacity: 2,
    });
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 1, {
      ExclusiveStartKey: undefined,
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 2, {
      ExclusiveStartKey: { pk: 'P#1', sk: 'S#0002' },
    });
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 3, {
      ExclusiveStartKey: { pk: 'P#1', sk: 'S#0003' },
    });
  });
});

describe('itemSize', () => {
  it('counts names and strings in UTF-8 bytes, numbers by significant digits', () => {
    expect(itemSize({ pk: 'abc' })).toBe(2 + 3);
    expect(itemSize({ 名: '医共体' })).toBe(3 + 9);
    expect(itemSize({ n: 12345 })).toBe(1 + 4);
    expect(itemSize({ n: 1000 })).toBe(1 + 2);
    expect(itemSize({ flag: true, none: null })).toBe(4 + 1 + 4 + 1);
  });

  it('adds overhead for lists and maps and skips undefined attributes', () => {
    expect(itemSize({ l: ['a', 'b'] })).toBe(1 + 3 + 2 * (1 + 1));
    expect(itemSize({ m: { a: 'x' } })).toBe(1 + 3 + 1 + 1 + 1);
    expect(itemSize({ a: 'x', gone: undefined })).toBe(2);
  });
});
