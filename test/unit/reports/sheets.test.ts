import { describe, expect, it } from 'vitest';
import type { PaySheet } from '../../../shared/export/types.js';
import { notTransferredCsv, renderBank, renderSheet } from '../../../shared/reports/render.js';
import {
  annualPaySheet,
  bankTransfer,
  leadersPaySheet,
  monthlyPaySheet,
  paySheetJson,
  quarterlyPaySheet,
} from '../../../shared/reports/sheets.js';
import { decimalToFen, readXlsx } from '../export/xlsx-reader.js';
import { ACCOUNTS, dataset, FORMULA_NAME, monthly, quarter, SCRIPT_NAME, year } from './builders.js';

describe('pay sheets from stored results', () => {
  it('monthly: one line per pay line with basic, reward, adjustment and gross, names from the cycle’s dataset', () => {
    const sheet = monthlyPaySheet(monthly('2026-03'));
    expect(sheet.kind).toBe('monthly');
    expect(sheet.lineage).toBe('monthly 2026-03 r2 · dataset v3 · scheme 2026 #abc123def4567890');
    expect(sheet.lines).toEqual([
      expect.objectContaining({
        institutionId: 'C01',
        institutionName: SCRIPT_NAME,
        staffId: 'C01-001',
        name: '张三',
        basic: 300_000,
        reward: 226_667,
        adjustment: -12_050,
        gross: 514_617,
        quarterlySurplus: 0,
        annualBonus: 0,
      }),
      expect.objectContaining({
        institutionId: 'T01',
        institutionName: FORMULA_NAME,
        staffId: 'T01-001',
        post: 'village_doctor',
        gross: 200_000,
      }),
    ]);
  });

  it('quarterly, annual and leaders: the one amount in its own column, gross equal to it', () => {
    const q = quarterlyPaySheet(quarter(2));
    expect(q.lines.map((l) => [l.staffId, l.quarterlySurplus, l.gross])).toEqual([
      ['C01-001', 420_000, 420_000],
      ['T01-001', 0, 0],
    ]);
    const data = year().annual!;
    expect(annualPaySheet(data).lines.map((l) => [l.staffId, l.annualBonus, l.gross])).toEqual([
      ['C01-001', 644_003, 644_003],
      ['T01-001', 149_996, 149_996],
    ]);
    const leaders = leadersPaySheet(data);
    expect(leaders.kind).toBe('leaders');
    expect(leaders.lines.map((l) => [l.staffId, l.annualBonus, l.gross])).toEqual([
      ['C01-001', 18_000_000, 18_000_000],
    ]);
  });

  it('the §8 JSON has every column, amounts as 2-decimal yuan strings, sorted by institution then staff', () => {
    const json = paySheetJson(monthlyPaySheet(monthly('2026-03')));
    expect(Object.keys(json[0]!)).toEqual([
      'period',
      'institutionId',
      'institutionName',
      'department',
      'staffId',
      'name',
      'post',
      'basic',
      'reward',
      'quarterlySurplus',
      'annualBonus',
      'adjustment',
      'gross',
    ]);
    expect(json[0]).toMatchObject({
      basic: '3000.00',
      reward: '2266.67',
      adjustment: '-120.50',
      gross: '5146.17',
      quarterlySurplus: '0.00',
    });
    expect(json.map((r) => r.staffId)).toEqual(['C01-001', 'T01-001']);
  });

  it('renders the same sheet as CSV (formula text guarded), XLSX and JSON', async () => {
    const sheet = monthlyPaySheet(monthly('2026-03'));
    const csv = (await renderSheet(sheet, 'csv')) as string;
    expect(csv.startsWith('\uFEFF期间')).toBe(true);
    expect(csv).toContain(`'${FORMULA_NAME}`);
    const book = readXlsx((await renderSheet(sheet, 'xlsx')) as Buffer);
    expect(book.sheets.map((s) => s.name)[0]).toBe('汇总');
    expect(JSON.parse((await renderSheet(sheet, 'json')) as string)).toHaveLength(2);
  });
});

describe('bank transfer', () => {
  const base = (lines: Partial<PaySheet['lines'][number]>[]): PaySheet => ({
    ...monthlyPaySheet(monthly('2026-03')),
    lines: lines.map((l) => ({ ...monthlyPaySheet(monthly('2026-03')).lines[0]!, ...l })),
  });

  it('pays each person once with the account on file, sorted by staff id', () => {
    const transfer = bankTransfer(monthlyPaySheet(monthly('2026-03')), dataset().staff);
    expect(transfer.lines).toEqual([
      { staffId: 'C01-001', name: '张三', bankAccount: ACCOUNTS['C01-001'], amount: 514_617 },
      { staffId: 'T01-001', name: '李四', bankAccount: ACCOUNTS['T01-001'], amount: 200_000 },
    ]);
    expect(transfer.notTransferred).toEqual([]);
  });

  it('hands back, never drops, a person it cannot pay: no account, a bad account, a negative net', () => {
    const staff = [
      ...dataset().staff,
      { ...dataset().staff[0]!, staffId: 'X-1', bankAccount: '6222 0212' },
      { ...dataset().staff[0]!, staffId: 'X-2', bankAccount: '6222021234567891' },
    ];
    const transfer = bankTransfer(
      base([
        { staffId: 'C01-002', name: '无账号', gross: 1000 },
        { staffId: 'X-1', gross: 500 },
        { staffId: 'X-2', gross: -300 },
        { staffId: 'C01-001', gross: 0 },
      ]),
      staff,
    );
    expect(transfer.lines).toEqual([]);
    expect(transfer.notTransferred.map((n) => [n.staffId, n.reason, n.amount])).toEqual([
      ['C01-002', 'no_bank_account', 1000],
      ['X-1', 'invalid_bank_account', 500],
      ['X-2', 'negative_amount', -300],
    ]);
    const csv = notTransferredCsv(transfer.notTransferred);
    expect(csv).toContain('C01-002,无账号,C01,10.00');
    expect(csv).not.toMatch(/6222/);
  });

  it('merges two lines of one person into one transfer so nobody is paid twice', () => {
    const transfer = bankTransfer(base([{ gross: 100 }, { gross: 250 }]), dataset().staff);
    expect(transfer.lines).toEqual([
      { staffId: 'C01-001', name: '张三', bankAccount: ACCOUNTS['C01-001'], amount: 350 },
    ]);
  });

  it('renders CSV with the total and XLSX with the account as text', async () => {
    const sheet = monthlyPaySheet(monthly('2026-03'));
    const csv = await renderBank(sheet, dataset().staff, 'csv');
    expect(csv.content).toContain(`\t${ACCOUNTS['C01-001']},5146.17`);
    expect(csv.content).toContain('合计,,,7146.17');
    const xlsx = await renderBank(sheet, dataset().staff, 'xlsx');
    const book = readXlsx(xlsx.content as Buffer);
    const accountCell = book.sheets[0]!.cell('C2')!;
    expect(accountCell.text).toBe(ACCOUNTS['C01-001']);
    expect(accountCell.type).not.toBe('n');
    expect(decimalToFen(book.sheets[0]!.cell('D4')!.text)).toBe(714_617);
    expect(book.title).toContain('银行代发');
  });
});
