/**
 * The cycle board's period lifecycle in a real browser (issue 11): Debian's Chromium driven by
 * playwright-core against `medcomm serve`'s server (in-process, over the run's DynamoDB Local and the
 * local state machines), serving the console built into this test's own folder.
 *
 * The tiny dataset, with December's workload left out (the board says "waiting for data" instead of a
 * start button) and T01's April rows left out (April's start names T01 and needs an acknowledgement).
 * Office runs January–March through the start confirmation (month, headcount, ¥ total — the total is
 * what the month then pays), corrects March from the board (a dataset folder with a forgotten adjustment
 * and a changed workload row, and a reason); the starter may not decide it; finance2 approves it after
 * a confirmation that states the amount; April's confirmation shows the correction it pays; after April
 * runs, the April pay sheet carries each person's difference. A correction of February whose rows
 * break a rule shows the issue in the dialog; finance1 rejects the fixed one (nothing posted). Q1,
 * approved, is corrected (finance rows): pool-share differences paid in May. A 2027
 * import: the board opens on the latest year and reaches 2026 through its year selector.
 *
 * Chromium missing: skipped with a message on a workstation, a failure in CI (CI=true).
 * Screenshots go to docs/screenshots with UPDATE_SCREENSHOTS=1, to a temporary folder otherwise.
 */
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestRuns, ConsoleHarness, FIXTURE, fen } from './harness.js';

const h = new ConsoleHarness({ name: 'board' });
const signedIn = (user: string, role: string): Promise<Page> => h.signedIn(user, role);

/** Integer fen as the console writes it: "1,234.56", "-0.07". */
function yuan(value: number): string {
  const abs = Math.abs(value);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0 ? '-' : ''}${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** Integer fen as the console writes money: "¥1,234.56", "-¥80.00". */
const money = (value: number) => (value < 0 ? `-¥${yuan(-value)}` : `¥${yuan(value)}`);

interface CorrectionRecord {
  kind: string;
  period: string;
  revision: number;
  status: string;
  startedBy: string;
  totals: { old: number; new: number; difference: number; people: number };
  postedTo?: string;
}
interface CorrectionLine {
  staffId: string;
  component: string;
  difference: number;
}

const text = async (locator: Locator): Promise<string> => (await locator.textContent()) ?? '';

async function open(page: Page, route: string, heading: string): Promise<void> {
  const url = `${h.server.url}/#/${route}`;
  // Going to the page already shown changes nothing: load it afresh, with the API's current answers.
  if (page.url() === url) await page.reload();
  else await page.goto(url);
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

/** A month's pay sheet total (fen) and lines, as the API gives them to HR. */
async function sheet(period: string) {
  const lines = await api<{ staffId: string; adjustment: string; gross: string }[]>(
    `/api/communities/county7/sheets/monthly/${period}?format=json`,
    'hr1',
    'hr',
  );
  return { lines, gross: lines.reduce((sum, l) => sum + fen(l.gross), 0) };
}

/** Rows of a CSV of the test's dataset (header dropped). */
async function csvRows(dir: string, file: string): Promise<string[]> {
  return (await readFile(join(dir, file), 'utf8')).split(/\r?\n/).slice(1).filter(Boolean);
}

describe.skipIf(!browserTestRuns('board'))('the cycle board: confirmations and corrections', () => {
  let office: Page;
  let dataset: string;
  let corrected: string;
  /** A correction of February that finance rejects: C02-001 docked 80.00. */
  let docked: string;
  /** The same, mistyped: the corrected period is not before the month it is in. */
  let mistyped: string;
  /** A correction of Q1: C01's January consultation income 10,000.00 higher. */
  let income: string;
  /** finance's view of the correction's per-person differences, before it is approved. */
  let differences: CorrectionLine[] = [];
  let correction: CorrectionRecord;

  beforeAll(async () => {
    const work = await h.workFolder();
    // The year as imported: no December workload at all, and T01 without April rows.
    dataset = join(work, 'year/dataset');
    await cp(FIXTURE, dataset, { recursive: true });
    const workload = await readFile(join(dataset, 'workload.csv'), 'utf8');
    await writeFile(
      join(dataset, 'workload.csv'),
      workload.replace(/^2026-12,.*\r?\n/gm, '').replace(/^2026-04,T01-.*\r?\n/gm, ''),
    );
    // The correction of March: a forgotten adjustment (+500.00 for C01-002) and C01-001's points.
    corrected = join(work, 'corrected/dataset');
    await cp(dataset, corrected, { recursive: true });
    const march = await readFile(join(corrected, 'workload.csv'), 'utf8');
    expect(march).toContain('2026-03,C01-001,842,');
    await writeFile(
      join(corrected, 'workload.csv'),
      march.replace('2026-03,C01-001,842,', '2026-03,C01-001,1042,'),
    );
    const adjustments = await readFile(join(corrected, 'adjustments.csv'), 'utf8');
    await writeFile(
      join(corrected, 'adjustments.csv'),
      `${adjustments.trimEnd()}\n2026-03,C01-002,500.00,2月夜班补贴漏发,2026-02\n`,
    );

    docked = join(work, 'docked/dataset');
    await cp(dataset, docked, { recursive: true });
    await writeFile(
      join(docked, 'adjustments.csv'),
      `${adjustments.trimEnd()}\n2026-02,C02-001,-80.00,1月多发值班费扣回,2026-01\n`,
    );
    mistyped = join(work, 'mistyped/dataset');
    await cp(dataset, mistyped, { recursive: true });
    await writeFile(
      join(mistyped, 'adjustments.csv'),
      `${adjustments.trimEnd()}\n2026-02,C02-001,-80.00,1月多发值班费扣回,2026-02\n`,
    );
    income = join(work, 'income/dataset');
    await cp(dataset, income, { recursive: true });
    const finance = await readFile(join(income, 'finance.csv'), 'utf8');
    expect(finance).toContain('2026-01,C01,consultation,15870.25');
    await writeFile(
      join(income, 'finance.csv'),
      finance.replace('2026-01,C01,consultation,15870.25', '2026-01,C01,consultation,25870.25'),
    );

    await h.start();
  }, 120_000);

  afterAll(() => h.stop());

  it('office imports the year; December, without any workload, waits for data instead of a start button', async () => {
    office = await signedIn('office1', 'office');
    await open(office, 'upload', '数据导入');
    await office.getByLabel('数据集文件夹').setInputFiles(dataset);
    await office.getByRole('button', { name: '导入数据集' }).click();
    await office.getByText('导入成功：county7 2026 年，第 1 版（office1）').waitFor();

    await open(office, 'cycles', '周期看板');
    expect(await office.getByLabel('年度').inputValue()).toBe('2026');
    const december = office.locator('[data-period="2026-12"]');
    await december.getByText('等待数据', { exact: true }).waitFor();
    expect(await december.getByRole('button').count()).toBe(0);
    // November has its rows: it can start.
    expect(await office.getByRole('button', { name: '开始 2026-11', exact: true }).isEnabled()).toBe(true);
    // And in English.
    await office.getByRole('button', { name: '语言: English' }).click();
    await december.getByText('Waiting for data', { exact: true }).waitFor();
    await office.getByRole('button', { name: 'Start 2026-11', exact: true }).waitFor();
    await office.getByRole('button', { name: 'Language: 中文' }).click();
    await december.getByText('等待数据', { exact: true }).waitFor();
  });

  it('office starts January to March only through a confirmation showing the month, headcount and ¥ total', async () => {
    const button = (name: string) => office.getByRole('button', { name, exact: true });
    const dialog = office.getByRole('dialog');

    // Cancelled: nothing starts.
    await button('开始 2026-01').click();
    await dialog.getByTestId('confirm-total').waitFor();
    await dialog.getByRole('button', { name: '取消' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await text(office.locator('[data-period="2026-01"]'))).toContain('未开始');

    const workload = await csvRows(dataset, 'workload.csv');
    for (const month of ['2026-01', '2026-02', '2026-03']) {
      await button(`开始 ${month}`).click();
      await dialog.getByRole('heading', { name: `确认开始 ${month} 月调度` }).waitFor();
      expect(await text(dialog.getByTestId('confirm-month'))).toBe(month);
      // Headcount: the people with a workload row that month, counted from the file itself.
      const rows = workload.filter((r) => r.startsWith(`${month},`)).length;
      expect(rows).toBeGreaterThan(0);
      expect(await text(dialog.getByTestId('confirm-headcount'))).toBe(String(rows));
      const total = (await text(dialog.getByTestId('confirm-total'))).trim();
      expect(total).toMatch(/^¥\d{1,3}(,\d{3})*\.\d{2}$/);
      // Everyone has rows in these months: nothing to acknowledge.
      expect(await dialog.getByTestId('confirm-missing').count()).toBe(0);
      await dialog.getByRole('button', { name: `确认开始 ${month}` }).click();
      await office.getByText(`${month} 已开始：已完成`).waitFor();
      // What the confirmation said is what the month paid, to the fen.
      expect(fen(total)).toBe((await sheet(month)).gross);
    }
    const march = office.locator('[data-period="2026-03"]');
    expect(await text(march)).toContain('office1 于');
    expect(await text(march)).toContain('数据集 v1');
  });

  it('office corrects March from the board: a dataset folder and a reason, waiting for finance', async () => {
    const march = office.locator('[data-period="2026-03"]');
    await march.getByRole('button', { name: '更正 2026-03' }).click();
    const dialog = office.getByRole('dialog');
    await dialog.getByRole('heading', { name: '更正 2026-03（月调度）' }).waitFor();
    await dialog.getByLabel('数据集文件夹').setInputFiles(corrected);
    await dialog.getByText(/已选文件：.*workload\.csv/).waitFor();
    await dialog.getByLabel('更正原因').fill('C01-001 三月工作量漏录 200 分；C01-002 夜班补贴漏发');
    await h.shot(office, 'office-correction');
    // Issue 12: the files go to the upload store, and the correction is a job the page follows.
    const puts: string[] = [];
    office.on('request', (r) => {
      if (r.method() === 'PUT') puts.push(new URL(r.url()).pathname);
    });
    const started = office.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/corrections'),
    );
    await dialog.getByRole('button', { name: '提交更正' }).click();
    const answer = await started;
    expect(answer.status()).toBe(202);
    const sent = JSON.parse(answer.request().postData() ?? '{}') as { upload?: string; files?: unknown };
    expect(sent.files).toBeUndefined();
    expect(sent.upload).toMatch(/^uploads\//);
    const notice = office.getByText(/^更正 2026-03 r2 已提交，待财务审核/);
    await notice.waitFor();
    expect(puts.some((p) => p.endsWith('/workload.csv') && p.startsWith(`/${sent.upload}`))).toBe(true);
    const { location } = (await answer.json()) as { location: string };
    const followed = await api<{ status: string; result: { json: CorrectionRecord } }>(
      location,
      'office1',
      'office',
    );
    expect(followed).toMatchObject({ status: 'done', result: { json: { period: '2026-03', revision: 2 } } });

    const { corrections } = await api<{ corrections: CorrectionRecord[] }>(
      '/api/communities/county7/corrections?year=2026',
      'office1',
      'office',
    );
    expect(corrections).toHaveLength(1);
    correction = corrections[0]!;
    expect(correction).toMatchObject({
      kind: 'monthly',
      period: '2026-03',
      revision: 2,
      status: 'awaiting_review',
    });
    expect(correction.totals.new - correction.totals.old).toBe(correction.totals.difference);
    expect(await text(notice)).toContain(money(correction.totals.difference));
    expect(await text(notice)).toContain(`${correction.totals.people} 人`);

    const row = office.locator('#corrections-table tbody tr');
    expect(await row.count()).toBe(1);
    expect(await text(row)).toContain('待财务审核');
    expect(await text(row.locator('[data-field="difference"]'))).toBe(yuan(correction.totals.difference));
    expect(await text(row.locator('[data-field="posted-to"]'))).toBe('—');
    expect(await text(march)).toContain('更正 2026-03 r2');
    // One correction of a period at a time.
    expect(await march.getByRole('button', { name: '更正 2026-03' }).count()).toBe(0);
  });

  it('the starter may not decide the correction, even holding the finance role (four eyes)', async () => {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    h.contexts.push(context);
    const issued = h.server.tokens.issue('office1', 'finance');
    const session = JSON.stringify({
      token: issued.token,
      user: 'office1',
      groups: ['finance'],
      expiresAt: issued.expiresAt,
    });
    await context.addInitScript({
      // The console keeps its session in localStorage (shared by tabs); sessionStorage for older builds.
      content: `localStorage.setItem('medcomm.session', ${JSON.stringify(session)}); sessionStorage.setItem('medcomm.session', ${JSON.stringify(session)})`,
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => h.pageErrors.push(`office1 as finance: ${error.message}`));
    await open(page, 'reviews', '财务审核');
    const card = page.locator('[data-correction="2026-03"]');
    await card.getByText('您不能审核此更正').waitFor();
    expect(await text(card)).toContain('须由 office1 以外的财务人员审核');
    expect(await card.getByRole('button', { name: '审核通过更正 2026-03' }).isDisabled()).toBe(true);
    expect(await card.getByRole('button', { name: '驳回更正 2026-03' }).isDisabled()).toBe(true);
  });

  it('finance2 sees each person’s difference by name and approves after a confirmation stating the amount', async () => {
    const finance2 = await signedIn('finance2', 'finance');
    // A province's queue carries only the first institutions' lines (issue 12): here, as if the budget
    // held none, the page gets every institution's summary and loads each one's lines when opened
    // (GET …/corrections/{kind}/{period}/differences).
    await finance2.route(
      (url) => /\/api\/communities\/[^/]+\/reviews$/.test(url.pathname),
      async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as {
          corrections?: { differences: unknown[]; differencesComplete?: boolean; counts?: object }[];
        };
        for (const r of body.corrections ?? []) {
          r.differences = [];
          r.differencesComplete = false;
          r.counts = { ...r.counts, institutionsIncluded: 0, linesIncluded: 0 };
        }
        await route.fulfill({ response, json: body });
      },
    );
    await open(finance2, 'reviews', '财务审核');
    const card = finance2.locator('[data-correction="2026-03"]');
    await card.waitFor();
    const queue = await api<{
      corrections: {
        correction: CorrectionRecord;
        differences: { institutionId: string; lines: CorrectionLine[] }[];
        summary: { institutionId: string; lines: number; difference: number }[];
      }[];
    }>('/api/communities/county7/reviews', 'finance2', 'finance');
    differences = queue.corrections[0]!.differences.flatMap((d) => d.lines).filter((l) => l.difference !== 0);
    // One institution's lines through the per-institution route are the queue's lines of it.
    const c01 = await api<{ lines: CorrectionLine[] }>(
      '/api/communities/county7/corrections/monthly/2026-03/differences?institution=C01',
      'finance2',
      'finance',
    );
    expect(c01.lines).toEqual(
      queue.corrections[0]!.differences.find((d) => d.institutionId === 'C01')!.lines,
    );
    expect(c01.lines.length).toBeGreaterThan(0);
    // The summary's difference per institution adds up to the total.
    expect(queue.corrections[0]!.summary.reduce((sum, s) => sum + s.difference, 0)).toBe(
      correction.totals.difference,
    );
    // The page says the lines were cut, then each institution is opened.
    await card.getByText('其余').waitFor();
    const closed = card
      .locator('.institution-lines')
      .filter({ has: finance2.getByRole('button', { name: /显示各人差额/ }) });
    while ((await closed.count()) > 0) {
      const id = await closed.first().getAttribute('data-institution');
      await closed
        .first()
        .getByRole('button', { name: /显示各人差额/ })
        .click();
      await card
        .locator(`.institution-lines[data-institution="${id}"] button`)
        .waitFor({ state: 'detached' });
    }
    // The forgotten adjustment, exactly; and the differences add up to the correction's total.
    expect(differences).toContainEqual(
      expect.objectContaining({ staffId: 'C01-002', component: 'adjustment', difference: 50_000 }),
    );
    expect(differences.reduce((sum, l) => sum + l.difference, 0)).toBe(correction.totals.difference);

    expect(await text(card.locator('[data-total="difference"]'))).toBe(money(correction.totals.difference));
    // Names beside ids: the staff member and the institution.
    await card.getByRole('rowheader', { name: '职工C012' }).first().waitFor();
    await card.getByText('县人民医院 C01 各人差额').waitFor();
    expect(await card.locator('tbody tr').count()).toBeGreaterThanOrEqual(differences.length);

    await h.shot(finance2, 'finance-correction-review');
    let question = '';
    finance2.once('dialog', (d) => {
      question = d.message();
      void d.accept();
    });
    await card.getByRole('button', { name: '审核通过更正 2026-03' }).click();
    await finance2.getByText('更正 2026-03 r2 已审核通过，差额计入 2026-04').waitFor();
    expect(question).toContain(money(correction.totals.difference));
    expect(question).toContain('更正 2026-03 r2');
    await finance2.getByText('没有待审核的更正。').waitFor();
  });

  it('April’s confirmation shows the correction it pays and names T01, starting only once T01 is acknowledged', async () => {
    await open(office, 'cycles', '周期看板');
    const row = office.locator('#corrections-table tbody tr');
    expect(await text(row.locator('[data-field="posted-to"]'))).toBe('2026-04');
    expect(await text(row)).toContain('审核通过：finance2');

    const before = await api<{ totals: { adjustment: number; gross: number }; missing: { id: string }[] }>(
      '/api/communities/county7/cycles/monthly/2026-04/preview',
      'office1',
      'office',
    );
    expect(before.missing.map((m) => m.id)).toEqual(['T01']);
    await office.getByRole('button', { name: '开始 2026-04', exact: true }).click();
    const dialog = office.getByRole('dialog');
    const posted = dialog.getByTestId('confirm-corrections');
    await posted.waitFor();
    expect(await text(posted)).toContain('更正 2026-03 r2');
    expect(await text(posted)).toContain(money(correction.totals.difference));
    // April has no adjustment rows of its own: its adjustments are the correction's differences.
    expect(await text(dialog.getByTestId('confirm-adjustment'))).toBe(money(correction.totals.difference));
    const total = (await text(dialog.getByTestId('confirm-total'))).trim();
    expect(fen(total)).toBe(before.totals.gross);

    const missing = dialog.getByTestId('confirm-missing');
    expect(await text(missing)).toContain('T01');
    expect(await text(missing)).toContain('第1乡镇分院');
    const confirm = dialog.getByRole('button', { name: '确认开始 2026-04' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('我已确认以上机构本月不发放绩效').check();
    await h.shot(office, 'office-start-confirmation');
    expect(await confirm.isEnabled()).toBe(true);
    await confirm.click();
    await office.getByText('2026-04 已开始：已完成').waitFor();
    await h.shot(office, 'office-board-lifecycle');

    const april = await api<{ status: string; acknowledgedMissing?: string[] }>(
      '/api/communities/county7/cycles/monthly/2026-04',
      'office1',
      'office',
    );
    expect(april.status).toBe('completed');
    expect(april.acknowledgedMissing).toEqual(['T01']);
    expect((await sheet('2026-04')).gross).toBe(fen(total));
  });

  it('the auditor sees what the schedule waits for and whom a month acknowledged as without data', async () => {
    // What the daily schedule does for December (functions/start-scheduled-cycle.ts): the start is
    // refused for want of data, and the refusal is recorded as waiting, never locking the month.
    const token = h.server.tokens.issue('office1', 'office').token;
    const refused = await fetch(`${h.server.url}/api/communities/county7/cycles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'monthly', period: '2026-12' }),
    });
    expect(refused.status).toBe(409);
    const { error } = (await refused.json()) as { error: string };
    expect(error).toContain('2026-12');
    await h.runtime.repos.cycles.recordWaiting('county7', 'monthly', '2026-12', error);
    await h.runtime.repos.cycles.recordWaiting('county7', 'monthly', '2026-12', error);

    const auditor = await signedIn('auditor1', 'auditor');
    await open(auditor, 'cycles', '周期看板');
    const december = auditor.locator('[data-period="2026-12"]');
    const waiting = december.locator('[data-field="scheduler-waiting"]');
    await waiting.waitFor();
    expect(await text(waiting)).toContain('等待数据');
    expect(await text(waiting)).toContain('已尝试 2 次');
    expect(await text(waiting)).toContain(error);
    expect(await december.getByRole('button').count()).toBe(0);
    expect(await text(auditor.locator('[data-period="2026-04"] [data-field="acknowledged"]'))).toBe(
      '已确认无数据、本月未发放：T01',
    );
    // Nobody may start anything from the auditor's board.
    expect(await auditor.getByRole('button', { name: /^开始 / }).count()).toBe(0);
  });

  it('the April pay sheet carries each person’s difference as an adjustment', async () => {
    const own = (await csvRows(dataset, 'adjustments.csv')).filter((r) => r.startsWith('2026-04,'));
    expect(own).toEqual([]);
    const { lines } = await sheet('2026-04');
    const byStaff = new Map<string, number>();
    for (const l of differences) byStaff.set(l.staffId, (byStaff.get(l.staffId) ?? 0) + l.difference);
    for (const line of lines) expect(fen(line.adjustment), line.staffId).toBe(byStaff.get(line.staffId) ?? 0);

    const hr = await signedIn('hr1', 'hr');
    await open(hr, 'sheets', '工资表');
    await hr.getByLabel('工资表类型').selectOption('monthly');
    await hr.getByLabel('期间').selectOption('2026-04');
    await hr.locator('#sheet-table tbody tr').first().waitFor();
    await expect
      .poll(async () => fen(await text(hr.locator('[data-total="adjustment"]'))))
      .toBe(correction.totals.difference);
    await hr.locator('#sheet-search').fill('C01-002');
    await expect
      .poll(async () => fen(await text(hr.locator('[data-total="adjustment"]'))))
      .toBe(byStaff.get('C01-002'));
  });

  it('finance1 rejects a correction of February with a reason; nothing is posted', async () => {
    await open(office, 'cycles', '周期看板');
    await office.getByRole('button', { name: '更正 2026-02' }).click();
    const dialog = office.getByRole('dialog');
    // A mistake in the corrected rows: every issue is shown where it is (file, row, column), nothing submitted.
    await dialog.getByLabel('数据集文件夹').setInputFiles(mistyped);
    await dialog.getByText(/已选文件：.*adjustments\.csv/).waitFor();
    await dialog.getByRole('button', { name: '提交更正' }).click();
    const issues = dialog.getByRole('alert');
    await issues.getByText('更正数据有 1 个问题，未提交').waitFor();
    expect(await text(issues)).toContain('adjustments.csv 行 4 refPeriod “2026-02”');
    expect(await text(issues)).toContain('被更正的期间须早于发放期间 2026-02');
    await dialog.getByLabel('数据集文件夹').setInputFiles(docked);
    await dialog.getByText(/已选文件：.*adjustments\.csv/).waitFor();
    await dialog.getByRole('button', { name: '提交更正' }).click();
    await office
      .getByText(`更正 2026-02 r2 已提交，待财务审核：差额合计 ${money(-8000)}，涉及 1 人`)
      .waitFor();

    const finance1 = await signedIn('finance1', 'finance');
    await open(finance1, 'reviews', '财务审核');
    const card = finance1.locator('[data-correction="2026-02"]');
    expect(await text(card.locator('[data-total="difference"]'))).toBe(money(-8000));
    await card.getByRole('button', { name: '驳回更正 2026-02' }).click();
    await card.getByText('驳回必须填写原因').waitFor();
    await card.getByLabel('驳回原因（必填）').fill('扣回须附值班记录');
    let question = '';
    finance1.once('dialog', (d) => {
      question = d.message();
      void d.accept();
    });
    await card.getByRole('button', { name: '驳回更正 2026-02' }).click();
    await finance1.getByText('更正 2026-02 r2 已驳回').waitFor();
    expect(question).toContain(money(-8000));

    await open(office, 'cycles', '周期看板');
    const row = office.locator('#corrections-table tbody tr', { hasText: '2026-02' });
    expect(await text(row)).toContain('已驳回');
    expect(await text(row)).toContain('驳回：finance1');
    expect(await text(row)).toContain('扣回须附值班记录');
    expect(await text(row.locator('[data-field="posted-to"]'))).toBe('—');
    // Nothing posted: May pays no adjustment (the dataset has none for May either).
    expect((await csvRows(dataset, 'adjustments.csv')).filter((r) => r.startsWith('2026-05,'))).toEqual([]);
    const may = await api<{ totals: { adjustment: number } }>(
      '/api/communities/county7/cycles/monthly/2026-05/preview',
      'office1',
      'office',
    );
    expect(may.totals.adjustment).toBe(0);
  });

  it('a quarter is corrected too: Q1’s finance rows after its approval, the pool shares paid in May', async () => {
    await open(office, 'cycles', '周期看板');
    await office.getByRole('button', { name: '开始 2026-Q1', exact: true }).click();
    await office.getByText('2026-Q1 已开始：待财务审核').waitFor();

    const finance2 = await signedIn('finance2', 'finance');
    await open(finance2, 'reviews', '财务审核');
    finance2.once('dialog', (d) => void d.accept());
    await finance2
      .locator('[data-review="2026-Q1"]')
      .getByRole('button', { name: '审核通过 2026-Q1' })
      .click();
    await finance2.getByText('2026-Q1 已审核通过，状态：已完成').waitFor();

    await open(office, 'cycles', '周期看板');
    await office.locator('[data-period="2026-Q1"]').getByRole('button', { name: '更正 2026-Q1' }).click();
    const dialog = office.getByRole('dialog');
    await dialog.getByRole('heading', { name: '更正 2026-Q1（季通报）' }).waitFor();
    await dialog.getByLabel('数据集文件夹').setInputFiles(income);
    await dialog.getByText(/已选文件：.*finance\.csv/).waitFor();
    await dialog.getByLabel('更正原因').fill('C01 一月门诊收入漏记 10,000.00');
    await dialog.getByRole('button', { name: '提交更正' }).click();
    await office.getByText(/^更正 2026-Q1 r2 已提交，待财务审核/).waitFor();

    await open(finance2, 'reviews', '财务审核');
    const card = finance2.locator('[data-correction="2026-Q1"]');
    await card.waitFor();
    const queue = await api<{
      corrections: { correction: CorrectionRecord; differences: { lines: CorrectionLine[] }[] }[];
    }>('/api/communities/county7/reviews', 'finance2', 'finance');
    const q1 = queue.corrections.find((c) => c.correction.period === '2026-Q1')!;
    const lines = q1.differences.flatMap((d) => d.lines).filter((l) => l.difference !== 0);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.component === 'quarterlySurplus')).toBe(true);
    expect(lines.reduce((sum, l) => sum + l.difference, 0)).toBe(q1.correction.totals.difference);
    expect(await card.getByRole('cell', { name: '季度结余奖励' }).count()).toBe(lines.length);
    expect(await text(card.locator('[data-total="difference"]'))).toBe(
      money(q1.correction.totals.difference),
    );
    finance2.once('dialog', (d) => void d.accept());
    await card.getByRole('button', { name: '审核通过更正 2026-Q1' }).click();
    await finance2.getByText('更正 2026-Q1 r2 已审核通过，差额计入 2026-05').waitFor();

    // May's confirmation names it and pays it (May has no adjustment rows of its own).
    await open(office, 'cycles', '周期看板');
    await office.getByRole('button', { name: '开始 2026-05', exact: true }).click();
    const posted = dialog.getByTestId('confirm-corrections');
    await posted.waitFor();
    expect(await text(posted)).toContain('更正 2026-Q1 r2');
    expect(await text(posted)).not.toContain('更正 2026-02');
    expect(await text(dialog.getByTestId('confirm-adjustment'))).toBe(money(q1.correction.totals.difference));
    await dialog.getByRole('button', { name: '取消' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('a second year: the board shows the latest year and any other from its selector', async () => {
    // 2027: the same county's files with the year's periods moved on.
    const next = join(h.work, 'next/dataset');
    await cp(dataset, next, { recursive: true });
    for (const name of await readdir(next)) {
      const body = await readFile(join(next, name), 'utf8');
      await writeFile(
        join(next, name),
        body
          .replace(/\b2026-(\d\d)\b/g, '2027-$1')
          .replace('"year": 2026', '"year": 2027')
          .replace(/^2026,/m, '2027,'),
      );
    }
    expect(await readFile(join(next, 'scheme.json'), 'utf8')).toContain('"year": 2027');
    await open(office, 'upload', '数据导入');
    await office.getByLabel('数据集文件夹').setInputFiles(next);
    await office.getByRole('button', { name: '导入数据集' }).click();
    await office
      .getByText(/导入成功|操作未成功|未导入/)
      .first()
      .waitFor();
    expect(await office.getByRole('alert').allTextContents()).toEqual([]);
    // Versions are numbered across the community's years.
    await office.getByText(/^导入成功：county7 2027 年，第 \d+ 版（office1）$/).waitFor();

    await open(office, 'cycles', '周期看板');
    const year = office.getByLabel('年度');
    await expect.poll(() => year.inputValue()).toBe('2027');
    expect(await year.locator('option').allTextContents()).toEqual(['2026', '2027']);
    await office.getByRole('button', { name: '开始 2027-01', exact: true }).waitFor();
    expect(await office.locator('#corrections-table').count()).toBe(0);

    await year.selectOption('2026');
    const april = office.locator('[data-period="2026-04"]');
    await april.waitFor();
    expect(await text(april)).toContain('已完成');
    // March (approved), February (rejected), Q1 (approved).
    expect(await office.locator('#corrections-table tbody tr').count()).toBe(3);
    expect(await office.locator('[data-period="2027-01"]').count()).toBe(0);
  });

  it('raised no script error in any page', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
