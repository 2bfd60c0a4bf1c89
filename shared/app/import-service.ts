/**
 * Importing a dataset (DOMAIN.md §2): validate every file, refuse changes to locked months (naming the
 * rows), then write a new version and switch to it — all or nothing.
 */
import { DatasetInvalidError, type ImportIssue, type ImportSummary, parseDatasetFiles, readDatasetDir } from '../dataset/index.js';
import { LockedPeriodError, bilingual } from '../errors.js';
import type { Dataset } from '../schemas/dataset.js';
import { type DatasetPointer, type MonthRows, emptyMonth, monthHash, monthRowsByInstitution } from '../store/datasets.js';
import type { Repositories } from '../store/index.js';

export interface ImportOutcome {
  pointer: DatasetPointer;
  summary: ImportSummary[];
}

type Source = { dir: string } | { files: Record<string, Uint8Array | string> };

export async function importDataset(
  repos: Repositories,
  source: Source,
  by: string,
  onProgress?: (done: number, total: number) => void,
): Promise<ImportOutcome> {
  const parsed = 'dir' in source ? await readDatasetDir(source.dir) : parseDatasetFiles(source.files);
  if (!parsed.ok) throw new DatasetInvalidError(parsed.issues);
  const { dataset } = parsed;
  const communityId = dataset.scheme.community.id;
  const current = await repos.datasets.current(communityId);
  const locks = await repos.cycles.locks(communityId);
  if (locks.some((l) => l.period === String(dataset.scheme.year))) {
    throw new LockedPeriodError(
      bilingual(
        `${dataset.scheme.year} 年度已完成年考核并锁定，不能再导入；更正请计入下一年度的调整`,
        `the year ${dataset.scheme.year} is locked by its annual appraisal; no import can change it`,
      ),
    );
  }
  const issues = await lockedMonthChanges(repos, communityId, dataset, locks);
  if (issues.length > 0) throw new DatasetInvalidError(issues);
  const pointer = await repos.datasets.writeVersion(dataset, by, current?.version, onProgress);
  await repos.audit.append(communityId, {
    actor: by,
    action: 'dataset.import',
    subject: `dataset v${pointer.version}`,
    details: { files: parsed.summary.map((s) => `${s.file}:${s.rows}`).join(' '), year: dataset.scheme.year },
  });
  return { pointer, summary: parsed.summary };
}

const FILES = {
  workload: 'workload.csv',
  values: 'indicator-values.csv',
  finance: 'finance.csv',
  adjustments: 'adjustments.csv',
} as const satisfies Record<keyof MonthRows, string>;

/**
 * Rows of locked months that differ from what was locked. Each changed or added row is named by its
 * file and row number; each removed row by its content.
 */
async function lockedMonthChanges(
  repos: Repositories,
  communityId: string,
  dataset: Dataset,
  locks: Awaited<ReturnType<Repositories['cycles']['locks']>>,
): Promise<ImportIssue[]> {
  const monthLocks = locks.filter((l) => /^\d{4}-\d{2}$/.test(l.period) && l.hashes);
  if (monthLocks.length === 0) return [];
  const incoming = monthRowsByInstitution(dataset);
  const rowNumber = rowNumbers(dataset);
  const issues: ImportIssue[] = [];
  for (const lock of monthLocks) {
    const now = incoming.get(lock.period) ?? new Map<string, MonthRows>();
    const institutions = new Set([...Object.keys(lock.hashes), ...now.keys()]);
    const changed = [...institutions].filter((id) => (lock.hashes[id] ?? '') !== (now.has(id) ? monthHash(now.get(id)!) : ''));
    if (changed.length === 0) continue;
    const before = await repos.datasets.month(communityId, lock.datasetVersion, lock.period);
    for (const institutionId of changed) {
      const old = before.get(institutionId)?.rows ?? emptyMonth();
      const fresh = now.get(institutionId) ?? emptyMonth();
      for (const part of Object.keys(FILES) as (keyof MonthRows)[]) {
        const oldSet = new Set(old[part].map((r) => JSON.stringify(r)));
        const freshSet = new Set(fresh[part].map((r) => JSON.stringify(r)));
        for (const row of fresh[part]) {
          if (oldSet.has(JSON.stringify(row))) continue;
          issues.push(lockedIssue(FILES[part], lock.period, rowNumber.get(row), JSON.stringify(row), 'changed'));
        }
        for (const row of old[part]) {
          if (!freshSet.has(JSON.stringify(row))) issues.push(lockedIssue(FILES[part], lock.period, undefined, JSON.stringify(row), 'removed'));
        }
      }
    }
  }
  return issues;
}

function lockedIssue(file: string, period: string, row: number | undefined, value: string, how: 'changed' | 'removed'): ImportIssue {
  const zh =
    how === 'changed'
      ? `${period} 已锁定（月调度已完成），该行与锁定时的数据不同；更正请作为调整（adjustments.csv）计入未锁定月份`
      : `${period} 已锁定，锁定时存在的这一行在新数据中缺失；更正请作为调整计入未锁定月份`;
  const en =
    how === 'changed'
      ? `${period} is locked (its monthly cycle ran); this row differs from the locked data — put corrections into adjustments.csv of an open month`
      : `${period} is locked; this row existed when it was locked and is missing now — put corrections into adjustments of an open month`;
  return { file, ...(row ? { row } : {}), column: 'period', value, rule: 'period.locked', zh, en };
}

/** Row number of each monthly row object in its file (header = row 1), in file order. */
function rowNumbers(dataset: Dataset): Map<object, number> {
  const numbers = new Map<object, number>();
  for (const rows of [dataset.workload, dataset.indicatorValues, dataset.finance, dataset.adjustments]) {
    rows.forEach((row, index) => numbers.set(row, index + 2));
  }
  return numbers;
}
