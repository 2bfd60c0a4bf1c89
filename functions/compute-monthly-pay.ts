/**
 * Monthly pay of a batch of institutions (DOMAIN.md §5.3): basic pay for everyone on the month's payroll,
 * the reward pool split by points, adjustments; plus the dispatch checks for the monthly report. The
 * batch's rosters and rows come in one read, its results go out in one guarded write (results.putBatch).
 */
import { loadInstitutionSlice, prefetchBatch } from '../shared/app/cycle-data.js';
import { v2StepInputs } from '../shared/app/previous-year.js';
import { SEALING_STEP, sealedGroup } from '../shared/app/seals.js';
import { approvedSplits } from '../shared/app/secondary-service.js';
import { store } from '../shared/config.js';
import { missingSubmissions, staffWithoutWorkload, yearToDateStatus } from '../shared/domain/dispatch.js';
import { monthsToDate } from '../shared/domain/periods.js';
import { monthlyStep } from '../shared/domain/steps.js';
import { type CycleRef, InstitutionWork, idsOf } from '../shared/schemas/events.js';
import type { PostingRef } from '../shared/store/corrections.js';
import type { Repositories } from '../shared/store/index.js';
import { type ResultWrite, resultWrites } from '../shared/store/results.js';

/** The write guard's step name of monthly pay (shared/store/results.ts putBatch); its guards carry the seal. */
export const MONTHLY_PAY_STEP = SEALING_STEP.monthly;

/** Institutions of a batch computed, sealed and written together (a city's batch of ~39 is 4 parts). */
const WRITE_PART = 10;

/** One institution's pay lines and result with its dispatch checks, as the items to write. */
async function monthlyPayOf(
  repos: Repositories,
  cycle: CycleRef,
  institutionId: string,
  postings: readonly PostingRef[],
): Promise<ResultWrite[]> {
  const toDateMonths = monthsToDate(cycle.period);
  const [slice, posted] = await Promise.all([
    loadInstitutionSlice(repos, cycle, institutionId, toDateMonths),
    // Differences of approved corrections (DOMAIN.md §7.1), paid on this month's sheet as adjustments.
    postings.length === 0
      ? []
      : repos.corrections.postedAdjustments(cycle.communityId, cycle.period, institutionId, postings),
  ]);
  const { lines, ...pool } = monthlyStep({
    scheme: slice.scheme,
    institution: slice.institution,
    roster: slice.roster,
    period: cycle.period,
    workload: slice.rows.workload,
    adjustments: posted.length > 0 ? [...slice.rows.adjustments, ...posted] : slice.rows.adjustments,
    ...(await v2StepInputs(repos, cycle, institutionId)),
    // §9.1 manual mode: the departments' approved splits (the window closed before this step runs).
    ...(slice.scheme.pay.secondary?.mode === 'manual'
      ? { manual: await approvedSplits(repos, cycle, institutionId) }
      : {}),
  });
  const toDate = await repos.datasets.institutionMonths(
    cycle.communityId,
    cycle.datasetVersion,
    institutionId,
    toDateMonths,
  );
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

export async function handler(event: unknown): Promise<{ institutions: number }> {
  const work = InstitutionWork.parse(event);
  const { cycle } = work;
  const ids = idsOf(work);
  const repos = store();
  const [{ institutions }, postings] = await Promise.all([
    prefetchBatch(repos, cycle, ids, monthsToDate(cycle.period)),
    repos.corrections.postings(cycle.communityId, cycle.period),
  ]);
  // The rosters the seal pairs each line with its account from (read by the prefetch above).
  const rosters = await repos.datasets.rosters(cycle.communityId, cycle.datasetVersion, ids);
  // Computed and written a few institutions at a time: each part's guarded write (the same once-only
  // write, institution by institution) goes out while the next part is computed, so the CPU of the pay
  // and the storage's work on the writes overlap instead of following each other.
  const writes: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  for (let start = 0; start < ids.length && !failure; start += WRITE_PART) {
    const part = ids.slice(start, start + WRITE_PART);
    const groups = await Promise.all(
      part.map(async (institutionId, index) =>
        sealedGroup(
          { institutionId, items: await monthlyPayOf(repos, cycle, institutionId, postings) },
          rosters[start + index]!,
          { paid: true },
        ),
      ),
    );
    writes.push(
      repos.results
        .putBatch(cycle, MONTHLY_PAY_STEP, groups, { institutions: institutions.length })
        .catch((error: unknown) => {
          failure ??= { error };
        }),
    );
  }
  await Promise.all(writes);
  if (failure) throw failure.error;
  return { institutions: ids.length };
}
