/**
 * Importing a dataset (DOMAIN.md §2): validate every file, refuse changes to locked months (naming the
 * rows), then write a new version and switch to it — all or nothing.
 */
import {
  DatasetInvalidError,
  type ImportIssue,
  type ImportSummary,
  type MonthlyRowNumbers,
  parseDatasetFiles,
  readDatasetDir,
} from '../dataset/index.js';
import { bilingual, LockedPeriodError } from '../errors.js';
import type { Dataset } from '../schemas/dataset.js';
import {
  type DatasetPointer,
  emptyMonth,
  type MonthRows,
  monthHash,
  monthRowsByInstitution,
} from '../store/datasets.js';
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
  const issues = await lockedMonthChanges(repos, communityId, dataset, parsed.rowNumbers, locks);
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

/** What identifies a row within its file (the columns the cross-file checks keep unique). */
const ROW_KEY: Record<keyof MonthRows, (row: Record<string, unknown>) => string> = {
  workload: (r) => `${r.period} ${r.staffId}`,
  values: (r) => `${r.period} ${r.institutionId} ${r.indicatorId}`,
  finance: (r) => `${r.period} ${r.institutionId} ${r.category}`,
  adjustments: (r) => `${r.period} ${r.staffId} ${r.refPeriod} ${r.amount} ${r.reason}`,
};

type Row = Record<string, unknown>;

/**
 * Rows of locked months that differ from what was locked: a changed field is named by file, row and
 * column with the locked value; an added row by its row; a removed row by its key.
 */
async function lockedMonthChanges(
  repos: Repositories,
  communityId: string,
  dataset: Dataset,
  fileRows: MonthlyRowNumbers,
  locks: Awaited<ReturnType<Repositories['cycles']['locks']>>,
): Promise<ImportIssue[]> {
  const monthLocks = locks.filter((l) => /^\d{4}-\d{2}$/.test(l.period) && l.hashes);
  if (monthLocks.length === 0) return [];
  const incoming = monthRowsByInstitution(dataset);
  const rowNumber = rowNumbers(dataset, fileRows);
  const issues: ImportIssue[] = [];
  for (const lock of monthLocks) {
    const now = incoming.get(lock.period) ?? new Map<string, MonthRows>();
    const institutions = new Set([...Object.keys(lock.hashes), ...now.keys()]);
    const changed = [...institutions].filter(
      (id) => (lock.hashes[id] ?? '') !== (now.has(id) ? monthHash(now.get(id)!) : ''),
    );
    if (changed.length === 0) continue;
    const before = await repos.datasets.month(communityId, lock.datasetVersion, lock.period);
    for (const institutionId of changed) {
      const old = before.get(institutionId)?.rows ?? emptyMonth();
      const fresh = now.get(institutionId) ?? emptyMonth();
      for (const part of Object.keys(FILES) as (keyof MonthRows)[]) {
        const key = ROW_KEY[part];
        const oldByKey = new Map((old[part] as Row[]).map((r) => [key(r), r]));
        const freshKeys = new Set((fresh[part] as Row[]).map(key));
        for (const row of fresh[part] as Row[]) {
          const locked = oldByKey.get(key(row));
          const at = { file: FILES[part], period: lock.period, row: rowNumber.get(row) };
          if (!locked) {
            issues.push(lockedIssue({ ...at, column: 'period', value: key(row), how: 'added' }));
            continue;
          }
          for (const column of new Set([...Object.keys(row), ...Object.keys(locked)])) {
            if (String(row[column] ?? '') === String(locked[column] ?? '')) continue;
            issues.push(
              lockedIssue({
                ...at,
                column,
                value: String(row[column] ?? ''),
                was: String(locked[column] ?? ''),
                how: 'changed',
              }),
            );
          }
        }
        for (const row of old[part] as Row[]) {
          if (!freshKeys.has(key(row)))
            issues.push(
              lockedIssue({
                file: FILES[part],
                period: lock.period,
                row: undefined,
                column: 'period',
                value: key(row),
                how: 'removed',
              }),
            );
        }
      }
    }
  }
  return issues;
}

function lockedIssue(p: {
  file: string;
  period: string;
  row: number | undefined;
  column: string;
  value: string;
  was?: string;
  how: 'changed' | 'added' | 'removed';
}): ImportIssue {
  const fix = {
    zh: '更正请作为调整（adjustments.csv）计入未锁定的月份',
    en: 'put corrections into adjustments.csv of an open month',
  };
  const text = {
    changed: {
      zh: `${p.period} 已锁定（月调度已完成），锁定时为 "${p.was}"，不能改为 "${p.value}"；${fix.zh}`,
      en: `${p.period} is locked (its monthly cycle ran): it was "${p.was}" when locked and cannot become "${p.value}"; ${fix.en}`,
    },
    added: {
      zh: `${p.period} 已锁定，不能新增该行（${p.value}）；${fix.zh}`,
      en: `${p.period} is locked; this row (${p.value}) cannot be added; ${fix.en}`,
    },
    removed: {
      zh: `${p.period} 已锁定，锁定时存在的行（${p.value}）不能删除；${fix.zh}`,
      en: `${p.period} is locked; the row ${p.value} that existed when it was locked cannot be removed; ${fix.en}`,
    },
  }[p.how];
  return {
    file: p.file,
    ...(p.row ? { row: p.row } : {}),
    column: p.column,
    value: p.value,
    rule: 'period.locked',
    ...text,
  };
}

/** File row of each monthly row object (header = row 1). */
function rowNumbers(dataset: Dataset, fileRows: MonthlyRowNumbers): Map<object, number> {
  const numbers = new Map<object, number>();
  for (const key of Object.keys(fileRows) as (keyof MonthlyRowNumbers)[]) {
    for (const [index, row] of dataset[key].entries()) numbers.set(row, fileRows[key][index]!);
  }
  return numbers;
}
