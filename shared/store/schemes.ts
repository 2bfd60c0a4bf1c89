/**
 * Scheme versions of a community's year (考核方案: draft → submitted → approved → published) and the
 * pointer to the one published. Every transition is a conditional write on the status the caller read,
 * so two users acting at once cannot both move one version.
 */
import type { Indicator, Scheme } from '../schemas/dataset.js';
import { decode, encode } from './codec.js';
import { isStoreError } from './errors.js';
import { keys } from './keys.js';
import type { Table, TransactItem } from './store.js';

export const SCHEME_STATUSES = [
  'draft',
  'submitted',
  'approved',
  'rejected',
  'published',
  'superseded',
] as const;
export type SchemeStatus = (typeof SCHEME_STATUSES)[number];

export interface SchemeVersion {
  communityId: string;
  year: number;
  version: number;
  status: SchemeStatus;
  scheme: Scheme;
  indicators: Indicator[];
  /** Short content hash of {scheme, indicators}. */
  hash: string;
  /** The version it was drafted from (null: drafted from the scheme of the imported dataset). */
  basedOn: number | null;
  createdBy: string;
  createdAt: string;
  /** Who last changed the draft's content: with createdBy, never the approver (four eyes). */
  editedBy: string[];
  updatedAt: string;
  submittedBy?: string;
  submittedAt?: string;
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
  publishedBy?: string;
  publishedAt?: string;
  /** The dataset version written when it was published onto an imported year. */
  datasetVersion?: number;
}

export interface PublishedScheme {
  communityId: string;
  year: number;
  version: number;
  hash: string;
  publishedBy: string;
  publishedAt: string;
}

const pad = (n: number) => String(n).padStart(4, '0');
const schemeKey = (communityId: string, year: number, version: number) => ({
  pk: keys.community(communityId),
  sk: `SCHEME#${year}#v${pad(version)}`,
});
const versionPrefix = (year: number) => `SCHEME#${year}#v`;
const publishedKey = (communityId: string, year: number) => ({
  pk: keys.community(communityId),
  sk: `SCHEME#${year}#PUBLISHED`,
});

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  return rest as T;
}

/** The scheme and indicators are kept as one JSON string: exactly as drafted (key order, empty cells). */
function toItem(record: SchemeVersion) {
  const { scheme, indicators, ...rest } = record;
  return {
    ...schemeKey(record.communityId, record.year, record.version),
    type: 'SchemeVersion',
    ...rest,
    content: encode({ scheme, indicators }),
  };
}

function fromItem(item: Record<string, unknown>): SchemeVersion {
  const { content, ...rest } = strip<Omit<SchemeVersion, 'scheme' | 'indicators'> & { content: string }>(
    item,
  );
  return { ...rest, ...decode<Pick<SchemeVersion, 'scheme' | 'indicators'>>(content) };
}

export class SchemeRepository {
  constructor(private readonly table: Table) {}

  async get(communityId: string, year: number, version: number): Promise<SchemeVersion | undefined> {
    const item = await this.table.get(schemeKey(communityId, year, version));
    return item ? fromItem(item) : undefined;
  }

  async list(communityId: string, year: number): Promise<SchemeVersion[]> {
    const items = await this.table.queryPrefix(keys.community(communityId), versionPrefix(year));
    return items.map(fromItem);
  }

  async published(communityId: string, year: number): Promise<PublishedScheme | undefined> {
    const item = await this.table.get(publishedKey(communityId, year));
    return item ? strip<PublishedScheme>(item) : undefined;
  }

  /**
   * Writes a new draft under the next free version number. `write` commits the draft's put with what
   * records it (the audit entry) and returns false when the put's condition failed (the number was taken).
   */
  async createDraft(
    draft: Omit<SchemeVersion, 'version' | 'status' | 'updatedAt' | 'editedBy'>,
    write: (items: readonly TransactItem[], record: SchemeVersion) => Promise<boolean>,
  ): Promise<SchemeVersion> {
    const [newest] = await this.table.queryPrefix<{ version: number }>(
      keys.community(draft.communityId),
      versionPrefix(draft.year),
      { descending: true, limit: 1 },
    );
    const first = (newest?.version ?? 0) + 1;
    for (let version = first; version < first + 50; version++) {
      const record: SchemeVersion = {
        ...draft,
        version,
        status: 'draft',
        editedBy: [draft.createdBy],
        updatedAt: draft.createdAt,
      };
      const put: TransactItem = {
        Put: { Item: toItem(record), ConditionExpression: 'attribute_not_exists(pk)' },
      };
      if (await write([put], record)) return record;
    }
    throw new Error(`scheme versions of ${draft.communityId} ${draft.year} are too contended; try again`);
  }

  /** The action that replaces a version's record if it still has the status and content hash the caller read. */
  transitionItem(previous: Pick<SchemeVersion, 'status' | 'hash'>, next: SchemeVersion): TransactItem {
    return {
      Put: {
        Item: toItem(next),
        ConditionExpression: '#status = :status AND #hash = :hash',
        ExpressionAttributeNames: { '#status': 'status', '#hash': 'hash' },
        ExpressionAttributeValues: { ':status': previous.status, ':hash': previous.hash },
      },
    };
  }

  /** transitionItem on its own (bookkeeping that records nothing); false when someone moved the version first. */
  async transition(previous: Pick<SchemeVersion, 'status' | 'hash'>, next: SchemeVersion): Promise<boolean> {
    try {
      await this.table.transact([this.transitionItem(previous, next)]);
      return true;
    } catch (error) {
      if (isStoreError(error, 'transaction_cancelled')) return false;
      throw error;
    }
  }

  /** The transaction action that points the year at `published`, if the pointer is still `expected`. */
  publishPointer(published: PublishedScheme, expected: number | undefined): TransactItem {
    return {
      Put: {
        Item: {
          ...publishedKey(published.communityId, published.year),
          type: 'SchemePublished',
          ...published,
        },
        ConditionExpression:
          expected === undefined
            ? 'attribute_not_exists(pk)'
            : 'attribute_exists(pk) AND version = :expected',
        ...(expected === undefined ? {} : { ExpressionAttributeValues: { ':expected': expected } }),
      },
    };
  }

  /** The action that marks the version published before as superseded. */
  supersede(communityId: string, year: number, version: number): TransactItem {
    return {
      Update: {
        Key: schemeKey(communityId, year, version),
        UpdateExpression: 'SET #status = :superseded',
        ConditionExpression: '#status = :published',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':superseded': 'superseded', ':published': 'published' },
      },
    };
  }
}
