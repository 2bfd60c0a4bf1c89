/**
 * Withholding end to end (issue 16) on DynamoDB Local and the real state machines: the tiny dataset with a
 * deductions.csv is imported, a month runs, and its sheet (JSON, CSV) and bank files (the generic 批量代发
 * preset, read back as GBK, and the plain bank CSV) pay 实发 = 应发 − 代扣 per person. Deductions imported
 * after the month ran are the ones paid; above a person's gross the export is refused; without the file the
 * sheet and bank file are what they always were.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBankFormat } from '../../../shared/app/bank-export.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { runCycleToEnd } from '../../../shared/app/year-runner.js';
import { ExportError } from '../../../shared/export/errors.js';
import type { LocalRuntime } from '../../../shared/local/runtime.js';
import { exportBank, exportSheet, writeReportsAndSheets } from '../../../shared/reports/index.js';
import { type Files, openTestRuntime, tinyAs } from '../../reliability/helpers.js';

const C = 'withhold';
const PERIOD = '2026-01';
let rt: LocalRuntime;
let files: Files;
let out: string;

beforeAll(async () => {
  rt = await openTestRuntime();
  files = tinyAs(C);
  out = await mkdtemp(join(tmpdir(), 'medcomm-deductions-'));
}, 120_000);

afterAll(async () => {
  await rt?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

/** "-1234.5" → fen, read from the text (no floating point). */
function fen(text: string): number {
  const negative = text.trim().startsWith('-');
  const [int, frac = ''] = text.trim().replace('-', '').split('.');
  const value = Number(int) * 100 + Number(frac.padEnd(2, '0').slice(0, 2));
  return negative ? -value : value;
}

const staffRows = () =>
  parseCsv(files['staff.csv'] as string, { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];

/** deductions.csv of the given rows, and what each person's rows of `period` add up to, in fen. */
function deductionsCsv(rows: [period: string, staffId: string, kind: string, amount: string][]) {
  const withheld = new Map<string, number>();
  for (const [period, staffId, , amount] of rows) {
    if (period === PERIOD) withheld.set(staffId, (withheld.get(staffId) ?? 0) + fen(amount));
  }
  const text = `period,staffId,kind,amount\n${rows.map((r) => r.join(',')).join('\n')}\n`;
  return { text, withheld };
}

const request = { communityId: C, period: PERIOD, by: 'hr1' } as const;

interface JsonLine {
  staffId: string;
  gross: string;
  deductions?: string;
  net?: string;
}
const sheetJson = async () =>
  JSON.parse(
    String((await exportSheet(rt.repos, { ...request, kind: 'monthly', format: 'json' })).content),
  ) as JsonLine[];

/** The 批量代发 preset's files, decoded as GBK: account → amount in fen (and no 合计 row among them). */
async function presetPayments(): Promise<Map<string, number>> {
  const exported = await exportBankFormat(rt.repos, { ...request, kind: 'monthly', format: '批量代发' });
  const paid = new Map<string, number>();
  for (const file of exported.files) {
    const text = new TextDecoder('gb18030', { fatal: true }).decode(file.content);
    const rows = parseCsv(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    for (const row of rows) {
      expect(row['收款账号']).toMatch(/^\d+$/);
      expect(paid.has(row['收款账号']!)).toBe(false);
      paid.set(row['收款账号']!, fen(row['金额']!));
    }
  }
  return paid;
}

/** The plain bank CSV (工号, 姓名, 银行账号, 金额 and a 合计 row): staffId → amount in fen. */
async function plainPayments(): Promise<Map<string, number>> {
  const exported = await exportBank(rt.repos, { ...request, kind: 'monthly', format: 'csv' });
  const rows = parseCsv(String(exported.content).replace('\uFEFF', ''), { columns: true }) as Record<
    string,
    string
  >[];
  return new Map(rows.filter((r) => r['工号'] !== '合计').map((r) => [r['工号']!, fen(r['金额']!)]));
}

/** What each account should be paid: the sheet's net (or gross), for every person with a positive amount. */
function expectedByAccount(lines: JsonLine[], pick: (l: JsonLine) => string): Map<string, number> {
  const accountOf = new Map(staffRows().map((s) => [s.staffId!, s.bankAccount!]));
  const byAccount = new Map<string, number>();
  for (const line of lines) {
    const account = accountOf.get(line.staffId)!;
    byAccount.set(account, (byAccount.get(account) ?? 0) + fen(pick(line)));
  }
  for (const [account, amount] of byAccount) if (amount <= 0) byAccount.delete(account);
  return byAccount;
}

describe('deductions.csv through a month to the bank', () => {
  const staffIds = () => staffRows().map((s) => s.staffId!);

  it('imports it with the dataset, runs the month, and pays 实发 = 应发 − 代扣 in the sheet and both bank files', async () => {
    const [a, b, c] = staffIds();
    const { text, withheld } = deductionsCsv([
      [PERIOD, a!, '个税', '12.34'],
      [PERIOD, a!, '公积金', '200'],
      [PERIOD, b!, '养老', '0.05'],
      [PERIOD, c!, '其他', '0'],
      ['2026-02', a!, '个税', '99999.99'], // another month: not this month's sheet
    ]);
    await importDataset(rt.repos, { files: { ...files, 'deductions.csv': text } }, 'hr1');
    await runCycleToEnd(rt.repos, rt.workflows, {
      communityId: C,
      kind: 'monthly',
      period: PERIOD,
      by: 'office1',
      approver: 'finance1',
    });

    const lines = await sheetJson();
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      const own = withheld.get(line.staffId) ?? 0;
      expect(fen(line.deductions!), line.staffId).toBe(own);
      expect(fen(line.net!), line.staffId).toBe(fen(line.gross) - own);
    }
    expect(fen(lines.find((l) => l.staffId === a)!.deductions!)).toBe(21_234);

    const csv = String((await exportSheet(rt.repos, { ...request, kind: 'monthly', format: 'csv' })).content);
    expect(csv.split('\r\n')[0]!.split(',').slice(-3)).toEqual(['应发合计', '代扣合计', '实发合计']);

    expect(await presetPayments()).toEqual(expectedByAccount(lines, (l) => l.net!));
    const plain = await plainPayments();
    for (const line of lines) {
      if (fen(line.net!) > 0) expect(plain.get(line.staffId), line.staffId).toBe(fen(line.net!));
    }
  });

  it('pays the deductions of a later import of the year (the month ran before HR knew them)', async () => {
    const [a, , , d] = staffIds();
    const { text, withheld } = deductionsCsv([
      [PERIOD, d!, '医疗', '31.00'],
      [PERIOD, d!, '失业', '1.01'],
      [PERIOD, a!, '个税', '5'],
    ]);
    await importDataset(rt.repos, { files: { ...files, 'deductions.csv': text } }, 'hr1');
    const lines = await sheetJson();
    for (const line of lines)
      expect(fen(line.net!)).toBe(fen(line.gross) - (withheld.get(line.staffId) ?? 0));
    expect(await presetPayments()).toEqual(expectedByAccount(lines, (l) => l.net!));
    // The export's audit entry names the version whose deductions it withheld (the cycle ran on an older one).
    const current = (await rt.repos.datasets.current(C, 2026))!.version;
    const bankEntry = (await rt.repos.audit.entries(C)).filter((e) => e.action === 'export.bank').at(-1)!;
    expect(bankEntry.details.deductionsVersion).toBe(current);
    expect(bankEntry.details.datasetVersion).toBeLessThan(current);
    // The year's output (medcomm year / export all) writes the same bank file.
    await writeReportsAndSheets(rt.repos, C, 2026, out, { by: 'hr1' });
    const written = await readFile(join(out, 'monthly', PERIOD, 'bank', 'bank-transfer.csv'), 'utf8');
    const rows = parseCsv(written.replace('\uFEFF', ''), { columns: true }) as Record<string, string>[];
    const paid = new Map(rows.filter((r) => r['工号'] !== '合计').map((r) => [r['工号']!, fen(r['金额']!)]));
    const expected = new Map(lines.filter((l) => fen(l.net!) > 0).map((l) => [l.staffId, fen(l.net!)]));
    expect(paid).toEqual(expected);
  });

  it('refuses the sheet and the bank file when a person’s deductions exceed the month’s gross', async () => {
    const lines = await sheetJson();
    const person = lines.find((l) => fen(l.gross) > 0)!;
    const over = (fen(person.gross) + 1) / 100;
    const { text } = deductionsCsv([[PERIOD, person.staffId, '个税', over.toFixed(2)]]);
    await importDataset(rt.repos, { files: { ...files, 'deductions.csv': text } }, 'hr1');
    for (const attempt of [
      () => exportSheet(rt.repos, { ...request, kind: 'monthly', format: 'csv' }),
      () => exportBankFormat(rt.repos, { ...request, kind: 'monthly', format: '批量代发' }),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExportError);
      expect((error as Error).message).toContain(person.staffId);
      expect((error as Error).message).toContain(PERIOD);
      expect((error as Error).message).toMatch(/代扣超过当月应发.* \/ .*exceed the month's gross/);
    }
  });

  it('stores a month of many rows in pages and reads every row back, in the version and its export', async () => {
    const [a, b] = staffIds();
    const rows: [string, string, string, string][] = [];
    for (let i = 0; i < 4_500; i++) rows.push([PERIOD, i % 2 ? a! : b!, '其他', '0.01']);
    rows.push(['2026-02', a!, '个税', '1.00']);
    const { text, withheld } = deductionsCsv(rows);
    const pointer = await importDataset(rt.repos, { files: { ...files, 'deductions.csv': text } }, 'hr1');
    const version = (await rt.repos.datasets.current(C, 2026))!.version;
    expect(pointer).toBeDefined();
    const stored = await rt.repos.datasets.deductions(C, version, PERIOD);
    expect(stored).toHaveLength(4_500);
    expect(await rt.repos.datasets.deductions(C, version, '2026-02')).toHaveLength(1);
    expect(await rt.repos.datasets.deductions(C, version, '2026-03')).toBeUndefined();
    const loaded = await rt.repos.datasets.load(C, version);
    expect(loaded.deductions).toHaveLength(4_501);
    const lines = await sheetJson();
    for (const line of lines) expect(fen(line.deductions!)).toBe(withheld.get(line.staffId) ?? 0);
    expect(withheld.get(a!)).toBe(2_250);
  });

  it('without deductions.csv the sheet has no 代扣/实发 and the bank file pays 应发', async () => {
    await importDataset(rt.repos, { files }, 'hr1');
    const version = (await rt.repos.datasets.current(C, 2026))!.version;
    expect(await rt.repos.datasets.deductions(C, version, PERIOD)).toBeUndefined();
    expect('deductions' in (await rt.repos.datasets.load(C, version))).toBe(false);
    const lines = await sheetJson();
    for (const line of lines) {
      expect(line).not.toHaveProperty('deductions');
      expect(line).not.toHaveProperty('net');
    }
    const csv = String((await exportSheet(rt.repos, { ...request, kind: 'monthly', format: 'csv' })).content);
    expect(csv.split('\r\n')[0]!.split(',').at(-1)).toBe('应发合计');
    expect(await presetPayments()).toEqual(expectedByAccount(lines, (l) => l.gross));
  });
});
