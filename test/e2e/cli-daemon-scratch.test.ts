/**
 * The demo's warm database (shared/local/daemon.ts, `scratch`): kept in memory (/dev/shm) while the daemon
 * runs, with the data folder locked so no other server opens it, and moved into the data folder — where
 * the next server finds it — when the daemon stops. Nothing outlives the test.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireDaemon, prestartDaemon, readDaemonInfo, stopDaemon } from '../../shared/local/daemon.js';
import { DataDirLock, isAlive } from '../../shared/local/dynamodb/lock.js';
import { createDynamoClients } from '../../shared/store/client.js';
import { Table } from '../../shared/store/store.js';
import { ensureTable } from '../../shared/store/table.js';

const work = mkdtempSync(join(tmpdir(), 'medcomm-scratch-'));
const home = join(work, 'home');
const pids = new Set<number>();

afterAll(async () => {
  await stopDaemon(home).catch(() => undefined);
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

async function withTable<T>(fn: (table: Table) => Promise<T>, scratch = false, folder = home): Promise<T> {
  prestartDaemon(folder, { scratch });
  const lease = await acquireDaemon(folder);
  const info = readDaemonInfo(folder);
  if (info) pids.add(info.pid);
  const { client, doc } = createDynamoClients({ endpoint: lease.endpoint });
  try {
    await ensureTable(client, 'scratch');
    return await fn(new Table(doc, 'scratch'));
  } finally {
    client.destroy();
    lease.release();
  }
}

describe.skipIf(process.platform !== 'linux' || !existsSync('/dev/shm'))('a scratch daemon', () => {
  it('keeps its database in memory, the folder locked, and moves it into the folder when it stops', async () => {
    const db = join(home, 'dynamodb', 'shared-local-instance.db');
    await withTable(async (table) => {
      await table.put({ pk: 'KEPT', sk: 'ITEM', value: 42 });
      expect(() => DataDirLock.acquire(join(home, 'dynamodb'))).toThrow(/already in use/);
      expect(existsSync(db)).toBe(false);
    }, true);
    expect(await stopDaemon(home)).toBe(true);
    expect(existsSync(db)).toBe(true);
    const moved = /database moved from (\S+) into/.exec(readFileSync(join(home, 'daemon.log'), 'utf8'));
    expect(moved?.[1]).toMatch(/^\/dev\/shm\/medcomm-db-/);
    expect(existsSync(moved![1]!)).toBe(false);

    // The next server, an ordinary one, runs on the folder and finds what was written.
    const item = await withTable((table) => table.get<{ value: number }>({ pk: 'KEPT', sk: 'ITEM' }));
    expect(item?.value).toBe(42);
    expect(await stopDaemon(home)).toBe(true);
  }, 120_000);

  it('drops its database when stopped to be discarded (a new demo starting afresh), moving nothing', async () => {
    const fresh = join(work, 'discarded');
    const db = join(fresh, 'dynamodb', 'shared-local-instance.db');
    await withTable((table) => table.put({ pk: 'GONE', sk: 'ITEM' }), true, fresh);
    const info = readDaemonInfo(fresh);
    expect(await stopDaemon(fresh, { discard: true })).toBe(true);
    expect(existsSync(db)).toBe(false);
    const log = readFileSync(join(fresh, 'daemon.log'), 'utf8');
    expect(log).toContain('stopping (medcomm discard)');
    expect(log).not.toContain('database moved');
    // Its /dev/shm folder is gone with it.
    expect(readdirSync('/dev/shm').filter((n) => n.startsWith(`medcomm-db-${info!.pid}-`))).toEqual([]);
  }, 120_000);
});
