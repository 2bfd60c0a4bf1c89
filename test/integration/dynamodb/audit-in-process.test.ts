/**
 * The audit trail's appends within one process (issue 17, the demo's §9.1 calls made concurrently): appends
 * of one community asked for at once take turns in the order asked, those waiting for a turn written
 * together in one transaction (each entry with its own change; a refused change fails only its append;
 * an item touched by two appends is written by two transactions, in order), and the anchor follows every
 * turn; with remembered heads (the local runtime) an append starts from the head this process left, and a
 * head moved meanwhile by another writer (another process: here another Table object) is met by the
 * transaction's condition — the head is read and the entry chained onto it. The chain verifies throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnchorStore,
  type AuditHead,
  AuditRepository,
  configureAuditSecrets,
  rememberAuditHeads,
} from '../../../shared/store/audit.js';
import { isStoreError } from '../../../shared/store/errors.js';
import { keys } from '../../../shared/store/keys.js';
import { Table } from '../../../shared/store/store.js';
import { type FreshTable, freshTable } from './helpers.js';

/** Anchors kept in memory, every write recorded in order. */
class RecordingAnchors implements AnchorStore {
  readonly where = 'memory';
  readonly writes: AuditHead[] = [];
  private readonly heads = new Map<string, AuditHead>();
  async read(communityId: string) {
    return this.heads.get(communityId);
  }
  async write(communityId: string, head: AuditHead) {
    this.writes.push(head);
    const current = this.heads.get(communityId);
    if (!current || current.sequence < head.sequence) this.heads.set(communityId, head);
  }
}

let fresh: FreshTable;
let table: Table;
const anchors = new RecordingAnchors();

/** Counts the requests a Table sends, by command name (and for GetItem, the head's), and each transaction's actions. */
function counted(t: Table): { table: Table; counts: Map<string, number>; transactions: number[] } {
  const counts = new Map<string, number>();
  const transactions: number[] = [];
  const send = t.doc.send.bind(t.doc);
  const doc = Object.create(t.doc) as typeof t.doc;
  const counting = (
    command: {
      constructor: { name: string };
      input?: { Key?: { sk?: string }; TransactItems?: unknown[] };
    },
    ...rest: unknown[]
  ) => {
    const name = command.constructor.name + (command.input?.Key?.sk === 'HEAD' ? ' HEAD' : '');
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (command.input?.TransactItems) transactions.push(command.input.TransactItems.length);
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  };
  doc.send = counting as unknown as typeof doc.send;
  return { table: new Table(doc, t.name), counts, transactions };
}

beforeAll(async () => {
  fresh = await freshTable('audit-in-process');
  table = new Table(fresh.doc, fresh.table);
  configureAuditSecrets({ key: Buffer.alloc(32, 7), anchor: anchors });
  rememberAuditHeads(true);
}, 60_000);

afterAll(() => {
  rememberAuditHeads(false);
  configureAuditSecrets({});
  fresh?.client.destroy();
});

const entry = (subject: string) => ({ actor: 'tester', action: 'test.append', subject, details: {} });

describe('appends of one process', () => {
  it('asked for at once, form one chain in the order asked, written together, the anchor after each turn', async () => {
    const community = 'at-once';
    const ours = counted(table);
    const first = new AuditRepository(ours.table);
    const second = new AuditRepository(ours.table);
    const subjects = Array.from({ length: 24 }, (_, i) => `call ${i + 1}`);
    const before = anchors.writes.length;
    const appended = await Promise.all(
      subjects.map((s, i) => (i % 2 === 0 ? first : second).append(community, entry(s))),
    );
    expect(appended.map((e) => e.sequence)).toEqual(subjects.map((_, i) => i + 1));
    const stored = await first.entries(community);
    expect(stored.map((e) => e.subject)).toEqual(subjects);
    expect(await first.verify(community)).toMatchObject({ ok: true, entries: 24 });
    // Asked for in one turn of the event loop: all 24 in one transaction, the anchor moved once.
    expect(ours.counts.get('TransactWriteCommand')).toBe(1);
    const anchored = anchors.writes.slice(before);
    expect(anchored.map((w) => w.sequence)).toEqual([24]);
    // Asked for while a turn is being written: together in the next.
    ours.counts.clear();
    const one = first.append(community, entry('one more'));
    await new Promise((r) => setImmediate(r));
    const later = await Promise.all([1, 2, 3].map((i) => second.append(community, entry(`later ${i}`))));
    expect((await one).sequence).toBe(25);
    expect(later.map((e) => e.sequence)).toEqual([26, 27, 28]);
    expect(ours.counts.get('TransactWriteCommand')).toBe(2);
    expect(anchored.at(-1)?.hash).toBe(appended.at(-1)?.hash);
  });

  it('written together: a refused change fails its own append only, the others chain without it', async () => {
    const community = 'together-refused';
    const repo = new AuditRepository(table);
    const missing = {
      ConditionCheck: {
        Key: { pk: keys.audit(community), sk: 'NO-SUCH-ITEM' },
        ConditionExpression: 'attribute_exists(pk)',
      },
    };
    const put = (sk: string) => ({
      Put: {
        Item: { pk: `TEST#${community}`, sk, type: 'Test' },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    const calls = [
      repo.append(community, entry('one'), [put('A')]),
      repo.append(community, entry('two'), [put('B')]),
      repo.append(community, entry('refused'), [put('C'), missing]),
      repo.append(community, entry('three'), [put('D')]),
    ];
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const refused = (settled[2] as PromiseRejectedResult).reason;
    expect(isStoreError(refused, 'conditional_failed')).toBe(true);
    // Its reasons are its own changes', in the order it gave them.
    expect((refused.details.reasons as { Code?: string }[]).map((r) => r.Code)).toEqual([
      'None',
      'ConditionalCheckFailed',
    ]);
    expect((await repo.entries(community)).map((e) => e.subject)).toEqual(['one', 'two', 'three']);
    expect(await repo.verify(community)).toMatchObject({ ok: true, entries: 3 });
    // Nothing of the refused append was written, everything of the others was.
    const written = await table.queryPrefix<{ sk: string }>(`TEST#${community}`, '');
    expect(written.map((i) => i.sk)).toEqual(['A', 'B', 'D']);
  });

  it('written together: one identical check shared, an item touched twice written in two transactions in order', async () => {
    const community = 'together-items';
    const ours = counted(table);
    const repo = new AuditRepository(ours.table);
    await table.put({ pk: `TEST#${community}`, sk: 'WINDOW', type: 'Test', status: 'open', n: 0 });
    const open = {
      ConditionCheck: {
        Key: { pk: `TEST#${community}`, sk: 'WINDOW' },
        ConditionExpression: '#s = :open',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':open': 'open' },
      },
    };
    const bump = (from: number) => ({
      Update: {
        Key: { pk: `TEST#${community}`, sk: 'COUNTER' },
        UpdateExpression: 'SET n = :next',
        ConditionExpression: from === 0 ? 'attribute_not_exists(pk)' : 'n = :from',
        ExpressionAttributeValues: { ':next': from + 1, ...(from === 0 ? {} : { ':from': from }) },
      },
    });
    await repo.append(community, entry('first'));
    ours.counts.clear();
    const appended = await Promise.all([
      repo.append(community, entry('submit a'), [open, bump(0)]),
      repo.append(community, entry('submit b'), [open]),
      repo.append(community, entry('submit c'), [open, bump(1)]),
      repo.append(community, entry('submit d'), [open]),
    ]);
    expect(appended.map((e) => e.sequence)).toEqual([2, 3, 4, 5]);
    // a and b together (b shares a's check), c touches a's counter again: c and d in the next transaction.
    expect(ours.counts.get('TransactWriteCommand')).toBe(2);
    expect(await table.get<{ n: number }>({ pk: `TEST#${community}`, sk: 'COUNTER' })).toMatchObject({
      n: 2,
    });
    expect(await repo.verify(community)).toMatchObject({ ok: true, entries: 5 });
  });

  it("written together: no transaction over DynamoDB's 100 actions", async () => {
    const community = 'together-limit';
    const ours = counted(table);
    const repo = new AuditRepository(ours.table);
    await repo.append(community, entry('first'));
    ours.transactions.length = 0;
    const sizes = ours.transactions;
    const calls = Array.from({ length: 60 }, (_, i) =>
      repo.append(community, entry(`call ${i}`), [
        { Put: { Item: { pk: `TEST#${community}`, sk: `ITEM#${i}`, type: 'Test' } } },
      ]),
    );
    const appended = await Promise.all(calls);
    expect(appended.map((e) => e.sequence)).toEqual(calls.map((_, i) => i + 2));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    expect(await repo.verify(community)).toMatchObject({ ok: true, entries: 61 });
  });

  it('start from the head they left, and chain onto a head another writer moved', async () => {
    const community = 'two-writers';
    const ours = counted(table);
    const repo = new AuditRepository(ours.table);
    await repo.append(community, entry('ours 1'));
    ours.counts.clear();
    await repo.append(community, entry('ours 2'));
    // The head this process left: no read of it, one transaction.
    expect(ours.counts.get('GetCommand HEAD') ?? 0).toBe(0);
    expect(ours.counts.get('TransactWriteCommand')).toBe(1);

    // Another process (another Table on the same table) appends twice.
    const other = new AuditRepository(new Table(fresh.doc, fresh.table));
    await other.append(community, entry('theirs 1'));
    const theirs = await other.append(community, entry('theirs 2'));

    ours.counts.clear();
    const next = await repo.append(community, entry('ours 3'));
    // Refused on the remembered head, then the head read and the entry chained onto it.
    expect(ours.counts.get('TransactWriteCommand')).toBe(2);
    expect(ours.counts.get('GetCommand HEAD')).toBe(1);
    expect(next).toMatchObject({ sequence: 5, previousHash: theirs.hash });
    const check = await repo.verify(community);
    expect(check).toMatchObject({ ok: true, entries: 5 });
    expect((await repo.entries(community)).map((e) => e.subject)).toEqual([
      'ours 1',
      'ours 2',
      'theirs 1',
      'theirs 2',
      'ours 3',
    ]);
  });

  it('still refuse a change whose own condition fails, and append nothing for it', async () => {
    const community = 'refused';
    const repo = new AuditRepository(table);
    await repo.append(community, entry('before'));
    const refused = repo.append(community, entry('refused'), [
      {
        ConditionCheck: {
          Key: { pk: keys.audit(community), sk: 'NO-SUCH-ITEM' },
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
    ]);
    await expect(refused).rejects.toSatisfy((e: unknown) => isStoreError(e, 'conditional_failed'));
    const after = await repo.append(community, entry('after'));
    expect(after.sequence).toBe(2);
    expect(await repo.verify(community)).toMatchObject({ ok: true, entries: 2 });
  });
});
