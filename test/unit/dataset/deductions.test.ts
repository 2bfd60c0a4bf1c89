/** deductions.csv (issue 16) at import: the kinds, amounts in fen, the staff it names and the scheme's year. */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { DATASET_FILES } from '../../../shared/dataset/formats/index.js';
import { parseDatasetFilesAsync } from '../../../shared/dataset/index.js';
import { datasetWorkbook, templateWorkbook } from '../../../shared/dataset/workbook.js';
import { expectIssues, parseWith, tinyFiles } from './helpers.js';

const staffLines = tinyFiles()['staff.csv']!.trim().split('\n').slice(1);
const [first, second] = staffLines.map((line) => line.split(',')[0]!);
const header = 'period,staffId,kind,amount';
const file = (...rows: string[]) => `${[header, ...rows].join('\n')}\n`;

describe('deductions.csv at import', () => {
  it('is optional: without it the dataset has no deductions key at all', () => {
    const result = parseWith({});
    if (!result.ok) throw new Error(JSON.stringify(result.issues.slice(0, 3)));
    expect('deductions' in result.dataset).toBe(false);
    expect(DATASET_FILES).toContain('deductions.csv');
  });

  it('reads every kind, amounts in fen, one person several kinds', () => {
    const kinds = ['个税', '养老', '医疗', '失业', '公积金', '其他'];
    const result = parseWith({
      'deductions.csv': file(
        ...kinds.map((kind, i) => `2026-01,${first},${kind},${i + 1}${i % 2 ? '.5' : '.05'}`),
        `2026-02,${second},个税,0`,
      ),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues.slice(0, 3)));
    expect(result.dataset.deductions).toEqual([
      ...kinds.map((kind, i) => ({
        period: '2026-01',
        staffId: first,
        kind,
        amount: (i + 1) * 100 + (i % 2 ? 50 : 5),
      })),
      { period: '2026-02', staffId: second, kind: '个税', amount: 0 },
    ]);
    const summary = result.summary.find((s) => s.file === 'deductions.csv');
    expect(summary?.rows).toBe(7);
  });

  it('refuses an unknown kind, a negative amount, a third decimal, an unknown staff id and another year', () => {
    const issues = expectIssues(
      parseWith({
        'deductions.csv': file(
          `2026-01,${first},社保,10`,
          `2026-01,${first},个税,-1`,
          `2026-01,${first},个税,1.234`,
          '2026-01,NOBODY,个税,1',
          `2025-12,${first},个税,1`,
        ),
      }),
      [
        { file: 'deductions.csv', row: 2, column: 'kind', rule: 'enum.value' },
        { file: 'deductions.csv', row: 3, column: 'amount', rule: 'amount.negative' },
        { file: 'deductions.csv', row: 4, column: 'amount', rule: 'amount.decimals' },
        { file: 'deductions.csv', row: 5, column: 'staffId', rule: 'ref.unknown' },
        { file: 'deductions.csv', row: 6, column: 'period', rule: 'period.year' },
      ],
    );
    // Every issue speaks both languages.
    for (const issue of issues) {
      expect(issue.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(issue.en).toMatch(/[a-z]{3} [a-z]/);
    }
    expect(issues[0]!.zh).toContain('公积金');
  });

  it('refuses a missing column by name', () => {
    const result = parseWith({ 'deductions.csv': `period,staffId,amount\n2026-01,${first},1\n` });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(
      result.issues.some(
        (i) => i.file === 'deductions.csv' && i.column === 'kind' && i.rule === 'header.missing',
      ),
    ).toBe(true);
  });

  it('has a 代扣 sheet in the template with the kinds as a drop-down, and reads from a workbook as from CSV', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await templateWorkbook()) as never);
    const sheet = workbook.getWorksheet('代扣')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['period', 'staffId', 'kind', 'amount']);
    const validation = (
      sheet as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation> } }
    ).dataValidations.model;
    const kind = Object.entries(validation).find(([range]) => range.startsWith('C2'));
    expect(kind?.[1].formulae[0]).toContain('公积金');

    const text = file(`2026-01,${first},个税,12.30`, `2026-03,${second},其他,0.01`);
    const files: Record<string, string> = { ...tinyFiles(), 'deductions.csv': text };
    const fromCsv = parseWith({ 'deductions.csv': text });
    const { 'scheme.json': scheme, ...csvs } = files;
    const fromBook = await parseDatasetFilesAsync({
      'scheme.json': scheme!,
      '数据集.xlsx': await datasetWorkbook(csvs),
    });
    if (!fromCsv.ok || !fromBook.ok) throw new Error('refused');
    expect(fromBook.dataset.deductions).toEqual(fromCsv.dataset.deductions);
    expect(fromBook.dataset.deductions).toHaveLength(2);
  });
});
