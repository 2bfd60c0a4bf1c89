/**
 * The tiny dataset's whole year through the real workflows on DynamoDB Local, then every report, XLSX
 * sheet and bank file writeReportsAndSheets writes — read back with the independent zip/XML reader and
 * checked amount by amount against the §8.1 JSON that writeYearResults wrote from the same store.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerExportCommand } from '../../../cli/export.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { writeYearResults } from '../../../shared/app/results-writer.js';
import { runYear } from '../../../shared/app/year-runner.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import {
  AnnualAppraisalReport,
  exportBank,
  exportReport,
  exportSheet,
  MonthlyDispatchReport,
  QuarterlyBulletinReport,
  type WrittenReports,
  writeReportsAndSheets,
} from '../../../shared/reports/index.js';
import { decimalToFen, readXlsx, type XlsxBook, type XlsxCell } from '../../unit/export/xlsx-reader.js';
import { unbalancedTags } from '../../unit/reports/well-formed.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const DATASET = join(import.meta.dirname, '../../fixtures/tiny/dataset');
const EXPECTED = join(import.meta.dirname, '../../fixtures/tiny/expected');
const MONTHS = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);
const QUARTERS = ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'];

/** Pay-sheet columns (shared/export/labels.ts): 7 text columns, then the six amounts. */
const COL = {
  institutionId: 2,
  staffId: 5,
  basic: 8,
  reward: 9,
  quarterlySurplus: 10,
  annualBonus: 11,
  adjustment: 12,
  gross: 13,
} as const;
type AmountKey = 'basic' | 'reward' | 'quarterlySurplus' | 'annualBonus' | 'adjustment' | 'gross';
const AMOUNTS: AmountKey[] = ['basic', 'reward', 'quarterlySurplus', 'annualBonus', 'adjustment', 'gross'];

let rt: LocalRuntime;
let out: string;
let communityId: string;
let written: WrittenReports;
let endpoint: string;
let tableName: string;

const text = (path: string) => readFile(join(out, path), 'utf8');
const json = async <T = unknown>(path: string) => JSON.parse(await text(path)) as T;
const book = async (path: string) => readXlsx(await readFile(join(out, path)));

function fen(cell: XlsxCell | undefined): number {
  if (!cell) return 0; // an empty money cell (the writer leaves fillers blank) is no amount
  expect(cell.type, `${cell.ref} is a number`).toBe('n');
  expect(cell.hasFormula).toBe(false);
  return decimalToFen(cell.text);
}

interface SheetRow {
  institutionId: string;
  staffId: string;
  amounts: Record<AmountKey, number>;
}

/** Every staff row of every institution sheet, and each sheet's 合计 row, read cell by cell. */
function staffRows(workbook: XlsxBook): { rows: SheetRow[]; totals: Map<string, Record<AmountKey, number>> } {
  const rows: SheetRow[] = [];
  const totals = new Map<string, Record<AmountKey, number>>();
  for (const sheet of workbook.sheets.slice(1)) {
    let institutionId = '';
    for (let r = 2; r <= sheet.rowCount; r++) {
      const cells = sheet.row(r);
      const amounts = Object.fromEntries(AMOUNTS.map((k) => [k, fen(cells[COL[k] - 1])])) as Record<
        AmountKey,
        number
      >;
      if (cells[0]?.text === '合计') {
        totals.set(institutionId, amounts);
        break;
      }
      institutionId = cells[COL.institutionId - 1]!.text;
      rows.push({ institutionId, staffId: cells[COL.staffId - 1]!.text, amounts });
    }
  }
  return { rows, totals };
}

/** The 汇总 sheet: institution → its amounts; '合计' → the grand total. */
function summaryRows(workbook: XlsxBook): Map<string, Record<AmountKey, number>> {
  const summary = workbook.sheets[0]!;
  expect(summary.name).toBe('汇总');
  const out = new Map<string, Record<AmountKey, number>>();
  for (let r = 2; r <= summary.rowCount; r++) {
    const cells = summary.row(r);
    const key = cells[0]?.text;
    if (!key || key.startsWith('期间') || key.startsWith('数据来源')) continue;
    // 汇总 columns: 机构编码, 机构名称, 人数, then the six amounts.
    out.set(
      key,
      Object.fromEntries(AMOUNTS.map((k, i) => [k, fen(cells[3 + i])])) as Record<AmountKey, number>,
    );
  }
  return out;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Checks a sheet against the contract rows: same people in the same order, every amount, every total. */
function checkSheet(
  workbook: XlsxBook,
  expected: { institutionId: string; staffId: string; amounts: Partial<Record<AmountKey, number>> }[],
) {
  const { rows, totals } = staffRows(workbook);
  expect(rows.map((r) => `${r.institutionId}/${r.staffId}`)).toEqual(
    expected.map((e) => `${e.institutionId}/${e.staffId}`),
  );
  rows.forEach((row, i) => {
    const want = {
      basic: 0,
      reward: 0,
      quarterlySurplus: 0,
      annualBonus: 0,
      adjustment: 0,
      ...expected[i]!.amounts,
    };
    const gross =
      want.gross ?? want.basic + want.reward + want.quarterlySurplus + want.annualBonus + want.adjustment;
    expect(row.amounts, `${row.staffId}`).toEqual({ ...want, gross });
  });
  const summary = summaryRows(workbook);
  const institutions = [...new Set(rows.map((r) => r.institutionId))];
  for (const id of institutions) {
    const mine = rows.filter((r) => r.institutionId === id);
    const expectedTotal = Object.fromEntries(AMOUNTS.map((k) => [k, sum(mine.map((r) => r.amounts[k]))]));
    expect(totals.get(id), `${id} 合计`).toEqual(expectedTotal);
    expect(summary.get(id), `${id} on 汇总`).toEqual(expectedTotal);
  }
  expect(summary.get('合计')).toEqual(
    Object.fromEntries(AMOUNTS.map((k) => [k, sum(rows.map((r) => r.amounts[k]))])),
  );
}

const staffCsv = async () =>
  parseCsv(await readFile(join(DATASET, 'staff.csv')), { columns: true, bom: true }) as {
    staffId: string;
    bankAccount: string;
  }[];

beforeAll(async () => {
  endpoint = dynamoEndpoint();
  tableName = `reports-${Date.now().toString(36)}`;
  rt = await openLocalRuntime({ endpoint, tableName });
  const imported = await importDataset(rt.repos, { dir: DATASET }, 'office1');
  communityId = imported.pointer.communityId;
  await runYear(rt.repos, rt.workflows, { communityId, year: 2026, by: 'office1', approver: 'finance1' });
  out = await mkdtemp(join(tmpdir(), 'medcomm-reports-'));
  await writeYearResults(rt.repos, communityId, 2026, out);
  written = await writeReportsAndSheets(rt.repos, communityId, 2026, out, { by: 'office1' });
}, 240_000);

afterAll(async () => {
  await rt?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

describe('writeReportsAndSheets on the tiny year', () => {
  it('writes the reports, XLSX sheets and bank files of every completed cycle in the results layout', () => {
    const expected = [
      ...MONTHS.flatMap((m) =>
        [
          'report.json',
          'report.html',
          'paysheet.xlsx',
          'bank/bank-transfer.csv',
          'bank/bank-transfer.xlsx',
        ].map((f) => `monthly/${m}/${f}`),
      ),
      ...QUARTERS.flatMap((q) =>
        [
          'bulletin-report.json',
          'bulletin-report.html',
          'paysheet.xlsx',
          'bank/bank-transfer.csv',
          'bank/bank-transfer.xlsx',
        ].map((f) => `quarterly/${q}/${f}`),
      ),
      ...[
        'appraisal-report.json',
        'appraisal-report.html',
        'paysheet.xlsx',
        'leaders.xlsx',
        'bank/bank-transfer.csv',
        'bank/bank-transfer.xlsx',
        'bank/leaders-bank-transfer.csv',
        'bank/leaders-bank-transfer.xlsx',
      ].map((f) => `annual/2026/${f}`),
    ];
    expect([...written.files].sort()).toEqual(expected.sort());
    expect(written.notTransferred).toEqual([]); // everyone in the tiny dataset has an account
  });

  it('leaves the §8.1 contract files exactly as the golden results', async () => {
    for (const m of MONTHS)
      expect(await json(`monthly/${m}/paysheet.json`)).toEqual(
        JSON.parse(await readFile(join(EXPECTED, `monthly/${m}/paysheet.json`), 'utf8')),
      );
    for (const q of QUARTERS) {
      for (const f of ['bulletin.json', 'paysheet.json']) {
        expect(await json(`quarterly/${q}/${f}`)).toEqual(
          JSON.parse(await readFile(join(EXPECTED, `quarterly/${q}/${f}`), 'utf8')),
        );
      }
    }
    for (const f of ['appraisal.json', 'paysheet.json']) {
      expect(await json(`annual/2026/${f}`)).toEqual(
        JSON.parse(await readFile(join(EXPECTED, `annual/2026/${f}`), 'utf8')),
      );
    }
  });

  it('monthly XLSX: every amount and total equals paysheet.json', async () => {
    for (const m of MONTHS) {
      const contract = await json<
        {
          institutionId: string;
          staffId: string;
          basic: string;
          reward: string;
          adjustment: string;
          gross: string;
        }[]
      >(`monthly/${m}/paysheet.json`);
      checkSheet(
        await book(`monthly/${m}/paysheet.xlsx`),
        contract.map((r) => ({
          institutionId: r.institutionId,
          staffId: r.staffId,
          amounts: {
            basic: decimalToFen(r.basic),
            reward: decimalToFen(r.reward),
            adjustment: decimalToFen(r.adjustment),
            gross: decimalToFen(r.gross),
          },
        })),
      );
    }
  });

  it('quarterly and annual XLSX: every surplus reward and bonus equals paysheet.json; leaders equal appraisal.json', async () => {
    for (const q of QUARTERS) {
      const contract = await json<{ institutionId: string; staffId: string; quarterlySurplus: string }[]>(
        `quarterly/${q}/paysheet.json`,
      );
      checkSheet(
        await book(`quarterly/${q}/paysheet.xlsx`),
        contract.map((r) => ({
          institutionId: r.institutionId,
          staffId: r.staffId,
          amounts: { quarterlySurplus: decimalToFen(r.quarterlySurplus) },
        })),
      );
    }
    const annual =
      await json<{ institutionId: string; staffId: string; annualBonus: string }[]>(
        'annual/2026/paysheet.json',
      );
    checkSheet(
      await book('annual/2026/paysheet.xlsx'),
      annual.map((r) => ({
        institutionId: r.institutionId,
        staffId: r.staffId,
        amounts: { annualBonus: decimalToFen(r.annualBonus) },
      })),
    );
    const appraisal = await json<{ leaders: { staffId: string; salary: string }[] }>(
      'annual/2026/appraisal.json',
    );
    const leaders = staffRows(await book('annual/2026/leaders.xlsx')).rows;
    expect(leaders.map((r) => [r.staffId, r.amounts.annualBonus])).toEqual(
      [...appraisal.leaders]
        .sort((a, b) => (a.staffId < b.staffId ? -1 : 1))
        .map((l) => [l.staffId, decimalToFen(l.salary)]),
    );
  });

  it('bank files pay each person the gross of the sheet, to the account in staff.csv, CSV and XLSX alike', async () => {
    const accounts = new Map((await staffCsv()).map((s) => [s.staffId, s.bankAccount]));
    const cases: { dir: string; stem: string; pay: Promise<Map<string, number>> }[] = [
      ...MONTHS.map((m) => ({
        dir: `monthly/${m}`,
        stem: 'bank-transfer',
        pay: json<{ staffId: string; gross: string }[]>(`monthly/${m}/paysheet.json`).then(
          (rows) => new Map(rows.map((r) => [r.staffId, decimalToFen(r.gross)])),
        ),
      })),
      ...QUARTERS.map((q) => ({
        dir: `quarterly/${q}`,
        stem: 'bank-transfer',
        pay: json<{ staffId: string; quarterlySurplus: string }[]>(`quarterly/${q}/paysheet.json`).then(
          (rows) => new Map(rows.map((r) => [r.staffId, decimalToFen(r.quarterlySurplus)])),
        ),
      })),
      {
        dir: 'annual/2026',
        stem: 'bank-transfer',
        pay: json<{ staffId: string; annualBonus: string }[]>('annual/2026/paysheet.json').then(
          (rows) => new Map(rows.map((r) => [r.staffId, decimalToFen(r.annualBonus)])),
        ),
      },
      {
        dir: 'annual/2026',
        stem: 'leaders-bank-transfer',
        pay: json<{ leaders: { staffId: string; salary: string }[] }>('annual/2026/appraisal.json').then(
          (a) => new Map(a.leaders.map((l) => [l.staffId, decimalToFen(l.salary)])),
        ),
      },
    ];
    for (const c of cases) {
      const pay = new Map([...(await c.pay)].filter(([, amount]) => amount !== 0));
      const csvRows = parseCsv(await readFile(join(out, c.dir, 'bank', `${c.stem}.csv`)), {
        bom: true,
        trim: true,
      }) as string[][];
      expect(csvRows[0]).toEqual(['工号', '姓名', '银行账号', '金额']);
      const body = csvRows.slice(1, -1);
      expect(new Map(body.map((r) => [r[0]!, decimalToFen(r[3]!)])), c.dir).toEqual(pay);
      for (const r of body) expect(r[2]).toBe(accounts.get(r[0]!));
      expect(csvRows.at(-1)).toEqual(['合计', '', '', (sum([...pay.values()]) / 100).toFixed(2)]);

      const sheet = (await book(`${c.dir}/bank/${c.stem}.xlsx`)).sheets[0]!;
      const xlsxPay = new Map<string, number>();
      for (let r = 2; r <= sheet.rowCount; r++) {
        const cells = sheet.row(r);
        if (cells[0]?.text === '合计') {
          expect(fen(cells[3])).toBe(sum([...pay.values()]));
          break;
        }
        expect(cells[2]!.text).toBe(accounts.get(cells[0]!.text));
        expect(cells[2]!.type).not.toBe('n');
        xlsxPay.set(cells[0]!.text, fen(cells[3]));
      }
      expect(xlsxPay).toEqual(pay);
    }
  });

  it('report JSON matches the schemas and agrees with the contract files', async () => {
    for (const m of MONTHS) {
      const report = MonthlyDispatchReport.parse(await json(`monthly/${m}/report.json`));
      const contract = await json<{ gross: string }[]>(`monthly/${m}/paysheet.json`);
      expect(report.totals.gross).toBe(sum(contract.map((r) => decimalToFen(r.gross))));
    }
    for (const q of QUARTERS) {
      const report = QuarterlyBulletinReport.parse(await json(`quarterly/${q}/bulletin-report.json`));
      const contract = await json<{
        institutions: {
          institutionId: string;
          score: string;
          grade: string;
          rank: number;
          change: string | null;
        }[];
      }>(`quarterly/${q}/bulletin.json`);
      expect(
        report.institutions.map((i) => ({
          institutionId: i.institutionId,
          score: i.score,
          grade: i.grade,
          rank: i.rank,
          change: i.change,
        })),
      ).toEqual(
        contract.institutions.map((i) => ({
          institutionId: i.institutionId,
          score: i.score,
          grade: i.grade,
          rank: i.rank,
          change: i.change,
        })),
      );
      expect(report.redList.map((r) => r.institutionId)).toEqual(
        contract.institutions.filter((i) => i.grade === '不合格').map((i) => i.institutionId),
      );
      expect(report.trend.periods).toEqual(QUARTERS.slice(0, QUARTERS.indexOf(q) + 1));
    }
    const annual = AnnualAppraisalReport.parse(await json('annual/2026/appraisal-report.json'));
    const appraisal = await json<{
      communityScore: string;
      institutions: {
        institutionId: string;
        reserve: string;
        annualBonusPool: string;
        nextApprovedTotal: string;
      }[];
    }>('annual/2026/appraisal.json');
    expect(annual.communityScore).toBe(appraisal.communityScore);
    for (const i of appraisal.institutions) {
      const mine = annual.institutions.find((x) => x.institutionId === i.institutionId)!;
      expect([mine.reserve, mine.annualBonusPool, mine.nextApprovedTotal]).toEqual([
        decimalToFen(i.reserve),
        decimalToFen(i.annualBonusPool),
        decimalToFen(i.nextApprovedTotal),
      ]);
    }
    expect(annual.trend.periods).toEqual(QUARTERS);
  });

  it('the annual lineage adds up: Σ month locks = reserve, Σ monthly pools = R, Σ quarterly pools = the bulletins', async () => {
    const annual = AnnualAppraisalReport.parse(await json('annual/2026/appraisal-report.json'));
    const march = MonthlyDispatchReport.parse(await json('monthly/2026-03/report.json'));
    for (const inst of annual.institutions) {
      const pool = (kind: string) =>
        annual.lineage.find((p) => p.pool === kind && p.institutionId === inst.institutionId)!;
      const reserve = pool('reserve');
      expect(reserve.amount).toBe(inst.reserve);
      expect(reserve.sources.map((s) => s.period)).toEqual(MONTHS);
      expect(sum(reserve.sources.map((s) => s.amount ?? 0))).toBe(inst.reserve);
      expect(
        reserve.sources.every((s) => s.revision === 1 && s.datasetVersion === 1 && s.schemeYear === 2026),
      ).toBe(true);
      const monthlyPool = pool('monthly_reward');
      expect(monthlyPool.amount).toBe(
        march.institutions.find((i) => i.institutionId === inst.institutionId)!.reward,
      );
      let quarterly = 0;
      for (const q of QUARTERS) {
        const bulletin = await json<{ institutions: { institutionId: string; pool: string }[] }>(
          `quarterly/${q}/bulletin.json`,
        );
        quarterly += decimalToFen(
          bulletin.institutions.find((i) => i.institutionId === inst.institutionId)!.pool,
        );
      }
      expect(pool('quarterly_surplus').amount).toBe(quarterly);
      expect(pool('annual_bonus').amount).toBe(inst.reserveReleased + inst.insurancePayPart);
    }
  });

  it('HTML pages are whole documents with inline SVG charts, and no report shows a bank account', async () => {
    const accounts = (await staffCsv()).map((s) => s.bankAccount).filter(Boolean);
    const pages = [
      ...MONTHS.map((m) => `monthly/${m}/report`),
      ...QUARTERS.map((q) => `quarterly/${q}/bulletin-report`),
      'annual/2026/appraisal-report',
    ];
    for (const p of pages) {
      const page = await text(`${p}.html`);
      expect((page.match(/<html[\s>]/g) ?? []).length, p).toBe(1);
      expect(page.trimEnd().endsWith('</html>')).toBe(true);
      expect(unbalancedTags(page), p).toEqual([]);
      expect(page).toMatch(/<svg class="chart"[^>]*>[\s\S]*?<\/svg>/);
      expect(page).toMatch(/@page\s*\{[^}]*A4/);
      expect(page).not.toMatch(/<script/i);
      const report = await text(`${p}.json`);
      for (const account of accounts) {
        expect(page, p).not.toContain(account);
        expect(report, p).not.toContain(account);
      }
    }
    const annual = await text('annual/2026/appraisal-report.html');
    expect((annual.match(/<svg class="chart"/g) ?? []).length).toBeGreaterThanOrEqual(4);
    for (const q of QUARTERS) expect(annual).toContain(`>${q}</text>`);
  });

  it('records the export of the whole year, with its bank files, in the audit trail', async () => {
    const entries = await rt.repos.audit.entries(communityId);
    const entry = entries.findLast((e) => e.action === 'export.all')!;
    expect(entry).toMatchObject({ actor: 'office1', subject: 'year 2026' });
    expect(String(entry.details.bankFiles)).toContain('annual/2026/bank/leaders-bank-transfer.csv');
  });
});

describe('single exports (what the CLI and the HTTP API call)', () => {
  it('a bank export gives the same file as the year writer and records who took it', async () => {
    const file = await exportBank(rt.repos, {
      communityId,
      kind: 'monthly',
      period: '2026-06',
      format: 'csv',
      by: 'hr1',
      target: 'test',
    });
    expect(file.content).toBe(await text('monthly/2026-06/bank/bank-transfer.csv'));
    expect(file.notTransferred).toEqual([]);
    const entry = (await rt.repos.audit.entries(communityId)).at(-1)!;
    expect(entry).toMatchObject({ actor: 'hr1', action: 'export.bank', subject: 'monthly 2026-06 r1' });
    expect(entry.details).toMatchObject({
      sheet: 'monthly',
      format: 'csv',
      lines: file.lines,
      target: 'test',
    });
  });

  it('sheet and report exports match the files and are audited too', async () => {
    const sheet = await exportSheet(rt.repos, {
      communityId,
      kind: 'leaders',
      period: '2026',
      format: 'json',
      by: 'hr2',
    });
    const rows = JSON.parse(sheet.content as string) as {
      staffId: string;
      annualBonus: string;
      gross: string;
    }[];
    const appraisal = await json<{ leaders: { staffId: string; salary: string }[] }>(
      'annual/2026/appraisal.json',
    );
    expect(rows.map((r) => [r.staffId, r.annualBonus])).toEqual(
      [...appraisal.leaders]
        .sort((a, b) => (a.staffId < b.staffId ? -1 : 1))
        .map((l) => [l.staffId, l.salary]),
    );
    const report = await exportReport(rt.repos, {
      communityId,
      kind: 'quarterly',
      period: '2026-Q3',
      format: 'html',
      by: 'office2',
    });
    expect(report.content).toBe(await text('quarterly/2026-Q3/bulletin-report.html'));
    const actions = (await rt.repos.audit.entries(communityId)).slice(-2).map((e) => [e.actor, e.action]);
    expect(actions).toEqual([
      ['hr2', 'export.sheet'],
      ['office2', 'export.report'],
    ]);
  });

  it('refuses a period of the wrong kind and a cycle that never ran, saying what to do', async () => {
    await expect(
      exportSheet(rt.repos, { communityId, kind: 'monthly', period: '2026-Q1', format: 'csv', by: 'x' }),
    ).rejects.toThrow(/not a monthly period/);
    await expect(
      exportBank(rt.repos, { communityId, kind: 'monthly', period: '2027-01', format: 'csv', by: 'x' }),
    ).rejects.toThrow(/run it first/);
  });

  it('medcomm export bank … --as writes the file and audits the user', async () => {
    const program = new Command('medcomm')
      .exitOverride()
      .option('--home <dir>')
      .option('--endpoint <url>')
      .option('--table <name>', '', 'medcomm')
      .option('--community <id>');
    registerExportCommand(program);
    const file = join(out, 'cli', 'bank.xlsx');
    await program.parseAsync(
      [
        '--endpoint',
        endpoint,
        '--table',
        tableName,
        'export',
        'bank',
        'annual',
        '2026',
        '--format',
        'xlsx',
        '--out',
        file,
        '--as',
        'hr3',
      ],
      { from: 'user' },
    );
    const sheet = readXlsx(await readFile(file)).sheets[0]!;
    const expected = readXlsx(await readFile(join(out, 'annual/2026/bank/bank-transfer.xlsx'))).sheets[0]!;
    expect(sheet.cells.map((c) => [c.ref, c.text])).toEqual(expected.cells.map((c) => [c.ref, c.text]));
    const entry = (await rt.repos.audit.entries(communityId)).at(-1)!;
    expect(entry).toMatchObject({ actor: 'hr3', action: 'export.bank', subject: 'annual 2026 r1' });
    expect(await readdir(join(out, 'cli'))).toEqual(['bank.xlsx']);
  });

  it('medcomm export bank … --format 代发-按单位-txt writes a GBK file per institution and a summary, paying what HR\u2019s file pays', async () => {
    const program = new Command('medcomm')
      .exitOverride()
      .option('--home <dir>')
      .option('--endpoint <url>')
      .option('--table <name>', '', 'medcomm')
      .option('--community <id>');
    registerExportCommand(program);
    const dir = join(out, 'cli-txt');
    const args = [
      'export',
      'bank',
      'monthly',
      '2026-06',
      '--format',
      '代发-按单位-txt',
      '--out',
      dir,
      '--as',
      'hr2',
    ];
    await program.parseAsync(['--endpoint', endpoint, '--table', tableName, ...args], { from: 'user' });
    const names = (await readdir(dir)).sort();
    expect(names).toEqual([
      'bank-2026-06-C01.txt',
      'bank-2026-06-C02.txt',
      'bank-2026-06-P01.txt',
      'bank-2026-06-T01.txt',
      'bank-2026-06-汇总.csv',
    ]);
    // HR's CSV (account after a TAB, amount) is the reference: the bank's files pay the same.
    const reference = parseCsv(await text('monthly/2026-06/bank/bank-transfer.csv'), { bom: true })
      .slice(1, -1) // header and 合计
      .map((row: string[]) => `${row[2]!.trim()}|${row[3]}`)
      .sort();
    const paid: string[] = [];
    for (const name of names.filter((n) => n.endsWith('.txt'))) {
      const lines = new TextDecoder('gb18030', { fatal: true })
        .decode(await readFile(join(dir, name)))
        .split('\r\n');
      expect(lines.pop()).toBe('');
      for (const line of lines) {
        const [account, , amount, purpose] = line.split('|');
        expect(purpose).toBe('2026-06月度绩效工资');
        paid.push(`${account}|${amount}`);
      }
    }
    expect(paid.sort()).toEqual(reference);
    const entry = (await rt.repos.audit.entries(communityId)).at(-1)!;
    expect(entry).toMatchObject({ actor: 'hr2', action: 'export.bank', subject: 'monthly 2026-06 r1' });
    expect(entry.details).toMatchObject({ format: '代发-按单位-txt', lines: reference.length });
  });
});
