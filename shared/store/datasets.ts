/**
 * Dataset versions: an import writes every part under a new version and only then switches the
 * community's current pointer, so a failed or interrupted import leaves the previous data current
 * and untouched. Versions are immutable, which also makes them safe to cache.
 *
 * The bulky parts — each institution's roster and each institution's rows of a month — are blobs named
 * by the SHA-256 of their JSON, kept once per community and referred to by each version's index. The
 * office imports the year so far every month; such an import writes only the blobs the current version
 * lacks (the new month, a changed roster), not the year again.
 */
import type {
  Adjustment,
  Dataset,
  Deduction,
  FinanceRow,
  Indicator,
  IndicatorValue,
  Institution,
  InsuranceRow,
  Leader,
  Scheme,
  Staff,
  WorkloadRow,
} from '../schemas/dataset.js';
import { type AuditEntry, AuditRepository } from './audit.js';
import { BATCH_WRITE_LIMIT, type BatchWrite, type Item, RequestSlots } from './batch.js';
import { contentHash, decode, encode, fullHashOfEncoded, pages } from './codec.js';
import { communityRegistration } from './communities.js';
import { isStoreError, StoreError } from './errors.js';
import { keys } from './keys.js';
import type { ImportLease } from './leases.js';
import { leaseHeld } from './leases.js';
import type { Table, TransactItem } from './store.js';

/** One institution's rows for one month. */
export interface MonthRows {
  workload: WorkloadRow[];
  values: IndicatorValue[];
  finance: FinanceRow[];
  adjustments: Adjustment[];
}

export interface DatasetPointer {
  communityId: string;
  version: number;
  importedAt: string;
  importedBy: string;
  year: number;
}

/**
 * The storage layout a version was written in, recorded on its manifest and on each of its index items
 * (which every read of a version's blobs reads anyway): 1 (unmarked) put every blob under one key
 * `DSBLOB#{c}`, cut rosters and months by row count and kept the institutions in one item; 2 spreads blobs
 * over 256 partitions by their hash's first byte (a city's import is ~67,000 WCU: one key takes ≥ 67 s on
 * AWS at 1,000 WCU/s, 256 keys well under a second), cuts every page by its encoded size and pages the
 * institutions, leaders and insurance lists. Versions of layout 1 are read as they are.
 */
export const DATASET_LAYOUT = 2;

/**
 * A page's JSON at most (UTF-8 bytes): with its keys and attribute names an item stays under 350 KB, far
 * from DynamoDB's 400 KB, however long a hospital's fields are.
 */
export const PAGE_DATA_BYTES = 349_000;

export const emptyMonth = (): MonthRows => ({ workload: [], values: [], finance: [], adjustments: [] });

/** `grouped[period][institutionId]`, made by `make` the first time (rows grouped by month, then institution). */
export function periodSlot<V>(
  grouped: Map<string, Map<string, V>>,
  period: string,
  institutionId: string,
  make: () => V,
): V {
  let byInstitution = grouped.get(period);
  if (!byInstitution) {
    byInstitution = new Map();
    grouped.set(period, byInstitution);
  }
  let value = byInstitution.get(institutionId);
  if (value === undefined) {
    value = make();
    byInstitution.set(institutionId, value);
  }
  return value;
}

/** Groups a dataset's monthly rows by period and institution (adjustments follow their staff member). */
export function monthRowsByInstitution(dataset: Dataset): Map<string, Map<string, MonthRows>> {
  const institutionOf = new Map(dataset.staff.map((s) => [s.staffId, s.institutionId]));
  const months = new Map<string, Map<string, MonthRows>>();
  const slot = (period: string, institutionId: string) =>
    periodSlot(months, period, institutionId, emptyMonth);
  for (const row of dataset.workload) slot(row.period, institutionOf.get(row.staffId)!).workload.push(row);
  for (const row of dataset.indicatorValues) slot(row.period, row.institutionId).values.push(row);
  for (const row of dataset.finance) slot(row.period, row.institutionId).finance.push(row);
  for (const row of dataset.adjustments)
    slot(row.period, institutionOf.get(row.staffId)!).adjustments.push(row);
  return months;
}

export const monthHash = (rows: MonthRows) => contentHash(rows);

export type LeaderWithInstitution = Leader & { institutionId: string };

function leadersWithInstitution(dataset: Dataset): LeaderWithInstitution[] {
  const institutionOf = new Map(dataset.staff.map((s) => [s.staffId, s.institutionId]));
  return dataset.leaders.map((l) => ({ ...l, institutionId: institutionOf.get(l.staffId)! }));
}

/** Roster headcount per institution (n_i of the community score and the insurance split). */
function headcounts(dataset: Dataset): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(dataset.institutions.map((i) => [i.id, 0]));
  for (const s of dataset.staff) counts[s.institutionId] = (counts[s.institutionId] ?? 0) + 1;
  return counts;
}

function rosterByInstitution(dataset: Dataset): Map<string, Staff[]> {
  const staffByInstitution = new Map<string, Staff[]>();
  for (const s of dataset.staff) {
    const list = staffByInstitution.get(s.institutionId);
    if (list) list.push(s);
    else staffByInstitution.set(s.institutionId, [s]);
  }
  return staffByInstitution;
}

/** Where an institution's roster or month is: the blob's hash (SHA-256 of its JSON), its pages and partition. */
export interface BlobRef {
  hash: string;
  pages: number;
  /** `DSBLOB#{c}#{hash[0..1]}` (layout 2) or `DSBLOB#{c}` (layout 1), from the index that names it. */
  pk: string;
}

/** What a blob holds: the roster or one month's rows of an institution (bank accounts are only in rosters). */
type BlobKind = 'roster' | 'month' | 'list';

/** An index item's entries: institution, blob hash, pages — compact, as a city has 310 per month. */
type IndexEntry = [institutionId: string, hash: string, pages: number];

/** Index entries per item: 1,000 × ~90 bytes stays far below DynamoDB's 400 KB. */
const INDEX_PAGE = 1000;

/** A value to store as a blob: its hash (of its whole JSON) and the JSON of each page. */
interface EncodedBlob {
  hash: string;
  texts: string[];
}

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * Whether a text's UTF-8 is at most `limit` bytes, counted only when it may not be: a UTF-16 unit is at
 * most 3 bytes (a pair of them 4), so a city's ~16 KB blobs are known to fit a 349 KB page unread.
 */
const fitsIn = (text: string, limit: number) => text.length * 3 <= limit || utf8Bytes(text) <= limit;

/**
 * Rows' JSON texts grouped so that each group's array (`[a,b,…]`) stays within `limit` bytes after
 * `overhead` (a lone row over the limit still gets a page: DynamoDB then refuses it, naming the item).
 */
function groupBySize(texts: readonly string[], limit: number, overhead: number): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  let size = overhead;
  for (const text of texts) {
    const bytes = utf8Bytes(text) + 1;
    if (group.length > 0 && size + bytes > limit) {
      groups.push(group);
      group = [];
      size = overhead;
    }
    group.push(text);
    size += bytes;
  }
  groups.push(group);
  return groups;
}

/**
 * An array in pages cut by encoded size. `JSON.stringify` of an array is `[` + its elements' JSON joined
 * by `,` + `]`, so the whole text (and hash) is the same as encoding the array at once.
 */
export function encodeArrayPages(rows: readonly unknown[], limit = PAGE_DATA_BYTES): EncodedBlob {
  const whole = encode(rows);
  if (fitsIn(whole, limit)) return { hash: fullHashOfEncoded(whole), texts: [whole] };
  const texts = groupBySize(rows.map(encode), limit, 2).map((group) => `[${group.join(',')}]`);
  return { hash: fullHashOfEncoded(whole), texts };
}

const MONTH_FIELDS = ['workload', 'values', 'finance', 'adjustments'] as const;

/**
 * A month's rows in pages cut by encoded size: each page is a MonthRows holding a run of rows of each
 * field in order, so merging the pages (`mergeMonths`) gives the rows back in order.
 */
export function encodeMonthPages(rows: MonthRows, limit = PAGE_DATA_BYTES): EncodedBlob {
  const whole = encode(rows);
  const hash = fullHashOfEncoded(whole);
  if (fitsIn(whole, limit)) return { hash, texts: [whole] };
  const empty = encode(emptyMonth());
  const pagesOut: Record<(typeof MONTH_FIELDS)[number], string[]>[] = [];
  let page = { workload: [], values: [], finance: [], adjustments: [] } as Record<
    (typeof MONTH_FIELDS)[number],
    string[]
  >;
  let size = utf8Bytes(empty);
  let rowsInPage = 0;
  for (const field of MONTH_FIELDS) {
    for (const row of rows[field]) {
      const text = encode(row);
      const bytes = utf8Bytes(text) + 1;
      if (rowsInPage > 0 && size + bytes > limit) {
        pagesOut.push(page);
        page = { workload: [], values: [], finance: [], adjustments: [] };
        size = utf8Bytes(empty);
        rowsInPage = 0;
      }
      page[field].push(text);
      size += bytes;
      rowsInPage++;
    }
  }
  pagesOut.push(page);
  const texts = pagesOut.map(
    (p) => `{${MONTH_FIELDS.map((field) => `${JSON.stringify(field)}:[${p[field].join(',')}]`).join(',')}}`,
  );
  return { hash, texts };
}

/** A month's rows as their JSON texts, field by field (a streamed import encodes each row as it reads it). */
export type MonthTexts = Record<(typeof MONTH_FIELDS)[number], string[]>;

/**
 * `encodeMonthPages` of the rows whose JSON texts these are: the same whole text (so the same hash) and
 * the same pages, without holding the rows as objects.
 */
export function encodeMonthTextPages(rows: MonthTexts, limit = PAGE_DATA_BYTES): EncodedBlob {
  const whole = monthBody(rows);
  const hash = fullHashOfEncoded(whole);
  if (fitsIn(whole, limit)) return { hash, texts: [whole] };
  const pagesOut: MonthTexts[] = [];
  let page: MonthTexts = { workload: [], values: [], finance: [], adjustments: [] };
  const emptyBytes = utf8Bytes(encode(emptyMonth()));
  let size = emptyBytes;
  let rowsInPage = 0;
  for (const field of MONTH_FIELDS) {
    for (const text of rows[field]) {
      const bytes = utf8Bytes(text) + 1;
      if (rowsInPage > 0 && size + bytes > limit) {
        pagesOut.push(page);
        page = { workload: [], values: [], finance: [], adjustments: [] };
        size = emptyBytes;
        rowsInPage = 0;
      }
      page[field].push(text);
      size += bytes;
      rowsInPage++;
    }
  }
  pagesOut.push(page);
  return { hash, texts: pagesOut.map(monthBody) };
}

/** A MonthRows' JSON from its rows' texts (`encode` of the rows, field by field). */
const monthBody = (p: MonthTexts) =>
  `{${MONTH_FIELDS.map((field) => `${JSON.stringify(field)}:[${p[field].join(',')}]`).join(',')}}`;

/**
 * `encodeMonthTextPages` of a month whose workload rows come as one text (`WorkloadGroup.joined`): the
 * same blob; the rows are split only when the month needs more than one page.
 */
function encodeMonthGroupPages(
  other: MonthTexts,
  group: WorkloadGroup,
  limit = PAGE_DATA_BYTES,
): EncodedBlob {
  if (group.joined === undefined) return encodeMonthTextPages({ ...other, workload: group.texts }, limit);
  const whole = monthBody({ ...other, workload: [group.joined] });
  if (fitsIn(whole, limit)) return { hash: fullHashOfEncoded(whole), texts: [whole] };
  return encodeMonthTextPages({ ...other, workload: group.texts }, limit);
}

const encodeRoster = (staff: Staff[]) => encodeArrayPages(staff);

/** DOMAIN.md §9 files (departments, secondments), each written only when its file is there. */
export type V2Part = Pick<Dataset, 'departments' | 'secondments'>;

/**
 * Each §9 list in pages by size, like the lists below: a province's departments.csv is ~3.5 MB when every
 * institution has departments (25,000 rows), five secondees per township ~1.8 MB. Versions written before
 * kept both in one item `V2` (~200 KB for the demo province) and read as they are.
 */
const V2_LISTS = { departments: 'V2#DEPARTMENTS', secondments: 'V2#SECONDMENTS' } as const;

/** Withholding rows per item: ~100 bytes each, far below DynamoDB's 400 KB. */
const DEDUCTIONS_PAGE = 2000;

/**
 * deductions.csv (issue 16): its rows by month, in pages, as parts of the version — not in the month
 * blobs, whose hashes locks compare: withholding does not change pay, so a locked month's deductions may
 * still change. Nothing is written without the file, so such a version is exactly what it was.
 */
function deductionItems(pk: string, dataset: Dataset): Item[] {
  const byPeriod = new Map<string, Deduction[]>();
  for (const row of dataset.deductions ?? []) {
    const rows = byPeriod.get(row.period);
    if (rows) rows.push(row);
    else byPeriod.set(row.period, [row]);
  }
  return [...byPeriod]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([period, rows]) =>
      pages(rows, DEDUCTIONS_PAGE).map((page, i) => ({
        pk,
        sk: keys.deductions(period, i),
        type: 'DatasetPart',
        data: encode(page),
      })),
    );
}

/** Lists read by name: a province's institutions alone are ~446 KB (now page blobs, see LIST_NAMES). */
const PAGED_PARTS = ['INSTITUTIONS', 'LEADERS', 'INSURANCE'] as const;
type PagedPart = (typeof PAGED_PARTS)[number];

/**
 * Issue 12: a version's lists (institutions, leaders, insurance, a province's headcounts, the §9 files)
 * are not items of the version's one partition (a province's departments and secondments alone are
 * ~5.3 MB, over 5 s of one key's 1,000 WCU/s, and every cold Lambda of a cycle read them from that key):
 * each page of a list (≤ 350 KB, cut as `encodeArrayPages` cuts it) is a one-page blob named by the hash
 * of its own text, so the pages spread over the blob shards by hash, go through the version writer's log
 * (sweep, abort) and an unchanged page is never written again. The version holds one small item per list,
 * `{name}@`, naming its pages' hashes in order. A version written before has none and reads as it is.
 */
const LIST_NAMES = [
  'INSTITUTIONS',
  'LEADERS',
  'INSURANCE',
  'HEADCOUNTS',
  V2_LISTS.departments,
  V2_LISTS.secondments,
] as const;
const listRefSk = (name: string) => `${name}@`;

/** A list's pages, each its own blob (hash of the page's text). */
interface ListBlobs {
  name: (typeof LIST_NAMES)[number];
  blobs: EncodedBlob[];
}

const listBlobsMade = new WeakMap<Dataset, ListBlobs[]>();

/** The lists of a dataset as page blobs (encoded once per dataset: the writer puts them, the parts name them). */
function listBlobs(dataset: Dataset): ListBlobs[] {
  const made = listBlobsMade.get(dataset);
  if (made) return made;
  const list = (name: ListBlobs['name'], rows: readonly unknown[]): ListBlobs => ({
    name,
    blobs: encodeArrayPages(rows).texts.map((text) => ({ hash: fullHashOfEncoded(text), texts: [text] })),
  });
  const counts = headcounts(dataset);
  const lists = [
    list('INSTITUTIONS', dataset.institutions),
    list('LEADERS', leadersWithInstitution(dataset)),
    list('INSURANCE', dataset.insurance),
    // One item `HEADCOUNTS` as before while it fits a page (a county's, a city's), else a list of entries.
    ...(headcountsFit(counts) ? [] : [list('HEADCOUNTS', Object.entries(counts))]),
    ...(dataset.departments === undefined ? [] : [list(V2_LISTS.departments, dataset.departments)]),
    ...(dataset.secondments === undefined ? [] : [list(V2_LISTS.secondments, dataset.secondments)]),
  ];
  listBlobsMade.set(dataset, lists);
  return lists;
}

/** Issue 12: a province's 3,100 institutions with 64-character Chinese ids make the headcounts ~600 KB. */
const headcountsFit = (counts: Record<string, number>) => utf8Bytes(encode(counts)) <= PAGE_DATA_BYTES;

/** The version's small parts (scheme, indicators, headcounts that fit, withholding) and its lists' references. */
function partItems(pk: string, dataset: Dataset): Item[] {
  const part = (sk: string, value: unknown): Item => ({ pk, sk, type: 'DatasetPart', data: encode(value) });
  const counts = headcounts(dataset);
  return [
    part('SCHEME', dataset.scheme),
    part('INDICATORS', dataset.indicators),
    ...(headcountsFit(counts) ? [part('HEADCOUNTS', counts)] : []),
    ...listBlobs(dataset).map(({ name, blobs }) => ({
      pk,
      sk: listRefSk(name),
      type: 'DatasetPart',
      data: encode(blobs.map((blob) => blob.hash)),
    })),
    ...deductionItems(pk, dataset),
  ];
}

/** A paged part read back: layout 1 kept it in one item named `name`, layout 2 in `name#000…`. */
function pagedPartOf<T>(items: readonly Item[], name: string): T[] | undefined {
  const found = items
    .filter((i) => i.sk === name || String(i.sk).startsWith(`${name}#`))
    .sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : String(a.sk) > String(b.sk) ? 1 : 0));
  return found.length === 0 ? undefined : found.flatMap((i) => decode<T[]>(i.data));
}

/** The blob log of a version: [hash, pages] of every blob it writes, in pages by size. */
export type LogEntry = [hash: string, pages: number];

/** The blob log entry of one flush of a writer: [hash, pages] of each blob it puts, before their pages. */
function blobLogItem(
  communityId: string,
  version: number,
  logPage: number,
  blobs: readonly { hash: string; texts: string[] }[],
): Item {
  const entries: LogEntry[] = blobs.map(({ hash, texts }) => [hash, texts.length]);
  const pk = keys.datasetPartition(communityId, version);
  return { pk, sk: keys.blobLog(logPage), type: 'DatasetBlobLog', data: encode(entries) };
}

/** Blobs' pages, each in its hash's partition, marked with the version that wrote them (for the sweep). */
function blobItems(
  communityId: string,
  version: number,
  blobs: readonly { hash: string; kind: BlobKind; texts: string[] }[],
): Item[] {
  return blobs.flatMap(({ hash, kind, texts }) =>
    texts.map((data, page) => ({
      pk: keys.datasetBlobShard(communityId, hash),
      sk: keys.blobPage(hash, page),
      type: 'DatasetBlob',
      kind,
      writtenBy: version,
      data,
    })),
  );
}

/** A version's own items once its blobs are all written: its parts and its indexes. */
function versionOwnItems(
  communityId: string,
  version: number,
  dataset: Dataset,
  rosterIndex: IndexEntry[],
  monthIndexes: ReadonlyMap<string, IndexEntry[]>,
): Item[] {
  const pk = keys.datasetPartition(communityId, version);
  return [
    ...partItems(pk, dataset),
    ...indexItems(pk, rosterIndex, keys.rosterIndex),
    ...[...monthIndexes].flatMap(([period, index]) =>
      indexItems(pk, index, (page) => keys.monthIndex(period, page)),
    ),
  ];
}

/** A version's index items, in pages; an empty index is still one item (every version has its roster index). */
function indexItems(pk: string, entries: IndexEntry[], sk: (page: number) => string): Item[] {
  return pages(entries, INDEX_PAGE).map((page, i) => ({
    pk,
    sk: sk(i),
    type: 'DatasetIndex',
    layout: DATASET_LAYOUT,
    data: encode(page),
  }));
}

/** A version whose items are all written (or staged), ready for `completeVersion`. */
export interface WrittenVersion {
  communityId: string;
  year: number;
  version: number;
  importedAt: string;
  importedBy: string;
  /** Items the version holds (its manifest records it). */
  total: number;
}

/** A dataset's workload rows grouped as a streamed import hands them over: by period, then institution. */
function workloadGroups(dataset: Dataset): Map<string, Map<string, WorkloadGroup>> {
  const institutionOf = new Map(dataset.staff.map((s) => [s.staffId, s.institutionId]));
  const months = new Map<string, Map<string, WorkloadGroup>>();
  dataset.workload.forEach((row, i) => {
    const group = periodSlot(months, row.period, institutionOf.get(row.staffId)!, () => ({
      texts: [],
      rows: [],
    }));
    group.texts.push(encode(row));
    group.rows.push(i);
  });
  return months;
}

/**
 * A window's rows (a correction's months) grouped into institution-months and encoded as a VersionWriter
 * groups and encodes a whole dataset's (`month`, then `otherMonths`), so the blobs and index entries are
 * the same: periods in the order the workload rows first name them, then those only the other files have;
 * in a period, the institutions whose workload rows come first, in that order, then the others in the
 * order their indicator values, finance and adjustment rows come.
 */
export function windowMonthBlobs(
  rows: MonthRows,
  institutionOf: (staffId: string) => string,
): Map<string, { institutionId: string; blob: EncodedBlob }[]> {
  const workload = new Map<string, Map<string, WorkloadRow[]>>();
  for (const row of rows.workload)
    periodSlot(workload, row.period, institutionOf(row.staffId), () => [] as WorkloadRow[]).push(row);
  type Other = Omit<MonthRows, 'workload'>;
  const others = new Map<string, Map<string, Other>>();
  const other = (period: string, institutionId: string) =>
    periodSlot(others, period, institutionId, (): Other => ({ values: [], finance: [], adjustments: [] }));
  for (const row of rows.values) other(row.period, row.institutionId).values.push(row);
  for (const row of rows.finance) other(row.period, row.institutionId).finance.push(row);
  for (const row of rows.adjustments) other(row.period, institutionOf(row.staffId)).adjustments.push(row);
  const out = new Map<string, { institutionId: string; blob: EncodedBlob }[]>();
  for (const period of [...workload.keys(), ...[...others.keys()].filter((p) => !workload.has(p))]) {
    const byInstitution = workload.get(period) ?? new Map<string, WorkloadRow[]>();
    const otherOf = others.get(period);
    const entries: { institutionId: string; blob: EncodedBlob }[] = [];
    for (const [institutionId, rowsOf] of byInstitution) {
      const o = otherOf?.get(institutionId);
      entries.push({
        institutionId,
        blob: encodeMonthPages({
          workload: rowsOf,
          values: o?.values ?? [],
          finance: o?.finance ?? [],
          adjustments: o?.adjustments ?? [],
        }),
      });
    }
    for (const [institutionId, o] of otherOf ?? []) {
      if (byInstitution.has(institutionId)) continue;
      entries.push({ institutionId, blob: encodeMonthPages({ workload: [], ...o }) });
    }
    out.set(period, entries);
  }
  return out;
}

function* puts(items: Iterable<Item>): Generator<BatchWrite> {
  for (const put of items) yield { put };
}

/**
 * Pages per request of the rosters a local start reads ahead for the month's pay step (`prefetch`'s
 * `inTurn`): about one Map batch's institutions (≤ 50), so the first batch's rosters come first.
 */
const ROSTERS_READ_AHEAD_PAGES = 50;

export class DatasetRepository {
  /** Immutable version parts and blobs read in this process (a Lambda container or the local CLI). */
  private readonly cache = new Map<string, Promise<unknown>>();

  /** An import's entry is written with the pointer switch that makes its version current. */
  private readonly audit: AuditRepository;

  /**
   * `keepMonthsRead`: a process that also runs the cycles it starts (the local runtime, where every step
   * shares this repository) keeps the months a start reads for its checks, so the month's pay step finds
   * them read. A Lambda serving the API never runs the cycle: it keeps nothing (a province's month is
   * ~100 MB decoded, and another month's start would keep its own).
   */
  constructor(
    private readonly table: Table,
    private readonly options: { keepMonthsRead?: boolean } = {},
  ) {
    this.audit = new AuditRepository(table);
  }

  /**
   * The current version of a community's year; without a year, of its latest year. Each year has its own
   * pointer, so importing 2027 leaves 2026's data, cycles and results as they were.
   */
  async current(communityId: string, year?: number): Promise<DatasetPointer | undefined> {
    const item =
      year === undefined
        ? (
            await this.table.queryPrefix<DatasetPointer & Item>(
              keys.community(communityId),
              keys.currentDatasetPrefix(),
              { descending: true, limit: 1 },
            )
          )[0]
        : await this.table.get<DatasetPointer & Item>(keys.currentDataset(communityId, year));
    const found = item ?? (await this.legacyCurrent(communityId, year));
    return found
      ? {
          communityId,
          version: found.version,
          importedAt: found.importedAt,
          importedBy: found.importedBy,
          year: found.year,
        }
      : undefined;
  }

  /** Years of the community that have data, ascending. */
  async years(communityId: string): Promise<number[]> {
    const items = await this.table.queryPrefix<{ year: number }>(
      keys.community(communityId),
      keys.currentDatasetPrefix(),
    );
    const legacy = await this.legacyCurrent(communityId);
    return [...new Set([...items.map((i) => i.year), ...(legacy ? [legacy.year] : [])])].sort();
  }

  /** The one pointer of the layout before years, when it is for `year` (or any year). */
  private async legacyCurrent(communityId: string, year?: number) {
    const item = await this.table.get<DatasetPointer & Item>(keys.legacyCurrentDataset(communityId));
    return item && (year === undefined || item.year === year) ? item : undefined;
  }

  async defaultCommunity(): Promise<string | undefined> {
    const item = await this.table.get<{ communityId: string }>(keys.defaultCommunity());
    return item?.communityId;
  }

  /**
   * Writes the dataset as a new version and makes it current for its year. `expectedVersion` is the
   * version the caller validated against (locks were checked against it): if another import switched the
   * pointer meanwhile, this one is refused rather than silently overwriting it. With a `lease`, the switch
   * also requires that the import still holds its year's lease (one taken over from it as dead cannot
   * switch afterwards). `makeCurrent: false` writes the version without switching (a correction's, made
   * current only when finance approves it).
   */
  async writeVersion(
    dataset: Dataset,
    importedBy: string,
    expectedVersion: number | undefined,
    onProgress?: (done: number, total: number) => void,
    options: {
      lease?: ImportLease;
      makeCurrent?: boolean;
      /** The audit entry of the import, written in the transaction that makes the version current. */
      audited?: (version: number) => Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'details'>;
    } = {},
  ): Promise<DatasetPointer> {
    const written = await this.writeDataset(dataset, importedBy, expectedVersion);
    onProgress?.(written.total, written.total);
    return this.completeVersion(written, expectedVersion, options);
  }

  /**
   * Writes a whole dataset (a correction's, a scheme publication's) as a new version, not yet complete,
   * through the same VersionWriter a streamed import uses: one way a version's items are made. The
   * blobs the version `expectedVersion` (the year's current one) holds are not written again. A write
   * that fails marks the version failed (the next import sweeps what it wrote); the pointer never moved.
   */
  async writeDataset(
    dataset: Dataset,
    importedBy: string,
    expectedVersion: number | undefined,
  ): Promise<WrittenVersion> {
    const communityId = dataset.scheme.community.id;
    const year = dataset.scheme.year;
    const indexes = (rows: readonly unknown[]) => rows.map((_, i) => i);
    const { writer, importedAt } = await this.openWriter(dataset, importedBy, expectedVersion, {
      indicatorValues: indexes(dataset.indicatorValues),
      finance: indexes(dataset.finance),
      adjustments: indexes(dataset.adjustments),
    });
    try {
      writer.rosters(dataset);
      for (const [period, workload] of workloadGroups(dataset)) {
        writer.put(writer.month(period, workload));
        await writer.pause();
      }
      for (const period of writer.otherMonths()) writer.put(writer.month(period, new Map()));
      const { version, total } = await writer.finish(dataset);
      return { communityId, year, version, importedAt, importedBy, total };
    } catch (error) {
      await writer.fail().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Writes items of a version as they are (an import workflow's staged chunk; puts are idempotent),
   * refusing any item outside the version's own partition and the community's blob partitions.
   */
  async writeItems(communityId: string, version: number, items: readonly Item[]): Promise<void> {
    const own = keys.datasetPartition(communityId, version);
    for (const item of items) {
      const pk = String(item.pk);
      const blob = typeof item.sk === 'string' && pk === keys.datasetBlobShard(communityId, item.sk);
      if (pk !== own && !blob)
        throw new StoreError('conditional_failed', `item ${pk} ${String(item.sk)} is not part of ${own}`);
    }
    await this.table.batchWrite(puts(items));
  }

  /** A version that will never be made current: the next import skips it and a sweep may clear its blobs. */
  async markFailed(communityId: string, version: number): Promise<void> {
    await this.table.update({
      Key: keys.datasetManifest(communityId, version),
      UpdateExpression: 'SET #status = :failed',
      ConditionExpression: '#status = :writing',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':failed': 'failed', ':writing': 'writing' },
    });
  }

  /**
   * The last step of a version's write: marks it complete and (unless `makeCurrent: false`) switches the
   * year's pointer to it, in one transaction with the import's audit entry and the lease check.
   */
  async completeVersion(
    planned: WrittenVersion,
    expectedVersion: number | undefined,
    options: {
      lease?: ImportLease;
      makeCurrent?: boolean;
      audited?: (version: number) => Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'details'>;
    } = {},
  ): Promise<DatasetPointer> {
    const { communityId, version, importedAt, importedBy, year, total } = planned;
    const pointer = { communityId, version, importedAt, importedBy, year };
    const complete: TransactItem = {
      Update: {
        Key: keys.datasetManifest(communityId, version),
        UpdateExpression: 'SET #status = :complete, #items = :items, #year = :year',
        ConditionExpression: '#status = :writing',
        ExpressionAttributeNames: { '#status': 'status', '#items': 'items', '#year': 'year' },
        ExpressionAttributeValues: {
          ':complete': 'complete',
          ':items': total,
          ':year': year,
          ':writing': 'writing',
        },
      },
    };
    const items =
      options.makeCurrent === false
        ? [complete, ...(options.lease ? [leaseHeld(options.lease)] : [])]
        : [
            this.switchPointer(pointer, expectedVersion),
            complete,
            { Put: { Item: { ...keys.defaultCommunity(), type: 'DefaultCommunity', communityId } } },
            // The community joins the deployment's registry with its first current version (tenancy).
            communityRegistration(communityId),
            ...(options.lease ? [leaseHeld(options.lease)] : []),
          ];
    try {
      if (options.audited) await this.audit.append(communityId, options.audited(version), items);
      else await this.table.transact(items);
    } catch (error) {
      if (isStoreError(error, 'transaction_cancelled') || isStoreError(error, 'conditional_failed'))
        throw concurrentImport(communityId);
      throw error;
    }
    return pointer;
  }

  /**
   * The transaction action that makes `pointer` its year's current version, provided the year's current
   * version is still `expectedVersion` (none: no pointer yet, or only the layout before years had one).
   */
  switchPointer(pointer: DatasetPointer, expectedVersion: number | undefined): TransactItem {
    return {
      Put: {
        Item: {
          ...keys.currentDataset(pointer.communityId, pointer.year),
          type: 'DatasetPointer',
          ...pointer,
        },
        ConditionExpression:
          expectedVersion === undefined
            ? 'attribute_not_exists(pk)'
            : 'attribute_not_exists(pk) OR version = :expected',
        ...(expectedVersion === undefined
          ? {}
          : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
      },
    };
  }

  /**
   * Claims a fresh version number (its own partition), after the newest one of the community. Versions
   * are never reused, so two imports (of one year or of two) can never mix their rows in one partition;
   * which import may switch a year's pointer is decided by the year's lease and the pointer's condition.
   */
  private async claimVersion(
    communityId: string,
    year: number,
    importedAt: string,
    importedBy: string,
  ): Promise<number> {
    const [newest] = await this.table.queryPrefix<{ sk: string }>(
      keys.community(communityId),
      keys.datasetManifestPrefix(),
      { descending: true, limit: 1 },
    );
    const first = newest ? Number(newest.sk.slice('DATASET#'.length)) + 1 : 1;
    for (let version = first; version < first + 100; version++) {
      try {
        await this.table.put(
          {
            ...keys.datasetManifest(communityId, version),
            type: 'DatasetManifest',
            status: 'writing',
            layout: DATASET_LAYOUT,
            year,
            importedAt,
            importedBy,
          },
          { ConditionExpression: 'attribute_not_exists(pk)' },
        );
        return version;
      } catch (error) {
        if (!isStoreError(error, 'conditional_failed')) throw error;
      }
    }
    throw concurrentImport(communityId);
  }

  /**
   * Removes the blobs that only failed versions wrote (a refused or interrupted import's), and records it.
   * A blob stays if a complete version refers to it or a version still writing logged it; each page is
   * deleted only while the failed version is still its last writer (`writtenBy`), so a concurrent import
   * that wrote the same content keeps it. The failed versions become `swept`, in the audit entry's
   * transaction. Undefined when there was nothing to sweep.
   */
  async sweep(communityId: string, by: string): Promise<SweepOutcome | undefined> {
    const manifests = await this.table.queryPrefix<{ sk: string; status?: string }>(
      keys.community(communityId),
      keys.datasetManifestPrefix(),
    );
    const versionOf = (sk: string) => Number(sk.slice('DATASET#'.length));
    const failed = manifests.filter((m) => m.status === 'failed').map((m) => versionOf(m.sk));
    if (failed.length === 0) return undefined;
    const keep = await this.liveBlobHashes(communityId, manifests);
    let blobs = 0;
    let pagesDeleted = 0;
    const swept = failed.slice(0, 90); // one transaction holds the entry and ≤ 99 actions
    for (const version of swept) {
      const pagesOf = (await this.blobLog(communityId, version))
        .filter(([hash]) => !keep.has(hash))
        .flatMap(([hash, count]) =>
          Array.from({ length: count }, (_, page) => ({ hash, page, first: page === 0 })),
        );
      await runLimited(pagesOf, 8, async ({ hash, page, first }) => {
        try {
          await this.table.deleteIf(
            { pk: keys.datasetBlobShard(communityId, hash), sk: keys.blobPage(hash, page) },
            'writtenBy = :version',
            { ':version': version },
          );
          pagesDeleted++;
          if (first) blobs++;
        } catch (error) {
          // Gone already, or written since by another version: not this sweep's to remove.
          if (!isStoreError(error, 'conditional_failed')) throw error;
        }
      });
    }
    await this.audit.append(
      communityId,
      {
        actor: by,
        action: 'dataset.sweep',
        subject: `dataset versions ${swept.map((v) => `v${v}`).join(' ')}`,
        details: { versions: swept.join(' '), blobs, pages: pagesDeleted },
      },
      swept.map((version) => ({
        Update: {
          Key: keys.datasetManifest(communityId, version),
          UpdateExpression: 'SET #status = :swept',
          ConditionExpression: '#status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':swept': 'swept', ':failed': 'failed' },
        },
      })),
    );
    return { versions: swept, blobs, pages: pagesDeleted };
  }

  /**
   * Hashes of the blobs live versions need: those a version not failed nor swept refers to, and those a
   * version still being written logged (it may be writing them now). `except` is left out (its own).
   */
  async liveBlobHashes(
    communityId: string,
    manifests?: readonly { sk: string; status?: string }[],
    except?: number,
  ): Promise<Set<string>> {
    const all =
      manifests ??
      (await this.table.queryPrefix<{ sk: string; status?: string }>(
        keys.community(communityId),
        keys.datasetManifestPrefix(),
      ));
    const keep = new Set<string>();
    for (const manifest of all) {
      if (manifest.status === 'failed' || manifest.status === 'swept') continue;
      const version = Number(manifest.sk.slice('DATASET#'.length));
      if (version === except) continue;
      // A version still being written has no index yet: only its log (not read through the cache).
      if (manifest.status === 'complete' || manifest.status === undefined)
        for (const hash of await this.blobHashes(communityId, version)) keep.add(hash);
      else for (const [hash] of await this.blobLog(communityId, version)) keep.add(hash);
    }
    return keep;
  }

  /**
   * A writer for a new version of `dataset` (its workload rows given month by month while the file is
   * read): see VersionWriter. Nothing is stored until its first blob is put.
   */
  async openWriter(
    dataset: Dataset,
    importedBy: string,
    expectedVersion: number | undefined,
    fileRows: OtherFileRows,
    /** Where blob pages, parts and indexes go instead of the table (the import workflow's chunks). */
    staged?: StagedItems,
  ): Promise<{ writer: VersionWriter; importedAt: string }> {
    const communityId = dataset.scheme.community.id;
    const year = dataset.scheme.year;
    const importedAt = new Date().toISOString();
    const stored = await this.blobHashes(communityId, expectedVersion);
    // The writer's flushes overlap; their requests together stay at the table's own concurrency.
    const slots = new RequestSlots(this.table.writeConcurrency);
    const put = async (items: Item[]) => {
      if (staged) await staged.put(items);
      else await this.table.batchWrite(puts(items), undefined, undefined, slots);
      return items.length;
    };
    const store: WriterStore = {
      putBlobs: async (version, logPage, blobs) => {
        // The log entry first, in the table even when the pages are staged: what a sweep reads.
        await this.table.put(blobLogItem(communityId, version, logPage, blobs));
        return put(blobItems(communityId, version, blobs));
      },
      putVersion: (version, data, rosterIndex, monthIndexes) =>
        put(versionOwnItems(communityId, version, data, rosterIndex, monthIndexes)),
      // Staged pages are not in the table yet: the caller removes them once its chunks are written.
      removeBlobs: staged
        ? async (_version, entries) => staged.remove(entries)
        : (version, entries) => this.removeBlobs(communityId, version, entries),
      removeVersion: (version) => this.removeVersion(communityId, version),
      markFailed: (version) => this.markFailed(communityId, version),
      liveHashes: (except) => this.liveBlobHashes(communityId, undefined, except),
    };
    const writer = new VersionWriter(
      store,
      () => this.claimVersion(communityId, year, importedAt, importedBy),
      communityId,
      stored,
      dataset,
      fileRows,
    );
    return { writer, importedAt };
  }

  /** Deletes blob pages a version put, each only while that version is still its last writer. */
  async removeBlobs(communityId: string, version: number, entries: readonly LogEntry[]): Promise<void> {
    const doomed = entries.flatMap(([hash, count]) =>
      Array.from({ length: count }, (_, page) => ({ hash, page })),
    );
    await runLimited(doomed, 8, async ({ hash, page }) => {
      try {
        await this.table.deleteIf(
          { pk: keys.datasetBlobShard(communityId, hash), sk: keys.blobPage(hash, page) },
          'writtenBy = :version',
          { ':version': version },
        );
      } catch (error) {
        // Never written (the write failed), or written since by another version: not ours to remove.
        if (!isStoreError(error, 'conditional_failed')) throw error;
      }
    });
  }

  /** Deletes a version that never became current: its own items (the blob log) and its manifest. */
  private async removeVersion(communityId: string, version: number): Promise<void> {
    const pk = keys.datasetPartition(communityId, version);
    for (const item of await this.table.queryPrefix<Item>(pk))
      await this.table.delete({ pk: item.pk, sk: item.sk });
    await this.table.delete(keys.datasetManifest(communityId, version));
  }

  /**
   * The community's versions whose write completed, ascending (failed and swept versions are left out:
   * their blobs may be gone; so are versions still being written).
   */
  async completeVersions(communityId: string): Promise<number[]> {
    const manifests = await this.table.queryPrefix<{ sk: string; status?: string }>(
      keys.community(communityId),
      keys.datasetManifestPrefix(),
    );
    return manifests
      .filter((m) => !['failed', 'swept', 'writing'].includes(m.status ?? ''))
      .map((m) => Number(m.sk.slice('DATASET#'.length)));
  }

  /** The blobs a version logged before writing them: [hash, pages]. */
  private async blobLog(communityId: string, version: number): Promise<LogEntry[]> {
    const pk = keys.datasetPartition(communityId, version);
    const items = await this.table.queryPrefix<{ data: string }>(pk, keys.blobLogPrefix());
    return items.flatMap((item) => decode<LogEntry[]>(item.data));
  }

  /** Marks the versions an interrupted import of `year` left `writing` as failed (their blobs stay unreferenced). */
  async abandonWritingVersions(communityId: string, year: number): Promise<number[]> {
    const manifests = await this.table.queryPrefix<{ sk: string; status?: string; year?: number }>(
      keys.community(communityId),
      keys.datasetManifestPrefix(),
    );
    const abandoned: number[] = [];
    for (const manifest of manifests.filter((m) => m.status === 'writing' && m.year === year)) {
      const version = Number(manifest.sk.slice('DATASET#'.length));
      await this.table.update({
        Key: keys.datasetManifest(communityId, version),
        UpdateExpression: 'SET #status = :failed',
        ConditionExpression: '#status = :writing',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'failed', ':writing': 'writing' },
      });
      abandoned.push(version);
    }
    return abandoned;
  }

  private part<T>(communityId: string, version: number, sk: string): Promise<T> {
    const pk = keys.datasetPartition(communityId, version);
    return this.cached(`${pk}|${sk}`, async () => {
      const item = await this.table.get<{ data: string }>({ pk, sk });
      if (!item) throw new StoreError('not_found', `dataset ${communityId} v${version} has no ${sk}`);
      return decode<T>(item.data);
    });
  }

  /**
   * The cached value of `key`, read once: concurrent callers (a Map's institutions in one process) share
   * the read in flight instead of each making it. A failed read is forgotten and fails only the caller
   * that made it; one that was waiting for it reads again itself, so one throttled read does not fail
   * every step that happened to share it.
   */
  private cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key) as Promise<T> | undefined;
    if (hit) return hit.catch(() => this.cached(key, read));
    if (this.cache.size > 20_000) this.cache.clear();
    const pending = read();
    this.cache.set(key, pending);
    pending.catch(() => {
      if (this.cache.get(key) === pending) this.cache.delete(key);
    });
    return pending;
  }

  /** A list part: one item in layout 1, pages `name#000…` in layout 2 — one Query reads either. */
  private pagedPart<T>(communityId: string, version: number, name: PagedPart): Promise<T[]> {
    const pk = keys.datasetPartition(communityId, version);
    return this.cached(`${pk}|${name}`, async () => {
      const rows = await this.listOf<T>(communityId, await this.table.queryPrefix<Item>(pk, name), name);
      if (!rows) throw new StoreError('not_found', `dataset ${communityId} v${version} has no ${name}`);
      return rows;
    });
  }

  scheme = (c: string, v: number) => this.part<Scheme>(c, v, 'SCHEME');
  institutions = (c: string, v: number) => this.pagedPart<Institution>(c, v, 'INSTITUTIONS');
  indicators = (c: string, v: number) => this.part<Indicator[]>(c, v, 'INDICATORS');
  leaders = (c: string, v: number) => this.pagedPart<LeaderWithInstitution>(c, v, 'LEADERS');
  /** One item `HEADCOUNTS` (a record), or a province's pages `HEADCOUNTS#000…` of [institution, headcount]. */
  headcounts = (c: string, v: number): Promise<Record<string, number>> => {
    const pk = keys.datasetPartition(c, v);
    return this.cached(`${pk}|HEADCOUNTS`, async () => {
      const items = await this.table.queryPrefix<Item>(pk, 'HEADCOUNTS');
      const whole = items.find((i) => i.sk === 'HEADCOUNTS');
      if (whole) return decode<Record<string, number>>(whole.data);
      const entries = await this.listOf<[string, number]>(c, items, 'HEADCOUNTS');
      if (!entries) throw new StoreError('not_found', `dataset ${c} v${v} has no HEADCOUNTS`);
      return Object.fromEntries(entries);
    });
  };
  insurance = (c: string, v: number) => this.pagedPart<InsuranceRow>(c, v, 'INSURANCE');
  /** §9 departments and secondments of a version; {} when it has neither file. */
  v2 = (c: string, v: number): Promise<V2Part> => {
    const pk = keys.datasetPartition(c, v);
    return this.cached(`${pk}|V2`, async () => this.v2Of(c, await this.table.queryPrefix<Item>(pk, 'V2')));
  };

  /** The §9 part of a version from its items whose sk starts with `V2`: one item, pages, or page blobs. */
  private async v2Of(communityId: string, items: readonly Item[]): Promise<V2Part> {
    const whole = items.find((i) => i.sk === 'V2');
    if (whole) return decode<V2Part>(whole.data);
    type Department = NonNullable<V2Part['departments']>[number];
    type Secondment = NonNullable<V2Part['secondments']>[number];
    const [departments, secondments] = await Promise.all([
      this.listOf<Department>(communityId, items, V2_LISTS.departments),
      this.listOf<Secondment>(communityId, items, V2_LISTS.secondments),
    ]);
    return { ...(departments ? { departments } : {}), ...(secondments ? { secondments } : {}) };
  }

  /**
   * A list of a version from its items: through its reference `{name}@` to its page blobs (read in one
   * BatchGetItem, each page checked against its hash), or as a version written before kept it (pages
   * `{name}#000…` in its partition, or one item `name`). Undefined when the version has no such list.
   */
  private async listOf<T>(
    communityId: string,
    items: readonly Item[],
    name: string,
  ): Promise<T[] | undefined> {
    const ref = items.find((i) => i.sk === listRefSk(name));
    if (!ref) return pagedPartOf<T>(items, name);
    const refs: BlobRef[] = decode<string[]>(ref.data).map((hash) => ({
      hash,
      pages: 1,
      pk: keys.datasetBlobShard(communityId, hash),
    }));
    const texts = await this.blobTexts(communityId, refs);
    return refs.flatMap((blob) => blobPages<T[]>(texts, blob, communityId).flat());
  }

  /**
   * The withholding of a version's month (deductions.csv), or undefined when the version has none for
   * it: the sheets then show no 代扣合计 / 实发合计 and the bank file pays the gross.
   */
  deductions = (c: string, v: number, period: string): Promise<Deduction[] | undefined> => {
    const pk = keys.datasetPartition(c, v);
    const prefix = keys.deductionsPrefix(period);
    return this.cached(`${pk}|${prefix}`, async () => {
      const items = await this.table.queryPrefix<{ data: string }>(pk, prefix);
      return items.length === 0 ? undefined : items.flatMap((item) => decode<Deduction[]>(item.data));
    });
  };

  async roster(communityId: string, version: number, institutionId: string): Promise<Staff[]> {
    const [roster] = await this.rosters(communityId, version, [institutionId]);
    return roster!;
  }

  /** Rosters of the institutions asked for, in that order, the ones not yet read fetched by BatchGetItem. */
  async rosters(communityId: string, version: number, institutionIds: readonly string[]): Promise<Staff[][]> {
    const index = await this.rosterIndex(communityId, version);
    const refs = institutionIds.map((id) => index.get(id));
    await this.prefetch(
      communityId,
      refs.filter((ref) => ref !== undefined),
    );
    return Promise.all(
      refs.map(async (ref) => (ref ? (await this.blob<Staff[]>(communityId, ref)).flat() : [])),
    );
  }

  /**
   * Every institution's rows for a month, with each institution's content hash. The rows are not kept
   * in the cache: they are read when a locked month is compared (rarely), and holding a city's month
   * for good would only double what the per-institution reads keep.
   */
  async month(
    communityId: string,
    version: number,
    period: string,
  ): Promise<Map<string, { rows: MonthRows; hash: string }>> {
    const index = await this.monthIndex(communityId, version, period);
    const texts = await this.blobTexts(communityId, [...index.values()]);
    const out = new Map<string, { rows: MonthRows; hash: string }>();
    for (const [institutionId, ref] of index) {
      const rows = mergeMonths(blobPages<MonthRows>(texts, ref, communityId));
      out.set(institutionId, { rows, hash: lockHash(ref) });
    }
    return out;
  }

  /**
   * Every institution's rows of a month, for a cycle's start to check: as `month` reads them, or — where
   * this repository keeps months read (`keepMonthsRead`) — each institution's rows through the cache, as
   * the month's pay step will read them, in one BatchGetItem (more past 100 pages).
   */
  async monthRows(communityId: string, version: number, period: string): Promise<Map<string, MonthRows>> {
    if (!this.options.keepMonthsRead) {
      const month = await this.month(communityId, version, period);
      return new Map([...month].map(([institutionId, { rows }]) => [institutionId, rows]));
    }
    const index = await this.monthIndex(communityId, version, period);
    // The pay step's batches each begin with the version's indicators and V2 part (cached): read them
    // beside the month rather than on the step's path, behind the rosters' reads. Not awaited, as below.
    void Promise.all([this.indicators(communityId, version), this.v2(communityId, version)]).catch(
      () => undefined,
    );
    await this.prefetch(communityId, [...index.values()]);
    // The pay step reads every institution's roster next: read them (kept too) while the start goes on
    // (its checks, its claim, the workflow's first steps) instead of after it. Not awaited: a failed read
    // is forgotten and the pay step reads it again.
    void this.rosterIndex(communityId, version)
      .then((rosters) => this.prefetch(communityId, [...rosters.values()], ROSTERS_READ_AHEAD_PAGES))
      .catch(() => undefined);
    const out = new Map<string, MonthRows>();
    for (const [institutionId, ref] of index) out.set(institutionId, await this.monthsOf(communityId, [ref]));
    return out;
  }

  /** Each institution's content hash of a month (what a month lock records), from the index alone. */
  async monthHashes(communityId: string, version: number, period: string): Promise<Record<string, string>> {
    const index = await this.monthIndex(communityId, version, period);
    return Object.fromEntries([...index].map(([institutionId, ref]) => [institutionId, lockHash(ref)]));
  }

  /**
   * An institution's roster and its rows of `months`, every blob not yet read fetched in one BatchGetItem.
   * The rows of `alsoMonths` come in the same call and are kept for a later `institutionMonths` (a cold
   * Lambda container computing December reads the year to date with one BatchGetItem, not twelve queries).
   */
  async institutionSlice(
    communityId: string,
    version: number,
    institutionId: string,
    months: readonly string[],
    alsoMonths: readonly string[] = [],
  ): Promise<{ roster: Staff[]; rows: MonthRows }> {
    const [rosterRef, monthRefs] = await Promise.all([
      this.rosterIndex(communityId, version).then((index) => index.get(institutionId)),
      this.monthRefs(communityId, version, institutionId, [...months, ...alsoMonths]),
    ]);
    await this.prefetch(
      communityId,
      [rosterRef, ...monthRefs].filter((ref) => ref !== undefined),
    );
    const [roster, rows] = await Promise.all([
      rosterRef ? this.blob<Staff[]>(communityId, rosterRef) : [],
      this.monthsOf(communityId, monthRefs.slice(0, months.length)),
    ]);
    return { roster: roster.flat(), rows };
  }

  /** One institution's rows for the given months (read together, like `institutionSlice`). */
  async institutionMonths(
    communityId: string,
    version: number,
    institutionId: string,
    months: readonly string[],
  ): Promise<MonthRows> {
    const refs = await this.monthRefs(communityId, version, institutionId, months);
    await this.prefetch(
      communityId,
      refs.filter((ref) => ref !== undefined),
    );
    return this.monthsOf(communityId, refs);
  }

  /**
   * Reads the rosters (unless `roster` is false) and the rows of `months` of many institutions — a
   * workflow batch — in one BatchGetItem (more past 100 pages), so the `institutionSlice` and
   * `institutionMonths` of each that follow find them cached instead of each making its own request.
   */
  async prefetchInstitutions(
    communityId: string,
    version: number,
    institutionIds: readonly string[],
    months: readonly string[],
    roster = true,
  ): Promise<void> {
    const [rosterIndex, monthRefs] = await Promise.all([
      roster ? this.rosterIndex(communityId, version) : undefined,
      Promise.all(institutionIds.map((id) => this.monthRefs(communityId, version, id, months))),
    ]);
    const refs = [...institutionIds.map((id) => rosterIndex?.get(id)), ...monthRefs.flat()];
    await this.prefetch(
      communityId,
      refs.filter((ref) => ref !== undefined),
    );
  }

  /** Where an institution's rows of each month are (undefined: it has none that month). */
  private monthRefs(
    communityId: string,
    version: number,
    institutionId: string,
    months: readonly string[],
  ): Promise<(BlobRef | undefined)[]> {
    return Promise.all(
      months.map((period) =>
        this.monthIndex(communityId, version, period).then((index) => index.get(institutionId)),
      ),
    );
  }

  /** The rows of months, merged in order. */
  private async monthsOf(communityId: string, refs: readonly (BlobRef | undefined)[]): Promise<MonthRows> {
    const parts = await Promise.all(refs.map((ref) => (ref ? this.blob<MonthRows>(communityId, ref) : [])));
    return mergeMonths(parts.flat());
  }

  /** The whole dataset of a version (for exports and comparisons; not used on hot paths). */
  async load(communityId: string, version: number): Promise<Dataset> {
    const pk = keys.datasetPartition(communityId, version);
    const items = await this.table.queryPrefix<Item>(pk);
    const one = <T>(sk: string) => {
      const item = items.find((i) => i.sk === sk);
      if (!item) throw new StoreError('not_found', `dataset ${communityId} v${version} has no ${sk}`);
      return decode<T>(item.data);
    };
    const list = async <T>(name: PagedPart) => {
      const rows = await this.listOf<T>(communityId, items, name);
      if (!rows) throw new StoreError('not_found', `dataset ${communityId} v${version} has no ${name}`);
      return rows;
    };
    const [institutions, leaders, insurance, v2] = await Promise.all([
      list<Institution>('INSTITUTIONS'),
      list<LeaderWithInstitution>('LEADERS'),
      list<InsuranceRow>('INSURANCE'),
      this.v2Of(
        communityId,
        items.filter((i) => String(i.sk).startsWith('V2')),
      ),
    ]);
    // Institution by institution, in id order (as the keys of the layout before blobs sorted them).
    const byId = <V>(map: Map<string, V>) => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const rosterIds = byId(await this.rosterIndex(communityId, version)).map(([id]) => id);
    const staff = (await this.rosters(communityId, version, rosterIds)).flat();
    const periods = new Set(
      items.flatMap((i) => {
        const match = /^INDEX#MONTH#([^#]+)#/.exec(String(i.sk));
        return match ? [match[1]!] : [];
      }),
    );
    const monthParts: MonthRows[] = [];
    for (const period of [...periods].sort()) {
      for (const [, { rows }] of byId(await this.month(communityId, version, period))) monthParts.push(rows);
    }
    return {
      scheme: one('SCHEME'),
      institutions,
      indicators: one('INDICATORS'),
      leaders: leaders.map(({ institutionId: _i, ...leader }) => leader),
      insurance,
      staff,
      workload: monthParts.flatMap((m) => m.workload),
      indicatorValues: monthParts.flatMap((m) => m.values),
      finance: monthParts.flatMap((m) => m.finance),
      adjustments: monthParts.flatMap((m) => m.adjustments),
      ...v2,
      ...deductionsOf(items),
    };
  }

  /** Every version has a roster index, even an empty one; none means the layout before blobs. */
  /** Each institution's roster blob hash in a version (equal hashes: the same roster, byte for byte). */
  async rosterHashes(communityId: string, version: number): Promise<Map<string, string>> {
    const index = await this.rosterIndex(communityId, version);
    return new Map([...index].map(([institutionId, ref]) => [institutionId, ref.hash]));
  }

  private async rosterIndex(communityId: string, version: number): Promise<Map<string, BlobRef>> {
    const index = (await this.indexes(communityId, version)).get(keys.rosterIndexPrefix());
    if (!index) throw await this.noIndex(communityId, version);
    return index;
  }

  /** An institution has no entry in a month it has no rows, and a month not imported has no index. */
  private async monthIndex(
    communityId: string,
    version: number,
    period: string,
  ): Promise<Map<string, BlobRef>> {
    return (await this.indexes(communityId, version)).get(keys.monthIndexPrefix(period)) ?? new Map();
  }

  /**
   * All of a version's indexes, by their prefix (`INDEX#ROSTER#`, `INDEX#MONTH#2026-03#`), in one Query
   * (a city's are ~370 KB): a cold Lambda container needing a quarter or the year to date reads them once,
   * not once per month. Cached: versions never change.
   */
  private indexes(communityId: string, version: number): Promise<Map<string, Map<string, BlobRef>>> {
    const pk = keys.datasetPartition(communityId, version);
    return this.cached(`${pk}|${keys.indexPrefix()}`, async () => {
      const items = await this.table.queryPrefix<{ sk: string; data: string; layout?: number }>(
        pk,
        keys.indexPrefix(),
      );
      const indexes = new Map<string, Map<string, BlobRef>>();
      for (const item of items) {
        const blobPk = (hash: string) =>
          item.layout === 2 ? keys.datasetBlobShard(communityId, hash) : keys.datasetBlobs(communityId);
        const prefix = item.sk.slice(0, item.sk.lastIndexOf('#') + 1);
        let index = indexes.get(prefix);
        if (!index) {
          index = new Map();
          indexes.set(prefix, index);
        }
        for (const [institutionId, hash, pages] of decode<IndexEntry[]>(item.data)) {
          index.set(institutionId, { hash, pages, pk: blobPk(hash) });
        }
      }
      return indexes;
    });
  }

  /**
   * Each staff id of a version and its institution, from its rosters read a hundred blobs at a time and
   * not kept (a province's 350,000 staff: the map, not the rosters, stays in memory).
   */
  async staffInstitutions(communityId: string, version: number): Promise<Map<string, string>> {
    const index = [...(await this.rosterIndex(communityId, version))];
    const out = new Map<string, string>();
    for (let at = 0; at < index.length; at += 100) {
      const slice = index.slice(at, at + 100);
      const texts = await this.blobTexts(
        communityId,
        slice.map(([, ref]) => ref),
      );
      for (const [institutionId, ref] of slice)
        for (const page of blobPages<Staff[]>(texts, ref, communityId))
          for (const staff of page) out.set(staff.staffId, institutionId);
    }
    return out;
  }

  /**
   * A version that is `baseVersion` with the rows of `months` replaced by `rows` (a correction's, and the
   * year's data its approval makes current: DOMAIN.md §7.1, issue 12), without reading or writing anything
   * of the base outside those months: its parts, list references and withholding are the base's items as
   * they are, its roster index the base's (institutions in id order, as a version written from a loaded
   * dataset lists them), its other months' indexes the base's, and only the window's month blobs the base
   * lacks are written (logged first, in the pages a VersionWriter logs them in). `rows` are the window's
   * rows in the order a whole corrected dataset holds them, grouped into institution-months as a
   * VersionWriter groups them (workload and adjustments by `institutionOf` their staff member), so the
   * window's blobs, hashes and indexes are the ones writing the whole dataset makes. Undefined when the
   * base is not of the current layout (lists as page blobs, layout-2 indexes): write the whole dataset.
   * Not complete until `completeVersion`.
   */
  async writeWindowVersion(
    communityId: string,
    year: number,
    baseVersion: number,
    months: readonly string[],
    rows: MonthRows,
    institutionOf: (staffId: string) => string,
    importedBy: string,
  ): Promise<WrittenVersion | undefined> {
    const basePk = keys.datasetPartition(communityId, baseVersion);
    const baseItems = await this.table.queryPrefix<Item & { sk: string; layout?: number }>(basePk);
    const inWindow = (sk: string) => months.some((period) => sk.startsWith(keys.monthIndexPrefix(period)));
    const kept: Item[] = [];
    const rosterEntries: IndexEntry[] = [];
    for (const item of baseItems) {
      const sk = item.sk;
      if (sk.startsWith(keys.blobLogPrefix()) || inWindow(sk)) continue;
      if (sk.startsWith(keys.indexPrefix())) {
        if (item.layout !== DATASET_LAYOUT) return undefined;
        if (sk.startsWith(keys.rosterIndexPrefix())) rosterEntries.push(...decode<IndexEntry[]>(item.data));
        else kept.push(item);
      } else if (
        ['SCHEME', 'INDICATORS', 'HEADCOUNTS'].includes(sk) ||
        sk.startsWith(keys.deductionsPrefix()) ||
        (sk.endsWith('@') && (LIST_NAMES as readonly string[]).includes(sk.slice(0, -1)))
      ) {
        kept.push(item);
      } else return undefined; // a list of the layout before list blobs, or anything unknown
    }
    if (!baseItems.some((i) => i.sk === listRefSk('INSTITUTIONS'))) return undefined;
    rosterEntries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

    for (const field of MONTH_FIELDS)
      for (const row of rows[field])
        if (!months.includes(row.period))
          throw new RangeError(`a ${field} row of ${row.period} is outside the window ${months.join(' ')}`);
    const monthBlobs = windowMonthBlobs(rows, institutionOf);
    const stored = await this.blobHashes(communityId, baseVersion);
    const logged = new Set<string>();
    const flushes: { hash: string; kind: BlobKind; texts: string[] }[][] = [[]];
    let items = 0;
    let bytes = 0;
    for (const entries of monthBlobs.values())
      for (const { blob } of entries) {
        if (stored.has(blob.hash) || logged.has(blob.hash)) continue;
        logged.add(blob.hash);
        flushes.at(-1)!.push({ hash: blob.hash, kind: 'month', texts: blob.texts });
        items += blob.texts.length;
        for (const text of blob.texts) bytes += text.length;
        if (items >= VersionWriter.flushItems || bytes >= FLUSH_BYTES) {
          flushes.push([]);
          items = 0;
          bytes = 0;
        }
      }

    const importedAt = new Date().toISOString();
    const version = await this.claimVersion(communityId, year, importedAt, importedBy);
    try {
      let pagesWritten = 0;
      let logPage = 0;
      for (const blobs of flushes.filter((f) => f.length > 0)) {
        await this.table.put(blobLogItem(communityId, version, logPage++, blobs));
        const pagesOut = blobItems(communityId, version, blobs);
        await this.table.batchWrite(puts(pagesOut));
        pagesWritten += pagesOut.length;
      }
      const pk = keys.datasetPartition(communityId, version);
      const own: Item[] = [
        ...kept.map((item) => ({ ...item, pk })),
        ...indexItems(pk, rosterEntries, keys.rosterIndex),
        ...[...monthBlobs].flatMap(([period, entries]) =>
          indexItems(
            pk,
            entries.map(({ institutionId, blob }) => [institutionId, blob.hash, blob.texts.length]),
            (page) => keys.monthIndex(period, page),
          ),
        ),
      ];
      await this.table.batchWrite(puts(own));
      return { communityId, year, version, importedAt, importedBy, total: pagesWritten + own.length };
    } catch (error) {
      await this.markFailed(communityId, version).catch(() => undefined);
      throw error;
    }
  }

  /** Why a version has no roster index: stored by the layout before blobs, or not there at all. */
  private async noIndex(communityId: string, version: number): Promise<StoreError> {
    const pk = keys.datasetPartition(communityId, version);
    const older = await this.table.queryPrefix(pk, 'ROSTER#', { limit: 1 });
    return older.length > 0
      ? new StoreError(
          'not_found',
          `数据集 ${communityId} v${version} 是旧版本按旧的存储格式保存的，请重新导入数据集 / ` +
            `dataset ${communityId} v${version} was stored in an older layout; import the dataset again`,
        )
      : new StoreError('not_found', `dataset ${communityId} v${version} has no roster index`);
  }

  /**
   * Reads every blob of `refs` that is neither cached nor being read in one BatchGetItem (more past 100
   * pages), for `blob` to find. Throws if that read fails: the caller that made it fails, the blobs are
   * forgotten. `inTurn` (a read nobody waits for yet: the rosters a start reads ahead for the pay step)
   * reads them in requests of at most `inTurn` pages, two at a time, in the order given, so the first
   * institutions' blobs arrive first instead of all at once at the end.
   *
   * The pages read are kept as text and each blob is decoded (and its hash checked) by the first `blob`
   * that asks for it: a Map batch decodes its own institutions' rosters when it computes, not every
   * batch's when the read lands, which held the first batch's computing (and so every write) back.
   */
  private async prefetch(communityId: string, refs: readonly BlobRef[], inTurn?: number): Promise<void> {
    const missing = [...new Map(refs.map((ref) => [`${ref.pk}|${ref.hash}`, ref])).values()].filter(
      (ref) => !this.cache.has(`${ref.pk}|${ref.hash}`) && !this.blobsRead.has(`${ref.pk}|${ref.hash}`),
    );
    if (missing.length === 0) return;
    // Bounded as the cache is: a blob read ahead that nobody asked for is read again if it ever is.
    if (this.blobsRead.size > 20_000) this.blobsRead.clear();
    const groups: BlobRef[][] = [];
    if (inTurn === undefined) groups.push(missing);
    else
      for (const ref of missing) {
        const last = groups.at(-1);
        if (last && last.reduce((n, r) => n + r.pages, 0) + ref.pages <= inTurn) last.push(ref);
        else groups.push([ref]);
      }
    // In turn: two reads in flight, started in the order given (the slots serve their waiters in order).
    const slots = inTurn === undefined ? undefined : new RequestSlots(2);
    const reads = groups.map((group) => {
      const read = slots
        ? slots.run(() => this.blobTexts(communityId, group))
        : this.blobTexts(communityId, group);
      for (const ref of group) {
        const key = `${ref.pk}|${ref.hash}`;
        this.blobsRead.set(key, read);
        // Forgotten if the read fails (a later `blob` reads its own), and once decoded (`blob`).
        read.catch(() => {
          if (this.blobsRead.get(key) === read) this.blobsRead.delete(key);
        });
      }
      return read;
    });
    await Promise.all(reads);
  }

  /** Pages read by `prefetch` of blobs not decoded yet, by blob key: the read's texts (`blobTexts`). */
  private readonly blobsRead = new Map<string, Promise<Map<string, string>>>();

  /** The page texts of blobs, by partition and sort key, in one BatchGetItem (more if over 100 pages). */
  private async blobTexts(_communityId: string, refs: readonly BlobRef[]): Promise<Map<string, string>> {
    const unique = [...new Map(refs.map((ref) => [`${ref.pk}|${ref.hash}`, ref])).values()];
    const items = await this.table.batchGet<{ pk: string; sk: string; data: string }>(
      unique.flatMap((ref) =>
        Array.from({ length: ref.pages }, (_, page) => ({ pk: ref.pk, sk: keys.blobPage(ref.hash, page) })),
      ),
    );
    return new Map(items.map((item) => [`${item.pk}|${item.sk}`, item.data]));
  }

  /**
   * A blob's pages, decoded (cached by hash: the same content under every version that holds it). Callers
   * `prefetch` first; a read of its own happens only after a shared read failed.
   */
  private blob<T>(communityId: string, ref: BlobRef): Promise<T[]> {
    const key = `${ref.pk}|${ref.hash}`;
    return this.cached(key, async () => {
      const read = this.blobsRead.get(key);
      this.blobsRead.delete(key);
      // A shared read that failed is read again here, as a waiter on a failed `cached` read does.
      const texts = read ? await read.catch(() => undefined) : undefined;
      return blobPages<T>(texts ?? (await this.blobTexts(communityId, [ref])), ref, communityId);
    });
  }

  /**
   * Hashes of the blobs a version refers to in the current layout (none for no version; none of a
   * layout-1 version, whose blobs are under another key: a new version writes its own copies).
   */
  private async blobHashes(communityId: string, version: number | undefined): Promise<Set<string>> {
    if (version === undefined) return new Set();
    const hashes = new Set<string>();
    for (const index of (await this.indexes(communityId, version)).values()) {
      for (const ref of index.values())
        if (ref.pk === keys.datasetBlobShard(communityId, ref.hash)) hashes.add(ref.hash);
    }
    for (const hash of await this.listHashes(communityId, version)) hashes.add(hash);
    return hashes;
  }

  /** The page blobs a version's lists refer to (none for a version written before list blobs). */
  private listHashes(communityId: string, version: number): Promise<string[]> {
    const pk = keys.datasetPartition(communityId, version);
    return this.cached(`${pk}|LISTS@`, async () => {
      const refs = await Promise.all(
        LIST_NAMES.map((name) => this.table.get<{ data: string }>({ pk, sk: listRefSk(name) })),
      );
      return refs.flatMap((ref) => (ref ? decode<string[]>(ref.data) : []));
    });
  }
}

/** What a sweep removed: the failed versions it cleared, their blobs and pages deleted. */
export interface SweepOutcome {
  versions: number[];
  blobs: number;
  pages: number;
}

async function runLimited<T>(inputs: readonly T[], concurrency: number, task: (input: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) await task(inputs[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
}

/** A blob's pages decoded from the texts read, refusing a blob with a page missing. */
function blobPages<T>(texts: ReadonlyMap<string, string>, ref: BlobRef, communityId: string): T[] {
  const pageTexts = Array.from({ length: ref.pages }, (_, page) => {
    const data = texts.get(`${ref.pk}|${keys.blobPage(ref.hash, page)}`);
    if (data === undefined) throw missingBlob(communityId, ref);
    return data;
  });
  const pagesRead = pageTexts.map((data) => decode<T>(data));
  // A blob is named by the SHA-256 of its content: re-hashed on every read, so a roster or month edited
  // in the table (a swapped bank account) is refused instead of paid. The pages' own text is the whole's
  // encoding as the writer made it, so it is hashed as read; only when that differs is the whole encoded
  // again (a page stored with other spacing but the same content is still accepted, as before).
  const text = blobWholeText(pageTexts);
  if (text !== undefined && fullHashOfEncoded(text) === ref.hash) return pagesRead;
  const whole = Array.isArray(pagesRead[0]) ? pagesRead.flat() : mergeMonths(pagesRead as MonthRows[]);
  if (fullHashOfEncoded(encode(whole)) !== ref.hash) throw tamperedBlob(communityId, ref);
  return pagesRead;
}

/**
 * A blob's whole encoded text from its page texts as `encodeArrayPages` cut them, without decoding: one
 * page is the whole; an array's pages are `[` + its elements' JSON joined by `,` + `]`. Undefined for a
 * month in several pages (merged by field, not by text).
 */
export function blobWholeText(pageTexts: readonly string[]): string | undefined {
  if (pageTexts.length === 1) return pageTexts[0];
  if (!pageTexts.every((t) => t.startsWith('[') && t.endsWith(']'))) return undefined;
  const inner = pageTexts.map((t) => t.slice(1, -1)).filter((t) => t !== '');
  return `[${inner.join(',')}]`;
}

function tamperedBlob(communityId: string, ref: BlobRef): StoreError {
  return new StoreError(
    'not_found',
    `数据集 ${communityId} 的数据块 ${ref.hash.slice(0, 16)} 内容与其哈希不符（库中数据被改动），拒绝使用 / ` +
      `dataset ${communityId}: blob ${ref.hash} does not match its hash (it was changed in the table); refusing it`,
    { details: { blob: ref.hash, tampered: true } },
  );
}

/** The 16-hex content hash month locks record: the start of the blob's SHA-256 (same JSON, same hash). */
const lockHash = (ref: BlobRef) => ref.hash.slice(0, 16);

function mergeMonths(parts: readonly MonthRows[]): MonthRows {
  const merged = emptyMonth();
  for (const part of parts) {
    merged.workload.push(...part.workload);
    merged.values.push(...part.values);
    merged.finance.push(...part.finance);
    merged.adjustments.push(...part.adjustments);
  }
  return merged;
}

function missingBlob(communityId: string, ref: BlobRef): StoreError {
  return new StoreError(
    'not_found',
    `dataset ${communityId}: blob ${ref.hash} is missing pages (${ref.pages} expected)`,
  );
}

function concurrentImport(communityId: string): StoreError {
  return new StoreError(
    'conditional_failed',
    `另一个导入刚刚更新了 ${communityId} 的数据，请重新导入 / Another import for ${communityId} finished first; import again.`,
  );
}

/** The withholding parts of a version's items, in period and page order ({} without deductions.csv). */
function deductionsOf(items: readonly Item[]): Pick<Dataset, 'deductions'> {
  const parts = items
    .filter((i) => String(i.sk).startsWith(keys.deductionsPrefix()))
    .sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : String(a.sk) > String(b.sk) ? 1 : 0));
  return parts.length === 0
    ? {}
    : { deductions: parts.flatMap((i) => decode<Deduction[]>(i.data as string)) };
}

/** A streamed import's workload rows of one institution-month: each row's JSON, and its file row. */
export interface WorkloadGroup {
  texts: string[];
  rows: number[];
  /** `texts` joined by ',' where the reader made them at once (its `texts` is then split from it when read). */
  joined?: string;
}

/** Places of one institution-month's rows in the writer's lists of the other monthly files. */
type OtherPlaces = Record<'values' | 'finance' | 'adjustments', number[]>;

/** A row's JSON, its place emptied: each row of the other files is encoded once, then let go. */
function take<T>(rows: (T | undefined)[], at: number): string {
  const text = encode(rows[at]);
  rows[at] = undefined;
  return text;
}

/** The other monthly files' rows of one institution-month, as JSON texts, with their file rows. */
interface OtherMonthRows {
  texts: MonthTexts;
  rows: Record<'values' | 'finance' | 'adjustments', number[]>;
}

/** One institution's month as a streamed import made it: its blob, and where its rows came from. */
export interface MonthBlob {
  institutionId: string;
  blob: EncodedBlob;
  workloadRows: readonly number[];
  other: OtherMonthRows | undefined;
}

/** File rows of the other monthly files, in the dataset's order (ParseResult's rowNumbers). */
export type OtherFileRows = Record<'indicatorValues' | 'finance' | 'adjustments', readonly number[]>;

/** Blob pages put per flush, after their log entry: a few BatchWriteItems, so writes overlap the parse. */
const FLUSH_ITEMS = 250;
const FLUSH_BYTES = 4 * 1024 * 1024;
/** Flushes in flight at most; the parse waits for one to end beyond that (each runs the store's 4 in parallel). */
const FLUSHES_IN_FLIGHT = 8;
/**
 * …and text in flight at most (UTF-16 units of blob pages), once two flushes and twice the store's 4
 * requests are: pages queued far beyond the requests the store has out only wait — and outlive the young
 * generation, which copies them again and again (a city import's main thread: ~0.1 s of CPU less at ~12 M
 * than at 8 flushes of 4 MB). Flushes of large pages (a few requests each) still go up to eight.
 */
const CHARS_IN_FLIGHT = 12 * 1024 * 1024;
const REQUESTS_IN_FLIGHT = 8;

/**
 * Writes a version while its files are still being read (issues 12 and 17): blobs are content-addressed
 * and the pointer switches last, so each finished roster and institution-month is encoded, hashed and
 * put as soon as it is complete — its entry in the version's blob log first — and nothing a reader sees
 * changes until `finish` switches the pointer. The version is claimed with its first write (an import
 * that writes nothing claims it at the end). `abort` removes everything the version wrote that no other
 * version needs — blobs, log, manifest — so a refused import leaves the table as it was; when that
 * fails, the version is marked failed for the next sweep.
 */
export class VersionWriter {
  /** Blob pages per flush (a test lowers it to see a small import's blobs go out before it ends). */
  static flushItems = FLUSH_ITEMS;
  version: number | undefined;
  private claiming: Promise<number> | undefined;
  private readonly rosterIndex: IndexEntry[] = [];
  private readonly monthIndexes = new Map<string, IndexEntry[]>();
  /** Blobs this version logged (hash → pages), whether or not their write has ended. */
  private readonly logged = new Map<string, number>();
  private readonly others = new Map<string, Map<string, OtherMonthRows>>();
  private queue: { hash: string; kind: BlobKind; texts: string[] }[] = [];
  private queueItems = 0;
  private queueBytes = 0;
  private logPage = 0;
  private readonly inFlight = new Set<Promise<void>>();
  /** The text and the BatchWriteItems of the flushes in flight (see CHARS_IN_FLIGHT). */
  private charsInFlight = 0;
  private requestsInFlight = 0;
  private failure: unknown;
  /** Blob pages put so far. */
  pagesWritten = 0;

  constructor(
    private readonly store: WriterStore,
    private readonly claim: () => Promise<number>,
    readonly communityId: string,
    /** Blobs the current version holds: stored and complete, never written again. */
    private readonly stored: ReadonlySet<string>,
    dataset: Dataset,
    fileRows: OtherFileRows,
  ) {
    // The other monthly files' rows are the writer's from here: the import keeps none of them (a province's
    // are ~800,000), and each is let go once its month is encoded.
    this.source = {
      values: dataset.indicatorValues.slice(),
      finance: dataset.finance.slice(),
      adjustments: dataset.adjustments.slice(),
      staff: dataset.staff,
      fileRows,
    };
  }

  private readonly source: {
    values: (IndicatorValue | undefined)[];
    finance: (FinanceRow | undefined)[];
    adjustments: (Adjustment | undefined)[];
    staff: readonly Staff[];
    fileRows: OtherFileRows;
  };
  /** Where each period's and institution's rows are in the source's lists (placed when first asked). */
  private places: Map<string, Map<string, OtherPlaces>> | undefined;

  /** Whether a write failed (the import then stops writing; `finish` throws the error). */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /**
   * indicator-values, finance and adjustments rows by period and institution, as their places in the
   * source's lists (in monthRowsByInstitution's order). Only places: each month's rows are encoded when that
   * month is written (`othersOf`), so the first write waits for January's alone — encoding a city's ~80,000
   * rows at the first month took ~70 ms of its main thread before the first write, when both cores are busiest.
   */
  private placed(): Map<string, Map<string, OtherPlaces>> {
    if (this.places) return this.places;
    const places = new Map<string, Map<string, OtherPlaces>>();
    const { values, finance, adjustments, staff } = this.source;
    const slot = (period: string, institutionId: string) =>
      periodSlot(
        places,
        period,
        institutionId,
        (): OtherPlaces => ({ values: [], finance: [], adjustments: [] }),
      );
    values.forEach((row, i) => {
      slot(row!.period, row!.institutionId).values.push(i);
    });
    finance.forEach((row, i) => {
      slot(row!.period, row!.institutionId).finance.push(i);
    });
    if (adjustments.length > 0) {
      const institutionOf = new Map(staff.map((s) => [s.staffId, s.institutionId]));
      adjustments.forEach((row, i) => {
        slot(row!.period, institutionOf.get(row!.staffId)!).adjustments.push(i);
      });
    }
    this.places = places;
    return places;
  }

  /** A period's rows of the other files by institution, encoded once and then let go (undefined: none). */
  private othersOf(period: string): Map<string, OtherMonthRows> | undefined {
    const encoded = this.others.get(period);
    if (encoded) return encoded;
    const places = this.placed().get(period);
    if (!places) return undefined;
    const { fileRows } = this.source;
    const month = new Map<string, OtherMonthRows>();
    for (const [institutionId, at] of places) {
      month.set(institutionId, {
        texts: {
          workload: [],
          values: at.values.map((i) => take(this.source.values, i)),
          finance: at.finance.map((i) => take(this.source.finance, i)),
          adjustments: at.adjustments.map((i) => take(this.source.adjustments, i)),
        },
        rows: {
          values: at.values.map((i) => fileRows.indicatorValues[i]!),
          finance: at.finance.map((i) => fileRows.finance[i]!),
          adjustments: at.adjustments.map((i) => fileRows.adjustments[i]!),
        },
      });
    }
    this.others.set(period, month);
    return month;
  }

  /** Every institution's roster: indexed, and put unless the current version has it. */
  rosters(dataset: Dataset): void {
    for (const [institutionId, staff] of rosterByInstitution(dataset)) {
      const blob = encodeRoster(staff);
      this.rosterIndex.push([institutionId, blob.hash, blob.texts.length]);
      this.add('roster', blob);
    }
  }

  /**
   * A month whose workload rows are all read: each institution's blob (its workload rows and its rows of
   * the other files), indexed in the order the version's index lists them. Encoding a month again (a
   * file whose months were not in order) replaces its entries; `put` writes the blobs.
   */
  month(period: string, workload: ReadonlyMap<string, WorkloadGroup>): MonthBlob[] {
    const other = this.othersOf(period);
    const blobs: MonthBlob[] = [];
    for (const [institutionId, group] of workload) {
      const rows = other?.get(institutionId);
      const texts = rows?.texts ?? { workload: [], values: [], finance: [], adjustments: [] };
      const blob = encodeMonthGroupPages(texts, group);
      blobs.push({ institutionId, blob, workloadRows: group.rows, other: rows });
    }
    for (const [institutionId, rows] of other ?? []) {
      if (workload.has(institutionId)) continue;
      blobs.push({ institutionId, blob: encodeMonthTextPages(rows.texts), workloadRows: [], other: rows });
    }
    this.monthIndexes.set(
      period,
      blobs.map(({ institutionId, blob }) => [institutionId, blob.hash, blob.texts.length]),
    );
    return blobs;
  }

  /** Months that only the other files have rows for (after every workload month was given). */
  otherMonths(): string[] {
    return [...this.placed().keys()].filter((period) => !this.monthIndexes.has(period));
  }

  put(blobs: readonly MonthBlob[]): void {
    for (const { blob } of blobs) this.add('month', blob);
  }

  private add(kind: BlobKind, blob: EncodedBlob): void {
    if (this.stored.has(blob.hash) || this.logged.has(blob.hash)) return;
    this.logged.set(blob.hash, blob.texts.length);
    this.queue.push({ hash: blob.hash, kind, texts: blob.texts });
    this.queueItems += blob.texts.length;
    for (const text of blob.texts) this.queueBytes += text.length;
    if (
      this.queueItems >= VersionWriter.flushItems ||
      this.queueBytes >= FLUSH_BYTES ||
      // Nothing in flight: a BatchWriteItem's worth goes now rather than wait for a flush's worth — a
      // county's 436 pages made two flushes, the first once half its months were read, so its writes
      // began when the parse ended; a city's store is idle only before its first flush.
      (this.inFlight.size === 0 && this.queueItems >= BATCH_WRITE_LIMIT)
    )
      this.flush();
  }

  /**
   * Claims the version now when none of its blobs can be stored already (the year's first import: its
   * rosters are all new, so it writes), so that the claim's round trips overlap the rosters' encoding
   * instead of preceding the first write. True when it did; otherwise the first write claims it, as ever.
   */
  claimNow(): boolean {
    if (this.stored.size > 0 || this.claiming !== undefined) return false;
    void this.claimOnce().catch(() => undefined); // a failed claim fails the first flush, as it would have
    return true;
  }

  private claimOnce(): Promise<number> {
    this.claiming ??= this.claim().then((version) => {
      this.version = version;
      return version;
    });
    return this.claiming;
  }

  /** Puts the queued blobs: the log entry naming them first (a sweep's map of what a failed version left). */
  private flush(): void {
    if (this.queue.length === 0 || this.failure !== undefined) return;
    const blobs = this.queue;
    const logPage = this.logPage++;
    const chars = this.queueBytes;
    const requests = Math.ceil(this.queueItems / BATCH_WRITE_LIMIT);
    this.queue = [];
    this.queueItems = 0;
    this.queueBytes = 0;
    this.charsInFlight += chars;
    this.requestsInFlight += requests;
    const write = (async () => {
      const version = await this.claimOnce();
      // Added once put: `x += await …` would read x before the wait and lose a concurrent flush's pages.
      const pages = await this.store.putBlobs(version, logPage, blobs);
      this.pagesWritten += pages;
    })().catch((error: unknown) => {
      this.failure ??= error;
    });
    this.inFlight.add(write);
    void write.finally(() => {
      this.inFlight.delete(write);
      this.charsInFlight -= chars;
      this.requestsInFlight -= requests;
    });
  }

  /** Where the reading pauses between slices: until the writes in flight leave room for more. */
  async pause(): Promise<void> {
    while (
      this.inFlight.size >= FLUSHES_IN_FLIGHT ||
      (this.inFlight.size > 2 &&
        this.charsInFlight >= CHARS_IN_FLIGHT &&
        this.requestsInFlight >= REQUESTS_IN_FLIGHT)
    )
      await Promise.race(this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Blobs queued but not yet put are dropped (their log entries were never written). */
  private discard(): void {
    for (const { hash } of this.queue) this.logged.delete(hash);
    this.queue = [];
    this.queueItems = 0;
    this.queueBytes = 0;
  }

  private async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** Every blob put and the version claimed: what `complete` needs — its parts, indexes and totals. */
  async finish(dataset: Dataset): Promise<{ version: number; total: number; written: number }> {
    const lists = listBlobs(dataset);
    for (const { blobs } of lists) for (const blob of blobs) this.add('list', blob);
    await this.drain();
    if (this.failure !== undefined) throw this.failure;
    const version = await this.claimOnce();
    const indexed = new Set<string>();
    for (const { blobs } of lists) for (const { hash } of blobs) indexed.add(hash);
    for (const [, hash] of this.rosterIndex) indexed.add(hash);
    for (const index of this.monthIndexes.values()) for (const [, hash] of index) indexed.add(hash);
    // Months encoded twice (a file out of order) may have left blobs no index names: removed now.
    const orphans = [...this.logged].filter(([hash]) => !indexed.has(hash));
    if (orphans.length > 0) await this.removeOwn(version, orphans, indexed);
    const items = await this.store.putVersion(version, dataset, this.rosterIndex, this.monthIndexes);
    const written = this.pagesWritten + items;
    return { version, total: written, written };
  }

  /**
   * Undoes the version (a refused import): its blobs no live version needs, its log and its manifest are
   * deleted, so the table is as it was. When that fails, the version is marked failed (a sweep clears it).
   */
  async abort(): Promise<void> {
    this.discard();
    await this.drain().catch(() => undefined);
    if (this.claiming === undefined) return;
    const version = await this.claiming.catch(() => undefined);
    if (version === undefined) return;
    try {
      await this.removeOwn(version, [...this.logged], new Set());
      await this.store.removeVersion(version);
    } catch {
      await this.store.markFailed(version).catch(() => undefined);
    }
  }

  /** A write that died: the version (if claimed) is marked failed; the next import's sweep clears it. */
  async fail(): Promise<void> {
    this.discard();
    await this.drain().catch(() => undefined);
    if (this.claiming === undefined) return;
    const version = await this.claiming.catch(() => undefined);
    if (version !== undefined) await this.store.markFailed(version);
  }

  /** Deletes pages this version put that neither `keep` nor a live version of the community needs. */
  private async removeOwn(version: number, entries: readonly LogEntry[], keep: ReadonlySet<string>) {
    const live = await this.store.liveHashes(version);
    await this.store.removeBlobs(
      version,
      entries.filter(([hash]) => !keep.has(hash) && !live.has(hash)),
    );
  }
}

/**
 * A writer's items staged rather than written (the import workflow: PrepareImport stages them in chunks,
 * its Map writes them with `writeItems`, FinishImport switches the pointer). The blob log still goes to
 * the table first, so a run that fails leaves a sweep its map of what may have been written.
 */
export interface StagedItems {
  put(items: Item[]): Promise<void>;
  /** Pages to remove once the staged items are written (blobs no index names: a file's months out of order). */
  remove(entries: readonly LogEntry[]): void;
}

/** What a VersionWriter does to the table, each through a DatasetRepository method (see `openWriter`). */
export interface WriterStore {
  /** Puts blobs' log entry, then their pages; returns the pages put. */
  putBlobs(
    version: number,
    logPage: number,
    blobs: { hash: string; kind: BlobKind; texts: string[] }[],
  ): Promise<number>;
  /** Puts the version's parts and indexes; returns the items put. */
  putVersion(
    version: number,
    dataset: Dataset,
    rosterIndex: IndexEntry[],
    monthIndexes: ReadonlyMap<string, IndexEntry[]>,
  ): Promise<number>;
  /** Deletes the pages of these blobs that this version still last wrote. */
  removeBlobs(version: number, entries: readonly LogEntry[]): Promise<void>;
  /** Deletes the version's own items and its manifest. */
  removeVersion(version: number): Promise<void>;
  markFailed(version: number): Promise<void>;
  /** Hashes other live versions refer to or (still writing) logged. */
  liveHashes(except: number): Promise<Set<string>>;
}
