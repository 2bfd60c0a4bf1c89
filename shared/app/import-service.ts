/**
 * Importing a dataset (DOMAIN.md §2): validate every file, refuse changes to locked months (naming the
 * rows), then write a new version and switch to it — all or nothing.
 */
import {
  DatasetInvalidError,
  type ImportIssue,
  type ImportSummary,
  type ParseOptions,
} from '../dataset/index.js';
import type { FileSource } from '../dataset/parse.js';
import { expandSources, readDatasetSources } from '../dataset/read-dir.js';
import { parseDatasetStreamed, type StreamedParseResult, type WorkloadSink } from '../dataset/stream.js';
import { bilingual, LockedPeriodError } from '../errors.js';
import type { Dataset } from '../schemas/dataset.js';
import type { CycleStatus } from '../store/cycles.js';
import {
  type DatasetPointer,
  emptyMonth,
  type MonthBlob,
  type MonthRows,
  type OtherFileRows,
  type StagedItems,
  type VersionWriter,
  type WorkloadGroup,
  type WrittenVersion,
} from '../store/datasets.js';
import type { Repositories } from '../store/index.js';
import { type ImportLease, LEASE_HEARTBEAT_MS, leaseDeadBecause } from '../store/leases.js';
import { type AccountChange, versionAccountChanges } from './account-changes.js';
import { cycleFreeze, type Freeze, frozenChanges, lockFreezes } from './frozen-rows.js';
import { checkDatasetScheme, checkImportTarget, type ImportTarget, schemeFromStore } from './scheme-rule.js';

export interface ImportOutcome {
  pointer: DatasetPointer;
  summary: ImportSummary[];
  /** Bank accounts this version changes (masked): the next bank file for them needs HR's confirmation. */
  accountChanges: AccountChange[];
}

export type Source = { dir: string } | { files: Record<string, Uint8Array | string> };

export async function importDataset(
  repos: Repositories,
  source: Source,
  by: string,
  onProgress?: (done: number, total: number) => void,
  /** The community and year asked for; files without scheme.json take that year's scheme in force. */
  target: ImportTarget = {},
  /** Files as large as uploads through S3 may be (the province bench's ~150 MB workload). */
  parseOptions: ParseOptions = {},
): Promise<ImportOutcome> {
  const session = new StreamedImport(repos, by, target);
  try {
    const result = await readInto(repos, source, session, target, parseOptions);
    return await session.complete(result, onProgress);
  } catch (error) {
    await session.abort(isUserError(error));
    throw error;
  }
}

/**
 * Reads an import's files into `session`, workload.csv streamed (its months written, or staged, while it
 * is read): every issue of every file at once (DatasetInvalidError), in the whole-file parse's order.
 */
export async function readInto(
  repos: Repositories,
  source: Source,
  session: StreamedImport,
  target: ImportTarget,
  parseOptions: ParseOptions,
): Promise<StreamedOk> {
  const complete = schemeFromStore(repos, target); // issue 15: scheme.json is optional
  const read: { sources?: ReadonlyMap<string, FileSource>; issues: ImportIssue[] } =
    'dir' in source
      ? await readDatasetSources(source.dir, complete)
      : await expandSources(new Map(Object.entries(source.files)), complete);
  if (!read.sources) throw new DatasetInvalidError(read.issues);
  const result = await parseDatasetStreamed(read.sources, session, parseOptions);
  if (read.issues.length > 0 || !result.ok)
    throw new DatasetInvalidError([...read.issues, ...(result.ok ? [] : result.issues)]);
  return result;
}

type StreamedOk = Extract<StreamedParseResult, { ok: true }>;

/** A streamed import whose items are all written (or staged): what makes it current. */
export interface SealedImport extends WrittenVersion {
  /** The year's current version the import was checked against (undefined: none yet). */
  expectedVersion: number | undefined;
  /** `file:rows …` of the import's files, for its audit entry. */
  files: string;
}

/**
 * One import whose workload months are written while workload.csv is still being read (issues 12 and
 * 17; shared/dataset/stream.ts reads, shared/store/datasets.ts VersionWriter writes). Before the first
 * write it checks what the whole-file import checked before writing — the community and year asked for,
 * the scheme in force, the year's lease, locks and cycles in progress — and a refusal among these is
 * answered after the parse (issues in the files first, as before). Each month handed over is compared
 * with the months frozen by locks and running cycles; the blobs of one that differs are kept to name its
 * changed rows. A refused import leaves the table as it was (`abort`).
 */
export class StreamedImport implements WorkloadSink {
  private deferred: unknown;
  private lease: ImportLease | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private writer: VersionWriter | undefined;
  private importedAt = '';
  private expectedVersion: number | undefined;
  private dataset: Dataset | undefined;
  private freezes: Freeze[] = [];
  /** Lock hashes per `${datasetVersion}|${period}` of every frozen month. */
  private readonly lockHashes = new Map<string, Record<string, string>>();
  /** Frozen months: each institution's incoming hash, and the blobs of those that differ from a freeze. */
  private readonly frozenIncoming = new Map<string, Map<string, string>>();
  private readonly retained = new Map<string, Map<string, MonthBlob>>();
  private frozenChanged = false;

  constructor(
    private readonly repos: Repositories,
    private readonly by: string,
    private readonly target: ImportTarget,
    /** Where the version's items go instead of the table (the import workflow's chunks). */
    private readonly staged?: StagedItems,
  ) {}

  get open(): boolean {
    return this.writer !== undefined && !this.writer.failed;
  }

  async begin(dataset: Dataset, fileRows: OtherFileRows): Promise<boolean> {
    const { repos } = this;
    const communityId = dataset.scheme.community.id;
    const year = dataset.scheme.year;
    try {
      checkImportTarget(dataset, this.target);
      await checkDatasetScheme(repos, dataset); // issue 15: the scheme changes only by publication
      this.lease = await repos.leases.acquire(communityId, year, this.by, (dead, why) =>
        recordRecovery(repos, dead, 'system', why),
      );
      const lease = this.lease;
      this.heartbeat = setInterval(
        () => void repos.leases.renew(lease).catch(() => undefined),
        LEASE_HEARTBEAT_MS,
      );
      this.heartbeat.unref();
      this.expectedVersion = (await repos.datasets.current(communityId, year))?.version;
      this.freezes = await importFreezes(repos, communityId, year);
    } catch (error) {
      if (!isUserError(error)) throw error;
      this.deferred = error;
      await this.release();
      return false;
    }
    for (const freeze of this.freezes) {
      for (const period of freeze.months) {
        const key = `${freeze.datasetVersion}|${period}`;
        if (!this.lockHashes.has(key))
          this.lockHashes.set(
            key,
            await repos.datasets.monthHashes(communityId, freeze.datasetVersion, period),
          );
        this.frozenIncoming.set(period, new Map());
      }
    }
    const opened = await repos.datasets.openWriter(
      dataset,
      this.by,
      this.expectedVersion,
      fileRows,
      this.staged,
    );
    this.writer = opened.writer;
    this.importedAt = opened.importedAt;
    // The year's first import claims its version now; its requests go out before the rosters are encoded.
    if (this.writer.claimNow()) await new Promise((resolve) => setImmediate(resolve));
    this.writer.rosters(dataset);
    // The monthly rows are the writer's now (grouped by month); the version's parts need the rest.
    this.dataset = { ...dataset, indicatorValues: [], finance: [], adjustments: [] };
    return true;
  }

  month(period: string, workload: Map<string, WorkloadGroup>): void {
    const writer = this.writer!;
    const blobs = writer.month(period, workload);
    const incoming = this.frozenIncoming.get(period);
    if (incoming) {
      incoming.clear();
      for (const { institutionId, blob } of blobs) incoming.set(institutionId, blob.hash.slice(0, 16));
      const retained = new Map<string, MonthBlob>();
      for (const freeze of this.freezes) {
        if (!freeze.months.includes(period)) continue;
        const hashes = this.lockHashes.get(`${freeze.datasetVersion}|${period}`) ?? {};
        for (const blob of blobs) {
          if (hashes[blob.institutionId] !== incoming.get(blob.institutionId))
            retained.set(blob.institutionId, blob);
        }
        if (Object.keys(hashes).some((id) => !incoming.has(id)) || retained.size > 0)
          this.frozenChanged = true;
      }
      this.retained.set(period, retained);
    }
    // Written even when a frozen month's hash differs: a lock freezes only some of a month's rows (a month
    // lock its workload, not its indicator values), so the rows decide in `frozenIssues`, and an import
    // that changed only what it may needs every blob. A refused import removes what it wrote (`abort`).
    writer.put(blobs);
  }

  pause(): Promise<void> {
    return this.writer ? this.writer.pause() : new Promise((resolve) => setImmediate(resolve));
  }

  /** The parse found nothing wrong: the refusals deferred, the frozen rows, then every item written (or staged). */
  async seal(result: StreamedOk): Promise<SealedImport> {
    if (this.deferred !== undefined) throw this.deferred;
    const writer = this.writer;
    const dataset = this.dataset;
    if (!writer || !dataset || !this.lease || !result.streamed) throw new Error('the import was not started');
    for (const period of writer.otherMonths()) this.month(period, new Map());
    const issues = await this.frozenIssues();
    if (issues.length > 0) throw new DatasetInvalidError(issues);
    const { version, total } = await writer.finish(dataset);
    return {
      communityId: dataset.scheme.community.id,
      year: dataset.scheme.year,
      version,
      importedAt: this.importedAt,
      importedBy: this.by,
      total,
      expectedVersion: this.expectedVersion,
      files: result.summary.map((s) => `${s.file}:${s.rows}`).join(' '),
    };
  }

  /** The version made current: the pointer switch with its audit entry and the lease check, then the sweep. */
  async complete(
    result: StreamedOk,
    onProgress?: (done: number, total: number) => void,
  ): Promise<ImportOutcome> {
    const sealed = await this.seal(result);
    const lease = this.lease!;
    const { communityId, year, total } = sealed;
    const pointer = await this.repos.datasets.completeVersion(sealed, this.expectedVersion, {
      lease,
      // The import's entry is written with the pointer switch: no version becomes current unrecorded.
      audited: (v) => ({
        actor: this.by,
        action: 'dataset.import',
        subject: `dataset v${v}`,
        details: { files: sealed.files, year },
      }),
    });
    onProgress?.(total, total);
    await this.release();
    // Blobs a refused or interrupted import left (issue 17: blobs may be written before an import is
    // accepted) are removed now, recorded in the audit trail; a failure here leaves them to the next sweep.
    await this.repos.datasets.sweep(communityId, this.by).catch(() => undefined);
    const accountChanges = await versionAccountChanges(this.repos, communityId, pointer.version);
    return { pointer, summary: result.summary, accountChanges };
  }

  /**
   * The lease, kept past this process (the import workflow's next steps renew it and switch the pointer
   * under it): the heartbeat stops, and `abort` no longer releases it.
   */
  handOff(): ImportLease {
    const lease = this.lease!;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.lease = undefined;
    return lease;
  }

  /** Rows of frozen months the import changes, named as the whole-file import names them. */
  private async frozenIssues(): Promise<ImportIssue[]> {
    if (this.freezes.length === 0 || !this.frozenChanged) return [];
    const rowNumber = new Map<object, number>();
    const rowsOf = (blob: MonthBlob): MonthRows => {
      const rows = emptyMonth();
      for (const text of blob.blob.texts) {
        const page = JSON.parse(text) as MonthRows;
        rows.workload.push(...page.workload);
        rows.values.push(...page.values);
        rows.finance.push(...page.finance);
        rows.adjustments.push(...page.adjustments);
      }
      rows.workload.forEach((row, i) => {
        rowNumber.set(row, blob.workloadRows[i]!);
      });
      rows.values.forEach((row, i) => {
        rowNumber.set(row, blob.other!.rows.values[i]!);
      });
      rows.finance.forEach((row, i) => {
        rowNumber.set(row, blob.other!.rows.finance[i]!);
      });
      rows.adjustments.forEach((row, i) => {
        rowNumber.set(row, blob.other!.rows.adjustments[i]!);
      });
      return rows;
    };
    const communityId = this.dataset!.scheme.community.id;
    return frozenChanges(
      this.repos,
      communityId,
      (period) => {
        const hashes = this.frozenIncoming.get(period) ?? new Map<string, string>();
        const retained = this.retained.get(period);
        return new Map(
          [...hashes].map(([id, hash]) => {
            const blob = retained?.get(id);
            return [id, { hash, rows: () => (blob ? rowsOf(blob) : emptyMonth()) }];
          }),
        );
      },
      rowNumber,
      this.freezes,
    );
  }

  private async release(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const lease = this.lease;
    this.lease = undefined;
    if (lease) await this.repos.leases.release(lease).catch(() => undefined);
  }

  /**
   * A refused import: what it wrote is removed (`refused`), so the table is as it was. A failed one (a
   * write or read that died): its version is marked failed, never reused, and the next import sweeps it.
   */
  async abort(refused: boolean): Promise<void> {
    if (refused) await this.writer?.abort().catch(() => undefined);
    else await this.writer?.fail().catch(() => undefined);
    await this.release();
  }
}

/** Errors the user can fix (the files, a locked period, an import already running): a refusal, not a fault. */
export function isUserError(error: unknown): boolean {
  return (
    error instanceof Error &&
    [
      'DatasetInvalidError',
      'LockedPeriodError',
      'PrerequisiteError',
      'ImportRunningError',
      'HttpProblem',
    ].includes(error.name)
  );
}

/** The rows an import of `year` may not change (LockedPeriodError when it may change none: a locked year). */
export async function importFreezes(
  repos: Repositories,
  communityId: string,
  year: number,
): Promise<Freeze[]> {
  const locks = await repos.cycles.yearLocks(communityId, year);
  if (locks.year) {
    throw new LockedPeriodError(
      bilingual(
        `${year} 年度已完成年考核并锁定，不能再导入；更正请在 ${year + 1} 年数据集的 adjustments.csv 中计入（refPeriod 填原期间）`,
        `the year ${year} is locked by its annual appraisal; no import can change it — put corrections into ` +
          `adjustments.csv of the ${year + 1} dataset (refPeriod = the period corrected)`,
      ),
    );
  }
  return [
    ...lockFreezes(locks.months, locks.quarters),
    ...(await inProgressFreezes(repos, communityId, year)),
  ];
}

/**
 * Rows that cycles and corrections of the year still working on them hold: an annual cycle or a
 * correction in progress holds the whole year (refused at once, naming it).
 */
export async function inProgressFreezes(
  repos: Repositories,
  communityId: string,
  year: number,
): Promise<Freeze[]> {
  const [cycles, corrections] = await Promise.all([
    repos.cycles.listYear(communityId, year),
    repos.corrections.list(communityId, year),
  ]);
  const active = cycles.filter((c) => IN_PROGRESS.includes(c.status));
  const whole = [
    ...active
      .filter((c) => c.kind === 'annual')
      .map((c) => `annual ${c.period} r${c.revision} (${c.status})`),
    ...corrections
      .filter((c) => c.status === 'awaiting_review')
      .map((c) => `correction ${c.kind} ${c.period} r${c.revision} (awaiting review)`),
  ];
  if (whole.length > 0) {
    throw new LockedPeriodError(
      bilingual(
        `${year} 年有进行中的 ${whole.join('、')}，结束前不能导入该年度数据`,
        `${year} has ${whole.join(', ')} in progress; no import of that year until it ends`,
      ),
    );
  }
  return active.map(cycleFreeze).filter((f) => f !== undefined);
}

const IN_PROGRESS: readonly CycleStatus[] = ['running', 'awaiting_review'];

/**
 * Runs `work` holding the year's import lease, renewed by a heartbeat and released at the end whatever
 * happens. A lease left by an import that died is taken over (and audited) instead of blocking.
 */
export async function withImportLease<T>(
  repos: Repositories,
  communityId: string,
  year: number,
  by: string,
  work: (lease: ImportLease) => Promise<T>,
): Promise<T> {
  const lease = await repos.leases.acquire(communityId, year, by, (dead, why) =>
    recordRecovery(repos, dead, 'system', why),
  );
  const heartbeat = setInterval(
    () => void repos.leases.renew(lease).catch(() => undefined),
    LEASE_HEARTBEAT_MS,
  );
  heartbeat.unref();
  try {
    return await work(lease);
  } finally {
    clearInterval(heartbeat);
    await repos.leases.release(lease).catch(() => undefined);
  }
}

async function recordRecovery(repos: Repositories, dead: ImportLease, actor: string, why: string) {
  const abandoned = await repos.datasets.abandonWritingVersions(dead.communityId, dead.year);
  await repos.audit.append(dead.communityId, {
    actor,
    action: 'import.recover',
    subject: `import ${dead.year} by ${dead.by} at ${dead.startedAt}`,
    details: { why, abandonedVersions: abandoned.join(' ') },
  });
}

/**
 * `medcomm import --recover`: clears the year's import lease whatever its state (the operator knows the
 * import is gone), marks the version it was writing failed, and records who did it.
 */
export async function recoverImport(
  repos: Repositories,
  communityId: string,
  year: number,
  by: string,
): Promise<{ cleared: ImportLease | undefined }> {
  const cleared = await repos.leases.clear(communityId, year);
  if (cleared) await recordRecovery(repos, cleared, by, leaseDeadBecause(cleared) ?? 'cleared by hand');
  return { cleared };
}
