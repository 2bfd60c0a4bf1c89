/**
 * Explanations of completed cycles from the store: the dataset version and rows the cycle ran on, and the
 * results it stored, handed to the pure explain.ts. The CLI (`medcomm explain`), the API and the pay
 * slips all come through here.
 */
import { cycleMonths } from '../app/cycle-data.js';
import { scoringContextOf } from '../app/previous-year.js';
import { leaderSalary } from '../domain/annual.js';
import { bilingual, NotFoundError } from '../errors.js';
import type { Institution, Staff } from '../schemas/dataset.js';
import type {
  AnnualInstitutionResult,
  AnnualSettlementResult,
  MonthlyInstitutionResult,
  PoolAllocation,
  QuarterlyInstitutionResult,
} from '../schemas/results.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import {
  type ExplainKind,
  explainInstitution,
  explainPerson,
  type InstitutionExplanation,
  type InstitutionSlice,
  type PersonExplanation,
  type StoredResults,
} from './explain.js';
import { periodKind } from './exports.js';
import { completedCycle, DatasetContexts } from './load.js';
import { type StaffYear, staffYearTotals } from './slips.js';
import type { DatasetContext } from './sources.js';

const ref = (c: CycleRecord) => ({
  communityId: c.communityId,
  kind: c.kind,
  period: c.period,
  revision: c.revision,
});

async function storedResults(
  repos: Repositories,
  cycle: CycleRecord,
  dataset: DatasetContext,
  institution: Institution,
): Promise<StoredResults> {
  const id = institution.id;
  if (cycle.kind === 'monthly') {
    const [summary, pay] = await Promise.all([
      repos.results.institution<Omit<MonthlyInstitutionResult, 'lines'>>(ref(cycle), id),
      repos.results.payLines<MonthlyInstitutionResult['lines'][number]>(ref(cycle), id),
    ]);
    if (!summary) throw missing(cycle, id);
    return { kind: 'monthly', result: { ...summary, lines: pay.flatMap((p) => p.lines) } };
  }
  const allocation = await allocationOf(repos, cycle, id);
  if (cycle.kind === 'quarterly') {
    const score = await repos.results.institution<QuarterlyInstitutionResult>(ref(cycle), id);
    if (!score) throw missing(cycle, id);
    return { kind: 'quarterly', score, allocation };
  }
  const [score, settlement, locks] = await Promise.all([
    repos.results.institution<AnnualInstitutionResult>(ref(cycle), id),
    repos.results.document<AnnualSettlementResult>(ref(cycle), 'SETTLEMENT'),
    repos.cycles.locks(cycle.communityId),
  ]);
  const row = settlement?.institutions.find((i) => i.institutionId === id);
  if (!score || !settlement || !row) throw missing(cycle, id);
  const grade = dataset.scheme.grades.find((g) => g.grade === score.grade)!;
  const headcount = (iid: string) => dataset.staff.filter((s) => s.institutionId === iid).length;
  return {
    kind: 'annual',
    score,
    allocation,
    grade,
    // The month locks of the year: what each month put into the reserve (a quarter's or the year's lock has none).
    reserveMonths: locks
      .filter((l) => l.period.startsWith(`${cycle.period}-`) && l.reserve?.[id] !== undefined)
      .map((l) => ({ period: l.period, ...l.reserve[id]! })),
    settlement: row,
    insurance:
      settlement.insurance.outcome === 'surplus'
        ? {
            payPart: settlement.insurance.payPart,
            members: dataset.institutions.map((i) => ({
              institutionId: i.id,
              score: settlement.institutions.find((s) => s.institutionId === i.id)?.score ?? '0',
              headcount: headcount(i.id),
              tier: i.tier,
            })),
          }
        : null,
  };
}

async function allocationOf(repos: Repositories, cycle: CycleRecord, id: string): Promise<PoolAllocation> {
  const [parts, pay] = await Promise.all([
    repos.results.parts<Omit<PoolAllocation, 'lines'>>(ref(cycle), `ALLOC#${id}`),
    repos.results.payLines<PoolAllocation['lines'][number]>(ref(cycle), id),
  ]);
  const summary = parts.find((p) => p.institutionId === id);
  if (!summary) throw missing(cycle, id);
  return { ...summary, lines: pay.flatMap((p) => p.lines) };
}

const missing = (cycle: CycleRecord, id: string) =>
  new NotFoundError(
    bilingual(
      `${cycle.period} 周期没有机构 ${id} 的结果`,
      `cycle ${cycle.kind} ${cycle.period} has no stored results for institution ${id}`,
    ),
  );

export interface Explained {
  cycle: CycleRecord;
  dataset: DatasetContext;
  slice: InstitutionSlice;
  institution: InstitutionExplanation;
}

/** One institution's explanation for a completed cycle (period YYYY-MM, YYYY-Qn or YYYY). */
export async function explainInstitutionOf(
  repos: Repositories,
  communityId: string,
  period: string,
  institutionId: string,
  contexts = new DatasetContexts(repos, communityId),
): Promise<Explained> {
  const kind = periodKind(period) as ExplainKind;
  const cycle = await completedCycle(repos, communityId, kind, period);
  const dataset = await contexts.get(cycle.datasetVersion);
  const institution = dataset.institutions.find((i) => i.id === institutionId);
  if (!institution)
    throw new NotFoundError(
      bilingual(
        `数据版本 ${cycle.datasetVersion} 没有机构 ${institutionId}`,
        `no institution ${institutionId}`,
      ),
    );
  const months = cycleMonths(cycle);
  const roster = dataset.staff.filter((s) => s.institutionId === institutionId);
  const [rows, stored, v2, posted, scoring] = await Promise.all([
    repos.datasets.institutionMonths(communityId, cycle.datasetVersion, institutionId, months),
    storedResults(repos, cycle, dataset, institution),
    repos.datasets.v2(communityId, cycle.datasetVersion),
    // The differences of approved corrections (and accepted appeals) this month pays, as its pay step adds them.
    kind === 'monthly' ? repos.corrections.postedAdjustments(communityId, period, institutionId) : [],
    // §9.4/§9.5: the previous year and the secondment register, as the scoring steps read them.
    kind === 'monthly'
      ? undefined
      : scoringContextOf(repos, cycle, dataset.indicators, institutionId, roster, months),
  ]);
  const slice: InstitutionSlice = {
    lineage: {
      communityId,
      kind,
      period,
      revision: cycle.revision,
      datasetVersion: cycle.datasetVersion,
      schemeHash: dataset.schemeHash,
    },
    scheme: dataset.scheme,
    institution,
    roster,
    months,
    workload: rows.workload,
    adjustments: kind === 'monthly' ? [...rows.adjustments, ...posted] : [],
    finance: rows.finance,
    values: rows.values,
    indicators: dataset.indicators,
    // §9: present only where the dataset has them, as the pay steps read them.
    ...(v2.departments
      ? { departments: v2.departments.filter((d) => d.institutionId === institutionId) }
      : {}),
    ...(v2.secondments ? { secondments: v2.secondments } : {}),
    ...(scoring ? { scoring } : {}),
  };
  return { cycle, dataset, slice, institution: explainInstitution(slice, stored) };
}

/** The staff member of a dataset version, or an error naming the id. */
export function staffOf(dataset: DatasetContext, staffId: string): Staff {
  const person = dataset.staff.find((s) => s.staffId === staffId);
  if (!person)
    throw new NotFoundError(
      bilingual(
        `数据版本 ${dataset.version} 没有工号 ${staffId}`,
        `dataset version ${dataset.version} has no staff member ${staffId}`,
      ),
    );
  return person;
}

/** One person's explanation for a completed cycle. */
export async function explainPersonOf(
  repos: Repositories,
  communityId: string,
  period: string,
  staffId: string,
  contexts = new DatasetContexts(repos, communityId),
): Promise<PersonExplanation> {
  const kind = periodKind(period) as ExplainKind;
  const cycle = await completedCycle(repos, communityId, kind, period);
  const dataset = await contexts.get(cycle.datasetVersion);
  const person = staffOf(dataset, staffId);
  const explained = await explainInstitutionOf(repos, communityId, period, person.institutionId, contexts);
  let leader = null;
  if (kind === 'annual') {
    const target = dataset.leaders.find((l) => l.staffId === staffId);
    const grade = explained.institution.pool.kind === 'annual' ? explained.institution.pool : null;
    const g = dataset.scheme.grades.find((x) => x.grade === grade?.grade);
    if (target && g)
      leader = {
        targetAnnualSalary: target.targetAnnualSalary,
        coefficient: g.coefficient,
        salary: leaderSalary(target.targetAnnualSalary, g),
      };
  }
  return explainPerson(explained.slice, explained.institution, staffId, leader)!;
}

/** What every completed cycle of `year` paid one person (the pay lines as stored). */
export async function staffYearOf(
  repos: Repositories,
  communityId: string,
  year: number,
  staffId: string,
): Promise<StaffYear> {
  const cycles = (await repos.cycles.list(communityId))
    .filter(
      (c) =>
        c.status === 'completed' &&
        (c.kind === 'annual' ? c.period === String(year) : c.period.startsWith(`${year}-`)),
    )
    .sort((a, b) => (a.period < b.period ? -1 : 1));
  if (cycles.length === 0)
    throw new NotFoundError(bilingual(`${year} 年没有已完成的周期`, `no completed cycle in ${year}`));
  const contexts = new DatasetContexts(repos, communityId);
  const latest = await contexts.get(cycles.at(-1)!.datasetVersion);
  const person = staffOf(latest, staffId);
  const institution = latest.institutions.find((i) => i.id === person.institutionId)!;
  const months: StaffYear['months'] = [];
  const quarters: StaffYear['quarters'] = [];
  let annual: StaffYear['annual'] = null;
  await Promise.all(
    cycles.map(async (cycle) => {
      const pages = await repos.results.payLines<{
        staffId: string;
        basic?: number;
        reward?: number;
        adjustment?: number;
        gross?: number;
        amount?: number;
      }>(ref(cycle), person.institutionId);
      const line = pages.flatMap((p) => p.lines).find((l) => l.staffId === staffId);
      if (cycle.kind === 'monthly') {
        if (line)
          months.push({
            period: cycle.period,
            basic: line.basic ?? 0,
            reward: line.reward ?? 0,
            adjustment: line.adjustment ?? 0,
            gross: line.gross ?? 0,
          });
      } else if (cycle.kind === 'quarterly') {
        quarters.push({ period: cycle.period, quarterlySurplus: line?.amount ?? 0 });
      } else {
        const dataset = await contexts.get(cycle.datasetVersion);
        const settlement = await repos.results.document<{ leaders: { staffId: string; salary: number }[] }>(
          ref(cycle),
          'SETTLEMENT',
        );
        const leader = dataset.leaders.some((l) => l.staffId === staffId)
          ? (settlement?.leaders.find((l) => l.staffId === staffId)?.salary ?? null)
          : null;
        annual = { period: cycle.period, annualBonus: line?.amount ?? 0, leaderSalary: leader };
      }
    }),
  );
  const byPeriod = <T extends { period: string }>(a: T, b: T) => (a.period < b.period ? -1 : 1);
  const partial = {
    year,
    staff: { staffId, name: person.name, department: person.department, post: person.post },
    institution: { id: institution.id, name: institution.name },
    months: months.sort(byPeriod),
    quarters: quarters.sort(byPeriod),
    annual,
  };
  return { ...partial, totals: staffYearTotals(partial) };
}
