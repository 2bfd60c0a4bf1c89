/**
 * Monthly pay of a batch of institutions (DOMAIN.md §5.3): basic pay for everyone on the month's payroll,
 * the reward pool split by points, adjustments; plus the dispatch checks for the monthly report. The
 * batch's rosters and rows come in one read, its results go out in one guarded write (results.putBatch).
 */
import { loadInstitutionSlice, prefetchBatch } from '../shared/app/cycle-data.js';
import { batchIds } from '../shared/app/institution-batches.js';
import { v2StepInputs } from '../shared/app/previous-year.js';
import { SEALING_STEP, sealedGroup } from '../shared/app/seals.js';
import { approvedSplits } from '../shared/app/secondary-service.js';
import { store } from '../shared/config.js';
import { missingSubmissions, staffWithoutWorkload, yearToDateStatus } from '../shared/domain/dispatch.js';
import { monthsToDate } from '../shared/domain/periods.js';
import { monthlyStep } from '../shared/domain/steps.js';
import { type CycleRef, InstitutionWork } from '../shared/schemas/events.js';
import type { PostingRef } from '../shared/store/corrections.js';
import type { Repositories } from '../shared/store/index.js';
import { type ResultWrite, resultWrites } from '../shared/store/results.js';

/** The write guard's step name of monthly pay (shared/store/results.ts putBatch); its guards carry the seal. */
export const MONTHLY_PAY_STEP = SEALING_STEP.monthly;

/**
 * The computing (pay, dispatch checks, seal) of the Map's batches that run in this process, one after
 * another. Where the batches share a process (the local runtime runs every iteration in one), computing
 * them side by side only interleaves them on its one thread, so all of them finish computing at about the
 * same time and then all write at once while the thread waits; one at a time, each batch's guarded write
 * goes to the storage while the next batch computes. (A Lambda runs one batch: nothing waits.)
 */
let computing: Promise<unknown> = Promise.resolve();
function oneBatchAtATime<T>(compute: () => Promise<T>): Promise<T> {
  const turn = computing.then(compute);
  computing = turn.catch(() => undefined);
  return turn;
}

/** The end of the last turn asked for (`ownTurn`). */
let turns: Promise<unknown> = Promise.resolve();
/**
 * Runs `work` (one institution's synchronous computing, a few ms) in a turn of the event loop of its own,
 * after the I/O that arrived meanwhile: the answers to an earlier batch's writes are handled between two
 * institutions of the next batch instead of after the whole of it. Without the turns, the computing of
 * every batch of a process runs as one chain of microtasks (its reads are cached), and a write's answer
 * waits for all of it: the writes only started once every batch had computed. Each turn is asked for
 * when the one before it has ended (immediates asked for at once would run back to back, no I/O between).
 */
function ownTurn<T>(work: () => T): Promise<T> {
  const turn = turns.then(
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
  turns = turn.catch(() => undefined);
  return turn;
}

/** What one institution's monthly pay is computed from, read (from the batch's shared reads) before computing. */
async function monthlyInputs(
  repos: Repositories,
  cycle: CycleRef,
  institutionId: string,
  postings: readonly PostingRef[],
) {
  const toDateMonths = monthsToDate(cycle.period);
  const [slice, posted, v2] = await Promise.all([
    loadInstitutionSlice(repos, cycle, institutionId, toDateMonths),
    // Differences of approved corrections (DOMAIN.md §7.1), paid on this month's sheet as adjustments.
    postings.length === 0
      ? []
      : repos.corrections.postedAdjustments(cycle.communityId, cycle.period, institutionId, postings),
    v2StepInputs(repos, cycle, institutionId),
  ]);
  const [manual, toDate] = await Promise.all([
    // §9.1 manual mode: the departments' approved splits (the window closed before this step runs).
    slice.scheme.pay.secondary?.mode === 'manual' ? approvedSplits(repos, cycle, institutionId) : undefined,
    // Read with the slice (its `alsoMonths`).
    repos.datasets.institutionMonths(cycle.communityId, cycle.datasetVersion, institutionId, toDateMonths),
  ]);
  return { slice, posted, v2, manual, toDate };
}

/** One institution's pay lines and result with its dispatch checks, as the items to write (no I/O). */
function monthlyPayOf(
  cycle: CycleRef,
  institutionId: string,
  { slice, posted, v2, manual, toDate }: Awaited<ReturnType<typeof monthlyInputs>>,
): ResultWrite[] {
  const { lines, ...pool } = monthlyStep({
    scheme: slice.scheme,
    institution: slice.institution,
    roster: slice.roster,
    period: cycle.period,
    workload: slice.rows.workload,
    adjustments: posted.length > 0 ? [...slice.rows.adjustments, ...posted] : slice.rows.adjustments,
    ...v2,
    ...(manual === undefined ? {} : { manual }),
  });
  const dispatch = {
    missingSubmissions: missingSubmissions(
      slice.institution.kind,
      slice.indicators,
      slice.rows.values,
      cycle.period,
    ),
    staffWithoutWorkload: staffWithoutWorkload(slice.roster, slice.rows.workload, cycle.period),
    yearToDate: yearToDateStatus(
      slice.scheme,
      slice.institution.kind,
      slice.indicators,
      toDate.values,
      cycle.period,
    ),
  };
  return [
    ...resultWrites.payLines(institutionId, lines),
    resultWrites.institution(institutionId, { ...pool, headcount: lines.length, dispatch }),
  ];
}

/**
 * The month's postings (approved corrections paid on its sheet) being read in this process, by store,
 * community and month: the Map's batches of a process start together and share the one read in flight
 * (one GetItem instead of eight; a read that has ended is not kept: each run reads them, as a Lambda does;
 * a failed one is read again by each batch that was waiting for it, as the dataset cache does).
 */
const postingsInFlight = new WeakMap<Repositories, Map<string, Promise<PostingRef[]>>>();
function postingsOf(repos: Repositories, cycle: CycleRef): Promise<PostingRef[]> {
  const key = `${cycle.communityId}|${cycle.period}`;
  let reads = postingsInFlight.get(repos);
  if (reads === undefined) postingsInFlight.set(repos, (reads = new Map()));
  const inFlight = reads;
  const shared = inFlight.get(key);
  // A shared read that fails fails only the batch that made it: the ones waiting for it read again.
  if (shared !== undefined)
    return shared.catch(() => repos.corrections.postings(cycle.communityId, cycle.period));
  const read = repos.corrections.postings(cycle.communityId, cycle.period);
  inFlight.set(key, read);
  const forget = () => {
    if (inFlight.get(key) === read) inFlight.delete(key);
  };
  read.then(forget, forget);
  return read;
}

export async function handler(event: unknown): Promise<{ institutions: number }> {
  const work = InstitutionWork.parse(event);
  const { cycle } = work;
  const ids = await batchIds(store(), work);
  const repos = store();
  const [{ institutions }, postings] = await Promise.all([
    prefetchBatch(repos, cycle, ids, monthsToDate(cycle.period)),
    postingsOf(repos, cycle),
    // The version's V2 part (v2StepInputs, cached), read beside the batch's blobs rather than after them.
    repos.datasets.v2(cycle.communityId, cycle.datasetVersion),
  ]);
  // One batch of a process computes at a time, then writes while the next computes (below). Its inputs
  // are taken in its turn: the blobs read for it are decoded by their first reader, so each batch decodes
  // its own rosters when it computes (the first batch then starts on its own institutions' alone).
  const groups = await oneBatchAtATime(async () => {
    const [rosters, inputs] = await Promise.all([
      // The rosters the seal pairs each line with its account from (read by the prefetch above).
      repos.datasets.rosters(cycle.communityId, cycle.datasetVersion, ids),
      Promise.all(ids.map((id) => monthlyInputs(repos, cycle, id, postings))),
    ]);
    return Promise.all(
      ids.map((institutionId, index) =>
        ownTurn(() =>
          sealedGroup(
            { institutionId, items: monthlyPayOf(cycle, institutionId, inputs[index]!) },
            rosters[index]!,
            { paid: true },
          ),
        ),
      ),
    );
  });
  await repos.results.putBatch(cycle, MONTHLY_PAY_STEP, groups, { institutions: institutions.length });
  return { institutions: ids.length };
}
