/**
 * Cycle results: per-institution results, pay pages, and the cycle's documents (bulletin, settlement,
 * report). Every item is written once: a retried step that writes the same content again succeeds,
 * one that would write different content is refused — so no one is ever paid twice or differently.
 *
 * Layouts. Layout 1 (before issue 12's hot partitions) kept all of a revision's items under one partition
 * key, `RESULT#{c}#{kind}#{period}#r{rev}`: a city month is ~7,000 WCU on that key, 7 s at AWS's 1,000
 * WCU/s per key. Layout 2 keeps there only the revision's own items (the documents, the seal and a
 * `LAYOUT` item naming N) and spreads every per-institution item — `INST#`, `PAY#`, `ALLOC#`, `SEAL#{i}`,
 * `ONCE#` — over N shards `…#r{rev}#{nnn}` by a hash of the institution id. The first guarded batch write
 * of a revision creates the `LAYOUT` item (N from the number of institutions); a revision without one is
 * read and written in layout 1, so results stored before stay readable and a run that began before keeps
 * writing where it began.
 */
import { createHash } from 'node:crypto';
import { type Item, RequestSlots } from './batch.js';
import { decode, encode, pages } from './codec.js';
import { isStoreError, StoreError } from './errors.js';
import { type CycleKind, keys } from './keys.js';
import type { Table } from './store.js';

export interface CycleRef {
  communityId: string;
  kind: CycleKind;
  period: string;
  revision: number;
}

const PAY_PAGE = 1000;
/**
 * A document's JSON is split into parts of at most this many UTF-16 units, so every part stays under
 * DynamoDB's 400 KB item limit even if all of it were 3-byte UTF-8 (a city's monthly report is ~430 KB).
 */
const DOCUMENT_PART_CHARS = 120_000;

/** Splits text into parts of at most `size` code units, never between the two halves of a surrogate pair. */
export function splitText(text: string, size: number): string[] {
  if (text.length <= size) return [text];
  const parts: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + size, text.length);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end--;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

const documentPartKey = (name: string, part: number) => `${name}#${String(part).padStart(3, '0')}`;

/** The revision's own partition: its documents, seal and layout item (and, in layout 1, everything). */
export const resultsPartition = (ref: CycleRef) =>
  keys.results(ref.communityId, ref.kind, ref.period, ref.revision);

/** Sort key of a layout-2 revision's layout item (in `resultsPartition`). */
export const RESULT_LAYOUT_SK = 'LAYOUT';
/** Shards of a revision: about 8 institutions each (a power of two), at most 256. */
export function shardCount(institutions: number): number {
  let n = 1;
  while (n < Math.ceil(institutions / 8) && n < 256) n *= 2;
  return n;
}
/** The shard of an institution among `shards` (the first 32 bits of the SHA-256 of its id). */
export function shardOf(institutionId: string, shards: number): number {
  return Number.parseInt(createHash('sha256').update(institutionId).digest('hex').slice(0, 8), 16) % shards;
}
/** The partition holding an institution's items: its shard in layout 2 (`shards` > 0), else the revision's. */
export const institutionPartition = (ref: CycleRef, shards: number, institutionId: string) =>
  shards > 0
    ? keys.resultShard(ref.communityId, ref.kind, ref.period, ref.revision, shardOf(institutionId, shards))
    : resultsPartition(ref);

/** The partition of a document's continuation part `i` (0 for `NAME#001`): round the shards, or the revision's. */
const documentPartPartition = (ref: CycleRef, shards: number, i: number) =>
  shards > 0
    ? keys.resultShard(ref.communityId, ref.kind, ref.period, ref.revision, i % shards)
    : resultsPartition(ref);

/**
 * The institution a per-institution sort key (or a prefix of them) names: '' for a prefix of every
 * institution's items (`PAY#`, `ALLOC#`), undefined for the revision's own items (documents, `SEAL`).
 */
export function institutionOfKey(sk: string): string | undefined {
  const simple = /^(?:INST|ALLOC|SEAL)#(.*)$/.exec(sk);
  if (simple) return simple[1]!;
  if (sk.startsWith('PAY#')) return sk.slice(4).replace(/#(\d{3})?$/, '');
  if (sk.startsWith('ONCE#')) {
    const rest = sk.slice(5);
    const cut = rest.indexOf('#');
    return cut < 0 ? '' : rest.slice(cut + 1);
  }
  return undefined;
}

/** DynamoDB's order of sort keys (UTF-8 bytes, i.e. code points), so merged shards read as one partition did. */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Institution ids in the order a listing of a revision gives their results (their sort keys' order). */
export function inListingOrder(institutionIds: readonly string[]): string[] {
  return [...institutionIds].sort((a, b) =>
    compareKeys(keys.institutionResult(a), keys.institutionResult(b)),
  );
}

/** Runs `task` over `inputs`, at most `limit` at a time, results in input order. */
async function mapBounded<T, R>(inputs: readonly T[], limit: number, task: (input: T) => Promise<R>) {
  const out: R[] = new Array(inputs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < inputs.length; i = next++) out[i] = await task(inputs[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return out;
}
/** Shards read at once when a whole revision is listed. */
const SHARD_READ_CONCURRENCY = 16;

/** One item an institution's step writes to a cycle's results (the partition is the institution's). */
export interface ResultWrite {
  sk: string;
  type: string;
  data: string;
  institutionId?: string;
}

/**
 * The value each pay page of `resultWrites.payLines` was encoded from, kept beside the item (not on it: the
 * item is written as it is), so the step that seals what it writes need not decode its own pages again.
 */
const encodedFrom = new WeakMap<ResultWrite, readonly unknown[]>();
/**
 * The lines a pay page item was made from by `resultWrites.payLines`, if it was — handed over once: the
 * item no longer keeps them, so they die with the step that sealed them instead of living on (through GC
 * copies) until the batch's writes are done. A second call finds none and the caller decodes the page.
 */
export function takePayPageSource(item: ResultWrite): readonly unknown[] | undefined {
  const source = encodedFrom.get(item);
  encodedFrom.delete(item);
  return source;
}

/** The items of `putInstitution`, `putPayLines` and `putPart`, for `putBatch`. */
export const resultWrites = {
  institution: (institutionId: string, result: unknown): ResultWrite => ({
    sk: keys.institutionResult(institutionId),
    type: 'InstitutionResult',
    data: encode(result),
  }),
  payLines: (institutionId: string, lines: readonly unknown[]): ResultWrite[] =>
    pages(lines, PAY_PAGE).map((chunk, page) => {
      const item = {
        sk: keys.payPage(institutionId, page),
        type: 'PayLines',
        institutionId,
        data: encode(chunk),
      };
      encodedFrom.set(item, chunk);
      return item;
    }),
  part: (sk: string, value: unknown): ResultWrite => ({ sk, type: 'ResultPart', data: encode(value) }),
  /** `part` of a value whose `encode` the caller already holds (the very text, not another encoding). */
  encodedPart: (sk: string, encoded: string): ResultWrite => ({ sk, type: 'ResultPart', data: encoded }),
};

/** The guard of one institution's writes in one step: `ONCE#{step}#{institution}`. */
export const writeGuardKey = (step: string, institutionId: string) => `ONCE#${step}#${institutionId}`;
/** TransactWriteItems takes at most 100 actions. */
const GUARDS_PER_TRANSACTION = 100;

/** SHA-256 of an institution's writes in order: every key, type, institution and content. */
export function writesDigest(items: readonly ResultWrite[]): string {
  const hash = createHash('sha256');
  // Each item's `${sk}\0${type}\0${institutionId}\0${data}\0\0`, fed part by part: the same bytes (a part's
  // UTF-8 ends where a \0 follows it, so no character spans two parts) without first copying a city
  // month's ~6 MB of pages into one joined string per item.
  for (const item of items) {
    hash.update(item.sk);
    hash.update('\0');
    hash.update(item.type);
    hash.update('\0');
    hash.update(item.institutionId ?? '');
    hash.update('\0');
    hash.update(item.data);
    hash.update('\0\0');
  }
  return hash.digest('hex');
}

/**
 * One institution's writes of one step, for `putBatch`. `summary`: what later steps of the cycle need from
 * these items without reading them back (e.g. the institution's seal and pay totals), kept on the guard.
 */
export interface ResultGroup {
  institutionId: string;
  items: readonly ResultWrite[];
  summary?: unknown;
}

/** A write guard read back: its step, institution, digest and the summary its writer recorded. */
export interface WriteGuard<S = unknown> {
  step: string;
  institutionId: string;
  digest: string;
  summary?: S;
}

/** A stored `INST#` result or `ONCE#` write guard, as a listing reads it. */
interface GuardOrResultItem {
  sk: string;
  data: string;
  institutionId: string;
  digest: string;
  summary?: string;
}

/** The last sort key a results-and-guards query reads: past every `ONCE#…` (`$` follows `#`), before `PAY#`. */
const GUARDS_THROUGH = 'ONCE$';

function guardOf<S>(item: Omit<GuardOrResultItem, 'data'>): WriteGuard<S> {
  const rest = item.sk.slice(5);
  return {
    step: rest.slice(0, rest.indexOf('#')),
    institutionId: item.institutionId,
    digest: item.digest,
    ...(item.summary === undefined ? {} : { summary: decode<S>(item.summary) }),
  };
}

/** Documents' text kept per process; a few suffice (each Map iteration of a cycle reads the same one). */
const DOCUMENT_CACHE_SIZE = 8;

export class ResultRepository {
  /**
   * The JSON of documents read in this process. A document is written once per cycle revision (putOnce)
   * and never changes, so its text is safe to keep; each read decodes a fresh copy for the caller. This
   * spares the annual allocation reading the whole settlement once per institution.
   */
  private readonly documents = new Map<string, string>();
  /** Shards of layout-2 revisions found in this process (a layout item is written once, never changed). */
  private readonly layouts = new Map<string, number>();
  /**
   * The last complete `resultsAndGuardsOf` read of this process, as read (before decoding): the month's
   * report and its completion ask for the same institutions' results and guards one after the other.
   */
  private lastListing: { key: string; items: GuardOrResultItem[] } | undefined;
  /**
   * The results (`INST#`) and write guards this process created in one revision (the last one it wrote
   * to), as stored, by partition and sort key: the month's report, which reads them back right after its
   * pay step in the same process, finds them here. Only a batch whose guards this process created is kept
   * (it alone writes those keys, once), and only once its items are written.
   */
  private written: { partition: string; items: Map<string, GuardOrResultItem> } | undefined;

  /**
   * The item writes in flight of every `putBatch` of this process, together: as many as one batch write
   * makes alone (the table's write concurrency). The Map's batches that share a process (the local runtime
   * runs them all in one) used to write side by side, up to ~9 BatchWriteItems in flight where DynamoDB
   * Local takes 4 no slower: the rest waited on its heap. Taken in order, so the batches' writes go out in
   * the order they were computed. A Lambda writes one batch: no change there.
   */
  private readonly writeSlots: RequestSlots;

  constructor(private readonly table: Table) {
    const bound = table.writeConcurrency;
    this.writeSlots = new RequestSlots(Number.isInteger(bound) && bound > 0 ? bound : 4);
  }

  /** The shards of a revision's per-institution items: N in layout 2, 0 for layout 1 (or nothing yet). */
  async shards(ref: CycleRef): Promise<number> {
    const pk = resultsPartition(ref);
    const known = this.layouts.get(pk);
    if (known !== undefined) return known;
    const item = await this.table.get<{ shards?: number }>({ pk, sk: RESULT_LAYOUT_SK });
    if (!item || typeof item.shards !== 'number' || item.shards < 1) return 0;
    this.layouts.set(pk, item.shards);
    return item.shards;
  }

  /**
   * The shards a step writes to: the revision's layout item's; for a revision with none yet, a new layout
   * item of `shardCount(institutions)` shards (created once: of two writers at once, both use the one
   * stored) — unless the revision already holds items in layout 1 (a run that began before layout 2),
   * which then goes on in layout 1.
   */
  private async shardsForWrite(ref: CycleRef, institutions: number, readTogether = false): Promise<number> {
    const pk = resultsPartition(ref);
    const kept = this.layouts.get(pk);
    if (kept !== undefined) return kept;
    const firstItems = () => this.table.queryPrefix<{ sk: string }>(pk, '', { limit: 2 });
    // `readTogether`: the partition's first items are read beside the layout item (one round trip instead
    // of two in a row) where the revision is most likely new, so the query is needed anyway; they decide
    // only when there is no layout item, exactly as when read after it.
    const [known, early] = await Promise.all([this.shards(ref), readTogether ? firstItems() : undefined]);
    if (known > 0) return known;
    const first = early ?? (await firstItems());
    if (first.some((item) => item.sk !== RESULT_LAYOUT_SK)) return 0;
    const shards = shardCount(institutions);
    try {
      await this.table.put(
        { pk, sk: RESULT_LAYOUT_SK, type: 'ResultLayout', layout: 2, shards },
        { ConditionExpression: 'attribute_not_exists(pk)' },
      );
      this.layouts.set(pk, shards);
      return shards;
    } catch (error) {
      if (!isStoreError(error, 'conditional_failed')) throw error;
      const stored = await this.shards(ref);
      if (stored > 0) return stored;
      throw error;
    }
  }

  /**
   * Settles the revision's layout before its steps write (PrepareCycle): `shardsForWrite` as the first
   * guarded write would, so the Map's batches find the layout item instead of each racing to create it
   * (a read, a query and a conditional put before a batch's first write). Whatever decides it, a
   * revision's layout is created once and never changes, so settling it earlier changes nothing else.
   */
  async prepareLayout(ref: CycleRef, institutions: number): Promise<number> {
    // A revision PrepareCycle starts has no layout yet (a retried or resumed one finds it read once more).
    return this.shardsForWrite(ref, institutions, true);
  }

  /** Every partition a listing of the revision reads: its shards (layout 2) or itself (layout 1). */
  private async listingPartitions(ref: CycleRef): Promise<string[]> {
    const shards = await this.shards(ref);
    if (shards === 0) return [resultsPartition(ref)];
    return Array.from({ length: shards }, (_, shard) =>
      keys.resultShard(ref.communityId, ref.kind, ref.period, ref.revision, shard),
    );
  }

  /**
   * Items whose sort key starts with `prefix`, wherever the layout keeps them: one institution's in its
   * partition, every institution's from every shard (in parallel, bounded) merged in sort-key order — the
   * order one partition gives — and the revision's own items from its own partition.
   */
  private async query<T extends { sk: string }>(ref: CycleRef, prefix: string): Promise<T[]> {
    const institutionId = institutionOfKey(prefix);
    if (institutionId === undefined) return this.table.queryPrefix<T>(resultsPartition(ref), prefix);
    if (institutionId !== '')
      return this.table.queryPrefix<T>(
        institutionPartition(ref, await this.shards(ref), institutionId),
        prefix,
      );
    const partitions = await this.listingPartitions(ref);
    if (partitions.length === 1) return this.table.queryPrefix<T>(partitions[0]!, prefix);
    const found = await mapBounded(partitions, SHARD_READ_CONCURRENCY, (pk) =>
      this.table.queryPrefix<T>(pk, prefix),
    );
    return found.flat().sort((a, b) => compareKeys(a.sk, b.sk));
  }

  /** The partition of one item of the revision (a per-institution item's shard, or the revision's own). */
  private async partitionOf(ref: CycleRef, sk: string): Promise<string> {
    const institutionId = institutionOfKey(sk);
    return institutionId
      ? institutionPartition(ref, await this.shards(ref), institutionId)
      : resultsPartition(ref);
  }

  /** Writes an item once; the same content again is a no-op, different content an error. */
  private async putOnce(item: Item & { data: string }): Promise<void> {
    try {
      await this.table.put(item, { ConditionExpression: 'attribute_not_exists(pk)' });
    } catch (error) {
      if (!isStoreError(error, 'conditional_failed')) throw error;
      const existing = await this.table.get<{ data: string }>({ pk: item.pk, sk: item.sk });
      if (existing?.data === item.data) return;
      throw new StoreError(
        'conditional_failed',
        `${item.pk} ${item.sk} 已写入不同内容，拒绝覆盖 / was already written with different content; refusing to overwrite`,
        { cause: error },
      );
    }
  }

  /**
   * Writes a batch of institutions' results of one step (a Map iteration) once, in a few requests instead
   * of one conditional put per item, as safely as `putOnce`. First, in one transaction per 100
   * institutions, a guard item `ONCE#{step}#{institution}` per institution holding the digest of
   * everything it writes (keys, types and content) and the group's summary, each on the condition that it
   * does not exist yet; then the items by BatchWriteItem. Only the writer that created a guard, or one with
   * the very same digest, ever writes the keys it covers, so no one is paid twice or differently:
   * - a retried batch finds its guards with the same digest and writes only the items still missing (a
   *   run that died between the guards and the items), never an item again;
   * - a batch whose content differs from a guard's is refused, naming the institutions, and writes nothing.
   * Each institution's guard and items go to its shard (layout 2); `options.institutions` (the cycle's
   * count) sizes a new revision's shards.
   */
  async putBatch(
    ref: CycleRef,
    step: string,
    groups: readonly ResultGroup[],
    options: { institutions?: number } = {},
  ): Promise<void> {
    const home = resultsPartition(ref);
    const shards = await this.shardsForWrite(ref, options.institutions ?? groups.length);
    const pkOf = (institutionId: string) => institutionPartition(ref, shards, institutionId);
    const writes: Item[] = [];
    /** Results and guards of the groups whose guards this call created (see `written`). */
    const created: [string, GuardOrResultItem][] = [];
    for (let start = 0; start < groups.length; start += GUARDS_PER_TRANSACTION) {
      const chunk = groups.slice(start, start + GUARDS_PER_TRANSACTION);
      const guards = chunk.map((g) => ({
        pk: pkOf(g.institutionId),
        sk: writeGuardKey(step, g.institutionId),
        type: 'WriteGuard',
        institutionId: g.institutionId,
        digest: writesDigest(g.items),
        items: g.items.length,
        ...(g.summary === undefined ? {} : { summary: encode(g.summary) }),
      }));
      if (await this.createGuards(guards)) {
        writes.push(...chunk.flatMap((g) => g.items.map((item) => ({ pk: pkOf(g.institutionId), ...item }))));
        // As a read would find them (the items as written).
        for (const guard of guards)
          created.push([`${guard.pk}|${guard.sk}`, guard as unknown as GuardOrResultItem]);
        for (const g of chunk)
          for (const item of g.items)
            if (item.sk === keys.institutionResult(g.institutionId)) {
              const pk = pkOf(g.institutionId);
              created.push([`${pk}|${item.sk}`, { pk, ...item } as unknown as GuardOrResultItem]);
            }
        continue;
      }
      // Some guards exist: the same digest is this batch's earlier run, another digest is refused.
      const found = new Map(
        (
          await this.table.batchGet<{ pk: string; sk: string; digest: string }>(
            guards.map(({ pk, sk }) => ({ pk, sk })),
          )
        ).map((g) => [`${g.pk}|${g.sk}`, g.digest]),
      );
      const keyOf = (g: { pk: string; sk: string }) => `${g.pk}|${g.sk}`;
      const refused = guards.filter((g) => found.has(keyOf(g)) && found.get(keyOf(g)) !== g.digest);
      if (refused.length > 0) {
        const ids = refused.map((g) => g.institutionId);
        throw new StoreError(
          'conditional_failed',
          `${home} ${step}：机构 ${ids.join('、')} 的结果已写入不同内容，拒绝覆盖 / ` +
            `results of ${ids.join(', ')} were already written with different content; refusing to overwrite`,
          { details: { institutionIds: ids } },
        );
      }
      const fresh = guards.filter((g) => !found.has(keyOf(g)));
      if (fresh.length > 0 && !(await this.createGuards(fresh)))
        throw new StoreError(
          'conditional_failed',
          `${home} ${step}：另一次运行正在写入同一批结果 / another run is writing the same results at the same time`,
        );
      const freshIds = new Set(fresh.map((g) => g.institutionId));
      const earlier = chunk.filter((g) => !freshIds.has(g.institutionId));
      const stored = new Set(
        (
          await this.table.batchGet<{ pk: string; sk: string }>(
            earlier.flatMap((g) => g.items.map((item) => ({ pk: pkOf(g.institutionId), sk: item.sk }))),
          )
        ).map(keyOf),
      );
      for (const g of chunk)
        for (const item of g.items) {
          const pk = pkOf(g.institutionId);
          if (freshIds.has(g.institutionId) || !stored.has(`${pk}|${item.sk}`)) writes.push({ pk, ...item });
        }
    }
    if (writes.length > 0)
      await this.table.batchWrite(
        writes.map((put) => ({ put })),
        undefined,
        undefined,
        this.writeSlots,
      );
    if (created.length > 0) {
      if (this.written?.partition !== home) this.written = { partition: home, items: new Map() };
      for (const [key, item] of created) this.written.items.set(key, item);
    }
  }

  /** Creates guards that do not exist yet, all or none: false when any of them exists already. */
  private async createGuards(guards: readonly Item[]): Promise<boolean> {
    try {
      await this.table.transact(
        guards.map((Item) => ({ Put: { Item, ConditionExpression: 'attribute_not_exists(pk)' } })),
      );
      return true;
    } catch (error) {
      if (!isStoreError(error, 'transaction_cancelled')) throw error;
      const reasons = (error.details.reasons ?? []) as { Code?: string }[];
      if (!reasons.some((r) => r.Code === 'ConditionalCheckFailed')) throw error;
      return false;
    }
  }

  /**
   * The write guards of a revision (of one step, or of all), with the summaries their writers recorded —
   * small items, so a later step can use what a batch recorded instead of reading its items back.
   */
  async guards<S = unknown>(ref: CycleRef, step?: string): Promise<WriteGuard<S>[]> {
    const items = await this.query<{
      sk: string;
      institutionId: string;
      digest: string;
      summary?: string;
    }>(ref, step === undefined ? 'ONCE#' : `ONCE#${step}#`);
    return items.map((item) => guardOf<S>(item));
  }

  /**
   * Every institution's result (`INST#`, as `institutions` lists them) and the write guards (`ONCE#`, as
   * `guards` lists them) of a revision, in one query per shard instead of one per list: the two prefixes
   * are adjacent in sort-key order, so one BETWEEN reads both (nothing else of a shard sorts between them).
   */
  async resultsAndGuards<T, S = unknown>(
    ref: CycleRef,
  ): Promise<{ institutions: T[]; guards: WriteGuard<S>[] }> {
    const partitions = await this.listingPartitions(ref);
    const found = await mapBounded(partitions, SHARD_READ_CONCURRENCY, (pk) =>
      this.table.queryPrefix<GuardOrResultItem>(pk, 'INST#', { through: GUARDS_THROUGH }),
    );
    const items = partitions.length === 1 ? found[0]! : found.flat().sort((a, b) => compareKeys(a.sk, b.sk));
    const institutions: T[] = [];
    const guards: WriteGuard<S>[] = [];
    for (const item of items) {
      if (item.sk.startsWith('INST#')) institutions.push(decode<T>(item.data));
      else if (item.sk.startsWith('ONCE#')) guards.push(guardOf<S>(item));
    }
    return { institutions, guards };
  }

  /**
   * `resultsAndGuards` of the institutions asked for, by key: each one's result and its guard of `step`,
   * from its shard, in BatchGetItems of 100 keys (a city month: 7 requests instead of a query per shard),
   * in the order a listing gives them. For a step that knows the institutions its revision holds (a month's
   * are its dataset's institutions).
   */
  async resultsAndGuardsOf<T, S = unknown>(
    ref: CycleRef,
    institutionIds: readonly string[],
    step: string,
  ): Promise<{ institutions: T[]; guards: WriteGuard<S>[] }> {
    const shards = await this.shards(ref);
    const ids = [...new Set(institutionIds)].sort(compareKeys);
    // An institution's result and guard are each written once and never change, so once every one asked
    // for was found, the same read again (the completion after the report, in one process) finds the same.
    const key = `${resultsPartition(ref)}|${step}|${createHash('sha256').update(ids.join('\0')).digest('hex')}`;
    const itemKeys = ids.flatMap((id) => {
      const pk = institutionPartition(ref, shards, id);
      return [`${pk}|${keys.institutionResult(id)}`, `${pk}|${writeGuardKey(step, id)}`];
    });
    const written = this.written?.partition === resultsPartition(ref) ? this.written.items : undefined;
    const items = itemKeys.every((k) => written?.has(k))
      ? itemKeys.map((k) => written!.get(k)!)
      : this.lastListing?.key === key
        ? this.lastListing.items
        : await this.table.batchGet<GuardOrResultItem>(
            ids.flatMap((id) => {
              const pk = institutionPartition(ref, shards, id);
              return [
                { pk, sk: keys.institutionResult(id) },
                { pk, sk: writeGuardKey(step, id) },
              ];
            }),
          );
    if (items.length === 2 * ids.length) this.lastListing = { key, items };
    // Each sort key names its institution, so it is unique across the shards.
    const bySk = new Map(items.map((item) => [item.sk, item]));
    const institutions: T[] = [];
    const guards: WriteGuard<S>[] = [];
    for (const id of ids) {
      const result = bySk.get(keys.institutionResult(id));
      if (result) institutions.push(decode<T>(result.data));
      const guard = bySk.get(writeGuardKey(step, id));
      if (guard) guards.push(guardOf<S>(guard));
    }
    return { institutions, guards };
  }

  /**
   * The write guards of `steps` of the institutions asked for, by key (BatchGetItems of 100 keys: a city
   * quarter's two steps 7 requests instead of a query per shard), in the order a listing gives them — for
   * a step that knows the institutions its revision holds and the steps that write for them (a quarter's
   * and a year's are their dataset's institutions, scored then allocated).
   */
  async guardsOf<S = unknown>(
    ref: CycleRef,
    institutionIds: readonly string[],
    steps: readonly string[],
  ): Promise<WriteGuard<S>[]> {
    const shards = await this.shards(ref);
    const items = await this.table.batchGet<Omit<GuardOrResultItem, 'data'>>(
      [...new Set(steps)].flatMap((step) =>
        [...new Set(institutionIds)].map((id) => ({
          pk: institutionPartition(ref, shards, id),
          sk: writeGuardKey(step, id),
        })),
      ),
    );
    return items.sort((a, b) => compareKeys(a.sk, b.sk)).map((item) => guardOf<S>(item));
  }

  async putInstitution(ref: CycleRef, institutionId: string, result: unknown): Promise<void> {
    await this.putOnce({
      pk: institutionPartition(ref, await this.shards(ref), institutionId),
      sk: keys.institutionResult(institutionId),
      type: 'InstitutionResult',
      data: encode(result),
    });
  }

  async institutions<T>(ref: CycleRef): Promise<T[]> {
    const items = await this.query<{ sk: string; data: string }>(ref, 'INST#');
    return items.map((i) => decode<T>(i.data));
  }

  async institution<T>(ref: CycleRef, institutionId: string): Promise<T | undefined> {
    const item = await this.table.get<{ data: string }>({
      pk: institutionPartition(ref, await this.shards(ref), institutionId),
      sk: keys.institutionResult(institutionId),
    });
    return item ? decode<T>(item.data) : undefined;
  }

  /** The results of the institutions asked for, in that order (undefined where none), in one BatchGetItem. */
  async institutionsOf<T>(ref: CycleRef, institutionIds: readonly string[]): Promise<(T | undefined)[]> {
    const shards = await this.shards(ref);
    const items = await this.table.batchGet<{ sk: string; data: string }>(
      [...new Set(institutionIds)].map((id) => ({
        pk: institutionPartition(ref, shards, id),
        sk: keys.institutionResult(id),
      })),
    );
    const bySk = new Map(items.map((item) => [item.sk, item.data]));
    return institutionIds.map((id) => {
      const data = bySk.get(keys.institutionResult(id));
      return data === undefined ? undefined : decode<T>(data);
    });
  }

  /** Pay lines of one institution, in pages that each stay far below DynamoDB's item size limit. */
  async putPayLines(ref: CycleRef, institutionId: string, lines: readonly unknown[]): Promise<void> {
    const pk = institutionPartition(ref, await this.shards(ref), institutionId);
    const chunks = pages(lines, PAY_PAGE);
    await Promise.all(
      chunks.map((chunk, page) =>
        this.putOnce({
          pk,
          sk: keys.payPage(institutionId, page),
          type: 'PayLines',
          institutionId,
          data: encode(chunk),
        }),
      ),
    );
  }

  /** Pay lines of every institution (or one), in institution order. */
  async payLines<T>(ref: CycleRef, institutionId?: string): Promise<{ institutionId: string; lines: T[] }[]> {
    const items = await this.query<{ sk: string; data: string; institutionId: string }>(
      ref,
      keys.payPrefix(institutionId),
    );
    const out = new Map<string, T[]>();
    for (const item of items)
      out.set(item.institutionId, [...(out.get(item.institutionId) ?? []), ...decode<T[]>(item.data)]);
    return [...out].map(([id, lines]) => ({ institutionId: id, lines }));
  }

  /**
   * A summary under its own name: per institution (`ALLOC#C01`, `SEAL#C01`: the institution's partition)
   * or of the revision (`SEAL`: the revision's own partition).
   */
  async putPart(ref: CycleRef, sk: string, value: unknown): Promise<void> {
    await this.putOnce({ pk: await this.partitionOf(ref, sk), sk, type: 'ResultPart', data: encode(value) });
  }

  /** Parts whose name starts with `prefix`: `ALLOC#` every institution's, `ALLOC#C01` one's, `SEAL` the revision's. */
  async parts<T>(ref: CycleRef, prefix: string): Promise<T[]> {
    const items = await this.query<{ sk: string; data: string }>(ref, prefix);
    return items.map((i) => decode<T>(i.data));
  }

  /**
   * A document that fits one item is stored as one item, as always; a bigger one as a head item (the
   * first part and the number of parts) and continuation items `NAME#001`…, written before the head,
   * so a reader that finds the head finds every part. The head stays in the revision's own partition; in
   * layout 2 the continuation parts go round the shards (`partShards` on the head), so a province's
   * multi-megabyte report does not put its thousands of WCU on one key.
   */
  async putDocument(
    ref: CycleRef,
    name: 'BULLETIN' | 'SETTLEMENT' | 'REPORT',
    document: unknown,
  ): Promise<void> {
    const pk = resultsPartition(ref);
    const text = encode(document);
    const [head = '', ...rest] = splitText(text, DOCUMENT_PART_CHARS);
    if (rest.length === 0) {
      await this.putOnce({ pk, sk: name, type: 'Document', data: head });
    } else {
      const shards = await this.shards(ref);
      await Promise.all(
        rest.map((data, i) =>
          this.putOnce({
            pk: documentPartPartition(ref, shards, i),
            sk: documentPartKey(name, i + 1),
            type: 'DocumentPart',
            data,
          }),
        ),
      );
      await this.putOnce({
        pk,
        sk: name,
        type: 'Document',
        parts: rest.length + 1,
        ...(shards > 0 ? { partShards: shards } : {}),
        data: head,
      });
    }
    // Written once (putOnce refused anything else), so this process may read it back from here.
    this.remember(`${pk}|${name}`, text);
  }

  private remember(cacheKey: string, text: string): void {
    if (this.documents.size >= DOCUMENT_CACHE_SIZE && !this.documents.has(cacheKey))
      this.documents.delete(this.documents.keys().next().value!);
    this.documents.set(cacheKey, text);
  }

  async document<T>(ref: CycleRef, name: 'BULLETIN' | 'SETTLEMENT' | 'REPORT'): Promise<T | undefined> {
    const pk = resultsPartition(ref);
    const cacheKey = `${pk}|${name}`;
    const cached = this.documents.get(cacheKey);
    if (cached !== undefined) return decode<T>(cached);
    const item = await this.table.get<{ data: string; parts?: number; partShards?: number }>({
      pk,
      sk: name,
    });
    if (!item) return undefined;
    let text = item.data;
    if (item.parts && item.parts > 1) {
      const shards = item.partShards ?? 0;
      const rest =
        shards > 0
          ? (
              await mapBounded(
                Array.from({ length: item.parts - 1 }, (_, i) => i),
                SHARD_READ_CONCURRENCY,
                (i) =>
                  this.table.queryPrefix<{ data: string }>(
                    documentPartPartition(ref, shards, i),
                    documentPartKey(name, i + 1),
                  ),
              )
            ).flat()
          : await this.table.queryPrefix<{ data: string }>(pk, `${name}#`);
      if (rest.length !== item.parts - 1) {
        throw new StoreError('not_found', `${pk} ${name} has ${rest.length + 1} of its ${item.parts} parts`);
      }
      text += rest.map((p) => p.data).join('');
    }
    this.remember(cacheKey, text);
    return decode<T>(text);
  }
}
