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
  /** The registry of communities (shared/store/communities.ts): one entry per community. */
  communityEntry: (communityId: string) => ({ pk: 'COMMUNITY#_', sk: `COMMUNITY#${communityId}` }),
  communityEntryPrefix: () => 'COMMUNITY#',
  /** The current dataset version of one year: each year of a community has its own (years run side by side). */
  currentDataset: (communityId: string, year: number) => ({
    pk: keys.community(communityId),
    sk: `DATASET#CURRENT#${year}`,
  }),
  currentDatasetPrefix: () => 'DATASET#CURRENT#',
  /** The single pointer of the layout before years (read only, for data imported before). */
  legacyCurrentDataset: (communityId: string) => ({ pk: keys.community(communityId), sk: 'DATASET#CURRENT' }),
  /** Manifests sort by version under this prefix (pointers, `DATASET#CURRENT…`, sort after them). */
  datasetManifestPrefix: () => 'DATASET#0',
  /** An import run as a workflow (shared/store/imports.ts): its state, followed by whoever started it. */
  importJob: (id: string) => ({ pk: `IMPORTJOB#${id}`, sk: 'JOB' }),
  /** A job of the API's long work (shared/store/api-jobs.ts): one partition per job, read by its asker. */
  apiJob: (communityId: string, id: string) => ({ pk: `APIJOB#${communityId}#${id}`, sk: 'JOB' }),
  /** The import lease of a community's year: one import at a time, and no cycle start while one writes. */
  importLease: (communityId: string, year: number) => ({
    pk: keys.community(communityId),
    sk: `IMPORT#${year}`,
  }),
  datasetManifest: (communityId: string, version: number) => ({
    pk: keys.community(communityId),
    sk: `DATASET#${pad(version, 6)}`,
  }),
  /** One dataset version's parts live in their own partition, written once and never changed. */
  datasetPartition: (communityId: string, version: number) => `DS#${communityId}#${pad(version, 6)}`,
  /** Indexes of a version: which blob holds each institution's roster, and each institution's rows of a month. */
  indexPrefix: () => 'INDEX#',
  rosterIndex: (page: number) => `INDEX#ROSTER#${pad(page, 3)}`,
  rosterIndexPrefix: () => 'INDEX#ROSTER#',
  monthIndex: (period: string, page: number) => `INDEX#MONTH#${period}#${pad(page, 3)}`,
  monthIndexPrefix: (period: string) => `INDEX#MONTH#${period}#`,
  /** A version's withholding (deductions.csv) of a month, in pages; `DEDUCTIONS#` prefixes all of them. */
  deductions: (period: string, page: number) => `DEDUCTIONS#${period}#${pad(page, 3)}`,
  deductionsPrefix: (period = '') => `DEDUCTIONS#${period}${period === '' ? '' : '#'}`,
  /**
   * Rosters and months' rows, stored once per content (SHA-256 of their JSON) and shared by every version
   * that holds the same content: an import writes only what changed since the current version.
   */
  datasetBlobs: (communityId: string) => `DSBLOB#${communityId}`,
  /**
   * Layout 2 (shared/store/datasets.ts DATASET_LAYOUT): blobs spread over 256 partitions by the first byte
   * of their hash, so an import's writes and a cold cycle's reads do not all meet one key's throughput.
   */
  datasetBlobShard: (communityId: string, hash: string) => `DSBLOB#${communityId}#${hash.slice(0, 2)}`,
  /** The blobs a version wrote (hash and pages), in pages: what a sweep may remove if the version fails. */
  blobLog: (page: number) => `BLOBS#${pad(page, 3)}`,
  blobLogPrefix: () => 'BLOBS#',
  blobPage: (hash: string, page: number) => `${hash}#${pad(page, 3)}`,
  /** A period's lock: a month (YYYY-MM), a quarter (YYYY-Qn) or the year (YYYY); `LOCK#2026` prefixes a year's. */
  lock: (communityId: string, period: string) => ({ pk: keys.community(communityId), sk: `LOCK#${period}` }),
  lockPrefix: (year?: number) => (year === undefined ? 'LOCK#' : `LOCK#${year}`),
  /**
   * The pages of a month lock's per-institution maps when they are large (a province's: shared/store/cycles.ts),
   * one partition per period so the community's partition stays light; named by their content's hash.
   */
  lockPages: (communityId: string, period: string) => `LOCKPAGES#${communityId}#${period}`,
  /** A correction of a completed period (DOMAIN.md §7.1): its own revision of that period. */
  correction: (communityId: string, kind: CycleKind, period: string, revision: number) => ({
    pk: keys.community(communityId),
    sk: `CORRECTION#${kind}#${period}#r${pad(revision, 3)}`,
  }),
  correctionPrefix: () => 'CORRECTION#',
  /** A correction being computed (its revision taken, its version and results being written). */
  correctionRun: (communityId: string, kind: CycleKind, period: string, revision: number) => ({
    pk: keys.community(communityId),
    sk: `CORRECTING#${kind}#${period}#r${pad(revision, 3)}`,
  }),
  correctionRunPrefix: (kind: CycleKind, period: string) => `CORRECTING#${kind}#${period}#`,
  /** A due period the scheduler waits on for data (DOMAIN.md §7: it never acknowledges missing rows). */
  waiting: (communityId: string, kind: CycleKind, period: string) => ({
    pk: keys.community(communityId),
    sk: `WAITING#${kind}#${period}`,
  }),
  /** Which approved corrections post their differences into a month (written with the approval). */
  postings: (communityId: string, month: string) => ({
    pk: keys.community(communityId),
    sk: `POSTINGS#${month}`,
  }),
  cycle: (communityId: string, kind: CycleKind, period: string) => ({
    pk: keys.community(communityId),
    sk: `CYCLE#${kind}#${period}`,
  }),
  /** A cycle's large lists in pages (its acknowledged missing institutions at a province: shared/store/cycles.ts). */
  cyclePages: (communityId: string, kind: CycleKind, period: string) =>
    `CYCLEPAGES#${communityId}#${kind}#${period}`,
  /** Who is running (or starting) a cycle's current attempt: its run lease (shared/store/cycles.ts). */
  cycleRun: (communityId: string, kind: CycleKind, period: string) => ({
    pk: keys.community(communityId),
    sk: `RUN#${kind}#${period}`,
  }),
  /** A cycle revision's results: per-institution results, pay pages, bulletin, settlement, report. */
  results: (communityId: string, kind: CycleKind, period: string, revision: number) =>
    `RESULT#${communityId}#${kind}#${period}#r${pad(revision, 3)}`,
  /**
   * Results layout 2 (shared/store/results.ts): a revision's per-institution items (results, pay pages,
   * allocations, seal parts, write guards) spread over the shards its `LAYOUT` item names, by a hash of the
   * institution id; the documents, the seal and the layout item itself stay under `results`.
   */
  resultShard: (communityId: string, kind: CycleKind, period: string, revision: number, shard: number) =>
    `RESULT#${communityId}#${kind}#${period}#r${pad(revision, 3)}#${pad(shard, 3)}`,
  /**
   * A cycle revision's batches of institution ids, one partition per list (shared/store/batches.ts): the
   * Maps carry references to them, never the ids.
   */
  cycleBatches: (communityId: string, kind: CycleKind, period: string, revision: number, list: string) =>
    `BATCHES#${communityId}#${kind}#${period}#r${pad(revision, 3)}#${list}`,
  institutionResult: (institutionId: string) => `INST#${institutionId}`,
  payPage: (institutionId: string, page: number) => `PAY#${institutionId}#${pad(page, 3)}`,
  payPrefix: (institutionId?: string) => (institutionId ? `PAY#${institutionId}#` : 'PAY#'),
  /** Publication (公示) of a completed quarterly bulletin or annual result: its window. */
  publication: (communityId: string, kind: string, period: string) => ({
    pk: keys.community(communityId),
    sk: `PUBLICATION#${kind}#${period}`,
  }),
  publicationPrefix: () => 'PUBLICATION#',
  /** §9.1 manual mode: one monthly cycle revision's secondary-distribution window, drafts and submissions. */
  secondary: (communityId: string, period: string, revision: number) =>
    `SECONDARY#${communityId}#${period}#r${pad(revision, 3)}`,
  audit: (communityId: string) => `AUDIT#${communityId}`,
  auditEntry: (sequence: number) => pad(sequence, 12),
} as const;
