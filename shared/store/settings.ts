/**
 * A community's settings: one item, `SETTINGS` under the community. Today it holds the bank-file format
 * HR's `export bank` uses when none is named (issue 16: "chosen per community"), the community's own
 * formats (JSON descriptions, shared/export/bank-formats.ts) and each institution's payer account. A
 * `revision` guards every change, and the change is written in the transaction of its audit entry
 * (shared/app/bank-export.ts).
 */
import { keys } from './keys.js';
import type { Table, TransactItem } from './store.js';

export interface CommunitySettings {
  communityId: string;
  /** The bank format's name (a preset's or one of `bankFormats`); absent: HR's CSV copy. */
  bankFormat?: string;
  /** The community's own bank formats, as JSON text each (read with parseBankFormat). */
  bankFormats?: string[];
  /**
   * institutionId → the account its pay leaves from (付款账户: account, 户名 name, 开户行 bank, nonCard),
   * for formats that write one file per payer account (shared/export/bank-payers.ts).
   */
  payerAccounts?: Record<
    string,
    { account: string; name: string; bank: string; nonCard?: boolean; setBy?: string; setAt?: string }
  >;
  /** 0 before the first change. */
  revision: number;
  updatedBy?: string;
  updatedAt?: string;
}

const settingsKey = (communityId: string) => ({ pk: keys.community(communityId), sk: 'SETTINGS' });

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
}
