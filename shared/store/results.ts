/**
 * Cycle results: per-institution results, pay pages, and the cycle's documents (bulletin, settlement,
 * report). Every item is written once: a retried step that writes the same content again succeeds,
 * one that would write different content is refused — so no one is ever paid twice or differently.
 */
import type { Item } from './batch.js';
import { decode, encode, pages } from './codec.js';
import { StoreError, isStoreError } from './errors.js';
import { type CycleKind, keys } from './keys.js';
import type { Table } from './store.js';

export interface CycleRef {
  communityId: string;
  kind: CycleKind;
  period: string;
  revision: number;
}

const PAY_PAGE = 1000;

export const resultsPartition = (ref: CycleRef) => keys.results(ref.communityId, ref.kind, ref.period, ref.revision);

export class ResultRepository {
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
    await this.putOnce({ pk: resultsPartition(ref), sk: keys.institutionResult(institutionId), type: 'InstitutionResult', data: encode(result) });
  }

  async institutions<T>(ref: CycleRef): Promise<T[]> {
    const items = await this.table.queryPrefix<{ data: string }>(resultsPartition(ref), 'INST#');
    return items.map((i) => decode<T>(i.data));
  }

  async institution<T>(ref: CycleRef, institutionId: string): Promise<T | undefined> {
    const item = await this.table.get<{ data: string }>({ pk: resultsPartition(ref), sk: keys.institutionResult(institutionId) });
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
    const items = await this.table.queryPrefix<{ data: string; institutionId: string }>(resultsPartition(ref), keys.payPrefix(institutionId));
    const out = new Map<string, T[]>();
    for (const item of items) out.set(item.institutionId, [...(out.get(item.institutionId) ?? []), ...decode<T[]>(item.data)]);
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

  async putDocument(ref: CycleRef, name: 'BULLETIN' | 'SETTLEMENT' | 'REPORT', document: unknown): Promise<void> {
    await this.putOnce({ pk: resultsPartition(ref), sk: name, type: 'Document', data: encode(document) });
  }

  async document<T>(ref: CycleRef, name: 'BULLETIN' | 'SETTLEMENT' | 'REPORT'): Promise<T | undefined> {
    const item = await this.table.get<{ data: string }>({ pk: resultsPartition(ref), sk: name });
    return item ? decode<T>(item.data) : undefined;
  }
}
