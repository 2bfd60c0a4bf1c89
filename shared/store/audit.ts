/**
 * The audit trail: every import, start, approval, rejection and export appends an entry whose hash
 * covers the previous entry's hash, so an edited or removed record breaks the chain.
 */
import { createHash } from 'node:crypto';
import { isStoreError } from './errors.js';
import { keys } from './keys.js';
import type { Table } from './store.js';

export interface AuditEntry {
  sequence: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  previousHash: string;
  hash: string;
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

export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const canonical = canonicalJson([
    entry.sequence,
    entry.at,
    entry.actor,
    entry.action,
    entry.subject,
    entry.details,
    entry.previousHash,
  ]);
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

export function verifyChain(entries: readonly AuditEntry[], head?: AuditHead): ChainCheck {
  let previous = GENESIS;
  for (const [index, entry] of entries.entries()) {
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
    if (entryHash(rest) !== hash)
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
  return { ok: true, entries: entries.length };
}

export class AuditRepository {
  constructor(private readonly table: Table) {}

  async append(
    communityId: string,
    entry: Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'details'>,
  ): Promise<AuditEntry> {
    const pk = keys.audit(communityId);
    for (let attempt = 0; attempt < 20; attempt++) {
      const head = await this.head(communityId);
      // A trail written before heads existed: chain onto its last entry and create the head with it.
      const tail = head ?? (await this.lastEntry(communityId));
      const body = {
        sequence: (tail?.sequence ?? 0) + 1,
        at: new Date().toISOString(),
        ...entry,
        previousHash: tail?.hash ?? GENESIS,
      };
      const full: AuditEntry = { ...body, hash: entryHash(body) };
      try {
        await this.table.transact([
          {
            Put: {
              Item: { pk, sk: keys.auditEntry(full.sequence), type: 'Audit', ...full },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              Item: { pk, sk: HEAD_SK, type: 'AuditHead', sequence: full.sequence, hash: full.hash },
              ConditionExpression: head ? '#seq = :previous' : 'attribute_not_exists(pk)',
              ...(head
                ? {
                    ExpressionAttributeNames: { '#seq': 'sequence' },
                    ExpressionAttributeValues: { ':previous': head.sequence },
                  }
                : {}),
            },
          },
        ]);
        return full;
      } catch (error) {
        // Another writer appended first: read the new head and chain onto it.
        if (!isStoreError(error, 'transaction_cancelled')) throw error;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
      }
    }
    throw new Error(`audit trail of ${communityId} is too contended; try again`);
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

  /** Checks the whole chain against its head. */
  async verify(communityId: string): Promise<ChainCheck> {
    const [entries, head] = await Promise.all([this.entries(communityId), this.head(communityId)]);
    return verifyChain(entries, head ?? { sequence: 0, hash: GENESIS });
  }

  async entries(communityId: string): Promise<AuditEntry[]> {
    const items = await this.table.queryPrefix<AuditEntry & { pk: string; sk: string; type: string }>(
      keys.audit(communityId),
    );
    return items.filter((i) => i.sk !== HEAD_SK).map(({ pk: _pk, sk: _sk, type: _type, ...entry }) => entry);
  }
}
