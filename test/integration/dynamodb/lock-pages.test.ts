/**
 * A province's month lock (issue 12): 3,100 institutions whose ids are 64 Chinese characters (192 UTF-8
 * bytes, what the import accepts). The lock's per-institution maps — each institution's content hash and
 * what it put into the reserve — are ~1.3 MB of JSON, and as one LOCK item they would pass DynamoDB's
 * 400 KB, which the store's AWS-limits mode refuses as AWS does: the month could never complete. Through
 * CycleRepository.complete the large maps go to pages (named by their hash, under LOCKPAGES#, written before
 * the one transaction that completes the cycle with the lock naming them); every reader of locks gets the
 * maps themselves; a correction's lock update pages its reserve the same way; locks stored before (maps on
 * the item) read as they are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFreezes } from '../../../shared/app/import-service.js';
import { bilingual } from '../../../shared/errors.js';
import { itemBytes } from '../../../shared/store/aws-limits.js';
import { encode } from '../../../shared/store/codec.js';
import {
  boundedMessage,
  INLINE_LOCK_MAP_BYTES,
  type MonthLock,
  WAITING_MESSAGE_BYTES,
} from '../../../shared/store/cycles.js';
import { type Repositories, repositories } from '../../../shared/store/index.js';
import { keys } from '../../../shared/store/keys.js';
import { PAGE_BYTES } from '../../../shared/store/pages.js';
import type { Table } from '../../../shared/store/store.js';
import { type LimitedTable, limitedTable } from './helpers.js';

const ITEM_LIMIT = 400 * 1024;
const INSTITUTIONS = 3_100;
const community = '江西省医共体联盟';
const period = '2026-03';
const DIGITS = '零一二三四五六七八九';

/** Institution `i`'s id: 64 Chinese characters, its number in Chinese digits at the end. */
const institutionId = (i: number) => {
  const number = [...String(i).padStart(6, '0')].map((d) => DIGITS[Number(d)]).join('');
  return `江西省赣州市兴国县人民医院第${'分'.repeat(64 - 15 - number.length)}院${number}`;
};

const ids = Array.from({ length: INSTITUTIONS }, (_, i) => institutionId(i + 1));

function provinceLock(revision: number, datasetVersion: number, salt: number): MonthLock {
  return {
    period,
    revision,
    datasetVersion,
    lockedAt: '2026-04-01T00:00:00.000Z',
    hashes: Object.fromEntries(
      ids.map((id, i) => [id, ((i + 1) * 0x9e3779b1).toString(16).padStart(16, 'a')]),
    ),
    reserve: Object.fromEntries(
      ids.map((id, i) => [id, { holdback: 10_000_000 + i * 37 + salt, undistributed: (i * 7919) % 100_000 }]),
    ),
  };
}

let store: LimitedTable;
let repos: Repositories;
/** The same table without the model: to look at what was stored. */
let plain: Table;
/** Repositories with nothing read yet (no cached pages): what another process reads. */
const reader = () => repositories(store.another());

beforeAll(async () => {
  store = await limitedTable('lockpages');
  repos = repositories(store.table);
  plain = store.plain;
}, 60_000);
afterAll(() => store?.close());

describe('a province month lock in the AWS-limits mode', () => {
  const lock = provinceLock(1, 4, 0);

  it('would be refused as one item with its maps (the model refuses what AWS refuses)', async () => {
    expect(ids[0]).toHaveLength(64);
    expect(Buffer.byteLength(ids[0]!, 'utf8')).toBe(192);
    expect(new Set(ids).size).toBe(INSTITUTIONS);
    const item = { ...keys.lock(community, period), type: 'Lock', ...lock };
    expect(itemBytes(item)).toBeGreaterThan(ITEM_LIMIT);
    await expect(repos.table.put(item)).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('completes its cycle with the maps in pages, and every reader gets the same lock', async () => {
    const { cycle } = await repos.cycles.start({
      communityId: community,
      kind: 'monthly',
      period,
      by: 'office1',
      datasetVersion: 4,
    });
    await repos.cycles.complete({ ...cycle, datasetVersion: 4 }, lock, 'seal-1');
    expect(await repos.cycles.get(community, 'monthly', period)).toMatchObject({
      status: 'completed',
      seal: 'seal-1',
    });
    // A retried step finds it completed.
    await repos.cycles.complete({ ...cycle, datasetVersion: 4 }, lock, 'seal-1');

    // The community's partition holds a small lock naming the pages; the pages have a partition of their own.
    const stored = await plain.get<Record<string, unknown>>(keys.lock(community, period));
    expect(stored).not.toHaveProperty('hashes');
    expect(stored).not.toHaveProperty('reserve');
    const pagesOf = (value: unknown) => Math.ceil(Buffer.byteLength(encode(value)) / PAGE_BYTES);
    expect(pagesOf(lock.hashes)).toBeGreaterThanOrEqual(2);
    expect(stored).toMatchObject({
      hashesRef: { pages: pagesOf(lock.hashes) },
      reserveRef: { pages: pagesOf(lock.reserve) },
    });
    expect(itemBytes(stored!)).toBeLessThan(1_000);
    const pages = await plain.queryPrefix<Record<string, unknown>>(keys.lockPages(community, period));
    expect(pages).toHaveLength(pagesOf(lock.hashes) + pagesOf(lock.reserve));
    for (const page of pages) expect(itemBytes(page)).toBeLessThanOrEqual(350 * 1024);

    // locks(), a year's locks(), yearLocks() and the import's frozen months: from a process that read nothing.
    for (const fresh of [reader(), repos]) {
      const [all, year, byKind] = await Promise.all([
        fresh.cycles.locks(community),
        fresh.cycles.locks(community, 2026),
        fresh.cycles.yearLocks(community, 2026),
      ]);
      for (const found of [all[0], year[0], byKind.months[0]]) {
        expect(found).toMatchObject(lock);
        expect(found).not.toHaveProperty('hashesRef');
        expect(found).not.toHaveProperty('reserveRef');
        expect(found!.hashes).toEqual(lock.hashes);
        expect(found!.reserve).toEqual(lock.reserve);
      }
      expect(byKind.year).toBeUndefined();
    }
    const freezes = await importFreezes(reader(), community, 2026);
    expect(freezes).toContainEqual(
      expect.objectContaining({ period, months: [period], datasetVersion: 4, why: 'locked' }),
    );
  }, 120_000);

  it("a correction's lock update pages the corrected reserve, and a small one goes back on the item", async () => {
    const corrected = provinceLock(1, 5, 11);
    const update = await repos.cycles.correctedLockUpdate(
      { communityId: community, period, datasetVersion: 5, revision: 2 },
      corrected.reserve,
    );
    await repos.table.transact([update]);
    const stored = await plain.get<Record<string, unknown>>(keys.lock(community, period));
    expect(itemBytes(stored!)).toBeLessThan(1_000);
    const read = (await reader().cycles.locks(community, 2026))[0]!;
    expect(read).toMatchObject({ datasetVersion: 5, correctedBy: 2 });
    expect(read.reserve).toEqual(corrected.reserve);
    expect(read.hashes).toEqual(lock.hashes);

    const small = { [ids[0]!]: { holdback: 1, undistributed: 2 } };
    expect(Buffer.byteLength(encode(small))).toBeLessThan(INLINE_LOCK_MAP_BYTES);
    await repos.table.transact([
      await repos.cycles.correctedLockUpdate(
        { communityId: community, period, datasetVersion: 6, revision: 3 },
        small,
      ),
    ]);
    const after = await plain.get<Record<string, unknown>>(keys.lock(community, period));
    expect(after).not.toHaveProperty('reserveRef');
    expect(after).toHaveProperty('hashesRef');
    expect((await reader().cycles.locks(community, 2026))[0]).toMatchObject({
      datasetVersion: 6,
      reserve: small,
      hashes: lock.hashes,
    });
  }, 120_000);

  it('a lock stored before paging (its maps on the item) and a small one read as they are', async () => {
    const before: MonthLock = {
      period: '2026-01',
      revision: 1,
      datasetVersion: 2,
      lockedAt: '2026-02-01T00:00:00.000Z',
      hashes: { C01: '0123456789abcdef' },
      reserve: { C01: { holdback: 100, undistributed: 0 } },
    };
    await plain.put({ ...keys.lock(community, before.period), type: 'Lock', ...before });
    const { cycle } = await repos.cycles.start({
      communityId: community,
      kind: 'monthly',
      period: '2026-02',
      by: 'office1',
      datasetVersion: 3,
    });
    const county = { ...before, period: '2026-02', datasetVersion: 3 };
    await repos.cycles.complete(cycle, county);
    const stored = await plain.get<Record<string, unknown>>(keys.lock(community, '2026-02'));
    expect(stored).toMatchObject({ hashes: county.hashes, reserve: county.reserve });
    expect(stored).not.toHaveProperty('hashesRef');
    const locks = await reader().cycles.locks(community, 2026);
    expect(locks.map((l) => l.period)).toEqual(['2026-01', '2026-02', period]);
    expect(locks[0]).toMatchObject(before);
    expect(locks[1]).toMatchObject(county);
  }, 60_000);

  it("a province month's acknowledged missing institutions: the cycle in pages, its audit entry bounded", async () => {
    const missing = ids.slice(0, 2_500);
    const item = {
      ...keys.cycle(community, 'monthly', '2026-05'),
      type: 'Cycle',
      acknowledgedMissing: missing,
    };
    expect(itemBytes(item)).toBeGreaterThan(ITEM_LIMIT);
    const { cycle, created } = await repos.cycles.start({
      communityId: community,
      kind: 'monthly',
      period: '2026-05',
      by: 'office1',
      datasetVersion: 4,
      acknowledgedMissing: missing,
    });
    expect(created).toBe(true);
    expect(cycle.acknowledgedMissing).toEqual(missing);
    const stored = await plain.get<Record<string, unknown>>(keys.cycle(community, 'monthly', '2026-05'));
    expect(stored).not.toHaveProperty('acknowledgedMissing');
    expect(itemBytes(stored!)).toBeLessThan(2_000);
    for (const page of await plain.queryPrefix<Record<string, unknown>>(
      keys.cyclePages(community, 'monthly', '2026-05'),
    ))
      expect(itemBytes(page)).toBeLessThanOrEqual(350 * 1024);
    // Every read of the cycle has the list: get, list, a transition's answer.
    expect((await reader().cycles.get(community, 'monthly', '2026-05'))?.acknowledgedMissing).toEqual(
      missing,
    );
    const listed = (await reader().cycles.list(community)).find((c) => c.period === '2026-05');
    expect(listed?.acknowledgedMissing).toEqual(missing);
    expect(listed).not.toHaveProperty('acknowledgedMissingRef');
    const failed = await repos.cycles.transition(cycle, ['running'], 'failed', {
      error: { name: 'Error', message: 'x' },
    });
    expect(failed.acknowledgedMissing).toEqual(missing);
    // The start's audit entry names the list by its count and hash.
    const entries = await plain.queryPrefix<Record<string, unknown>>(keys.audit(community));
    const start = entries.find((e) => e.action === 'cycle.start' && String(e.subject).includes('2026-05'))!;
    expect(itemBytes(start)).toBeLessThan(4_000);
    expect(String((start.details as Record<string, unknown>).acknowledgedMissing)).toMatch(
      /^2500 items, sha256 [0-9a-f]{64} /,
    );
  }, 120_000);

  it("the scheduler's wait for 600 institutions' rows: its reason cut to 16 KB, both languages kept", async () => {
    const missing = ids.slice(0, 600).map((id, i) => ({ id, name: `分院${i + 1}`, staff: 100 + i }));
    // As cycle-service's MissingDataError words it.
    const message = bilingual(
      `2026-06 以下机构没有工作量数据：${missing.map((m) => `${m.id} ${m.name}（${m.staff} 人）`).join('、')}。若确认本月不发放其绩效，请用 --allow-missing ${missing.map((m) => m.id).join(',')}（或 all）确认；否则请先导入其数据`,
      `2026-06: these institutions have no workload rows: ${missing.map((m) => `${m.id} (${m.staff} staff)`).join(', ')}. To pay them nothing this month, acknowledge with --allow-missing ${missing.map((m) => m.id).join(',')} (or all); otherwise import their data first`,
    );
    const item = { ...keys.waiting(community, 'monthly', '2026-06'), type: 'WaitingForData', message };
    expect(itemBytes(item)).toBeGreaterThan(ITEM_LIMIT);
    await expect(repos.table.put(item)).rejects.toMatchObject({ name: 'ValidationException' });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const waiting = await repos.cycles.recordWaiting(community, 'monthly', '2026-06', message);
      expect(waiting).toMatchObject({ attempts: attempt });
    }
    const stored = (await reader().cycles.waiting(community)).find((w) => w.period === '2026-06')!;
    expect(Buffer.byteLength(stored.message)).toBeLessThanOrEqual(WAITING_MESSAGE_BYTES);
    expect(stored.message).toContain(`2026-06 以下机构没有工作量数据：${missing[0]!.id}`);
    expect(stored.message).toContain(
      ` / 2026-06: these institutions have no workload rows: ${missing[0]!.id}`,
    );
    expect(stored.message.endsWith('(the rest left out)')).toBe(true);
    // A county's reason is kept whole.
    expect(boundedMessage(bilingual('缺 C01', 'C01 missing'))).toBe('缺 C01 / C01 missing');
  }, 60_000);
});
