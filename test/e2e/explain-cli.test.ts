/**
 * `medcomm explain` as a user types it, after `medcomm year` over the tiny golden dataset: a person's
 * month, quarter and year and an institution's quarter, each reconciled to what was paid.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dynamoEndpoint } from '../integration/dynamodb/helpers.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
/** "5323.10" → 532310, from the text (no float). */
const fen = (yuan: string) => {
  const [whole, cents = ''] = yuan.split('.');
  return Number(whole) * 100 + Number(cents.padEnd(2, '0'));
};
const expected = async (file: string) =>
  JSON.parse(await readFile(join(root, 'test/fixtures/tiny/expected', file), 'utf8'));

describe('medcomm explain', () => {
  it('explains a person and an institution to the fen, after a whole year', {
    timeout: 300_000,
  }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'medcomm-explain-'));
    onTestFinished(() => rm(out, { recursive: true, force: true }));
    const store = ['--endpoint', dynamoEndpoint(), '--table', `explain-cli-${Date.now()}`];
    const medcomm = (...args: string[]) =>
      run(process.execPath, [join(root, 'bin/medcomm.mjs'), ...store, ...args], {
        cwd: root,
        maxBuffer: 16 * 1024 * 1024,
      });
    await medcomm(
      'year',
      '--data',
      join(root, 'test/fixtures/tiny/dataset'),
      '--out',
      out,
      '--as',
      'office1',
      '--approve-as',
      'finance1',
    );

    const june = (await expected('monthly/2026-06/paysheet.json')) as { staffId: string; gross: string }[];
    const month = (await medcomm('explain', '2026-06', 'C01-001')).stdout;
    expect(month).toContain(`应发合计 gross = ¥2,000.25 + ¥1,496.77 + -¥120.50 = ¥3,376.52`);
    expect(june.find((l) => l.staffId === 'C01-001')!.gross).toBe('3376.52');
    expect(month).toContain('3月多发夜班费扣回');
    expect(month).toContain('与发放结果一致 matches what was paid');

    const annual = JSON.parse((await medcomm('explain', '2026', 'C01-001', '--json')).stdout) as {
      gross: number;
      reconciles: boolean;
      leaderSalary: { salary: number } | null;
    };
    const bonus = (await expected('annual/2026/paysheet.json')) as { staffId: string; annualBonus: string }[];
    expect(annual.reconciles).toBe(true);
    expect(annual.gross).toBe(fen(bonus.find((l) => l.staffId === 'C01-001')!.annualBonus));
    expect(annual.leaderSalary?.salary).toBeGreaterThan(0);

    const institution = (await medcomm('explain', '2026-Q1', 'C02')).stdout;
    expect(institution).toContain('结余奖励池 reward pool Q');
    expect(institution).toContain('全部与发放结果一致');

    await expect(medcomm('explain', '2026-06', 'C09-999')).rejects.toMatchObject({
      stderr: expect.stringContaining('no staff member C09-999'),
    });
  });
});
