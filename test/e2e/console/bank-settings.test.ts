/**
 * The bank-file settings page (issue 16) in a real browser: Debian's Chromium driven by playwright-core
 * against `medcomm serve`'s server on DynamoDB Local, serving the console built into this test's folder.
 *
 * The tiny dataset with January completed. HR sees the presets and that none is chosen, chooses
 * 代发-按单位-txt (the page then says who chose it), downloads January in that format — a zip of one GBK
 * .txt per institution and the summary, which pays exactly the sheet's amounts to the roster's accounts.
 * Finance sees the choice but may not change it, and sets a payer account (shown masked); HR then
 * downloads in 代发-按付款账户 and is told, in both languages, which institutions have none; finance sets
 * the others from a GBK CSV, and HR's download is then one file per payer account that pays the sheet.
 *
 * Chromium missing: skipped with a message on a workstation, a failure in CI (CI=true).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import JSZip from 'jszip';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../shared/app/import-service.js';
import { runCycleToEnd } from '../../../shared/app/year-runner.js';
import { luhnCheckDigit } from '../../../shared/dataset/accounts.js';
import { encodeGbk } from '../../../shared/export/bank-gbk.js';
import { exportSheet } from '../../../shared/reports/index.js';
import { tinyAs } from '../../reliability/helpers.js';
import { browserTestRuns, ConsoleHarness, fen } from './harness.js';

const C = 'county7';
const PERIOD = '2026-01';
const h = new ConsoleHarness({ name: 'bank-settings', acceptDownloads: true });

async function settingsPage(user: string, role: string): Promise<Page> {
  const page = await h.signedIn(user, role);
  await page.goto(`${h.server.url}/#/bank-settings`);
  await page.getByTestId('bank-formats').waitFor();
  return page;
}

/** What January's sheet pays each account, in fen (from the API's own sheet, not the bank writer). */
async function sheetPaysByAccount(): Promise<Map<string, number>> {
  const json = await exportSheet(h.runtime.repos, {
    communityId: C,
    kind: 'monthly',
    period: PERIOD,
    by: 'test',
    format: 'json',
  });
  const staff = parseCsv(tinyAs(C)['staff.csv']!, { columns: true }) as Record<string, string>[];
  const accountOf = new Map(staff.map((s) => [s.staffId!, s.bankAccount!]));
  const pays = new Map<string, number>();
  for (const line of JSON.parse(String(json.content)) as { staffId: string; gross: string; net?: string }[]) {
    const account = accountOf.get(line.staffId)!;
    pays.set(account, (pays.get(account) ?? 0) + fen(line.net ?? line.gross));
  }
  return pays;
}

describe.skipIf(!browserTestRuns('bank-settings'))('the bank-file settings page (issue 16)', () => {
  beforeAll(async () => {
    await h.workFolder();
    await h.start(async (runtime) => {
      await importDataset(runtime.repos, { files: tinyAs(C) }, 'office1');
      await runCycleToEnd(runtime.repos, runtime.workflows, {
        communityId: C,
        kind: 'monthly',
        period: PERIOD,
        by: 'office1',
        approver: 'finance1',
      });
    });
  }, 300_000);

  afterAll(() => h.stop());

  it('HR chooses a format and downloads January in it: a zip of GBK files that pay the sheet', async () => {
    const hr = await settingsPage('hr1', 'hr');
    await expect.poll(() => hr.getByTestId('current-format').textContent()).toContain('未设置');
    await hr.getByRole('button', { name: '选用 代发-按单位-txt' }).click();
    await hr.getByText('银行文件格式已设为“代发-按单位-txt”').waitFor();
    await expect.poll(() => hr.getByTestId('current-format').textContent()).toMatch(/代发-按单位-txt.*hr1/);
    await h.shot(hr, 'hr-bank-settings');

    // A fresh page opens with the community's format selected for the download.
    await hr.reload();
    await hr.getByTestId('bank-formats').waitFor();
    await expect.poll(() => hr.getByLabel('格式', { exact: true }).inputValue()).toBe('代发-按单位-txt');
    const [download] = await Promise.all([
      hr.waitForEvent('download'),
      hr.getByRole('button', { name: '下载', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`bank-${PERIOD}.zip`);
    const saved = join(h.work, 'bank.zip');
    await download.saveAs(saved);
    const zip = await JSZip.loadAsync(await readFile(saved));
    const names = Object.keys(zip.files);
    expect(names).toContain(`bank-${PERIOD}-汇总.csv`);
    const read = new Map<string, number>();
    for (const name of names.filter((n) => n.endsWith('.txt'))) {
      const text = new TextDecoder('gb18030', { fatal: true }).decode(
        await zip.file(name)!.async('uint8array'),
      );
      for (const row of text.trimEnd().split('\r\n')) {
        const [account, , amount] = row.split('|');
        expect(read.has(account!)).toBe(false);
        read.set(account!, fen(amount!));
      }
    }
    expect(names.filter((n) => n.endsWith('.txt')).length).toBeGreaterThan(1);
    expect(read).toEqual(await sheetPaysByAccount());
    expect(h.pageErrors).toEqual([]);
  });

  it('finance sees the choice, may not change it, and sets a payer account shown masked', async () => {
    const finance = await settingsPage('finance1', 'finance');
    await expect.poll(() => finance.getByTestId('current-format').textContent()).toContain('代发-按单位-txt');
    expect(await finance.getByRole('button', { name: /^选用/ }).count()).toBe(0);
    expect(await finance.getByRole('button', { name: '下载', exact: true }).count()).toBe(0);
    const account = '622848040256489' + luhnCheckDigit('622848040256489');
    await finance.getByLabel('机构编号').fill('C01');
    await finance.getByLabel('付款账号').fill(account);
    await finance.getByLabel('户名').fill('县人民医院');
    await finance.getByLabel('开户行').fill('农行某县支行');
    await finance.getByRole('button', { name: '保存付款账户' }).click();
    await finance.getByText(`C01 的付款账户已保存：************${account.slice(-4)}`).waitFor();
    const table = await finance.getByTestId('payer-accounts').textContent();
    expect(table).toContain(`************${account.slice(-4)}`);
    expect(table).not.toContain(account);
    expect(table).toContain('finance1');
    // The format's choice is still HR's: a payer account does not change who chose the format.
    await finance.reload();
    await expect
      .poll(() => finance.getByTestId('current-format').textContent())
      .toMatch(/代发-按单位-txt.*hr1/);
    expect(h.pageErrors).toEqual([]);
  });

  it('HR downloading by payer account is told which institutions have none', async () => {
    const hr = await settingsPage('hr1', 'hr');
    await hr.getByLabel('格式', { exact: true }).selectOption('代发-按付款账户');
    await hr.getByRole('button', { name: '下载', exact: true }).click();
    const alert = hr.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('没有设置付款账户');
    const text = (await alert.textContent()) ?? '';
    expect(text).toContain('have no payer account');
    expect(text).toMatch(/C02/);
    expect(text).not.toMatch(/C01 /);
    expect(h.pageErrors).toEqual([]);
  });

  it('finance sets the others from a GBK CSV; HR then gets one file per payer account, paying the sheet', async () => {
    const finance = await settingsPage('finance1', 'finance');
    const shared = '11014850000123456'; // a corporate account of a card's length: declared nonCard
    const csv = [
      '机构编号,付款账号,户名,开户行,账号校验',
      ...['C02', 'P01', 'T01'].map((id) => `${id},${shared},某县医共体,农行某县支行,nonCard`),
    ];
    await finance.getByLabel('从 CSV 文件设置多个单位').setInputFiles({
      name: '付款账户.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(encodeGbk(`${csv.join('\r\n')}\r\n`)),
    });
    await finance.getByText('已设置 3 个单位的付款账户').waitFor();
    await expect.poll(() => finance.getByTestId('payer-accounts').locator('tbody tr').count()).toBe(4);

    const hr = await settingsPage('hr1', 'hr');
    await hr.getByLabel('格式', { exact: true }).selectOption('代发-按付款账户');
    const [download] = await Promise.all([
      hr.waitForEvent('download'),
      hr.getByRole('button', { name: '下载', exact: true }).click(),
    ]);
    const saved = join(h.work, 'by-payer.zip');
    await download.saveAs(saved);
    const zip = await JSZip.loadAsync(await readFile(saved));
    const names = Object.keys(zip.files).sort();
    expect(names).toHaveLength(3); // C01's own account, the shared one, the summary
    expect(names).toContain(`bank-${PERIOD}-付款${shared.slice(-4)}.csv`);
    const read = new Map<string, number>();
    for (const name of names.filter((n) => !n.endsWith('汇总.csv'))) {
      const text = new TextDecoder('gb18030', { fatal: true }).decode(
        await zip.file(name)!.async('uint8array'),
      );
      for (const row of text.trimEnd().split('\r\n').slice(1)) {
        const [account, , amount] = row.split(',');
        expect(read.has(account!)).toBe(false);
        read.set(account!, fen(amount!));
      }
    }
    expect(read).toEqual(await sheetPaysByAccount());
    const summary = new TextDecoder('gb18030').decode(
      await zip.file(`bank-${PERIOD}-汇总.csv`)!.async('uint8array'),
    );
    expect(summary).toContain(`************${shared.slice(-4)},某县医共体,农行某县支行,C02 P01 T01`);
    expect(h.pageErrors).toEqual([]);
  });
});
