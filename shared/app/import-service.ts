/**
 * Importing a dataset (DOMAIN.md §2): validate every file, refuse changes to locked months (naming the
 * rows), then write a new version and switch to it — all or nothing.
 */
import {
  DatasetInvalidError,
  type ImportSummary,
  type ParseOptions,
  parseDatasetFilesAsync,
  readDatasetDir,
} from '../dataset/index.js';
import { bilingual, LockedPeriodError } from '../errors.js';
import type { CycleStatus } from '../store/cycles.js';
import type { DatasetPointer } from '../store/datasets.js';
import type { Repositories } from '../store/index.js';
import { type ImportLease, LEASE_HEARTBEAT_MS, leaseDeadBecause } from '../store/leases.js';
import { type AccountChange, versionAccountChanges } from './account-changes.js';
import { cycleFreeze, type Freeze, frozenRowChanges, lockFreezes } from './frozen-rows.js';
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
  const { parsed, dataset } = await parseImport(repos, source, target, parseOptions);
  const communityId = dataset.scheme.community.id;
  const year = dataset.scheme.year;
  return withImportLease(repos, communityId, year, by, async (lease) => {
    const current = await repos.datasets.current(communityId, year);
    await checkImportable(repos, dataset, parsed.rowNumbers);
    const pointer = await repos.datasets.writeVersion(dataset, by, current?.version, onProgress, {
      lease,
      // The import's entry is written with the pointer switch: no version becomes current unrecorded.
      audited: (version) => ({
        actor: by,
        action: 'dataset.import',
        subject: `dataset v${version}`,
        details: { files: parsed.summary.map((s) => `${s.file}:${s.rows}`).join(' '), year },
      }),
    });
    // Blobs a refused or interrupted import left (issue 17: blobs may be written before an import is
    // accepted) are removed now, recorded in the audit trail; a failure here leaves them to the next sweep.
    await repos.datasets.sweep(communityId, by).catch(() => undefined);
    const accountChanges = await versionAccountChanges(repos, communityId, pointer.version);
    return { pointer, summary: parsed.summary, accountChanges };
  });
}

type Parsed = Extract<Awaited<ReturnType<typeof parseDatasetFilesAsync>>, { ok: true }>;

/**
 * Reads and validates an import's files (every issue of every file at once, DatasetInvalidError) and
 * checks what needs no lease: the community and year asked for, and the scheme in force (issue 15).
 */
export async function parseImport(
  repos: Repositories,
  source: Source,
  target: ImportTarget = {},
  /** The workflow's uploads from S3 may be larger than the 50 MB an HTTP body or a folder may hold. */
  options: ParseOptions = {},
): Promise<{ parsed: Parsed; dataset: Parsed['dataset'] }> {
  const complete = schemeFromStore(repos, target); // issue 15: scheme.json is optional
  const parsed =
    'dir' in source
      ? await readDatasetDir(source.dir, complete)
      : await parseDatasetFilesAsync(source.files, complete, options);
  if (!parsed.ok) throw new DatasetInvalidError(parsed.issues);
  const { dataset } = parsed;
  checkImportTarget(dataset, target);
  await checkDatasetScheme(repos, dataset); // issue 15: the scheme changes only by publication
  return { parsed, dataset };
}

/**
 * What an import checks holding its year's lease: the year is not locked, and no locked or in-progress
 * period's rows change (LockedPeriodError, or DatasetInvalidError naming the rows).
 */
export async function checkImportable(
  repos: Repositories,
  dataset: Parsed['dataset'],
  rowNumbers: Parsed['rowNumbers'],
): Promise<void> {
  const communityId = dataset.scheme.community.id;
  const year = dataset.scheme.year;
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
  const freezes = [
    ...lockFreezes(locks.months, locks.quarters),
    ...(await inProgressFreezes(repos, communityId, year)),
  ];
  const issues = await frozenRowChanges(repos, communityId, dataset, rowNumbers, freezes);
  if (issues.length > 0) throw new DatasetInvalidError(issues);
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
