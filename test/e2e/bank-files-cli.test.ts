/**
 * The CLI as an office and HR type it (issues 15 and 16): a folder without scheme.json imports once the
 * year has a scheme (and is refused, naming it, for a year without one); `export bank` without --format
 * writes HR's CSV until `settings bank-format` chooses a bank's format, which it then writes (--format
 * still overrides).
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dynamoEndpoint } from '../integration/dynamodb/helpers.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');

describe('medcomm import without scheme.json, and the community’s bank format', () => {
  it('imports, runs a month and exports the bank file in the format the community chose', {
    timeout: 300_000,
  }, async () => {
    const work = await mkdtemp(join(tmpdir(), 'medcomm-bank-cli-'));
    onTestFinished(() => rm(work, { recursive: true, force: true }));
    const store = ['--endpoint', dynamoEndpoint(), '--table', `bank-cli-${Date.now()}`];
    const medcomm = (...args: string[]) =>
      run(process.execPath, [join(root, 'bin/medcomm.mjs'), ...store, ...args], {
        cwd: root,
        maxBuffer: 16 * 1024 * 1024,
      });
    const withScheme = join(work, 'with');
    const without = join(work, 'without');
    await cp(join(root, 'test/fixtures/tiny/dataset'), withScheme, { recursive: true });
    await cp(withScheme, without, { recursive: true });
    await rm(join(without, 'scheme.json'));

    await expect(medcomm('import', without, '--as', 'office1')).rejects.toMatchObject({
      stderr: expect.stringContaining('a first import carries scheme.json'),
    });
    expect((await medcomm('import', withScheme, '--as', 'office1')).stdout).toContain('county7 2026');
    expect((await medcomm('import', without, '--as', 'office1')).stdout).toContain(
      'county7 2026, 数据版本 dataset v2',
    );
    await expect(medcomm('import', without, '--year', '2027', '--as', 'office1')).rejects.toMatchObject({
      stderr: expect.stringContaining('county7 has no scheme in force for 2027'),
    });

    await medcomm('run', 'monthly', '2026-01', '--as', 'office1');
    const plain = (await medcomm('export', 'bank', 'monthly', '2026-01', '--as', 'hr1')).stdout;
    expect(plain).toContain('工号,姓名,银行账号,金额'); // HR's CSV: no setting yet

    await medcomm('settings', 'bank-format', '代发-按单位-txt', '--as', 'hr1');
    expect((await medcomm('settings', 'show')).stdout).toContain('bank format: 代发-按单位-txt');
    const dir = join(work, 'bank');
    await medcomm('export', 'bank', 'monthly', '2026-01', '--as', 'hr1', '--out', dir);
    const files = (await readdir(dir)).sort();
    expect(files).toContain('bank-2026-01-汇总.csv');
    expect(files.filter((f) => f.endsWith('.txt')).length).toBeGreaterThan(1); // one per institution
    const txt = new TextDecoder('gb18030').decode(
      await readFile(join(dir, files.find((f) => f.endsWith('.txt'))!)),
    );
    expect(txt.split('\r\n')[0]).toMatch(/^\d{16,19}\|/); // no header, account first, `|` between

    const override = (await medcomm('export', 'bank', 'monthly', '2026-01', '--as', 'hr1', '--format', 'csv'))
      .stdout;
    expect(override).toBe(plain);
    await expect(medcomm('settings', 'bank-format', '某银行', '--as', 'hr1')).rejects.toMatchObject({
      stderr: expect.stringContaining('no bank-file format named "某银行"'),
    });
  });
});
