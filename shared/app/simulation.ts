/**
 * 模拟测算: a year's cycles run on the stored dataset of that year (or a dataset folder not imported) with
 * a draft scheme, through the domain's in-memory year (shared/domain/year.ts — the same steps the workflow
 * handlers call), and compared with the actual results. Nothing is written to the store but one audit
 * entry `scheme.simulate`, so a simulation may run while cycles run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readCsv } from '../dataset/csv.js';
import { decodeFile } from '../dataset/decode.js';
import { CSV_FORMATS } from '../dataset/formats/index.js';
import { parseScheme, SCHEME_FILE } from '../dataset/formats/scheme.js';
import { DatasetInvalidError, parseDatasetFiles } from '../dataset/index.js';
import { validateRows } from '../dataset/table.js';
import { monthKey, monthsOfQuarter, type Quarter, quarterKey } from '../domain/periods.js';
import { computeYear, type YearResults } from '../domain/year.js';
import { bilingual, NotFoundError, PrerequisiteError } from '../errors.js';
import { loadYear } from '../reports/load.js';
import { type Dataset, type Indicator, Scheme } from '../schemas/dataset.js';
import { contentHash } from '../store/codec.js';
import type { Repositories } from '../store/index.js';
import { resolveCommunity } from './cycle-service.js';
import { contractText } from './results-writer.js';
import { contractFiles, diffYears, type SimulationDiff, type YearFigures } from './simulation-diff.js';
import { renderSimulationHtml } from './simulation-report.js';

/** A draft: the scheme.json and/or the indicators table, in the dataset formats (DOMAIN.md §2). */
export interface SchemeDraft {
  scheme?: Scheme;
  indicators?: Indicator[];
}

const INDICATORS_FILE = CSV_FORMATS.indicators.file;

/**
 * Reads a draft's files with the import's own rules (every issue named by file, row and column, in
 * Chinese and English); throws DatasetInvalidError with every issue of the files given.
 */
export function parseSchemeDraft(files: {
  scheme?: string | Uint8Array;
  indicators?: string | Uint8Array;
}): SchemeDraft {
  const given: Record<string, string | Uint8Array> = {};
  if (files.scheme !== undefined) given[SCHEME_FILE] = files.scheme;
  if (files.indicators !== undefined) given[INDICATORS_FILE] = files.indicators;
  if (Object.keys(given).length === 0) {
    throw new PrerequisiteError(
      bilingual(
        '模拟测算需要方案草案：scheme.json 和/或 indicators.csv',
        'a simulation needs a draft: scheme.json and/or indicators.csv',
      ),
    );
  }
  // The whole import over the draft's files alone: the other files' absence is no issue of the draft.
  const parsed = parseDatasetFiles(given);
  if (!parsed.ok) {
    const issues = parsed.issues.filter((issue) => issue.file in given);
    if (issues.length > 0) throw new DatasetInvalidError(issues);
  }
  const draft: SchemeDraft = {};
  if (files.scheme !== undefined) {
    const { scheme } = parseScheme(decodeFile(files.scheme).text!);
    draft.scheme = Scheme.parse(scheme);
  }
  if (files.indicators !== undefined) {
    const format = CSV_FORMATS.indicators;
    const read = readCsv(format.file, decodeFile(files.indicators).text!, format.columns);
    draft.indicators = validateRows(format, read).rows.values as Indicator[];
  }
  return draft;
}

export interface SimulateOptions {
  /** Default: the draft's community, else the last one imported. */
  communityId?: string;
  year: number;
  draft: SchemeDraft;
  /** A dataset of a year not imported (`--data DIR`); otherwise the stored dataset of the year. */
  dataset?: Dataset;
  /** Months to include, 1–12 (default every month with data). */
  months?: readonly number[];
  by: string;
}

export type PeriodKind = 'monthly' | 'quarterly' | 'annual';

export interface SimulatedPeriod {
  kind: PeriodKind;
  period: string;
  /** Where the actual figures come from: a completed cycle's stored results, or the scheme in force computed. */
  actual: 'stored' | 'computed';
}

export interface Simulation {
  communityId: string;
  year: number;
  /** The stored dataset version simulated; null for a dataset folder. */
  datasetVersion: number | null;
  schemeHash: string;
  draftSchemeHash: string;
  periods: SimulatedPeriod[];
  actual: YearFigures;
  simulated: YearFigures;
  diff: SimulationDiff;
  institutionNames: Record<string, string>;
  staffNames: Record<string, string>;
}

/** The latest stored version holding `year`: the current one, or the one the year's cycles last used. */
async function storedVersion(repos: Repositories, communityId: string, year: number): Promise<number> {
  const pointer = await repos.datasets.current(communityId, year);
  if (pointer?.year === year) return pointer.version;
  const cycles = (await repos.cycles.list(communityId)).filter((c) =>
    c.kind === 'annual' ? c.period === String(year) : c.period.startsWith(`${year}-`),
  );
  const version = Math.max(0, ...cycles.map((c) => c.datasetVersion));
  if (version === 0) {
    throw new NotFoundError(
      bilingual(
        `${communityId} 没有 ${year} 年的已导入数据；未导入的年度请用 --data 指定数据集目录`,
        `${communityId} has no imported data for ${year}; simulate a year not imported with --data DIR`,
      ),
    );
  }
  return version;
}

/** The periods with data: months with workload rows, quarters whose three months have data, the year when all do. */
function periodsWithData(dataset: Dataset, year: number, months?: readonly number[]) {
  const withRows = new Set(dataset.workload.map((w) => w.period));
  const wanted = new Set(
    (months ?? Array.from({ length: 12 }, (_, i) => i + 1)).map((m) => monthKey(year, m)),
  );
  const monthly = [...wanted].filter((m) => withRows.has(m)).sort();
  const have = new Set(monthly);
  const quarterly = ([1, 2, 3, 4] as Quarter[])
    .filter((q) => monthsOfQuarter(year, q).every((m) => have.has(m)))
    .map((q) => quarterKey(year, q));
  const insurance = dataset.insurance.find((r) => r.year === year);
  const annual = monthly.length === 12 && insurance?.actual !== undefined;
  return { monthly, quarterly, annual };
}

/** The chosen periods of an in-memory year. */
function select(year: YearResults, periods: ReturnType<typeof periodsWithData>): YearFigures {
  return {
    monthly: new Map(periods.monthly.map((p) => [p, year.monthly.get(p)!])),
    quarterly: new Map(periods.quarterly.map((p) => [p, year.quarterly.get(p)!])),
    annual: periods.annual ? year.annual : null,
  };
}

function checkDraftFits(draft: SchemeDraft, dataset: Dataset, year: number): void {
  if (!draft.scheme) return;
  if (draft.scheme.year !== year) {
    throw new PrerequisiteError(
      bilingual(
        `方案草案 scheme.json 的 year 为 ${draft.scheme.year}，与模拟年度 ${year} 不符`,
        `the draft scheme.json has year ${draft.scheme.year}, not the simulated year ${year}`,
      ),
    );
  }
  if (draft.scheme.community.id !== dataset.scheme.community.id) {
    throw new PrerequisiteError(
      bilingual(
        `方案草案 scheme.json 的 community.id 为 ${draft.scheme.community.id}，与数据集的 ${dataset.scheme.community.id} 不符`,
        `the draft scheme.json is for community ${draft.scheme.community.id}, the dataset for ${dataset.scheme.community.id}`,
      ),
    );
  }
}

export async function simulateScheme(repos: Repositories, options: SimulateOptions): Promise<Simulation> {
  const { year, draft } = options;
  let dataset: Dataset;
  let communityId: string;
  let datasetVersion: number | null = null;
  let previous: Dataset | undefined;
  let storedRead: ReturnType<typeof loadYear> | undefined;
  if (options.dataset) {
    dataset = options.dataset;
    communityId = dataset.scheme.community.id;
    if (dataset.scheme.year !== year) {
      throw new PrerequisiteError(
        bilingual(
          `数据集是 ${dataset.scheme.year} 年的，不是 ${year} 年`,
          `the dataset is for ${dataset.scheme.year}, not ${year}`,
        ),
      );
    }
  } else {
    communityId = await resolveCommunity(
      repos,
      options.communityId ?? draft.scheme?.community.id ?? undefined,
    );
    // The completed cycles' results are read while the dataset is (independent reads).
    storedRead = loadYear(repos, communityId, year);
    storedRead.catch(() => undefined); // awaited below; observed here so an early error is not unhandled
    datasetVersion = await storedVersion(repos, communityId, year);
    const before = await repos.datasets.current(communityId, year - 1);
    // §9.4 `improve` compares with the year before when the store holds it, as the cycles do.
    [dataset, previous] = await Promise.all([
      repos.datasets.load(communityId, datasetVersion),
      before?.year === year - 1 ? repos.datasets.load(communityId, before.version) : undefined,
    ]);
  }
  checkDraftFits(draft, dataset, year);

  const periods = periodsWithData(dataset, year, options.months);
  if (periods.monthly.length === 0) {
    throw new PrerequisiteError(
      bilingual(
        `${year} 年所选月份没有工作量数据，无可模拟`,
        `no month of ${year} selected has workload data`,
      ),
    );
  }
  const draftDataset: Dataset = {
    ...dataset,
    scheme: draft.scheme ?? dataset.scheme,
    indicators: draft.indicators ?? dataset.indicators,
  };
  const simulated = select(computeYear(draftDataset, previous), periods);

  // Actual figures: each period's completed cycle where there is one, else the scheme in force computed.
  const stored = storedRead ? await storedRead : null;
  let inForce: YearFigures | undefined;
  const computed = () => {
    inForce ??= select(computeYear(dataset, previous), periods);
    return inForce;
  };
  const actual: YearFigures = { monthly: new Map(), quarterly: new Map(), annual: null };
  const list: SimulatedPeriod[] = [];
  for (const period of periods.monthly) {
    const cycle = stored?.monthly.find((m) => m.cycle.period === period);
    actual.monthly.set(period, cycle ? cycle.results : computed().monthly.get(period)!);
    list.push({ kind: 'monthly', period, actual: cycle ? 'stored' : 'computed' });
  }
  for (const period of periods.quarterly) {
    const cycle = stored?.quarterly.find((q) => q.cycle.period === period);
    actual.quarterly.set(
      period,
      cycle
        ? { institutions: cycle.scores, bulletin: cycle.bulletin, allocations: cycle.allocations }
        : computed().quarterly.get(period)!,
    );
    list.push({ kind: 'quarterly', period, actual: cycle ? 'stored' : 'computed' });
  }
  if (periods.annual) {
    const cycle = stored?.annual;
    actual.annual = cycle
      ? { institutions: cycle.scores, settlement: cycle.settlement, allocations: cycle.allocations }
      : computed().annual;
    list.push({ kind: 'annual', period: String(year), actual: cycle ? 'stored' : 'computed' });
  }

  const diff = diffYears(year, actual, simulated);
  const simulation: Simulation = {
    communityId,
    year,
    datasetVersion,
    schemeHash: contentHash(dataset.scheme),
    draftSchemeHash: contentHash({ scheme: draftDataset.scheme, indicators: draftDataset.indicators }),
    periods: list,
    actual,
    simulated,
    diff,
    institutionNames: Object.fromEntries(dataset.institutions.map((i) => [i.id, i.name])),
    staffNames: Object.fromEntries(dataset.staff.map((s) => [s.staffId, s.name])),
  };
  await repos.audit.append(communityId, {
    actor: options.by,
    action: 'scheme.simulate',
    subject: String(year),
    details: {
      datasetVersion,
      schemeHash: simulation.schemeHash,
      draftSchemeHash: simulation.draftSchemeHash,
      periods: list.map((p) => p.period),
      counts: diff.counts,
      difference: diff.community.difference,
    },
  });
  return simulation;
}

/** What a simulation ran on: the community's year, its dataset version, both schemes' hashes, the periods. */
export function simulationProvenance(s: Simulation) {
  return {
    communityId: s.communityId,
    year: s.year,
    datasetVersion: s.datasetVersion,
    schemeHash: s.schemeHash,
    draftSchemeHash: s.draftSchemeHash,
    periods: s.periods,
  };
}

/** diff.json: the comparison with its provenance. */
export function diffDocument(s: Simulation) {
  return {
    ...simulationProvenance(s),
    ...s.diff,
  };
}

/**
 * Writes DIR/simulated/ (the §8.1 files, byte for byte as a real run writes them), DIR/diff.json and
 * DIR/report.html; returns the paths written, relative to DIR.
 */
export async function writeSimulation(outDir: string, s: Simulation): Promise<string[]> {
  const written: string[] = [];
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(outDir, path)), { recursive: true });
    await writeFile(join(outDir, path), text);
    written.push(path);
  };
  for (const [path, value] of contractFiles(s.simulated, s.year))
    await write(join('simulated', path), contractText(value));
  await write('diff.json', contractText(diffDocument(s)));
  await write('report.html', renderSimulationHtml(s));
  return written;
}
