/** The leaders' sheet names its amount 院长年薪 (paid by county finance), not 年度考核奖励, in CSV and XLSX. */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { paySheetCsv } from '../../../shared/export/csv.js';
import { paySheetXlsx } from '../../../shared/export/xlsx.js';
import { sampleSheet } from './fixtures.js';

const header = (csv: string) =>
  csv
    .replace(/^\uFEFF/, '')
    .split('\r\n')[0]!
    .split(',');

describe('the leaders sheet', () => {
  it('heads the annual column 院长年薪 in the CSV', () => {
    const leaders = header(paySheetCsv({ ...sampleSheet(), kind: 'leaders' }));
    expect(leaders).toContain('院长年薪');
    expect(leaders).not.toContain('年度考核奖励');
    expect(header(paySheetCsv({ ...sampleSheet(), kind: 'annual' }))).toContain('年度考核奖励');
  });

  it('heads the annual column 院长年薪 on every XLSX sheet', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await paySheetXlsx({ ...sampleSheet(), kind: 'leaders' })) as never);
    for (const sheet of workbook.worksheets) {
      const texts: string[] = [];
      sheet.eachRow((row) => row.eachCell((cell) => texts.push(String(cell.value))));
      expect([sheet.name, texts.includes('院长年薪')]).toEqual([sheet.name, true]);
      expect(texts).not.toContain('年度考核奖励');
    }
  });
});
