/**
 * Appeals (申诉/复核, issue 14) in a real browser: Debian's Chromium driven by playwright-core against
 * `medcomm serve`'s server (in-process, over the run's DynamoDB Local and the local state machines),
 * serving the console built into this test's own folder.
 *
 * The tiny dataset with January–March and Q1 run (through the services, as the board test covers those
 * screens). The office publishes Q1 (公示) → member1 (C01) reads C01-001's February line, follows
 * "appeal this result" and files an appeal (an appeal for another institution's staff is refused) → the
 * office sees it on the board and accepts it on the appeals page with the corrected workload row → the
 * correction waits for finance, the appellant's institution may not decide it, finance2 approves it →
 * April runs and its sheet carries each person's difference as an adjustment, summing to the correction.
 *
 * Chromium missing: skipped with a message on a workstation, a failure in CI (CI=true).
 * Screenshots go to docs/screenshots with UPDATE_SCREENSHOTS=1, to a temporary folder otherwise.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../shared/app/import-service.js';
import { runCycleToEnd } from '../../../shared/app/year-runner.js';
import { browserTestRuns, ConsoleHarness, FIXTURE, fen } from './harness.js';

const h = new ConsoleHarness({ name: 'appeals' });
const signedIn = (user: string, role: string): Promise<Page> => h.signedIn(user, role);

interface Appeal {
  id: string;
  status: string;
  institutionId: string;
  attachments: string[];
  correction?: { kind: string; period: string; revision: number };
}
interface Correction {
  kind: string;
  period: string;
  revision: number;
  status: string;
  reason?: string;
  totals: { difference: number; people: number };
  postedTo?: string;
}

let communityId: string;

/** A page of the tiny dataset's community (tenancy: `#/c/{community}/…`). */
const pageUrl = (route: string) => `${h.server.url}/#/c/${communityId}/${route}`;

async function open(page: Page, route: string, heading: string): Promise<void> {
  const url = pageUrl(route);
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** The API as the console calls it: the community's routes (`/api/communities/{c}/…`), the same token. */
async function api<T>(path: string, user: string, role: string): Promise<T> {
  const token = h.server.tokens.issue(user, role as 'hr').token;
  const addressed = path.startsWith('/api/communities/')
    ? path
    : `/api/communities/${communityId}${path.slice('/api'.length)}`;
  const url = `${h.server.url}${addressed}`;
  const response = await h.jobResult(
    await fetch(url, { headers: { authorization: `Bearer ${token}` } }),
    token,
  );
  const json = (await response.json()) as T;
  expect(response.status, `${path}: ${JSON.stringify(json).slice(0, 300)}`).toBe(200);
  return json;
}

const run = (kind: 'monthly' | 'quarterly', period: string) =>
  runCycleToEnd(h.runtime.repos, h.runtime.workflows, {
    communityId,
    kind,
    period,
    by: 'office1',
    approver: 'finance1',
  });

/** C01-001's February workload row with 120 more work points, and the file's header. */
let corrected = '';
let header = '';

describe.skipIf(!browserTestRuns('appeals'))('appeals: publish → appeal → accept → finance → paid', () => {
  beforeAll(async () => {
    await h.workFolder();
    const files: Record<string, string> = {};
    for (const name of await readdir(FIXTURE)) files[name] = await readFile(join(FIXTURE, name), 'utf8');
    communityId = (JSON.parse(files['scheme.json']!) as { community: { id: string } }).community.id;
    const workload = files['workload.csv']!.split(/\r?\n/);
    header = workload[0]!;
    const cells = workload.find((l) => l.startsWith('2026-02,C01-001,'))!.split(',');
    cells[2] = String(Number(cells[2]) + 120);
    corrected = cells.join(',');

    await h.start(async (runtime) => {
      await importDataset(runtime.repos, { files }, 'office1');
      for (const m of ['2026-01', '2026-02', '2026-03']) await run('monthly', m);
      await run('quarterly', '2026-Q1');
    });
  }, 300_000);

  afterAll(() => h.stop());

  it('a member cannot appeal before the office publishes; then the office publishes Q1', {
    timeout: 180_000,
  }, async () => {
    const member = await signedIn('member1', 'member');
    await open(member, 'appeals', '申诉与复核');
    await member.getByLabel('期间').fill('2026-02');
    await member.getByLabel('工号').fill('C01-001');
    await member.getByLabel('申诉理由').fill('早了');
    await member.getByRole('button', { name: '提交申诉' }).click();
    await member.getByText(/尚未公示，只能在公示期内申诉/).waitFor();

    const office = await signedIn('office1', 'office');
    await open(office, 'publications', '结果公示');
    await office.getByLabel('期间').fill('2026-Q1');
    office.once('dialog', (d) => void d.accept());
    await office.getByRole('button', { name: '公示', exact: true }).click();
    await office.getByText('已公示 2026-Q1').waitFor();
  });

  it('member1 follows "appeal this result" from a person line and files an appeal; another institution’s staff is refused', {
    timeout: 180_000,
  }, async () => {
    const member = await signedIn('member1', 'member');
    await member.goto(pageUrl('explain?period=2026-02&staff=C01-001'));
    await member.getByTestId('person-explanation').waitFor();
    await member.getByRole('link', { name: '对此结果申诉' }).click();
    await member.getByRole('heading', { level: 1, name: '申诉与复核' }).waitFor();
    expect(await member.getByLabel('期间').inputValue()).toBe('2026-02');
    expect(await member.getByLabel('工号').inputValue()).toBe('C01-001');

    await member.getByLabel('工号').fill('C02-001');
    await member.getByLabel('申诉理由').fill('试探');
    await member.getByRole('button', { name: '提交申诉' }).click();
    await member.getByText(/C02-001 不是 C01 的职工/).waitFor();

    await member.getByLabel('工号').fill('C01-001');
    await member.getByLabel('申诉理由').fill('2 月 12 日手术 120 分漏记');
    await member.getByLabel(/附件名称/).fill('手术记录-0212.pdf, 排班表.xlsx');
    await member.getByRole('button', { name: '提交申诉' }).click();
    await member.getByText('已提交申诉 2026-0001').waitFor();
    // The list reloads after the notice: wait for the appeal's row.
    const row = member.locator('#appeals tbody tr').filter({ hasText: '2026-0001' });
    await row.waitFor();
    expect(await member.locator('#appeals tbody tr').count()).toBe(1);
    expect(await row.textContent()).toContain('待处理');
    await h.shot(member, 'member-appeal');

    const { appeals } = await api<{ appeals: Appeal[] }>(
      '/api/communities/county7/appeals',
      'member1',
      'member',
    );
    expect(appeals).toEqual([
      expect.objectContaining({
        id: '2026-0001',
        status: 'open',
        institutionId: 'C01',
        attachments: ['手术记录-0212.pdf', '排班表.xlsx'],
      }),
    ]);
  });

  it('the office sees it on the board and accepts it with the corrected row, opening a correction', {
    timeout: 180_000,
  }, async () => {
    const office = await signedIn('office1', 'office');
    await open(office, 'cycles', '周期看板');
    const boardRow = office.locator('#appeals tbody tr').filter({ hasText: '2026-0001' });
    await boardRow.waitFor();
    expect(await boardRow.textContent()).toContain('待处理');

    await open(office, 'appeals', '申诉与复核');
    await office.getByRole('button', { name: '处理申诉 2026-0001' }).click();
    await office.getByLabel(/处理理由/).fill('核实手术记录，工分漏记属实');
    await office.getByLabel('更正的文件').selectOption('workload.csv');
    // A row of another month is refused, naming file, row and column.
    await office.getByLabel(/更正后的行/).fill(`${header}\n2026-03,C01-001,1,90,20,20\n`);
    office.once('dialog', (d) => void d.accept());
    await office.getByRole('button', { name: '受理并发起更正' }).click();
    await office.getByText(/workload\.csv 第 2 行 period/).waitFor();

    await office.getByLabel(/更正后的行/).fill(`${header}\n${corrected}\n`);
    await h.shot(office, 'office-appeal-queue');
    let question = '';
    office.once('dialog', (d) => {
      question = d.message();
      void d.accept();
    });
    await office.getByRole('button', { name: '受理并发起更正' }).click();
    await office.getByText(/已受理申诉 2026-0001：更正 2026-02 r2/).waitFor();
    expect(question).toContain('2026-0001');
    await office.locator('#appeals tbody tr').filter({ hasText: '已受理' }).waitFor();

    const { corrections } = await api<{ corrections: Correction[] }>(
      '/api/communities/county7/corrections',
      'office1',
      'office',
    );
    expect(corrections).toEqual([
      expect.objectContaining({
        kind: 'monthly',
        period: '2026-02',
        revision: 2,
        status: 'awaiting_review',
        reason: '申诉 2026-0001: 核实手术记录，工分漏记属实',
      }),
    ]);
  });

  it('finance2 reviews and approves the correction; April’s sheet pays each difference', {
    timeout: 180_000,
  }, async () => {
    const finance = await signedIn('finance2', 'finance');
    await open(finance, 'reviews', '财务审核');
    const card = finance.locator('[data-correction="2026-02"]');
    await card.waitFor();
    finance.once('dialog', (d) => void d.accept());
    await card.getByRole('button', { name: '审核通过更正 2026-02' }).click();
    await finance.getByText('更正 2026-02 r2 已审核通过，差额计入 2026-04').waitFor();

    const { corrections } = await api<{ corrections: Correction[] }>(
      '/api/communities/county7/corrections',
      'finance2',
      'finance',
    );
    const correction = corrections.find((c) => c.period === '2026-02')!;
    expect(correction).toMatchObject({ status: 'completed', postedTo: '2026-04' });
    // More points for one person moves shares within C01's fixed pool: several people change, and the
    // differences cancel out in total (checked per person below against April's adjustments).
    expect(correction.totals.people).toBeGreaterThan(1);

    await run('monthly', '2026-04');
    type Line = { staffId: string; adjustment: string; gross: string };
    const february = (revision: number) =>
      h.runtime.repos.results.payLines<{ staffId: string; gross: number }>({
        communityId,
        kind: 'monthly',
        period: '2026-02',
        revision,
      });
    const [before, after, april] = await Promise.all([
      february(1),
      february(correction.revision),
      api<Line[]>('/api/communities/county7/sheets/monthly/2026-04?format=json', 'hr1', 'hr'),
    ]);
    const old = new Map(before.flatMap((p) => p.lines).map((l) => [l.staffId, l.gross]));
    const own = new Map<string, number>();
    for (const line of (await readFile(join(FIXTURE, 'adjustments.csv'), 'utf8')).split(/\r?\n/).slice(1)) {
      const [period, staffId, amount] = line.split(',');
      if (period === '2026-04') own.set(staffId!, (own.get(staffId!) ?? 0) + fen(amount!));
    }
    const paid = new Map(april.map((l) => [l.staffId, fen(l.adjustment) - (own.get(l.staffId) ?? 0)]));
    let sum = 0;
    for (const line of after.flatMap((p) => p.lines)) {
      const difference = line.gross - (old.get(line.staffId) ?? 0);
      expect([line.staffId, paid.get(line.staffId) ?? 0]).toEqual([line.staffId, difference]);
      sum += difference;
    }
    expect(sum).toBe(correction.totals.difference);

    // The audit trail holds the appeal, its acceptance and the correction it opened.
    const trail = await api<{ entries: { action: string; subject: string }[] }>(
      '/api/communities/county7/audit?limit=1000',
      'auditor1',
      'auditor',
    );
    const actions = trail.entries.map((e) => e.action);
    for (const action of ['appeal.file', 'appeal.accept', 'correction.start', 'correction.approve'])
      expect(actions).toContain(action);
    expect(h.pageErrors).toEqual([]);
  });
});
