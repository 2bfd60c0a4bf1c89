/**
 * The web console in a real browser: Debian's Chromium driven by playwright-core against `medcomm
 * serve`'s server (in-process, over the run's DynamoDB Local and the local state machines), serving the
 * console built into this test's own folder. Office imports a broken dataset (every issue shown) and then a clean one, runs
 * January–March and Q1 from the cycle board and reads the March dispatch report; finance1 rejects Q1
 * with a reason; office runs it again; four eyes is shown to a starter who also holds the finance role;
 * finance2 approves; a late second decision shows the API's refusal; office reads the Q1 bulletin; HR
 * downloads the Q1 sheet as XLSX whose totals match the API.
 *
 * Chromium missing: skipped with a message on a workstation, a failure in CI (CI=true).
 * Screenshots go to docs/screenshots with UPDATE_SCREENSHOTS=1, to a temporary folder otherwise.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCycle } from '../../../shared/app/cycle-service.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { generateCounty, writeDataset } from '../../../shared/demo/index.js';
import { initials } from '../../../shared/reports/sheet-page.js';
import { readXlsx } from '../../unit/export/xlsx-reader.js';
import { browserTestRuns, ConsoleHarness, FIXTURE } from './harness.js';

/** What every window.confirm asked. */
const dialogs: string[] = [];
const h = new ConsoleHarness({
  name: 'console',
  viewport: { width: 1280, height: 800 },
  acceptDownloads: true,
  // Confirmations (finance's approval states the amount it releases) are read, then accepted.
  onDialog: (dialog) => {
    dialogs.push(dialog.message());
    void dialog.accept();
  },
});

/** "14220.4" / "-3.07" / 14220.4 → integer fen, from the decimal text (no float arithmetic). */
function fen(value: string): number {
  // The console shows amounts as ¥1,234.56 (callers drop the commas).
  const m = /^(-?)¥?(\d+)(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!m) throw new Error(`not an amount: ${value}`);
  const n = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -n : n;
}

/** A fresh browser context (own storage and downloads) signed in through the sign-in page. */
async function signedIn(user: string, role: string, options: { screenshot?: string } = {}): Promise<Page> {
  const { screenshot } = options;
  return h.signedIn(user, role, screenshot ? (page) => h.shot(page, screenshot) : undefined);
}

/** What a locator shows (its text content; Playwright waits for it). */
const text = async (locator: Locator): Promise<string> => (await locator.textContent()) ?? '';

async function open(page: Page, route: string, heading: string): Promise<void> {
  await page.goto(`${h.server.url}/#/${route}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

async function api<T>(path: string, user: string, role: string): Promise<T> {
  const token = h.server.tokens.issue(user, role as 'hr').token;
  const response = await h.jobResult(
    await fetch(`${h.server.url}${path}`, { headers: { authorization: `Bearer ${token}` } }),
    token,
  );
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

describe.skipIf(!browserTestRuns('console'))('web console in Chromium', () => {
  let office: Page;

  beforeAll(async () => {
    const work = await h.workFolder();

    // Two datasets: one amount with three decimals (rejected), and a valid one in which T01 did not
    // report telemedicine for March (imported; the dispatch report flags it).
    const broken = join(work, 'broken/dataset');
    await cp(FIXTURE, broken, { recursive: true });
    const finance = await readFile(join(broken, 'finance.csv'), 'utf8');
    await writeFile(
      join(broken, 'finance.csv'),
      finance.replace('2026-01,C01,consultation,15870.25', '2026-01,C01,consultation,15870.255'),
    );
    const clean = join(work, 'clean/dataset');
    await cp(FIXTURE, clean, { recursive: true });
    const values = await readFile(join(clean, 'indicator-values.csv'), 'utf8');
    await writeFile(
      join(clean, 'indicator-values.csv'),
      values.replace(/^2026-03,T01,telemedicine,.*\r?\n/m, ''),
    );

    await h.start();
  }, 120_000);

  afterAll(() => h.stop());

  it('office sees every issue of a broken dataset, then imports a clean one', async () => {
    office = await signedIn('office1', 'office', { screenshot: 'sign-in' });
    await open(office, 'upload', '数据导入');
    await office.getByLabel('数据集文件夹').setInputFiles(join(h.work, 'broken/dataset'));
    await office.getByRole('cell', { name: 'scheme.json' }).waitFor();
    await office.getByRole('button', { name: '导入数据集' }).click();

    const alert = office.getByRole('alert');
    await alert.getByRole('heading', { name: '数据集有 1 个问题，未导入' }).waitFor();
    const cells = await alert.locator('tbody tr').first().locator('td').allTextContents();
    expect(cells.slice(0, 4)).toEqual(['finance.csv', '2', 'amount', '15870.255']);
    expect(cells[4]).toContain('2 位小数');
    expect(cells[5]).toContain('at most 2 decimals');
    await h.shot(office, 'office-upload-errors');

    await office.getByLabel('数据集文件夹').setInputFiles(join(h.work, 'clean/dataset'));
    await office.getByRole('button', { name: '导入数据集' }).click();
    await office.getByText('导入成功：county7 2026 年，第 1 版（office1）').waitFor();
    expect(await office.getByRole('alert').count()).toBe(0);
  });

  it('office runs January to March, then Q1 once its months are done, from the cycle board', async () => {
    await open(office, 'cycles', '周期看板');
    const button = (name: string) => office.getByRole('button', { name, exact: true });
    expect(await button('开始 2026-01').isEnabled()).toBe(true);
    // A month needs only its own data; a quarter its three months; the year everything.
    expect(await button('开始 2026-02').isEnabled()).toBe(true);
    expect(await button('开始 2026').isDisabled()).toBe(true);
    expect(await button('开始 2026-Q1').isDisabled()).toBe(true);
    expect(await text(office.locator('[data-period="2026-Q1"] .waits'))).toContain(
      '需先完成 2026-01, 2026-02, 2026-03',
    );

    for (const month of ['2026-01', '2026-02', '2026-03']) {
      await button(`开始 ${month}`).click();
      // A month locks money: it starts from the confirmation (test/e2e/console/board.test.ts checks what it shows).
      await office
        .getByRole('dialog')
        .getByRole('button', { name: `确认开始 ${month}` })
        .click();
      await office.getByText(`${month} 已开始：已完成`).waitFor();
    }
    expect(await button('开始 2026-Q1').isEnabled()).toBe(true);
    await button('开始 2026-Q1').click();
    await office.getByText('2026-Q1 已开始：待财务审核').waitFor();
    expect(await text(office.locator('[data-period="2026-Q1"] .waits'))).toContain(
      '须由 office1 以外的财务人员',
    );
    expect(await button('开始 2026-04').isEnabled()).toBe(true);
    expect(await button('开始 2026-Q2').isDisabled()).toBe(true);
    await h.shot(office, 'office-cycles');
  });

  it('shows the March dispatch report with the missing submission highlighted', async () => {
    await open(office, 'dispatch', '月度调度表');
    await office.getByLabel('选择月份').selectOption('2026-03');
    const t01 = office.locator('tr.missing', { has: office.getByRole('rowheader', { name: /T01/ }) });
    await t01.waitFor();
    expect(await text(t01)).toContain('缺报 1 项');
    expect(await text(t01)).toContain('远程会诊开展例数');
    expect(await office.locator('tr.missing').count()).toBe(1);
    expect(await text(office.getByRole('status').filter({ hasText: '提示' }))).toContain('第1乡镇分院');
    await h.shot(office, 'office-dispatch');
  });

  it('finance1 rejects Q1 with a reason (none given: told to give one)', async () => {
    const finance1 = await signedIn('finance1', 'finance');
    await open(finance1, 'reviews', '财务审核');
    const card = finance1.locator('[data-review="2026-Q1"]');
    await card.waitFor();
    const queue = await api<{ reviews: { details: { totals: { pool: string } } }[] }>(
      '/api/communities/county7/reviews',
      'finance2',
      'finance',
    );
    expect(fen((await text(card.locator('[data-total="pool"]'))).replace(/,/g, ''))).toBe(
      fen(queue.reviews[0]!.details.totals.pool),
    );
    // Institutions by name, not only by id.
    await card.getByRole('rowheader', { name: '县人民医院 C01' }).waitFor();

    await card.getByRole('button', { name: '驳回 2026-Q1' }).click();
    await card.getByText('驳回必须填写原因').waitFor();
    await card.getByLabel('驳回原因（必填）').fill('C02 的财务数据待核实，请更正后重新运行');
    await h.shot(finance1, 'finance-review');
    await card.getByRole('button', { name: '驳回 2026-Q1' }).click();
    await finance1.getByText('2026-Q1 已驳回').waitFor();
    await finance1.getByText('没有待审核的周期。').waitFor();
  });

  it('office runs Q1 again after the rejection', async () => {
    await open(office, 'cycles', '周期看板');
    const q1 = office.locator('[data-period="2026-Q1"]');
    expect(await text(q1)).toContain('C02 的财务数据待核实');
    await office.getByRole('button', { name: '重新运行 2026-Q1', exact: true }).click();
    await office.getByText('2026-Q1 已开始：待财务审核').waitFor();
    expect(await text(q1)).toContain('第 2 次运行');
  });

  it('does not let the person who started Q1 decide it, even holding the finance role (four eyes)', async () => {
    // office1 also in the finance group (possible in Cognito): the console says why it may not decide.
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    h.contexts.push(context);
    const issued = h.server.tokens.issue('office1', 'finance');
    const session = JSON.stringify({
      token: issued.token,
      user: 'office1',
      groups: ['finance'],
      expiresAt: issued.expiresAt,
    });
    await context.addInitScript({
      content: `localStorage.setItem('medcomm.session', ${JSON.stringify(session)})`,
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => h.pageErrors.push(`office1 as finance: ${error.message}`));
    await open(page, 'reviews', '财务审核');
    const card = page.locator('[data-review="2026-Q1"]');
    await card.getByText('您不能审核此周期').waitFor();
    expect(await text(card)).toContain('须由 office1 以外的财务人员');
    expect(await card.getByRole('button', { name: '审核通过 2026-Q1' }).isDisabled()).toBe(true);
    expect(await card.getByRole('button', { name: '驳回 2026-Q1' }).isDisabled()).toBe(true);
    await h.shot(page, 'finance-four-eyes');
    // And the API refuses it in so many words, whatever a client shows.
    const refused = await fetch(`${h.server.url}/api/communities/county7/cycles/quarterly/2026-Q1/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${issued.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toContain('双人复核');
  });

  it('finance2 approves Q1; a late second decision shows the API refusal', async () => {
    const late = await signedIn('finance1', 'finance');
    await open(late, 'reviews', '财务审核');
    await late.locator('[data-review="2026-Q1"]').waitFor();

    const finance2 = await signedIn('finance2', 'finance');
    await open(finance2, 'reviews', '财务审核');
    await finance2
      .locator('[data-review="2026-Q1"]')
      .getByRole('button', { name: '审核通过 2026-Q1' })
      .click();
    await finance2.getByText('2026-Q1 已审核通过，状态：已完成').waitFor();
    expect(dialogs.at(-1)).toMatch(/^确认审核通过 2026-Q1？将发放 ¥[\d,]+\.\d{2}。$/);

    await late.locator('[data-review="2026-Q1"]').getByRole('button', { name: '审核通过 2026-Q1' }).click();
    const alert = late.getByRole('alert');
    await alert.waitFor();
    expect(await text(alert)).toContain('没有待审核事项');
    expect(await text(alert)).toContain('HTTP 409');
  });

  it('shows the approved Q1 bulletin: rankings by peer group, the pools, charts and a printable page', async () => {
    await open(office, 'bulletins', '考核通报');
    const county = office.getByRole('table', { name: '县级医院组' });
    await county.waitFor();
    const { report } = await api<{
      report: {
        institutions: { institutionId: string; name: string; rank: number; peerGroup: string }[];
        totals: { pool: number };
      };
    }>('/api/communities/county7/reports/quarterly/2026-Q1', 'auditor1', 'auditor');
    const first = report.institutions.find((i) => i.rank === 1 && i.peerGroup === 'county')!;
    expect(await text(county.locator('tbody tr').first())).toContain(first.name);
    expect(fen((await text(office.locator('[data-total="pool"]'))).replace(/,/g, ''))).toBe(
      report.totals.pool,
    );
    // Scores by institution, one institution's trend against its peer group, distributions by kind.
    expect(await office.locator('svg[role="img"]').count()).toBe(3);
    await office.getByLabel('趋势机构').selectOption('T01');
    await office.locator('figcaption', { hasText: '第1乡镇分院' }).first().waitFor();
    await h.shot(office, 'office-bulletin');

    const [printable] = await Promise.all([
      office.context().waitForEvent('page'),
      office.getByRole('button', { name: '打印版（HTML）' }).click(),
    ]);
    await printable.waitForURL(/^blob:/);
    await printable.waitForLoadState();
    expect(await text(printable.locator('body'))).toContain('2026-Q1');
    // Printed: page numbers in the page margin, signature lines, no exact fraction anywhere.
    expect(await printable.content()).toMatch(
      /@bottom-center\s*\{\s*content: "第 " counter\(page\) " 页 \/ 共 " counter\(pages\) " 页"/,
    );
    const printedText = await text(printable.locator('body'));
    expect(printedText).not.toMatch(/\d+\/\d{3,}/);
    expect(printedText).toMatch(/编制：[\s\S]*审核：[\s\S]*批准：/);
    const pdf = await printable.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await printable.close();
  });

  it('office publishes Q1; member C01 then sees its own score, indicators and pool — and no one else’s', async () => {
    const ask = (path: string, user: string, role: string) =>
      fetch(`${h.server.url}${path}`, {
        headers: { authorization: `Bearer ${h.server.tokens.issue(user, role as 'office').token}` },
      });
    expect(
      (await ask('/api/communities/county7/explain/2026-Q1/institutions/C01', 'member1', 'member')).status,
    ).toBe(403);

    await open(office, 'publications', '结果公示');
    await office.getByLabel('期间').fill('2026-Q1');
    await office.getByRole('button', { name: '公示', exact: true }).click();
    await office.getByText('已公示 2026-Q1').waitFor();
    await office.getByRole('rowheader', { name: '2026-Q1' }).waitFor();

    const member = await signedIn('member1', 'member');
    await member.getByRole('heading', { level: 1, name: '结果公示' }).waitFor();
    await member.goto(`${h.server.url}/#/explain?period=2026-Q1&institution=C01`);
    const explained = member.getByTestId('institution-explanation');
    await explained.waitFor();
    const expected = await api<{ pool: { pool: number }; score: { score: string }; reconciles: boolean }>(
      '/api/communities/county7/explain/2026-Q1/institutions/C01',
      'office1',
      'office',
    );
    expect(expected.reconciles).toBe(true);
    expect(await text(explained)).toContain('全部与发放结果一致');
    expect(await text(explained.locator('h3').filter({ hasText: '机构得分' }))).toContain(
      expected.score.score,
    );
    await member.locator('#explain-indicators tbody tr').first().waitFor();
    await h.shot(member, 'member-explain');
    expect(
      (await ask('/api/communities/county7/explain/2026-Q1/institutions/C02', 'member1', 'member')).status,
    ).toBe(403);
    expect(
      (await ask('/api/communities/county7/sheets/quarterly/2026-Q1?format=json', 'member1', 'member'))
        .status,
    ).toBe(403);
  });

  it('a staff member sees only their own slips and explanation', async () => {
    const staff = await signedIn('staff1', 'staff');
    await staff.getByRole('heading', { level: 1, name: '我的工资条' }).waitFor();
    const links = await staff.getByRole('navigation', { name: '主导航' }).getByRole('link').allTextContents();
    expect(links).toEqual(['金额说明', '工资条', '结果公示']);
    const year = await api<{ months: { period: string; gross: number }[]; totals: { gross: number } }>(
      '/api/communities/county7/slips/C01-001/history/2026',
      'hr1',
      'hr',
    );
    const table = staff.locator('#slip-year-table');
    await table.locator('tbody tr').first().waitFor();
    expect(fen((await text(table.locator('[data-total="gross"]'))).replace(/,/g, ''))).toBe(
      year.totals.gross,
    );
    await table.getByRole('button', { name: '2026-03' }).click();
    const explained = staff.getByTestId('person-explanation');
    await explained.waitFor();
    const march = year.months.find((m) => m.period === '2026-03')!;
    expect(fen((await text(staff.getByTestId('explained-gross'))).replace(/,/g, ''))).toBe(march.gross);
    expect(await text(explained)).toContain('与发放结果一致');
    await h.shot(staff, 'staff-slips');
    const ask = (path: string) =>
      fetch(`${h.server.url}${path}`, {
        headers: { authorization: `Bearer ${h.server.tokens.issue('staff1', 'staff').token}` },
      });
    for (const path of [
      '/api/communities/county7/slips/C01-002/2026-03',
      '/api/communities/county7/explain/2026-03/staff/C01-002',
      '/api/communities/county7/slips/C01-002/history/2026',
      '/api/communities/county7/explain/2026-03/institutions/C01',
      '/api/communities/county7/sheets/monthly/2026-03?format=json',
    ])
      expect([path, (await ask(path)).status]).toEqual([path, 403]);
    expect((await ask('/api/communities/county7/slips/C01-001/2026-03')).status).toBe(200);
  });

  it('HR finds people on the Q1 sheet and downloads it as XLSX with the totals of the API', async () => {
    const hr = await signedIn('hr1', 'hr');
    await open(hr, 'sheets', '工资表');
    await hr.getByLabel('工资表类型').selectOption('quarterly');
    await hr.getByLabel('期间').selectOption('2026-Q1');
    await hr.locator('#sheet-table tbody tr').first().waitFor();

    const lines = await api<{ institutionId: string; quarterlySurplus: string; gross: string }[]>(
      '/api/communities/county7/sheets/quarterly/2026-Q1?format=json',
      'hr1',
      'hr',
    );
    const apiTotal = lines.reduce((sum, l) => sum + fen(l.gross), 0);
    expect(fen((await text(hr.locator('[data-total="gross"]'))).replace(/,/g, ''))).toBe(apiTotal);

    await hr.getByLabel('搜索（姓名、拼音首字母、工号、科室）').fill('C01-');
    await hr.getByText(`显示 6 / ${lines.length} 人`).waitFor();
    const c01 = lines.filter((l) => l.institutionId === 'C01').reduce((sum, l) => sum + fen(l.gross), 0);
    expect(fen((await text(hr.locator('[data-total="gross"]'))).replace(/,/g, ''))).toBe(c01);
    await h.shot(hr, 'hr-sheets');
    await hr.getByLabel('搜索（姓名、拼音首字母、工号、科室）').fill('');

    const [download] = await Promise.all([
      hr.waitForEvent('download'),
      hr.getByRole('button', { name: '工资表 XLSX' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('paysheet-2026-Q1.xlsx');
    const saved = join(h.work, download.suggestedFilename());
    await download.saveAs(saved);
    const book = readXlsx(await readFile(saved));
    const summary = book.sheets[0]!;
    const header = summary.cells.find((c) => c.text === '应发合计')!;
    const surplusHeader = summary.cells.find((c) => c.row === header.row && c.text === '季度结余奖励')!;
    const totalRow = summary.cells.find((c) => c.col === 1 && c.text === '合计')!.row;
    expect(fen(summary.row(totalRow)[header.col - 1]!.text)).toBe(apiTotal);
    expect(fen(summary.row(totalRow)[surplusHeader.col - 1]!.text)).toBe(
      lines.reduce((sum, l) => sum + fen(l.quarterlySurplus), 0),
    );
    // And per institution.
    for (const id of [...new Set(lines.map((l) => l.institutionId))]) {
      const row = summary.cells.find((c) => c.col === 1 && c.text === id)!.row;
      const want = lines.filter((l) => l.institutionId === id).reduce((sum, l) => sum + fen(l.gross), 0);
      expect(fen(summary.row(row)[header.col - 1]!.text), id).toBe(want);
    }
    await hr.getByText('已下载 paysheet-2026-Q1.xlsx').waitFor();

    // The bank file: only HR gets it; here everyone has an account, so no one is left out.
    const [bank] = await Promise.all([
      hr.waitForEvent('download'),
      hr.getByRole('button', { name: '银行代发文件 CSV' }).click(),
    ]);
    expect(bank.suggestedFilename()).toBe('bank-2026-Q1.csv');
    await bank.saveAs(join(h.work, 'bank.csv'));
    expect(await readFile(join(h.work, 'bank.csv'), 'utf8')).toContain('6290830166131868');
    await hr.getByText('已下载 bank-2026-Q1.csv').waitFor();
    expect(await hr.getByText('银行代发文件未包含').count()).toBe(0);

    // A click on a person: why they got this amount.
    await hr.getByLabel('搜索（姓名、拼音首字母、工号、科室）').fill('C01-001');
    await hr.getByText(`显示 1 / ${lines.length} 人`).waitFor();
    await hr.locator('#sheet-table tbody').getByRole('link').first().click();
    await hr.getByTestId('person-explanation').waitFor();
    const mine = await api<{ staffId: string; quarterlySurplus: string }[]>(
      '/api/communities/county7/sheets/quarterly/2026-Q1?format=json',
      'hr1',
      'hr',
    );
    expect(fen((await text(hr.getByTestId('explained-gross'))).replace(/,/g, ''))).toBe(
      fen(mine.find((l) => l.staffId === 'C01-001')!.quarterlySurplus),
    );
    await h.shot(hr, 'hr-explain');
  });

  it('signs in by keyboard alone and switches to English', async () => {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    h.contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => h.pageErrors.push(`keyboard: ${error.message}`));
    await page.goto(`${h.server.url}/`);
    await page.getByLabel('角色').focus();
    await page.keyboard.press('ArrowDown'); // office → hr
    await page.keyboard.press('Tab'); // the user list, now hr1
    // The list follows the role on React's next render, which a loaded machine can delay past the key press.
    await expect.poll(() => page.getByLabel('用户').inputValue(), { timeout: 5_000 }).toBe('hr1');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: '工资表' }).waitFor();

    await page.getByRole('button', { name: '语言: English' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Pay sheets' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByRole('link', { name: 'Pay sheets' }).waitFor();
    await h.shot(page, 'hr-sheets-en');
  });

  it('the auditor reads the trail a page at a time and sees the chain checked', async () => {
    const auditor = await signedIn('auditor1', 'auditor');
    await open(auditor, 'audit', '审计');
    await auditor.getByText(/审计链完整：\d+ 条/).waitFor();
    await auditor.locator('#audit-entries tbody tr').first().waitFor();
    expect(await text(auditor.locator('#audit-entries'))).toContain('publication.publish');
    await h.shot(auditor, 'auditor-audit');
  });

  it('HR pages through a city sheet of 35,000 people: paged, sorted and searched on the server', async () => {
    const city = join(h.work, 'city');
    await writeDataset(city, generateCounty({ counties: 10, months: 1 }));
    const imported = await importDataset(h.runtime.repos, { dir: city }, 'office1');
    await startCycle(h.runtime.repos, h.runtime.workflows, {
      communityId: imported.pointer.communityId,
      kind: 'monthly',
      period: '2026-01',
      by: 'office1',
    });
    // A second community in the table (tenancy): the API path and the console's address name it.
    const cityId = encodeURIComponent(imported.pointer.communityId);
    const first = await api<{ all: number; pages: number; rows: { name: string }[] }>(
      `/api/communities/${cityId}/sheets/monthly/2026-01?format=json&page=1&size=100`,
      'hr1',
      'hr',
    );
    expect(first.all).toBeGreaterThanOrEqual(30_000);

    const hr = await signedIn('hr1', 'hr');
    await open(hr, `c/${cityId}/sheets`, '工资表');
    const rows = hr.locator('#sheet-table tbody tr');
    await hr.getByText(`显示 ${first.all} / ${first.all} 人`).waitFor();
    expect(await rows.count()).toBe(100);
    await hr.getByText(`第 1 / ${first.pages} 页`).waitFor();
    const top = await text(rows.first());
    await hr.getByRole('button', { name: '下一页' }).click();
    await hr.getByText(`第 2 / ${first.pages} 页`).waitFor();
    expect(await text(rows.first())).not.toBe(top);

    // Sorted by gross, largest first (a second click turns the order).
    const sortGross = hr.getByRole('button', { name: '应发合计: 排序' });
    await sortGross.click();
    await expect.poll(async () => (await text(sortGross)).includes('▲')).toBe(true);
    await sortGross.click();
    await expect.poll(async () => (await text(sortGross)).includes('▼')).toBe(true);
    await hr.getByText(`第 1 / ${first.pages} 页`).waitFor();
    const grossOf = async (n: number) =>
      fen((await text(rows.nth(n).locator('td').last())).replace(/,/g, ''));
    expect(await grossOf(0)).toBeGreaterThanOrEqual(await grossOf(1));
    expect(await grossOf(1)).toBeGreaterThanOrEqual(await grossOf(99));

    // Found by the pinyin initials of a name.
    const name = first.rows[0]!.name;
    await hr.getByLabel('搜索（姓名、拼音首字母、工号、科室）').fill(initials(name));
    await hr.locator('#sheet-table tbody').getByRole('link', { name, exact: true }).first().waitFor();
    await h.shot(hr, 'hr-sheets-large');
  }, 300_000);

  it('raised no script error in any page', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
