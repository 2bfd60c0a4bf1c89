/**
 * `medcomm publish` and `medcomm appeal` as a user types them: the tiny dataset's first quarter run, an
 * appeal refused before publication, filed during it, accepted with a corrected workload file (opening a
 * correction), approved by finance, and April's explanation of a person shows the posted difference.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dynamoEndpoint } from '../integration/dynamodb/helpers.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const dataset = join(root, 'test/fixtures/tiny/dataset');

describe('medcomm appeal', () => {
  it('files, lists, accepts and pays an appeal through the command line', { timeout: 300_000 }, async () => {
    const work = await mkdtemp(join(tmpdir(), 'medcomm-appeal-cli-'));
    onTestFinished(() => rm(work, { recursive: true, force: true }));
    const store = ['--endpoint', dynamoEndpoint(), '--table', `appeal-cli-${Date.now()}`];
    const medcomm = (...args: string[]) =>
      run(process.execPath, [join(root, 'bin/medcomm.mjs'), ...store, ...args], {
        cwd: root,
        maxBuffer: 16 * 1024 * 1024,
      });
    const refused = (...args: string[]) =>
      medcomm(...args).then(
        () => {
          throw new Error(`medcomm ${args.join(' ')} succeeded`);
        },
        (error: { stderr: string }) => error.stderr,
      );

    await medcomm('import', dataset, '--as', 'office1');
    for (const month of ['2026-01', '2026-02', '2026-03'])
      await medcomm('run', 'monthly', month, '--as', 'office1');
    await medcomm('run', 'quarterly', '2026-Q1', '--as', 'office1');
    await medcomm('approve', '2026-Q1', '--as', 'finance1');

    const file = ['appeal', 'file', '2026-02', '--institution', 'C01', '--staff', 'C01-001'];
    const reason = ['--reason', '2 月手术工分漏记', '--attachment', '手术记录.pdf', '排班表.xlsx'];
    expect(await refused(...file, ...reason, '--as', 'member1')).toMatch(
      /尚未公示[\s\S]*has not been published/,
    );

    await medcomm('publish', '2026-Q1', '--to', '2099-01-01T00:00:00Z', '--as', 'office1');
    expect((await medcomm(...file, ...reason, '--as', 'member1')).stdout).toContain('申诉 appeal 2026-0001');
    expect((await medcomm('appeal', 'list')).stdout).toMatch(/2026-0001 +2026-02 +C01 +C01-001 +open/);

    const workload = (await readFile(join(dataset, 'workload.csv'), 'utf8')).split(/\r?\n/);
    const cells = workload.find((l) => l.startsWith('2026-02,C01-001,'))!.split(',');
    cells[2] = String(Number(cells[2]) + 120);
    const rows = join(work, 'workload.csv');
    await writeFile(rows, `${workload[0]}\n${cells.join(',')}\n`);
    expect(
      await refused('appeal', 'accept', '2026-0001', '--rows', rows, '--reason', '属实', '--as', 'member1'),
    ).toMatch(/four eyes/);
    const accepted = (
      await medcomm('appeal', 'accept', '2026-0001', '--rows', rows, '--reason', '属实', '--as', 'office1')
    ).stdout;
    expect(accepted).toContain('accepted');
    expect(accepted).toContain('更正 correction monthly 2026-02 r2');

    await medcomm('approve', '2026-02', '--correction', '--as', 'finance1');
    await medcomm('run', 'monthly', '2026-04', '--as', 'office1');
    const april = JSON.parse((await medcomm('explain', '2026-04', 'C01-001', '--json')).stdout) as {
      adjustments: { amount: number; reason: string; refPeriod: string }[];
      reconciles: boolean;
    };
    expect(april.reconciles).toBe(true);
    expect(april.adjustments).toContainEqual(
      expect.objectContaining({ reason: '更正 2026-02 r2', refPeriod: '2026-02' }),
    );
    expect((await medcomm('appeal', 'list')).stdout).toMatch(/2026-0001 .*accepted.*monthly 2026-02 r2/);
  });
});
