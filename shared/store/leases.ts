/**
 * The import lease of a community's year: one item that an import holds from before it validates until
 * its pointer switch, renewed by a heartbeat. It serializes imports of a year and keeps cycles of that
 * year from starting while an import writes (their start conditions on it), so a cycle never pays on a
 * version that an import is about to replace.
 *
 * A lease whose holder died is noticed at once when the holder ran on this machine (its process is
 * gone) and otherwise when its heartbeat stops; `medcomm import --recover` clears it by hand.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { bilingual } from '../errors.js';
import { isStoreError, StoreError } from './errors.js';
import { keys } from './keys.js';
import type { Table, TransactItem } from './store.js';

export interface ImportLease {
  communityId: string;
  year: number;
  /** Unique per import: who may renew, use and release it. */
  holder: string;
  by: string;
  /** Where the import runs: the process and the machine (host name and boot id). */
  pid: number;
  machine: string;
  startedAt: string;
  heartbeatAt: string;
}

/** How often a holder renews its lease, and after how long without renewal the lease counts as dead. */
export const LEASE_HEARTBEAT_MS = 5_000;
export const LEASE_STALE_MS = 60_000;

/** This machine: the host name and the kernel's boot id (containers and micro-VMs each have their own). */
export const thisMachine = (() => {
  let boot = '';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // Not Linux: the host name alone.
  }
  return `${hostname()}|${boot}`;
})();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where a lease's holder runs and when it last said it was alive (import leases and cycle run leases). */
export type LeaseOwner = Pick<ImportLease, 'pid' | 'machine' | 'heartbeatAt'>;

/** A holder id unique per lease taken: this machine, this process, the time and a random part. */
export const newLeaseHolder = (at: string) =>
  `${thisMachine}|${process.pid}|${at}|${Math.random().toString(36).slice(2)}`;

/** Why a lease no longer binds anyone, or undefined while its holder may still be running. */
export function leaseDeadBecause(lease: LeaseOwner, now = Date.now()): string | undefined {
  if (lease.machine === thisMachine && lease.pid !== process.pid && !processAlive(lease.pid)) {
    return `process ${lease.pid} is gone`;
  }
  const silent = now - Date.parse(lease.heartbeatAt);
  if (silent > LEASE_STALE_MS) return `no heartbeat for ${Math.round(silent / 1000)} s`;
  return undefined;
}

/** A transaction check that the lease is still held by this import. */
export const leaseHeld = (lease: ImportLease): TransactItem => ({
  ConditionCheck: {
    Key: keys.importLease(lease.communityId, lease.year),
    ConditionExpression: 'holder = :holder',
    ExpressionAttributeValues: { ':holder': lease.holder },
  },
});

/** A transaction check that no live import holds the year's lease (for a cycle start). */
export const noImportRunning = (communityId: string, year: number, now = Date.now()): TransactItem => ({
  ConditionCheck: {
    Key: keys.importLease(communityId, year),
    ConditionExpression: 'attribute_not_exists(pk) OR heartbeatAt < :stale',
    ExpressionAttributeValues: { ':stale': new Date(now - LEASE_STALE_MS).toISOString() },
  },
});

export class ImportRunningError extends Error {
  override readonly name = 'ImportRunningError' as const;
}

export const importRunning = (lease: ImportLease) =>
  new ImportRunningError(
    bilingual(
      `${lease.by} 于 ${lease.startedAt} 开始的 ${lease.year} 年数据导入仍在进行（最近心跳 ${lease.heartbeatAt}），请稍后再试；` +
        `若确认它已中断，运行 medcomm import --recover --year ${lease.year}`,
      `an import of ${lease.year} started by ${lease.by} at ${lease.startedAt} is still running (last heartbeat ` +
        `${lease.heartbeatAt}); try again when it has finished, or if it was interrupted run medcomm import --recover --year ${lease.year}`,
    ),
  );

export class LeaseRepository {
  constructor(private readonly table: Table) {}

  async get(communityId: string, year: number): Promise<ImportLease | undefined> {
    return this.table.get<ImportLease>(keys.importLease(communityId, year));
  }

  /**
   * Takes the year's lease for an import. A live holder refuses it (ImportRunningError); a dead one is
   * replaced, conditional on it still being the holder read, and `onTakeover` is told why.
   */
  async acquire(
    communityId: string,
    year: number,
    by: string,
    onTakeover?: (dead: ImportLease, why: string) => Promise<void>,
  ): Promise<ImportLease> {
    const now = new Date().toISOString();
    const lease: ImportLease = {
      communityId,
      year,
      holder: newLeaseHolder(now),
      by,
      pid: process.pid,
      machine: thisMachine,
      startedAt: now,
      heartbeatAt: now,
    };
    const existing = await this.get(communityId, year);
    if (existing) {
      const why = leaseDeadBecause(existing);
      if (!why) throw importRunning(existing);
      await onTakeover?.(existing, why);
    }
    try {
      await this.table.put(
        { ...keys.importLease(communityId, year), type: 'ImportLease', ...lease },
        existing
          ? { ConditionExpression: 'holder = :old', ExpressionAttributeValues: { ':old': existing.holder } }
          : { ConditionExpression: 'attribute_not_exists(pk)' },
      );
    } catch (error) {
      if (!isStoreError(error, 'conditional_failed')) throw error;
      const winner = await this.get(communityId, year);
      if (winner) throw importRunning(winner);
      throw error;
    }
    return lease;
  }

  /** Renews the lease; false when it is no longer this import's (taken over as dead). */
  async renew(lease: ImportLease): Promise<boolean> {
    return this.table.updateIf({
      Key: keys.importLease(lease.communityId, lease.year),
      UpdateExpression: 'SET heartbeatAt = :now',
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':now': new Date().toISOString(), ':holder': lease.holder },
    });
  }

  /** Releases the lease if this import still holds it. */
  async release(lease: ImportLease): Promise<void> {
    try {
      await this.table.deleteIf(keys.importLease(lease.communityId, lease.year), 'holder = :holder', {
        ':holder': lease.holder,
      });
    } catch (error) {
      if (!isStoreError(error, 'conditional_failed')) throw error;
    }
  }

  /** Removes whatever lease the year has (`medcomm import --recover`); returns what it removed. */
  async clear(communityId: string, year: number): Promise<ImportLease | undefined> {
    const existing = await this.get(communityId, year);
    if (!existing) return undefined;
    try {
      await this.table.deleteIf(keys.importLease(communityId, year), 'holder = :holder', {
        ':holder': existing.holder,
      });
    } catch (error) {
      if (isStoreError(error, 'conditional_failed')) {
        throw new StoreError(
          'conditional_failed',
          bilingual('导入锁刚刚被另一进程改动，请重试', 'the import lease just changed; try again'),
        );
      }
      throw error;
    }
    return existing;
  }
}
