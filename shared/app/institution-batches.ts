/**
 * How a cycle's institutions are cut into the batches its Map iterates (issue 12, province scale): each
 * Map iteration is one Lambda invocation over a batch, so a cycle's history grows with its batches, not
 * its institutions (a province of 3,100 institutions: 62 iterations per Map instead of 3,100), and each
 * invocation shares its reads and writes over the batch. PrepareCycle stores the batches (shared/store/batches.ts)
 * and the Maps carry references to them. No CDK here: the workflows import it.
 */
import { noteInstitutions } from '../ops/invocation.js';
import type { BatchRef, InstitutionBatchWork, InstitutionWork, PreparedCycle } from '../schemas/events.js';
import { RequestSlots } from '../store/batch.js';
import type { BatchList } from '../store/batches.js';
import type { Repositories } from '../store/index.js';

/** The Map's MaxConcurrency: iterations in flight at once (workflows/common.ts uses it). */
export const MAP_CONCURRENCY = 8;

/**
 * Institutions per batch at most. Payload: none (a Map iteration carries a reference to its batch). Work: 50 average institutions (~113 staff each) are ~5,600 staff, well
 * inside a 1 GB Lambda's memory and its 5-minute timeout; a transaction of their write guards stays
 * under TransactWriteItems' 100 actions.
 */
export const MAX_BATCH_INSTITUTIONS = 50;

/**
 * Batches a cycle's institutions are spread over at least, where one process runs every iteration of a
 * Map (the embedded runtime, shared/local/workflows.ts): eight batches there only interleave on one
 * thread and multiply the requests (a county month: eight write-guard transactions and eight reads of
 * the scoring context per step instead of two); two keep one batch computing while the other's writes
 * are in flight (`oneBatchAtATime`).
 */
export const ONE_PROCESS_SPREAD = 2;

let defaultSpread = MAP_CONCURRENCY;

/**
 * From now on, this process cuts its cycles into at least `spread` batches: ONE_PROCESS_SPREAD where it
 * runs every Map iteration itself; MAP_CONCURRENCY, AWS's, for tests that count a small county's steps
 * one iteration per institution.
 */
export function useBatchSpread(spread: number): void {
  defaultSpread = spread;
}

/**
 * The sorted ids cut into consecutive batches of equal size (± 1): as few as MAX_BATCH_INSTITUTIONS
 * allows, but at least `spread` (MAP_CONCURRENCY on AWS) when there are that many institutions, so a
 * county's Map still runs eight invocations side by side. The same ids and spread always give the same
 * batches; a cycle's are stored with its revision (PrepareCycle), so a revision keeps the ones it was cut into.
 */
export function institutionBatches(
  ids: readonly string[],
  max = MAX_BATCH_INSTITUTIONS,
  spread = defaultSpread,
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

/** The references PrepareCycle hands a Map for a list of `count` stored batches (keys only). */
export const batchRefs = (list: BatchList, count: number): BatchRef[] =>
  Array.from({ length: count }, (_, index) => ({ list, index }));

/**
 * A cycle's batches as PrepareCycle makes them: what it stores under the cycle revision (the batches of each
 * list: every institution, and the §9.1 manual-mode ones when there are any) and what it hands the Maps
 * (references to them, whose size does not depend on an id's length).
 */
export function cycleBatches(
  sortedIds: readonly string[],
  manualIds: readonly string[],
): {
  stored: { list: BatchList; batches: string[][] }[];
  refs: Pick<PreparedCycle, 'institutionBatches' | 'secondary'>;
} {
  const all = institutionBatches(sortedIds);
  const secondary = institutionBatches(manualIds);
  if (secondary.length === 0)
    return {
      stored: [{ list: 'all', batches: all }],
      refs: { institutionBatches: batchRefs('all', all.length) },
    };
  return {
    stored: [
      { list: 'all', batches: all },
      { list: 'secondary', batches: secondary },
    ],
    refs: {
      institutionBatches: batchRefs('all', all.length),
      secondary: { institutionBatches: batchRefs('secondary', secondary.length) },
    },
  };
}

/**
 * The institution ids of a per-batch handler's task, the one resolver every Map body uses at its parse
 * point: one institution, a batch of ids (a correction's recompute), or a Map iteration's reference to a
 * batch PrepareCycle stored (read from the table once per process and cycle revision).
 */
export async function batchIds(
  repos: Pick<Repositories, 'batches'>,
  work: InstitutionWork | InstitutionBatchWork,
): Promise<string[]> {
  if ('institutionId' in work) return [work.institutionId];
  if ('institutionIds' in work) return work.institutionIds;
  const { cycle, batch } = work;
  if (Array.isArray(batch)) return batch;
  const ids = (await repos.batches.batches(cycle, batch.list))[batch.index];
  if (ids === undefined)
    throw new Error(
      `${cycle.kind} ${cycle.period} r${cycle.revision} has no stored batch ${batch.list} #${batch.index}`,
    );
  // The event named no institution: the step's log names them once they are known.
  noteInstitutions(ids);
  return ids;
}

/**
 * The computing (pay or allocation, dispatch checks, seal) of the Map's batches that run in this process,
 * one after another. Where the batches share a process (the local runtime runs every iteration in one), computing
 * them side by side only interleaves them on its one thread, so all of them finish computing at about the
 * same time and then all write at once while the thread waits; one at a time, each batch's guarded write
 * goes to the storage while the next batch computes. (A Lambda runs one batch: nothing waits.)
 */
const computing = new RequestSlots(1);
export function oneBatchAtATime<T>(compute: () => Promise<T>): Promise<T> {
  return computing.run(compute);
}

/** One `ownTurn` at a time, each asked for when the one before it has ended. */
const turns = new RequestSlots(1);
/**
 * Runs `work` (one institution's synchronous computing, a few ms) in a turn of the event loop of its own,
 * after the I/O that arrived meanwhile: the answers to an earlier batch's writes are handled between two
 * institutions of the next batch instead of after the whole of it. Without the turns, the computing of
 * every batch of a process runs as one chain of microtasks (its reads are cached), and a write's answer
 * waits for all of it: the writes only started once every batch had computed. Each turn is asked for
 * when the one before it has ended (immediates asked for at once would run back to back, no I/O between).
 */
export function ownTurn<T>(work: () => T): Promise<T> {
  return turns.run(
    () =>
      new Promise<T>((resolve, reject) =>
        setImmediate(() => {
          try {
            resolve(work());
          } catch (error) {
            reject(error);
          }
        }),
      ),
  );
}
