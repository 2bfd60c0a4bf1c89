/**
 * Dataset workbooks for offices (issue 16): the empty template (`medcomm template`, the console's
 * download) and a whole dataset as one workbook (`medcomm generate --format xlsx`). A sheet per data
 * file named in Chinese, the column names the import reads as the header, drop-downs for every column
 * with a fixed list of values, and every id, account and period column formatted as text so Excel
 * cannot turn 6222021234567890123 into 6.22E+18 or 2026-01 into a date.
 */
import { parse } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import { loadExcelJs } from '../export/exceljs.js';
import { XLSX_WRITE } from '../export/xlsx-table.js';
import {
  AGGREGATIONS,
  CADENCES,
  DEDUCTION_KINDS,
  DIRECTIONS,
  FINANCE_CATEGORIES,
  INSTITUTION_KINDS,
  METHODS,
  POSTS,
} from '../schemas/dataset.js';
import { ACCOUNT_CHECKS } from './accounts.js';
import { CSV_FORMATS, CSV_KEYS } from './formats/index.js';
import { CHINESE_SHEET_NAMES, columnLetter } from './xlsx.js';

/** Columns with a fixed list of values: the drop-down offered in the template. */
const CHOICES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'institutions.csv': { kind: INSTITUTION_KINDS, funding: ['1', '2'] },
  'staff.csv': { post: POSTS, accountCheck: ACCOUNT_CHECKS },
  'indicators.csv': { cadence: CADENCES, direction: DIRECTIONS, aggregation: AGGREGATIONS, method: METHODS },
  'finance.csv': { category: FINANCE_CATEGORIES },
  'deductions.csv': { kind: DEDUCTION_KINDS },
};

/** Columns kept as text: ids and accounts lose digits as numbers, periods become dates. */
const TEXT_COLUMN = /(^id$|Id$|^bankAccount$|^idNumber$|^period$|^refPeriod$|^year$)/;

/** What each column holds, for the instructions sheet (columns not listed are described by name). */
const COLUMN_NOTES: Readonly<Record<string, string>> = {
  period: '期间，文本 YYYY-MM，如 2026-01',
  refPeriod: '所更正的期间，文本 YYYY-MM',
  bankAccount: '银行账号，文本，只写数字；16–19 位的卡号须通过校验位检查',
  accountCheck: '留空；账号确实不是银行卡号（存折、对公账号）时填 nonCard',
  sharedAccountReason: '同一账号确需由两人共用时，在共用的每一行写明原因',
  idNumber: '身份证号（可选），文本，18 位，末位可为 X；银行格式需要时填写',
  branch: '开户行（可选），如 中国农业银行某县支行；银行格式需要时填写',
  amount: '金额（元），最多两位小数，不写千分位',
  basicMonthly: '月基础性绩效（元）',
  approvedTotal: '核定绩效工资总量（元）',
  flags: '倾斜标记，多个用英文分号 ; 分隔：key;scarce;high_risk;high_level;core',
  appliesTo: '适用机构类型，* 表示全部，或用 ; 分隔的类型',
};

export const TEMPLATE_INSTRUCTIONS_SHEET = '说明';

/** The file name `medcomm generate --format xlsx` gives the dataset workbook. */
export const DATASET_WORKBOOK_NAME = '数据集.xlsx';

function instructions(workbook: ExcelJS.Workbook): void {
  const sheet = workbook.addWorksheet(TEMPLATE_INSTRUCTIONS_SHEET);
  sheet.columns = [{ width: 16 }, { width: 22 }, { width: 90 }];
  const lines: string[][] = [
    ['绩效工资数据集模板'],
    [],
    ['怎样填写'],
    ['', '1', '每个工作表对应一个数据文件；第 1 行是列名，不要修改、不要删除；从第 2 行起每行一条记录。'],
    [
      '',
      '2',
      '编码、账号、期间列已设为“文本”格式：请直接输入，不要改成数值或日期格式（否则超过 15 位的账号会丢失末尾数字）。',
    ],
    ['', '3', '带下拉箭头的列只能从列表中选择。'],
    ['', '4', '金额以元为单位，最多两位小数，不要写千分位逗号或货币符号。'],
    ['', '5', 'scheme.json（年度方案）不在本工作簿中：与本工作簿放在同一文件夹中一起导入。'],
    [
      '',
      '6',
      '可以整本导入，也可以把某个表另存为 CSV UTF-8（逗号分隔），文件名用工作表的英文名，如 staff.csv。',
    ],
    ['', '7', '导入时全部检查通过才会导入；有任何问题时会列出工作表、行号（与 Excel 显示的一致）和列字母。'],
    [],
    ['工作表', '文件', '列'],
  ];
  for (const key of CSV_KEYS) {
    const format = CSV_FORMATS[key];
    const optional = format.columns.optional;
    const columns = format.columns.all.map((column, i) => {
      const note = COLUMN_NOTES[column];
      const need = optional.has(column) ? '可空' : '必填';
      return `${columnLetter(i)} ${column}（${need}${note ? `；${note}` : ''}）`;
    });
    lines.push([CHINESE_SHEET_NAMES[format.file] ?? format.file, format.file, columns.join('\n')]);
  }
  for (const line of lines) {
    const row = sheet.addRow(line);
    row.alignment = { wrapText: true, vertical: 'top' };
  }
  sheet.getRow(1).font = { bold: true, size: 14 };
  sheet.getRow(3).font = { bold: true };
  sheet.getRow(12).font = { bold: true };
}

/** The sheet name of a data file: its Chinese name, else its English one. */
export const sheetNameOf = (file: string) => CHINESE_SHEET_NAMES[file] ?? file.replace(/\.csv$/, '');

/** A data sheet: header, text-formatted id/account/period columns, drop-downs, the rows as text. */
function dataSheet(workbook: ExcelJS.Workbook, file: string, header: string[], rows: string[][]): void {
  const sheet = workbook.addWorksheet(sheetNameOf(file), { views: [{ state: 'frozen', ySplit: 1 }] });
  const choices = CHOICES[file] ?? {};
  // Drop-downs and text format reach this many rows in the template (and the data's rows otherwise).
  const reach = Math.max(rows.length + 1, 1000);
  header.forEach((column, i) => {
    const col = sheet.getColumn(i + 1);
    col.width = Math.max(12, column.length + 4, column === 'bankAccount' ? 24 : 0);
    if (TEXT_COLUMN.test(column)) col.numFmt = '@';
  });
  sheet.addRow(header).font = { bold: true };
  for (const row of rows) sheet.addRow(row);
  header.forEach((column, i) => {
    const list = choices[column];
    if (!list) return;
    const letter = columnLetter(i);
    // A list longer than 255 characters cannot be written inline; none of ours is.
    (
      sheet as unknown as { dataValidations: { add: (range: string, v: ExcelJS.DataValidation) => void } }
    ).dataValidations.add(`${letter}2:${letter}${reach}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${list.join(',')}"`],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: '不允许的值',
      error: `只能选择：${list.join(', ')}`,
    });
  });
}

const csvRows = (text: string): string[][] =>
  parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true });

async function bufferOf(workbook: ExcelJS.Workbook): Promise<Buffer> {
  // Written as the exports' workbooks are (deflate level 1: faster, same cells).
  return Buffer.from(await workbook.xlsx.writeBuffer(XLSX_WRITE));
}

async function newWorkbook(title: string): Promise<ExcelJS.Workbook> {
  const workbook = new (await loadExcelJs()).Workbook();
  workbook.creator = 'MedComm Pay';
  workbook.title = title;
  // A fixed date keeps the same content byte-identical (exceljs would write the time of writing).
  workbook.created = workbook.modified = new Date(Date.UTC(2026, 0, 1));
  return workbook;
}

/** The empty template: the instructions, then a sheet per data file with its header. */
export async function templateWorkbook(): Promise<Buffer> {
  const workbook = await newWorkbook('绩效工资数据集模板');
  instructions(workbook);
  for (const key of CSV_KEYS) {
    const format = CSV_FORMATS[key];
    dataSheet(workbook, format.file, [...format.columns.all], []);
  }
  return bufferOf(workbook);
}

/** Dataset CSV texts (file name → text) as one workbook with a sheet per file; scheme.json stays JSON. */
export async function datasetWorkbook(files: Readonly<Record<string, string>>): Promise<Buffer> {
  const workbook = await newWorkbook('绩效工资数据集');
  instructions(workbook);
  for (const key of CSV_KEYS) {
    const file = CSV_FORMATS[key].file;
    const text = files[file];
    if (text === undefined) continue;
    const [header = [], ...rows] = csvRows(text).filter((r) => r.some((c) => c !== ''));
    dataSheet(workbook, file, header, rows);
  }
  return bufferOf(workbook);
}

/** One data file's CSV text as a workbook of one sheet (`staff.xlsx`). */
export async function fileWorkbook(file: string, text: string): Promise<Buffer> {
  const workbook = await newWorkbook(file);
  const [header = [], ...rows] = csvRows(text).filter((r) => r.some((c) => c !== ''));
  dataSheet(workbook, file, header, rows);
  return bufferOf(workbook);
}
