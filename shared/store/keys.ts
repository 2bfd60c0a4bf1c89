/**
 * Every key of the single table, built from business identity (community, dataset version, period,
 * institution) and never from mutable attributes. The access patterns are listed in README.md
 * ("Storage").
 */

export type CycleKind = 'monthly' | 'quarterly' | 'annual';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export const keys = {
  /** Community-level items: the current dataset pointer, dataset manifests, locks and cycles. */
  community: (communityId: string) => `COMMUNITY#${communityId}`,
  /** The last community imported — the CLI's default when none is named. */
  defaultCommunity: () => ({ pk: 'COMMUNITY#_', sk: 'DEFAULT' }),
  currentDataset: (communityId: string) => ({ pk: keys.community(communityId), sk: 'DATASET#CURRENT' }),
  datasetManifest: (communityId: string, version: number) => ({
    pk: keys.community(communityId),
    sk: `DATASET#${pad(version, 6)}`,
  }),
  /** One dataset version's parts live in their own partition, written once and never changed. */
  datasetPartition: (communityId: string, version: number) => `DS#${communityId}#${pad(version, 6)}`,
  monthPrefix: (period: string) => `MONTH#${period}#`,
  monthChunk: (period: string, institutionId: string, page: number) =>
    `MONTH#${period}#${institutionId}#${pad(page, 3)}`,
  monthInstitutionPrefix: (period: string, institutionId: string) => `MONTH#${period}#${institutionId}#`,
  rosterPage: (institutionId: string, page: number) => `ROSTER#${institutionId}#${pad(page, 3)}`,
  rosterPrefix: (institutionId: string) => `ROSTER#${institutionId}#`,
  lock: (communityId: string, period: string) => ({ pk: keys.community(communityId), sk: `LOCK#${period}` }),
  cycle: (communityId: string, kind: CycleKind, period: string) => ({
    pk: keys.community(communityId),
    sk: `CYCLE#${kind}#${period}`,
  }),
  /** A cycle revision's results: per-institution results, pay pages, bulletin, settlement, report. */
  results: (communityId: string, kind: CycleKind, period: string, revision: number) =>
    `RESULT#${communityId}#${kind}#${period}#r${pad(revision, 3)}`,
  institutionResult: (institutionId: string) => `INST#${institutionId}`,
  payPage: (institutionId: string, page: number) => `PAY#${institutionId}#${pad(page, 3)}`,
  payPrefix: (institutionId?: string) => (institutionId ? `PAY#${institutionId}#` : 'PAY#'),
  audit: (communityId: string) => `AUDIT#${communityId}`,
  auditEntry: (sequence: number) => pad(sequence, 12),
} as const;
