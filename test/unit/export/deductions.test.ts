/** Issue 16: deductions.csv on a month's sheet — 代扣合计 and 实发合计 — and the bank file paying 实发. */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { paySheetCsv } from '../../../shared/export/csv.js';
import { ExportError } from '../../../shared/export/errors.js';
import { paySheetXlsx } from '../../../shared/export/xlsx.js';
import { bankTransfer, paySheetJson, withDeductions } from '../../../shared/reports/sheets.js';
import type { Deduction, Staff } from '../../../shared/schemas/dataset.js';
import { sampleSheet } from './fixtures.js';

const d = (staffId: string, kind: Deduction['kind'], amount: number, period = '2026-03'): Deduction => ({
  period,
  staffId,
  kind,
  amount,
});

const staffOf = (ids: string[]): Staff[] =>
  ids.map((staffId, i) => ({
    staffId,
    name: staffId,
    institutionId: staffId.slice(0, 3),
    department: '',
    post: 'doctor',
    postCoefficient: '1',
    flags: [],
    basicMonthly: 100_000,
    bankAccount: `62220000000000${String(i).padStart(4, '0')}`,
  })) as unknown as Staff[];

const csvRows = (text: string) =>
  text
    .replace('\uFEFF', '')
    .trimEnd()
    .split('\r\n')
    .map((r) => r.split(','));

describe('withholding on the pay sheet', () => {
  const sheet = sampleSheet();
  const deductions = [
    d('C01-001', '个税', 1_234),
    d('C01-001', '公积金', 20_000),
    d('T02-001', '养老', 5),
    d('C01-001', '个税', 99_999, '2026-02'), // another month: not this sheet's
  ];

  it('leaves a sheet without deductions of its month exactly as it was', () => {
    expect(withDeductions(sheet, undefined)).toBe(sheet);
    expect(withDeductions(sheet, [d('C01-001', '个税', 1, '2026-02')])).toBe(sheet);
    expect(csvRows(paySheetCsv(sheet))[0]!.at(-1)).toBe('应发合计');
    expect(Object.keys(paySheetJson(sheet)[0]!)).not.toContain('net');
  });

  it('puts 代扣合计 and 实发合计 after 应发合计, net = gross − deductions per person, totals exact', () => {
    const withheld = withDeductions(sheet, deductions);
    for (const line of withheld.lines) {
      const own = deductions
        .filter((x) => x.staffId === line.staffId && x.period === sheet.period)
        .reduce((sum, x) => sum + x.amount, 0);
      expect(line.deductions).toBe(own);
      expect(line.net).toBe(line.gross - own);
    }
    const rows = csvRows(paySheetCsv(withheld));
    expect(rows[0]!.slice(-3)).toEqual(['应发合计', '代扣合计', '实发合计']);
    const gross = sheet.lines.reduce((s, l) => s + l.gross, 0);
    const withholding = 1_234 + 20_000 + 5;
    const yuan = (fen: number) => (fen / 100).toFixed(2);
    expect(rows.at(-1)!.slice(-3)).toEqual([yuan(gross), yuan(withholding), yuan(gross - withholding)]);
    const json = paySheetJson(withheld).find((l) => l.staffId === 'C01-001')!;
    const line = sheet.lines.find((l) => l.staffId === 'C01-001')!;
    expect(json.deductions).toBe(yuan(21_234));
    expect(json.net).toBe(yuan(line.gross - 21_234));
  });

  it('puts the same columns in the XLSX', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await paySheetXlsx(withDeductions(sheet, deductions))) as never);
    for (const ws of workbook.worksheets) {
      const values = (ws.getRow(1).values as unknown[]).filter((v) => typeof v === 'string');
      expect(values.join('|')).toMatch(/应发合计\|代扣合计\|实发合计$/);
    }
  });

  it('has the bank file pay 实发, and 应发 without deductions', () => {
    const ids = [...new Set(sheet.lines.map((l) => l.staffId))];
    const staff = staffOf(ids);
    const gross = bankTransfer(sheet, staff);
    const net = bankTransfer(withDeductions(sheet, deductions), staff);
    const withheldOf = (id: string) =>
      deductions.filter((x) => x.staffId === id && x.period === '2026-03').reduce((s, x) => s + x.amount, 0);
    expect(net.lines.length).toBeGreaterThan(0);
    for (const line of net.lines) {
      const paid = gross.lines.find((l) => l.staffId === line.staffId)!;
      expect(line.amount).toBe(paid.amount - withheldOf(line.staffId));
    }
  });

  it('refuses deductions above a person’s gross of the month, naming staff and month in both languages', () => {
    const line = sheet.lines.find((l) => l.staffId === 'C01-001')!;
    const over = [d('C01-001', '个税', line.gross), d('C01-001', '其他', 1), d('NOT-PAID', '个税', 1)];
    let error: unknown;
    try {
      withDeductions(sheet, over);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExportError);
    const message = (error as ExportError).message;
    expect((error as ExportError).code).toBe('DEDUCTIONS_EXCEED_GROSS');
    expect(message).toContain('C01-001');
    expect(message).toContain('NOT-PAID');
    expect(message).toContain('2026-03');
    expect(message).toMatch(/代扣超过当月应发.*exceed the month's gross/);
    // Exactly the gross is allowed (实发 0: nothing to transfer).
    const exact = withDeductions(sheet, [d('C01-001', '个税', line.gross)]);
    expect(exact.lines.find((l) => l.staffId === 'C01-001')!.net).toBe(0);
  });
});
