/**
 * Pay you can prove afterwards (issue 13), tried as an auditor editing the database would: an edited pay
 * line, a swapped bank account, an audit entry rewritten and the chain recomputed without the key, the
 * trail deleted or cut short, entries reordered, a results partition deleted — each is found by
 * `audit verify`, which names the item, and each stops the affected exports. And a crash at any write of
 * a start, an approval or an import never leaves the change without its audit entry.
 */
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../shared/app/audit-verify.js';
import { decideReview, startCycle } from '../../shared/app/cycle-service.js';
import { importDataset } from '../../shared/app/import-service.js';
import type { LocalRuntime } from '../../shared/local/runtime.js';
import { exportReport, exportSheet } from '../../shared/reports/exports.js';
import {
  type AnchorStore,
  type AuditHead,
  configureAuditSecrets,
  entryHash,
} from '../../shared/store/audit.js';
import { keys } from '../../shared/store/keys.js';
import { institutionPartition } from '../../shared/store/results.js';
import { openTestRuntime, runFirstQuarter, scanTable, tinyAs } from './helpers.js';

let rt: LocalRuntime;
const C = 'sealed';
const anchors = new Map<string, AuditHead>();
const anchor: AnchorStore = {
  where: 'memory',
  read: async (c) => anchors.get(c),
  write: async (c, head) => {
    if ((anchors.get(c)?.sequence ?? 0) < head.sequence) anchors.set(c, head);
  },
};

beforeAll(async () => {
  rt = await openTestRuntime();
  configureAuditSecrets({ key: Buffer.alloc(32, 7), anchor });
  await importDataset(rt.repos, { files: tinyAs(C) }, 'office1');
  await runFirstQuarter(rt, C);
}, 180_000);

afterAll(async () => {
  configureAuditSecrets({});
  await rt?.close();
});

const doc = () => rt.repos.table.doc;
const table = () => rt.repos.table.name;

/** Every item of a partition (to put back what a test tampers with). */
async function partition(pk: string): Promise<Record<string, unknown>[]> {
  const out = await doc().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    }),
  );
  return out.Items ?? [];
}

async function restoring<T>(pks: string[], tamper: () => Promise<T>): Promise<T> {
  const saved = (await Promise.all(pks.map(partition))).flat();
  try {
    return await tamper();
  } finally {
    for (const pk of pks)
      for (const item of await partition(pk))
        await doc().send(new DeleteCommand({ TableName: table(), Key: { pk: item.pk, sk: item.sk } }));
    for (const item of saved) await doc().send(new PutCommand({ TableName: table(), Item: item }));
  }
}

const sheet = (period: string) =>
  exportSheet(rt.repos, { communityId: C, kind: 'monthly', period, format: 'json', by: 'hr1' });
/** The partition holding C01's pay lines of a month (its shard, in the results layout the month has). */
const payPk = async (period: string) => {
  const ref = { communityId: C, kind: 'monthly' as const, period, revision: 1 };
  return institutionPartition(ref, await rt.repos.results.shards(ref), 'C01');
};

describe('sealed results', () => {
  beforeEach(async () => {
    expect((await verifyAudit(rt.repos, C)).ok).toBe(true);
  });

  it('an edited pay line is named by period, institution and staff id, and its sheet is refused', async () => {
    const pk = await payPk('2026-02');
    await restoring([pk], async () => {
      const page = (await partition(pk)).find((i) => String(i.sk).startsWith('PAY#C01#'))!;
      const lines = JSON.parse(String(page.data)) as { staffId: string; gross: number; reward: number }[];
      lines[1]!.reward += 10_000_000;
      lines[1]!.gross += 10_000_000;
      await doc().send(
        new PutCommand({ TableName: table(), Item: { ...page, data: JSON.stringify(lines) } }),
      );
      const report = await verifyAudit(rt.repos, C);
      expect(report.ok).toBe(false);
      expect(report.seals[0]).toMatchObject({
        period: '2026-02',
        institutionId: 'C01',
        staffId: lines[1]!.staffId,
      });
      await expect(sheet('2026-02')).rejects.toThrow(/differ from their seal \(C01 C01-002\)/);
      await expect(sheet('2026-01')).resolves.toBeDefined();
    });
  });

  it('a bank account swapped in the stored roster is found, and nothing is paid from that roster', async () => {
    // Blobs are spread over partitions by their hash: the roster holding C01-001 is in one of them.
    const holder = (await scanTable(rt.repos)).find(
      (i) => i.type === 'DatasetBlob' && i.kind === 'roster' && String(i.data).includes('"C01-001"'),
    )!;
    const blobPk = String(holder.pk);
    await restoring([blobPk], async () => {
      const rosters = (await partition(blobPk)).filter((i) => i.kind === 'roster');
      const item = rosters.find((i) => String(i.data).includes('"C01-001"'))!;
      const swapped = String(item.data).replace('6290830166131868', '6222020000000000001');
      expect(swapped).not.toBe(item.data);
      await doc().send(new PutCommand({ TableName: table(), Item: { ...item, data: swapped } }));
      const report = await verifyAudit(rt.repos, C);
      expect(report.ok).toBe(false);
      expect(report.blobs[0]?.problem).toMatch(/does not match its hash/);
      // A fresh process (no cache) refuses the tampered roster.
      const fresh = await openTestRuntimeOn(rt);
      await expect(
        exportSheet(fresh, { communityId: C, kind: 'monthly', period: '2026-01', format: 'json', by: 'hr1' }),
      ).rejects.toThrow(/does not match its hash/);
    });
  });

  it('a deleted results partition is found', async () => {
    const pk = await payPk('2026-03');
    await restoring([pk], async () => {
      for (const item of await partition(pk))
        await doc().send(new DeleteCommand({ TableName: table(), Key: { pk: item.pk, sk: item.sk } }));
      const report = await verifyAudit(rt.repos, C);
      expect(report.ok).toBe(false);
      expect(report.seals.find((s) => s.period === '2026-03')?.ok).toBe(false);
      await expect(sheet('2026-03')).rejects.toThrow();
    });
  });
});

describe('a paper copy can be checked later', () => {
  it("a printed report carries its cycle's seal and the completion's place in the chain", async () => {
    const cycle = (await rt.repos.cycles.get(C, 'monthly', '2026-02'))!;
    const completion = (await rt.repos.audit.entries(C)).find(
      (e) => e.action === 'cycle.complete' && e.subject === 'monthly 2026-02 r1',
    )!;
    expect(cycle.seal).toBe(completion.details.seal);
    const { content } = await exportReport(rt.repos, {
      communityId: C,
      kind: 'monthly',
      period: '2026-02',
      format: 'html',
      by: 'auditor1',
    });
    const text = Buffer.from(content as Uint8Array).toString('utf8');
    expect(text).toContain(`封存 seal ${cycle.seal!.slice(0, 16)}`);
    expect(text).toContain(`chain #${completion.sequence}`);
  });
});

describe('a chain that cannot be rewritten quietly', () => {
  const auditPk = () => keys.audit(C);
  const items = async () => (await partition(auditPk())).filter((i) => i.sk !== 'HEAD');

  it('an entry rewritten and the whole chain recomputed without the key fails', async () => {
    await restoring([auditPk()], async () => {
      let previous = '0'.repeat(64);
      const all = (await items()).sort((a, b) => Number(a.sequence) - Number(b.sequence));
      for (const item of all) {
        const { pk, sk, type, hash: _h, mac: _m, ...entry } = item as Record<string, unknown>;
        const body = { ...(entry as object), previousHash: previous } as Parameters<typeof entryHash>[0];
        if (body.action === 'review.approve') body.actor = 'mallory';
        const hash = entryHash(body, undefined);
        previous = hash;
        await doc().send(new PutCommand({ TableName: table(), Item: { pk, sk, type, ...body, hash } }));
      }
      await doc().send(
        new PutCommand({
          TableName: table(),
          Item: { pk: auditPk(), sk: 'HEAD', type: 'AuditHead', sequence: all.length, hash: previous },
        }),
      );
      const report = await verifyAudit(rt.repos, C);
      expect(report.chain.ok).toBe(false);
      expect(report.chain.brokenAt).toBe(1);
      await expect(sheet('2026-01')).rejects.toThrow(/audit chain of sealed is broken at record 1/);
    });
  });

  it('every entry and the head deleted: the anchor outside the table says what was there', async () => {
    await restoring([auditPk()], async () => {
      for (const item of await partition(auditPk()))
        await doc().send(new DeleteCommand({ TableName: table(), Key: { pk: item.pk, sk: item.sk } }));
      const report = await verifyAudit(rt.repos, C);
      expect(report.chain.ok).toBe(false);
      expect(report.chain.problem).toMatch(/anchor outside the table/);
      await expect(sheet('2026-01')).rejects.toThrow(/audit chain of sealed is broken/);
    });
  });

  it('the tail trimmed and the head moved back fails against the anchor', async () => {
    await restoring([auditPk()], async () => {
      const all = (await items()).sort((a, b) => Number(a.sequence) - Number(b.sequence));
      const last = all.at(-1)!;
      const before = all.at(-2)!;
      await doc().send(new DeleteCommand({ TableName: table(), Key: { pk: last.pk, sk: last.sk } }));
      await doc().send(
        new PutCommand({
          TableName: table(),
          Item: {
            pk: auditPk(),
            sk: 'HEAD',
            type: 'AuditHead',
            sequence: before.sequence,
            hash: before.hash,
          },
        }),
      );
      const report = await verifyAudit(rt.repos, C);
      expect(report.chain.ok).toBe(false);
      expect(report.chain.problem).toMatch(/cut short/);
      await expect(sheet('2026-01')).rejects.toThrow(/audit chain of sealed is broken/);
    });
  });

  it('two entries swapped fails', async () => {
    await restoring([auditPk()], async () => {
      const [a, b] = (await items()).sort((x, y) => Number(x.sequence) - Number(y.sequence)).slice(2, 4);
      await doc().send(
        new PutCommand({ TableName: table(), Item: { ...b!, pk: a!.pk, sk: a!.sk, sequence: a!.sequence } }),
      );
      await doc().send(
        new PutCommand({ TableName: table(), Item: { ...a!, pk: b!.pk, sk: b!.sk, sequence: b!.sequence } }),
      );
      expect((await verifyAudit(rt.repos, C)).chain.ok).toBe(false);
      await expect(sheet('2026-01')).rejects.toThrow(/audit chain of sealed is broken/);
    });
  });
});

describe('a crash at any write leaves no change without its audit entry', () => {
  /** Fails the n-th write request (counted from now), as a crash between two writes would. */
  function crashAtWrite(n: number): () => void {
    let writes = 0;
    const name = `crash-${n}-${Math.random()}`;
    rt.repos.table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (
          /^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(String(context.commandName)) &&
          ++writes === n
        )
          throw new Error(`simulated crash at write ${n}`);
        return next(args);
      },
      { step: 'initialize', name },
    );
    return () => rt.repos.table.doc.middlewareStack.remove(name);
  }

  async function invariantsHold(community: string) {
    const entries = await rt.repos.audit.entries(community);
    const recorded = new Set(entries.map((e) => `${e.action}|${e.subject}`));
    for (const cycle of await rt.repos.cycles.list(community)) {
      expect(recorded.has(`cycle.start|${cycle.kind} ${cycle.period} r${cycle.revision}`)).toBe(true);
      if (cycle.decision)
        expect(
          recorded.has(
            `${cycle.decision.approved ? 'review.approve' : 'review.reject'}|${cycle.kind} ${cycle.period} r${cycle.revision}`,
          ),
        ).toBe(true);
      if (cycle.status === 'completed')
        expect(recorded.has(`cycle.complete|${cycle.kind} ${cycle.period} r${cycle.revision}`)).toBe(true);
    }
    const current = await rt.repos.datasets.current(community, 2026);
    if (current) expect(recorded.has(`dataset.import|dataset v${current.version}`)).toBe(true);
    expect((await rt.repos.audit.verify(community)).ok).toBe(true);
  }

  it('import, start and approval, crashed at every write in turn', async () => {
    for (let n = 1; n < 60; n++) {
      const community = `crash-${n}`;
      const stop = crashAtWrite(n);
      let crashed = false;
      try {
        await importDataset(rt.repos, { files: tinyAs(community) }, 'office1');
        for (const m of ['2026-01', '2026-02', '2026-03'])
          await startCycle(rt.repos, rt.workflows, {
            communityId: community,
            kind: 'monthly',
            period: m,
            by: 'office1',
          });
        await startCycle(rt.repos, rt.workflows, {
          communityId: community,
          kind: 'quarterly',
          period: '2026-Q1',
          by: 'office1',
        });
        await decideReview(rt.repos, rt.workflows, {
          communityId: community,
          kind: 'quarterly',
          period: '2026-Q1',
          by: 'finance1',
          approve: true,
        });
      } catch (error) {
        crashed = /simulated crash/.test(String((error as Error).message)) || crashed;
      } finally {
        stop();
      }
      await invariantsHold(community);
      if (!crashed && (await rt.repos.cycles.get(community, 'quarterly', '2026-Q1'))?.status === 'completed')
        break;
    }
  }, 300_000);
});

/** Another set of repositories on the same table, with nothing cached (a new process). */
async function openTestRuntimeOn(runtime: LocalRuntime) {
  const { openStore } = await import('../../shared/store/index.js');
  return openStore({ endpoint: runtime.endpoint, tableName: runtime.repos.table.name });
}
