/**
 * `medcomm simulate` and `medcomm scheme` as a user types them: the tiny year imported, a draft with
 * another holdback simulated over the first half year (files written, winners and losers printed), a
 * year not imported simulated from its folder, and the scheme lifecycle with its four-eyes refusal.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoEndpoint } from '../integration/dynamodb/helpers.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const DATASET = join(root, 'test/fixtures/tiny/dataset');
let work: string;
let table: string;

function medcomm(...args: string[]) {
  return run(
    process.execPath,
    [join(root, 'bin/medcomm.mjs'), '--endpoint', dynamoEndpoint(), '--table', table, ...args],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
  );
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'medcomm-simulate-cli-'));
  table = `simulate-cli-${Date.now().toString(36)}`;
  const scheme = await readFile(join(DATASET, 'scheme.json'), 'utf8');
  await writeFile(join(work, 'draft.json'), scheme.replace('"holdbackRate": 0.2', '"holdbackRate": 0.3'));
  await medcomm('import', DATASET, '--as', 'office1');
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('medcomm simulate', () => {
  it('simulates the first half year with a draft and writes the files', { timeout: 120_000 }, async () => {
    const out = join(work, 'half');
    const { stdout } = await medcomm(
      'simulate',
      '--year',
      '2026',
      '--scheme',
      join(work, 'draft.json'),
      '--months',
      '1-6',
      '--out',
      out,
      '--as',
      'office1',
    );
    expect(stdout).toContain('2026-01 2026-02 2026-03 2026-04 2026-05 2026-06 2026-Q1 2026-Q2');
    const diff = JSON.parse(await readFile(join(out, 'diff.json'), 'utf8'));
    // A higher holdback takes from everyone's monthly reward and gives nothing back within the half year.
    expect(diff.counts.winners).toBe(0);
    expect(diff.counts.losers).toBeGreaterThan(0);
    expect(stdout).toContain(`减少 losers ${diff.counts.losers}`);
    expect((await readdir(join(out, 'simulated/monthly'))).sort()).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
    ]);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('模拟测算报告');
  });

  it('simulates a year from a dataset folder with --data', { timeout: 120_000 }, async () => {
    const out = join(work, 'folder');
    const { stdout } = await medcomm(
      'simulate',
      '--year',
      '2026',
      '--data',
      DATASET,
      '--scheme',
      join(work, 'draft.json'),
      '--out',
      out,
    );
    expect(stdout).toContain('2026-Q4 2026');
    const diff = JSON.parse(await readFile(join(out, 'diff.json'), 'utf8'));
    expect(diff.datasetVersion).toBeNull();
    expect(diff.periods.every((p: { actual: string }) => p.actual === 'computed')).toBe(true);
  });
});

describe('medcomm scheme', () => {
  it('drafts, diffs, submits, refuses the drafter as approver, approves and publishes', {
    timeout: 120_000,
  }, async () => {
    expect(
      (
        await medcomm(
          'scheme',
          'draft',
          '--year',
          '2026',
          '--scheme',
          join(work, 'draft.json'),
          '--as',
          'office1',
        )
      ).stdout,
    ).toContain('v1: draft');
    expect((await medcomm('scheme', 'diff', 'current', '1', '--year', '2026')).stdout).toContain(
      'pay.holdbackRate: 0.2 → 0.3',
    );
    await medcomm('scheme', 'submit', '1', '--year', '2026', '--as', 'office1');
    const refused = await medcomm('scheme', 'approve', '1', '--year', '2026', '--as', 'office1').catch(
      (e: { stderr: string; code: number }) => e,
    );
    expect((refused as { code: number }).code).toBe(1);
    expect((refused as { stderr: string }).stderr).toContain('FourEyesError');
    await medcomm('scheme', 'approve', '1', '--year', '2026', '--as', 'committee1');
    const published = await medcomm('scheme', 'publish', '1', '--year', '2026', '--as', 'committee1');
    expect(published.stdout).toContain('v1: published');
    expect(published.stdout).toContain('dataset v2');
    const list = await medcomm('scheme', 'list', '--year', '2026');
    expect(list.stdout).toContain('In force: v1');
  });
});
