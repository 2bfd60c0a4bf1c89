/**
 * Peer-group ranking for the quarterly bulletin (DOMAIN.md §7): county-level hospitals, primary care
 * (township, community, village) and centres are ranked separately, by score descending.
 */
import type { InstitutionKind } from '../schemas/dataset.js';
import type { Fraction } from './rational.js';

export type PeerGroup = 'county' | 'primary' | 'centre';

export function peerGroup(kind: InstitutionKind): PeerGroup {
  switch (kind) {
    case 'county_hospital':
    case 'county_tcm':
    case 'county_mch':
    case 'county_other':
      return 'county';
    case 'township':
    case 'community':
    case 'village':
      return 'primary';
    case 'public_health':
    case 'emergency':
      return 'centre';
  }
}

/**
 * Standard competition ranking ("1224") within each peer group on the rounded score: equal scores share
 * a rank and the next rank skips. Returns institution id → rank.
 */
export function rankWithinPeers(
  members: readonly { institutionId: string; kind: InstitutionKind; score: Fraction }[],
): Map<string, number> {
  const ranks = new Map<string, number>();
  const groups = new Map<PeerGroup, (typeof members)[number][]>();
  for (const m of members) {
    const g = peerGroup(m.kind);
    groups.set(g, [...(groups.get(g) ?? []), m]);
  }
  for (const group of groups.values()) {
    for (const m of group) {
      ranks.set(m.institutionId, 1 + group.filter((other) => other.score.compare(m.score) > 0).length);
    }
  }
  return ranks;
}
