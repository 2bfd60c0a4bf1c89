/**
 * The CLI as an office and HR type it (issues 15 and 16): a folder without scheme.json imports once the
 * year has a scheme (and is refused, naming it, for a year without one); `export bank` without --format
 * writes HR's CSV until `settings bank-format` chooses a bank's format, which it then writes (--format
 * still overrides); `export all` writes that format too (--format overrides); `settings payer-account`
 * sets the accounts a per-payer format groups by.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { encodeGbk } from '../../shared/export/bank-gbk.js';
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

    // HR's CSV (an independent writer: TAB before the account, a 合计 row) as account → yuan.
    const hrPays = new Map(
      plain
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r?\n/)
        .slice(1, -1)
        .map((row) => row.split(','))
        .map(([, , account, amount]) => [account!.trim(), amount!] as const),
    );
    expect(hrPays.size).toBeGreaterThan(3);
    /** account → yuan of every data file of a format in `dir` (GBK), checking nobody is paid twice. */
    const paysIn = async (dir: string, files: string[], separator: string, header: boolean) => {
      const pays = new Map<string, string>();
      for (const file of files) {
        const text = new TextDecoder('gb18030', { fatal: true }).decode(await readFile(join(dir, file)));
        for (const row of text
          .trimEnd()
          .split('\r\n')
          .slice(header ? 1 : 0)) {
          const [account, , amount] = row.split(separator);
          expect(pays.has(account!)).toBe(false);
          pays.set(account!, amount!);
        }
      }
      return pays;
    };

    // export all takes the community's format (代发-按单位-txt) besides HR's copies; --format overrides it.
    const all = join(work, 'all');
    await medcomm('export', 'all', '--year', '2026', '--out', all, '--as', 'hr1');
    const monthDir = join(all, 'monthly/2026-01/bank');
    const written = (await readdir(monthDir)).sort();
    expect(written).toEqual(
      expect.arrayContaining(['bank-transfer.csv', 'bank-transfer.xlsx', 'bank-2026-01-汇总.csv']),
    );
    const txts = written.filter((f) => /^bank-2026-01-.+\.txt$/.test(f));
    expect(txts.length).toBeGreaterThan(1);
    expect(await paysIn(monthDir, txts, '|', false)).toEqual(hrPays);

    const other = join(work, 'all-批量代发');
    await medcomm('export', 'all', '--year', '2026', '--out', other, '--as', 'hr1', '--format', '批量代发');
    const otherDir = join(other, 'monthly/2026-01/bank');
    const otherFiles = await readdir(otherDir);
    expect(otherFiles.filter((f) => f.endsWith('.txt'))).toEqual([]);
    expect(await paysIn(otherDir, ['bank-2026-01.csv'], ',', true)).toEqual(hrPays);
    const copies = join(work, 'all-csv');
    await medcomm('export', 'all', '--year', '2026', '--out', copies, '--as', 'hr1', '--format', 'csv');
    expect(
      (await readdir(join(copies, 'monthly/2026-01/bank'))).filter((f) => f.startsWith('bank-2026')),
    ).toEqual([]);

    // One file per payer account: refused naming the institutions without one, then written once each has one.
    const byPayer = join(work, 'payer');
    const exportByPayer = () =>
      medcomm(
        'export',
        'bank',
        'monthly',
        '2026-01',
        '--as',
        'hr1',
        '--format',
        '代发-按付款账户',
        '--out',
        byPayer,
      );
    await expect(exportByPayer()).rejects.toMatchObject({
      stderr: expect.stringMatching(/C01 .*have no payer account/s),
    });
    // A corporate account of a card's length is refused by the Luhn check unless declared not a card.
    const corporate = '11014850000123456';
    const setPayer = (id: string, ...extra: string[]) =>
      medcomm(
        'settings',
        'payer-account',
        id,
        '--account',
        corporate,
        '--name',
        '某县医共体',
        '--bank',
        '农行某县支行',
        '--as',
        'finance1',
        ...extra,
      );
    await expect(setPayer('C01')).rejects.toMatchObject({ stderr: expect.stringContaining('Luhn') });
    await setPayer('C01', '--non-card');
    // The others from one CSV as Excel on Chinese Windows saves it (GBK, Chinese headers).
    const payersCsv = join(work, '付款账户.csv');
    await writeFile(
      payersCsv,
      encodeGbk(
        [
          '机构编号,付款账号,户名,开户行,账号校验',
          ...['C02', 'P01', 'T01'].map((id) => `${id},${corporate},某县医共体,农行某县支行,nonCard`),
        ].join('\r\n'),
      ),
    );
    await medcomm('settings', 'payer-account', '--file', payersCsv, '--as', 'hr1');
    const shown = (await medcomm('settings', 'show')).stdout;
    expect(shown).toContain(`************${corporate.slice(-4)}`);
    expect(shown).not.toContain(corporate);
    await exportByPayer();
    const payerFiles = (await readdir(byPayer)).sort();
    expect(payerFiles).toEqual([`bank-2026-01-付款${corporate.slice(-4)}.csv`, 'bank-2026-01-汇总.csv']);
    expect(await paysIn(byPayer, [payerFiles[0]!], ',', true)).toEqual(hrPays);
  });
});
