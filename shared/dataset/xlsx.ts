/**
 * Excel in (issue 16): offices keep their data in Excel or WPS. A dataset may come as one workbook with
 * a sheet per file (`staff` or `职工`, …), as workbooks named like the CSV files (`staff.xlsx`), or mixed
 * with CSV files. Each sheet becomes the rows a CSV file would have given — the cells as text, numbered
 * by the row Excel shows — so every check, message and stored value is the CSV import's. Issues of a
 * sheet name the workbook and sheet, and the column letter beside the column name.
 *
 * Cells are read as the user sees them where that is safe: a number as Excel displays it (15 significant
 * digits), a number of 16 or more digits as the scientific notation that says its digits are lost, a
 * date as an ISO date (which the period check names as a date Excel made).
 */
import type ExcelJS from 'exceljs';
import { loadExcelJs } from '../export/exceljs.js';
import { didYouMean } from './closest.js';
import { tooLarge } from './decode.js';
import { type ImportIssue, issueAt, Problem } from './errors.js';
import { CSV_FORMATS, CSV_KEYS } from './formats/index.js';

/** One spreadsheet row: its number as Excel shows it and its cells from column A on, as text. */
export interface SheetRow {
  row: number;
  fields: string[];
}

/** A dataset file read from a sheet (in place of its CSV text). */
export interface SheetSource {
  sheet: { workbook: string; name: string; rows: SheetRow[] };
}

export const isSheetSource = (value: unknown): value is SheetSource =>
  typeof value === 'object' && value !== null && 'sheet' in value;

/** Sheet names for each file besides its own name without `.csv`, as the template writes them. */
export const CHINESE_SHEET_NAMES: Readonly<Record<string, string>> = {
  'institutions.csv': '机构',
  'staff.csv': '职工',
  'leaders.csv': '院长',
  'indicators.csv': '指标',
  'indicator-values.csv': '指标值',
  'finance.csv': '收入',
  'workload.csv': '工作量',
  'insurance.csv': '医保',
  'adjustments.csv': '调整',
  'deductions.csv': '代扣',
  'departments.csv': '科室',
  'secondments.csv': '借调',
};

/** Sheets a workbook may hold besides data: the template's instructions. */
const NOTE_SHEETS = new Set(['说明', '填写说明', 'instructions', 'readme']);

const csvFiles = () => CSV_KEYS.map((key) => CSV_FORMATS[key].file);

/** The dataset file a sheet (or an `.xlsx` file's base name) stands for, if any. */
export function fileOfSheet(name: string): string | undefined {
  const wanted = name.trim().toLowerCase();
  return csvFiles().find(
    (file) => file.replace(/\.csv$/, '') === wanted || CHINESE_SHEET_NAMES[file] === name.trim(),
  );
}

/** 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/** Excel keeps 15 significant digits: a whole number from 10^15 up has lost digits (or is about to). */
const LOST_DIGITS_FROM = 1e15;

function numberText(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) >= LOST_DIGITS_FROM) {
    return value
      .toExponential(14)
      .replace(/\.?0+e/, 'e')
      .replace('e', 'E'); // 6.22E+18, as Excel shows it
  }
  return String(Number(value.toPrecision(15))); // 0.1 + 0.2 shows as 0.3 in Excel, and here
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A cell's value as the text a CSV export would hold. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) {
    // exceljs gives dates as UTC midnight of the day Excel shows.
    const day = `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
    const seconds = value.getUTCHours() * 3600 + value.getUTCMinutes() * 60 + value.getUTCSeconds();
    return seconds === 0 ? day : `${day} ${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}`;
  }
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('error' in value) return String(value.error);
  if ('formula' in value || 'sharedFormula' in value)
    return cellText((value as { result?: ExcelJS.CellValue }).result);
  if ('text' in value) return String(value.text); // a hyperlink
  return String(value);
}

function sheetRows(worksheet: ExcelJS.Worksheet): SheetRow[] {
  const rows: SheetRow[] = [];
  worksheet.eachRow({ includeEmpty: false }, (row, number) => {
    const fields: string[] = [];
    const width = row.cellCount; // the last used column
    for (let column = 1; column <= width; column++) fields.push(cellText(row.getCell(column).value));
    rows.push({ row: number, fields });
  });
  // Rows end at their last used cell; a CSV row is as wide as the header: pad to it so that empty
  // trailing cells are empty cells, and only cells written beyond the header are extra.
  const header = rows.find((r) => r.fields.some((f) => f.trim() !== ''));
  const headerWidth = header ? lastFilled(header.fields) : 0;
  for (const row of rows) {
    const width = Math.max(headerWidth, lastFilled(row.fields));
    row.fields.length = width;
    for (let i = 0; i < width; i++) row.fields[i] ??= '';
  }
  return rows;
}

function lastFilled(fields: string[]): number {
  let n = fields.length;
  while (n > 0 && fields[n - 1]!.trim() === '') n--;
  return n;
}

const unreadable = (error: unknown) =>
  new Problem(
    'xlsx.unreadable',
    `无法读取这个 Excel 工作簿（${(error as Error).message}）：请确认它是 .xlsx 格式（不是 .xls 或加密的文件），可在 Excel/WPS 中“另存为 → Excel 工作簿 (*.xlsx)”`,
    `this Excel workbook cannot be read (${(error as Error).message}): make sure it is .xlsx (not .xls, not password-protected); in Excel or WPS use "Save As → Excel Workbook (*.xlsx)"`,
  );

/**
 * Replaces every `.xlsx` source by the dataset files its sheets hold. A workbook named like a dataset
 * file (`staff.xlsx`) is that file (its first sheet); any other workbook holds a sheet per file.
 */
export async function expandWorkbooks<S>(
  sources: ReadonlyMap<string, S | Uint8Array>,
): Promise<{ sources: Map<string, S | Uint8Array | SheetSource>; issues: ImportIssue[] }> {
  const out = new Map<string, S | Uint8Array | SheetSource>();
  const issues: ImportIssue[] = [];
  const origin = new Map<string, string>(); // file → where it came from, to name a file given twice
  const isWorkbook = (name: string) => /\.xlsx$/i.test(name);
  for (const [name, source] of sources) {
    if (isWorkbook(name)) continue;
    out.set(name, source);
    origin.set(name, name);
  }
  for (const [name, source] of sources) {
    // `~$名称.xlsx` is the lock file Excel leaves next to an open workbook.
    if (!isWorkbook(name) || name.startsWith('~$')) continue;
    if (!(source instanceof Uint8Array)) {
      const size = (source as { tooLargeBytes?: number }).tooLargeBytes;
      issues.push(
        issueAt({ file: name }, size === undefined ? unreadable(new Error('not a file')) : tooLarge(size)),
      );
      continue;
    }
    const workbook = new (await loadExcelJs()).Workbook();
    try {
      await workbook.xlsx.load(Buffer.from(source.buffer, source.byteOffset, source.byteLength) as never);
    } catch (error) {
      issues.push(issueAt({ file: name }, unreadable(error)));
      continue;
    }
    const single = fileOfSheet(name.replace(/\.xlsx$/i, ''));
    const sheets = workbook.worksheets.filter((w) => w.state !== 'veryHidden');
    const picked: [string, ExcelJS.Worksheet][] = [];
    if (single) {
      const sheet = sheets.find((w) => fileOfSheet(w.name) === single) ?? sheets[0];
      if (sheet) picked.push([single, sheet]);
    } else {
      for (const sheet of sheets) {
        const file = fileOfSheet(sheet.name);
        if (file) picked.push([file, sheet]);
        else if (!NOTE_SHEETS.has(sheet.name.trim().toLowerCase()) && sheet.actualRowCount > 0) {
          const names = csvFiles().flatMap((f) => [f.replace(/\.csv$/, ''), CHINESE_SHEET_NAMES[f] ?? '']);
          const hint = didYouMean(sheet.name, names.filter(Boolean));
          issues.push(
            issueAt(
              { file: name, value: sheet.name },
              new Problem(
                'xlsx.unknownSheet',
                `工作表“${sheet.name}”不是数据集的表${hint.zh}：工作表名须为数据文件名（如 staff）或其中文名（如 职工）；说明类的表请命名为“说明”`,
                `sheet "${sheet.name}" is not a dataset table${hint.en}: name sheets after the data files (e.g. staff) or their Chinese names (e.g. 职工); name a notes sheet 说明`,
              ),
            ),
          );
        }
      }
    }
    for (const [file, sheet] of picked) {
      const where = `${name} 工作表 ${sheet.name}`;
      const earlier = origin.get(file);
      if (earlier !== undefined) {
        issues.push(
          issueAt(
            { file },
            new Problem(
              'xlsx.duplicate',
              `同一份数据给了两次：${earlier} 和 ${where}，请只保留一份`,
              `the same data is given twice: ${earlier} and ${name} sheet ${sheet.name}; keep only one`,
            ),
          ),
        );
        continue;
      }
      origin.set(file, where);
      out.set(file, { sheet: { workbook: name, name: sheet.name, rows: sheetRows(sheet) } });
    }
  }
  return { sources: out, issues };
}

/** Adds the sheet and the column letter to the issues of files read from sheets. */
export function placeInSheets(issues: ImportIssue[], sources: ReadonlyMap<string, unknown>): ImportIssue[] {
  const headers = new Map<string, { sheet: string; header: string[] }>();
  for (const [file, source] of sources) {
    if (!isSheetSource(source)) continue;
    const first = source.sheet.rows.find((r) => r.fields.some((f) => f.trim() !== ''));
    headers.set(file, {
      sheet: `${source.sheet.workbook} › ${source.sheet.name}`,
      header: (first?.fields ?? []).map((f) => f.trim()),
    });
  }
  if (headers.size === 0) return issues;
  return issues.map((issue) => {
    const place = headers.get(issue.file);
    if (!place) return issue;
    const placed = { ...issue, sheet: place.sheet };
    if (issue.column !== undefined) {
      const at = place.header.lastIndexOf(issue.column);
      if (at >= 0) placed.columnLetter = columnLetter(at);
    }
    return placed;
  });
}
