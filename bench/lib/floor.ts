/**
 * The storage floor of a step: how long the same DynamoDB Local takes to take the step's writes and
 * nothing else — as many items as the step wrote, each of the step's average size, in BatchWriteItem
 * calls of 25 at the store's concurrency (4), into a fresh table of the same shape. A step can be no
 * faster than this on this machine; wall ÷ floor says how much the rest (reading, computing,
 * orchestrating, single-item writes) costs on top.
 *
 * The items hold text like the store's (JSON pages of rows: quotes, Chinese names, decimals), not `x`s:
 * DynamoDB Local escapes every quote of a string in its JSON, in and out, and an import's own items
 * written back the same way took it ~20–25 % more CPU than `x`s of the same size (issue 17) — a floor of
 * `x`s understated what storing these bytes costs. The `x` floor is still measured beside it (`plain`).
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { batchGetAll, batchWriteAll, type Item, itemSize } from '../../shared/store/batch.js';
import { createDynamoClients } from '../../shared/store/client.js';
import { ensureTable } from '../../shared/store/table.js';

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
  fill: FloorFill = 'json',
): Promise<FloorResult> {
  const averageBytes = items > 0 ? bytes / items : 0;
  if (items === 0) return { ms: 0, items: 0, averageBytes: 0 };
  const { client, doc } = createDynamoClients({ endpoint });
  try {
    await ensureTable(client, FLOOR_TABLE);
    const writes = floorItems(items, averageBytes, fill).map((put) => ({ put }));
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
  fill: FloorFill = 'json',
): Promise<FloorResult> {
  const averageBytes = items > 0 ? bytes / items : 0;
  if (items === 0) return { ms: 0, items: 0, averageBytes: 0 };
  const { client, doc } = createDynamoClients({ endpoint });
  try {
    await ensureTable(client, READ_FLOOR_TABLE);
    const written = floorItems(items, averageBytes, fill);
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
