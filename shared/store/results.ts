/**
 * Cycle results: per-institution results, pay pages, and the cycle's documents (bulletin, settlement,
 * report). Every item is written once: a retried step that writes the same content again succeeds,
 * one that would write different content is refused — so no one is ever paid twice or differently.
 */
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
