/**
 * Report documents assembled from a cycle's stored results: the monthly dispatch report (调度表).
 * (The bulletin and the annual settlement are written by their own steps.)
 */
import type { Status } from '../domain/dispatch.js';
import type { CycleRef } from '../schemas/events.js';
import type { MonthlyPayLine } from '../schemas/results.js';
import type { Repositories } from '../store/index.js';
import type { WriteGuard } from '../store/results.js';
import { type PaidTotals, SEALING_STEP, type SealSummary } from './seals.js';

export interface MonthlyInstitutionSummary {
  institutionId: string;
  reward: number;
  basicShare: string | null;
  basicShareOutOfRange: boolean;
  pool: number;
  holdback: number;
  distributable: number;
  undistributed: number;
  headcount: number;
  dispatch: {
    missingSubmissions: string[];
    staffWithoutWorkload: string[];
    yearToDate: {
      score: string;
      indicators: { indicatorId: string; value: string | null; score: string; status: Status }[];
    };
  };
}

export interface MonthlyReport {
  period: string;
  revision: number;
  datasetVersion: number;
  totals: {
    basic: number;
    reward: number;
    adjustment: number;
    gross: number;
    holdback: number;
    undistributed: number;
    lines: number;
  };
  institutions: (MonthlyInstitutionSummary & {
    paid: { basic: number; reward: number; adjustment: number; gross: number };
  })[];
}

/**
 * Each institution's paid totals: as monthly pay recorded them on its write guards while writing the
 * lines (shared/app/seals.ts sealedGroup), or — for results written before, or an institution without —
 * summed from every stored pay line.
 */
async function paidTotals(
  repos: Repositories,
  cycle: CycleRef,
  summaries: readonly MonthlyInstitutionSummary[],
  guards: readonly WriteGuard<Partial<SealSummary>>[],
): Promise<Map<string, PaidTotals>> {
  const recorded = new Map<string, PaidTotals>();
  for (const guard of guards)
    if (guard.step === SEALING_STEP.monthly && guard.summary?.paid)
      recorded.set(guard.institutionId, guard.summary.paid);
  if (summaries.every((s) => recorded.has(s.institutionId))) return recorded;
  const pay = await repos.results.payLines<MonthlyPayLine>(cycle);
  return new Map(
    pay.map((p) => [
      p.institutionId,
      p.lines.reduce(
        (acc, l) => ({
          basic: acc.basic + l.basic,
          reward: acc.reward + l.reward,
          adjustment: acc.adjustment + l.adjustment,
          gross: acc.gross + l.gross,
        }),
        { basic: 0, reward: 0, adjustment: 0, gross: 0 },
      ),
    ]),
  );
}

export async function buildMonthlyReport(repos: Repositories, cycle: CycleRef): Promise<MonthlyReport> {
  // The results of the month's institutions (its dataset's) and the guards that carry their paid totals,
  // by key.
  const ids = (await repos.datasets.institutions(cycle.communityId, cycle.datasetVersion)).map((i) => i.id);
  const { institutions: summaries, guards } = await repos.results.resultsAndGuardsOf<
    MonthlyInstitutionSummary,
    Partial<SealSummary>
  >(cycle, ids, SEALING_STEP.monthly);
  const paidBy = await paidTotals(repos, cycle, summaries, guards);
  const institutions = summaries
    .sort((a, b) => (a.institutionId < b.institutionId ? -1 : 1))
    .map((s) => ({
      ...s,
      paid: paidBy.get(s.institutionId) ?? { basic: 0, reward: 0, adjustment: 0, gross: 0 },
    }));
  const totals = institutions.reduce(
    (acc, i) => ({
      basic: acc.basic + i.paid.basic,
      reward: acc.reward + i.paid.reward,
      adjustment: acc.adjustment + i.paid.adjustment,
      gross: acc.gross + i.paid.gross,
      holdback: acc.holdback + i.holdback,
      undistributed: acc.undistributed + i.undistributed,
      lines: acc.lines + i.headcount,
    }),
    { basic: 0, reward: 0, adjustment: 0, gross: 0, holdback: 0, undistributed: 0, lines: 0 },
  );
  return {
    period: cycle.period,
    revision: cycle.revision,
    datasetVersion: cycle.datasetVersion,
    totals,
    institutions,
  };
}
