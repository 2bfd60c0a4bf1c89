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

export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const canonical = JSON.stringify([entry.sequence, entry.at, entry.actor, entry.action, entry.subject, entry.details, entry.previousHash]);
  return createHash('sha256').update(canonical).digest('hex');
}

export interface ChainCheck {
  ok: boolean;
  entries: number;
  /** The first entry whose hash or link does not hold. */
  brokenAt?: number;
  problem?: string;
}

export function verifyChain(entries: readonly AuditEntry[]): ChainCheck {
  let previous = GENESIS;
  for (const [index, entry] of entries.entries()) {
    if (entry.sequence !== index + 1) return { ok: false, entries: entries.length, brokenAt: entry.sequence, problem: `sequence ${entry.sequence} where ${index + 1} was expected (a record is missing)` };
    if (entry.previousHash !== previous) return { ok: false, entries: entries.length, brokenAt: entry.sequence, problem: 'link to the previous record does not match' };
    const { hash, ...rest } = entry;
    if (entryHash(rest) !== hash) return { ok: false, entries: entries.length, brokenAt: entry.sequence, problem: 'record content does not match its hash (edited)' };
    previous = hash;
  }
  return { ok: true, entries: entries.length };
}

export class AuditRepository {
  constructor(private readonly table: Table) {}

  async append(communityId: string, entry: Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'details'>): Promise<AuditEntry> {
    const pk = keys.audit(communityId);
    for (let attempt = 0; attempt < 20; attempt++) {
      const [last] = await this.table.queryPrefix<AuditEntry>(pk, '', { descending: true, limit: 1 });
      const body = {
        sequence: (last?.sequence ?? 0) + 1,
        at: new Date().toISOString(),
        ...entry,
        previousHash: last?.hash ?? GENESIS,
      };
      const full: AuditEntry = { ...body, hash: entryHash(body) };
      try {
        await this.table.put({ pk, sk: keys.auditEntry(full.sequence), type: 'Audit', ...full }, { ConditionExpression: 'attribute_not_exists(pk)' });
        return full;
      } catch (error) {
        // Another writer took this sequence number: read the new tail and chain onto it.
        if (!isStoreError(error, 'conditional_failed')) throw error;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
      }
    }
    throw new Error(`audit trail of ${communityId} is too contended; try again`);
  }

  async entries(communityId: string): Promise<AuditEntry[]> {
    const items = await this.table.queryPrefix<AuditEntry & { pk: string; sk: string; type: string }>(keys.audit(communityId));
    return items.map(({ pk: _pk, sk: _sk, type: _type, ...entry }) => entry);
  }
}
