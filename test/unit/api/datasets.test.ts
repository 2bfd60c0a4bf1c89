/** POST /api/datasets: base64 files in, the import service's verdict out (all issues on a 422). */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeEach, describe, expect, it } from 'vitest';
import { as, call, fakeWorld, useWorld } from './helpers.js';

const office = as('office1', 'office');
const TINY = join(import.meta.dirname, '../../fixtures/tiny/dataset');

async function tinyFiles(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of await readdir(TINY)) files[name] = (await readFile(join(TINY, name))).toString('base64');
  return files;
}

beforeEach(() => {
  useWorld(fakeWorld({ imported: false }));
});

describe('POST /api/datasets', () => {
  it('is 422 with every issue, each naming file, row, column and rule, when the dataset is invalid', async () => {
    const files = await tinyFiles();
    const staff = Buffer.from(files['staff.csv']!, 'base64').toString('utf8').split('\n');
    // Two mistakes in two places: an unknown column and an amount with three decimals.
    staff[0] = staff[0]!.replace('basicMonthly', 'basicMontly');
    files['staff.csv'] = Buffer.from(staff.join('\n')).toString('base64');
    files['finance.csv'] = Buffer.from(
      Buffer.from(files['finance.csv']!, 'base64')
        .toString('utf8')
        .replace(/^(\d{4}-\d{2},[^,]+,[^,]+,)(\d+)(\.\d+)?/m, '$1$2.123'),
    ).toString('base64');
    const answer = await call('POST /api/datasets', { as: office, body: { files } });
    expect(answer.status).toBe(422);
    expect(answer.json.error).toMatch(/dataset rejected with \d+ issue/);
    const where = answer.json.issues.map((i: { file: string }) => i.file);
    expect(where).toContain('staff.csv');
    expect(where).toContain('finance.csv');
    // The same issues grouped by file, rule and column, for a short display.
    const groups = answer.json.groups as { count: number; rows: number[]; file: string; rule: string }[];
    expect(groups.reduce((n, g) => n + g.count, 0)).toBe(answer.json.issues.length);
    expect(groups.find((g) => g.file === 'finance.csv')).toMatchObject({ rule: 'amount.decimals', count: 1 });
    for (const issue of answer.json.issues)
      expect(issue).toEqual(
        expect.objectContaining({
          file: expect.any(String),
          rule: expect.any(String),
          zh: expect.any(String),
          en: expect.any(String),
        }),
      );
  });

  it('GET /api/datasets/template gives the office the empty Excel template', async () => {
    const answer = await call('GET /api/datasets/template', { as: office });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toContain('spreadsheetml');
    expect(answer.headers['content-disposition']).toContain(encodeURIComponent('数据集模板.xlsx'));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(answer.bytes as never);
    expect(workbook.worksheets.map((w) => w.name).slice(0, 3)).toEqual(['说明', '机构', '职工']);
  });

  it('is 400 naming body.files when no file is sent', async () => {
    const answer = await call('POST /api/datasets', { as: office, body: { files: {} } });
    expect(answer.status).toBe(400);
    expect(answer.json.issues[0].path).toBe('body.files');
  });
});

describe('GET /api/cycles before any import', () => {
  it('answers 404 for the community, saying to import its dataset first', async () => {
    const answer = await call('GET /api/cycles', { as: as('hr1', 'hr') });
    expect(answer.status).toBe(404);
    expect(answer.json.error).toContain('POST /api/communities/xingguo/datasets');
  });
});
