/**
 * Publication (公示) of a completed bulletin or annual result: the window in which member institutions and
 * staff see it (and may object). One item per period, `PUBLICATION#{kind}#{period}` under the community;
 * publishing again replaces the window (each publication is in the audit trail).
 */
import { keys } from './keys.js';
import type { Table } from './store.js';

export interface Publication {
  communityId: string;
  kind: 'quarterly' | 'annual';
  period: string;
  /** The cycle revision published. */
  revision: number;
  /** ISO date-times: the window opens at `from` and closes at `to`. */
  from: string;
  to: string;
  publishedBy: string;
  publishedAt: string;
}

export class PublicationRepository {
  constructor(private readonly table: Table) {}

  async put(publication: Publication): Promise<void> {
    await this.table.put({
      ...keys.publication(publication.communityId, publication.kind, publication.period),
      type: 'Publication',
      ...publication,
    });
  }

  async get(communityId: string, kind: string, period: string): Promise<Publication | undefined> {
    const item = await this.table.get<Publication & { pk?: string; sk?: string; type?: string }>(
      keys.publication(communityId, kind, period),
    );
    return item ? strip(item) : undefined;
  }

  async list(communityId: string): Promise<Publication[]> {
    const items = await this.table.queryPrefix<Publication & { pk?: string; sk?: string; type?: string }>(
      keys.community(communityId),
      keys.publicationPrefix(),
    );
    return items.map(strip);
  }
}

function strip(item: Publication & { pk?: string; sk?: string; type?: string }): Publication {
  const { pk: _pk, sk: _sk, type: _type, ...publication } = item;
  return publication;
}
