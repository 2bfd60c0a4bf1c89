/**
 * Reads what the reports and sheets are built from: completed cycles' stored results and the dataset
 * version each cycle recorded. The only module of shared/reports that touches the store; everything it
 * returns is plain data for the pure builders.
 */
import { allocations, annualResults, bulletinDocument, monthlyResults } from '../app/cycle-results.js';
import { buildMonthlyReport, type MonthlyReport } from '../app/reports.js';
import { assertSealed } from '../app/seals.js';
import { bilingual, NotFoundError, PrerequisiteError } from '../errors.js';
import type { Deduction } from '../schemas/dataset.js';
import type { QuarterlyInstitutionResult } from '../schemas/results.js';
import { contentHash } from '../store/codec.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import type { CycleKind } from '../store/keys.js';
import type {
  AnnualCycleData,
  DatasetContext,
  MonthlyCycleData,
  QuarterlyCycleData,
  YearData,
} from './sources.js';

/** Dataset versions, each read once (a year's cycles usually share one or two). */
export class DatasetContexts {
  private readonly loaded = new Map<number, Promise<DatasetContext>>();

  constructor(
    private readonly repos: Repositories,
    private readonly communityId: string,
  ) {}

  get(version: number): Promise<DatasetContext> {
    let context = this.loaded.get(version);
    if (!context) {
      context = this.load(version);
      this.loaded.set(version, context);
    }
    return context;
  }

  private async load(version: number): Promise<DatasetContext> {
    const { datasets } = this.repos;
    const c = this.communityId;
    const [scheme, institutions, indicators, leaders] = await Promise.all([
      datasets.scheme(c, version),
      datasets.institutions(c, version),
      datasets.indicators(c, version),
      datasets.leaders(c, version),
    ]);
    const rosters = await datasets.rosters(
      c,
      version,
      institutions.map((i) => i.id),
    );
    return {
      communityId: c,
      version,
      scheme,
      schemeHash: contentHash(scheme),
      institutions,
      indicators,
      leaders,
      staff: rosters.flat(),
    };
  }
}

const KIND_WORDS: Readonly<Record<CycleKind, string>> = {
  monthly: '月调度',
  quarterly: '季通报',
  annual: '年考核',
};

/** The completed cycle of `kind` for `period`, or an error that says what to run first. */
export async function completedCycle(
  repos: Repositories,
  communityId: string,
  kind: CycleKind,
  period: string,
): Promise<CycleRecord> {
  const cycle = await repos.cycles.get(communityId, kind, period);
  if (!cycle) {
    throw new NotFoundError(
      bilingual(
        `${communityId} 没有 ${period} ${KIND_WORDS[kind]}周期，请先运行 medcomm run ${kind} ${period}`,
        `${communityId} has no ${kind} cycle ${period}; run it first`,
      ),
    );
  }
  if (cycle.status !== 'completed') {
    throw new PrerequisiteError(
      bilingual(
        `${period} ${KIND_WORDS[kind]}周期当前为 ${cycle.status}，完成后才能导出`,
        `${kind} cycle ${period} is ${cycle.status}; only a completed cycle can be exported`,
      ),
    );
  }
  // Nothing is served from results that no longer match their seal (edited pay, a swapped account).
  await assertSealed(repos, cycle);
  return cycle;
}

export async function loadMonthly(
  repos: Repositories,
  cycle: CycleRecord,
  contexts = new DatasetContexts(repos, cycle.communityId),
): Promise<MonthlyCycleData> {
  const [dataset, stored, results] = await Promise.all([
    contexts.get(cycle.datasetVersion),
    repos.results.document<MonthlyReport>(cycle, 'REPORT'),
    monthlyResults(repos, cycle),
  ]);
  // The REPORT document is written by the cycle; rebuilt from the same stored results if it is absent.
  const report = stored ?? (await buildMonthlyReport(repos, cycle));
  return { cycle, dataset, report, results };
}

/**
 * A month's withholding (issue 16) from the year's current dataset version: HR imports deductions.csv once
 * the month's gross is known, i.e. after the cycle ran on an earlier version. Withholding never changes
 * pay (locks do not freeze it), so the current version's is the one to pay by; without a current version,
 * the cycle's own. Undefined when that version has none for the month; else its rows and the version (for
 * the export's audit entry).
 */
export async function loadMonthDeductions(
  repos: Repositories,
  cycle: CycleRecord,
): Promise<{ version: number; rows: Deduction[] } | undefined> {
  const pointer = await repos.datasets.current(cycle.communityId, Number(cycle.period.slice(0, 4)));
  const version = pointer?.version ?? cycle.datasetVersion;
  const rows = await repos.datasets.deductions(cycle.communityId, version, cycle.period);
  return rows === undefined ? undefined : { version, rows };
}

export async function loadQuarterly(
  repos: Repositories,
  cycle: CycleRecord,
  contexts = new DatasetContexts(repos, cycle.communityId),
): Promise<QuarterlyCycleData> {
  const [dataset, scores, doc, alloc] = await Promise.all([
    contexts.get(cycle.datasetVersion),
    repos.results.institutions<QuarterlyInstitutionResult>(cycle),
    bulletinDocument(repos, cycle),
    allocations(repos, cycle),
  ]);
  const community = doc.community === undefined ? {} : { community: doc.community };
  return { cycle, dataset, scores, bulletin: doc.rows, allocations: alloc, ...community };
}

export async function loadAnnual(
  repos: Repositories,
  cycle: CycleRecord,
  contexts = new DatasetContexts(repos, cycle.communityId),
): Promise<AnnualCycleData> {
  const [dataset, { scores, settlement }, alloc, locks] = await Promise.all([
    contexts.get(cycle.datasetVersion),
    annualResults(repos, cycle),
    allocations(repos, cycle),
    repos.cycles.locks(cycle.communityId),
  ]);
  if (!settlement) {
    throw new NotFoundError(
      bilingual(
        `${cycle.period} 年考核没有结算结果`,
        `annual cycle ${cycle.period} has no stored settlement`,
      ),
    );
  }
  return { cycle, dataset, scores, settlement, allocations: alloc, locks };
}

const inYear = (c: CycleRecord, year: number) =>
  c.status === 'completed' &&
  (c.kind === 'annual' ? c.period === String(year) : c.period.startsWith(`${year}-`));

const byPeriod = (a: CycleRecord, b: CycleRecord) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0);

/** Every completed cycle of the year, sorted by period. */
export async function yearCycles(
  repos: Repositories,
  communityId: string,
  year: number,
): Promise<CycleRecord[]> {
  return (await repos.cycles.list(communityId)).filter((c) => inYear(c, year)).sort(byPeriod);
}

/** Every completed cycle of the year with its results. */
export async function loadYear(repos: Repositories, communityId: string, year: number): Promise<YearData> {
  const cycles = await yearCycles(repos, communityId, year);
  const contexts = new DatasetContexts(repos, communityId);
  const annualCycle = cycles.find((c) => c.kind === 'annual');
  const [monthly, quarterly, annual] = await Promise.all([
    Promise.all(cycles.filter((c) => c.kind === 'monthly').map((c) => loadMonthly(repos, c, contexts))),
    Promise.all(cycles.filter((c) => c.kind === 'quarterly').map((c) => loadQuarterly(repos, c, contexts))),
    annualCycle ? loadAnnual(repos, annualCycle, contexts) : Promise.resolve(null),
  ]);
  return { communityId, year, monthly, quarterly, annual };
}

/** The quarters of `year` up to and including `period` (for a bulletin's trend and its previous quarter). */
export async function loadQuartersUpTo(
  repos: Repositories,
  communityId: string,
  period: string,
  contexts = new DatasetContexts(repos, communityId),
): Promise<QuarterlyCycleData[]> {
  const year = Number(period.slice(0, 4));
  const cycles = (await repos.cycles.list(communityId))
    .filter((c) => c.kind === 'quarterly' && inYear(c, year) && c.period <= period)
    .sort(byPeriod);
  return Promise.all(cycles.map((c) => loadQuarterly(repos, c, contexts)));
}
