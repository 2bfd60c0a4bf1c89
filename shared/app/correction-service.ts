/**
 * Corrections of completed periods (补发/扣回, DOMAIN.md §7.1). The office brings corrected rows of a
 * locked month (workload, adjustments) or quarter (finance rows, indicator values); the period is
 * recomputed with the same rules on the rows its cycle ran on, the corrected ones in place, as a new
 * revision that pays nothing itself. Finance reviews the per-person differences (four eyes); approved,
 * they are posted as adjustment lines of the next open month, the period's lock moves to the corrected
 * rows and the year's current data takes them — all in one transaction that also checks the month is
 * still open. Rejected, nothing is posted and nothing else changes.
 *
 * Stopped anywhere (a job's runner killed), a correction leaves its run (CorrectionRun: the revision it
 * took, its base, its dataset version once written), never a half-recorded correction: the record, its
 * audit entry and the run's end are one transaction, as an approval and its audit entry are. Run again
 * with the same key it finishes the same correction; another correction abandons the run.
 *
 * Sized for a province (issue 12): a correction and its approval read and write only the period's months
 * of the versions they combine (the rest of a corrected version is the base's items and blobs), and the
 * corrected files are read as an import reads them, keeping only the period's rows.
 */
import { randomUUID } from 'node:crypto';
import { DatasetInvalidError, type ImportIssue, UPLOAD_MAX_FILE_BYTES } from '../dataset/index.js';
import type { FileSource, ParseOptions } from '../dataset/parse.js';
import { expandSources, readDatasetSources } from '../dataset/read-dir.js';
import { parseDatasetStreamed, type WorkloadSink } from '../dataset/stream.js';
import { type ComponentAmounts, componentTotal, correctionDifferences } from '../domain/corrections.js';
import { monthsOfYear } from '../domain/periods.js';
import { bilingual, FourEyesError, NotFoundError, PrerequisiteError, ReviewStateError } from '../errors.js';
import type { Dataset, Scheme, WorkloadRow } from '../schemas/dataset.js';
import type { CycleRef } from '../schemas/events.js';
import type { MonthlyInstitutionResult } from '../schemas/results.js';
import type { CorrectionRecord } from '../store/corrections.js';
import type { CycleRecord } from '../store/cycles.js';
import { type DatasetPointer, emptyMonth, type MonthRows } from '../store/datasets.js';
import { isStoreError } from '../store/errors.js';
import type { Repositories } from '../store/index.js';
import { keys } from '../store/keys.js';
import { type ImportLease, leaseHeld } from '../store/leases.js';
import type { TransactItem } from '../store/store.js';
import { cycleMonths } from './cycle-data.js';
import { resolveCommunity } from './cycle-service.js';
import { MONTHLY_PARTS, QUARTERLY_PARTS, type RowPart } from './frozen-rows.js';
import { inProgressFreezes, withImportLease } from './import-service.js';
import { parsePeriod } from './prerequisites.js';

type CorrectionKind = CorrectionRecord['kind'];

/** Recomputes a period as a revision with the cycle's own steps (functions/recompute-period.ts). */
export type RecomputePort = (cycle: CycleRef, institutionIds: readonly string[]) => Promise<void>;

/** The pay components a correction compares, per kind (§8 columns; §9 ones only where present). */
const COMPONENTS: Record<CorrectionKind, readonly string[]> = {
  monthly: ['basic', 'reward', 'adjustment', 'allowance', 'fiscalTopUp'],
  quarterly: ['quarterlySurplus'],
};

const PARTS: Record<CorrectionKind, readonly RowPart[]> = {
  monthly: MONTHLY_PARTS,
  quarterly: QUARTERLY_PARTS,
};

/** Where each part's rows are in a Dataset. */
const DATASET_FIELD = {
  workload: 'workload',
  adjustments: 'adjustments',
  finance: 'finance',
  values: 'indicatorValues',
} as const satisfies Record<RowPart, keyof Dataset>;

/**
 * `base` with the rows of `parts` in `months` taken from `from` instead: what a corrected version holds.
 * Corrections no longer build it whole (they write the window's months only: `writeWindow`); it stays as
 * the definition the window version is held to (test/integration/dynamodb/correction-window.test.ts).
 */
export function withCorrectedRows(
  base: Dataset,
  from: Dataset,
  months: readonly string[],
  parts: readonly RowPart[],
): Dataset {
  const inWindow = (row: { period: string }) => months.includes(row.period);
  const out: Dataset = { ...base };
  for (const part of parts) {
    const field = DATASET_FIELD[part];
    const kept = (base[field] as { period: string }[]).filter((r) => !inWindow(r));
    const taken = (from[field] as { period: string }[]).filter(inWindow);
    (out as Record<string, unknown>)[field] = [...kept, ...taken];
  }
  return out;
}

const kindZh: Record<CorrectionKind, string> = { monthly: '月调度', quarterly: '季通报' };

/** The revision a correction corrects: the last approved correction of the period, else the cycle's. */
function baseOf(cycle: CycleRecord, corrections: readonly CorrectionRecord[]) {
  const approved = corrections
    .filter((c) => c.kind === cycle.kind && c.period === cycle.period && c.status === 'completed')
    .sort((a, b) => b.revision - a.revision)[0];
  return approved
    ? { revision: approved.revision, datasetVersion: approved.datasetVersion }
    : { revision: cycle.revision, datasetVersion: cycle.datasetVersion };
}

/** Months after the period, in its year, whose monthly cycle has not started (failed ones restart). */
async function openMonthsAfter(
  repos: Repositories,
  communityId: string,
  kind: CorrectionKind,
  period: string,
) {
  const last = cycleMonths({ kind, period }).at(-1)!;
  const year = Number(period.slice(0, 4));
  const open: { month: string; cycle: CycleRecord | undefined }[] = [];
  for (const month of monthsOfYear(year).filter((m) => m > last)) {
    const cycle = await repos.cycles.get(communityId, 'monthly', month);
    if (!cycle || cycle.status === 'failed') open.push({ month, cycle });
  }
  return open;
}

function noOpenMonth(period: string, year: number): PrerequisiteError {
  return new PrerequisiteError(
    bilingual(
      `${year} 年在 ${period} 之后已没有未开始的月份，更正差额无处发放；请在 ${year + 1} 年数据集的 adjustments.csv 中计入（refPeriod ${period}）`,
      `no month after ${period} is still open in ${year}, so the differences could not be paid; put them into ` +
        `adjustments.csv of the ${year + 1} dataset (refPeriod ${period})`,
    ),
  );
}

/** Corrected rows (the window's) must refer to people, institutions and indicators the period's data has. */
function unknownReferences(
  base: { staff: (staffId: string) => boolean; institutions: Set<string>; indicators: Set<string> },
  corrected: MonthRows,
): ImportIssue[] {
  const { institutions, indicators } = base;
  const issues: ImportIssue[] = [];
  const refuse = (file: string, column: string, value: string) =>
    issues.push({
      file,
      column,
      value,
      rule: 'ref.unknown',
      zh: `更正的行引用了 ${value}，但被更正期间的数据中没有它`,
      en: `a corrected row refers to ${value}, which the corrected period's data does not have`,
    });
  for (const r of corrected.workload)
    if (!base.staff(r.staffId)) refuse('workload.csv', 'staffId', r.staffId);
  for (const r of corrected.adjustments)
    if (!base.staff(r.staffId)) refuse('adjustments.csv', 'staffId', r.staffId);
  for (const r of corrected.finance)
    if (!institutions.has(r.institutionId)) refuse('finance.csv', 'institutionId', r.institutionId);
  for (const r of corrected.values) {
    if (!institutions.has(r.institutionId)) refuse('indicator-values.csv', 'institutionId', r.institutionId);
    if (!indicators.has(r.indicatorId)) refuse('indicator-values.csv', 'indicatorId', r.indicatorId);
  }
  return issues;
}

/** The rows of the parts in the window, in a comparable form. */
function windowRows(rows: MonthRows, parts: readonly RowPart[]): string {
  return JSON.stringify(
    parts.map((part) =>
      (rows[WINDOW_FIELD[part]] as { period: string }[]).map((r) => JSON.stringify(r)).sort(),
    ),
  );
}

/** Where each part's rows are in a window's MonthRows. */
const WINDOW_FIELD = {
  workload: 'workload',
  adjustments: 'adjustments',
  finance: 'finance',
  values: 'values',
} as const satisfies Record<RowPart, keyof MonthRows>;

/**
 * A version's rows of the window's months as a loaded dataset holds them (months in order, institutions
 * by id, each institution's rows as stored), and the institution each of their staff members is under —
 * read from the window's month blobs alone (issue 12: a province's correction reads one month, not twelve
 * and every roster).
 */
export async function windowOf(
  repos: Repositories,
  communityId: string,
  version: number,
  months: readonly string[],
) {
  const rows = emptyMonth();
  const staff = new Map<string, string>();
  for (const period of [...months].sort()) {
    const month = await repos.datasets.month(communityId, version, period);
    for (const [institutionId, { rows: of }] of [...month].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      for (const field of ['workload', 'values', 'finance', 'adjustments'] as const)
        for (const row of of[field]) (rows[field] as unknown[]).push(row);
      for (const row of of.workload) staff.set(row.staffId, institutionId);
      for (const row of of.adjustments) staff.set(row.staffId, institutionId);
    }
  }
  return { rows, staff };
}

/**
 * The institution of each staff member `rows` name, as version `version` has them: those the version's own
 * window rows name are known from them; the rosters are read only when a corrected row names anyone else.
 * Undefined for a staff id the version does not have.
 */
async function staffLookup(
  repos: Repositories,
  communityId: string,
  version: number,
  known: ReadonlyMap<string, string>,
  rows: MonthRows,
): Promise<(staffId: string) => string | undefined> {
  const named = [...rows.workload, ...rows.adjustments].map((r) => r.staffId);
  if (named.every((id) => known.has(id))) return (id) => known.get(id);
  const all = await repos.datasets.staffInstitutions(communityId, version);
  return (id) => all.get(id);
}

/** `base`'s window rows with the rows of `parts` taken from `from` instead (`withCorrectedRows` of a window). */
function correctedWindow(base: MonthRows, from: MonthRows, parts: readonly RowPart[]): MonthRows {
  const out = { ...base };
  for (const part of parts) (out as Record<string, unknown>)[WINDOW_FIELD[part]] = from[WINDOW_FIELD[part]];
  return out;
}

/** The monthly rows of a dataset, or of a correction's window. */
export type WindowRows = Pick<Dataset, 'workload' | 'indicatorValues' | 'finance' | 'adjustments'>;

const windowDataset = (rows: MonthRows): WindowRows => ({
  workload: rows.workload,
  indicatorValues: rows.values,
  finance: rows.finance,
  adjustments: rows.adjustments,
});

/**
 * The corrected files read and checked as an import reads them — every issue of every file, in the
 * whole-file parse's order; workload.csv streamed (shared/dataset/stream.ts), so a province's ~150 MB of
 * workload is never held as rows — keeping only the rows of the window's months, in file order, of the
 * parts a correction takes (`parts`; the others come back empty: a quarter's correction keeps none of its
 * ~1 M workload rows).
 */
export async function readCorrectedWindow(
  source: { dir: string } | { files: Record<string, Uint8Array | string> },
  months: readonly string[],
  options: ParseOptions,
  parts: readonly RowPart[] = ['workload', 'adjustments', 'finance', 'values'],
): Promise<{ scheme: Scheme; rows: MonthRows }> {
  const read: { sources?: ReadonlyMap<string, FileSource>; issues: ImportIssue[] } =
    'dir' in source
      ? await readDatasetSources(source.dir)
      : await expandSources(new Map(Object.entries(source.files)));
  if (!read.sources) throw new DatasetInvalidError(read.issues);
  const inWindow = (row: { period: string }) => months.includes(row.period);
  const kept = <T extends { period: string }>(part: RowPart, rows: T[]) =>
    parts.includes(part) ? rows.filter(inWindow) : [];
  const workloadMonths = parts.includes('workload') ? months : [];
  let other: Omit<MonthRows, 'workload'> = { values: [], finance: [], adjustments: [] };
  // Each window month's workload rows with their file rows (a month handed over again replaces its rows).
  const workload = new Map<string, [row: number, value: WorkloadRow][]>();
  const sink: WorkloadSink = {
    open: true,
    // The other months' rows are checked, never grouped, copied from the worker or held (issue 12).
    onlyMonths: new Set(workloadMonths),
    begin: async (dataset) => {
      other = {
        values: kept('values', dataset.indicatorValues),
        finance: kept('finance', dataset.finance),
        adjustments: kept('adjustments', dataset.adjustments),
      };
      return true;
    },
    month: (period, groups) => {
      if (!workloadMonths.includes(period)) return;
      const rows: [number, WorkloadRow][] = [];
      for (const group of groups.values()) {
        const values = JSON.parse(`[${group.joined ?? group.texts.join(',')}]`) as WorkloadRow[];
        values.forEach((value, i) => {
          rows.push([group.rows[i]!, value]);
        });
      }
      workload.set(period, rows);
    },
    pause: async () => undefined,
  };
  const result = await parseDatasetStreamed(read.sources, sink, options);
  if (read.issues.length > 0 || !result.ok)
    throw new DatasetInvalidError([...read.issues, ...(result.ok ? [] : result.issues)]);
  const rows = [...workload.values()].flat().sort(([a], [b]) => a - b);
  return { scheme: result.dataset.scheme, rows: { workload: rows.map(([, row]) => row), ...other } };
}

/** A dataset's rows of the window's months, in its order. */
export function windowOfDataset(dataset: WindowRows, months: readonly string[]): MonthRows {
  const inWindow = (row: { period: string }) => months.includes(row.period);
  return {
    workload: dataset.workload.filter(inWindow),
    values: dataset.indicatorValues.filter(inWindow),
    finance: dataset.finance.filter(inWindow),
    adjustments: dataset.adjustments.filter(inWindow),
  };
}

/**
 * Writes `baseVersion` with the window's rows replaced as a new version, not made current: only the
 * window's months are written (DatasetRepository.writeWindowVersion); a base of a layout before list blobs
 * is loaded whole and written whole, as every correction was before.
 */
async function writeWindow(
  repos: Repositories,
  lease: ImportLease,
  version: { communityId: string; year: number; baseVersion: number },
  months: readonly string[],
  rows: MonthRows,
  institutionOf: (staffId: string) => string,
  by: string,
): Promise<DatasetPointer> {
  const { communityId, year, baseVersion } = version;
  const written = await repos.datasets.writeWindowVersion(
    communityId,
    year,
    baseVersion,
    months,
    rows,
    institutionOf,
    by,
  );
  if (written) return repos.datasets.completeVersion(written, baseVersion, { lease, makeCurrent: false });
  const whole = await repos.datasets.load(communityId, baseVersion);
  const outside = (row: { period: string }) => !months.includes(row.period);
  const data: Dataset = {
    ...whole,
    workload: [...whole.workload.filter(outside), ...rows.workload],
    indicatorValues: [...whole.indicatorValues.filter(outside), ...rows.values],
    finance: [...whole.finance.filter(outside), ...rows.finance],
    adjustments: [...whole.adjustments.filter(outside), ...rows.adjustments],
  };
  return repos.datasets.writeVersion(data, by, baseVersion, undefined, { lease, makeCurrent: false });
}

/** Lines of a revision as comparable component amounts (monthly pay lines, or pool shares). */
async function revisionLines(
  repos: Repositories,
  ref: Omit<CycleRef, 'datasetVersion'>,
): Promise<Map<string, ComponentAmounts[]>> {
  const pagesByInstitution = await repos.results.payLines<Record<string, unknown> & { staffId: string }>(ref);
  return new Map(
    pagesByInstitution.map(({ institutionId, lines }) => [
      institutionId,
      ref.kind === 'quarterly'
        ? lines.map((l) => ({ staffId: l.staffId, quarterlySurplus: l.amount }))
        : lines,
    ]),
  );
}

export async function startCorrection(
  repos: Repositories,
  recompute: RecomputePort,
  request: {
    communityId?: string;
    kind: CorrectionKind;
    period: string;
    /**
     * A dataset folder or files holding the corrected rows (`.xlsx` workbooks too; `uploaded`: read from
     * the upload store, so held to its 512 MB per file rather than an HTTP body's 50 MB), or (an accepted
     * appeal) a function giving the corrected rows from the rows the period ran on (the period's months';
     * rows of other months it gives are not taken).
     */
    source:
      | { dir: string }
      | { files: Record<string, Uint8Array | string>; uploaded?: boolean }
      | { patch: (base: WindowRows) => WindowRows };
    by: string;
    reason?: string;
    /**
     * What asked for it (an API job's id, an appeal's): a run of the same key that stopped part-way is
     * gone on with, and one that completed is answered as it was. Without one, nobody goes on with it.
     */
    key?: string;
  },
): Promise<CorrectionRecord> {
  const { kind, period, by } = request;
  const { year } = parsePeriod(kind, period);
  const source = request.source;
  const months = cycleMonths({ kind, period });
  const parsed =
    'patch' in source
      ? undefined
      : await readCorrectedWindow(
          source,
          months,
          'files' in source && source.uploaded ? { maxFileBytes: UPLOAD_MAX_FILE_BYTES } : {},
          PARTS[kind],
        );
  const communityId = request.communityId ?? parsed?.scheme.community.id;
  if (!communityId) throw new PrerequisiteError(bilingual('未指定医共体', 'no community named'));
  if (parsed && (parsed.scheme.community.id !== communityId || parsed.scheme.year !== year)) {
    throw new PrerequisiteError(
      bilingual(
        `更正数据是 ${parsed.scheme.community.id} ${parsed.scheme.year} 年的，不能更正 ${communityId} ${period}`,
        `the correction's data is for ${parsed.scheme.community.id} ${parsed.scheme.year}; it cannot correct ${communityId} ${period}`,
      ),
    );
  }
  return withImportLease(repos, communityId, year, by, async (lease) => {
    const cycle = await repos.cycles.get(communityId, kind, period);
    if (cycle?.status !== 'completed') throw notCompleted(kind, period, cycle?.status);
    const corrections = (await repos.corrections.list(communityId, year)).filter(
      (c) => c.kind === kind && c.period === period,
    );
    // Asked again after it completed (its job's runner stopped before it said so): the same correction.
    const done = request.key && corrections.find((c) => c.requestKey === request.key);
    if (done) return done;
    if ((await repos.cycles.yearLocks(communityId, year)).year) {
      throw noOpenMonth(period, year);
    }
    await inProgressFreezes(repos, communityId, year); // refuses while an annual or a correction is under way
    if ((await openMonthsAfter(repos, communityId, kind, period)).length === 0)
      throw noOpenMonth(period, year);

    // Runs that stopped part-way: this request's own goes on; any other is abandoned once this one
    // begins (the lease is ours, so no run of this year is alive) and keeps its revision, whose results
    // may be partly written.
    const runs = await repos.corrections.runs(communityId, kind, period);
    let run = runs.find((r) => r.status === 'preparing' && request.key && r.key === request.key);
    const base = run
      ? { revision: run.baseRevision, datasetVersion: run.baseDatasetVersion }
      : baseOf(cycle, corrections);
    const revision =
      run?.revision ??
      Math.max(cycle.revision, ...corrections.map((c) => c.revision), ...runs.map((r) => r.revision)) + 1;
    const parts = PARTS[kind];
    // Only the window's months of the base are read, and only they are written (issue 12).
    const [baseWindow, institutions, indicators] = await Promise.all([
      windowOf(repos, communityId, base.datasetVersion, months),
      repos.datasets.institutions(communityId, base.datasetVersion),
      repos.datasets.indicators(communityId, base.datasetVersion),
    ]);
    const from =
      'patch' in source
        ? windowOfDataset(source.patch(windowDataset(baseWindow.rows)), months)
        : parsed!.rows;
    const corrected = correctedWindow(baseWindow.rows, from, parts);
    const staffOf = await staffLookup(repos, communityId, base.datasetVersion, baseWindow.staff, corrected);
    const issues = unknownReferences(
      {
        staff: (id) => staffOf(id) !== undefined,
        institutions: new Set(institutions.map((i) => i.id)),
        indicators: new Set(indicators.map((i) => i.id)),
      },
      corrected,
    );
    if (issues.length > 0) throw new DatasetInvalidError(issues);
    if (windowRows(corrected, parts) === windowRows(baseWindow.rows, parts)) {
      throw new PrerequisiteError(
        bilingual(
          `更正数据中 ${period} 的${kind === 'monthly' ? '工作量和调整' : '财务和指标'}行与已锁定的相同，没有可更正的内容`,
          `the ${kind === 'monthly' ? 'workload and adjustment' : 'finance and indicator'} rows of ${period} are the same as locked; nothing to correct`,
        ),
      );
    }
    for (const other of runs)
      if (other !== run && other.status === 'preparing') await repos.corrections.abandonRun(other);
    run ??= await repos.corrections.beginRun({
      communityId,
      kind,
      period,
      revision,
      key: request.key ?? randomUUID(),
      baseRevision: base.revision,
      baseDatasetVersion: base.datasetVersion,
      startedBy: by,
      startedAt: new Date().toISOString(),
    });
    // The corrected rows as a version (once: a run going on reads the one it wrote).
    let datasetVersion = run.datasetVersion;
    if (datasetVersion === undefined) {
      const written = await writeWindow(
        repos,
        lease,
        { communityId, year, baseVersion: base.datasetVersion },
        months,
        corrected,
        (id) => staffOf(id)!,
        by,
      );
      datasetVersion = written.version;
      await repos.corrections.runVersion(run, datasetVersion);
    }
    const written = { version: datasetVersion };
    const ref: CycleRef = { communityId, kind, period, revision, datasetVersion: written.version };
    const institutionIds = institutions.map((i) => i.id).sort();
    await recompute(ref, institutionIds);

    const components = COMPONENTS[kind];
    const [before, after] = await Promise.all([
      revisionLines(repos, { communityId, kind, period, revision: base.revision }),
      revisionLines(repos, ref),
    ]);
    const totals = { old: 0, new: 0, difference: 0, people: 0, lines: 0 };
    for (const institutionId of institutionIds) {
      const old = before.get(institutionId) ?? [];
      const next = after.get(institutionId) ?? [];
      const lines = correctionDifferences(old, next, components);
      totals.old += componentTotal(old, components);
      totals.new += componentTotal(next, components);
      totals.difference += lines.reduce((acc, l) => acc + l.difference, 0);
      totals.people += new Set(lines.map((l) => l.staffId)).size;
      totals.lines += lines.length;
      if (lines.length > 0) await repos.corrections.putDifferences(ref, institutionId, lines);
    }
    const record: Omit<CorrectionRecord, 'version' | 'status'> = {
      communityId,
      kind,
      period,
      revision,
      baseRevision: base.revision,
      datasetVersion: written.version,
      startedBy: by,
      startedAt: run.startedAt,
      ...(request.reason ? { reason: request.reason } : {}),
      ...(request.key ? { requestKey: request.key } : {}),
      totals,
    };
    // The record, its audit entry and the run's end in one transaction: a stop before it leaves the run
    // to go on with; after it, the correction is there once, audited once.
    await repos.audit.append(
      communityId,
      {
        actor: by,
        action: 'correction.start',
        subject: `${kind} ${period} r${revision}`,
        details: {
          baseRevision: base.revision,
          datasetVersion: written.version,
          difference: totals.difference,
          people: totals.people,
          ...(request.reason ? { reason: request.reason } : {}),
        },
      },
      repos.corrections.completeRunActions(run, record),
    );
    return { ...record, status: 'awaiting_review', version: 1 };
  });
}

/** The correction of the period awaiting review (there is at most one). */
export async function pendingCorrection(
  repos: Repositories,
  communityId: string,
  kind: CorrectionKind,
  period: string,
): Promise<CorrectionRecord> {
  const pending = (await repos.corrections.list(communityId, Number(period.slice(0, 4)))).find(
    (c) => c.kind === kind && c.period === period && c.status === 'awaiting_review',
  );
  if (!pending) {
    throw new NotFoundError(
      bilingual(
        `${kindZh[kind]} ${period} 没有待审核的更正`,
        `no correction of ${kind} ${period} awaits review`,
      ),
    );
  }
  return pending;
}

/** The correction of the period awaiting review, which `by` may decide: not the user who started it (four eyes). */
export async function decidableCorrection(
  repos: Repositories,
  communityId: string,
  kind: CorrectionKind,
  period: string,
  by: string,
): Promise<CorrectionRecord> {
  const record = await pendingCorrection(repos, communityId, kind, period);
  if (by === record.startedBy) {
    throw new FourEyesError(
      bilingual(
        `审核人不能是更正发起人 ${record.startedBy}（双人复核）`,
        `the approver must not be ${record.startedBy}, who started the correction (four eyes)`,
      ),
    );
  }
  return record;
}

/**
 * What the API checks before it records a correction's job (issue 12), so the asker hears at once what
 * the recompute would refuse first: the period's cycle exists and is completed. Everything else (the
 * files, the lease, an open month after it) is the job's.
 */
export async function assertCorrectable(
  repos: Repositories,
  communityId: string,
  kind: CorrectionKind,
  period: string,
): Promise<void> {
  const cycle = await repos.cycles.get(communityId, kind, period);
  if (!cycle)
    throw new NotFoundError(
      bilingual(
        `${communityId} 没有 ${kindZh[kind]} ${period}，无可更正的内容`,
        `${communityId} has no ${kind} cycle ${period}; there is nothing to correct`,
      ),
    );
  if (cycle.status !== 'completed') throw notCompleted(kind, period, cycle.status);
}

const notCompleted = (kind: CorrectionKind, period: string, status: string | undefined) =>
  new PrerequisiteError(
    bilingual(
      `${kindZh[kind]} ${period} 尚未完成（${status ?? '未开始'}），未锁定的期间请直接导入更正后的数据`,
      `${kind} ${period} is not completed (${status ?? 'not started'}); correct a period that is not locked by importing again`,
    ),
  );

/**
 * Finance's decision on a correction (four eyes: not the user who started it). Approval posts the
 * differences into the first open month after the period; a month that starts meanwhile is passed over.
 */
export async function decideCorrection(
  repos: Repositories,
  request: {
    communityId?: string;
    kind: CorrectionKind;
    period: string;
    by: string;
    approve: boolean;
    reason?: string;
  },
): Promise<CorrectionRecord> {
  if (!request.approve) return rejectCorrection(repos, request);
  const communityId = await resolveCommunity(repos, request.communityId);
  const record = await decidableCorrection(repos, communityId, request.kind, request.period, request.by);
  const decision = {
    approved: true,
    by: request.by,
    at: new Date().toISOString(),
    ...(request.reason ? { reason: request.reason } : {}),
  };
  const subject = `${record.kind} ${record.period} r${record.revision}`;
  const year = Number(record.period.slice(0, 4));
  return withImportLease(repos, communityId, year, request.by, async (lease) => {
    const current = await repos.datasets.current(communityId, year);
    if (!current)
      throw new NotFoundError(bilingual(`${year} 年没有当前数据集`, `no current dataset for ${year}`));
    const months = cycleMonths(record);
    // The year's data from now on: today's current rows, with the corrected ones of the period — read
    // and written for the period's months only (issue 12).
    const [now, fixed] = await Promise.all([
      windowOf(repos, communityId, current.version, months),
      windowOf(repos, communityId, record.datasetVersion, months),
    ]);
    const rows = correctedWindow(now.rows, fixed.rows, PARTS[record.kind]);
    const staffOf = await staffLookup(repos, communityId, current.version, now.staff, rows);
    const next = await writeWindow(
      repos,
      lease,
      { communityId, year, baseVersion: current.version },
      months,
      rows,
      // A corrected row of someone today's data no longer has stays under the institution it was corrected in.
      (id) => staffOf(id) ?? fixed.staff.get(id)!,
      request.by,
    );
    const lockUpdate = await lockUpdateAction(repos, record);
    for (const { month, cycle } of await openMonthsAfter(repos, communityId, record.kind, record.period)) {
      try {
        // The approval and its audit entry in one transaction: a runner that stops after it has approved
        // it, audited (an approval's job run again finds it decided: shared/api/correction-jobs.ts).
        await repos.audit.append(
          communityId,
          {
            actor: request.by,
            action: 'correction.approve',
            subject,
            details: { postedTo: month, difference: record.totals.difference, datasetVersion: next.version },
          },
          [
            ...repos.corrections.approveActions(record, decision, month),
            monthStillOpen(communityId, month, cycle),
            repos.datasets.switchPointer(next, current.version),
            leaseHeld(lease),
            lockUpdate,
          ],
        );
      } catch (error) {
        // A condition of the approval failed (append reports it so; contention on the chain it retries).
        if (!isStoreError(error, 'conditional_failed')) throw error;
        const after = await repos.corrections.get(communityId, record.kind, record.period, record.revision);
        if (after?.status !== 'awaiting_review') {
          throw new ReviewStateError(
            bilingual(
              `更正 ${subject} 已由 ${after?.decision?.by ?? '?'} 审核`,
              `correction ${subject} was already decided by ${after?.decision?.by ?? '?'}`,
            ),
          );
        }
        continue; // that month started meanwhile: the next one
      }
      return { ...record, status: 'completed', decision, postedTo: month, version: record.version + 1 };
    }
    throw noOpenMonth(record.period, year);
  });
}

/**
 * Finance rejects a correction (four eyes, a reason): nothing is posted and nothing else changes — one
 * conditional write and its audit entry, so the API answers it at once (an approval is a job).
 */
export async function rejectCorrection(
  repos: Repositories,
  request: { communityId?: string; kind: CorrectionKind; period: string; by: string; reason?: string },
): Promise<CorrectionRecord> {
  const communityId = await resolveCommunity(repos, request.communityId);
  const record = await decidableCorrection(repos, communityId, request.kind, request.period, request.by);
  if (!request.reason?.trim()) {
    throw new ReviewStateError(bilingual('驳回必须填写原因', 'a rejection needs a reason'));
  }
  const decision = { approved: false, by: request.by, at: new Date().toISOString(), reason: request.reason };
  const rejected = await repos.corrections.reject(record, decision);
  await repos.audit.append(communityId, {
    actor: request.by,
    action: 'correction.reject',
    subject: `${record.kind} ${record.period} r${record.revision}`,
    details: { reason: request.reason },
  });
  return rejected;
}

/** The month's monthly cycle has not started (or failed and will restart, reading the postings then). */
function monthStillOpen(communityId: string, month: string, cycle: CycleRecord | undefined): TransactItem {
  const key = keys.cycle(communityId, 'monthly', month);
  return cycle
    ? {
        ConditionCheck: {
          Key: key,
          ConditionExpression: 'version = :v AND #status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':v': cycle.version, ':failed': 'failed' },
        },
      }
    : { ConditionCheck: { Key: key, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/**
 * The period's lock moves to the corrected rows (later imports are compared with them) and, for a month,
 * to the corrected reserve (a pool that had no points and now has is paid, so no longer reserved).
 */
async function lockUpdateAction(repos: Repositories, record: CorrectionRecord): Promise<TransactItem> {
  if (record.kind !== 'monthly') return repos.cycles.correctedLockUpdate(record);
  const results = await repos.results.institutions<Omit<MonthlyInstitutionResult, 'lines'>>(record);
  return repos.cycles.correctedLockUpdate(
    record,
    Object.fromEntries(
      results.map((r) => [r.institutionId, { holdback: r.holdback, undistributed: r.undistributed }]),
    ),
  );
}
