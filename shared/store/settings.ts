/**
 * A community's settings: the item `SETTINGS` under the community holds the bank-file format HR's
 * `export bank` uses when none is named (issue 16: "chosen per community") and the community's own formats
 * (JSON descriptions, shared/export/bank-formats.ts). Each institution's payer account lives beside it in
 * 16 shard items `SETTINGS#PAYERS#00…15` (by a hash of the institution id): a province's 3,100 institutions
 * would not fit one 400 KB item, and a change rewrites only the shards it touches. A `revision` on
 * `SETTINGS` guards every change — of the format or of payer accounts — and the change is written in the
 * transaction of its audit entry (shared/app/bank-export.ts).
 */
import { keys } from './keys.js';
import type { Table, TransactItem } from './store.js';

export interface CommunitySettings {
  communityId: string;
  /** The bank format's name (a preset's or one of `bankFormats`); absent: HR's CSV copy. */
  bankFormat?: string;
  /** The community's own bank formats, as JSON text each (read with parseBankFormat). */
  bankFormats?: string[];
  /** 0 before the first change. */
  revision: number;
  /** Who chose the bank format last, and when. */
  updatedBy?: string;
  updatedAt?: string;
}

/** The account an institution's pay leaves from (付款账户: account, 户名 name, 开户行 bank), and who set it. */
export interface StoredPayerAccount {
  account: string;
  name: string;
  bank: string;
  nonCard?: boolean;
  setBy?: string;
  setAt?: string;
}

const SETTINGS_SK = 'SETTINGS';
const PAYER_SHARD_PREFIX = 'SETTINGS#PAYERS#';
const PAYER_SHARDS = 16;

const settingsKey = (communityId: string) => ({ pk: keys.community(communityId), sk: SETTINGS_SK });

/** The shard of an institution: FNV-1a of its id (UTF-16 code units), stable across releases. */
export function payerShard(institutionId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < institutionId.length; i++) {
    hash ^= institutionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return String(hash % PAYER_SHARDS).padStart(2, '0');
}

export class SettingRepository {
  constructor(private readonly table: Table) {}

  async get(communityId: string): Promise<CommunitySettings> {
    const item = await this.table.get<CommunitySettings & { pk: string; sk: string; type: string }>(
      settingsKey(communityId),
    );
    if (!item) return { communityId, revision: 0 };
    const { pk: _pk, sk: _sk, type: _type, ...settings } = item;
    return settings;
  }

  /** institutionId → payer account, every shard read in one (paginated) query. */
  async payerAccounts(communityId: string): Promise<Record<string, StoredPayerAccount>> {
    const shards = await this.table.queryPrefix<{ payers?: Record<string, StoredPayerAccount> }>(
      keys.community(communityId),
      PAYER_SHARD_PREFIX,
    );
    return Object.assign({}, ...shards.map((s) => s.payers ?? {}));
  }

  /** The write of `next`, refused in its transaction if someone changed the settings since `read`. */
  putItem(read: CommunitySettings, next: CommunitySettings): TransactItem {
    return {
      Put: {
        Item: { ...settingsKey(read.communityId), type: 'CommunitySettings', ...next },
        ConditionExpression: read.revision === 0 ? 'attribute_not_exists(pk)' : '#revision = :revision',
        ...(read.revision === 0
          ? {}
          : {
              ExpressionAttributeNames: { '#revision': 'revision' },
              ExpressionAttributeValues: { ':revision': read.revision },
            }),
      },
    };
  }

  /**
   * The shard items to write so the payer accounts become `payers`, for the institutions `changed`: each
   * touched shard written whole. Goes in the transaction of `putItem` (whose revision guards them).
   */
  payerShardItems(
    communityId: string,
    payers: Readonly<Record<string, StoredPayerAccount>>,
    changed: readonly string[],
  ): TransactItem[] {
    const touched = [...new Set(changed.map(payerShard))].sort();
    return touched.map((shard) => ({
      Put: {
        Item: {
          pk: keys.community(communityId),
          sk: `${PAYER_SHARD_PREFIX}${shard}`,
          type: 'PayerAccounts',
          payers: Object.fromEntries(Object.entries(payers).filter(([id]) => payerShard(id) === shard)),
        },
      },
    }));
  }
}
