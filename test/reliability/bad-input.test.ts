/**
 * The bad-input corpus (test/fixtures/bad/cases.ts) against the importer: every broken dataset is refused
 * with exactly the issues a user needs — file, row, column, rule, and a sentence in Chinese and English —
 * and dangerous-looking names are data that pass unchanged. Pure: no database (the stored side of the
 * same corpus is test/reliability/import-atomic.test.ts).
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DATASET_FILES,
  DatasetInvalidError,
  formatIssue,
  type ImportIssue,
  MAX_FILE_BYTES,
  parseDatasetFiles,
  readDatasetDir,
} from '../../shared/dataset/index.js';
import { BAD_CASES, HOSTILE_NAMES, withHostileNames } from '../fixtures/bad/cases.js';
import { oversizedDatasetDir, TINY_DIR, tinyFiles } from './helpers.js';

const CJK = /[\u4e00-\u9fff]/;

function issuesOf(files: Record<string, string | Uint8Array>): ImportIssue[] {
  const result = parseDatasetFiles(files);
  if (result.ok) throw new Error('expected the import to be refused, but it passed');
  return result.issues;
}

/** What every issue owes the user: where, what, why — in both languages, on one line. */
function expectClear(issue: ImportIssue): void {
  expect(DATASET_FILES.includes(issue.file) || /\.(csv|json)$/.test(issue.file)).toBe(true);
  expect(issue.zh).toMatch(CJK);
  expect(issue.en).toMatch(/[A-Za-z]{3,} [A-Za-z]{2,}/);
  const line = formatIssue(issue);
  expect(line).not.toContain('\n');
  expect(line).toContain(issue.file);
  expect(line).toContain(`[${issue.rule}]`);
  if (issue.row !== undefined) expect(line).toContain(`row ${issue.row}`);
  if (issue.column !== undefined) expect(line).toContain(`column ${issue.column}`);
}

describe('the bad-input corpus', () => {
  it('has at least 40 broken datasets, each with a unique name', () => {
    expect(BAD_CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(BAD_CASES.map((c) => c.name)).size).toBe(BAD_CASES.length);
  });

  it.each(BAD_CASES.map((c) => [c.name, c] as const))(
    'refuses %s, naming file, row and column',
    (_name, badCase) => {
      const issues = issuesOf(badCase.patch(tinyFiles()));
      expect(issues.map(({ file, row, column, rule }) => ({ file, row, column, rule }))).toEqual(
        badCase.expect.map(({ file, row, column, rule }) => ({ file, row, column, rule })),
      );
      for (const issue of issues) expectClear(issue);
    },
  );

  it('quotes the bad value for value rules, so the user can find it', () => {
    const issues = BAD_CASES.flatMap((c) => issuesOf(c.patch(tinyFiles())));
    const valueRules = issues.filter(
      (i) =>
        /^(amount|decimal|enum|period|id)\./.test(i.rule) &&
        i.column !== undefined &&
        i.file !== 'scheme.json',
    );
    expect(valueRules.length).toBeGreaterThan(20);
    for (const issue of valueRules) expect(issue.value, formatIssue(issue)).toBeTruthy();
  });

  it('throws one DatasetInvalidError carrying every issue, its message listing them in both languages', () => {
    const issues = issuesOf(
      BAD_CASES.find((c) => c.name === 'an amount with 3 decimals')!.patch(tinyFiles()),
    );
    const error = new DatasetInvalidError(issues);
    expect(error.name).toBe('DatasetInvalidError');
    expect(error.message).toContain('staff.csv 第 2 行 列 basicMonthly 值 "2000.255"');
    expect(error.message).toContain(
      'staff.csv, row 2, column basicMonthly, value "2000.255": an amount may have at most 2 decimals',
    );
  });
});

describe('a file over 50 MB', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await oversizedDatasetDir(MAX_FILE_BYTES);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is refused from a folder by its size, naming the file and the limit', async () => {
    expect((await stat(join(dir, 'workload.csv'))).size).toBeGreaterThan(MAX_FILE_BYTES);
    const result = await readDatasetDir(dir);
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues.map(({ file, row, column, rule }) => ({ file, row, column, rule }))).toEqual([
      { file: 'workload.csv', row: undefined, column: undefined, rule: 'file.tooLarge' },
    ]);
    expect(issues[0]!.en).toContain('50 MB');
    expect(issues[0]!.zh).toContain('50 MB');
    expectClear(issues[0]!);
  });

  it('is refused from an upload (bytes in memory) the same way', async () => {
    const files: Record<string, string | Uint8Array> = {
      ...tinyFiles(),
      'workload.csv': await readFile(join(dir, 'workload.csv')),
    };
    expect(issuesOf(files).map((i) => `${i.file}:${i.rule}`)).toEqual(['workload.csv:file.tooLarge']);
  });
});

describe('names that look dangerous', () => {
  it('are valid data: HTML and spreadsheet formulas import unchanged', () => {
    const result = parseDatasetFiles(withHostileNames(tinyFiles()));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const names = result.dataset.staff.slice(0, 5).map((s) => s.name);
    expect(names).toEqual(Object.values(HOSTILE_NAMES));
    expect(result.dataset.staff.slice(0, 5).map((s) => s.department)).toEqual(Object.values(HOSTILE_NAMES));
  });
});

describe('file names a client can send', () => {
  it.each([['sub/staff.csv'], ['Staff.csv'], ['scheme (1).json'], ['staff.csv.csv']])(
    'refuses %s as not a dataset file',
    (name) => {
      const issues = issuesOf({ ...tinyFiles(), [name]: 'x' });
      expect(issues.map((i) => `${i.file}:${i.rule}`)).toEqual([`${name}:file.unknown`]);
      expectClear(issues[0]!);
    },
  );

  it('ignores files that are not .csv or .json (a README, an .xlsx original) and hidden ones (.DS_Store, ../x)', () => {
    const extra = {
      'README.txt': 'notes',
      'staff.xlsx': new Uint8Array([0x50, 0x4b]),
      '.DS_Store': 'x',
      '../scheme.json': '{',
    };
    expect(parseDatasetFiles({ ...tinyFiles(), ...extra }).ok).toBe(true);
  });

  it('reads the tiny folder itself without an issue (the corpus patches a valid base)', async () => {
    expect((await readDatasetDir(TINY_DIR)).ok).toBe(true);
  });
});
