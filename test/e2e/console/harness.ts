/**
 * What the console's browser tests share: Debian's Chromium driven by playwright-core against `medcomm
 * serve`'s server (in-process, over the run's DynamoDB Local and the local state machines), serving the
 * console built into the test's own temporary folder (a build empties its folder first: two tests
 * building into one folder would serve each other half-written files).
 *
 * A test makes one harness, calls `workFolder()` then `start()` in its beforeAll (its own dataset and
 * seeding in between, or in `start`'s seed), `stop()` in its afterAll (browser contexts, browser, server,
 * runtime and the temporary folder), signs users in with `signedIn(user, role)` and takes screenshots
 * with `shot(page, name)`. Uncaught script errors of every page signed in are collected in `pageErrors`.
 *
 * Chromium missing: skipped with a message on a workstation, a failure in CI (CI=true).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Dialog, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { type ApiServer, startApiServer } from '../../../cli/serve.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { dynamoEndpoint } from '../../integration/dynamodb/helpers.js';

export const ROOT = join(import.meta.dirname, '../../..');
export const CONSOLE = join(ROOT, 'console');
export const FIXTURE = join(ROOT, 'test/fixtures/tiny/dataset');
export const CHROMIUM = process.env.MEDCOMM_CHROMIUM ?? '/usr/bin/chromium';
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
// The flags that work on these machines (closed network, root, no GPU); launch() adds --headless and a fresh profile.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Whether the browser test `name` runs: without Chromium it is skipped with a message on a workstation;
 * in CI it runs, and fails (`workFolder()` throws).
 */
export function browserTestRuns(name: string): boolean {
  if (!HAVE_CHROMIUM && !IN_CI) {
    console.warn(
      `[${name} e2e] skipped: ${CHROMIUM} not found. Install it with \`apt-get install -y chromium\` (or set MEDCOMM_CHROMIUM). In CI this is a failure.`,
    );
  }
  return HAVE_CHROMIUM || IN_CI;
}

/** "14,220.4" / "¥-3.07" → integer fen, from the decimal text (no float arithmetic). */
export function fen(value: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(value.replace(/[¥,\s]/g, ''));
  if (!m) throw new Error(`not an amount: ${value}`);
  const n = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -n : n;
}

/** Builds the console into `outDir` with Vite's JS API. */
export async function buildConsole(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({ root: CONSOLE, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

export interface HarnessOptions {
  /** Names the skip warning, the temporary folder (medcomm-{name}-…) and the table ({name}-…). */
  name: string;
  /** The sign-in contexts' viewport (1280×900 unless given). */
  viewport?: { width: number; height: number };
  /** The sign-in contexts accept downloads. */
  acceptDownloads?: boolean;
  /** Every dialog (window.confirm…) of a signed-in page; left to the test's own handlers unless given. */
  onDialog?: (dialog: Dialog) => void;
}

export class ConsoleHarness {
  runtime!: LocalRuntime;
  server!: ApiServer;
  browser!: Browser;
  /** The test's own temporary folder (removed by stop()); the console is built into its dist/. */
  work = '';
  readonly contexts: BrowserContext[] = [];
  /** Uncaught script errors in any signed-in page, each prefixed with its user. */
  readonly pageErrors: string[] = [];

  constructor(private readonly options: HarnessOptions) {}

  /** Makes the test's temporary folder (first in beforeAll); without Chromium (CI), throws. */
  async workFolder(): Promise<string> {
    if (!HAVE_CHROMIUM) {
      throw new Error(`${CHROMIUM} is missing: CI must install it (.ci/run: apt-get install -y chromium)`);
    }
    this.work = await mkdtemp(join(tmpdir(), `medcomm-${this.options.name}-`));
    return this.work;
  }

  /**
   * Builds the console into work/dist while a fresh table opens, runs `seed` on the runtime, then starts
   * the API server (serving that build) and the browser.
   */
  async start(seed?: (runtime: LocalRuntime) => Promise<unknown>): Promise<void> {
    const dist = join(this.work, 'dist');
    const [, runtime] = await Promise.all([
      buildConsole(dist),
      openLocalRuntime({
        endpoint: dynamoEndpoint(),
        tableName: `${this.options.name}-${randomBytes(4).toString('hex')}`,
        workflows: { retryIntervalMs: 0 },
      }),
    ]);
    this.runtime = runtime;
    await seed?.(runtime);
    this.server = await startApiServer({
      repos: runtime.repos,
      executions: runtime.workflows,
      port: 0,
      consoleDir: dist,
      // As `medcomm serve` runs: the upload page PUTs to signed links and the import workflow imports.
      uploads: { root: join(this.work, 'data') },
    });
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }

  /**
   * What a route gives once its job is done (issue 12: a whole sheet, a bank file, audit verify answer 202):
   * waits for the server's jobs, reads the job at its Location as `token`, then fetches its file by the link
   * (no token, as a browser follows it) — or answers its JSON, or its failure with the job's status.
   */
  async jobResult(started: Response, token: string): Promise<Response> {
    const location = started.headers.get('location');
    if (started.status !== 202 || !location) return started;
    await this.server.idle();
    const answer = await fetch(`${this.server.url}${location}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const job = (await answer.json()) as {
      status: string;
      errorStatus?: number;
      result?: { download?: { url: string }; json?: unknown };
    };
    if (job.result?.download) return fetch(job.result.download.url);
    return new Response(JSON.stringify(job.status === 'done' ? job.result?.json : job), {
      status: job.status === 'done' ? 200 : (job.errorStatus ?? 500),
      headers: { 'content-type': 'application/json' },
    });
  }

  /** Closes whatever started (contexts, browser, server, runtime) and removes the temporary folder. */
  async stop(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => {});
    await this.browser?.close();
    await this.server?.close();
    await this.runtime?.close();
    if (this.work) await rm(this.work, { recursive: true, force: true });
  }

  /** A full-page screenshot: into docs/screenshots with UPDATE_SCREENSHOTS=1, the temporary folder otherwise. */
  async shot(page: Page, name: string): Promise<void> {
    const folder = process.env.UPDATE_SCREENSHOTS
      ? join(ROOT, 'docs/screenshots')
      : join(this.work, 'screenshots');
    await mkdir(folder, { recursive: true });
    await page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
  }

  /**
   * A fresh browser context (own storage) signed in as `user` through the sign-in page; `beforeSignIn`
   * sees the page with the user chosen, before the sign-in button is pressed.
   */
  async signedIn(user: string, role: string, beforeSignIn?: (page: Page) => Promise<void>): Promise<Page> {
    const { viewport = { width: 1280, height: 900 }, acceptDownloads, onDialog } = this.options;
    const context = await this.browser.newContext({
      viewport,
      ...(acceptDownloads ? { acceptDownloads } : {}),
      locale: 'zh-CN',
    });
    this.contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => this.pageErrors.push(`${user}: ${error.message}`));
    if (onDialog) page.on('dialog', onDialog);
    await page.goto(`${this.server.url}/`);
    await page.getByLabel('角色').selectOption(role);
    // The user list follows the role after a render that also picks the role's first user: select until
    // the choice holds (on a busy machine the render can land after the selection, and finance1 would be
    // signed in where finance2 was chosen).
    const users = page.getByLabel('用户');
    await expect
      .poll(async () => {
        await users.selectOption(user);
        return users.inputValue();
      })
      .toBe(user);
    await beforeSignIn?.(page);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByTestId('who').filter({ hasText: user }).waitFor();
    return page;
  }
}
