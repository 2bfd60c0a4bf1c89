/**
 * The store: the only code that talks to DynamoDB. It counts what it reads and writes so the bench can
 * report items, bytes and capacity units per step.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  type BatchWrite,
  batchGetAll,
  batchWriteAll,
  type Item,
  itemSize,
  type Key,
  queryAll,
  type RequestSlots,
} from './batch.js';
import { isStoreError, toStoreError } from './errors.js';

export interface StoreMetrics {
  itemsWritten: number;
  bytesWritten: number;
  itemsRead: number;
  bytesRead: number;
  writeUnits: number;
  readUnits: number;
  requests: number;
}

export const emptyMetrics = (): StoreMetrics => ({
  itemsWritten: 0,
  bytesWritten: 0,
  itemsRead: 0,
  bytesRead: 0,
  writeUnits: 0,
  readUnits: 0,
  requests: 0,
});

/** One process-wide tally (handlers share it in-process; the bench reads and resets it per step). */
export const metrics: StoreMetrics = emptyMetrics();

export function resetMetrics(): StoreMetrics {
  const snapshot = { ...metrics };
  Object.assign(metrics, emptyMetrics());
  return snapshot;
}

const capacity = (c: { CapacityUnits?: number } | undefined) => c?.CapacityUnits ?? 0;

/** Attempts of a transaction cancelled by throttling or a conflict only (see Table.transact). */
const TRANSACT_ATTEMPTS = 8;
const TRANSIENT_REASONS = new Set([
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'TransactionConflict',
]);

/** A cancelled transaction with no reason but throttling or a conflict: worth trying again as it is. */
function isTransient(error: unknown): boolean {
  if (!isStoreError(error, 'transaction_cancelled')) return false;
  const codes = ((error.details.reasons ?? []) as { Code?: string }[])
    .map((r) => r.Code ?? 'None')
    .filter((c) => c !== 'None');
  return codes.length > 0 && codes.every((c) => TRANSIENT_REASONS.has(c));
}

type TransactWriteItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
/** A transaction action without its TableName (the store fills it in). */
export type TransactItem = {
  [K in keyof TransactWriteItem]?: Omit<NonNullable<TransactWriteItem[K]>, 'TableName'>;
};

export class Table {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly name: string,
    readonly writeConcurrency = 4,
  ) {}

  async get<T = Item>(key: Key, consistent = true): Promise<T | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.name,
        Key: key,
        ConsistentRead: consistent,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    metrics.requests++;
    metrics.readUnits += capacity(out.ConsumedCapacity);
    if (out.Item) {
      metrics.itemsRead++;
      metrics.bytesRead += itemSize(out.Item);
    }
    return out.Item as T | undefined;
  }

  /** Puts an item; with a condition, a failed check becomes StoreError('conditional_failed'). */
  async put(item: Item, condition?: Omit<PutCommandInput, 'TableName' | 'Item'>): Promise<void> {
    try {
      const out = await this.doc.send(
        new PutCommand({ TableName: this.name, Item: item, ReturnConsumedCapacity: 'TOTAL', ...condition }),
      );
      metrics.requests++;
      metrics.itemsWritten++;
      metrics.bytesWritten += itemSize(item);
      metrics.writeUnits += capacity(out.ConsumedCapacity);
    } catch (error) {
      throw toStoreError(error, `put ${String(item.pk)} ${String(item.sk)}`);
    }
  }

  async update(input: Omit<UpdateCommandInput, 'TableName'>): Promise<Item | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.name,
          ReturnConsumedCapacity: 'TOTAL',
          ReturnValues: 'ALL_NEW',
          ...input,
        }),
      );
      metrics.requests++;
      metrics.itemsWritten++;
      metrics.writeUnits += capacity(out.ConsumedCapacity);
      return out.Attributes;
    } catch (error) {
      throw toStoreError(error, `update ${JSON.stringify(input.Key)}`);
    }
  }

  /** An update under its ConditionExpression: false when the condition did not hold (nothing written). */
  async updateIf(
    input: Omit<UpdateCommandInput, 'TableName'> & { ConditionExpression: string },
  ): Promise<boolean> {
    try {
      await this.update(input);
      return true;
    } catch (error) {
      if (isStoreError(error, 'conditional_failed')) return false;
      throw error;
    }
  }

  async delete(key: Key): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.name, Key: key }));
    metrics.requests++;
  }

  /** Deletes an item if the condition holds; otherwise StoreError('conditional_failed'). */
  async deleteIf(key: Key, condition: string, values?: Record<string, unknown>): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.name,
          Key: key,
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      metrics.requests++;
    } catch (error) {
      throw toStoreError(error, `delete ${JSON.stringify(key)}`);
    }
  }

  /**
   * One transaction. A cancellation whose reasons are only throttling or a conflicting transaction
   * (nothing refused on its merits) is retried with backoff, as the SDK retries a throttled single write;
   * any ConditionalCheckFailed makes it final: StoreError('transaction_cancelled') with the reasons.
   */
  async transact(items: readonly TransactItem[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactOnce(items);
      } catch (error) {
        if (attempt >= TRANSACT_ATTEMPTS || !isTransient(error)) throw error;
        const cap = Math.min(2_000, 50 * 2 ** (attempt - 1));
        await new Promise((r) => setTimeout(r, cap / 2 + Math.random() * (cap / 2)));
      }
    }
  }

  private async transactOnce(items: readonly TransactItem[]): Promise<void> {
    try {
      const out = await this.doc.send(
        new TransactWriteCommand({
          ReturnConsumedCapacity: 'TOTAL',
          TransactItems: items.map((i) => {
            const copy: Record<string, Record<string, unknown>> = {};
            for (const [op, action] of Object.entries(i)) copy[op] = { TableName: this.name, ...action };
            return copy as TransactWriteItem;
          }),
        }),
      );
      metrics.requests++;
      metrics.itemsWritten += items.length;
      metrics.writeUnits += (out.ConsumedCapacity ?? []).reduce((a, c) => a + capacity(c), 0);
    } catch (error) {
      throw toStoreError(error, 'transaction');
    }
  }

  /**
   * All items of a partition whose sort key starts with `prefix` (paginated); with `through`, every sort
   * key from `prefix` to `through` inclusive instead (BETWEEN: adjacent prefixes in one query).
   */
  async queryPrefix<T = Item>(
    pk: string,
    prefix = '',
    options: { descending?: boolean; limit?: number; through?: string } = {},
  ): Promise<T[]> {
    const range = options.through !== undefined;
    const input = {
      TableName: this.name,
      KeyConditionExpression: range
        ? 'pk = :pk AND sk BETWEEN :prefix AND :through'
        : prefix
          ? 'pk = :pk AND begins_with(sk, :prefix)'
          : 'pk = :pk',
      ExpressionAttributeValues: range
        ? { ':pk': pk, ':prefix': prefix, ':through': options.through }
        : prefix
          ? { ':pk': pk, ':prefix': prefix }
          : { ':pk': pk },
      ConsistentRead: true,
      ScanIndexForward: !options.descending,
      ReturnConsumedCapacity: 'TOTAL' as const,
    };
    if (options.limit !== undefined) {
      const out = await this.doc.send(new QueryCommand({ ...input, Limit: options.limit }));
      metrics.requests++;
      metrics.readUnits += capacity(out.ConsumedCapacity);
      this.countRead(out.Items ?? []);
      return (out.Items ?? []) as T[];
    }
    const out = await queryAll<T>(this.doc, input);
    metrics.requests += out.pages;
    metrics.readUnits += out.consumedCapacity;
    this.countRead(out.items as Item[]);
    return out.items;
  }

  async batchGet<T = Item>(keysToGet: readonly Key[]): Promise<T[]> {
    const out = await batchGetAll<T>(this.doc, this.name, keysToGet, {
      consistentRead: true,
      concurrency: 4,
    });
    metrics.requests += out.calls;
    metrics.readUnits += out.consumedCapacity;
    this.countRead(out.items as Item[]);
    return out.items;
  }

  /**
   * See batchWriteAll: an array is checked whole first; a lazy iterable (with its `total`) is written as
   * made; `slots` bound the requests in flight across the batch writes that share them.
   */
  async batchWrite(
    writes: Iterable<BatchWrite>,
    onProgress?: (done: number, total: number) => void,
    total?: number,
    slots?: RequestSlots,
  ): Promise<void> {
    const out = await batchWriteAll(this.doc, this.name, writes, {
      concurrency: this.writeConcurrency,
      onProgress,
      ...(total === undefined ? {} : { total }),
      ...(slots ? { slots } : {}),
    });
    metrics.requests += out.calls;
    metrics.itemsWritten += out.items;
    metrics.bytesWritten += out.bytes;
    metrics.writeUnits += out.consumedCapacity;
  }

  private countRead(items: readonly Item[]): void {
    metrics.itemsRead += items.length;
    for (const item of items) metrics.bytesRead += itemSize(item);
  }
}
