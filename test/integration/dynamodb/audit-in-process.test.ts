/**
 * The audit trail's appends within one process (issue 17, the demo's §9.1 calls made concurrently): appends
 * of one community asked for at once go one at a time, in the order asked, each anchored; with remembered
 * heads (the local runtime) an append starts from the head this process left, and a head moved meanwhile
 * by another writer (another process: here another Table object) is met by the transaction's condition —
 * the head is read and the entry chained onto it. The chain verifies throughout.
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

/** Counts the requests a Table sends, by command name (and for GetItem, the head's). */
function counted(t: Table): { table: Table; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const send = t.doc.send.bind(t.doc);
  const doc = Object.create(t.doc) as typeof t.doc;
  const counting = (
    command: { constructor: { name: string }; input?: { Key?: { sk?: string } } },
    ...rest: unknown[]
  ) => {
    const name = command.constructor.name + (command.input?.Key?.sk === 'HEAD' ? ' HEAD' : '');
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  };
  doc.send = counting as unknown as typeof doc.send;
  return { table: new Table(doc, t.name), counts };
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
  it('asked for at once, form one chain in the order asked, each anchored in turn', async () => {
    const community = 'at-once';
    const first = new AuditRepository(table);
    const second = new AuditRepository(table);
    const subjects = Array.from({ length: 24 }, (_, i) => `call ${i + 1}`);
    const appended = await Promise.all(
      subjects.map((s, i) => (i % 2 === 0 ? first : second).append(community, entry(s))),
    );
    expect(appended.map((e) => e.sequence)).toEqual(subjects.map((_, i) => i + 1));
    const stored = await first.entries(community);
    expect(stored.map((e) => e.subject)).toEqual(subjects);
    expect(await first.verify(community)).toMatchObject({ ok: true, entries: 24 });
    const anchored = anchors.writes.filter((w) => appended.some((e) => e.hash === w.hash));
    expect(anchored.map((w) => w.sequence)).toEqual(subjects.map((_, i) => i + 1));
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
