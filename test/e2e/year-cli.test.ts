/**
 * The acceptance command of the cycles issue, exactly as a user types it: `medcomm year` over the tiny
 * golden dataset runs every cycle through the synthesized state machines and writes results identical
 * to test/fixtures/tiny/expected.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dynamoEndpoint } from '../integration/dynamodb/helpers.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const expectedDir = join(root, 'test/fixtures/tiny/expected');

async function walk(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) out.push(...(await walk(path, base)));
    else out.push(relative(base, path));
  }
  return out;
}

describe('medcomm year over the tiny dataset', () => {
  it('writes results identical to the golden expected files', { timeout: 240_000 }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'medcomm-year-'));
    onTestFinished(() => rm(out, { recursive: true, force: true }));
    const { stdout } = await run(
      process.execPath,
      [
        join(root, 'bin/medcomm.mjs'),
        '--endpoint',
        dynamoEndpoint(),
        '--table',
        `year-cli-${Date.now()}`,
        'year',
        '--data',
        join(root, 'test/fixtures/tiny/dataset'),
        '--out',
        out,
        '--as',
        'office1',
        '--approve-as',
        'finance1',
      ],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout).toContain('66.88');
    const expected = await walk(expectedDir);
    expect(expected).toHaveLength(22);
    for (const file of expected) {
      const want = JSON.parse(await readFile(join(expectedDir, file), 'utf8'));
      const got = JSON.parse(await readFile(join(out, file), 'utf8'));
      expect(got, file).toEqual(want);
    }
    // Pay sheets for HR come alongside the contract files.
    const csv = await readFile(join(out, 'monthly/2026-06/paysheet.csv'), 'utf8');
    expect(csv.startsWith('\uFEFF期间')).toBe(true);
    expect(csv).toContain('合计');
  });
});
