/** DOMAIN.md §9.6: 补贴 and 财政保底补足 on the pay sheets — only where the lines carry them. */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { paySheetCsv } from '../../../shared/export/csv.js';
import { paySheetXlsx } from '../../../shared/export/xlsx.js';
import { line, sampleSheet } from './fixtures.js';

const v2Sheet = () => ({
  ...sampleSheet(),
  lines: [
    line({ allowance: 80_000, fiscalTopUp: 0, gross: 353_402 + 80_000 }),
    line({
      staffId: 'C01-002',
      basic: 100_000,
      reward: 0,
      allowance: 0,
      fiscalTopUp: 250_000,
      gross: 350_000,
    }),
  ],
});

describe('§9.6 pay-sheet columns', () => {
  it('adds 补贴 and 财政保底补足 before 应发合计 in the CSV, with exact totals', () => {
    const rows = paySheetCsv(v2Sheet())
      .replace('\uFEFF', '')
      .trimEnd()
      .split('\r\n')
      .map((r) => r.split(','));
    const header = rows[0]!;
    expect(header.slice(-3)).toEqual(['补贴', '财政保底补足', '应发合计']);
    const total = rows.at(-1)!;
    expect(total.slice(-3)).toEqual(['800.00', '2500.00', '7834.02']);
  });

  it('keeps a v1 sheet’s columns exactly', () => {
    const header = paySheetCsv(sampleSheet()).replace('\uFEFF', '').split('\r\n')[0]!.split(',');
    expect(header).not.toContain('补贴');
    expect(header.at(-1)).toBe('应发合计');
  });

  it('puts the same columns in the XLSX', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await paySheetXlsx(v2Sheet())) as never);
    const values = (workbook.worksheets[1]!.getRow(1).values as unknown[]).filter(
      (v) => typeof v === 'string',
    );
    expect(values.join('|')).toContain('补贴|财政保底补足|应发合计');
  });
});
