/**
 * Monthly pay of one institution (DOMAIN.md §5.3): basic pay for everyone on the month's payroll, the
 * reward pool split by points, adjustments; plus the dispatch checks for the monthly report.
 */
import { loadInstitutionSlice } from '../shared/app/cycle-data.js';
import { v2StepInputs } from '../shared/app/previous-year.js';
import { store } from '../shared/config.js';
import { missingSubmissions, staffWithoutWorkload, yearToDateStatus } from '../shared/domain/dispatch.js';
import { monthsToDate } from '../shared/domain/periods.js';
import { monthlyStep } from '../shared/domain/steps.js';
import { InstitutionTask } from '../shared/schemas/events.js';

export async function handler(event: unknown): Promise<{ institutionId: string }> {
  const { cycle, institutionId } = InstitutionTask.parse(event);
  const repos = store();
  const toDateMonths = monthsToDate(cycle.period);
  const [slice, posted] = await Promise.all([
    loadInstitutionSlice(repos, cycle, institutionId, toDateMonths),
    // Differences of approved corrections (DOMAIN.md §7.1), paid on this month's sheet as adjustments.
    repos.corrections.postedAdjustments(cycle.communityId, cycle.period, institutionId),
  ]);
  const { lines, ...pool } = monthlyStep({
    scheme: slice.scheme,
    institution: slice.institution,
    roster: slice.roster,
    period: cycle.period,
    workload: slice.rows.workload,
    adjustments: posted.length > 0 ? [...slice.rows.adjustments, ...posted] : slice.rows.adjustments,
    ...(await v2StepInputs(repos, cycle, institutionId)),
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
  await repos.results.putPayLines(cycle, institutionId, lines);
  await repos.results.putInstitution(cycle, institutionId, { ...pool, headcount: lines.length, dispatch });
  return { institutionId };
}
