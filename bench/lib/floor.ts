/**
 * The storage floor of a step: how long the same DynamoDB Local takes to take the step's writes and
 * nothing else — the very items the step put (ItemCapture), in BatchWriteItem calls of 25 at the store's
 * concurrency (4), into a fresh table of the same shape — and its read floor: the very items the step read,
 * handed back by BatchGetItem. A step can be no faster than this on this machine; wall ÷ floor says how
 * much the rest (reading, computing, orchestrating, single-item writes, conditions) costs on top.
 *
 * The step's own items, not items of `x`s of the same size: DynamoDB Local escapes every quote of a string
 * in its JSON, in and out, and the store's items are JSON pages of rows — a city import's own items took it
 * ~20–35 % more than `x`s of the same size (issue 17), so a floor of `x`s understated what storing these
 * bytes costs. The `x` floor is still measured beside it (`plain`); items past the capture's bound (a
 * province) are the captured ones again under other keys, and a step whose items were not seen gets rows
 * of JSON text (`jsonRowsText`) of the same size.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, batchWriteAll, type Item, itemSize } from '../../shared/store/batch.js';
import { createDynamoClients } from '../../shared/store/client.js';
import { ensureTable } from '../../shared/store/table.js';
import { KEPT_CHARS, plain } from './predict.js';

export const FLOOR_TABLE = 'medcomm_bench_floor';
export const FLOOR_CONCURRENCY = 4;

/** Rows as the store keeps them, as JSON text: quotes, escapes, Chinese names and decimals. */
export function jsonRowsText(seed: number, bytes: number): string {
  const rows: unknown[] = [];
  let size = 2;
  for (let i = 0; size < bytes; i++) {
    const row = {
      period: `2026-${String((i % 12) + 1).padStart(2, '0')}`,
      staffId: `W${seed}-${String(i).padStart(4, '0')}`,
      name: ['张三', '李四', '王五', '赵六'][i % 4],
      workPoints: String((i * 37) % 1000),
      note: i % 50 === 0 ? '补发"一月"夜班\\加班\n' : '',
    };
    size += JSON.stringify(row).length + 1;
    rows.push(row);
  }
  return JSON.stringify(rows);
}

/** What fills a floor item: text like the store's (JSON rows), or the `x`s of the first floor. */
export type FloorFill = 'json' | 'plain';

/** An item's text length, cheaply (no UTF-8 count: the capture runs inside the step it measures). */
function roughSize(item: Item): number {
  let size = 0;
  for (const value of Object.values(item)) size += typeof value === 'string' ? value.length : 8;
  return size;
}

/**
 * The items a step puts and reads, as the client sends and receives them: PutItem, BatchWriteItem's puts and
 * a transaction's puts; GetItem, BatchGetItem and Query answers. `take()` hands them over and starts again.
 */
export class ItemCapture {
  private written: Item[] = [];
  private read: Item[] = [];
  private writtenBytes = 0;
  private readBytes = 0;

  attach(doc: DynamoDBDocumentClient): this {
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        this.see(
          String(context.commandName),
          args.input as Record<string, unknown>,
          output.output as Record<string, unknown>,
        );
        return output;
      },
      { step: 'initialize', name: 'benchItemCapture', override: true },
    );
    return this;
  }

  take(): { written: Item[]; read: Item[] } {
    const taken = { written: this.written, read: this.read };
    this.written = [];
    this.read = [];
    this.writtenBytes = this.readBytes = 0;
    return taken;
  }

  private keep(kind: 'written' | 'read', item: unknown): void {
    if (!item || typeof item !== 'object') return;
    // As the document client reads it, whether the middleware met it marshalled or not.
    const doc = plain(item) as Item;
    const size = roughSize(doc);
    if (kind === 'written') {
      if (this.writtenBytes + size > KEPT_CHARS) return;
      this.writtenBytes += size;
      this.written.push(doc);
    } else {
      if (this.readBytes + size > KEPT_CHARS) return;
      this.readBytes += size;
      this.read.push(doc);
    }
  }

  private see(command: string, input: Record<string, unknown>, output: Record<string, unknown> = {}): void {
    switch (command) {
      case 'PutCommand':
      case 'PutItemCommand':
        this.keep('written', input.Item);
        return;
      case 'BatchWriteCommand':
      case 'BatchWriteItemCommand':
        for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, unknown[]>))
          for (const r of requests)
            this.keep('written', (r as { PutRequest?: { Item?: unknown } }).PutRequest?.Item);
        return;
      case 'TransactWriteCommand':
      case 'TransactWriteItemsCommand':
        for (const action of (input.TransactItems ?? []) as { Put?: { Item?: unknown } }[])
          this.keep('written', action.Put?.Item);
        return;
      case 'GetCommand':
      case 'GetItemCommand':
        this.keep('read', output.Item);
        return;
      case 'BatchGetCommand':
      case 'BatchGetItemCommand':
        for (const items of Object.values((output.Responses ?? {}) as Record<string, unknown[]>))
          for (const item of items) this.keep('read', item);
        return;
      case 'QueryCommand':
        for (const item of (output.Items ?? []) as unknown[]) this.keep('read', item);
        return;
    }
  }
}

/**
 * A floor table's items: the captured ones (as the document client reads them), each under a key of its
 * own (its sk and its position: a step may put one key twice). Past the capture's bound (a province) the
 * captured ones again in turn, until they hold the step's `bytes`; never more items than the step put or
 * read — its item count also counts updates and condition checks, which carry no item to write. Rows of
 * JSON text of the step's average size where nothing was captured.
 */
export function capturedFloorItems(captured: readonly Item[], count: number, bytes: number): Item[] {
  if (captured.length === 0) return floorItems(count, count > 0 ? bytes / count : 0);
  const items: Item[] = [];
  let total = 0;
  for (let i = 0; i < captured.length || total < bytes; i++) {
    const item = captured[i % captured.length]!;
    const keyed = { ...item, pk: String(item.pk), sk: `${String(item.sk)}#${i}` };
    items.push(keyed);
    total += itemSize(keyed);
  }
  return items;
}

/** `fill` text of exactly `bytes` UTF-8 bytes (`bytes` ≥ 0). */
function fillText(fill: FloorFill, seed: number, bytes: number): string {
  if (fill === 'plain' || bytes === 0) return 'x'.repeat(bytes);
  let text = jsonRowsText(seed, bytes);
  while (Buffer.byteLength(text, 'utf8') > bytes) text = text.slice(0, text.length - 8);
  return text + 'x'.repeat(bytes - Buffer.byteLength(text, 'utf8'));
}

/** `count` items whose DynamoDB size (by the store's own itemSize) is `averageBytes` each, give or take one. */
export function floorItems(count: number, averageBytes: number, fill: FloorFill = 'json'): Item[] {
  const items: Item[] = [];
  for (let i = 0; i < count; i++) {
    const item: Item = { pk: `FLOOR#${i % 16}`, sk: String(i).padStart(8, '0'), type: 'Floor', data: '' };
    item.data = fillText(fill, i, Math.max(0, Math.round(averageBytes) - itemSize(item)));
    items.push(item);
  }
  return items;
}

function itemsFor(fill: FloorFill | readonly Item[], count: number, bytes: number): Item[] {
  return typeof fill === 'string'
    ? floorItems(count, count > 0 ? bytes / count : 0, fill)
    : capturedFloorItems(fill, count, bytes);
}

export interface FloorResult {
  ms: number;
  items: number;
  averageBytes: number;
}

/** Writes `items` synthetic items totalling `bytes` into a fresh table on `endpoint` and times only the writes. */
export async function measureFloor(
  endpoint: string,
  items: number,
  bytes: number,
  fill: FloorFill | readonly Item[] = 'json',
): Promise<FloorResult> {
  const averageBytes = items > 0 ? bytes / items : 0;
  if (items === 0) return { ms: 0, items: 0, averageBytes: 0 };
  const { client, doc } = createDynamoClients({ endpoint });
  try {
    await ensureTable(client, FLOOR_TABLE);
    const writes = itemsFor(fill, items, bytes).map((put) => ({ put }));
    const started = performance.now();
    await batchWriteAll(doc, FLOOR_TABLE, writes, { concurrency: FLOOR_CONCURRENCY });
    const ms = performance.now() - started;
    return { ms: Math.round(ms), items, averageBytes: Math.round(averageBytes) };
  } finally {
    // A fresh table each time: the floor of a step must not pay for the data of the steps before it.
    await client.send(new DeleteTableCommand({ TableName: FLOOR_TABLE })).catch(() => undefined);
    client.destroy();
  }
}

export const READ_FLOOR_TABLE = 'medcomm_bench_read_floor';

/**
 * The read floor of a step: how long the same DynamoDB Local takes to hand back as many items as the step
 * read, each of the step's average read size, by strongly consistent BatchGetItem of 100 at the store's
 * concurrency (4) — the items written first, untimed, into a fresh table of the same shape.
 */
export async function measureReadFloor(
  endpoint: string,
  items: number,
  bytes: number,
  fill: FloorFill | readonly Item[] = 'json',
): Promise<FloorResult> {
  const averageBytes = items > 0 ? bytes / items : 0;
  if (items === 0) return { ms: 0, items: 0, averageBytes: 0 };
  const { client, doc } = createDynamoClients({ endpoint });
  try {
    await ensureTable(client, READ_FLOOR_TABLE);
    const written = itemsFor(fill, items, bytes);
    await batchWriteAll(
      doc,
      READ_FLOOR_TABLE,
      written.map((put) => ({ put })),
      { concurrency: FLOOR_CONCURRENCY },
    );
    const keys = written.map(({ pk, sk }) => ({ pk, sk }));
    const started = performance.now();
    await batchGetAll(doc, READ_FLOOR_TABLE, keys, { consistentRead: true, concurrency: FLOOR_CONCURRENCY });
    const ms = performance.now() - started;
    return { ms: Math.round(ms), items, averageBytes: Math.round(averageBytes) };
  } finally {
    await client.send(new DeleteTableCommand({ TableName: READ_FLOOR_TABLE })).catch(() => undefined);
    client.destroy();
  }
}
