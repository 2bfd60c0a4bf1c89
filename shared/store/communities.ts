/**
 * The communities of the deployment (issue 12 tenancy): one entry each under `COMMUNITY#_`, written in
 * the transaction that makes a community's imported dataset current, so the scheduler, the commission and
 * the API's 404 for an unknown community read them without a scan. Data imported before the registry
 * existed is known through the last-imported pointer (`COMMUNITY#_ / DEFAULT`) until its next import.
 */
import { keys } from './keys.js';
import type { Table, TransactItem } from './store.js';

export interface CommunityEntry {
  communityId: string;
}

/** The registration of a community, for the transaction that switches its dataset pointer. */
export function communityRegistration(communityId: string): TransactItem {
  return { Put: { Item: { ...keys.communityEntry(communityId), type: 'Community', communityId } } };
}

export class CommunityRepository {
  constructor(private readonly table: Table) {}

  /** Every community, by id. */
  async list(): Promise<CommunityEntry[]> {
    const [items, legacy] = await Promise.all([
      this.table.queryPrefix<CommunityEntry>(keys.communityEntry('').pk, keys.communityEntryPrefix()),
      this.table.get<{ communityId: string }>(keys.defaultCommunity()),
    ]);
    const entries = items.map((i) => ({ communityId: i.communityId }));
    if (legacy && !entries.some((e) => e.communityId === legacy.communityId))
      entries.push({ communityId: legacy.communityId });
    return entries.sort((a, b) =>
      a.communityId < b.communityId ? -1 : a.communityId > b.communityId ? 1 : 0,
    );
  }

  /** The community, or undefined when nothing was ever imported for it. */
  async get(communityId: string): Promise<CommunityEntry | undefined> {
    const item = await this.table.get<CommunityEntry>(keys.communityEntry(communityId));
    if (item) return { communityId: item.communityId };
    const legacy = await this.table.get<{ communityId: string }>(keys.defaultCommunity());
    return legacy?.communityId === communityId ? { communityId } : undefined;
  }
}
