/**
 * Basic public-health funds (DOMAIN.md §6.3, 基本公卫经费): budgeted per resident, pre-allocated at year
 * start by service population, settled by the quality of public-health work.
 */
import type { Scheme } from '../schemas/dataset.js';
import { applyRate, type Fen, largestRemainderSplit, roundFen } from './money.js';
import { type Fraction, HUNDRED, min, ONE, rational } from './rational.js';

export interface PublicHealthMember {
  institutionId: string;
  servedPopulation: number;
  /** Exact public_health dimension score D, or null where no public_health indicator applies. */
  publicHealthScore: Fraction | null;
}

export interface PublicHealthRow {
  institutionId: string;
  base: Fen;
  preAllocated: Fen;
  entitlement: Fen;
  settlement: Fen;
  /** q = min(1, D/100); 1 where no public_health indicator applies. */
  quality: string;
  /** True where q defaulted to 1 because no public_health indicator applies (flagged on the report). */
  qualityDefaulted: boolean;
}

export interface PublicHealthSettlement {
  total: Fen;
  retainedByCommunity: Fen;
  rows: PublicHealthRow[];
}

export function settlePublicHealth(
  rules: Scheme['publicHealth'],
  residentPopulation: number,
  members: readonly PublicHealthMember[],
): PublicHealthSettlement {
  const total = rules.perCapita * residentPopulation;
  const bases =
    largestRemainderSplit(
      total,
      members.map((m) => ({ id: m.institutionId, weight: rational(m.servedPopulation) })),
    ) ?? new Map<string, Fen>();
  const rows = members.map((m) => {
    const base = bases.get(m.institutionId) ?? 0;
    const preAllocated = applyRate(base, rules.preAllocationRate);
    const quality = m.publicHealthScore === null ? ONE : min(ONE, m.publicHealthScore.div(HUNDRED));
    const entitlement = roundFen(rational(base).mul(quality));
    return {
      institutionId: m.institutionId,
      base,
      preAllocated,
      entitlement,
      settlement: entitlement - preAllocated,
      quality: quality.toFraction(),
      qualityDefaulted: m.publicHealthScore === null,
    };
  });
  return { total, retainedByCommunity: total - rows.reduce((a, r) => a + r.entitlement, 0), rows };
}
