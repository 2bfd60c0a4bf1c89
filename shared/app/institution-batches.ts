/**
 * How a cycle's institutions are cut into the batches its Map iterates (issue 12, province scale): each
 * Map iteration is one Lambda invocation over a batch, so a cycle's history grows with its batches, not
 * its institutions (a province of 3,100 institutions: 62 iterations per Map instead of 3,100), and each
 * invocation shares its reads and writes over the batch. No CDK here: PrepareCycle imports it.
 */

/** The Map's MaxConcurrency: iterations in flight at once (workflows/common.ts uses it). */
export const MAP_CONCURRENCY = 8;

/**
 * Institutions per batch at most. Payload: a batch is its ids only (a province's 62 batches ≈ 40 KB of
 * the 256 KiB state limit). Work: 50 average institutions (~113 staff each) are ~5,600 staff, well
 * inside a 1 GB Lambda's memory and its 5-minute timeout; a transaction of their write guards stays
 * under TransactWriteItems' 100 actions.
 */
export const MAX_BATCH_INSTITUTIONS = 50;

/**
 * The sorted ids cut into consecutive batches of equal size (± 1): as few as MAX_BATCH_INSTITUTIONS
 * allows, but at least MAP_CONCURRENCY when there are that many institutions, so a county's Map still
 * runs eight invocations side by side. The same ids always give the same batches.
 */
export function institutionBatches(
  ids: readonly string[],
  max = MAX_BATCH_INSTITUTIONS,
  spread = MAP_CONCURRENCY,
): string[][] {
  if (ids.length === 0) return [];
  const count = Math.max(Math.ceil(ids.length / max), Math.min(ids.length, spread));
  const base = Math.floor(ids.length / count);
  const larger = ids.length % count;
  const batches: string[][] = [];
  for (let i = 0, start = 0; i < count; i++) {
    const size = base + (i < larger ? 1 : 0);
    batches.push(ids.slice(start, start + size));
    start += size;
  }
  return batches;
}
