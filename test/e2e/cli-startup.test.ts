/**
 * Each command starts only what it needs, and leaves nothing in the temp directory. The packages a
 * command loads are recorded by a module hook (node --import): help, generate and argument errors load
 * neither the AWS SDK nor CDK nor the state machine engine; reading commands load the SDK but no state
 * machine; cycle commands load the engine, and CDK only when the definitions cache lacks their sources.
 * Every command runs with a temp directory of its own that must be empty afterwards.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoEndpoint } from '../integration/dynamodb/helpers.js';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const tiny = join(root, 'test/fixtures/tiny/dataset');
const HEAVY = ['aws-cdk-lib', 'aws-local-stepfunctions', '@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'];
let work: string;
let hook: string;
let table: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'medcomm-startup-'));
  hook = join(work, 'trace.mjs');
  // The hook's loader thread appends every package a module is loaded from to MEDCOMM_TRACE.
  const loader = `
    import { appendFileSync } from 'node:fs';
    export async function load(url, context, next) {
      const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(url);
      if (m && process.env.MEDCOMM_TRACE) appendFileSync(process.env.MEDCOMM_TRACE, m[1] + '\\n');
      return next(url, context);
    }`;
  writeFileSync(
    hook,
    `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(loader)}));\n`,
  );
  table = `startup-${Date.now()}`;
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

let runs = 0;
/** Runs a command with its own empty temp directory; returns what it printed, its exit code and the packages it loaded. */
async function medcomm(args: string[], { database = false } = {}) {
  const run = join(work, `run-${++runs}`);
  const temp = join(run, 'tmp');
  mkdirSync(temp, { recursive: true });
  const trace = join(run, 'packages.txt');
  writeFileSync(trace, '');
  const result = await exec(
    process.execPath,
    [
      join(root, 'bin/medcomm.mjs'),
      ...(database ? ['--endpoint', dynamoEndpoint(), '--table', table] : []),
      ...args,
    ],
    {
      cwd: run,
      env: { ...process.env, TMPDIR: temp, MEDCOMM_TRACE: trace, NODE_OPTIONS: `--import=${hook}` },
      maxBuffer: 16 * 1024 * 1024,
    },
  ).then(
    (r) => ({ ...r, code: 0 }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  const loaded = new Set(readFileSync(trace, 'utf8').split('\n').filter(Boolean));
  return { ...result, loaded, tempLeft: readdirSync(temp) };
}

const none = (loaded: Set<string>, names: string[]) => names.filter((n) => loaded.has(n));

describe('what each command starts', () => {
  it('help, generate, template and argument errors load neither the AWS SDK, CDK nor the state machines', {
    timeout: 120_000,
  }, async () => {
    const help = await medcomm(['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('medcomm');
    expect(help.loaded.has('commander')).toBe(true);
    // Help is commander's alone: no workbook library, no schema library either.
    expect(none(help.loaded, [...HEAVY, 'exceljs', 'zod', 'csv-parse', 'csv-stringify'])).toEqual([]);
    expect(help.tempLeft).toEqual([]);

    const generate = await medcomm([
      'generate',
      '--out',
      'county',
      '--staff',
      '60',
      '--townships',
      '2',
      '--months',
      '1',
    ]);
    expect(generate.code, generate.stderr).toBe(0);
    expect(none(generate.loaded, HEAVY)).toEqual([]);
    expect(generate.tempLeft).toEqual([]);

    const template = await medcomm(['template', '--out', 'template.xlsx']);
    expect(template.code, template.stderr).toBe(0);
    expect(none(template.loaded, HEAVY)).toEqual([]);
    // The workbook library is loaded when a workbook is written, and only then (below).
    expect(template.loaded.has('exceljs')).toBe(true);
    expect(template.tempLeft).toEqual([]);

    const missing = await medcomm(['run', 'monthly', '--as', 'office1']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("missing required argument 'period'");
    expect(none(missing.loaded, [...HEAVY, 'exceljs', 'zod'])).toEqual([]);
    expect(missing.tempLeft).toEqual([]);
  });

  it('reading commands open the database but load no state machine and no CDK; cycle commands load the state machines', {
    timeout: 240_000,
  }, async () => {
    const imported = await medcomm(['import', tiny, '--as', 'office1'], { database: true });
    expect(imported.code, imported.stderr).toBe(0);
    expect(none(imported.loaded, ['aws-cdk-lib', 'aws-local-stepfunctions'])).toEqual([]);
    // A folder of CSV files: no workbook to read, so no workbook library (~0.2 s of CPU to load).
    expect(imported.loaded.has('exceljs')).toBe(false);

    const status = await medcomm(['status'], { database: true });
    expect(status.code, status.stderr).toBe(0);
    expect(status.loaded.has('@aws-sdk/client-dynamodb')).toBe(true);
    expect(none(status.loaded, ['aws-cdk-lib', 'aws-local-stepfunctions', 'exceljs'])).toEqual([]);
    expect(status.tempLeft).toEqual([]);

    const run = await medcomm(['run', 'monthly', '2026-01', '--as', 'office1'], { database: true });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('completed');
    expect(run.loaded.has('aws-local-stepfunctions')).toBe(true);
    expect(run.loaded.has('exceljs')).toBe(false);
    expect(run.tempLeft).toEqual([]);

    // The first cycle command filled the definitions cache if it lacked these sources: the next loads no CDK.
    const next = await medcomm(['run', 'monthly', '2026-02', '--as', 'office1'], { database: true });
    expect(next.code, next.stderr).toBe(0);
    expect(next.loaded.has('aws-local-stepfunctions')).toBe(true);
    expect(next.loaded.has('aws-cdk-lib')).toBe(false);
    expect(next.tempLeft).toEqual([]);

    const sheet = await medcomm(['export', 'sheet', 'monthly', '2026-01', '--format', 'csv'], {
      database: true,
    });
    expect(sheet.code, sheet.stderr).toBe(0);
    expect(sheet.stdout).toContain('合计');
    expect(none(sheet.loaded, ['aws-cdk-lib', 'aws-local-stepfunctions', 'exceljs'])).toEqual([]);
    expect(sheet.tempLeft).toEqual([]);

    // A bank file holds full account numbers: this user's only (issue 13).
    const bank = await medcomm(
      ['export', 'bank', 'monthly', '2026-01', '--as', 'hr1', '--out', 'out/bank.csv'],
      {
        database: true,
      },
    );
    expect(bank.code, bank.stderr).toBe(0);
    expect(statSync(join(work, `run-${runs}`, 'out/bank.csv')).mode & 0o777).toBe(0o600);
    expect(statSync(join(work, `run-${runs}`, 'out')).mode & 0o777).toBe(0o700);

    const audit = await medcomm(['audit', 'verify'], { database: true });
    expect(audit.code, audit.stderr).toBe(0);
    expect(none(audit.loaded, ['aws-cdk-lib', 'aws-local-stepfunctions'])).toEqual([]);
  });

  it('keeps the embedded store for this user only', { timeout: 120_000 }, async () => {
    const home = join(work, 'home');
    const status = await medcomm(['--home', home, 'audit', 'list']);
    // A fresh store has no community yet; the command says so, and the folder is made all the same.
    expect(status.code).not.toBe(0);
    expect(status.stderr).not.toContain('DynamoDbLocalError');
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'dynamodb')).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(join(home, 'dynamodb')))
      expect(statSync(join(home, 'dynamodb', file)).mode & 0o077, file).toBe(0);
    expect(status.tempLeft).toEqual([]);
  });
});
