/**
 * Bulk reads and writes with DynamoDB's exact batch semantics: BatchWriteItem takes ≤ 25 requests and
 * BatchGetItem ≤ 100 keys, either may hand back part of the work (UnprocessedItems/Keys) without an
 * error, and that part must be retried with backoff. Throttling errors are retried one level down, by
 * the SDK's retry strategy (see client.ts).
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { StoreError } from './errors.js';
import { PK, SK } from './table.js';

export type Item = Record<string, unknown>;
export type Key = Record<string, unknown>;
/** One request of a batch write: an item to put, or the key of an item to delete. */
export type BatchWrite = { put: Item } | { delete: Key };

export const BATCH_WRITE_LIMIT = 25;
export const BATCH_GET_LIMIT = 100;
/** DynamoDB's item size limit (400 KB, counted as 400 × 1024 bytes). */
export const MAX_ITEM_BYTES = 400 * 1024;

export interface RetryOptions {
  /** Calls per chunk before giving up on unprocessed requests, including the first. Default 8. */
  maxAttempts?: number;
  /** Backoff before retry n is drawn from [cap/2, cap] with cap = min(maxDelayMs, baseDelayMs·2ⁿ⁻¹). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface BatchOptions extends RetryOptions {
  /**
   * Chunks in flight at once. Default 4: on a 2-core machine DynamoDB Local does ~4,000 items/s at 4
   * and no better above it.
   */
  concurrency?: number;
}

/**
 * Requests in flight at most across several batch writes (each still runs its own `concurrency`): a
 * writer whose flushes overlap keeps DynamoDB at the load one batch write gives it. DynamoDB Local holds
 * each request's items on its heap while it works: 32 requests of 25 blob pages at once (8 flushes of an
 * import) made its young collections copy ~60 MB and promote it, ~0.5 s of collector pauses in a city
 * import against ~0.05 s at 4.
 */
export class RequestSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`slots must be a positive integer, got ${size}`);
    this.free = size;
  }

  /** Waits for a slot; the function it gives back frees it (call it once). */
  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }

  /** `work` in a slot: waits for one, and frees it when `work` settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.take();
    try {
      return await work();
    } finally {
      release();
    }
  }
}

export interface BatchWriteOptions extends BatchOptions {
  /** Attributes that form the key, for the duplicate check. Default the table's pk and sk. */
  keyAttributes?: readonly string[];
  /** Called after each chunk completes, with requests done so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** How many requests a lazily made `writes` will yield (for progress and messages); an array knows its own. */
  total?: number;
  /** Shared with other batch writes: each request (its retries included) holds one of these while it runs. */
  slots?: RequestSlots;
}

export interface BatchWriteResult {
  /** Requests applied (puts + deletes). */
  items: number;
  puts: number;
  deletes: number;
  /** Approximate size of the items put, by DynamoDB's item-size rules. */
  bytes: number;
  /** Sum of ConsumedCapacity.CapacityUnits over all calls (write capacity units). */
  consumedCapacity: number;
  /** BatchWriteItem calls made, retries included. */
  calls: number;
}

/**
 * Writes every request, `concurrency` BatchWriteItem calls in flight. An array is checked whole (no
 * duplicate key, no item over 400 KB) before anything is written. Any other iterable is taken lazily,
 * 25 at a time, as calls free up: its requests are made while earlier ones are in flight and only the
 * chunks in flight are held, and each chunk is checked as it is taken — a bad one stops the write after
 * the chunks before it, so use it where nothing counts until a later switch (a new dataset version).
 */
export async function batchWriteAll(
  doc: DynamoDBDocumentClient,
  table: string,
  writes: Iterable<BatchWrite>,
  options: BatchWriteOptions = {},
): Promise<BatchWriteResult> {
  const keyAttributes = options.keyAttributes ?? [PK, SK];
  const check = writeChecker(table, keyAttributes);
  const upFront = Array.isArray(writes);
  if (upFront) for (const write of writes) check(write);
  const total = upFront ? writes.length : (options.total ?? Number.NaN);

  const result: BatchWriteResult = { items: 0, puts: 0, deletes: 0, bytes: 0, consumedCapacity: 0, calls: 0 };
  const toRequest = (write: BatchWrite) =>
    'put' in write ? { PutRequest: { Item: write.put } } : { DeleteRequest: { Key: write.delete } };
  const chunks = chunksOf(writes, BATCH_WRITE_LIMIT, upFront ? undefined : check);

  await runPool(chunks, options.concurrency ?? 4, async (requests) => {
    await (options.slots ? options.slots.run(() => writeChunk(requests)) : writeChunk(requests));
    options.onProgress?.(result.items, total);
  });
  return result;

  async function writeChunk(requests: BatchWrite[]): Promise<void> {
    let pending = requests;
    for (let attempt = 1; ; attempt++) {
      const output = await doc.send(
        new BatchWriteCommand({
          RequestItems: { [table]: pending.map(toRequest) },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      result.calls++;
      result.consumedCapacity += sumCapacity(output.ConsumedCapacity);
      const unprocessed = output.UnprocessedItems?.[table] ?? [];
      const left = matchUnprocessed(pending, unprocessed, keyAttributes);
      for (const write of pending) {
        if (left.has(write)) continue;
        result.items++;
        if ('put' in write) {
          result.puts++;
          result.bytes += check.sizes.get(write) ?? 0;
          check.sizes.delete(write);
        } else {
          result.deletes++;
        }
      }
      pending = pending.filter((write) => left.has(write));
      if (pending.length === 0) break;
      if (attempt >= (options.maxAttempts ?? 8)) {
        throw new StoreError(
          'unprocessed_exhausted',
          `Batch write to ${table}: ${pending.length} requests still unprocessed after ${attempt} attempts ` +
            `(${result.items} of ${total} written). The table is throttling; retry later or lower the concurrency.`,
          { details: { unprocessed: pending.length, written: result.items, total } },
        );
      }
      await sleep(backoff(attempt, options));
    }
  }
}

/**
 * Checks one write (its key not seen before in this batch write, its item within 400 KB) and keeps the
 * item's size until it is written.
 */
function writeChecker(table: string, keyAttributes: readonly string[]) {
  const seen = new Set<string>();
  const sizes = new Map<BatchWrite, number>();
  const check = (write: BatchWrite): void => {
    const item = 'put' in write ? write.put : write.delete;
    const key = JSON.stringify(keyAttributes.map((name) => item[name] ?? null));
    if (seen.has(key)) {
      throw new StoreError('duplicate_key', `Batch write to ${table} names the key ${key} twice`, {
        details: { key },
      });
    }
    seen.add(key);
    if ('put' in write) {
      const size = itemSize(write.put);
      if (size > MAX_ITEM_BYTES) {
        throw new StoreError('item_too_large', `Item ${key} is ~${size} bytes, over DynamoDB's 400 KB`, {
          details: { key, bytes: size },
        });
      }
      sizes.set(write, size);
    }
  };
  return Object.assign(check, { sizes });
}

/** Puts every item; a shorthand for batchWriteAll with put requests. */
export function batchPutAll(
  doc: DynamoDBDocumentClient,
  table: string,
  items: readonly Item[],
  options?: BatchWriteOptions,
): Promise<BatchWriteResult> {
  return batchWriteAll(
    doc,
    table,
    items.map((put) => ({ put })),
    options,
  );
}

export interface BatchGetOptions extends BatchOptions {
  consistentRead?: boolean;
  projectionExpression?: string;
  expressionAttributeNames?: Record<string, string>;
}

export interface BatchGetResult<T> {
  /** The items found, in no particular order (DynamoDB does not keep the key order); missing keys are absent. */
  items: T[];
  /** Sum of ConsumedCapacity.CapacityUnits over all calls (read capacity units). */
  consumedCapacity: number;
  calls: number;
}

export async function batchGetAll<T = Item>(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly Key[],
  options: BatchGetOptions = {},
): Promise<BatchGetResult<T>> {
  // BatchGetItem rejects duplicate keys; asking twice for one item means the same answer, so drop them.
  const unique = new Map<string, Key>();
  for (const key of keys) unique.set(canonical(key), key);

  const result: BatchGetResult<T> = { items: [], consumedCapacity: 0, calls: 0 };
  await runPool(chunksOf(unique.values(), BATCH_GET_LIMIT), options.concurrency ?? 4, async (chunkKeys) => {
    let pending: Key[] = chunkKeys;
    for (let attempt = 1; ; attempt++) {
      const output = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: pending,
              ConsistentRead: options.consistentRead,
              ProjectionExpression: options.projectionExpression,
              ExpressionAttributeNames: options.expressionAttributeNames,
            },
          },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      result.calls++;
      result.consumedCapacity += sumCapacity(output.ConsumedCapacity);
      result.items.push(...((output.Responses?.[table] ?? []) as T[]));
      pending = (output.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
      if (pending.length === 0) return;
      if (attempt >= (options.maxAttempts ?? 8)) {
        throw new StoreError(
          'unprocessed_exhausted',
          `Batch get from ${table}: ${pending.length} keys still unprocessed after ${attempt} attempts. ` +
            'The table is throttling; retry later or lower the concurrency.',
          { details: { unprocessed: pending.length, total: unique.size } },
        );
      }
      await sleep(backoff(attempt, options));
    }
  });
  return result;
}

export interface QueryAllResult<T> {
  items: T[];
  /** Items matched before any FilterExpression, summed over pages. */
  scannedCount: number;
  pages: number;
  /** Sum of ConsumedCapacity.CapacityUnits over all pages (read capacity units). */
  consumedCapacity: number;
}

/** Yields each page of a query, following LastEvaluatedKey; for partitions too big to hold at once. */
export async function* queryPages(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
): AsyncGenerator<QueryCommandOutput, void, undefined> {
  let startKey = input.ExclusiveStartKey;
  do {
    const page = await doc.send(
      new QueryCommand({
        ReturnConsumedCapacity: 'TOTAL',
        ...input,
        ExclusiveStartKey: startKey,
      }),
    );
    yield page;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
}

/** Runs a query to the end (every page; `Limit`, if given, is the page size) and collects the items. */
export async function queryAll<T = Item>(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<QueryAllResult<T>> {
  const result: QueryAllResult<T> = { items: [], scannedCount: 0, pages: 0, consumedCapacity: 0 };
  for await (const page of queryPages(doc, input)) {
    result.pages++;
    result.scannedCount += page.ScannedCount ?? 0;
    result.consumedCapacity += page.ConsumedCapacity?.CapacityUnits ?? 0;
    for (const item of page.Items ?? []) result.items.push(item as T);
  }
  return result;
}

/**
 * Approximate stored size of an item by DynamoDB's rules: attribute names and strings in UTF-8 bytes,
 * numbers ~1 byte per two significant digits + 1, binary by length, 1 byte for booleans and nulls,
 * 3 bytes of overhead per list or map plus 1 per element.
 */
export function itemSize(item: Item): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    total += Buffer.byteLength(name) + valueSize(value);
  }
  return total;
}

function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(String(value));
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let total = 0;
    for (const member of value) total += valueSize(member);
    return total;
  }
  if (Array.isArray(value)) {
    let total = 3;
    for (const element of value) total += 1 + valueSize(element);
    return total;
  }
  if (typeof value === 'object') {
    // lib-dynamodb's NumberValue keeps the exact digits in `value`.
    const maybeNumber = value as { value?: unknown; constructor?: { name?: string } };
    if (maybeNumber.constructor?.name === 'NumberValue' && typeof maybeNumber.value === 'string') {
      return numberSize(maybeNumber.value);
    }
    let total = 3;
    for (const [name, member] of Object.entries(value)) {
      if (member === undefined) continue;
      total += 1 + Buffer.byteLength(name) + valueSize(member);
    }
    return total;
  }
  return 0;
}

function numberSize(text: string): number {
  const digits = text
    .replace(/e.*$/i, '')
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function sumCapacity(capacity: readonly { CapacityUnits?: number }[] | undefined): number {
  let total = 0;
  for (const entry of capacity ?? []) total += entry.CapacityUnits ?? 0;
  return total;
}

/**
 * Finds which of the sent writes came back unprocessed. DynamoDB returns copies of the requests, so
 * match them by key; with no duplicate keys in a batch (checked above) the match is exact.
 */
function matchUnprocessed(
  sent: readonly BatchWrite[],
  unprocessed: readonly { PutRequest?: { Item?: Item }; DeleteRequest?: { Key?: Key } }[],
  keyAttributes: readonly string[],
): Set<BatchWrite> {
  if (unprocessed.length === 0) return new Set();
  const keyOf = (item: Item | undefined) => JSON.stringify(keyAttributes.map((name) => item?.[name] ?? null));
  const wanted = new Set(
    unprocessed.map((request) => keyOf(request.PutRequest?.Item ?? request.DeleteRequest?.Key)),
  );
  return new Set(sent.filter((write) => wanted.has(keyOf('put' in write ? write.put : write.delete))));
}

function canonical(key: Key): string {
  return JSON.stringify(
    Object.keys(key)
      .sort()
      .map((name) => [name, key[name]]),
  );
}

/** Chunks of `size` taken from `values` only as they are asked for, each value checked as it is taken. */
function* chunksOf<T>(values: Iterable<T>, size: number, check?: (value: T) => void): Generator<T[]> {
  let current: T[] = [];
  for (const value of values) {
    check?.(value);
    current.push(value);
    if (current.length === size) {
      yield current;
      current = [];
    }
  }
  if (current.length > 0) yield current;
}

function backoff(attempt: number, options: RetryOptions): number {
  const cap = Math.min(options.maxDelayMs ?? 3_000, (options.baseDelayMs ?? 50) * 2 ** (attempt - 1));
  return cap / 2 + Math.random() * (cap / 2);
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `task` over `inputs` with at most `concurrency` in flight, taking each input only when a task
 * can start on it (so a lazy iterable is made as the work goes). After a failure, in a task or in
 * making the next input, no new input starts; the call settles only when the ones in flight have, so no
 * write is still running after it throws.
 */
async function runPool<T>(inputs: Iterable<T>, concurrency: number, task: (input: T) => Promise<void>) {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const iterator = inputs[Symbol.iterator]();
  let failed = false;
  const worker = async () => {
    while (!failed) {
      try {
        const next = iterator.next();
        if (next.done) return;
        await task(next.value);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: concurrency }, () => worker()));
  const rejected = settled.find((outcome) => outcome.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
}
