/**
 * The audit trail: every import, start, approval, rejection and export appends an entry whose hash
 * covers the previous entry's hash, so an edited or removed record breaks the chain. With a key (kept
 * outside the table: a 0600 file locally, a secret on AWS) each hash is an HMAC, so a chain rewritten and
 * recomputed without the key does not verify; the head is anchored outside the table after every append,
 * so a chain deleted or cut short does not verify either. A state change and the entry that records it
 * are written in one transaction (`append(…, alsoWrite)`): neither exists without the other.
 */
import { createHash, createHmac } from 'node:crypto';
import { isStoreError, StoreError } from './errors.js';
import { keys } from './keys.js';
import type { Table, TransactItem } from './store.js';

export interface AuditEntry {
  sequence: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  previousHash: string;
  hash: string;
  /** 'hmac-sha256': the hash is an HMAC under the community's audit key (absent: plain SHA-256). */
  mac?: 'hmac-sha256';
}

/** A list in an entry's details (UTF-8 bytes) at most, whole; a longer one is named by its hash. */
export const AUDIT_LIST_BYTES = 16_000;

/**
 * A list for an entry's details: the values joined, or — a province's (3,100 institutions with 64-character
 * ids, 350,000 staff: up to MBs, over DynamoDB's 400 KB item; issue 12) — their count, the SHA-256 of the
 * joined text and the first values, so the entry still names exactly which list it records.
 */
export function auditList(values: readonly string[], separator = ' '): string {
  const joined = values.join(separator);
  if (Buffer.byteLength(joined, 'utf8') <= AUDIT_LIST_BYTES) return joined;
  const hash = createHash('sha256').update(joined).digest('hex');
  const first: string[] = [];
  for (let bytes = 0, i = 0; i < values.length && bytes < 1_000; i++) {
    first.push(values[i]!);
    bytes += Buffer.byteLength(values[i]!, 'utf8') + separator.length;
  }
  return `${values.length} items, sha256 ${hash} of them joined by '${separator}': ${first.join(separator)}${separator}…`;
}

/** Where the chain's head is kept outside the table: checked by verify, moved forward by every append. */
export interface AnchorStore {
  /** For messages: the file or object that holds the anchors. */
  readonly where: string;
  read(communityId: string): Promise<AuditHead | undefined>;
  /** Moves the anchor forward (never back) to `head`. */
  write(communityId: string, head: AuditHead): Promise<void>;
}

/** The chain's key and anchor, from outside the table (configured by the runtime; both optional). */
export interface AuditSecrets {
  key?: Buffer;
  anchor?: AnchorStore;
}

let secrets: AuditSecrets = {};
let loading: Promise<AuditSecrets> | undefined;

/**
 * Sets the key and anchor every AuditRepository of this process uses: given (the local runtime), or
 * loaded once when first needed (a Lambda reads its key from Secrets Manager at its first append).
 */
export function configureAuditSecrets(next: AuditSecrets | (() => Promise<AuditSecrets>)): void {
  if (typeof next === 'function') {
    const load = next;
    let pending: Promise<AuditSecrets> | undefined;
    loading = {
      then: (ok, fail) => {
        pending ??= load().then((loaded) => {
          secrets = loaded;
          return loaded;
        });
        return pending.then(ok, fail);
      },
    } as Promise<AuditSecrets>;
    secrets = {};
    return;
  }
  loading = undefined;
  secrets = next;
}

/** The secrets, once loaded. */
async function auditSecrets(): Promise<AuditSecrets> {
  if (loading) {
    const loaded = await loading;
    loading = undefined;
    return loaded;
  }
  return secrets;
}

const GENESIS = '0'.repeat(64);
/** Sorts after every zero-padded sequence number. */
const HEAD_SK = 'HEAD';

/** JSON with object keys sorted at every depth: DynamoDB does not keep the order of a map's keys. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function entryHash(entry: Omit<AuditEntry, 'hash'>, key: Buffer | undefined = secrets.key): string {
  const fields: unknown[] = [
    entry.sequence,
    entry.at,
    entry.actor,
    entry.action,
    entry.subject,
    entry.details,
    entry.previousHash,
  ];
  if (entry.mac) fields.push(entry.mac);
  const canonical = canonicalJson(fields);
  if (entry.mac === 'hmac-sha256') {
    // Without the key nobody can make (or check) a keyed hash; verify says so rather than guessing.
    if (!key) return 'no-key';
    return createHmac('sha256', key).update(canonical).digest('hex');
  }
  return createHash('sha256').update(canonical).digest('hex');
}

/** The chain's head, moved in the same transaction as every append: a removed tail cannot go unnoticed. */
export interface AuditHead {
  sequence: number;
  hash: string;
}

export interface ChainCheck {
  ok: boolean;
  entries: number;
  /** The first entry whose hash or link does not hold. */
  brokenAt?: number;
  problem?: string;
}

export function verifyChain(
  entries: readonly AuditEntry[],
  head?: AuditHead,
  anchor?: AuditHead,
  key: Buffer | undefined = secrets.key,
): ChainCheck {
  let previous = GENESIS;
  let keyed = false;
  for (const [index, entry] of entries.entries()) {
    if (entry.mac === 'hmac-sha256') {
      keyed = true;
      if (!key)
        return {
          ok: false,
          entries: entries.length,
          brokenAt: entry.sequence,
          problem: 'the chain is keyed but this process has no audit key to check it with',
        };
    } else if (keyed || key) {
      // With a key, every record must be keyed: a chain recomputed without the key (plain hashes) is not
      // the one this deployment wrote.
      return {
        ok: false,
        entries: entries.length,
        brokenAt: entry.sequence,
        problem: 'a record written without the audit key (the chain was recomputed, or predates keys)',
      };
    }
    if (entry.sequence !== index + 1)
      return {
        ok: false,
        entries: entries.length,
        brokenAt: entry.sequence,
        problem: `sequence ${entry.sequence} where ${index + 1} was expected (a record is missing)`,
      };
    if (entry.previousHash !== previous)
      return {
        ok: false,
        entries: entries.length,
        brokenAt: entry.sequence,
        problem: 'link to the previous record does not match',
      };
    const { hash, ...rest } = entry;
    if (entryHash(rest, key) !== hash)
      return {
        ok: false,
        entries: entries.length,
        brokenAt: entry.sequence,
        problem: 'record content does not match its hash (edited)',
      };
    previous = hash;
  }
  if (head) {
    const last = entries.at(-1);
    if ((last?.sequence ?? 0) !== head.sequence || (last?.hash ?? GENESIS) !== head.hash) {
      return {
        ok: false,
        entries: entries.length,
        brokenAt: (last?.sequence ?? 0) + 1,
        problem: `the chain ends at ${last?.sequence ?? 0} but its head records ${head.sequence} entries (records were removed)`,
      };
    }
  }
  if (anchor) {
    // The anchor lags the head by at most the appends whose anchoring failed; it never leads it.
    const at = entries[anchor.sequence - 1];
    if (anchor.sequence > entries.length || at?.hash !== anchor.hash) {
      return {
        ok: false,
        entries: entries.length,
        brokenAt: Math.min(anchor.sequence, entries.length + 1),
        problem:
          anchor.sequence > entries.length
            ? `the chain has ${entries.length} records but its anchor outside the table records ${anchor.sequence} (records were removed or the chain cut short)`
            : `record ${anchor.sequence} is not the one anchored outside the table (the chain was rewritten)`,
      };
    }
  }
  return { ok: true, entries: entries.length };
}

/** An append asked for and not yet settled: what it records, and whom to tell. */
interface PendingAppend {
  entry: Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'details'>;
  alsoWrite: readonly TransactItem[] | ((entry: AuditEntry) => readonly TransactItem[]);
  resolve: (entry: AuditEntry) => void;
  reject: (error: unknown) => void;
  /** Written in a transaction of its own (a shared one failed for a reason no reason names). */
  alone?: boolean;
}

/** A community's chain as this process appends to it: the appends waiting, in order, and the head it left. */
interface ChainInProcess {
  waiting: PendingAppend[];
  /** A turn is being taken: the appends asked for meanwhile wait for the next. */
  busy: boolean;
  /** The head this process's last append wrote (only while remembering heads; cleared on any failure). */
  head?: AuditHead;
}

const chainsInProcess = new WeakMap<Table, Map<string, ChainInProcess>>();
let rememberHeads = false;

/**
 * Lets an append start from the head this process's previous append of the community wrote instead of
 * reading it again (the local runtime: a single process writes almost every entry; not a Lambda, whose
 * next invocation would mostly find the head moved by another). Exactly as safe as the read: the append's
 * transaction holds only while the head is still that sequence and hash, and when another writer moved
 * it the head is read and the append made again at once.
 */
export function rememberAuditHeads(on = true): void {
  rememberHeads = on;
}

function chainInProcess(table: Table, communityId: string): ChainInProcess {
  let chains = chainsInProcess.get(table);
  if (!chains) {
    chains = new Map();
    chainsInProcess.set(table, chains);
  }
  let chain = chains.get(communityId);
  if (!chain) {
    chain = { waiting: [], busy: false };
    chains.set(communityId, chain);
  }
  return chain;
}

/** DynamoDB's limits on one TransactWriteItems: 100 actions and 4 MB in all (kept well under). */
const TRANSACTION_ACTIONS = 100;
const TRANSACTION_BYTES = 3_000_000;

/** The item an action touches: DynamoDB refuses a transaction that touches one twice. */
function itemOf(action: TransactItem): string {
  const op = action.Put ?? action.Update ?? action.Delete ?? action.ConditionCheck;
  const key = ((op as { Item?: Record<string, unknown> }).Item ??
    (op as { Key?: Record<string, unknown> }).Key ??
    {}) as Record<string, unknown>;
  return JSON.stringify([key.pk, key.sk]);
}

/** Appends laid out as one transaction: entries, then the head, then each change (a shared check once). */
interface Layout {
  members: PendingAppend[];
  entries: AuditEntry[];
  items: TransactItem[];
  /** For each member, the positions of its changes in `items`, in the order it gave them. */
  positions: number[][];
  /** The appends that did not fit (an item touched twice, or a limit): they wait for the next turn. */
  deferred: PendingAppend[];
}

/**
 * As many of `pending` (from the first, in order) as one transaction takes, chained onto `tail`. An
 * identical condition check on one item, as every §9.1 call of a month makes on its window, is made once
 * for all who ask it; any other item touched twice ends the group there, so appends that touch one item
 * are committed one after the other as before, and in each transaction every condition is evaluated on
 * what was stored before it — the same as one at a time, since no other action of it touches that item.
 */
function layOut(
  pendingAppends: readonly PendingAppend[],
  pk: string,
  tail: AuditHead | undefined,
  key: Buffer | undefined,
): Layout {
  const layout: Layout = { members: [], entries: [], items: [], positions: [], deferred: [] };
  const changes: TransactItem[] = [];
  // The head is the group's own: a change of it is never another's to share.
  const touched = new Map<string, { check?: string; at?: number }>([[JSON.stringify([pk, HEAD_SK]), {}]]);
  let previous = tail;
  let bytes = 0;
  for (let i = 0; i < pendingAppends.length; i++) {
    const pending = pendingAppends[i]!;
    if (layout.members.length > 0 && (pending.alone || layout.members[0]!.alone)) {
      layout.deferred = pendingAppends.slice(i);
      break;
    }
    const body = {
      sequence: (previous?.sequence ?? 0) + 1,
      at: new Date().toISOString(),
      ...pending.entry,
      previousHash: previous?.hash ?? GENESIS,
      ...(key ? { mac: 'hmac-sha256' as const } : {}),
    };
    const full: AuditEntry = { ...body, hash: entryHash(body, key) };
    const own = typeof pending.alsoWrite === 'function' ? pending.alsoWrite(full) : pending.alsoWrite;
    // Where each of its changes goes: a new item at the next position, a check already in it at its own.
    const positions: number[] = [];
    const added = new Map<string, { check?: string; at?: number; change: TransactItem }>();
    let fits = true;
    let ownBytes = Buffer.byteLength(JSON.stringify(full), 'utf8');
    for (const change of own) {
      const item = itemOf(change);
      const check = change.ConditionCheck ? JSON.stringify(change.ConditionCheck) : undefined;
      const seen = touched.get(item) ?? added.get(item);
      if (seen) {
        if (check === undefined || seen.check !== check || seen.at === undefined) {
          fits = false;
          break;
        }
        positions.push(seen.at);
        continue;
      }
      const at = changes.length + added.size;
      added.set(item, { ...(check ? { check } : {}), at, change });
      positions.push(at);
      ownBytes += Buffer.byteLength(JSON.stringify(change), 'utf8');
    }
    const actions = layout.members.length + 2 + changes.length + added.size;
    if (
      layout.members.length > 0 &&
      (!fits || actions > TRANSACTION_ACTIONS || bytes + ownBytes > TRANSACTION_BYTES)
    ) {
      layout.deferred = pendingAppends.slice(i);
      break;
    }
    for (const [item, placed] of added) {
      touched.set(item, placed);
      changes.push(placed.change);
    }
    bytes += ownBytes;
    layout.members.push(pending);
    layout.entries.push(full);
    layout.positions.push(positions);
    previous = { sequence: full.sequence, hash: full.hash };
  }
  const last = layout.entries.at(-1)!;
  const offset = layout.members.length + 1;
  layout.items = [
    ...layout.entries.map(
      (full): TransactItem => ({
        Put: {
          Item: { pk, sk: keys.auditEntry(full.sequence), type: 'Audit', ...full },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      }),
    ),
    {
      Put: {
        Item: { pk, sk: HEAD_SK, type: 'AuditHead', sequence: last.sequence, hash: last.hash },
        // The head this group chains onto, still there: its sequence and its hash.
        ConditionExpression: tail ? '#seq = :previous AND #hash = :hash' : 'attribute_not_exists(pk)',
        ...(tail
          ? {
              ExpressionAttributeNames: { '#seq': 'sequence', '#hash': 'hash' },
              ExpressionAttributeValues: { ':previous': tail.sequence, ':hash': tail.hash },
            }
          : {}),
      },
    },
    ...changes,
  ];
  layout.positions = layout.positions.map((positions) => positions.map((p) => p + offset));
  return layout;
}

export class AuditRepository {
  constructor(private readonly table: Table) {}

  /**
   * Appends an entry, and with `alsoWrite` the state change it records in the same transaction: if a
   * condition of the state change fails, nothing is written and StoreError('conditional_failed') says so
   * (`details.reasons` from DynamoDB, one for each of its changes); contention on the chain's head is
   * retried. Appends of one community made by this process take turns, in the order they were asked for:
   * the callers may run concurrently (a department's submission beside another's) without racing each
   * other for the head — other processes are still met by the head's condition, as before. The appends
   * asked for while a turn is being taken are written together in the next turn, in one transaction,
   * each entry with its own change (a month's §9.1 submissions: one transaction instead of thirty); a
   * change refused fails only its own append, and the others are written without it.
   */
  async append(
    communityId: string,
    entry: Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'details'>,
    /** The change this entry records; a function of the entry when the change names its position. */
    alsoWrite: readonly TransactItem[] | ((entry: AuditEntry) => readonly TransactItem[]) = [],
  ): Promise<AuditEntry> {
    const chain = chainInProcess(this.table, communityId);
    return new Promise<AuditEntry>((resolve, reject) => {
      chain.waiting.push({ entry, alsoWrite, resolve, reject });
      if (chain.busy) return;
      // The first turn starts once this turn of the event loop has run: appends asked for in the same
      // turn (a month's submissions, each after the same shared reads) are written together at once,
      // not the first alone and the rest after it.
      chain.busy = true;
      setImmediate(() => void this.takeTurns(chain, communityId));
    });
  }

  /** Turns until nothing waits: each writes the appends waiting when it starts (as many as fit). */
  private async takeTurns(chain: ChainInProcess, communityId: string): Promise<void> {
    try {
      while (chain.waiting.length > 0) {
        const turn = chain.waiting.splice(0);
        let deferred: PendingAppend[] = [];
        try {
          deferred = await this.appendTogether(chain, communityId, turn);
        } catch (error) {
          for (const pending of turn) pending.reject(error);
        }
        chain.waiting.unshift(...deferred);
      }
    } finally {
      chain.busy = false;
    }
  }

  /**
   * Writes the first of `pendingAppends` that fit one transaction and settles each of them; gives back
   * the rest. An append's entry and its change commit together or not at all, as when written alone.
   */
  private async appendTogether(
    chain: ChainInProcess,
    communityId: string,
    pendingAppends: readonly PendingAppend[],
  ): Promise<PendingAppend[]> {
    const pk = keys.audit(communityId);
    const { key } = await auditSecrets();
    let known = rememberHeads ? chain.head : undefined;
    chain.head = undefined;
    let pending = [...pendingAppends];
    for (let attempt = 0; attempt < 20; attempt++) {
      const remembered = known !== undefined;
      const head = known ?? (await this.head(communityId));
      known = undefined;
      // A trail written before heads existed: chain onto its last entry and create the head with it.
      const tail = head ?? (await this.lastEntry(communityId));
      const layout = layOut(pending, pk, tail, key);
      const headAt = layout.members.length;
      try {
        await this.table.transact(layout.items);
      } catch (error) {
        if (!isStoreError(error, 'transaction_cancelled')) {
          if (layout.members.length === 1) {
            layout.members[0]!.reject(error);
            return layout.deferred;
          }
          // Refused as a whole for a reason no action names: each append in a transaction of its own.
          return [...layout.members.map((m) => ({ ...m, alone: true })), ...layout.deferred];
        }
        const reasons = (error.details.reasons ?? []) as { Code?: string }[];
        const failed = (at: number) => reasons[at]?.Code === 'ConditionalCheckFailed';
        // The remembered head moved (another process appended): read it and append again at once. A
        // change named by the entry's position may have failed only because that position was stale.
        if (remembered && failed(headAt)) {
          pending = [...layout.members, ...layout.deferred];
          continue;
        }
        const refused = layout.members.filter((_, i) => layout.positions[i]!.some(failed));
        if (refused.length > 0) {
          layout.members.forEach((member, i) => {
            if (!refused.includes(member)) return;
            const own = layout.positions[i]!.map((at) => reasons[at] ?? { Code: 'None' });
            member.reject(
              new StoreError(
                'conditional_failed',
                `${member.entry.action} ${member.entry.subject}: the change it records was refused`,
                { cause: error, details: { reasons: own } },
              ),
            );
          });
          pending = [...layout.members.filter((m) => !refused.includes(m)), ...layout.deferred];
          if (pending.length === 0) return [];
          // The others were refused only beside them: again at once, on the same head if it held.
          if (!failed(headAt) && !layout.entries.some((_, i) => failed(i))) known = head;
          continue;
        }
        // Another writer appended first: read the new head and chain onto it.
        pending = [...layout.members, ...layout.deferred];
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
        continue;
      }
      const last = layout.entries.at(-1)!;
      await this.anchor(communityId, { sequence: last.sequence, hash: last.hash });
      if (rememberHeads) chain.head = { sequence: last.sequence, hash: last.hash };
      layout.members.forEach((member, i) => {
        member.resolve(layout.entries[i]!);
      });
      return layout.deferred;
    }
    const contended = new Error(`audit trail of ${communityId} is too contended; try again`);
    for (const member of pending) member.reject(contended);
    return [];
  }

  /**
   * Moves the anchor outside the table to the new head. Best effort: the entry and its change are
   * committed; a failed anchoring leaves the anchor behind, which the next append moves on.
   */
  private async anchor(communityId: string, head: AuditHead): Promise<void> {
    const { anchor } = await auditSecrets();
    if (!anchor) return;
    try {
      await anchor.write(communityId, head);
    } catch (error) {
      console.error(`audit anchor ${anchor.where}: ${(error as Error).message}`);
    }
  }

  private async lastEntry(communityId: string): Promise<AuditHead | undefined> {
    const [last] = await this.table.queryPrefix<AuditEntry & { sk: string }>(keys.audit(communityId), '', {
      descending: true,
      limit: 1,
    });
    return last && last.sk !== HEAD_SK ? { sequence: last.sequence, hash: last.hash } : undefined;
  }

  async head(communityId: string): Promise<AuditHead | undefined> {
    const item = await this.table.get<AuditHead>({ pk: keys.audit(communityId), sk: HEAD_SK });
    return item ? { sequence: item.sequence, hash: item.hash } : undefined;
  }

  /** Checks the whole chain against its head and against the anchor outside the table. */
  async verify(communityId: string): Promise<ChainCheck & { anchored?: string }> {
    return (await this.read(communityId)).check;
  }

  /** The entries and their check, from one read of the trail (for callers that need both). */
  async read(
    communityId: string,
  ): Promise<{ check: ChainCheck & { anchored?: string }; entries: AuditEntry[] }> {
    const { key, anchor: anchors } = await auditSecrets();
    const [entries, head, anchor] = await Promise.all([
      this.entries(communityId),
      this.head(communityId),
      anchors?.read(communityId),
    ]);
    const check = verifyChain(entries, head ?? { sequence: 0, hash: GENESIS }, anchor, key);
    return { check: anchors ? { ...check, anchored: anchors.where } : check, entries };
  }

  async entries(communityId: string): Promise<AuditEntry[]> {
    const items = await this.table.queryPrefix<AuditEntry & { pk: string; sk: string; type: string }>(
      keys.audit(communityId),
    );
    return items.filter((i) => i.sk !== HEAD_SK).map(({ pk: _pk, sk: _sk, type: _type, ...entry }) => entry);
  }
}
