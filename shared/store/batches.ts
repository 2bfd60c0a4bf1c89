/**
 * A cycle revision's batches of institution ids (issue 12, Step Functions' 256 KiB state limit): PrepareCycle
 * stores them here and hands the Maps only references (`{list, index}`), so no state grows with the length
 * of an id. One partition per revision and list (`all`: every institution; `secondary`: the §9.1 manual-mode
 * institutions), the ids in pages cut by encoded size (≤ 349 KB, `encodeArrayPages`), each page naming how
 * many pages the list has and the size of every batch. The ids and their cut are a function of the cycle's
 * dataset version, so a retried or resumed PrepareCycle writes the same items again; a process reads a list
 * once and keeps it (it never changes).
 */
import { decode } from './codec.js';
import { encodeArrayPages } from './datasets.js';
import { StoreError } from './errors.js';
import { type CycleKind, keys } from './keys.js';
import { PromiseCache } from './promise-cache.js';
import type { Table } from './store.js';

export type BatchList = 'all' | 'secondary';

export interface BatchOwner {
  communityId: string;
  kind: CycleKind;
  period: string;
  revision: number;
}

interface BatchPage {
  data: string;
  pages: number;
  sizes: number[];
}

const pageKey = (page: number) => `PAGE#${String(page).padStart(3, '0')}`;
/** Lists a process keeps (a Lambda container serves one cycle at a time; a local process a few). */
const CACHE_SIZE = 16;

export class CycleBatchRepository {
  private readonly cache = new PromiseCache<string[][]>(CACHE_SIZE);

  constructor(private readonly table: Table) {}

  /** Stores a list's batches (the same batches again write the same items). */
  async put(owner: BatchOwner, list: BatchList, batches: readonly (readonly string[])[]): Promise<void> {
    const pk = keys.cycleBatches(owner.communityId, owner.kind, owner.period, owner.revision, list);
    const sizes = batches.map((b) => b.length);
    const { texts } = encodeArrayPages(batches.flat());
    await Promise.all(
      texts.map((data, page) =>
        this.table.put({ pk, sk: pageKey(page), type: 'CycleBatches', pages: texts.length, sizes, data }),
      ),
    );
    // Kept as stored (a list never changes; a retry stores the very same), so the Map's iterations that
    // run in this process find it instead of querying it back. Elsewhere (a Lambda each) they read it.
    const stored = batches.map((batch) => [...batch]);
    void this.cache.get(pk, async () => stored);
  }

  /** A list's batches as stored; StoreError `not_found` when PrepareCycle stored none (or not all pages). */
  batches(owner: BatchOwner, list: BatchList): Promise<string[][]> {
    const pk = keys.cycleBatches(owner.communityId, owner.kind, owner.period, owner.revision, list);
    return this.cache.get(pk, () => this.read(pk));
  }

  private async read(pk: string): Promise<string[][]> {
    const items = await this.table.queryPrefix<BatchPage>(pk, 'PAGE#');
    const pages = items[0]?.pages ?? 0;
    if (pages === 0 || items.length < pages)
      throw new StoreError('not_found', `${pk}: ${items.length} of ${pages || '?'} pages of batches`);
    const ids = items.slice(0, pages).flatMap((item) => decode<string[]>(item.data));
    const sizes = items[0]!.sizes;
    if (sizes.reduce((a, b) => a + b, 0) !== ids.length)
      throw new StoreError('not_found', `${pk}: batch sizes do not add up to its ${ids.length} ids`);
    const batches: string[][] = [];
    for (let i = 0, start = 0; i < sizes.length; start += sizes[i]!, i++)
      batches.push(ids.slice(start, start + sizes[i]!));
    return batches;
  }
}
