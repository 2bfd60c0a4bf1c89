/**
 * The audit trail (DOMAIN.md §7): every import, start, approval and rejection appends an entry (who,
 * when, what) to a hash chain, and a record edited or removed directly in DynamoDB breaks the chain at
 * that record.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideReview, startCycle } from '../../shared/app/cycle-service.js';
import { importDataset } from '../../shared/app/import-service.js';
import type { LocalRuntime } from '../../shared/local/runtime.js';
import { type AuditEntry, entryHash, verifyChain } from '../../shared/store/audit.js';
import { openStore } from '../../shared/store/index.js';
import type { CycleKind } from '../../shared/store/keys.js';
import { keys } from '../../shared/store/keys.js';
import { cycleOf, openTestRuntime, TINY_COMMUNITY, tinyFiles } from './helpers.js';

let rt: LocalRuntime;
const C = TINY_COMMUNITY;

const entries = () => rt.repos.audit.entries(C);
const keyOf = (sequence: number) => ({ pk: keys.audit(C), sk: keys.auditEntry(sequence) });

async function raw(sequence: number): Promise<Record<string, unknown>> {
  const out = await rt.repos.table.doc.send(
    new GetCommand({ TableName: rt.repos.table.name, Key: keyOf(sequence), ConsistentRead: true }),
  );
  if (!out.Item) throw new Error(`no audit entry ${sequence}`);
  return out.Item;
}

/** Tampers with the stored record, checks, and puts the original back whatever happened. */
async function tampered(
  sequence: number,
  tamper: () => Promise<unknown>,
): Promise<ReturnType<typeof verifyChain>> {
  const original = await raw(sequence);
  try {
    await tamper();
    // Awaited here: the restore in `finally` must not run before the check has read the table.
    return await rt.repos.audit.verify(C);
  } finally {
    await rt.repos.table.doc.send(new PutCommand({ TableName: rt.repos.table.name, Item: original }));
  }
}

const update = (
  sequence: number,
  expression: string,
  values: Record<string, unknown>,
  names?: Record<string, string>,
) =>
  rt.repos.table.doc.send(
    new UpdateCommand({
      TableName: rt.repos.table.name,
      Key: keyOf(sequence),
      UpdateExpression: expression,
      ExpressionAttributeValues: values,
      ...(names ? { ExpressionAttributeNames: names } : {}),
    }),
  );

async function run(kind: CycleKind, period: string, by = 'office1') {
  await startCycle(rt.repos, rt.workflows, { communityId: C, kind, period, by });
  return cycleOf(rt.repos, C, kind, period);
}

beforeAll(async () => {
  rt = await openTestRuntime();
  await importDataset(rt.repos, { files: tinyFiles() }, 'office1');
  for (const month of ['2026-01', '2026-02', '2026-03'])
    expect((await run('monthly', month)).status).toBe('completed');
  expect((await run('quarterly', '2026-Q1')).status).toBe('awaiting_review');
  await decideReview(rt.repos, rt.workflows, {
    communityId: C,
    kind: 'quarterly',
    period: '2026-Q1',
    by: 'finance2',
    approve: true,
  });
  for (const month of ['2026-04', '2026-05', '2026-06'])
    expect((await run('monthly', month)).status).toBe('completed');
  expect((await run('quarterly', '2026-Q2')).status).toBe('awaiting_review');
  await decideReview(rt.repos, rt.workflows, {
    communityId: C,
    kind: 'quarterly',
    period: '2026-Q2',
    by: 'finance3',
    approve: false,
    reason: '医保收入口径待核对',
  });
  expect((await run('quarterly', '2026-Q2', 'office2')).status).toBe('awaiting_review');
  await decideReview(rt.repos, rt.workflows, {
    communityId: C,
    kind: 'quarterly',
    period: '2026-Q2',
    by: 'finance2',
    approve: true,
  });
}, 120_000);

afterAll(async () => {
  await rt?.close();
});

describe('what is recorded', () => {
  it('every import, start, approval and rejection, with who and what, in order', async () => {
    const month = (m: string) => [
      `cycle.start office1 monthly ${m} r1`,
      `cycle.complete workflow monthly ${m} r1`,
    ];
    expect((await entries()).map((e) => `${e.action} ${e.actor} ${e.subject}`)).toEqual([
      'dataset.import office1 dataset v1',
      ...month('2026-01'),
      ...month('2026-02'),
      ...month('2026-03'),
      'cycle.start office1 quarterly 2026-Q1 r1',
      'review.approve finance2 quarterly 2026-Q1 r1',
      'cycle.complete workflow quarterly 2026-Q1 r1',
      ...month('2026-04'),
      ...month('2026-05'),
      ...month('2026-06'),
      'cycle.start office1 quarterly 2026-Q2 r1',
      'review.reject finance3 quarterly 2026-Q2 r1',
      'cycle.start office2 quarterly 2026-Q2 r2',
      'review.approve finance2 quarterly 2026-Q2 r2',
      'cycle.complete workflow quarterly 2026-Q2 r2',
    ]);
  });

  it('keeps the details a reader needs: the files of an import, the dataset of a start, the reason of a rejection', async () => {
    const all = await entries();
    expect(all[0]!.details).toEqual({ files: expect.stringContaining('workload.csv:192'), year: 2026 });
    expect(all.find((e) => e.action === 'cycle.start')!.details).toEqual({ datasetVersion: 1 });
    expect(all.find((e) => e.action === 'review.reject')!.details).toEqual({ reason: '医保收入口径待核对' });
    for (const entry of all) expect(Number.isNaN(Date.parse(entry.at))).toBe(false);
  });

  it('forms an intact chain', async () => {
    const all = await entries();
    expect(verifyChain(all)).toEqual({ ok: true, entries: all.length });
    expect(all.map((e) => e.sequence)).toEqual(all.map((_, i) => i + 1));
  });

  it('stays one chain under concurrent appends from two processes', async () => {
    const second = openStore({ endpoint: rt.endpoint!, tableName: rt.repos.table.name });
    try {
      const before = (await entries()).length;
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 ? second : rt.repos).audit.append(C, {
            actor: `hr${i}`,
            action: 'export.sheet',
            subject: `monthly 2026-0${(i % 6) + 1}`,
            details: { rows: i },
          }),
        ),
      );
      const all = await entries();
      expect(all).toHaveLength(before + 12);
      expect(verifyChain(all).ok).toBe(true);
    } finally {
      second.table.doc.destroy();
    }
  });
});

describe('tampering directly in DynamoDB', () => {
  const approval = async () => (await entries()).find((e) => e.action === 'review.approve')!;
  const rejection = async () => (await entries()).find((e) => e.action === 'review.reject')!;

  it('an edited details map breaks the chain at that entry', async () => {
    const target = await rejection();
    const check = await tampered(target.sequence, () =>
      update(target.sequence, 'SET details = :d', { ':d': { reason: '同意' } }),
    );
    expect(check).toMatchObject({ ok: false, brokenAt: target.sequence });
    expect(check.problem).toContain('edited');
    expect(verifyChain(await entries()).ok).toBe(true);
  });

  it('an edited actor breaks the chain at that entry', async () => {
    const target = await approval();
    const check = await tampered(target.sequence, () =>
      update(target.sequence, 'SET actor = :a', { ':a': 'office1' }),
    );
    expect(check).toMatchObject({ ok: false, brokenAt: target.sequence });
  });

  it('an edited time or action breaks it too', async () => {
    const target = await approval();
    expect(
      await tampered(target.sequence, () =>
        update(target.sequence, 'SET #at = :t', { ':t': '2026-01-01T00:00:00.000Z' }, { '#at': 'at' }),
      ),
    ).toMatchObject({
      ok: false,
      brokenAt: target.sequence,
    });
    expect(
      await tampered(target.sequence, () =>
        update(target.sequence, 'SET #a = :a', { ':a': 'review.reject' }, { '#a': 'action' }),
      ),
    ).toMatchObject({
      ok: false,
      brokenAt: target.sequence,
    });
  });

  it('an edit that also recomputes the entry’s own hash breaks the link of the next entry', async () => {
    const target = await rejection();
    const { hash: _old, ...body } = target;
    const forged: Omit<AuditEntry, 'hash'> = { ...body, actor: 'finance2' };
    const check = await tampered(target.sequence, () =>
      update(
        target.sequence,
        'SET actor = :a, #h = :h',
        { ':a': 'finance2', ':h': entryHash(forged) },
        { '#h': 'hash' },
      ),
    );
    expect(check).toMatchObject({ ok: false, brokenAt: target.sequence + 1 });
    expect(check.problem).toContain('link');
  });

  it('a deleted entry breaks the chain where it is missing', async () => {
    const target = await approval();
    const check = await tampered(target.sequence, () =>
      rt.repos.table.doc.send(
        new DeleteCommand({ TableName: rt.repos.table.name, Key: keyOf(target.sequence) }),
      ),
    );
    expect(check).toMatchObject({ ok: false, brokenAt: target.sequence + 1 });
    expect(check.problem).toContain('missing');
    expect(verifyChain(await entries()).ok).toBe(true);
  });

  // A removed tail is caught by the head item, moved in the same transaction as every append. (Someone who
  // can also rewrite the head could still hide it: anchoring the head outside the table — an S3 Object Lock
  // or CloudWatch Logs digest, as CloudTrail does — is the next step.)
  it('deleting the newest entry is detected', async () => {
    const all = await entries();
    const last = all.at(-1)!;
    const check = await tampered(last.sequence, () =>
      rt.repos.table.doc.send(
        new DeleteCommand({ TableName: rt.repos.table.name, Key: keyOf(last.sequence) }),
      ),
    );
    expect(check.ok).toBe(false);
  });
});

describe('entries as the exports write them', () => {
  // DynamoDB does not keep the order of a map's keys: the hash covers canonical JSON (keys sorted), so an
  // untouched entry with several details always verifies.
  it('an untouched entry with several details verifies', async () => {
    const community = 'audit-details';
    await rt.repos.audit.append(community, {
      actor: 'hr1',
      action: 'export.bank',
      subject: 'monthly 2026-01 r1',
      details: { sheet: 'monthly', format: 'csv', lines: 16, total: '49,383.14', datasetVersion: 1 },
    });
    expect(await rt.repos.audit.verify(community)).toEqual({ ok: true, entries: 1 });
  });
});
