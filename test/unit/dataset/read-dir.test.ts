import { cp, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SHARED_FILE_BYTES } from '../../../shared/dataset/decode.js';
import { MAX_FILE_BYTES, readDatasetDir } from '../../../shared/dataset/index.js';
import { readDatasetSources } from '../../../shared/dataset/read-dir.js';
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

  it('reads a large workload.csv into memory a worker thread shares, byte for byte', async () => {
    const path = join(dir, 'workload.csv');
    const { readFile } = await import('node:fs/promises');
    const small = await readFile(path);
    const [header, ...rows] = small.toString('utf8').split('\n');
    let text = `${header}\n`;
    while (text.length < SHARED_FILE_BYTES) text += `${rows.join('\n')}\n`;
    await writeFile(path, text);
    const read = await readDatasetSources(dir);
    if (!('sources' in read)) throw new Error('read');
    const bytes = read.sources.get('workload.csv') as Uint8Array;
    expect(bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(bytes).equals(await readFile(path))).toBe(true);
    expect((read.sources.get('staff.csv') as Uint8Array).buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });

  it('reports a folder that does not exist', async () => {
    const missing = join(dir, 'nope');
    expectIssues(await readDatasetDir(missing), [{ file: missing, rule: 'dir.missing' }]);
  });
});
