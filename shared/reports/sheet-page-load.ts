/**
 * A page of a completed cycle's pay sheet for the console (sheet-page.ts). The sheet and its search index
 * are kept per cycle revision for the life of the process (a completed revision never changes), so paging
 * through 35,000 lines reads the store once, not once per page. A view, not an export: not audited (the
 * CSV/XLSX/JSON downloads are).
 */
import type { Repositories } from '../store/index.js';
import { cycleKindFor, type SheetKind, sheetFor } from './exports.js';
import { completedCycle } from './load.js';
import { type SheetIndex, type SheetPageQuery, sheetIndex, sheetPage } from './sheet-page.js';

const KEEP = 4;
const cache = new Map<string, Promise<SheetIndex>>();

export async function pagedSheet(
  repos: Repositories,
  request: { communityId: string; kind: SheetKind; period: string },
  query: SheetPageQuery,
) {
  const { communityId, kind, period } = request;
  const cycle = await completedCycle(repos, communityId, cycleKindFor(kind, period), period);
  const key = `${communityId}|${kind}|${period}|r${cycle.revision}`;
  let index = cache.get(key);
  if (!index) {
    index = sheetFor(repos, { ...request, by: 'view' }).then(({ sheet }) => sheetIndex(sheet));
    cache.set(key, index);
    index.catch(() => cache.delete(key));
    while (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  }
  return sheetPage(await index, query);
}
