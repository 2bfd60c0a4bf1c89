import { cp, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, readDatasetDir } from '../../../shared/dataset/index.js';
import { expectIssues, TINY_DIR } from './helpers.js';

describe('reading a dataset folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medcomm-dataset-'));
    await cp(TINY_DIR, dir, { recursive: true });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ignores subfolders and files that are not data', async () => {
    await mkdir(join(dir, 'expected'));
    await writeFile(join(dir, 'expected', 'staff.csv'), 'not,a,dataset');
    await writeFile(join(dir, 'README.txt'), '说明');
    const result = await readDatasetDir(dir);
    expect(result.ok).toBe(true);
  });

  it('refuses a file over 50 MB without reading it', async () => {
    await truncate(join(dir, 'finance.csv'), MAX_FILE_BYTES + 1); // sparse: nothing but NUL bytes
    expectIssues(await readDatasetDir(dir), [{ file: 'finance.csv', rule: 'file.tooLarge' }]);
  });

  it('names a misspelt data file without reading it', async () => {
    await writeFile(join(dir, 'staf.csv'), 'whatever');
    const [issue] = expectIssues(await readDatasetDir(dir), [{ file: 'staf.csv', rule: 'file.unknown' }]);
    expect(issue!.en).toContain('did you mean staff.csv?');
  });

  it('reports a folder that does not exist', async () => {
    const missing = join(dir, 'nope');
    expectIssues(await readDatasetDir(missing), [{ file: missing, rule: 'dir.missing' }]);
  });
});
