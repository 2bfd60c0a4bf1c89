/**
 * Pins the two changes the bench made to shared/store/results.ts (they belong in test/unit/store; they
 * sit here because the bench owns only its own folders): documents over one item's capacity are split
 * across items — a city's monthly report is ~430 KB, over DynamoDB's 400 KB — and a document read once
 * is not read from the table again.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itemSize, MAX_ITEM_BYTES } from '../../../shared/store/batch.js';
import { ResultRepository, resultsPartition, splitText } from '../../../shared/store/results.js';
import { Table } from '../../../shared/store/store.js';

const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'local', credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' } }),
);
const ddb = mockClient(DynamoDBDocumentClient);
const ref = { communityId: 'c1', kind: 'monthly' as const, period: '2026-01', revision: 1 };

/** A table of a few lines: put with attribute_not_exists, get, and begins_with queries in key order. */
let items: Map<string, Record<string, unknown>>;
const keyOf = (pk: unknown, sk: unknown) => `${String(pk)}|${String(sk)}`;

beforeEach(() => {
  items = new Map();
  ddb.reset();
  ddb.on(PutCommand).callsFake((input) => {
    const key = keyOf(input.Item.pk, input.Item.sk);
    if (input.ConditionExpression === 'attribute_not_exists(pk)' && items.has(key)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    items.set(key, structuredClone(input.Item));
    return {};
  });
  ddb
    .on(GetCommand)
    .callsFake((input) => ({ Item: structuredClone(items.get(keyOf(input.Key.pk, input.Key.sk))) }));
  ddb.on(QueryCommand).callsFake((input) => {
    const values = input.ExpressionAttributeValues as Record<string, string>;
    const found = [...items.values()]
      .filter((i) => i.pk === values[':pk'] && String(i.sk).startsWith(values[':prefix'] ?? ''))
      .sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
    return { Items: structuredClone(found) };
  });
});
afterEach(() => ddb.reset());

/** A report about the size of a city's: 310 institutions × ~2 KB, with Chinese text. */
const bigReport = () => ({
  period: '2026-01',
  institutions: Array.from({ length: 310 }, (_, i) => ({
    institutionId: `X${String(i).padStart(3, '0')}`,
    name: '兴国县人民医院（演示）'.repeat(4),
    staffWithoutWorkload: Array.from({ length: 150 }, (_, j) => `S${i}-${j}`),
  })),
});

describe('documents bigger than one item', () => {
  it('are split into items that each stay under the 400 KB limit, and read back whole', async () => {
    const repo = new ResultRepository(new Table(doc, 'unit'));
    const report = bigReport();
    expect(Buffer.byteLength(JSON.stringify(report))).toBeGreaterThan(MAX_ITEM_BYTES);
    await repo.putDocument(ref, 'REPORT', report);
    const stored = [...items.values()];
    expect(stored.length).toBeGreaterThan(1);
    for (const item of stored) expect(itemSize(item)).toBeLessThan(MAX_ITEM_BYTES);
    expect(items.get(keyOf(resultsPartition(ref), 'REPORT'))).toMatchObject({
      type: 'Document',
      parts: stored.length,
    });
    expect(await new ResultRepository(new Table(doc, 'unit')).document(ref, 'REPORT')).toEqual(report);
  });

  it('keep a small document in one item, exactly as before', async () => {
    const repo = new ResultRepository(new Table(doc, 'unit'));
    await repo.putDocument(ref, 'BULLETIN', { period: '2026-Q1', rows: [] });
    expect([...items.values()]).toEqual([
      { pk: resultsPartition(ref), sk: 'BULLETIN', type: 'Document', data: '{"period":"2026-Q1","rows":[]}' },
    ]);
  });

  it('may be written again with the same content (a retried step), but not with other content', async () => {
    const repo = new ResultRepository(new Table(doc, 'unit'));
    await repo.putDocument(ref, 'REPORT', bigReport());
    await expect(repo.putDocument(ref, 'REPORT', bigReport())).resolves.toBeUndefined();
    const other = bigReport();
    other.period = '2026-02';
    await expect(repo.putDocument(ref, 'REPORT', other)).rejects.toMatchObject({
      code: 'conditional_failed',
    });
  });

  it('refuse to read a document with a part missing', async () => {
    const repo = new ResultRepository(new Table(doc, 'unit'));
    await repo.putDocument(ref, 'REPORT', bigReport());
    items.delete(keyOf(resultsPartition(ref), 'REPORT#001'));
    await expect(new ResultRepository(new Table(doc, 'unit')).document(ref, 'REPORT')).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('reading a document', () => {
  it('reads the table once per document and hands every caller its own copy', async () => {
    const writer = new ResultRepository(new Table(doc, 'unit'));
    await writer.putDocument(ref, 'SETTLEMENT', { institutions: [{ institutionId: 'C01', pool: 100 }] });
    // The process that wrote it reads it back from what it wrote; another process reads it once.
    expect(
      (await writer.document<{ institutions: unknown[] }>(ref, 'SETTLEMENT'))?.institutions,
    ).toHaveLength(1);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    const repo = new ResultRepository(new Table(doc, 'unit'));
    const first = await repo.document<{ institutions: { pool: number }[] }>(ref, 'SETTLEMENT');
    first!.institutions[0]!.pool = -1;
    const second = await repo.document<{ institutions: { pool: number }[] }>(ref, 'SETTLEMENT');
    expect(second!.institutions[0]!.pool).toBe(100);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('does not remember a document that is not there yet', async () => {
    const repo = new ResultRepository(new Table(doc, 'unit'));
    expect(await repo.document(ref, 'REPORT')).toBeUndefined();
    await repo.putDocument(ref, 'REPORT', { period: '2026-01' });
    expect(await repo.document(ref, 'REPORT')).toEqual({ period: '2026-01' });
  });
});

describe('splitText', () => {
  it('cuts at the size but never between the halves of a surrogate pair', () => {
    expect(splitText('abcdef', 4)).toEqual(['abcd', 'ef']);
    expect(splitText('abc', 3)).toEqual(['abc']);
    const parts = splitText('ab😀cd', 3);
    expect(parts.join('')).toBe('ab😀cd');
    for (const part of parts) expect(part).not.toMatch(/[\uD800-\uDBFF]$/);
  });
});
