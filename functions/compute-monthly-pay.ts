/**
 * Monthly pay of a batch of institutions (DOMAIN.md §5.3): basic pay for everyone on the month's payroll,
 * the reward pool split by points, adjustments; plus the dispatch checks for the monthly report. The
 * batch's rosters and rows come in one read, its results go out in one guarded write (results.putBatch).
 */
import { loadInstitutionSlice, prefetchBatch } from '../shared/app/cycle-data.js';
import { batchIds, oneBatchAtATime, ownTurn } from '../shared/app/institution-batches.js';
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
  const inFlight = postingsInFlight.get(repos) ?? new Map<string, Promise<PostingRef[]>>();
  postingsInFlight.set(repos, inFlight);
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
