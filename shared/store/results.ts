/**
 * Cycle results: per-institution results, pay pages, and the cycle's documents (bulletin, settlement,
 * report). Every item is written once: a retried step that writes the same content again succeeds,
 * one that would write different content is refused — so no one is ever paid twice or differently.
 */
import { createHash } from 'node:crypto';
import type { Item } from './batch.js';
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

export const resultsPartition = (ref: CycleRef) =>
  keys.results(ref.communityId, ref.kind, ref.period, ref.revision);

/** One item an institution's step writes to a cycle's results (the partition is the cycle's). */
export interface ResultWrite {
  sk: string;
  type: string;
  data: string;
  institutionId?: string;
}

/** The items of `putInstitution`, `putPayLines` and `putPart`, for `putBatch`. */
export const resultWrites = {
  institution: (institutionId: string, result: unknown): ResultWrite => ({
    sk: keys.institutionResult(institutionId),
    type: 'InstitutionResult',
    data: encode(result),
  }),
  payLines: (institutionId: string, lines: readonly unknown[]): ResultWrite[] =>
    pages(lines, PAY_PAGE).map((chunk, page) => ({
      sk: keys.payPage(institutionId, page),
      type: 'PayLines',
      institutionId,
      data: encode(chunk),
    })),
  part: (sk: string, value: unknown): ResultWrite => ({ sk, type: 'ResultPart', data: encode(value) }),
};

/** The guard of one institution's writes in one step: `ONCE#{step}#{institution}`. */
export const writeGuardKey = (step: string, institutionId: string) => `ONCE#${step}#${institutionId}`;
/** TransactWriteItems takes at most 100 actions. */
const GUARDS_PER_TRANSACTION = 100;

/** SHA-256 of an institution's writes in order: every key, type, institution and content. */
export function writesDigest(items: readonly ResultWrite[]): string {
  const hash = createHash('sha256');
  for (const item of items)
    hash.update(`${item.sk}\0${item.type}\0${item.institutionId ?? ''}\0${item.data}\0\0`);
  return hash.digest('hex');
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

  constructor(private readonly table: Table) {}

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
   * everything it writes (keys, types and content), each on the condition that it does not exist yet;
   * then the items by BatchWriteItem. Only the writer that created a guard, or one with the very same
   * digest, ever writes the keys it covers, so no one is paid twice or differently:
   * - a retried batch finds its guards with the same digest and writes only the items still missing (a
   *   run that died between the guards and the items), never an item again;
   * - a batch whose content differs from a guard's is refused, naming the institutions, and writes nothing.
   */
  async putBatch(
    ref: CycleRef,
    step: string,
    groups: readonly { institutionId: string; items: readonly ResultWrite[] }[],
  ): Promise<void> {
    const pk = resultsPartition(ref);
    const writes: Item[] = [];
    for (let start = 0; start < groups.length; start += GUARDS_PER_TRANSACTION) {
      const chunk = groups.slice(start, start + GUARDS_PER_TRANSACTION);
      const guards = chunk.map((g) => ({
        pk,
        sk: writeGuardKey(step, g.institutionId),
        type: 'WriteGuard',
        institutionId: g.institutionId,
        digest: writesDigest(g.items),
        items: g.items.length,
      }));
      if (await this.createGuards(guards)) {
        writes.push(...chunk.flatMap((g) => g.items.map((item) => ({ pk, ...item }))));
        continue;
      }
      // Some guards exist: the same digest is this batch's earlier run, another digest is refused.
      const found = new Map(
        (
          await this.table.batchGet<{ sk: string; digest: string }>(guards.map(({ pk, sk }) => ({ pk, sk })))
        ).map((g) => [g.sk, g.digest]),
      );
      const refused = guards.filter((g) => found.has(g.sk) && found.get(g.sk) !== g.digest);
      if (refused.length > 0) {
        const ids = refused.map((g) => g.institutionId);
        throw new StoreError(
          'conditional_failed',
          `${pk} ${step}：机构 ${ids.join('、')} 的结果已写入不同内容，拒绝覆盖 / ` +
            `results of ${ids.join(', ')} were already written with different content; refusing to overwrite`,
          { details: { institutionIds: ids } },
        );
      }
      const fresh = guards.filter((g) => !found.has(g.sk));
      if (fresh.length > 0 && !(await this.createGuards(fresh)))
        throw new StoreError(
          'conditional_failed',
          `${pk} ${step}：另一次运行正在写入同一批结果 / another run is writing the same results at the same time`,
        );
      const freshIds = new Set(fresh.map((g) => g.institutionId));
      const earlier = chunk.filter((g) => !freshIds.has(g.institutionId));
      const stored = new Set(
        (
          await this.table.batchGet<{ sk: string }>(
            earlier.flatMap((g) => g.items.map((item) => ({ pk, sk: item.sk }))),
          )
        ).map((item) => item.sk),
      );
      for (const g of chunk)
        for (const item of g.items)
          if (freshIds.has(g.institutionId) || !stored.has(item.sk)) writes.push({ pk, ...item });
    }
    if (writes.length > 0) await this.table.batchWrite(writes.map((put) => ({ put })));
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

  async putInstitution(ref: CycleRef, institutionId: string, result: unknown): Promise<void> {
    await this.putOnce({
      pk: resultsPartition(ref),
      sk: keys.institutionResult(institutionId),
      type: 'InstitutionResult',
      data: encode(result),
    });
  }

  async institutions<T>(ref: CycleRef): Promise<T[]> {
    const items = await this.table.queryPrefix<{ data: string }>(resultsPartition(ref), 'INST#');
    return items.map((i) => decode<T>(i.data));
  }

  async institution<T>(ref: CycleRef, institutionId: string): Promise<T | undefined> {
    const item = await this.table.get<{ data: string }>({
      pk: resultsPartition(ref),
      sk: keys.institutionResult(institutionId),
    });
    return item ? decode<T>(item.data) : undefined;
  }

  /** The results of the institutions asked for, in that order (undefined where none), in one BatchGetItem. */
  async institutionsOf<T>(ref: CycleRef, institutionIds: readonly string[]): Promise<(T | undefined)[]> {
    const pk = resultsPartition(ref);
    const items = await this.table.batchGet<{ sk: string; data: string }>(
      [...new Set(institutionIds)].map((id) => ({ pk, sk: keys.institutionResult(id) })),
    );
    const bySk = new Map(items.map((item) => [item.sk, item.data]));
    return institutionIds.map((id) => {
      const data = bySk.get(keys.institutionResult(id));
      return data === undefined ? undefined : decode<T>(data);
    });
  }

  /** Pay lines of one institution, in pages that each stay far below DynamoDB's item size limit. */
  async putPayLines(ref: CycleRef, institutionId: string, lines: readonly unknown[]): Promise<void> {
    const chunks = pages(lines, PAY_PAGE);
    await Promise.all(
      chunks.map((chunk, page) =>
        this.putOnce({
          pk: resultsPartition(ref),
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
    const items = await this.table.queryPrefix<{ data: string; institutionId: string }>(
      resultsPartition(ref),
      keys.payPrefix(institutionId),
    );
    const out = new Map<string, T[]>();
    for (const item of items)
      out.set(item.institutionId, [...(out.get(item.institutionId) ?? []), ...decode<T[]>(item.data)]);
    return [...out].map(([id, lines]) => ({ institutionId: id, lines }));
  }

  /** A per-institution summary under its own name, e.g. ALLOC#C01 for a pool allocation. */
  async putPart(ref: CycleRef, sk: string, value: unknown): Promise<void> {
    await this.putOnce({ pk: resultsPartition(ref), sk, type: 'ResultPart', data: encode(value) });
  }

  async parts<T>(ref: CycleRef, prefix: string): Promise<T[]> {
    const items = await this.table.queryPrefix<{ data: string }>(resultsPartition(ref), prefix);
    return items.map((i) => decode<T>(i.data));
  }

  /**
   * A document that fits one item is stored as one item, as always; a bigger one as a head item (the
   * first part and the number of parts) and continuation items `NAME#001`…, written before the head,
   * so a reader that finds the head finds every part.
   */
  async putDocument(
    ref: CycleRef,
    name: 'BULLETIN' | 'SETTLEMENT' | 'REPORT',
    document: unknown,
  ): Promise<void> {
    const pk = resultsPartition(ref);
    const [head = '', ...rest] = splitText(encode(document), DOCUMENT_PART_CHARS);
    if (rest.length === 0) {
      await this.putOnce({ pk, sk: name, type: 'Document', data: head });
      return;
    }
    await Promise.all(
      rest.map((data, i) =>
        this.putOnce({ pk, sk: documentPartKey(name, i + 1), type: 'DocumentPart', data }),
      ),
    );
    await this.putOnce({ pk, sk: name, type: 'Document', parts: rest.length + 1, data: head });
  }

  async document<T>(ref: CycleRef, name: 'BULLETIN' | 'SETTLEMENT' | 'REPORT'): Promise<T | undefined> {
    const pk = resultsPartition(ref);
    const cacheKey = `${pk}|${name}`;
    const cached = this.documents.get(cacheKey);
    if (cached !== undefined) return decode<T>(cached);
    const item = await this.table.get<{ data: string; parts?: number }>({ pk, sk: name });
    if (!item) return undefined;
    let text = item.data;
    if (item.parts && item.parts > 1) {
      const rest = await this.table.queryPrefix<{ data: string }>(pk, `${name}#`);
      if (rest.length !== item.parts - 1) {
        throw new StoreError('not_found', `${pk} ${name} has ${rest.length + 1} of its ${item.parts} parts`);
      }
      text += rest.map((p) => p.data).join('');
    }
    if (this.documents.size >= DOCUMENT_CACHE_SIZE)
      this.documents.delete(this.documents.keys().next().value!);
    this.documents.set(cacheKey, text);
    return decode<T>(text);
  }
}
