/**
 * Dataset versions: an import writes every part under a new version and only then switches the
 * community's current pointer, so a failed or interrupted import leaves the previous data current
 * and untouched. Versions are immutable, which also makes them safe to cache.
 */
import type {
  Adjustment,
  Dataset,
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
import type { BatchWrite, Item } from './batch.js';
import { contentHash, decode, encode, hashOfEncoded, pages } from './codec.js';
import { isStoreError, StoreError } from './errors.js';
import { keys } from './keys.js';
import type { Table } from './store.js';

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

/** A `writing` manifest older than this belongs to an import that died. */
const ABANDONED_AFTER_MS = 30 * 60_000;

const ROSTER_PAGE = 1500;
const WORKLOAD_PAGE = 2500;

export const emptyMonth = (): MonthRows => ({ workload: [], values: [], finance: [], adjustments: [] });

/** Groups a dataset's monthly rows by period and institution (adjustments follow their staff member). */
export function monthRowsByInstitution(dataset: Dataset): Map<string, Map<string, MonthRows>> {
  const institutionOf = new Map(dataset.staff.map((s) => [s.staffId, s.institutionId]));
  const months = new Map<string, Map<string, MonthRows>>();
  const slot = (period: string, institutionId: string) => {
    let byInstitution = months.get(period);
    if (!byInstitution) {
      byInstitution = new Map();
      months.set(period, byInstitution);
    }
    let rows = byInstitution.get(institutionId);
    if (!rows) {
      rows = emptyMonth();
      byInstitution.set(institutionId, rows);
    }
    return rows;
  };
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

type Months = ReturnType<typeof monthRowsByInstitution>;

function rosterByInstitution(dataset: Dataset): Map<string, Staff[]> {
  const staffByInstitution = new Map<string, Staff[]>();
  for (const s of dataset.staff) {
    const list = staffByInstitution.get(s.institutionId);
    if (list) list.push(s);
    else staffByInstitution.set(s.institutionId, [s]);
  }
  return staffByInstitution;
}

const pageCount = (rows: number, size: number) => Math.max(1, Math.ceil(rows / size));

/** How many items `datasetItems` makes, without making them. */
function datasetItemCount(rosters: Map<string, Staff[]>, months: Months): number {
  let count = 6;
  for (const staff of rosters.values()) count += pageCount(staff.length, ROSTER_PAGE);
  for (const byInstitution of months.values()) {
    for (const rows of byInstitution.values()) count += pageCount(rows.workload.length, WORKLOAD_PAGE);
  }
  return count;
}

/**
 * Items of one dataset version's partition, made one at a time as the write takes them: a city's are
 * ~65 MB of JSON, which need not all be in memory at once.
 */
function* datasetItems(
  pk: string,
  dataset: Dataset,
  rosters: Map<string, Staff[]>,
  months: Months,
): Generator<Item> {
  yield { pk, sk: 'SCHEME', type: 'DatasetPart', data: encode(dataset.scheme) };
  yield { pk, sk: 'INSTITUTIONS', type: 'DatasetPart', data: encode(dataset.institutions) };
  yield { pk, sk: 'INDICATORS', type: 'DatasetPart', data: encode(dataset.indicators) };
  yield { pk, sk: 'LEADERS', type: 'DatasetPart', data: encode(leadersWithInstitution(dataset)) };
  yield { pk, sk: 'HEADCOUNTS', type: 'DatasetPart', data: encode(headcounts(dataset)) };
  yield { pk, sk: 'INSURANCE', type: 'DatasetPart', data: encode(dataset.insurance) };
  for (const [institutionId, staff] of rosters) {
    for (const [i, page] of pages(staff, ROSTER_PAGE).entries()) {
      yield { pk, sk: keys.rosterPage(institutionId, i), type: 'Roster', data: encode(page) };
    }
  }
  for (const [period, byInstitution] of months) {
    for (const [institutionId, rows] of byInstitution) {
      const workloadPages = pages(rows.workload, WORKLOAD_PAGE);
      for (const [i, workload] of workloadPages.entries()) {
        const part: MonthRows = i === 0 ? { ...rows, workload } : { ...emptyMonth(), workload };
        const data = encode(part);
        // A month on one page is encoded exactly as its hash reads it (same keys, same rows): hash that text.
        const hash =
          i === 0 ? (workloadPages.length === 1 ? hashOfEncoded(data) : monthHash(rows)) : undefined;
        yield {
          pk,
          sk: keys.monthChunk(period, institutionId, i),
          type: 'MonthRows',
          ...(hash === undefined ? {} : { hash }),
          data,
        };
      }
    }
  }
}

function* puts(items: Iterable<Item>): Generator<BatchWrite> {
  for (const put of items) yield { put };
}

export class DatasetRepository {
  /** Immutable version parts read in this process (a Lambda container or the local CLI). */
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly table: Table) {}

  async current(communityId: string): Promise<DatasetPointer | undefined> {
    const item = await this.table.get<DatasetPointer & Item>(keys.currentDataset(communityId));
    return item
      ? {
          communityId,
          version: item.version,
          importedAt: item.importedAt,
          importedBy: item.importedBy,
          year: item.year,
        }
      : undefined;
  }

  async defaultCommunity(): Promise<string | undefined> {
    const item = await this.table.get<{ communityId: string }>(keys.defaultCommunity());
    return item?.communityId;
  }

  /**
   * Writes the dataset as a new version and makes it current. `expectedVersion` is the version the
   * caller validated against (locks were checked against it): if another import switched the pointer
   * meanwhile, this one is refused rather than silently overwriting it.
   */
  async writeVersion(
    dataset: Dataset,
    importedBy: string,
    expectedVersion: number | undefined,
    onProgress?: (done: number, total: number) => void,
  ): Promise<DatasetPointer> {
    const communityId = dataset.scheme.community.id;
    const importedAt = new Date().toISOString();
    const version = await this.claimVersion(communityId, (expectedVersion ?? 0) + 1, importedAt, importedBy);
    const pk = keys.datasetPartition(communityId, version);
    const rosters = rosterByInstitution(dataset);
    const months = monthRowsByInstitution(dataset);
    const total = datasetItemCount(rosters, months);
    try {
      // Made as the write takes them (a few chunks ahead of DynamoDB), so encoding overlaps the writes in
      // flight and only those chunks' JSON text is held at a time.
      await this.table.batchWrite(puts(datasetItems(pk, dataset, rosters, months)), onProgress, total);
    } catch (error) {
      // Mark the version failed (best effort) so the next import skips it at once instead of waiting for
      // it to count as abandoned; the pointer was never moved, so the previous version stays current.
      await this.table
        .update({
          Key: keys.datasetManifest(communityId, version),
          UpdateExpression: 'SET #status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed' },
        })
        .catch(() => undefined);
      throw error;
    }
    const pointer = { communityId, version, importedAt, importedBy, year: dataset.scheme.year };
    try {
      await this.table.transact([
        {
          Put: {
            Item: { ...keys.currentDataset(communityId), type: 'DatasetPointer', ...pointer },
            ConditionExpression:
              expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :expected',
            ...(expectedVersion === undefined
              ? {}
              : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
          },
        },
        {
          Update: {
            Key: keys.datasetManifest(communityId, version),
            UpdateExpression: 'SET #status = :complete, #items = :items',
            ExpressionAttributeNames: { '#status': 'status', '#items': 'items' },
            ExpressionAttributeValues: { ':complete': 'complete', ':items': total },
          },
        },
        { Put: { Item: { ...keys.defaultCommunity(), type: 'DefaultCommunity', communityId } } },
      ]);
    } catch (error) {
      if (isStoreError(error, 'transaction_cancelled')) throw concurrentImport(communityId);
      throw error;
    }
    return pointer;
  }

  /**
   * Claims a fresh version number (its own partition) for this import. A version another import is still
   * writing refuses this one; one that failed, or was abandoned by an import that died, is skipped, never
   * reused, so two imports can never mix their rows in one partition.
   */
  private async claimVersion(
    communityId: string,
    first: number,
    importedAt: string,
    importedBy: string,
  ): Promise<number> {
    for (let version = first; version < first + 100; version++) {
      try {
        await this.table.put(
          {
            ...keys.datasetManifest(communityId, version),
            type: 'DatasetManifest',
            status: 'writing',
            importedAt,
            importedBy,
          },
          { ConditionExpression: 'attribute_not_exists(pk)' },
        );
        return version;
      } catch (error) {
        if (!isStoreError(error, 'conditional_failed')) throw error;
        const other = await this.table.get<{ status: string; importedAt: string; importedBy: string }>(
          keys.datasetManifest(communityId, version),
        );
        if (other?.status === 'failed') continue;
        if (other?.status !== 'writing') throw concurrentImport(communityId);
        if (Date.now() - Date.parse(other.importedAt) < ABANDONED_AFTER_MS) {
          throw new StoreError(
            'conditional_failed',
            `${other.importedBy} 于 ${other.importedAt} 开始的导入仍在进行，请稍后再试 / ` +
              `an import started by ${other.importedBy} at ${other.importedAt} is still running; try again when it has finished`,
          );
        }
      }
    }
    throw concurrentImport(communityId);
  }

  private async part<T>(communityId: string, version: number, sk: string): Promise<T> {
    const pk = keys.datasetPartition(communityId, version);
    const cacheKey = `${pk}|${sk}`;
    if (this.cache.has(cacheKey)) return this.cache.get(cacheKey) as T;
    const item = await this.table.get<{ data: string }>({ pk, sk });
    if (!item) throw new StoreError('not_found', `dataset ${communityId} v${version} has no ${sk}`);
    const value = decode<T>(item.data);
    this.remember(cacheKey, value);
    return value;
  }

  private remember(key: string, value: unknown): void {
    if (this.cache.size > 20_000) this.cache.clear();
    this.cache.set(key, value);
  }

  scheme = (c: string, v: number) => this.part<Scheme>(c, v, 'SCHEME');
  institutions = (c: string, v: number) => this.part<Institution[]>(c, v, 'INSTITUTIONS');
  indicators = (c: string, v: number) => this.part<Indicator[]>(c, v, 'INDICATORS');
  leaders = (c: string, v: number) => this.part<LeaderWithInstitution[]>(c, v, 'LEADERS');
  headcounts = (c: string, v: number) => this.part<Record<string, number>>(c, v, 'HEADCOUNTS');
  insurance = (c: string, v: number) => this.part<InsuranceRow[]>(c, v, 'INSURANCE');

  async roster(communityId: string, version: number, institutionId: string): Promise<Staff[]> {
    return this.prefixed(communityId, version, keys.rosterPrefix(institutionId), { cache: true }, (items) =>
      items.flatMap((i) => decode<Staff[]>(i.data)),
    );
  }

  /**
   * Every institution's rows for a month, with each institution's content hash. Not cached: it is read
   * once per monthly cycle (and by an import that meets a locked month), so a cached copy is never hit
   * and only holds the month's rows a second time, next to the per-institution parts, for good.
   */
  async month(
    communityId: string,
    version: number,
    period: string,
  ): Promise<Map<string, { rows: MonthRows; hash: string }>> {
    return this.prefixed(communityId, version, keys.monthPrefix(period), { cache: false }, (items) => {
      const out = new Map<string, { rows: MonthRows; hash: string }>();
      for (const item of items) {
        const institutionId = String(item.sk).split('#')[2]!;
        const part = decode<MonthRows>(item.data);
        const entry = out.get(institutionId);
        if (entry) entry.rows.workload.push(...part.workload);
        else out.set(institutionId, { rows: part, hash: String(item.hash ?? '') });
      }
      return out;
    });
  }

  /** One institution's rows for the given months. */
  async institutionMonths(
    communityId: string,
    version: number,
    institutionId: string,
    months: readonly string[],
  ): Promise<MonthRows> {
    const parts = await Promise.all(
      months.map((period) =>
        this.prefixed(
          communityId,
          version,
          keys.monthInstitutionPrefix(period, institutionId),
          { cache: true },
          (items) => items.map((i) => decode<MonthRows>(i.data)),
        ),
      ),
    );
    const merged = emptyMonth();
    for (const part of parts.flat()) {
      merged.workload.push(...part.workload);
      merged.values.push(...part.values);
      merged.finance.push(...part.finance);
      merged.adjustments.push(...part.adjustments);
    }
    return merged;
  }

  private async prefixed<T>(
    communityId: string,
    version: number,
    prefix: string,
    options: { cache: boolean },
    build: (items: Item[]) => T,
  ): Promise<T> {
    const pk = keys.datasetPartition(communityId, version);
    const cacheKey = `${pk}|${prefix}`;
    if (this.cache.has(cacheKey)) return this.cache.get(cacheKey) as T;
    const value = build(await this.table.queryPrefix<Item>(pk, prefix));
    if (options.cache) this.remember(cacheKey, value);
    return value;
  }

  /** The whole dataset of a version (for exports and comparisons; not used on hot paths). */
  async load(communityId: string, version: number): Promise<Dataset> {
    const pk = keys.datasetPartition(communityId, version);
    const items = await this.table.queryPrefix<Item>(pk);
    const one = <T>(sk: string) => decode<T>(items.find((i) => i.sk === sk)!.data);
    const monthParts = items
      .filter((i) => String(i.sk).startsWith('MONTH#'))
      .map((i) => decode<MonthRows>(i.data));
    return {
      scheme: one('SCHEME'),
      institutions: one('INSTITUTIONS'),
      indicators: one('INDICATORS'),
      leaders: one<LeaderWithInstitution[]>('LEADERS').map(({ institutionId: _i, ...leader }) => leader),
      insurance: one('INSURANCE'),
      staff: items.filter((i) => String(i.sk).startsWith('ROSTER#')).flatMap((i) => decode<Staff[]>(i.data)),
      workload: monthParts.flatMap((m) => m.workload),
      indicatorValues: monthParts.flatMap((m) => m.values),
      finance: monthParts.flatMap((m) => m.finance),
      adjustments: monthParts.flatMap((m) => m.adjustments),
    };
  }
}

function concurrentImport(communityId: string): StoreError {
  return new StoreError(
    'conditional_failed',
    `另一个导入刚刚更新了 ${communityId} 的数据，请重新导入 / Another import for ${communityId} finished first; import again.`,
  );
}
