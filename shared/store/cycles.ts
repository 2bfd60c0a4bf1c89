/**
 * Cycle records and period locks. Every state change is a conditional write on the record's `version`
 * (or on its status), so two processes can never both start, approve or finish the same cycle.
 */

import { type AuditEntry, AuditRepository, auditList } from './audit.js';
import { decode, encode } from './codec.js';
import { isStoreError, StoreError } from './errors.js';
import { type CycleKind, keys } from './keys.js';
import { importRunning, LeaseRepository, newLeaseHolder, noImportRunning, thisMachine } from './leases.js';
import { joinPages, type PagesRef, pageItems, pagesPrefix, readPages, splitUtf8 } from './pages.js';
import { PromiseCache } from './promise-cache.js';
import type { Table, TransactItem } from './store.js';

export type CycleStatus = 'running' | 'awaiting_review' | 'completed' | 'rejected' | 'failed';

export interface ReviewRequest {
  token: string;
  requestedAt: string;
  /** The paused state and its input: enough to resume the same definition in a later process. */
  stateName: string;
  stateInput: unknown;
}

export interface Decision {
  approved: boolean;
  by: string;
  at: string;
  reason?: string;
}

export interface CycleRecord {
  communityId: string;
  kind: CycleKind;
  period: string;
  revision: number;
  status: CycleStatus;
  datasetVersion: number;
  startedBy: string;
  startedAt: string;
  updatedAt: string;
  review?: ReviewRequest;
  decision?: Decision;
  error?: { name: string; message: string };
  /**
   * Institutions with no workload rows that the starter acknowledged (paid nothing this month): DOMAIN.md
   * §7 "no empty month". Absent when every institution had rows.
   */
  acknowledgedMissing?: string[];
  /** The seal of the completed revision's results (shared/app/seals.ts), recorded with the completion. */
  seal?: string;
  /** The completion's place in the audit chain (the entry carrying the seal), printed on reports. */
  sealPosition?: number;
  /** Resumes of this revision after an interruption (`medcomm run … --resume`); its run attempt is one more. */
  attempt?: number;
  resumedBy?: string;
  /** Optimistic-lock counter, bumped by every change. */
  version: number;
}

/**
 * The run lease of a running cycle revision: who runs (or is starting) its current attempt. One item per
 * cycle, taken by the original start, by a resume (which claims a new attempt with it) and by the run that
 * continues after a finance approval, in the same transaction that checks the cycle is as read; it is
 * released when that call ends. A resume is refused while a live lease of the revision exists, and allowed
 * once its holder is dead: its process gone (this machine) or its heartbeat silent for LEASE_STALE_MS.
 *
 * Locally the run is the holder's own call (the interpreter runs in its process), so the lease with its
 * heartbeat is the run's liveness. On AWS the holder only starts an execution and returns: the lease covers
 * the claim up to StartExecution, and after that the execution is the liveness — an attempt's execution
 * name is unique (shared/app/sfn-port.ts executionName), so a resume asks Step Functions whether the
 * current attempt's execution is still running (ExecutionPort.attemptRunning).
 */
export interface RunLease {
  communityId: string;
  kind: CycleKind;
  period: string;
  revision: number;
  /** The run attempt the holder runs: 1 the original run, n + 1 after n resumes (runAttempt). */
  attempt: number;
  /** Unique per lease taken: who may renew and release it. */
  holder: string;
  by: string;
  pid: number;
  machine: string;
  startedAt: string;
  heartbeatAt: string;
}

/** The run attempt a running cycle is on: 1, and one more per resume (its Step Functions execution name). */
export const runAttempt = (cycle: Pick<CycleRecord, 'attempt'>) => (cycle.attempt ?? 0) + 1;

export interface WaitingForData {
  kind: CycleKind;
  period: string;
  since: string;
  lastTriedAt: string;
  attempts: number;
  message: string;
}

export interface StartOutcome {
  cycle: CycleRecord;
  /** False when the cycle already existed and was returned as it is. */
  created: boolean;
}

const RESTARTABLE: readonly CycleStatus[] = ['rejected', 'failed'];

export interface MonthLock {
  period: string;
  revision: number;
  datasetVersion: number;
  lockedAt: string;
  /** Content hash of each institution's rows for the month, as locked. */
  hashes: Record<string, string>;
  /** What each institution put into its annual reserve this month. */
  reserve: Record<string, { holdback: number; undistributed: number }>;
}

/**
 * A completed quarterly cycle's lock: the finance rows and indicator values of its three months as the
 * version it ran on held them (DOMAIN.md §2 Locks, v1.1).
 */
export interface QuarterLock {
  period: string;
  revision: number;
  datasetVersion: number;
  lockedAt: string;
}

export interface YearLock {
  period: string;
  revision: number;
  lockedAt: string;
  datasetVersion?: number;
}

export type PeriodLock = MonthLock | QuarterLock | YearLock;

/** A month lock's per-institution maps. */
type LockMap = 'hashes' | 'reserve';
const LOCK_MAPS: readonly LockMap[] = ['hashes', 'reserve'];

/**
 * A lock map's JSON (UTF-8 bytes) kept on the lock item at most. A province's 3,100 institutions with
 * 64-character Chinese ids make `hashes` ~650 KB and `reserve` ~700 KB (DynamoDB's item limit is 400 KB):
 * what is larger goes to pages (shared/store/pages.ts) under `keys.lockPages`, and the item names them in
 * `{map}Ref`. A county's maps (a few KB) stay on the item as they always were.
 */
export const INLINE_LOCK_MAP_BYTES = 32_000;

/**
 * The scheduler's reason kept on a WAITING item at most (UTF-8 bytes). It names every institution without
 * rows, twice in each language: at a province (64-character Chinese ids) ~800 bytes each, so ~510 missing
 * would pass DynamoDB's 400 KB and the scheduled start would fail instead of waiting.
 */
export const WAITING_MESSAGE_BYTES = 16_000;

/** A bilingual message (`zh / en`) cut to WAITING_MESSAGE_BYTES, each language's start kept. */
export function boundedMessage(message: string): string {
  if (Buffer.byteLength(message, 'utf8') <= WAITING_MESSAGE_BYTES) return message;
  const cut = (text: string) => `${splitUtf8(text, WAITING_MESSAGE_BYTES / 2 - 100)[0]}…`;
  const at = message.indexOf(' / ');
  if (at < 0) return cut(message);
  return `${cut(message.slice(0, at))}（其余从略） / ${cut(message.slice(at + 3))} (the rest left out)`;
}

/** A cycle as stored: its acknowledged missing institutions on the item, or (a province's) in pages. */
type StoredCycle = CycleRecord & { acknowledgedMissingRef?: PagesRef };

/** A lock as stored: a month's maps on the item, or (large ones) the references of their pages. */
type StoredLock = Partial<MonthLock> & { period: string } & Partial<Record<`${LockMap}Ref`, PagesRef>>;

/** Paged lock maps a process keeps (named by their hash: they never change); a province's year is 24. */
const LOCK_PAGE_CACHE = 32;

export const isMonthLock = (lock: { period: string }): lock is MonthLock => /^\d{4}-\d{2}$/.test(lock.period);
export const isQuarterLock = (lock: { period: string }): lock is QuarterLock =>
  /^\d{4}-Q[1-4]$/.test(lock.period);
export const isYearLock = (lock: { period: string }): lock is YearLock => /^\d{4}$/.test(lock.period);

export class CycleRepository {
  private readonly leases: LeaseRepository;
  /** Every state change is written with the audit entry that records it, in one transaction. */
  private readonly audit: AuditRepository;
  /** Paged lock maps read, by their hash. */
  private readonly lockPageCache = new PromiseCache<unknown>(LOCK_PAGE_CACHE);

  constructor(private readonly table: Table) {
    this.leases = new LeaseRepository(table);
    this.audit = new AuditRepository(table);
  }

  async get(communityId: string, kind: CycleKind, period: string): Promise<CycleRecord | undefined> {
    const item = await this.table.get<StoredCycle>(keys.cycle(communityId, kind, period));
    return item && this.withMissing(item);
  }

  async list(communityId: string): Promise<CycleRecord[]> {
    const items = await this.table.queryPrefix<StoredCycle>(keys.community(communityId), 'CYCLE#');
    return Promise.all(items.map((item) => this.withMissing(item)));
  }

  /** A stored cycle with its acknowledged missing institutions: on the item, or read from their pages. */
  private async withMissing(item: StoredCycle): Promise<CycleRecord> {
    const { acknowledgedMissingRef: ref, ...cycle } = item;
    if (!ref) return cycle;
    const pk = keys.cyclePages(item.communityId, item.kind, item.period);
    // Read here (not through readPages): a method that reads keeps its keys to itself in the derived
    // table access (infra/derive-table-access.ts), so the transitions that call it write no CYCLEPAGES#.
    const what = `the missing institutions of ${item.kind} ${item.period}`;
    const read = this.lockPageCache.get(ref.hash, () =>
      this.table
        .queryPrefix<{ data: string }>(pk, pagesPrefix(ref.hash))
        .then((pages) => decode<string[]>(joinPages(pages, ref, what))),
    );
    return { ...cycle, acknowledgedMissing: (await read) as string[] };
  }

  /** The cycle as stored: acknowledged missing institutions over INLINE_LOCK_MAP_BYTES in pages (written here). */
  private async storedCycle(cycle: CycleRecord): Promise<StoredCycle> {
    const missing = cycle.acknowledgedMissing;
    const text = missing ? encode(missing) : '';
    if (!missing || Buffer.byteLength(text, 'utf8') <= INLINE_LOCK_MAP_BYTES) return cycle;
    const { ref, items } = pageItems(
      keys.cyclePages(cycle.communityId, cycle.kind, cycle.period),
      text,
      'CyclePage',
    );
    await Promise.all(items.map((item) => this.table.put(item)));
    const { acknowledgedMissing: _missing, ...rest } = cycle;
    return { ...rest, acknowledgedMissingRef: ref };
  }

  /**
   * Starts a cycle, or returns it when it already exists (idempotent start). A rejected or failed cycle
   * starts again as its next revision.
   */
  async start(input: {
    communityId: string;
    kind: CycleKind;
    period: string;
    by: string;
    datasetVersion: number;
    acknowledgedMissing?: string[];
  }): Promise<StartOutcome> {
    const now = new Date().toISOString();
    const existing = await this.get(input.communityId, input.kind, input.period);
    if (existing && !RESTARTABLE.includes(existing.status)) return { cycle: existing, created: false };
    const cycle: CycleRecord = {
      communityId: input.communityId,
      kind: input.kind,
      period: input.period,
      revision: (existing?.revision ?? 0) + 1,
      status: 'running',
      datasetVersion: input.datasetVersion,
      startedBy: input.by,
      startedAt: now,
      updatedAt: now,
      ...(input.acknowledgedMissing?.length ? { acknowledgedMissing: input.acknowledgedMissing } : {}),
      version: (existing?.version ?? 0) + 1,
    };
    const year = Number(input.period.slice(0, 4));
    // A province's acknowledged missing institutions (up to 3,100 ids of 192 bytes): their pages first.
    const stored = await this.storedCycle(cycle);
    try {
      // With the check that no import of the year is writing: an import either finished before this start
      // (and the cycle runs on its version) or starts after it (and sees this cycle), never in between.
      // The start and its audit entry are one transaction: no cycle runs unrecorded.
      await this.audit.append(
        input.communityId,
        {
          actor: input.by,
          action: 'cycle.start',
          subject: `${input.kind} ${input.period} r${cycle.revision}`,
          details: {
            datasetVersion: input.datasetVersion,
            ...(input.acknowledgedMissing?.length
              ? { acknowledgedMissing: auditList(input.acknowledgedMissing) }
              : {}),
          },
        },
        [
          noImportRunning(input.communityId, year),
          {
            Put: {
              Item: { ...keys.cycle(input.communityId, input.kind, input.period), type: 'Cycle', ...stored },
              ...(existing
                ? {
                    ConditionExpression: 'version = :v',
                    ExpressionAttributeValues: { ':v': existing.version },
                  }
                : { ConditionExpression: 'attribute_not_exists(pk)' }),
            },
          },
        ],
      );
      return { cycle, created: true };
    } catch (error) {
      if (!isStoreError(error, 'conditional_failed')) throw error;
      // Someone else started it between our read and write: theirs is the cycle.
      const winner = await this.get(input.communityId, input.kind, input.period);
      if (winner && winner.version !== existing?.version) return { cycle: winner, created: false };
      const lease = await this.leases.get(input.communityId, year);
      if (lease) throw importRunning(lease);
      throw error;
    }
  }

  /** Moves a cycle from one of `from` to `to`, optionally setting more fields; refuses otherwise. */
  async transition(
    cycle: Pick<CycleRecord, 'communityId' | 'kind' | 'period' | 'revision'>,
    from: readonly CycleStatus[],
    to: CycleStatus,
    fields: Partial<Pick<CycleRecord, 'review' | 'decision' | 'error'>> = {},
    /** Recorded in the same transaction as the change (a decision never exists without its entry). */
    audited?: Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'details'>,
  ): Promise<CycleRecord> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':to': to,
      ':now': new Date().toISOString(),
      ':one': 1,
      ':rev': cycle.revision,
    };
    const sets = ['#status = :to', 'updatedAt = :now'];
    for (const [field, value] of Object.entries(fields)) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    from.forEach((status, i) => {
      values[`:from${i}`] = status;
    });
    const change = {
      Key: keys.cycle(cycle.communityId, cycle.kind, cycle.period),
      UpdateExpression: `SET ${sets.join(', ')} ADD version :one`,
      ConditionExpression: `revision = :rev AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    try {
      if (audited) {
        await this.audit.append(cycle.communityId, audited, [{ Update: change }]);
        return (await this.get(cycle.communityId, cycle.kind, cycle.period))!;
      }
      const updated = await this.table.update(change);
      return this.withMissing(updated as unknown as StoredCycle);
    } catch (error) {
      if (!isStoreError(error, 'conditional_failed')) throw error;
      const now = await this.get(cycle.communityId, cycle.kind, cycle.period);
      throw new StoreError(
        'conditional_failed',
        `周期 ${cycle.kind} ${cycle.period} 当前状态为 ${now?.status ?? '不存在'}，不能变为 ${to} / ` +
          `cycle ${cycle.kind} ${cycle.period} is ${now?.status ?? 'missing'} (revision ${now?.revision ?? '-'}), cannot become ${to}`,
        { cause: error, details: { status: now?.status, revision: now?.revision } },
      );
    }
  }

  /** The cycle's run lease, if a run of it holds one (or a dead holder left one). */
  async runLease(communityId: string, kind: CycleKind, period: string): Promise<RunLease | undefined> {
    return this.table.get<RunLease>(keys.cycleRun(communityId, kind, period));
  }

  /**
   * Takes the run lease of a running cycle revision for this process, in one transaction that also checks
   * the cycle is still the record read (`version`): no lease is taken on a cycle someone changed since.
   * With `resume`, the transaction claims a new attempt (ADD attempt) and writes the resume's audit entry.
   * `replacing` is a lease read before and judged dead (or of an older revision): it is replaced only if it
   * is still that lease. Undefined when another holder or change came first.
   */
  async acquireRun(
    cycle: CycleRecord,
    request: {
      by: string;
      resume?: boolean;
      replacing?: RunLease;
      /** Recorded with a resume's claim, in the same transaction. */
      audited?: Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'details'>;
    },
  ): Promise<{ lease: RunLease; cycle: CycleRecord } | undefined> {
    const now = new Date().toISOString();
    const claimed: CycleRecord = request.resume
      ? {
          ...cycle,
          attempt: (cycle.attempt ?? 0) + 1,
          resumedBy: request.by,
          updatedAt: now,
          version: cycle.version + 1,
        }
      : cycle;
    const lease: RunLease = {
      communityId: cycle.communityId,
      kind: cycle.kind,
      period: cycle.period,
      revision: cycle.revision,
      attempt: runAttempt(claimed),
      holder: newLeaseHolder(now),
      by: request.by,
      pid: process.pid,
      machine: thisMachine,
      startedAt: now,
      heartbeatAt: now,
    };
    const key = keys.cycle(cycle.communityId, cycle.kind, cycle.period);
    const condition = {
      ConditionExpression: '#status = :running AND version = :v',
      ExpressionAttributeNames: { '#status': 'status' },
    };
    const items: TransactItem[] = [
      {
        Put: {
          Item: { ...keys.cycleRun(cycle.communityId, cycle.kind, cycle.period), type: 'CycleRun', ...lease },
          ...(request.replacing
            ? {
                ConditionExpression: 'holder = :old',
                ExpressionAttributeValues: { ':old': request.replacing.holder },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        },
      },
      request.resume
        ? {
            Update: {
              Key: key,
              UpdateExpression: 'SET resumedBy = :by, updatedAt = :now ADD attempt :one, version :one',
              ...condition,
              ExpressionAttributeValues: {
                ':by': request.by,
                ':now': now,
                ':one': 1,
                ':running': 'running',
                ':v': cycle.version,
              },
            },
          }
        : {
            ConditionCheck: {
              Key: key,
              ...condition,
              ExpressionAttributeValues: { ':running': 'running', ':v': cycle.version },
            },
          },
    ];
    try {
      if (request.audited) await this.audit.append(cycle.communityId, request.audited, items);
      else await this.table.transact(items);
    } catch (error) {
      if (isStoreError(error, 'conditional_failed')) return undefined;
      const reasons = (isStoreError(error, 'transaction_cancelled') ? (error.details.reasons ?? []) : []) as {
        Code?: string;
      }[];
      if (reasons.some((r) => r?.Code === 'ConditionalCheckFailed')) return undefined;
      throw error;
    }
    return { lease, cycle: claimed };
  }

  /** Renews a run lease's heartbeat; false when it is no longer this run's (taken over as dead). */
  async renewRun(lease: RunLease): Promise<boolean> {
    return this.table.updateIf({
      Key: keys.cycleRun(lease.communityId, lease.kind, lease.period),
      UpdateExpression: 'SET heartbeatAt = :now',
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':now': new Date().toISOString(), ':holder': lease.holder },
    });
  }

  /** Releases a run lease if this run still holds it. */
  async releaseRun(lease: RunLease): Promise<void> {
    try {
      await this.table.deleteIf(
        keys.cycleRun(lease.communityId, lease.kind, lease.period),
        'holder = :holder',
        { ':holder': lease.holder },
      );
    } catch (error) {
      if (!isStoreError(error, 'conditional_failed')) throw error;
    }
  }

  /**
   * Completes a cycle and writes the lock it closes (a month's or the year's) in one transaction, so a
   * lock never exists without its completed cycle. Retrying after success finds the cycle completed and
   * does nothing.
   */
  async complete(
    cycle: Pick<CycleRecord, 'communityId' | 'kind' | 'period' | 'revision'> & { datasetVersion?: number },
    lock?: PeriodLock,
    seal?: string,
  ): Promise<void> {
    const current = await this.get(cycle.communityId, cycle.kind, cycle.period);
    if (current?.status === 'completed' && current.revision === cycle.revision) return;
    const now = new Date().toISOString();
    // A month's large maps: their pages first, then the transaction whose lock names them.
    const stored = lock ? await this.storedLock(cycle.communityId, lock) : undefined;
    try {
      // The completion, its lock and the audit entry that records it (with the results' seal): one transaction.
      await this.audit.append(
        cycle.communityId,
        {
          actor: 'workflow',
          action: 'cycle.complete',
          subject: `${cycle.kind} ${cycle.period} r${cycle.revision}`,
          details: {
            ...(cycle.datasetVersion === undefined ? {} : { datasetVersion: cycle.datasetVersion }),
            ...(seal ? { seal } : {}),
          },
        },
        (entry) => [
          ...(stored
            ? [
                {
                  Put: {
                    Item: { ...keys.lock(cycle.communityId, stored.period), type: 'Lock', ...stored },
                    ConditionExpression: 'attribute_not_exists(pk) OR revision = :rev',
                    ExpressionAttributeValues: { ':rev': cycle.revision },
                  },
                },
              ]
            : []),
          {
            Update: {
              Key: keys.cycle(cycle.communityId, cycle.kind, cycle.period),
              UpdateExpression: `SET #status = :completed, updatedAt = :now${seal ? ', seal = :seal, sealPosition = :position' : ''} ADD version :one`,
              ConditionExpression: 'revision = :rev AND #status IN (:running, :awaiting)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':completed': 'completed',
                ':now': now,
                ':one': 1,
                ':rev': cycle.revision,
                ':running': 'running',
                ':awaiting': 'awaiting_review',
                ...(seal ? { ':seal': seal, ':position': entry.sequence } : {}),
              },
            },
          },
        ],
      );
    } catch (error) {
      if (!isStoreError(error, 'conditional_failed')) throw error;
      const after = await this.get(cycle.communityId, cycle.kind, cycle.period);
      if (after?.status === 'completed' && after.revision === cycle.revision) return;
      throw new StoreError(
        'conditional_failed',
        `周期 ${cycle.kind} ${cycle.period} 第 ${cycle.revision} 版无法完成（当前 ${after?.status ?? '不存在'}） / ` +
          `cycle ${cycle.kind} ${cycle.period} r${cycle.revision} cannot complete (it is ${after?.status ?? 'missing'} r${after?.revision ?? '-'}, or its period is locked by another revision)`,
        { cause: error },
      );
    }
  }

  /** The locks of a community's year (or of every year): months (YYYY-MM), quarters (YYYY-Qn), the year. */
  async locks(communityId: string, year?: number): Promise<MonthLock[]> {
    return (await this.readLocks(communityId, year)) as MonthLock[];
  }

  /** Every lock of a year, each kind apart. */
  async yearLocks(communityId: string, year: number) {
    const all = await this.readLocks(communityId, year);
    return {
      months: all.filter(isMonthLock),
      quarters: all.filter(isQuarterLock),
      year: all.find(isYearLock),
    };
  }

  /** The locks as stored, each month's paged maps read back: every reader gets the maps themselves. */
  private async readLocks(communityId: string, year?: number): Promise<PeriodLock[]> {
    const items = await this.table.queryPrefix<StoredLock>(
      keys.community(communityId),
      keys.lockPrefix(year),
    );
    return Promise.all(items.map((item) => this.withMaps(communityId, item)));
  }

  /** A stored lock with its maps: on the item (small, or stored before paging) or read from their pages. */
  private async withMaps(communityId: string, item: StoredLock): Promise<PeriodLock> {
    if (!item.hashesRef && !item.reserveRef) return item as PeriodLock;
    const { hashesRef, reserveRef, ...lock } = item;
    const [hashes, reserve] = await Promise.all(
      LOCK_MAPS.map((map) => {
        const ref = map === 'hashes' ? hashesRef : reserveRef;
        return ref ? this.lockMapPages(communityId, item.period, map, ref) : lock[map];
      }),
    );
    return { ...lock, hashes, reserve } as MonthLock;
  }

  /** A paged lock map, read once per process (its pages are named by its hash and never change). */
  private lockMapPages(communityId: string, period: string, map: LockMap, ref: PagesRef): Promise<unknown> {
    const what = `the ${map} of the lock of ${period}`;
    return this.lockPageCache.get(ref.hash, () =>
      readPages(this.table, keys.lockPages(communityId, period), ref, what).then((t) => decode(t)),
    );
  }

  /** The lock as it is stored: a month's maps over INLINE_LOCK_MAP_BYTES in pages (written here) instead. */
  private async storedLock(communityId: string, lock: PeriodLock): Promise<StoredLock> {
    if (!isMonthLock(lock)) return lock;
    let stored: StoredLock = lock;
    for (const map of LOCK_MAPS) {
      const ref = await this.lockMapRef(communityId, lock.period, lock[map]);
      if (ref) {
        const { [map]: _map, ...rest } = stored;
        stored = { ...rest, [`${map}Ref`]: ref };
      }
    }
    return stored;
  }

  /** Pages a lock map larger than INLINE_LOCK_MAP_BYTES and returns their reference; undefined when it fits. */
  private async lockMapRef(
    communityId: string,
    period: string,
    value: unknown,
  ): Promise<PagesRef | undefined> {
    const text = encode(value);
    if (Buffer.byteLength(text, 'utf8') <= INLINE_LOCK_MAP_BYTES) return undefined;
    const { ref, items } = pageItems(keys.lockPages(communityId, period), text, 'LockPage');
    await Promise.all(items.map((item) => this.table.put(item)));
    return ref;
  }

  /**
   * The Update of a corrected period's lock, for the correction's approval transaction: the lock moves to
   * the corrected dataset version and, for a month, to the corrected reserve — paged first when large (a
   * reserve stored on the item before is removed, and the other way round).
   */
  async correctedLockUpdate(
    correction: { communityId: string; period: string; datasetVersion: number; revision: number },
    reserve?: MonthLock['reserve'],
  ): Promise<TransactItem> {
    const values: Record<string, unknown> = { ':v': correction.datasetVersion, ':rev': correction.revision };
    let expression = 'SET datasetVersion = :v, correctedBy = :rev';
    if (reserve) {
      const ref = await this.lockMapRef(correction.communityId, correction.period, reserve);
      values[':reserve'] = ref ?? reserve;
      expression += ref ? ', reserveRef = :reserve REMOVE reserve' : ', reserve = :reserve REMOVE reserveRef';
    }
    return {
      Update: {
        Key: keys.lock(correction.communityId, correction.period),
        UpdateExpression: expression,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: values,
      },
    };
  }

  /**
   * The scheduler could not start a due period for want of data: when it first tried, how often, and why
   * (shown on the board as 等待数据). Cleared once the cycle starts.
   */
  async recordWaiting(
    communityId: string,
    kind: CycleKind,
    period: string,
    message: string,
  ): Promise<WaitingForData> {
    const now = new Date().toISOString();
    const updated = await this.table.update({
      Key: keys.waiting(communityId, kind, period),
      UpdateExpression:
        'SET #type = :type, kind = :kind, period = :period, since = if_not_exists(since, :now), lastTriedAt = :now, message = :message ADD attempts :one',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: {
        ':type': 'WaitingForData',
        ':kind': kind,
        ':period': period,
        ':now': now,
        ':message': boundedMessage(message),
        ':one': 1,
      },
    });
    return updated as unknown as WaitingForData;
  }

  async clearWaiting(communityId: string, kind: CycleKind, period: string): Promise<void> {
    await this.table.delete(keys.waiting(communityId, kind, period));
  }

  /** Periods the scheduler is waiting on. */
  async waiting(communityId: string): Promise<WaitingForData[]> {
    return this.table.queryPrefix<WaitingForData>(keys.community(communityId), 'WAITING#');
  }

  /** The cycles of one year (periods start with the year). */
  async listYear(communityId: string, year: number): Promise<CycleRecord[]> {
    return (await this.list(communityId)).filter((c) => c.period.startsWith(String(year)));
  }
}
