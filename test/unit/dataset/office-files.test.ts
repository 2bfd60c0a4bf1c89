/**
 * Office files in (issue 16): the demo dataset as one workbook, as one workbook per file, as GB18030 and
 * as UTF-16 CSVs imports to exactly the dataset its UTF-8 CSVs give (the same JSON, so the same stored
 * blobs); LibreOffice's round trips (fixtures made once, test/fixtures/office/README.md) are refused on
 * every account they mangled; sheet issues name the sheet, the Excel row and the column letter.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatIssue,
  type ImportIssue,
  type ParseResult,
  parseDatasetFiles,
  parseDatasetFilesAsync,
  readDatasetDir,
} from '../../../shared/dataset/index.js';
import { datasetWorkbook, fileWorkbook, templateWorkbook } from '../../../shared/dataset/workbook.js';
import { columnLetter } from '../../../shared/dataset/xlsx.js';
import { generateCounty } from '../../../shared/demo/index.js';
import { encodeGbk } from '../../../shared/export/bank-gbk.js';
import { monthHash, monthRowsByInstitution } from '../../../shared/store/datasets.js';

const OFFICE = join(import.meta.dirname, '../../fixtures/office');
const WORK = join(import.meta.dirname, '.office-files-tmp');

type Files = Record<string, string | Uint8Array>;

const demo: Record<string, string> = generateCounty({ seed: 11, staff: 150, townships: 3, months: 12 });
const csvNames = () => Object.keys(demo).filter((name) => name.endsWith('.csv'));

function datasetOf(result: ParseResult) {
  if (!result.ok) throw new Error(`rejected:\n${result.issues.slice(0, 10).map(formatIssue).join('\n')}`);
  return result.dataset;
}

/** What the store keeps of a dataset is a function of its JSON; the months' content hashes name them. */
function fingerprint(result: ParseResult) {
  const dataset = datasetOf(result);
  const months = [...monthRowsByInstitution(dataset)].flatMap(([institution, byPeriod]) =>
    [...byPeriod].map(([period, rows]) => `${institution}/${period}/${monthHash(rows)}`),
  );
  return { json: JSON.stringify(dataset), months };
}

const utf8 = fingerprint(parseDatasetFiles(demo));

const withBom = (bom: number[], body: Uint8Array) => new Uint8Array([...bom, ...body]);

describe('the demo dataset in every form an office saves it', () => {
  it('as one workbook (a sheet per file, Chinese sheet names) imports to the same dataset', async () => {
    const workbook = await datasetWorkbook(demo);
    const result = await parseDatasetFilesAsync({
      'scheme.json': demo['scheme.json']!,
      '数据集.xlsx': workbook,
    });
    expect(fingerprint(result)).toEqual(utf8);
    if (!result.ok) return;
    expect(result.summary.find((s) => s.file === 'staff.csv')).toMatchObject({
      encoding: 'XLSX',
      sheet: '数据集.xlsx › 职工',
    });
  });

  it('as one workbook per file (staff.xlsx, …) imports to the same dataset', async () => {
    const files: Files = { 'scheme.json': demo['scheme.json']! };
    for (const name of csvNames())
      files[name.replace(/\.csv$/, '.xlsx')] = await fileWorkbook(name, demo[name]!);
    expect(fingerprint(await parseDatasetFilesAsync(files))).toEqual(utf8);
  });

  it('as workbooks mixed with CSV files imports to the same dataset', async () => {
    const files: Files = { ...demo };
    for (const name of ['staff.csv', 'workload.csv']) {
      delete files[name];
      files[name.replace(/\.csv$/, '.xlsx')] = await fileWorkbook(name, demo[name]!);
    }
    expect(fingerprint(await parseDatasetFilesAsync(files))).toEqual(utf8);
  });

  it('as GB18030/GBK CSVs (what Excel on Chinese Windows saves as "CSV") imports to the same dataset', () => {
    const files: Files = { ...demo };
    for (const name of csvNames()) files[name] = encodeGbk(demo[name]!);
    const result = parseDatasetFiles(files);
    expect(fingerprint(result)).toEqual(utf8);
    if (!result.ok) return;
    for (const { file, encoding } of result.summary) {
      // A file of ASCII only is the same bytes in either encoding, and is read as UTF-8.
      expect(encoding, file).toBe(
        ![...demo[file]!].some((c) => c.charCodeAt(0) > 0x7f) ? 'UTF-8' : 'GB18030',
      );
    }
    expect(result.summary.find((s) => s.file === 'staff.csv')!.encoding).toBe('GB18030');
  });

  it('as UTF-16 CSVs with a BOM (little- and big-endian) imports to the same dataset', () => {
    for (const [bom, encoding] of [
      [[0xff, 0xfe], 'UTF-16LE'],
      [[0xfe, 0xff], 'UTF-16BE'],
    ] as const) {
      const files: Files = { ...demo };
      for (const name of csvNames()) {
        const le = Buffer.from(demo[name]!, 'utf16le');
        files[name] = withBom([...bom], encoding === 'UTF-16LE' ? le : le.swap16());
      }
      const result = parseDatasetFiles(files);
      expect(fingerprint(result)).toEqual(utf8);
      if (result.ok) expect(new Set(result.summary.map((s) => s.encoding))).toEqual(new Set([encoding]));
    }
  });

  it('as UTF-8 with a BOM (Excel\u2019s "CSV UTF-8") imports to the same dataset', () => {
    const files: Files = { ...demo };
    for (const name of csvNames())
      files[name] = withBom([0xef, 0xbb, 0xbf], new TextEncoder().encode(demo[name]!));
    expect(fingerprint(parseDatasetFiles(files))).toEqual(utf8);
  });
});

describe('LibreOffice round trips (committed fixtures)', () => {
  let source: Record<string, string>;
  beforeAll(async () => {
    source = {};
    for (const name of await readdir(join(OFFICE, 'dataset'))) {
      source[name] = await readFile(join(OFFICE, 'dataset', name), 'utf8');
    }
  });

  const accountsOf = (csv: string) =>
    csv
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => line.split(',').at(-1)!);

  /** Every row whose account LibreOffice changed is refused as lost digits, and nothing else is reported. */
  function expectEveryMangledAccountRefused(issues: ImportIssue[], roundTripped: string[]): void {
    const original = accountsOf(source['staff.csv']!);
    const mangledRows = original.flatMap((account, i) => (roundTripped[i] === account ? [] : [i + 2]));
    expect(mangledRows.length).toBeGreaterThan(100); // all but a few of the 120
    const lost = issues.filter((i) => i.rule === 'bankAccount.lostDigits').map((i) => i.row);
    for (const row of mangledRows) expect(lost, `row ${row}`).toContain(row);
    expect(new Set(issues.map((i) => `${i.file} ${i.column} ${i.rule}`))).toEqual(
      new Set(['staff.csv bankAccount bankAccount.lostDigits']),
    );
    for (const issue of issues) {
      expect(issue.zh).toContain('丢失');
      expect(issue.en).toContain('lost');
      expect(issue.value).toMatch(/^\*{12}/); // masked
    }
  }

  it('the source dataset imports (its accounts are valid card numbers)', () => {
    datasetOf(parseDatasetFiles(source));
  });

  it('staff.csv saved through LibreOffice as CSV is refused on every mangled account', async () => {
    const roundTripped = await readFile(join(OFFICE, 'staff.libreoffice.csv'), 'utf8');
    const result = parseDatasetFiles({ ...source, 'staff.csv': roundTripped });
    if (result.ok) throw new Error('a round-tripped staff.csv was accepted');
    expectEveryMangledAccountRefused(result.issues, accountsOf(roundTripped));
  });

  it('staff.csv opened in LibreOffice and saved as staff.xlsx is refused on every mangled account, by sheet, row and column letter', async () => {
    const { 'staff.csv': _csv, ...rest } = source;
    const xlsx = new Uint8Array(await readFile(join(OFFICE, 'staff.libreoffice.xlsx')));
    const result = await parseDatasetFilesAsync({ ...rest, 'staff.xlsx': xlsx });
    if (result.ok) throw new Error('a round-tripped staff.xlsx was accepted');
    // Every account there is a number: each of 16+ digits has lost digits.
    expectEveryMangledAccountRefused(
      result.issues,
      accountsOf(source['staff.csv']!).map(() => 'changed'),
    );
    expect(result.issues[0]).toMatchObject({ sheet: 'staff.xlsx › staff', row: 2, columnLetter: 'I' });
    expect(formatIssue(result.issues[0]!)).toContain('column I bankAccount');
  });

  it('the dataset workbook saved again by LibreOffice imports to the same dataset (text cells stay text)', async () => {
    const xlsx = new Uint8Array(await readFile(join(OFFICE, 'dataset.libreoffice.xlsx')));
    const result = await parseDatasetFilesAsync({ 'scheme.json': source['scheme.json']!, 'data.xlsx': xlsx });
    expect(fingerprint(result)).toEqual(fingerprint(parseDatasetFiles(source)));
  });
});

describe('workbook issues', () => {
  async function editedWorkbook(edit: (workbook: ExcelJS.Workbook) => void): Promise<Uint8Array> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await datasetWorkbook(demo)) as never);
    edit(workbook);
    return new Uint8Array(await workbook.xlsx.writeBuffer());
  }

  it('name the workbook and sheet, the row as Excel shows it and the column letter beside its name', async () => {
    const xlsx = await editedWorkbook((workbook) => {
      const sheet = workbook.getWorksheet('职工')!;
      sheet.getCell('H5').value = '12.345'; // basicMonthly with three decimals
      sheet.getCell('E7').value = 'surgeon'; // an unknown post
    });
    const result = await parseDatasetFilesAsync({ 'scheme.json': demo['scheme.json']!, '数据.xlsx': xlsx });
    if (result.ok) throw new Error('accepted');
    expect(
      result.issues.map(({ row, column, columnLetter, sheet, rule }) => ({
        row,
        column,
        columnLetter,
        sheet,
        rule,
      })),
    ).toEqual([
      {
        row: 5,
        column: 'basicMonthly',
        columnLetter: 'H',
        sheet: '数据.xlsx › 职工',
        rule: 'amount.decimals',
      },
      { row: 7, column: 'post', columnLetter: 'E', sheet: '数据.xlsx › 职工', rule: 'enum.value' },
    ]);
    const line = formatIssue(result.issues[0]!);
    expect(line).toContain('（工作表 数据.xlsx › 职工） 第 5 行 列 H basicMonthly');
    expect(line).toContain('(sheet 数据.xlsx › 职工), row 5, column H basicMonthly');
  });

  it('read numbers as Excel shows them, and a number of 16+ digits as digits already lost', async () => {
    const xlsx = await editedWorkbook((workbook) => {
      const sheet = workbook.getWorksheet('职工')!;
      sheet.getCell('H2').value = 0.1 + 0.2; // shows as 0.3
      sheet.getCell('I3').value = Number('6228077401446311853'); // an account typed into a number cell
      sheet.getCell('I4').value = 6214909550528856;
    });
    const result = await parseDatasetFilesAsync({ 'scheme.json': demo['scheme.json']!, 'd.xlsx': xlsx });
    if (result.ok) throw new Error('accepted');
    expect(result.issues.map(({ row, rule }) => [row, rule])).toEqual([
      [3, 'bankAccount.lostDigits'],
      [4, 'bankAccount.lostDigits'],
    ]);
  });

  it('name a date Excel made of a period', async () => {
    const xlsx = await editedWorkbook((workbook) => {
      workbook.getWorksheet('工作量')!.getCell('A2').value = new Date(Date.UTC(2026, 0, 1));
    });
    const result = await parseDatasetFilesAsync({ 'scheme.json': demo['scheme.json']!, 'd.xlsx': xlsx });
    if (result.ok) throw new Error('accepted');
    // In the text-formatted column a date is kept as its serial number (46023), itself named as a date.
    expect(result.issues[0]).toMatchObject({
      file: 'workload.csv',
      row: 2,
      columnLetter: 'A',
      rule: 'period.excelDate',
    });
  });

  it('refuse an unknown sheet (with a hint), data given twice, and a file that is not a workbook', async () => {
    const misnamed = await editedWorkbook((workbook) => {
      workbook.getWorksheet('调整')!.name = 'adjustment';
    });
    const result = await parseDatasetFilesAsync({ 'scheme.json': demo['scheme.json']!, 'd.xlsx': misnamed });
    if (result.ok) throw new Error('accepted');
    expect(result.issues.map((i) => i.rule)).toEqual(['xlsx.unknownSheet']);
    expect(result.issues[0]!.en).toContain('adjustments');

    const twice = await parseDatasetFilesAsync({ ...demo, 'd.xlsx': await datasetWorkbook(demo) });
    if (twice.ok) throw new Error('accepted');
    expect(twice.issues.every((i) => i.rule === 'xlsx.duplicate')).toBe(true);
    expect(twice.issues).toHaveLength(csvNames().length);

    const broken = await parseDatasetFilesAsync({
      ...demo,
      'notes.xlsx': new TextEncoder().encode('not a zip'),
    });
    if (broken.ok) throw new Error('accepted');
    expect(broken.issues.map((i) => [i.file, i.rule])).toEqual([['notes.xlsx', 'xlsx.unreadable']]);
  });
});

describe('the template', () => {
  it('has instructions in Chinese, the headers the import reads, drop-downs and text-formatted id and account columns', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await templateWorkbook()) as never);
    expect(workbook.worksheets[0]!.name).toBe('说明');
    const staff = workbook.getWorksheet('职工')!;
    const header = (staff.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(
      demo['staff.csv']!.split(/\r?\n/)[0]!
        .split(',')
        .concat(['accountCheck', 'sharedAccountReason', 'idNumber', 'branch']),
    );
    const account = header.indexOf('bankAccount');
    expect(staff.getColumn(account + 1).numFmt).toBe('@');
    expect(staff.getColumn(header.indexOf('idNumber') + 1).numFmt).toBe('@'); // 身份证号 keeps its 18 digits
    expect(staff.getColumn(1).numFmt).toBe('@'); // staffId
    const kinds = workbook.getWorksheet('机构')!;
    const validation = (
      kinds as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation> } }
    ).dataValidations.model;
    const kindRange = Object.entries(validation).find(([range]) => range.startsWith(`${columnLetter(2)}2`));
    expect(kindRange?.[1].type).toBe('list');
    expect(kindRange?.[1].formulae[0]).toContain('county_hospital');
  });

  it('filled in with nothing but a scheme, is refused for its empty tables, not for its shape', async () => {
    const result = await parseDatasetFilesAsync({
      'scheme.json': demo['scheme.json']!,
      '模板.xlsx': await templateWorkbook(),
    });
    if (result.ok) throw new Error('accepted');
    expect(new Set(result.issues.map((i) => i.rule))).toEqual(new Set(['file.noRows', 'insurance.rows']));
  });
});

describe('a dataset folder with a workbook', () => {
  beforeAll(async () => {
    await mkdir(WORK, { recursive: true });
    await writeFile(join(WORK, 'scheme.json'), demo['scheme.json']!);
    await writeFile(join(WORK, '数据集.xlsx'), await datasetWorkbook(demo));
    await writeFile(join(WORK, '~$数据集.xlsx'), 'the lock file Excel leaves while the workbook is open');
  });
  afterAll(() => rm(WORK, { recursive: true, force: true }));

  it('is read by readDatasetDir (the CLI import), ignoring Excel’s lock file', async () => {
    expect(fingerprint(await readDatasetDir(WORK))).toEqual(utf8);
  });
});
