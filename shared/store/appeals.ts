/**
 * Appeals (申诉/复核, issue 14): a member institution contests a published indicator value or a person's pay
 * line during the publication window; the office accepts (opening a correction, DOMAIN.md §7.1) or rejects.
 * One item per appeal under the community, `APPEAL#{year}#{nnnn}`, numbered per year. Every write is a
 * transaction item the service commits together with its audit entry, conditional on what it read, so an
 * appeal is never filed or decided twice and never without its record in the trail.
 */

import type { CycleKind } from './keys.js';
import { keys } from './keys.js';
import type { Table, TransactItem } from './store.js';

export type AppealStatus = 'open' | 'accepted' | 'rejected';

/** What is contested: an indicator value of the institution, or one person's pay line. */
export type AppealTarget = { type: 'indicator'; indicatorId: string } | { type: 'person'; staffId: string };

export interface Appeal {
  communityId: string;
  /** `YYYY-nnnn`: the year and the appeal's number in it. */
  id: string;
  year: number;
  number: number;
  kind: CycleKind;
  period: string;
  institutionId: string;
  target: AppealTarget;
  reason: string;
  /** Names of the attachments the member holds (the files themselves stay with the member). */
  attachments: string[];
  filedBy: string;
  filedAt: string;
  status: AppealStatus;
  decision?: { accepted: boolean; by: string; at: string; reason: string };
  /** The correction an accepted appeal opened (its revision of the period). */
  correction?: { kind: 'monthly' | 'quarterly'; period: string; revision: number };
  version: number;
}

const pad = (n: number) => String(n).padStart(4, '0');
const appealKey = (communityId: string, year: number, number: number) => ({
  pk: keys.community(communityId),
  sk: `APPEAL#${year}#${pad(number)}`,
});
const yearPrefix = (year?: number) => (year === undefined ? 'APPEAL#' : `APPEAL#${year}#`);

export const appealId = (year: number, number: number) => `${year}-${pad(number)}`;

/** `2026-0003` → year and number; undefined when the id is not of that shape. */
export function parseAppealId(id: string): { year: number; number: number } | undefined {
  const match = /^(\d{4})-(\d{4})$/.exec(id);
  return match ? { year: Number(match[1]), number: Number(match[2]) } : undefined;
}

function strip(item: Record<string, unknown>): Appeal {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  return rest as unknown as Appeal;
}

export class AppealRepository {
  constructor(private readonly table: Table) {}

  async get(communityId: string, id: string): Promise<Appeal | undefined> {
    const parsed = parseAppealId(id);
    if (!parsed) return undefined;
    const item = await this.table.get(appealKey(communityId, parsed.year, parsed.number));
    return item ? strip(item) : undefined;
  }

  /** The appeals of a community (of one year), oldest first. */
  async list(communityId: string, year?: number): Promise<Appeal[]> {
    const items = await this.table.queryPrefix(keys.community(communityId), yearPrefix(year));
    return items.map(strip);
  }

  /** The number the next appeal of the year takes (the put's condition refuses it if taken meanwhile). */
  async nextNumber(communityId: string, year: number): Promise<number> {
    const [last] = await this.table.queryPrefix<{ number: number }>(
      keys.community(communityId),
      yearPrefix(year),
      { descending: true, limit: 1 },
    );
    return (last?.number ?? 0) + 1;
  }

  /** The put of a new appeal, refused if its number is taken. */
  fileAction(appeal: Appeal): TransactItem {
    return {
      Put: {
        Item: { ...appealKey(appeal.communityId, appeal.year, appeal.number), type: 'Appeal', ...appeal },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /** The decision on an open appeal, conditional on it being open at the version read. */
  decideAction(
    appeal: Appeal,
    decision: NonNullable<Appeal['decision']>,
    correction?: Appeal['correction'],
  ): TransactItem {
    return {
      Update: {
        Key: appealKey(appeal.communityId, appeal.year, appeal.number),
        UpdateExpression: `SET #status = :status, decision = :decision${correction ? ', correction = :correction' : ''} ADD version :one`,
        ConditionExpression: '#status = :open AND version = :version',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': decision.accepted ? 'accepted' : 'rejected',
          ':decision': decision,
          ':open': 'open',
          ':version': appeal.version,
          ':one': 1,
          ...(correction ? { ':correction': correction } : {}),
        },
      },
    };
  }
}
