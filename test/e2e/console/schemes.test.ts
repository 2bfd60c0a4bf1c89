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
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../../cli/serve.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { dynamoEndpoint } from '../../integration/dynamodb/helpers.js';

const ROOT = join(import.meta.dirname, '../../..');
const CONSOLE = join(ROOT, 'console');
const FIXTURE = join(ROOT, 'test/fixtures/tiny/dataset');
const CHROMIUM = process.env.MEDCOMM_CHROMIUM ?? '/usr/bin/chromium';
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (!HAVE_CHROMIUM && !IN_CI) {
  console.warn(
    `[schemes e2e] skipped: ${CHROMIUM} not found (apt-get install -y chromium, or MEDCOMM_CHROMIUM).`,
  );
}

let runtime: LocalRuntime;
let server: ApiServer;
let browser: Browser;
let work: string;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function signedIn(user: string, role: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => pageErrors.push(`${user}: ${error.message}`));
  await page.goto(`${server.url}/`);
  await page.getByLabel('角色').selectOption(role);
  // The user list follows the role after a render that also picks the role's first user: select until
  // the choice holds (on a busy machine the render can land after the selection).
  const users = page.getByLabel('用户');
  await expect
    .poll(async () => {
      await users.selectOption(user);
      return users.inputValue();
    })
    .toBe(user);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('who').filter({ hasText: user }).waitFor();
  await page.goto(`${server.url}/#/schemes`);
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
  const token = server.tokens.issue(user, role as 'office').token;
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  expect(response.status, path).toBeLessThan(300);
  return (await response.json()) as T;
}

describe.skipIf(!HAVE_CHROMIUM && !IN_CI)('schemes in the web console', () => {
  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM} is missing: CI must install it`);
    work = await mkdtemp(join(tmpdir(), 'medcomm-schemes-console-'));
    const dist = join(work, 'dist');
    const { build } = await import('vite');
    const [, rt] = await Promise.all([
      build({ root: CONSOLE, logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } }),
      openLocalRuntime({
        endpoint: dynamoEndpoint(),
        tableName: `schemes-console-${randomBytes(4).toString('hex')}`,
        workflows: { retryIntervalMs: 0 },
      }),
    ]);
    runtime = rt;
    await importDataset(runtime.repos, { dir: FIXTURE }, 'office1');
    server = await startApiServer({
      repos: runtime.repos,
      executions: runtime.workflows,
      port: 0,
      consoleDir: dist,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await server?.close();
    await runtime?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

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
    expect(pageErrors).toEqual([]);
  });
});
