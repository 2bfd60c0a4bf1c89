/**
 * Schemes in the web console, in Chromium against `medcomm serve`'s server: the office drafts a version
 * of the tiny year's scheme, changes one indicator's weight in the form, saves it, simulates it and sees
 * the winners/losers chart (its figures those of the API), and submits it; a committee member (医管会)
 * approves it and publishes it. The console is built into this test's own folder (not console/dist), so
 * it never races the other console test's build.
 *
 * UPDATE_SCREENSHOTS=1 retakes docs/screenshots/office-scheme-simulation.png.
 * Chromium missing: skipped with a message on a workstation, a failure in CI (CI=true).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../shared/app/import-service.js';
import { browserTestRuns, ConsoleHarness, FIXTURE, ROOT } from './harness.js';

const h = new ConsoleHarness({ name: 'schemes-console', viewport: { width: 1400, height: 900 } });

async function signedIn(user: string, role: string): Promise<Page> {
  const page = await h.signedIn(user, role);
  await page.goto(`${h.server.url}/#/schemes`);
  await page.getByRole('heading', { level: 1, name: '考核方案' }).waitFor();
  return page;
}

async function api<T>(
  method: 'GET' | 'POST',
  path: string,
  user: string,
  role: string,
  body?: unknown,
): Promise<T> {
  const token = h.server.tokens.issue(user, role as 'office').token;
  const response = await fetch(`${h.server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  expect(response.status, path).toBeLessThan(300);
  // A simulation is a job (issue 12): its answer once the server's jobs are done.
  if (response.status === 202) return (await (await h.jobResult(response, token)).json()) as T;
  return (await response.json()) as T;
}

describe.skipIf(!browserTestRuns('schemes'))('schemes in the web console', () => {
  beforeAll(async () => {
    await h.workFolder();
    await h.start((runtime) => importDataset(runtime.repos, { dir: FIXTURE }, 'office1'));
  }, 180_000);

  afterAll(() => h.stop());

  it('office edits a weight, simulates and sees the winners/losers chart, then submits', async () => {
    const office = await signedIn('office1', 'office');
    await office.getByTestId('scheme-in-force').filter({ hasText: '随数据集导入' }).waitFor();
    await office.getByRole('button', { name: '新建草稿' }).click();
    await office.getByRole('heading', { level: 2, name: /v1 · 草稿/ }).waitFor();
    await office.getByText('与现行方案相同').waitFor();

    const weight = office.getByLabel('primary_visit_share weight');
    expect(await weight.inputValue()).toBe('15');
    await weight.fill('25');
    await office.getByTestId('weight-sum').filter({ hasText: '115' }).waitFor();
    await office.getByRole('button', { name: '保存草稿' }).click();
    await office.getByTestId('scheme-done').filter({ hasText: '已保存第 1 版' }).waitFor();
    await office.getByTestId('scheme-diff').filter({ hasText: '权重：15 → 25' }).waitFor();

    await office.getByRole('button', { name: '模拟测算' }).click();
    const chart = office.getByTestId('simulation-chart');
    await chart.waitFor();
    // The figures on screen are the API's for the same version.
    const sim = await api<{ counts: { winners: number; losers: number }; distribution: { count: number }[] }>(
      'POST',
      '/api/communities/county7/simulations',
      'office1',
      'office',
      { year: 2026, version: 1 },
    );
    expect(sim.counts.winners + sim.counts.losers).toBeGreaterThan(0);
    expect(await office.getByTestId('winners').textContent()).toBe(`增加 ${sim.counts.winners}`);
    expect(await office.getByTestId('losers').textContent()).toBe(`减少 ${sim.counts.losers}`);
    const bars = chart.locator('g.bucket-gain, g.bucket-loss, g.bucket-zero');
    expect(await bars.count()).toBe(sim.distribution.length);
    expect(await chart.locator('g.bucket-loss').count()).toBeGreaterThan(0);
    expect(await chart.locator('g.bucket-gain').count()).toBeGreaterThan(0);
    if (process.env.UPDATE_SCREENSHOTS) {
      await office.screenshot({
        path: join(ROOT, 'docs/screenshots/office-scheme-simulation.png'),
        fullPage: true,
      });
    }

    // The office has no approve button, and submitting moves the version on.
    expect(await office.getByRole('button', { name: '审定通过' }).count()).toBe(0);
    await office.getByRole('button', { name: '提交医管会审定' }).click();
    await office.getByTestId('scheme-done').filter({ hasText: '第 1 版：待审定' }).waitFor();
  });

  it('the committee approves and publishes it; the scheme in force follows', async () => {
    const committee = await signedIn('committee1', 'committee');
    await committee.getByTestId('status-v1').filter({ hasText: '待审定' }).waitFor();
    await committee.getByRole('button', { name: '查看 v1' }).click();
    await committee.getByTestId('scheme-diff').filter({ hasText: '权重：15 → 25' }).waitFor();
    await committee.getByRole('button', { name: '审定通过' }).click();
    await committee.getByTestId('scheme-done').filter({ hasText: '第 1 版：已审定' }).waitFor();
    await committee.getByRole('button', { name: '发布' }).click();
    await committee.getByTestId('scheme-done').filter({ hasText: '第 1 版：已发布' }).waitFor();
    await committee.getByTestId('scheme-in-force').filter({ hasText: 'v1' }).waitFor();

    const overview = await api<{
      inForce: { version: number; indicators: { id: string; weight: string }[] };
    }>('GET', '/api/communities/county7/schemes', 'auditor1', 'auditor');
    expect(overview.inForce.version).toBe(1);
    expect(overview.inForce.indicators.find((i) => i.id === 'primary_visit_share')?.weight).toBe('25');
    expect(h.pageErrors).toEqual([]);
  });
});
