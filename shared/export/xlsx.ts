/**
 * Pay sheet as an XLSX workbook (DOMAIN.md §8): a 汇总 sheet with one row per institution, then one sheet
 * per institution with the same columns as the CSV. Every amount is a numeric cell; every total is a
 * value summed in fen (not a SUM formula), so the file shows exactly what the system paid even where
 * formulas are not recalculated (previews, mobile viewers, importers).
 */
import { KIND_LABELS, SUMMARY_SHEET_NAME, sheetAmountColumns, TEXT_HEADERS, TOTAL_LABEL } from './labels.js';
import { groupByInstitution, sortLines, textValues, totalsOf } from './pay-sheet-rows.js';
import { SheetNamer } from './sheet-names.js';
import type { PaySheet } from './types.js';
import { type Column, type TableSheet, tableWorkbook } from './xlsx-table.js';

const lineColumns = (money: readonly Column[]): Column[] => [
  ...TEXT_HEADERS.map((header): Column => ({ header, type: 'text' })),
  ...money,
];
const summaryColumns = (money: readonly Column[]): Column[] => [
  { header: '机构编码', type: 'text' },
  { header: '机构名称', type: 'text' },
  { header: '人数', type: 'count' },
  ...money,
];

export function paySheetTitle(sheet: PaySheet): string {
  return `${sheet.communityName} ${sheet.period} ${KIND_LABELS[sheet.kind]}`;
}

export async function paySheetXlsx(sheet: PaySheet): Promise<Buffer> {
  const lines = sortLines(sheet.lines);
  const groups = groupByInstitution(lines);
  // §9.6: the sheet's own amount columns (补贴 / 财政保底补足 only where its lines carry them), found once.
  const amounts = sheetAmountColumns(sheet);
  const amountKeys = amounts.map(([key]) => key);
  const money = amounts.map(([, header]): Column => ({ header, type: 'money' }));
  const grand = totalsOf(lines, amountKeys);
  const headcount = (staff: readonly { staffId: string }[]) => new Set(staff.map((s) => s.staffId)).size;

  const summary: TableSheet = {
    name: SUMMARY_SHEET_NAME,
    columns: summaryColumns(money),
    rows: groups.map((group) => {
      const totals = totalsOf(group.lines, amountKeys);
      return [
        group.institutionId,
        group.institutionName,
        headcount(group.lines),
        ...amountKeys.map((k) => totals[k]),
      ];
    }),
    total: [TOTAL_LABEL, '', headcount(lines), ...amountKeys.map((k) => grand[k])],
    notes: [`期间：${sheet.period}`, ...(sheet.lineage ? [`数据来源：${sheet.lineage}`] : [])],
  };

  // One institution's sheet at a time: its rows are made as the writer reaches it and let go once written.
  const namer = new SheetNamer([SUMMARY_SHEET_NAME]);
  function* sheets(): Generator<TableSheet> {
    yield summary;
    for (const group of groups) {
      const totals = totalsOf(group.lines, amountKeys);
      yield {
        name: namer.next(group.institutionName, group.institutionId),
        columns: lineColumns(money),
        rows: group.lines.map((line) => [...textValues(line), ...amountKeys.map((k) => line[k] ?? 0)]),
        total: [TOTAL_LABEL, ...TEXT_HEADERS.slice(1).map(() => ''), ...amountKeys.map((k) => totals[k])],
      };
    }
  }

  return tableWorkbook(
    {
      title: paySheetTitle(sheet),
      subject: KIND_LABELS[sheet.kind],
      ...(sheet.lineage ? { description: sheet.lineage } : {}),
    },
    sheets(),
  );
}
