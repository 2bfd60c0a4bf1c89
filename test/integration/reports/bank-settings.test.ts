/**
 * The bank format chosen per community (issue 16) on DynamoDB Local and the real state machines: without a
 * setting `export bank` writes HR's CSV; `settings bank-format NAME` (audited, guarded by a revision)
 * makes NAME the default and `--format` still overrides; a community's own JSON format can be added and
 * chosen. The 代发-身份证-xls preset, read back with SheetJS, pays the sheet's amounts to the accounts on
 * file with each person's 身份证号 and 开户行 from staff.csv — which appear in no audit entry.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import XLSX from 'xlsx';
import {
  bankFormatFor,
  changePayerAccounts,
  exportBankFormat,
  setBankFormat,
  settingsOf,
} from '../../../shared/app/bank-export.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { runCycleToEnd } from '../../../shared/app/year-runner.js';
import { luhnCheckDigit } from '../../../shared/dataset/accounts.js';
import { idNumberCheck } from '../../../shared/dataset/id-number.js';
import { ExportError } from '../../../shared/export/errors.js';
import type { LocalRuntime } from '../../../shared/local/runtime.js';
import { exportSheet } from '../../../shared/reports/index.js';
import { openTestRuntime, tinyAs } from '../../reliability/helpers.js';

const C = 'banks';
const PERIOD = '2026-01';
let rt: LocalRuntime;
/** staffId → 身份证号 and 开户行 as staff.csv gives them. */
const person = new Map<string, { idNumber: string; branch: string }>();

/** tiny's staff.csv with idNumber and branch for everyone (valid numbers, one per person). */
function withIdentity(staffCsv: string): string {
  const [header, ...rows] = staffCsv.trimEnd().split('\n');
  const out = [`${header},idNumber,branch`];
  rows.forEach((row, i) => {
    const staffId = row.split(',')[0]!;
    const body = `3607811985${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}${String(i).padStart(3, '0')}`;
    const idNumber = body + idNumberCheck(body);
    const branch = `中国农业银行兴国县支行第${(i % 3) + 1}营业所`;
    person.set(staffId, { idNumber, branch });
    out.push(`${row},${idNumber},${branch}`);
  });
  return `${out.join('\n')}\n`;
}

beforeAll(async () => {
  rt = await openTestRuntime();
  const files = tinyAs(C);
  files['staff.csv'] = withIdentity(files['staff.csv']!);
  await importDataset(rt.repos, { files }, 'office1');
  await runCycleToEnd(rt.repos, rt.workflows, {
    communityId: C,
    kind: 'monthly',
    period: PERIOD,
    by: 'office1',
    approver: 'finance1',
  });
}, 180_000);

afterAll(async () => {
  await rt?.close();
});

const request = { communityId: C, kind: 'monthly', period: PERIOD, by: 'hr1' } as const;

/** What the month's sheet pays each person, in fen. */
async function sheetPays(): Promise<Map<string, number>> {
  const sheet = await exportSheet(rt.repos, { ...request, format: 'csv' });
  const json = await exportSheet(rt.repos, { ...request, format: 'json' });
  expect(sheet.content).toBeTruthy();
  const lines = JSON.parse(String(json.content)) as { staffId: string; gross: string; net?: string }[];
  const pays = new Map<string, number>();
  for (const line of lines) {
    const yuan = line.net ?? line.gross;
    const [int, frac = ''] = yuan.split('.');
    pays.set(line.staffId, (pays.get(line.staffId) ?? 0) + Number(int) * 100 + Number(frac.padEnd(2, '0')));
  }
  return pays;
}

describe('the community’s bank format', () => {
  it('is HR’s CSV until one is chosen', async () => {
    expect(await bankFormatFor(rt.repos, C, undefined)).toBe('csv');
    expect((await settingsOf(rt.repos).get(C)).revision).toBe(0);
  });

  it('is chosen by name, audited, and then used when no format is named; a named format overrides it', async () => {
    const next = await setBankFormat(rt.repos, { communityId: C, by: 'hr1', name: '代发-身份证-xls' });
    expect(next).toMatchObject({ bankFormat: '代发-身份证-xls', revision: 1, updatedBy: 'hr1' });
    expect(await bankFormatFor(rt.repos, C, undefined)).toBe('代发-身份证-xls');
    expect(await bankFormatFor(rt.repos, C, '批量代发')).toBe('批量代发');
    const entries = await rt.repos.audit.entries(C);
    expect(entries.at(-1)).toMatchObject({
      actor: 'hr1',
      action: 'settings.bank-format',
      details: { format: '代发-身份证-xls', previous: '(csv)' },
    });
  });

  it('refuses an unknown name in both languages and leaves the setting as it was', async () => {
    const error = await setBankFormat(rt.repos, { communityId: C, by: 'hr1', name: '某银行' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExportError);
    expect((error as Error).message).toContain('没有名为“某银行”的银行文件格式');
    expect((error as Error).message).toContain('no bank-file format named "某银行"');
    expect(await settingsOf(rt.repos).get(C)).toMatchObject({ bankFormat: '代发-身份证-xls', revision: 1 });
  });

  it('writes nothing when someone changed the settings since they were read (revision guard)', async () => {
    const stale = await settingsOf(rt.repos).get(C);
    await setBankFormat(rt.repos, { communityId: C, by: 'hr2', name: '批量代发' });
    const before = (await rt.repos.audit.entries(C)).length;
    const error = await rt.repos.audit
      .append(C, { actor: 'hr1', action: 'settings.bank-format', subject: 'stale', details: {} }, [
        settingsOf(rt.repos).putItem(stale, {
          ...stale,
          bankFormat: '代发-xlsx',
          revision: stale.revision + 1,
        }),
      ])
      .catch((e: unknown) => e);
    expect(String(error)).toMatch(/refused/);
    expect((await rt.repos.audit.entries(C)).length).toBe(before);
    expect(await settingsOf(rt.repos).get(C)).toMatchObject({ bankFormat: '批量代发', revision: 2 });
    await setBankFormat(rt.repos, { communityId: C, by: 'hr1', name: '代发-身份证-xls' });
  });

  it('代发-身份证-xls: read back, pays the sheet’s amounts to the accounts on file with each one’s 身份证号 and 开户行', async () => {
    const format = await bankFormatFor(rt.repos, C, undefined);
    const exported = await exportBankFormat(rt.repos, { ...request, format });
    expect(exported.files.map((f) => f.name)).toEqual([`bank-${PERIOD}.xls`]);
    const workbook = XLSX.read(Buffer.from(exported.files[0]!.content), { type: 'buffer' });
    const [header, ...rows] = XLSX.utils.sheet_to_json<unknown[]>(workbook.Sheets[workbook.SheetNames[0]!]!, {
      header: 1,
      raw: true,
    });
    expect(header).toEqual(['账号', '户名', '身份证号', '金额', '开户行', '摘要']);
    const staff = parseCsv(tinyAs(C)['staff.csv']!, { columns: true }) as Record<string, string>[];
    const byAccount = new Map(staff.map((s) => [s.bankAccount!, s.staffId!]));
    const pays = await sheetPays();
    expect(rows).toHaveLength(pays.size);
    for (const [account, name, idNumber, amount, branch, purpose] of rows as [
      string,
      string,
      string,
      number,
      string,
      string,
    ][]) {
      expect(typeof account).toBe('string');
      const staffId = byAccount.get(account)!;
      expect(staffId, account).toBeDefined();
      expect(name).toBe(staff.find((s) => s.staffId === staffId)!.name);
      expect(Math.round(amount * 100)).toBe(pays.get(staffId));
      expect({ idNumber, branch }).toEqual(person.get(staffId));
      expect(purpose).toBe(`${PERIOD}月度绩效工资`);
    }
    const summary = new TextDecoder('gb18030').decode(exported.summary.content);
    expect(summary).toContain(`总计,${pays.size},`);
  });

  it('takes the community’s own format from JSON, refusing a shipped format’s name', async () => {
    const own = {
      name: '兴国农商行',
      columns: [{ field: 'account' }, { field: 'name' }, { field: 'amount' }, { field: 'branch' }],
      header: false,
      encoding: 'GBK',
      separator: '|',
      fileType: 'txt',
    };
    await setBankFormat(rt.repos, { communityId: C, by: 'hr1', json: JSON.stringify(own) });
    expect(await bankFormatFor(rt.repos, C, undefined)).toBe('兴国农商行');
    const exported = await exportBankFormat(rt.repos, { ...request, format: '兴国农商行' });
    const text = new TextDecoder('gb18030', { fatal: true }).decode(exported.files[0]!.content);
    expect(text.trimEnd().split('\r\n')).toHaveLength((await sheetPays()).size);
    expect(text).toContain('|中国农业银行兴国县支行第');
    const clash = await setBankFormat(rt.repos, {
      communityId: C,
      by: 'hr1',
      json: JSON.stringify({ ...own, name: '批量代发' }),
    }).catch((e: unknown) => e);
    expect((clash as Error).message).toContain('shipped format');
  });

  it('holds a province’s payer accounts (3,100 institutions, more than one item could) and changes them in one transaction', async () => {
    const card = (i: number) => {
      const body = `62284804${String(i).padStart(10, '0')}`;
      return body + luhnCheckDigit(body);
    };
    const set = Object.fromEntries(
      Array.from({ length: 3100 }, (_, i) => [
        `X${String(i).padStart(4, '0')}`,
        { account: card(i), name: `某省第${i}乡镇卫生院`, bank: `中国农业银行某县支行第${i % 50}营业所` },
      ]),
    );
    const before = await settingsOf(rt.repos).get(C);
    const stored = await changePayerAccounts(rt.repos, { communityId: C, by: 'finance1', set });
    expect(Object.keys(stored)).toHaveLength(3100);
    const read = await settingsOf(rt.repos).payerAccounts(C);
    expect(Object.keys(read).sort()).toEqual(Object.keys(set).sort());
    expect(read.X1234).toMatchObject({ ...set.X1234, setBy: 'finance1' });
    // The format's choice and who made it are unchanged; the revision moved once.
    expect(await settingsOf(rt.repos).get(C)).toEqual({ ...before, revision: before.revision + 1 });
    const entry = (await rt.repos.audit.entries(C)).at(-1)!;
    expect(entry).toMatchObject({ actor: 'finance1', action: 'settings.payer-account' });
    expect(JSON.stringify(entry)).not.toContain(card(1234));
    expect(Buffer.byteLength(JSON.stringify(entry))).toBeLessThan(200_000); // one audit item, well under 400 KB
    // One removed, one changed: the rest stay.
    await changePayerAccounts(rt.repos, {
      communityId: C,
      by: 'hr1',
      remove: ['X0000'],
      set: { X0001: { ...set.X0001, bank: '农村信用社' } },
    });
    const after = await settingsOf(rt.repos).payerAccounts(C);
    expect(Object.keys(after)).toHaveLength(3099);
    expect(after.X0001).toMatchObject({ bank: '农村信用社', setBy: 'hr1' });
    expect(after.X3099).toEqual(read.X3099);
  });

  it('never puts a 身份证号 in the audit trail', async () => {
    const trail = JSON.stringify(await rt.repos.audit.entries(C));
    for (const { idNumber } of person.values()) expect(trail).not.toContain(idNumber);
  });
});
