/**
 * Security posture (DOMAIN.md §8: bank accounts appear only in HR's bank file and are masked in logs):
 * a whole year's output folder and everything printed while it ran hold no bank account, only the
 * roster stores them, names that are formulas come out inert, no secret is committed, and the lockfile
 * holds no release known to be malicious. (The IAM side is test/reliability/security-iam.test.ts.)
 *
 * `npm audit --omit=dev` cannot run here: the registry's advisory endpoint answers
 * `405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk`. Run it
 * (or `npm audit signatures`) in CI where the endpoint is reachable; the lockfile checks below are the
 * offline part: known-malicious releases, install scripts, integrity hashes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { yearSummary } from '../../cli/summary.js';
import { importDataset } from '../../shared/app/import-service.js';
import { writeYearResults } from '../../shared/app/results-writer.js';
import { runYear } from '../../shared/app/year-runner.js';
import { DatasetInvalidError, formatIssues, parseDatasetFiles } from '../../shared/dataset/index.js';
import type { LocalRuntime } from '../../shared/local/runtime.js';
import { writeReportsAndSheets } from '../../shared/reports/index.js';
import { HOSTILE_NAMES, setCell, withHostileNames } from '../fixtures/bad/cases.js';
import { openTestRuntime, scanTable, TINY_COMMUNITY, tinyFiles, zipText } from './helpers.js';

const ROOT = new URL('../../', import.meta.url).pathname;

let rt: LocalRuntime;
let out: string;
/** The full export set (HTML reports, XLSX sheets, bank files), as `medcomm year` writes it next to `out`. */
let exportsOut: string;
const HOSTILE_INSTITUTION = '<script>alert("机构")</script>县中医院';
const csvQuoted = (value: string) => `"${value.replaceAll('"', '""')}"`;
let printed = '';
let accounts: string[] = [];

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

beforeAll(async () => {
  const files = setCell(
    withHostileNames(tinyFiles()),
    'institutions.csv',
    3,
    'name',
    csvQuoted(HOSTILE_INSTITUTION),
  );
  const parsed = parseDatasetFiles(files);
  if (!parsed.ok) throw new Error(formatIssues(parsed.issues));
  accounts = parsed.dataset.staff.map((s) => s.bankAccount).filter((a): a is string => Boolean(a));

  // Everything the year prints, from any layer, is captured (handlers log through console on Lambda).
  const capture = (...args: unknown[]) => {
    printed += `${args.map(String).join(' ')}\n`;
  };
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation(capture),
  );
  try {
    rt = await openTestRuntime();
    await importDataset(rt.repos, { files }, 'office1');
    await runYear(rt.repos, rt.workflows, {
      communityId: TINY_COMMUNITY,
      year: 2026,
      by: 'office1',
      approver: 'finance1',
    });
    out = await mkdtemp(join(tmpdir(), 'medcomm-out-'));
    await writeYearResults(rt.repos, TINY_COMMUNITY, 2026, out);
    exportsOut = await mkdtemp(join(tmpdir(), 'medcomm-exports-'));
    await writeReportsAndSheets(rt.repos, TINY_COMMUNITY, 2026, exportsOut, { by: 'hr1' });
    capture(await yearSummary(rt.repos, TINY_COMMUNITY, 2026));
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}, 150_000);

afterAll(async () => {
  await rt?.close();
  if (out) await rm(out, { recursive: true, force: true });
  if (exportsOut) await rm(exportsOut, { recursive: true, force: true });
});

describe('bank accounts', () => {
  it('the tiny roster has them (the checks below would be empty otherwise)', () => {
    expect(accounts.length).toBe(16);
    for (const account of accounts) expect(account).toMatch(/^\d{16}$/);
  });

  it('appear in no file of the year’s results', async () => {
    const written = await filesUnder(out);
    expect(written.length).toBeGreaterThan(40);
    for (const file of written) {
      const content = await readFile(file, 'utf8');
      for (const account of accounts) expect(content.includes(account), `${account} in ${file}`).toBe(false);
    }
  });

  it('appear in the full export set only in the bank files (every XLSX cell read, not just its zip bytes)', async () => {
    const written = await filesUnder(exportsOut);
    const bank = written.filter((f) => f.includes('/bank/'));
    expect(bank.length).toBeGreaterThan(0);
    const januaryBank = await readFile(join(exportsOut, 'monthly/2026-01/bank/bank-transfer.csv'), 'utf8');
    expect(accounts.filter((a) => januaryBank.includes(a)).length).toBeGreaterThan(10);
    // The same reader finds them in the bank workbook, so it would find them in any other workbook.
    const januaryBankBook = zipText(
      await readFile(join(exportsOut, 'monthly/2026-01/bank/bank-transfer.xlsx')),
    );
    expect(accounts.filter((a) => januaryBankBook.includes(a)).length).toBeGreaterThan(10);
    for (const file of written.filter((f) => !f.includes('/bank/'))) {
      const text = file.endsWith('.xlsx') ? zipText(await readFile(file)) : await readFile(file, 'utf8');
      for (const account of accounts) expect(text.includes(account), `${account} in ${file}`).toBe(false);
    }
  });

  it('appear in nothing printed while the year ran', () => {
    expect(printed).toContain('Community score');
    for (const account of accounts) expect(printed).not.toContain(account);
  });

  it('are stored only on the roster pages of the dataset', async () => {
    const holders = (await scanTable(rt.repos)).filter((item) =>
      accounts.some((a) => JSON.stringify(item).includes(a)),
    );
    expect(holders.length).toBeGreaterThan(0);
    for (const item of holders)
      expect(`${item.pk} ${item.kind}`).toMatch(/^DSBLOB#county7#[0-9a-f]{2} roster$/);
  });

  // Sensitive columns are masked in import issues like everywhere else (shared/privacy.ts).
  it('a malformed bank account is masked in the import error', () => {
    const result = parseDatasetFiles(
      setCell(tinyFiles(), 'staff.csv', 5, 'bankAccount', '6222-0212-3456-7890'),
    );
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    const message = new DatasetInvalidError(issues).message;
    for (const shown of [JSON.stringify(issues), message]) {
      expect(shown).not.toContain('6222-0212-3456');
      expect(shown).not.toContain('622202123456');
    }
  });
});

describe('names that are formulas or HTML', () => {
  it('are escaped in every HTML report', async () => {
    const pages = (await filesUnder(exportsOut)).filter((f) => f.endsWith('.html'));
    expect(pages.length).toBeGreaterThanOrEqual(17);
    let named = 0;
    for (const page of pages) {
      const html = await readFile(page, 'utf8');
      expect(html, page).not.toContain('<script>alert(');
      expect(html, page).not.toContain('<img src=x');
      if (html.includes('&lt;script&gt;alert(')) named++;
    }
    expect(named).toBeGreaterThan(0);
  });

  it('come out of every CSV pay sheet as inert text', async () => {
    const sheets = (await filesUnder(out)).filter((f) => f.endsWith('paysheet.csv'));
    expect(sheets.length).toBeGreaterThanOrEqual(17);
    const monthly = parse(await readFile(join(out, 'monthly/2026-01/paysheet.csv'), 'utf8'), {
      bom: true,
      relax_column_count: true,
    }) as string[][];
    const cells = monthly.flat();
    for (const value of [HOSTILE_NAMES.formula, HOSTILE_NAMES.plus, HOSTILE_NAMES.at]) {
      expect(cells).toContain(`'${value}`);
      expect(cells).not.toContain(value);
    }
    // HTML is data in a CSV; it stays as written (escaping is the HTML reports' job).
    expect(cells).toContain(HOSTILE_NAMES.script);
    for (const sheet of sheets) {
      const rows = parse(await readFile(sheet, 'utf8'), {
        bom: true,
        relax_column_count: true,
      }) as string[][];
      for (const cell of rows.flat()) {
        // Only amounts may start with "-" (a deduction); no text cell starts a formula.
        if (/^[=+@\t\r]/.test(cell) || (/^-/.test(cell) && !/^-\d[\d,]*(\.\d{2})?$/.test(cell))) {
          throw new Error(`${sheet}: a cell starts a formula: ${cell}`);
        }
      }
    }
  });
});

describe('the repository', () => {
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);

  // Built from parts so this file does not match itself.
  const SECRET_PATTERNS: [string, RegExp][] = [
    ['AWS access key id', new RegExp(`${'AK'}IA[0-9A-Z]{16}`)],
    ['AWS temporary key id', new RegExp(`${'AS'}IA[0-9A-Z]{16}`)],
    ['private key', new RegExp(`-----BEGIN ([A-Z]+ )?${'PRIVATE'} KEY-----`)],
    ['AWS secret key assignment', /aws_secret_access_key\s*[=:]\s*['"]?[A-Za-z0-9/+=]{40}/i],
    ['GitHub token', new RegExp(`${'gh'}[pousr]_[A-Za-z0-9]{36}`)],
    ['Slack token', new RegExp(`${'xo'}x[baprs]-[A-Za-z0-9-]{10,}`)],
  ];

  it('has tracked files to scan', () => {
    expect(tracked.length).toBeGreaterThan(100);
    expect(tracked).toContain('package-lock.json');
  });

  it('holds no AWS keys, private keys or tokens in any tracked file', () => {
    const found: string[] = [];
    for (const file of tracked) {
      const path = join(ROOT, file);
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        continue; // deleted in the working tree
      }
      if (size > 20 * 1024 * 1024) continue;
      const content = readFileSync(path, 'latin1');
      for (const [what, pattern] of SECRET_PATTERNS)
        if (pattern.test(content)) found.push(`${file}: ${what}`);
    }
    expect(found).toEqual([]);
  });

  it('tracks no .env files, key stores or local databases', () => {
    expect(
      tracked.filter((f) =>
        /(^|\/)\.env(\.|$)|\.(pem|p12|pfx|key|jks)$|(^|\/)\.medcomm\/|shared-local-instance\.db$/.test(f),
      ),
    ).toEqual([]);
  });
});

describe('the lockfile', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    lockfileVersion: number;
    packages: Record<
      string,
      {
        version?: string;
        dev?: boolean;
        integrity?: string;
        inBundle?: boolean;
        link?: boolean;
        hasInstallScript?: boolean;
      }
    >;
  };
  const installed = Object.entries(lock.packages)
    .filter(([path]) => path !== '')
    .map(([path, entry]) => ({ name: path.replace(/^.*node_modules\//, ''), path, ...entry }));

  /** Releases published by attackers (hijacked maintainer accounts, protestware); never install these. */
  const MALICIOUS: Record<string, string[]> = {
    'event-stream': ['3.3.6'],
    'flatmap-stream': ['0.1.1'],
    'ua-parser-js': ['0.7.29', '0.8.0', '1.0.0'],
    coa: ['2.0.3', '2.0.4', '2.1.1', '2.1.3', '3.0.1', '3.1.3'],
    rc: ['1.2.9', '1.3.9', '2.3.9'],
    'node-ipc': ['9.2.2', '10.1.1', '10.1.2', '10.1.3'],
    colors: ['1.4.1', '1.4.2', '1.4.44-liberty-2'],
    faker: ['6.6.6'],
    'eslint-scope': ['3.7.2'],
    // September 2025: the chalk/debug maintainer compromise.
    chalk: ['5.6.1'],
    debug: ['4.4.2'],
    'ansi-styles': ['6.2.2'],
    'ansi-regex': ['6.2.1'],
    'strip-ansi': ['7.1.1'],
    'supports-color': ['10.2.1'],
    'wrap-ansi': ['9.0.1'],
    'color-convert': ['3.1.1'],
    'color-name': ['2.0.1'],
    'color-string': ['2.1.1'],
    color: ['5.0.1'],
    'is-arrayish': ['0.3.3'],
    'simple-swizzle': ['0.2.3'],
    'slice-ansi': ['7.1.1'],
    'has-ansi': ['6.0.1'],
    'chalk-template': ['1.1.1'],
    'supports-hyperlinks': ['4.1.1'],
    backslash: ['0.2.1'],
    'error-ex': ['1.3.3'],
    // July 2025: eslint-config-prettier and friends; August 2025: nx; September 2025: Shai-Hulud.
    'eslint-config-prettier': ['8.10.1', '9.1.1', '10.1.6', '10.1.7'],
    'eslint-plugin-prettier': ['4.2.2', '4.2.3'],
    synckit: ['0.11.9'],
    '@pkgr/core': ['0.2.8'],
    'napi-postinstall': ['0.3.1'],
    is: ['3.3.1', '5.0.0'],
    nx: ['20.9.0', '20.10.0', '20.11.0', '20.12.0', '21.5.0', '21.6.0', '21.7.0', '21.8.0'],
    '@ctrl/tinycolor': ['4.1.1', '4.1.2'],
    '@solana/web3.js': ['1.95.6', '1.95.7'],
  };

  it('is a v3 lockfile (every package pinned with its path)', () => {
    expect(lock.lockfileVersion).toBe(3);
    expect(installed.length).toBeGreaterThan(100);
  });

  it('holds no release known to be malicious', () => {
    const bad = installed
      .filter((p) => MALICIOUS[p.name]?.includes(p.version ?? ''))
      .map((p) => `${p.path}@${p.version}`);
    expect(bad).toEqual([]);
  });

  it('pins every downloaded package by an sha512 integrity hash', () => {
    const unpinned = installed
      .filter((p) => !p.inBundle && !p.link && !p.integrity?.startsWith('sha512-'))
      .map((p) => p.path);
    expect(unpinned).toEqual([]);
  });

  it('runs install scripts of known packages only (a new one deserves a review)', () => {
    const scripts = installed.filter((p) => p.hasInstallScript).map((p) => p.name);
    expect(scripts.filter((name) => !['esbuild', 'fsevents'].includes(name))).toEqual([]);
  });
});
